package poster_test

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paeria/pregoner/services/telegram/sandbox"
	"github.com/paeria/pregoner/shared/delivery"
	"github.com/paeria/pregoner/shared/natstest"
	"github.com/paeria/pregoner/shared/tghtml"
)

func TestPublishEditLongerShorterAndRetract(t *testing.T) {
	e := newEnv(t, sandbox.Config{})
	e.start(e.config())

	e.publish("confinament", "ca", "Mesures de confinament", "Cal **quedar-se a casa**. <script> & &amp; es veuen tal qual.")
	rec := e.wait("confinament", 1, delivery.Delivered)
	texts := e.texts(chatCA)
	if len(texts) != 1 || !strings.HasPrefix(texts[0], "Mesures de confinament\n\nCal quedar-se a casa. <script> & &amp; es veuen tal qual.") {
		t.Fatalf("channel shows %q", texts)
	}
	if !strings.HasSuffix(texts[0], webBase+"/bulletins/confinament") {
		t.Errorf("no permalink at the end: %q", texts[0])
	}
	if rec.Ref.Target != chatCA || !slices.Equal(rec.Ref.IDs, []string{"1"}) || rec.Ref.URL != "https://t.me/lapaeriaexplica/1" {
		t.Errorf("ref = %+v", rec.Ref)
	}

	// Longer: the first message is edited in place, the other parts are sent after it.
	e.publish("confinament", "ca", "Mesures de confinament", longBody(2))
	rec = e.wait("confinament", 2, delivery.Delivered)
	msgs := e.sb.Messages(chatCA)
	if len(msgs) < 2 || msgs[0].ID != 1 || msgs[0].Edited.IsZero() {
		t.Fatalf("after a longer edit the chat shows %d messages, first %+v", len(msgs), msgs[0])
	}
	if len(rec.Ref.IDs) != len(msgs) {
		t.Errorf("record has ids %v for %d messages", rec.Ref.IDs, len(msgs))
	}
	for i, m := range msgs {
		if !strings.HasSuffix(m.Text, fmt.Sprintf("(%d/%d)", i+1, len(msgs))) {
			t.Errorf("part %d does not end with its number: ...%q", i+1, m.Text[len(m.Text)-20:])
		}
		if tghtml.Units(m.Text) > tghtml.MaxMessage {
			t.Errorf("part %d is %d units", i+1, tghtml.Units(m.Text))
		}
	}

	// Shorter again: the parts no longer needed are deleted.
	e.publish("confinament", "ca", "Mesures de confinament", "Versió curta.")
	rec = e.wait("confinament", 3, delivery.Delivered)
	if texts := e.texts(chatCA); len(texts) != 1 || !strings.Contains(texts[0], "Versió curta.") {
		t.Errorf("after a shorter edit the chat shows %q", texts)
	}
	if !slices.Equal(rec.Ref.IDs, []string{"1"}) {
		t.Errorf("ids = %v, want [1]", rec.Ref.IDs)
	}

	// Retracted within 48 hours: the post is deleted.
	if _, err := e.pub.Retract(t.Context(), "confinament", "test"); err != nil {
		t.Fatal(err)
	}
	e.wait("confinament", 4, delivery.Retracted)
	if texts := e.texts(chatCA); len(texts) != 0 {
		t.Errorf("after retraction the chat shows %q", texts)
	}
	e.noEarlyRequests()
	e.noToken("confinament")
}

func TestRetractAfter48HoursEditsToANotice(t *testing.T) {
	e := newEnv(t, sandbox.Config{})
	e.start(e.config())
	e.publish("mercats", "es", "Mercados municipales", longBody(2))
	e.wait("mercats", 1, delivery.Delivered)
	before := len(e.sb.Messages(chatES))
	e.clk.Advance(49 * time.Hour)
	if _, err := e.pub.Retract(t.Context(), "mercats", "test"); err != nil {
		t.Fatal(err)
	}
	e.wait("mercats", 2, delivery.Retracted)
	texts := e.texts(chatES)
	if len(texts) != before || before < 2 {
		t.Fatalf("old posts: %d before, %d after", before, len(texts))
	}
	for _, text := range texts {
		if !strings.Contains(text, "Aviso retirado") || !strings.Contains(text, "Mercados municipales") || !strings.Contains(text, webBase) {
			t.Errorf("old post not turned into a withdrawn notice: %q", text)
		}
	}
	for _, r := range e.sb.Requests() {
		if r.Method == "deleteMessage" {
			t.Errorf("tried to delete a post older than 48 hours")
		}
	}
}

