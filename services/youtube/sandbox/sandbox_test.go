package sandbox_test

import (
	"context"
	"errors"
	"github.com/paeria/pregoner/shared/testenv"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/option"
	yt "google.golang.org/api/youtube/v3"

	"github.com/paeria/pregoner/services/youtube/sandbox"
)

// client is the real YouTube client library with the real oauth2 package, pointed at
// a sandbox; refresh overrides the refresh token sent.
func client(t *testing.T, sb *sandbox.Server, refresh, secret string) *yt.Service {
	t.Helper()
	srv := httptest.NewServer(sb.Handler())
	t.Cleanup(srv.Close)
	id, s, r := sb.Credentials()
	if refresh == "" {
		refresh = r
	}
	if secret == "" {
		secret = s
	}
	conf := &oauth2.Config{ClientID: id, ClientSecret: secret, Endpoint: oauth2.Endpoint{TokenURL: srv.URL + "/token"}}
	hc := conf.Client(context.Background(), &oauth2.Token{RefreshToken: refresh})
	svc, err := yt.NewService(context.Background(), option.WithEndpoint(srv.URL+"/"), option.WithHTTPClient(hc))
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

func broadcast(title, desc string, start time.Time) *yt.LiveBroadcast {
	return &yt.LiveBroadcast{
		Snippet: &yt.LiveBroadcastSnippet{Title: title, Description: desc, ScheduledStartTime: start.Format(time.RFC3339)},
		Status:  &yt.LiveBroadcastStatus{PrivacyStatus: "public"},
	}
}

func reason(err error) string {
	var ge *googleapi.Error
	if errors.As(err, &ge) && len(ge.Errors) > 0 {
		return ge.Errors[0].Reason
	}
	return ""
}

var parts = []string{"snippet", "status"}

func TestSandboxRefusesWhatYouTubeRefuses(t *testing.T) {
	c := testenv.NewClock(time.Date(2020, 3, 14, 10, 0, 0, 0, time.UTC))
	sb := sandbox.New(sandbox.Config{Now: c.Now})
	api := client(t, sb, "", "")
	soon := c.Now().Add(time.Hour)
	tests := []struct {
		name   string
		b      *yt.LiveBroadcast
		parts  []string
		reason string
	}{
		{"title_at_100_characters_with_emoji", broadcast(strings.Repeat("🎙", 100), "", soon), parts, ""},
		{"title_at_101_characters", broadcast(strings.Repeat("à", 101), "", soon), parts, "invalidTitle"},
		{"title_with_angle_bracket", broadcast("a < b", "", soon), parts, "invalidTitle"},
		{"missing_title", broadcast("", "", soon), parts, "titleRequired"},
		{"description_at_5000_bytes", broadcast("Avís", strings.Repeat("é", 2500), soon), parts, ""},
		{"description_at_5001_bytes", broadcast("Avís", strings.Repeat("é", 2500)+".", soon), parts, "invalidDescription"},
		{"description_with_angle_bracket", broadcast("Avís", "casos > 100", soon), parts, "invalidDescription"},
		{"start_in_the_past", broadcast("Avís", "", c.Now().Add(-time.Minute)), parts, "invalidScheduledStartTime"},
		{"no_privacy", &yt.LiveBroadcast{Snippet: broadcast("Avís", "", soon).Snippet}, []string{"snippet"}, "privacyStatusRequired"},
		{"unknown_part", broadcast("Avís", "", soon), []string{"snippet", "statistics"}, "unknownPart"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := api.LiveBroadcasts.Insert(tc.parts, tc.b).Do()
			if got := reason(err); got != tc.reason || (tc.reason == "" && err != nil) {
				t.Errorf("insert: err %v (reason %q), want reason %q", err, got, tc.reason)
			}
		})
	}
	if st := sb.Stats(); st.Inserts != 2 || st.QuotaUsed != len(tests)*sandbox.CostWrite {
		t.Errorf("stats %+v: want 2 inserts and every request charged", st)
	}
}

