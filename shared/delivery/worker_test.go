package delivery_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/delivery"
	"github.com/paeria/pregoner/shared/natstest"
)

func TestPublishEditRetractReachChannelOnceEach(t *testing.T) {
	e := newEnv(t)
	ch := &testChannel{}
	e.worker(ch, delivery.Config{})

	e.publish("confinament", "Queda't a casa.")
	e.waitState("confinament", 1, delivery.Delivered)
	e.publish("confinament", "Queda't a casa. Excepte per anar a treballar.")
	rec := e.waitState("confinament", 2, delivery.Delivered)
	if rec.Carried != 2 || rec.Ref.SentAt.IsZero() {
		t.Errorf("after edit: carried %d, sent_at %v; want 2 and set", rec.Carried, rec.Ref.SentAt)
	}
	// A duplicate publish of the same content is no revision at all.
	dup := e.publish("confinament", "Queda't a casa. Excepte per anar a treballar.")
	if dup.Rev != 2 {
		t.Fatalf("duplicate publish made revision %d, want it to stay 2", dup.Rev)
	}
	if _, err := e.pub.Retract(context.Background(), "confinament", "test"); err != nil {
		t.Fatal(err)
	}
	rec = e.waitState("confinament", 3, delivery.Retracted)
	if rec.Carried != 0 {
		t.Errorf("retracted record still carries revision %d", rec.Carried)
	}
	want := []string{"deliver confinament@1", "update confinament@2", "retract confinament@3"}
	if got := ch.ops(); !slices.Equal(got, want) {
		t.Errorf("calls = %q, want %q", got, want)
	}
	// Re-publishing after a retraction posts anew.
	e.publish("confinament", "Torna a estar vigent.")
	e.waitState("confinament", 4, delivery.Delivered)
	if got := ch.ops(); got[len(got)-1] != "deliver confinament@4" {
		t.Errorf("republish after retract: last call %q, want a new deliver", got[len(got)-1])
	}
}

func TestRevisionsReachTheChannelInPublishOrder(t *testing.T) {
	e := newEnv(t)
	ch := &testChannel{}
	e.worker(ch, delivery.Config{})
	// Each revision is taken up before the next is published: every one is carried, in order.
	var want []string
	for i := range 3 {
		for _, id := range []string{"a", "b", "c"} {
			rev := e.publish(id, fmt.Sprintf("versió %d", i))
			op := "update"
			if rev.Rev == 1 {
				op = "deliver"
			}
			want = append(want, op+" "+rev.Key())
			e.waitState(id, rev.Rev, delivery.Delivered)
		}
	}
	if got := ch.ops(); !slices.Equal(got, want) {
		t.Errorf("calls out of order:\n got %q\nwant %q", got, want)
	}
}

func TestQueuedRevisionsAreSupersededByTheLatestDecision(t *testing.T) {
	e := newEnv(t)
	ch := &testChannel{}
	// Everything is published before the worker starts: b is corrected twice, c is
	// retracted before its turn, a is left alone.
	e.publish("a", "A.")
	e.publish("b", "B, primera versió.")
	e.publish("c", "C, retirat abans d'hora.")
	e.publish("b", "B, segona versió.")
	e.publish("b", "B, tercera versió.")
	if _, err := e.pub.Retract(context.Background(), "c", "test"); err != nil {
		t.Fatal(err)
	}
	e.worker(ch, delivery.Config{})
	e.waitState("c", 2, delivery.Retracted)
	e.waitState("b", 3, delivery.Delivered)
	want := []string{"deliver a@1", "deliver b@3"}
	if got := ch.ops(); !slices.Equal(got, want) {
		t.Errorf("calls = %q, want %q: a retracted bulletin is never posted, a corrected one posted once, corrected", got, want)
	}
	hist, err := e.store.History(context.Background(), "b", bulletin.Telegram)
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != 3 || hist[0].State != delivery.Superseded || hist[0].SupersededBy != 3 || hist[1].SupersededBy != 3 {
		t.Errorf("b's records should say revisions 1 and 2 were superseded by 3: %+v", hist)
	}
	if c := e.record("c", bulletin.Telegram); c.Carried != 0 || len(c.Ref.IDs) != 0 {
		t.Errorf("c's record claims something is shown: %+v", c)
	}
}

