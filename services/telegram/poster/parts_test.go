package poster_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/paeria/pregoner/services/telegram/sandbox"
	"github.com/paeria/pregoner/shared/delivery"
)

// sends counts the sendMessage requests that reached the chat (not faulted).
func (e *env) sends() int {
	n := 0
	for _, r := range e.sb.Requests() {
		if r.Method == "sendMessage" && !r.Faulted && r.Status == 200 {
			n++
		}
	}
	return n
}

func TestFailureMidSplitResumesWithoutRepeatingParts(t *testing.T) {
	e := newEnv(t, sandbox.Config{})
	sent := 0
	e.sb.InjectFaults(func(method string, n int) sandbox.Fault {
		if method == "sendMessage" {
			sent++
			if sent == 2 {
				return sandbox.Fault{Status: 502} // the second part fails once
			}
		}
		return sandbox.Fault{}
	})
	e.start(e.config())
	e.publish("guia", "ca", "Guia de serveis", longBody(3))
	rec := e.wait("guia", 1, delivery.Delivered)
	msgs := e.sb.Messages(chatCA)
	if len(msgs) < 3 {
		t.Fatalf("%d parts", len(msgs))
	}
	var ids []string
	for i, m := range msgs {
		ids = append(ids, fmt.Sprint(m.ID))
		if !strings.HasSuffix(m.Text, fmt.Sprintf("(%d/%d)", i+1, len(msgs))) {
			t.Errorf("message %d is not part %d: ...%q", m.ID, i+1, m.Text[len(m.Text)-12:])
		}
	}
	if !slices.Equal(rec.Ref.IDs, ids) || e.sends() != len(msgs) {
		t.Errorf("record ids %v, chat ids %v, %d sends: the first part was sent again", rec.Ref.IDs, ids, e.sends())
	}
	if rec.Attempts != 2 {
		t.Errorf("attempts = %d, want 2", rec.Attempts)
	}
}

func TestRefusalMidSplitTakesDownWhatWasPosted(t *testing.T) {
	e := newEnv(t, sandbox.Config{})
	sent := 0
	e.sb.InjectFaults(func(method string, n int) sandbox.Fault {
		if method == "sendMessage" {
			sent++
			if sent == 2 {
				return sandbox.Fault{Status: 400, Description: "Bad Request: message is too long"}
			}
		}
		return sandbox.Fault{}
	})
	e.start(e.config())
	e.publish("refusada", "ca", "Guia", longBody(3))
	rec := e.wait("refusada", 1, delivery.Dead)
	if !strings.Contains(rec.Error, "message is too long") || !strings.Contains(rec.Error, "part 2/") {
		t.Errorf("dead record: %q", rec.Error)
	}
	if texts := e.texts(chatCA); len(texts) != 0 {
		t.Errorf("half a bulletin left in the channel: %d messages", len(texts))
	}
}

func TestLongRetryAfterIsHandedBackToTheBus(t *testing.T) {
	e := newEnv(t, sandbox.Config{PerChat: 1, PerChatWindow: time.Hour})
	cfg := e.config()
	cfg.MaxInlineWait = time.Second
	e.start(cfg)
	e.publish("primer", "ca", "Primer", "Text.")
	e.wait("primer", 1, delivery.Delivered)
	e.publish("segon", "ca", "Segon", "Text.")
	rec := e.wait("segon", 1, delivery.Failed)
	if !strings.Contains(rec.Error, "retry after") || time.Until(rec.NextAttempt) < 59*time.Minute {
		t.Errorf("failed record: %q, next attempt in %s; want the hour Telegram asked for", rec.Error, time.Until(rec.NextAttempt))
	}
	time.Sleep(300 * time.Millisecond) // a worker that ignored retry_after would try again now
	e.noEarlyRequests()
	if len(e.texts(chatCA)) != 1 {
		t.Errorf("chat = %q", e.texts(chatCA))
	}
}

func TestPostDeletedByHandIsPostedAgainOnEdit(t *testing.T) {
	e := newEnv(t, sandbox.Config{})
	e.start(e.config())
	e.publish("esborrat", "ca", "Avís", "Primera versió.")
	e.wait("esborrat", 1, delivery.Delivered)
	e.sb.DeleteByHand(chatCA, 1)
	e.publish("esborrat", "ca", "Avís", "Segona versió.")
	rec := e.wait("esborrat", 2, delivery.Delivered)
	if texts := e.texts(chatCA); len(texts) != 1 || !strings.Contains(texts[0], "Segona versió.") {
		t.Errorf("chat = %q", texts)
	}
	if !slices.Equal(rec.Ref.IDs, []string{"2"}) {
		t.Errorf("ids = %v, want the new post's [2]", rec.Ref.IDs)
	}
}