func TestSandboxUpdateOverwritesWholeParts(t *testing.T) {
	c := testenv.NewClock(time.Date(2020, 3, 14, 10, 0, 0, 0, time.UTC))
	sb := sandbox.New(sandbox.Config{Now: c.Now})
	api := client(t, sb, "", "")
	start := c.Now().Add(24 * time.Hour)
	made, err := api.LiveBroadcasts.Insert(parts, broadcast("Roda de premsa", "Descripció", start)).Do()
	if err != nil {
		t.Fatal(err)
	}
	// A snippet sent without its description clears it, as on YouTube.
	upd := &yt.LiveBroadcast{Id: made.Id, Snippet: &yt.LiveBroadcastSnippet{Title: "Nou títol", ScheduledStartTime: start.Format(time.RFC3339)}}
	if _, err := api.LiveBroadcasts.Update([]string{"snippet"}, upd).Do(); err != nil {
		t.Fatal(err)
	}
	got := sb.Broadcasts()[0]
	if got.Title != "Nou títol" || got.Description != "" || got.Privacy != "public" {
		t.Errorf("after a snippet-only update: %+v; want new title, no description, status untouched", got)
	}
	// Both parts sent: status is rewritten too.
	upd.Status = &yt.LiveBroadcastStatus{PrivacyStatus: "unlisted"}
	upd.Snippet.Description = "Tornada"
	if _, err := api.LiveBroadcasts.Update(parts, upd).Do(); err != nil {
		t.Fatal(err)
	}
	if got := sb.Broadcasts()[0]; got.Privacy != "unlisted" || got.Description != "Tornada" {
		t.Errorf("after a snippet+status update: %+v", got)
	}
	// A snippet without its start time is refused whole.
	upd.Snippet.ScheduledStartTime = ""
	if _, err := api.LiveBroadcasts.Update([]string{"snippet"}, upd).Do(); reason(err) != "scheduledStartTimeRequired" {
		t.Errorf("update without start: %v", err)
	}
	upd.Id = "nope"
	if _, err := api.LiveBroadcasts.Update(parts, broadcast("x", "", start)).Do(); reason(err) != "idRequired" {
		t.Errorf("update without id: %v", err)
	}
	if err := api.LiveBroadcasts.Delete("nope").Do(); reason(err) != "liveBroadcastNotFound" {
		t.Errorf("delete of unknown: %v", err)
	}
	if err := api.LiveBroadcasts.Delete(made.Id).Do(); err != nil || len(sb.Broadcasts()) != 0 {
		t.Errorf("delete: %v, %d left", err, len(sb.Broadcasts()))
	}
}

func TestSandboxListsMinePageByPage(t *testing.T) {
	c := testenv.NewClock(time.Date(2020, 3, 14, 10, 0, 0, 0, time.UTC))
	sb := sandbox.New(sandbox.Config{Now: c.Now})
	api := client(t, sb, "", "")
	for i := range 7 {
		if _, err := api.LiveBroadcasts.Insert(parts, broadcast("Avís", string(rune('a'+i)), c.Now().Add(time.Hour))).Do(); err != nil {
			t.Fatal(err)
		}
	}
	var seen []string
	err := api.LiveBroadcasts.List([]string{"snippet"}).Mine(true).MaxResults(3).Pages(context.Background(),
		func(r *yt.LiveBroadcastListResponse) error {
			for _, it := range r.Items {
				seen = append(seen, it.Snippet.Description)
			}
			return nil
		})
	if err != nil || strings.Join(seen, "") != "abcdefg" {
		t.Errorf("pages gave %q, %v; want all seven in order", seen, err)
	}
	if _, err := api.LiveBroadcasts.List(parts).Do(); reason(err) != "missingRequiredParameter" {
		t.Errorf("list without a filter: %v", err)
	}
	if _, err := api.LiveBroadcasts.List(parts).Mine(true).PageToken("garbage").Do(); reason(err) != "invalidPageToken" {
		t.Errorf("list with a bad page token: %v", err)
	}
}

func TestSandboxQuotaRunsOutAndResetsAtMidnightPacific(t *testing.T) {
	pacific := sandbox.PacificZone()
	c := testenv.NewClock(time.Date(2020, 3, 14, 23, 30, 0, 0, pacific))
	sb := sandbox.New(sandbox.Config{Now: c.Now, DailyQuota: 120})
	api := client(t, sb, "", "")
	start := c.Now().Add(48 * time.Hour)
	for i := range 2 {
		if _, err := api.LiveBroadcasts.Insert(parts, broadcast("Avís", "", start)).Do(); err != nil {
			t.Fatalf("insert %d within quota: %v", i, err)
		}
	}
	_, err := api.LiveBroadcasts.Insert(parts, broadcast("Avís", "", start)).Do()
	var ge *googleapi.Error
	if !errors.As(err, &ge) || ge.Code != http.StatusForbidden || reason(err) != "quotaExceeded" {
		t.Fatalf("third insert: %v; want 403 quotaExceeded", err)
	}
	if _, err := api.LiveBroadcasts.List(parts).Mine(true).Do(); err != nil {
		t.Errorf("a 1-unit list still fits the 20 units left: %v", err)
	}
	c.Advance(31 * time.Minute) // midnight Pacific passes
	if _, err := api.LiveBroadcasts.Insert(parts, broadcast("Avís", "", start)).Do(); err != nil {
		t.Errorf("after the reset: %v", err)
	}
	if used := sb.Stats().QuotaUsed; used != sandbox.CostWrite {
		t.Errorf("quota used on the new day = %d, want %d", used, sandbox.CostWrite)
	}
}

