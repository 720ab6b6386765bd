package live

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"golang.org/x/oauth2"
	"google.golang.org/api/googleapi"

	"github.com/paeria/pregoner/shared/delivery"
)

// accountTimeout bounds writing a call's cost to the quota account.
const accountTimeout = 5 * time.Second

// call runs one API call, counts the units it cost on the bus and classifies its
// error. It returns the day's units spent so far (0 when the account could not be
// written: the call's outcome matters more than its bookkeeping, so that is only
// logged).
func (c *Channel) call(ctx context.Context, op string, cost int, do func() error) (int, error) {
	err := do()
	spent := 0
	if charged(err) {
		// The call happened even if ctx ended meanwhile (a shutdown): count it anyway.
		actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), accountTimeout)
		var aerr error
		spent, aerr = c.quota.Spend(actx, cost)
		cancel()
		if aerr != nil {
			c.log.Warn("quota account not updated", "op", op, "units", cost, "err", aerr)
		}
	}
	return spent, c.classify(ctx, op, err)
}

// charged reports whether the API charged quota for a call that ended in err: it does
// for every call it answered, refusals included, except for authentication, quota and
// its own failures.
func charged(err error) bool {
	if err == nil {
		return true
	}
	var ge *googleapi.Error
	if !errors.As(err, &ge) {
		return false
	}
	return ge.Code != http.StatusUnauthorized && ge.Code < 500 && !isQuota(ge)
}

func reason(ge *googleapi.Error) string {
	if len(ge.Errors) > 0 {
		return ge.Errors[0].Reason
	}
	return ""
}

func isQuota(ge *googleapi.Error) bool {
	switch reason(ge) {
	case "quotaExceeded", "dailyLimitExceeded":
		return true
	}
	return false
}

func isNotFound(err error) bool {
	var ge *googleapi.Error
	return errors.As(err, &ge) && ge.Code == http.StatusNotFound
}

// classify turns a call's error into what the delivery worker acts on: quota → wait
// for the reset; 429, 5xx, network → back off and retry; refused credentials and other
// 4xx → permanent, with the reason code reasonCode finds (none when it knows none).
func (c *Channel) classify(ctx context.Context, op string, err error) error {
	var (
		ge *googleapi.Error
		re *oauth2.RetrieveError
	)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, context.Canceled):
		return err // shutting down: the worker hands the revision back
	case errors.As(err, &re):
		code := re.ErrorCode
		if re.Response != nil && re.Response.StatusCode >= 500 || code == "" || code == "temporarily_unavailable" {
			return delivery.Temporary(fmt.Errorf("youtube: %s: token endpoint: %w", op, err), 0)
		}
		return delivery.PermanentBecause(delivery.ReasonCredentials, fmt.Errorf("youtube: %s: the token endpoint refused the credentials (%s: %s); "+
			"renew the refresh token, see docs/refresh-token.md", op, code, re.ErrorDescription))
	case errors.As(err, &ge) && isQuota(ge):
		actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), accountTimeout)
		wait, aerr := c.quota.MarkExhausted(actx)
		cancel()
		if aerr != nil {
			// This delivery still waits for the reset; the next may be refused once more.
			c.log.Warn("quota exhaustion not recorded on the bus", "err", aerr)
		}
		c.log.Warn("YouTube quota exhausted; deliveries wait for the reset", "op", op, "wait", wait.Round(time.Second))
		return delivery.TemporaryBecause(delivery.ReasonQuota, fmt.Errorf("youtube: %s: %s", op, c.quotaMsg(wait)), wait)
	case errors.As(err, &ge):
		e := fmt.Errorf("youtube: %s: %d %s: %s", op, ge.Code, reason(ge), ge.Message)
		switch r := reason(ge); {
		case ge.Code == http.StatusTooManyRequests, r == "rateLimitExceeded", r == "userRateLimitExceeded",
			r == "userRequestsExceedRateLimit":
			return delivery.Temporary(e, retryAfter(ge.Header))
		case ge.Code >= 500:
			return delivery.Temporary(e, retryAfter(ge.Header))
		case ge.Code == http.StatusNotFound:
			return &notFoundError{e: e, ge: ge} // callers decide; unhandled it is permanent
		}
		if code := reasonCode(ge.Code, reason(ge)); code != "" {
			return delivery.PermanentBecause(code, e)
		}
		return delivery.Permanent(e) // no code: the editor offers Retry and shows the text
	}
	return delivery.Temporary(fmt.Errorf("youtube: %s: %w", op, err), 0)
}

// reasonCode is the delivery reason of a refusal the API answered with status and its
// error reason: it tells staff what to do (edit the bulletin, or have IT fix the
// credentials or the channel's rights, then retry). Only the reasons that say so are
// mapped: an unknown one — a 400 about a request the channel built wrong, a 403 about
// the broadcast's state — gets "" and the editor offers Retry with the API's own words,
// rather than sending staff to edit a bulletin that is fine.
func reasonCode(status int, why string) string {
	switch why {
	case "invalidScheduledStartTime":
		return delivery.ReasonStartPassed
	case "invalidTitle", "titleRequired", "invalidDescription", "descriptionRequired",
		"invalidScheduledEndTime", "scheduledStartTimeRequired":
		return delivery.ReasonFieldLimit
	case "insufficientPermissions", "authError", "unauthorized", "invalidCredentials":
		return delivery.ReasonCredentials // the token lacks the scope, or is no longer valid
	case "forbidden", "liveStreamingNotEnabled", "insufficientLivePermissions", "livePermissionBlocked",
		"liveBroadcastInsertionNotAllowed", "channelNotFound":
		return delivery.ReasonRights // the account may not run live broadcasts on the channel
	case "quotaExceeded", "dailyLimitExceeded":
		return delivery.ReasonQuota
	}
	if status == http.StatusUnauthorized {
		return delivery.ReasonCredentials // whatever the reason, the credentials were refused
	}
	return ""
}

// notFoundError is a 404 that the caller may recover from (update of a broadcast
// deleted on YouTube); it is permanent if nobody does.
type notFoundError struct {
	e  error
	ge *googleapi.Error
}

func (n *notFoundError) Error() string { return n.e.Error() }
func (n *notFoundError) Unwrap() []error {
	return []error{n.ge, delivery.Permanent(n.e)}
}

func retryAfter(h http.Header) time.Duration {
	if h == nil {
		return 0
	}
	if s, err := strconv.Atoi(h.Get("Retry-After")); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	return 0
}