func TestBulletinNotNamingTheChannelIsNotSentAndRemovedWhenDropped(t *testing.T) {
	e := newEnv(t)
	ch := &testChannel{}
	e.worker(ch, delivery.Config{})
	e.publish("nomes-web", "Només a la web.", bulletin.Web)
	e.publish("tots", "A tot arreu.")
	e.waitState("tots", 1, delivery.Delivered)
	if rec := e.record("nomes-web", bulletin.Telegram); rec != nil {
		t.Errorf("a bulletin for web only got a telegram record: %+v", rec)
	}
	// An edit that drops telegram takes the post down.
	e.publish("tots", "Ara només a la web.", bulletin.Web)
	rec := e.waitState("tots", 2, delivery.Retracted)
	if !strings.Contains(rec.Error, "removed") {
		t.Errorf("record error %q should say the channel was removed", rec.Error)
	}
	want := []string{"deliver tots@1", "retract tots@2"}
	if got := ch.ops(); !slices.Equal(got, want) {
		t.Errorf("calls = %q, want %q", got, want)
	}
}

func TestTemporaryFailureBacksOffHonouringRetryAfter(t *testing.T) {
	e := newEnv(t)
	const retryAfter = 300 * time.Millisecond
	ch := &testChannel{fail: func(_ string, _ delivery.Job, n int) error {
		if n <= 2 {
			return delivery.Temporary(errors.New("429 Too Many Requests"), retryAfter)
		}
		return nil
	}}
	var mu sync.Mutex
	var states []delivery.State
	e.worker(ch, delivery.Config{Observe: func(o delivery.Outcome) {
		mu.Lock()
		states = append(states, o.State)
		mu.Unlock()
	}})
	e.publish("avis", "Avís.")
	rec := e.waitState("avis", 1, delivery.Delivered)
	if rec.Attempts != 3 {
		t.Errorf("attempts = %d, want 3", rec.Attempts)
	}
	calls := ch.Calls()
	for i := 1; i < len(calls); i++ {
		if gap := calls[i].At.Sub(calls[i-1].At); gap < retryAfter {
			t.Errorf("attempt %d came %s after the previous one, before retry_after %s", i+1, gap, retryAfter)
		}
	}
	if !calls[1].Job.Retry || calls[0].Job.Retry {
		t.Errorf("Job.Retry = %v, %v; want false on the first attempt, true after", calls[0].Job.Retry, calls[1].Job.Retry)
	}
	// Observe runs after the record is written: wait for the third outcome rather than
	// read the list the moment the record says delivered.
	observed := func() []delivery.State {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(states)
	}
	for deadline := time.Now().Add(10 * time.Second); len(observed()) < 3 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	if got := observed(); !slices.Equal(got, []delivery.State{delivery.Failed, delivery.Failed, delivery.Delivered}) {
		t.Errorf("states = %v", got)
	}
	hist, err := e.store.History(context.Background(), "avis", bulletin.Telegram)
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != 3 || hist[0].State != delivery.Failed || hist[0].Error != "429 Too Many Requests" || hist[0].NextAttempt.IsZero() {
		t.Errorf("audit trail = %+v; want failed, failed, delivered with the error and next attempt", hist)
	}
}

func TestPermanentFailureIsDeadWithReasonAndRetryRedrivesIt(t *testing.T) {
	e := newEnv(t)
	var refuse sync.Mutex
	refusing := true
	ch := &testChannel{fail: func(string, delivery.Job, int) error {
		refuse.Lock()
		defer refuse.Unlock()
		if refusing {
			return delivery.Permanent(errors.New("Bad Request: chat not found"))
		}
		return nil
	}}
	e.worker(ch, delivery.Config{})
	e.publish("xarxa-solidaria", "Xarxa Solidària.")
	rec := e.waitState("xarxa-solidaria", 1, delivery.Dead)
	if rec.Error != "Bad Request: chat not found" || rec.Attempts != 1 {
		t.Errorf("dead record: error %q after %d attempts; want the channel's reason after 1", rec.Error, rec.Attempts)
	}
	// Later bulletins are not held up by a dead one.
	e.publish("seguent", "Següent.")
	e.waitState("seguent", 1, delivery.Dead)

	err := delivery.Redrive(context.Background(), e.store, e.pub, "xarxa-solidaria", bulletin.Web, "anna")
	if err == nil || !strings.Contains(err.Error(), "no delivery recorded") {
		t.Errorf("retry on a channel without a record: err = %v", err)
	}
	refuse.Lock()
	refusing = false
	refuse.Unlock()
	if err := delivery.Redrive(context.Background(), e.store, e.pub, "xarxa-solidaria", bulletin.Telegram, "anna"); err != nil {
		t.Fatal(err)
	}
	rec = e.waitState("xarxa-solidaria", 1, delivery.Delivered)
	if rec.Attempts != 2 || rec.RedriveFrom != 1 {
		t.Errorf("attempts after re-drive = %d (re-driven at %d), want the history kept: 2 (at 1)", rec.Attempts, rec.RedriveFrom)
	}
	if calls := ch.Calls(); !calls[len(calls)-1].Job.Retry {
		t.Error("the re-driven call was not told the channel may have acted already (Job.Retry)")
	}
	err = delivery.Redrive(context.Background(), e.store, e.pub, "xarxa-solidaria", bulletin.Telegram, "anna")
	if !errors.Is(err, delivery.ErrNotDead) {
		t.Errorf("retry of a delivered bulletin: err = %v, want ErrNotDead", err)
	}
	hist, _ := e.store.History(context.Background(), "xarxa-solidaria", bulletin.Telegram)
	if len(hist) != 3 || hist[1].State != delivery.Pending || hist[1].By != "anna" {
		t.Errorf("audit trail should show dead, pending (by anna), delivered: %+v", hist)
	}
}