func TestSandboxTokensExpireAndCredentialsAreChecked(t *testing.T) {
	c := testenv.NewClock(time.Date(2020, 3, 14, 10, 0, 0, 0, time.UTC))
	sb := sandbox.New(sandbox.Config{Now: c.Now})
	start := c.Now().Add(48 * time.Hour)

	_, err := client(t, sb, "1//revoked", "").LiveBroadcasts.Insert(parts, broadcast("Avís", "", start)).Do()
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) || re.ErrorCode != "invalid_grant" {
		t.Errorf("revoked refresh token: %v; want invalid_grant", err)
	}
	_, err = client(t, sb, "", "wrong-secret").LiveBroadcasts.Insert(parts, broadcast("Avís", "", start)).Do()
	if !errors.As(err, &re) || re.ErrorCode != "invalid_client" {
		t.Errorf("wrong client secret: %v; want invalid_client", err)
	}

	api := client(t, sb, "", "")
	if _, err := api.LiveBroadcasts.Insert(parts, broadcast("Avís", "", start)).Do(); err != nil {
		t.Fatal(err)
	}
	// The oauth2 package trusts the token for its hour on the real clock; the sandbox's
	// clock says it expired, so the call is refused with Google's 401.
	c.Advance(time.Hour)
	_, err = api.LiveBroadcasts.Insert(parts, broadcast("Avís", "", start)).Do()
	var ge *googleapi.Error
	if !errors.As(err, &ge) || ge.Code != http.StatusUnauthorized || reason(err) != "authError" {
		t.Errorf("expired access token: %v; want 401 authError", err)
	}
	srv := httptest.NewServer(sb.Handler())
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/youtube/v3/liveBroadcasts?part=id&mine=true")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("no token: %d; want 401", resp.StatusCode)
	}
}

func TestSandboxWritesThenLosesTheAnswer(t *testing.T) {
	c := testenv.NewClock(time.Date(2020, 3, 14, 10, 0, 0, 0, time.UTC))
	tests := []struct {
		name string
		kind sandbox.FaultKind
		want func(error) bool // what the client sees
	}{
		{"eof", sandbox.LoseAnswer, func(err error) bool { return strings.Contains(err.Error(), "EOF") }},
		{"reset", sandbox.ResetAfterWrite, func(err error) bool { return strings.Contains(err.Error(), "reset") }},
		{"503_after_write", sandbox.StatusAfterWrite, func(err error) bool {
			var ge *googleapi.Error
			return errors.As(err, &ge) && ge.Code == http.StatusServiceUnavailable
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sb := sandbox.New(sandbox.Config{Now: c.Now})
			api := client(t, sb, "", "")
			sb.Fail(sandbox.Fault{Kind: tc.kind, Code: http.StatusServiceUnavailable, Op: "insert"})
			_, err := api.LiveBroadcasts.Insert(parts, broadcast("Avís", "", c.Now().Add(time.Hour))).Do()
			if err == nil || !tc.want(err) {
				t.Errorf("insert: err = %v; want the answer lost as %s", err, tc.name)
			}
			if st := sb.Stats(); len(sb.Broadcasts()) != 1 || st.Inserts != 1 || st.LostAnswers != 1 {
				t.Errorf("%d broadcasts, stats %+v; want the insert carried out and its answer lost", len(sb.Broadcasts()), st)
			}
		})
	}
}

func TestSandboxLosesASeededShareOfAnswers(t *testing.T) {
	c := testenv.NewClock(time.Date(2020, 3, 14, 10, 0, 0, 0, time.UTC))
	run := func(seed uint64) (lost []int) {
		sb := sandbox.New(sandbox.Config{Now: c.Now})
		sb.LoseAnswers(0.2, seed, "insert")
		api := client(t, sb, "", "")
		for i := range 50 {
			if _, err := api.LiveBroadcasts.Insert(parts, broadcast("Avís", "", c.Now().Add(time.Hour))).Do(); err != nil {
				lost = append(lost, i)
			}
		}
		if st := sb.Stats(); st.Inserts != 50 || st.LostAnswers != len(lost) {
			t.Errorf("stats %+v; want 50 inserts carried out and %d answers lost", st, len(lost))
		}
		return lost
	}
	first, again := run(7), run(7)
	if len(first) < 3 || len(first) > 20 || !slices.Equal(first, again) {
		t.Errorf("seed 7 lost answers %v, then %v; want the same handful both times", first, again)
	}
}
