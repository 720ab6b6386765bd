package bustest

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/paeria/pregoner/shared/bus"
)

// Refusal is something a service's key must not be let do: one subject published to
// (a request, as the client libraries make them) or subscribed to.
type Refusal struct {
	User string
	What string
	// Subject is published to, or subscribed to when Subscribe is set; the server must
	// answer with a permissions violation naming it.
	Subject   string
	Subscribe bool
}

// Name is the refusal as a subtest's name.
func (r Refusal) Name() string { return r.User + "_" + r.What }

// bucket is a key-value bucket and the users that own it (may read and write it).
type bucket struct {
	name   string
	owners []string
}

// Refusals tries every service's key against every bucket and subject it must not touch,
// by their raw subjects, so a wildcard too wide in bus.Grants is found whichever client
// call would use it: reading (direct get, watch), writing, publishing bulletins,
// re-drives and audit entries, listening to another's replies, and creating, changing,
// purging or deleting any stream or bucket it works with (the set-up is the admin's).
func Refusals() []Refusal {
	buckets := []bucket{
		{"SCHEDULES", []string{bus.UserEditor}},
		{"ACCOUNTS", []string{bus.UserEditor}},
		{"SESSIONS", []string{bus.UserEditor}},
		{"TOKENS", []string{bus.UserEditor}},
		{"DRAFTS", []string{bus.UserEditor}},
		{"TELEGRAM_POSTS", []string{bus.UserTelegram}},
		{"YOUTUBE_QUOTA", []string{bus.UserYouTube}},
	}
	services := []string{bus.UserEditor, bus.UserTelegram, bus.UserYouTube, bus.UserWeb}
	var out []Refusal
	for _, user := range services {
		add := func(what, subject string) { out = append(out, Refusal{User: user, What: what, Subject: subject}) }
		for _, b := range buckets {
			if slices.Contains(b.owners, user) {
				continue
			}
			lower := strings.ToLower(b.name)
			add("writes_"+lower, "$KV."+b.name+".k")
			if user != bus.UserEditor { // the editor reads every bucket, to show and audit
				add("reads_"+lower, "$JS.API.DIRECT.GET.KV_"+b.name+".$KV."+b.name+".k")
				add("watches_"+lower, "$JS.API.CONSUMER.CREATE.KV_"+b.name)
			}
		}
		for _, other := range services {
			if other == user {
				continue
			}
			out = append(out, Refusal{User: user, What: "listens_to_" + other + "_replies",
				Subject: bus.InboxPrefix(other) + ".>", Subscribe: true})
			// Telegram reads YouTube's records: a live post's broadcast link.
			if other != bus.UserEditor && user != bus.UserEditor && user != bus.UserWeb &&
				!(user == bus.UserTelegram && other == bus.UserYouTube) {
				add("reads_"+other+"_records", "$JS.API.DIRECT.GET.KV_DELIVERIES.$KV.DELIVERIES.x."+other)
			}
			if other != bus.UserEditor && user != bus.UserEditor {
				// Only the editor re-drives another channel (Telegram re-drives its own).
				add("redrives_"+other, "redrive."+other+".x")
			}
			if other == bus.UserEditor {
				continue // not a channel: no records, no consumer
			}
			add("takes_"+other+"_work", "$JS.API.CONSUMER.MSG.NEXT.BULLETINS."+other)
			if user != bus.UserEditor { // the editor writes records to re-drive
				add("writes_"+other+"_records", "$KV.DELIVERIES.x."+other)
			}
		}
		out = append(out, Refusal{User: user, What: "listens_to_every_reply", Subject: "_INBOX.>", Subscribe: true})
		// The command line's answers (the first administrator's TOTP secret) are its own.
		out = append(out, Refusal{User: user, What: "listens_to_cli_replies", Subject: bus.InboxPrefix(bus.UserCLI) + ".>", Subscribe: true})
		add("deletes_the_stream", "$JS.API.STREAM.DELETE.BULLETINS")
		add("purges_the_stream", "$JS.API.STREAM.PURGE.BULLETINS")
		// The set-up is the admin's: no service creates or changes a stream or bucket,
		// not the shared ones and not even its own, nor purges or deletes its own.
		for _, p := range bus.Layout(bus.Topology{}) {
			if p.Owner != "" && p.Owner != user {
				continue
			}
			lower := strings.ToLower(p.Name())
			add("creates_"+lower, "$JS.API.STREAM.CREATE."+p.StreamName())
			add("changes_"+lower, "$JS.API.STREAM.UPDATE."+p.StreamName())
			if p.Owner == user {
				add("purges_"+lower, "$JS.API.STREAM.PURGE."+p.StreamName())
				add("deletes_"+lower, "$JS.API.STREAM.DELETE."+p.StreamName())
			}
		}
		if user != bus.UserEditor {
			add("publishes_a_bulletin", "bulletins.x")
			add("re-drives", "redrive.web.x")
			add("writes_the_audit_trail", "audit.x")
			add("reads_the_audit_trail", "$JS.API.STREAM.MSG.GET.AUDIT")
		}
	}
	return out
}