func TestUnclassifiedFailuresGiveUpAfterMaxAttempts(t *testing.T) {
	e := newEnv(t)
	ch := &testChannel{fail: func(string, delivery.Job, int) error {
		return errors.New("connection reset by peer")
	}}
	e.worker(ch, delivery.Config{MaxAttempts: 3})
	e.publish("mercats", "Mercats.")
	rec := e.waitState("mercats", 1, delivery.Dead)
	if want := "gave up after 3 attempts: connection reset by peer"; rec.Error != want {
		t.Errorf("error = %q, want %q", rec.Error, want)
	}
	if n := len(ch.Calls()); n != 3 {
		t.Errorf("channel called %d times, want 3", n)
	}
}

func TestSkippedByChannel(t *testing.T) {
	e := newEnv(t)
	ch := &testChannel{fail: func(string, delivery.Job, int) error { return delivery.Skip("no live block") }}
	e.worker(ch, delivery.Config{})
	e.publish("sense-directe", "Res en directe.")
	rec := e.waitState("sense-directe", 1, delivery.Skipped)
	if rec.Error != "skipped: no live block" {
		t.Errorf("reason = %q", rec.Error)
	}
}

func TestSecretsAreRedactedFromRecords(t *testing.T) {
	e := newEnv(t)
	const token = "123456:ABCdefSECRET"
	ch := &testChannel{fail: func(string, delivery.Job, int) error {
		return delivery.Permanent(fmt.Errorf("post https://api.telegram.org/bot%s/sendMessage: 401 Unauthorized", token))
	}}
	e.worker(ch, delivery.Config{Redact: func(s string) string { return strings.ReplaceAll(s, token, "<token>") }})
	e.publish("secret", "Text.")
	rec := e.waitState("secret", 1, delivery.Dead)
	if strings.Contains(rec.Error, token) || !strings.Contains(rec.Error, "bot<token>/sendMessage") {
		t.Errorf("recorded error %q leaks the token or lost the context", rec.Error)
	}
}

func TestWorkerStoppedMidDeliveryHandsItBack(t *testing.T) {
	e := newEnv(t)
	first := &testChannel{block: make(chan struct{}), entered: make(chan string, 1)}
	stop, _ := e.worker(first, delivery.Config{Grace: 50 * time.Millisecond})
	e.publish("tancament", "Tancament de parcs.")
	<-first.entered
	stop() // the call is cancelled after the grace period and the revision handed back
	if rec := e.record("tancament", bulletin.Telegram); rec == nil || rec.State != delivery.Sending || !rec.Uncertain {
		t.Errorf("a handed-back delivery should stay recorded as sending, uncertain: %+v", rec)
	}
	second := &testChannel{}
	e.worker(second, delivery.Config{})
	rec := e.waitState("tancament", 1, delivery.Delivered)
	if len(second.Calls()) != 1 || !second.Calls()[0].Job.Retry {
		t.Errorf("second worker calls = %+v; want one call marked Retry", second.Calls())
	}
	if rec.Attempts != 2 {
		t.Errorf("attempts = %d, want 2 (the interrupted call may have reached the channel)", rec.Attempts)
	}
}