func TestLanguagePicksTheChat(t *testing.T) {
	e := newEnv(t, sandbox.Config{})
	cfg := e.config()
	var mu sync.Mutex
	var outcomes []string
	cfg.Observe = func(o delivery.Outcome) {
		mu.Lock()
		defer mu.Unlock()
		outcomes = append(outcomes, fmt.Sprintf("%s@%d %s %s", o.ID, o.Rev, o.Op, o.State))
	}
	e.start(cfg)
	e.publish("suspensio", "ca", "Suspensió d'activitats", "Text.")
	e.publish("suspension", "es", "Suspensión de actividades", "Texto.")
	e.wait("suspension", 1, delivery.Delivered)
	if texts := e.texts(chatCA); len(texts) != 1 || !strings.HasPrefix(texts[0], "Suspensió") {
		t.Errorf("catalan chat: %q", texts)
	}
	if texts := e.texts(chatES); len(texts) != 1 || !strings.HasPrefix(texts[0], "Suspensión") {
		t.Errorf("spanish chat: %q", texts)
	}
	// Staff fix the language: the post moves to the other chat.
	e.publish("suspensio", "es", "Suspensión de actividades (2)", "Texto.")
	e.wait("suspensio", 2, delivery.Delivered)
	if texts := e.texts(chatCA); len(texts) != 0 {
		t.Errorf("catalan chat still shows %q", texts)
	}
	if texts := e.texts(chatES); len(texts) != 2 {
		t.Errorf("spanish chat: %q", texts)
	}
	// The outcome is told once the record is written: wait for it.
	natstest.WaitFor(t, 10*time.Second, "three outcomes", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(outcomes) >= 3
	})
	mu.Lock()
	defer mu.Unlock()
	want := []string{"suspensio@1 deliver delivered", "suspension@1 deliver delivered", "suspensio@2 update delivered"}
	if !slices.Equal(outcomes, want) {
		t.Errorf("observed outcomes %q, want %q", outcomes, want)
	}
}

func TestBurstOf100ArrivesInOrderAndHonoursRetryAfter(t *testing.T) {
	// The sandbox allows 10 requests a second in a chat and the worker does not pace
	// itself, so it meets 429s and must wait each retry_after out.
	e := newEnv(t, sandbox.Config{PerChat: 10, PerChatWindow: time.Second})
	e.start(e.config())
	const n = 100
	for i := range n {
		e.publish(fmt.Sprintf("avis-%03d", i), "ca", fmt.Sprintf("Avís %03d", i), "Text de l'avís.")
	}
	e.wait(fmt.Sprintf("avis-%03d", n-1), 1, delivery.Delivered)
	texts := e.texts(chatCA)
	if len(texts) != n {
		t.Fatalf("%d messages, want %d", len(texts), n)
	}
	for i, text := range texts {
		if want := fmt.Sprintf("Avís %03d", i); !strings.HasPrefix(text, want) {
			t.Fatalf("message %d is %q, want %s: out of order", i+1, text[:10], want)
		}
	}
	if throttled := e.noEarlyRequests(); throttled == 0 {
		t.Errorf("the sandbox never answered 429: the test proves nothing")
	}
}

func TestPacingKeepsUnderTheLimit(t *testing.T) {
	e := newEnv(t, sandbox.Config{PerChat: 5, PerChatWindow: time.Second})
	cfg := e.config()
	cfg.PerChatPerMinute = 3 * 60 // 3 a second, well under the sandbox's 5 even when the machine is slow
	e.start(cfg)
	for i := range 12 {
		e.publish(fmt.Sprintf("p-%02d", i), "ca", fmt.Sprintf("Avís %02d", i), "Text.")
	}
	e.wait("p-11", 1, delivery.Delivered)
	if throttled := e.noEarlyRequests(); throttled != 0 {
		t.Errorf("%d requests throttled although the worker paces itself under the limit", throttled)
	}
}