// CLIRefusals is the table for the editor command line's key (bus.UserCLI), which may
// only ask the editor to act (bus.EditorRequests): it reads, watches and writes no
// bucket, publishes no bulletin, re-drive or audit entry, reads no stream, answers no
// request of the editor's, listens to no one's replies and sets nothing up. It is a
// table apart because its user is no service's: the hub's and the cluster's tests
// (services/editor/staff, deploy) run it on their own connections.
func CLIRefusals() []Refusal {
	user := bus.UserCLI
	var out []Refusal
	add := func(what, subject string) { out = append(out, Refusal{User: user, What: what, Subject: subject}) }
	for _, b := range []string{"ACCOUNTS", "SESSIONS", "TOKENS", "DRAFTS", "SCHEDULES", "DELIVERIES", "TELEGRAM_POSTS", "YOUTUBE_QUOTA"} {
		lower := strings.ToLower(b)
		add("reads_"+lower, "$JS.API.DIRECT.GET.KV_"+b+".$KV."+b+".k")
		add("watches_"+lower, "$JS.API.CONSUMER.CREATE.KV_"+b)
		add("writes_"+lower, "$KV."+b+".k")
	}
	add("publishes_a_bulletin", "bulletins.x")
	add("re-drives", "redrive.web.x")
	add("reads_a_bulletin", "$JS.API.STREAM.MSG.GET.BULLETINS")
	add("writes_the_audit_trail", "audit.x")
	add("reads_the_audit_trail", "$JS.API.STREAM.MSG.GET.AUDIT")
	add("asks_jetstream", "$JS.API.INFO")
	add("answers_for_the_editor", bus.InboxPrefix(bus.UserEditor)+".x")
	for _, other := range []string{bus.UserEditor, bus.UserTelegram, bus.UserYouTube, bus.UserWeb} {
		out = append(out, Refusal{User: user, What: "listens_to_" + other + "_replies", Subject: bus.InboxPrefix(other) + ".>", Subscribe: true})
	}
	out = append(out, Refusal{User: user, What: "listens_to_every_reply", Subject: "_INBOX.>", Subscribe: true})
	out = append(out, Refusal{User: user, What: "answers_the_editors_requests", Subject: bus.EditorRequests + ".>", Subscribe: true})
	for _, p := range bus.Layout(bus.Topology{}) {
		lower := strings.ToLower(p.Name())
		add("creates_"+lower, "$JS.API.STREAM.CREATE."+p.StreamName())
		add("purges_"+lower, "$JS.API.STREAM.PURGE."+p.StreamName())
		add("deletes_"+lower, "$JS.API.STREAM.DELETE."+p.StreamName())
	}
	return out
}

// CheckRefusals tries each refusal with a fresh connection of its user from connect
// (the violation is per connection), all at once, and expects every one refused.
func CheckRefusals(t *testing.T, connect func(t *testing.T, user string) *bus.Conn, cases []Refusal) {
	t.Helper()
	errs := make([]error, len(cases))
	var wg sync.WaitGroup
	for i, r := range cases {
		conn := connect(t, r.User)
		// The violation is read from LastError below; keep it out of the test's log.
		conn.NC.SetErrorHandler(func(*nats.Conn, *nats.Subscription, error) {})
		wg.Go(func() { errs[i] = try(conn, r) })
	}
	wg.Wait()
	for i, r := range cases {
		t.Run(r.Name(), func(t *testing.T) {
			if errs[i] != nil {
				t.Error(errs[i])
			}
		})
	}
}

// try does r and reports what is wrong with the server's answer, or nil for a refusal.
func try(conn *bus.Conn, r Refusal) error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if r.Subscribe {
		sub, err := conn.NC.SubscribeSync(r.Subject)
		if err == nil {
			_ = conn.NC.Flush()
			_, _ = sub.NextMsgWithContext(ctx)
		}
	} else if _, err := conn.NC.RequestWithContext(ctx, r.Subject, []byte("{}")); err == nil {
		return errors.New(r.User + " got an answer on " + r.Subject)
	}
	// The server reports the violation asynchronously; wait for it.
	deadline := time.Now().Add(10 * time.Second)
	for conn.NC.LastError() == nil && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	last := conn.NC.LastError()
	if !errors.Is(last, nats.ErrPermissionViolation) || !strings.Contains(last.Error(), r.Subject) {
		return errors.New("server's answer: " + errString(last) + "; want a permissions violation on " + r.Subject)
	}
	return nil
}

func errString(err error) string {
	if err == nil {
		return "none"
	}
	return err.Error()
}