func TestWorkerKilledMidDeliveryLosesNothing(t *testing.T) {
	e := newEnv(t)
	first := &testChannel{block: make(chan struct{}), entered: make(chan string, 1)}
	_, kill := e.worker(first, delivery.Config{Grace: time.Hour})
	e.publish("killed", "Primer.")
	e.publish("after", "Segon.")
	<-first.entered
	kill() // no nak, no ack: the server redelivers after AckWait
	close(first.block)

	second := &testChannel{}
	e.worker(second, delivery.Config{})
	e.waitState("after", 1, delivery.Delivered)
	e.waitState("killed", 1, delivery.Delivered)
	want := []string{"deliver killed@1", "deliver after@1"}
	if got := second.ops(); !slices.Equal(got, want) {
		t.Errorf("after the kill: calls = %q, want %q (the in-flight call repeated once, order kept)", got, want)
	}
}

func TestTwoReplicasDeliverEachRevisionOnce(t *testing.T) {
	e := newEnv(t)
	ch := &testChannel{}
	e.worker(ch, delivery.Config{})
	e.worker(ch, delivery.Config{})
	const n = 40
	var want []string
	for i := range n {
		rev := e.publish(fmt.Sprintf("b%02d", i), "Text.")
		want = append(want, "deliver "+rev.Key())
	}
	e.waitState(fmt.Sprintf("b%02d", n-1), 1, delivery.Delivered)
	natstest.WaitFor(t, 10*time.Second, "all deliveries", func() bool { return len(ch.Calls()) >= n })
	if got := ch.ops(); !slices.Equal(got, want) {
		t.Errorf("two replicas: calls = %q\nwant each once, in order: %q", got, want)
	}
}

func TestServerRestartKeepsRecordsAndResumesPendingWork(t *testing.T) {
	e := newEnv(t)
	ch := &testChannel{}
	stop, _ := e.worker(ch, delivery.Config{})
	e.publish("abans", "Abans del reinici.")
	e.waitState("abans", 1, delivery.Delivered)
	stop()
	e.publish("pendent", "Publicat amb el worker aturat.")

	e.srv.Restart()
	e.connect()
	if rec := e.record("abans", bulletin.Telegram); rec == nil || rec.State != delivery.Delivered {
		t.Fatalf("record after restart = %+v, want delivered", rec)
	}
	latest, _, err := e.pub.Latest(context.Background(), "pendent")
	if err != nil || latest.Rev != 1 {
		t.Fatalf("bulletin after restart: %v, %v", latest, err)
	}
	e.worker(ch, delivery.Config{})
	e.waitState("pendent", 1, delivery.Delivered)
	want := []string{"deliver abans@1", "deliver pendent@1"}
	if got := ch.ops(); !slices.Equal(got, want) {
		t.Errorf("calls = %q, want %q", got, want)
	}
}

func TestWorkerRidesOutAServerRestart(t *testing.T) {
	e := newEnv(t)
	ch := &testChannel{}
	e.worker(ch, delivery.Config{})
	e.publish("u", "U.")
	e.waitState("u", 1, delivery.Delivered)
	e.srv.Restart()
	e.connect()
	e.publish("dos", "Dos.")
	e.waitState("dos", 1, delivery.Delivered)
}

func TestStatusDerivesPendingAndListsEveryNamedChannel(t *testing.T) {
	e := newEnv(t)
	ch := &testChannel{}
	e.publish("estat", "Estat.", bulletin.Telegram, bulletin.Web)
	st, err := delivery.GetStatus(context.Background(), e.pub, e.store, "estat")
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Channels) != 2 || st.Channels[0].State != delivery.Pending || st.Channels[1].State != delivery.Pending {
		t.Fatalf("status before any worker = %+v, want telegram and web pending", st.Channels)
	}
	e.worker(ch, delivery.Config{})
	e.waitState("estat", 1, delivery.Delivered)
	e.publish("estat", "Estat nou.", bulletin.Telegram, bulletin.Web)
	st, _ = delivery.GetStatus(context.Background(), e.pub, e.store, "estat")
	if st.Latest.Rev != 2 {
		t.Fatalf("latest rev %d", st.Latest.Rev)
	}
	e.waitState("estat", 2, delivery.Delivered)
	st, _ = delivery.GetStatus(context.Background(), e.pub, e.store, "estat")
	if st.Channels[0].Channel != bulletin.Telegram || st.Channels[0].State != delivery.Delivered {
		t.Errorf("status = %+v", st.Channels)
	}
}