func TestInjectedFaultsLoseNothingAndDuplicateNothing(t *testing.T) {
	e := newEnv(t, sandbox.Config{})
	e.sb.InjectFaults(func(method string, n int) sandbox.Fault {
		switch {
		case n%7 == 0:
			return sandbox.Fault{Delay: time.Hour} // a time-out: the client gives up
		case n%5 == 0:
			return sandbox.Fault{Reset: true}
		case n%3 == 0:
			return sandbox.Fault{Status: 502}
		}
		return sandbox.Fault{}
	})
	cfg := e.config()
	cfg.RequestTimeout = 1500 * time.Millisecond // long enough for a slow machine; the hangs last an hour
	e.start(cfg)
	var want []string
	for i := range 8 {
		body := "Text breu."
		if i%3 == 1 {
			body = longBody(2) // several parts
		}
		id := fmt.Sprintf("f-%d", i)
		e.publish(id, "ca", fmt.Sprintf("Avís %d", i), body)
		want = append(want, fmt.Sprintf("Avís %d", i))
	}
	e.wait("f-7", 1, delivery.Delivered)
	var got []string
	for _, text := range e.texts(chatCA) {
		if strings.HasPrefix(text, "Avís ") {
			got = append(got, text[:len("Avís 0")])
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("first parts in the chat = %q, want each bulletin once, in order: %q", got, want)
	}
	total := 0
	for i := range 8 {
		total += len(e.record(fmt.Sprintf("f-%d", i)).Ref.IDs)
	}
	if n := len(e.sb.Messages(chatCA)); n != total {
		t.Errorf("chat shows %d messages, records hold %d ids: a part was duplicated or lost", n, total)
	}
	faulted := 0
	for _, r := range e.sb.Requests() {
		if r.Faulted {
			faulted++
		}
	}
	if faulted < 5 {
		t.Errorf("only %d faults injected", faulted)
	}
}

func TestWorkerKilledMidBurstLosesNothing(t *testing.T) {
	e := newEnv(t, sandbox.Config{})
	e.sb.InjectFaults(func(method string, n int) sandbox.Fault {
		if n == 15 {
			return sandbox.Fault{Delay: time.Hour} // hangs until the worker dies
		}
		return sandbox.Fault{}
	})
	cfg := e.config()
	cfg.Delivery.Grace = 50 * time.Millisecond
	_, kill := e.start(cfg)
	const n = 30
	for i := range n {
		e.publish(fmt.Sprintf("k-%02d", i), "ca", fmt.Sprintf("Avís %02d", i), "Text.")
	}
	natstest.WaitFor(t, 20*time.Second, "the 15th request", func() bool { return len(e.sb.Requests()) >= 15 })
	kill()
	e.sb.InjectFaults(nil)
	e.start(e.config())
	e.wait(fmt.Sprintf("k-%02d", n-1), 1, delivery.Delivered)
	texts := e.texts(chatCA)
	if len(texts) != n {
		t.Fatalf("%d messages after the crash, want %d", len(texts), n)
	}
	for i, text := range texts {
		if want := fmt.Sprintf("Avís %02d", i); !strings.HasPrefix(text, want) {
			t.Errorf("message %d is %q, want %s", i+1, text[:8], want)
		}
	}
}

func TestBotWideLimitIsHonouredAcrossChats(t *testing.T) {
	// The sandbox allows 4 requests a second over all chats; bulletins alternate
	// between the Catalan and the Spanish chat.
	e := newEnv(t, sandbox.Config{Global: 4, GlobalWindow: time.Second})
	e.start(e.config())
	for i := range 12 {
		lang := []string{"ca", "es"}[i%2]
		e.publish(fmt.Sprintf("g-%02d", i), lang, fmt.Sprintf("Avís %02d", i), "Text.")
	}
	e.wait("g-11", 1, delivery.Delivered)
	if len(e.texts(chatCA)) != 6 || len(e.texts(chatES)) != 6 {
		t.Errorf("chats hold %d and %d messages, want 6 each", len(e.texts(chatCA)), len(e.texts(chatES)))
	}
	if throttled := e.noEarlyRequests(); throttled == 0 {
		t.Errorf("the sandbox never answered 429: the test proves nothing")
	}
}
