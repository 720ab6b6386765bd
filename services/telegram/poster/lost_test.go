package poster_test

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/paeria/pregoner/services/telegram/sandbox"
	"github.com/paeria/pregoner/shared/delivery"
	"github.com/paeria/pregoner/shared/natstest"
)

// requests counts the sandbox's requests of method (to any chat) and lists the message
// ids they named.
func (e *env) requests(method string) (n int, ids []int) {
	for _, r := range e.sb.Requests() {
		if r.Method == method {
			n++
			ids = append(ids, r.Message)
		}
	}
	return n, ids
}

// lost counts the requests whose reply the sandbox dropped.
func (e *env) lost() int {
	n := 0
	for _, r := range e.sb.Requests() {
		if r.Lost {
			n++
		}
	}
	return n
}

func TestLostRepliesNeverDuplicateAPost(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("TELEGRAM_LOSS_SEED"); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	t.Logf("loss seed %d (rerun with TELEGRAM_LOSS_SEED=%d)", seed, seed)
	e := newEnv(t, sandbox.Config{})
	// The first send teaches the bot where the chat stands; the sixth reply is always
	// lost, so that the test always proves something; then 2% of the replies are.
	e.sb.LoseReplies(sandbox.Loss{Method: "sendMessage", Skip: 5, Next: 1, Rate: 0.02, Seed: seed})
	e.start(e.config())
	const n = 150
	parts := map[string]int{}
	for i := range n {
		body := "Text de l'avís."
		if i%10 == 3 {
			body = longBody(2 + i%3) // two to four parts
		}
		id := fmt.Sprintf("l-%03d", i)
		e.publish(id, "ca", fmt.Sprintf("Avís %03d", i), body)
		parts[id] = 1
	}
	last := e.wait(fmt.Sprintf("l-%03d", n-1), 1, delivery.Delivered)
	msgs := e.sb.Messages(chatCA)
	byID := map[int]string{}
	for _, m := range msgs {
		byID[m.ID] = m.Text
	}
	total := 0
	for i := range n {
		id := fmt.Sprintf("l-%03d", i)
		rec := e.record(id)
		if rec.State != delivery.Delivered {
			t.Errorf("%s: %s %q", id, rec.State, rec.Error)
			continue
		}
		for k, v := range rec.Ref.IDs {
			msgID, _ := strconv.Atoi(v)
			text, ok := byID[msgID]
			switch {
			case !ok:
				t.Errorf("%s part %d: message %d is not in the chat", id, k+1, msgID)
			case k == 0 && !strings.HasPrefix(text, fmt.Sprintf("Avís %03d", i)):
				t.Errorf("%s: message %d is %.20q", id, msgID, text)
			}
		}
		total += len(rec.Ref.IDs)
	}
	if len(msgs) != total {
		t.Errorf("the chat shows %d messages, the records %d: %d duplicates", len(msgs), total, len(msgs)-total)
	}
	if e.lost() == 0 {
		t.Error("no reply was lost: the test proves nothing")
	}
	if last.Ref.Note != "" {
		t.Errorf("note = %q, want none: the bot cannot edit others' posts", last.Ref.Note)
	}
	edits, _ := e.requests("editMessageText")
	t.Logf("%d replies lost, %d edits (probes and resumed parts), %d messages", e.lost(), edits, len(msgs))
}

func TestLostReplyIsFoundAmongColleaguesPosts(t *testing.T) {
	tests := []struct {
		name       string
		colleagues int  // posts by hand between the bot's last known post and the lost one
		paced      bool // the sandbox allows 5 a second, the worker paces itself at 3
		probes     []int
		copies     int // of the bulletin whose reply was lost
	}{
		{"right_after_the_last_known_post", 0, false, []int{2}, 1},
		{"a_colleague_post_in_between", 1, false, []int{2, 3}, 1},
		{"probes_are_paced", 4, true, []int{2, 3, 4, 5, 6}, 1},
		{"too_many_to_look_through", 25, false, seq(2, 21), 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sbCfg := sandbox.Config{}
			if tt.paced {
				sbCfg = sandbox.Config{PerChat: 5, PerChatWindow: time.Second}
			}
			e := newEnv(t, sbCfg)
			c := e.config()
			if tt.paced {
				c.PerChatPerMinute = 3 * 60
			}
			e.start(c)
			e.publish("primer", "ca", "Primer", "Text.")
			e.wait("primer", 1, delivery.Delivered)
			var theirs []int
			for i := range tt.colleagues {
				theirs = append(theirs, e.sb.PostByHand(chatCA, fmt.Sprintf("Nota de premsa %d", i)))
			}
			e.sb.LoseReplies(sandbox.Loss{Method: "sendMessage", Next: 1})
			e.publish("perdut", "ca", "Perdut", "Text.")
			rec := e.wait("perdut", 1, delivery.Delivered)
			_, probed := e.requests("editMessageText")
			if !slices.Equal(probed, tt.probes) {
				t.Errorf("probed messages %v, want %v", probed, tt.probes)
			}
			copies := 0
			for _, m := range e.sb.Messages(chatCA) {
				if strings.HasPrefix(m.Text, "Perdut") {
					copies++
				}
				if m.By != "" && (!m.Edited.IsZero() || !strings.HasPrefix(m.Text, "Nota de premsa")) {
					t.Errorf("a colleague's post was changed: %+v", m)
				}
			}
			if copies != tt.copies {
				t.Errorf("the bulletin shows %d times, want %d", copies, tt.copies)
			}
			want := strconv.Itoa(2 + tt.colleagues)
			if tt.copies > 1 {
				want = strconv.Itoa(3 + tt.colleagues) // sent again after the lost one
			}
			if !slices.Equal(rec.Ref.IDs, []string{want}) {
				t.Errorf("record ids %v, want [%s]", rec.Ref.IDs, want)
			}
			if throttled := e.noEarlyRequests(); throttled != 0 {
				t.Errorf("%d requests throttled: probes went faster than the pacing", throttled)
			}
			if e.lost() != 1 {
				t.Errorf("%d replies lost, want 1", e.lost())
			}
		})
	}
}

func seq(from, to int) []int {
	var out []int
	for i := from; i <= to; i++ {
		out = append(out, i)
	}
	return out
}

func TestBotThatCanEditOthersPostsNeverProbes(t *testing.T) {
	e := newEnv(t, sandbox.Config{CanEditMessages: true})
	e.start(e.config())
	e.publish("primer", "ca", "Primer", "Text.")
	first := e.wait("primer", 1, delivery.Delivered)
	e.sb.PostByHand(chatCA, "Perdut\n\nText.")
	e.sb.LoseReplies(sandbox.Loss{Method: "sendMessage", Next: 1})
	e.publish("perdut", "ca", "Perdut", "Text.")
	rec := e.wait("perdut", 1, delivery.Delivered)
	if n, _ := e.requests("editMessageText"); n != 0 {
		t.Errorf("%d probes, want none: a probe could overwrite a colleague's post", n)
	}
	for _, m := range e.sb.Messages(chatCA) {
		if m.By != "" && !m.Edited.IsZero() {
			t.Errorf("the colleague's post was edited: %+v", m)
		}
	}
	if texts := e.texts(chatCA); len(texts) != 4 {
		t.Errorf("chat shows %d messages, want 4 (the lost one sent again: at least once)", len(texts))
	}
	for _, r := range []*delivery.Record{first, rec} {
		if !strings.HasPrefix(r.Ref.Note, "at-least-once:") || !strings.Contains(r.Ref.Note, "can_edit_messages") {
			t.Errorf("%s: note = %q, want it to say at-least-once and why", r.ID, r.Ref.Note)
		}
	}
	if !strings.Contains(e.logs.String(), "delivering at least once") {
		t.Error("no warning logged")
	}
}

func TestWorkerKilledMidSendResumesWithoutADuplicate(t *testing.T) {
	e := newEnv(t, sandbox.Config{})
	sends := 0
	e.sb.InjectFaults(func(method string, n int) sandbox.Fault {
		if method == "sendMessage" {
			sends++
			if sends == 3 {
				// Telegram posts part 2 of the second bulletin; the answer never comes.
				return sandbox.Fault{LoseReply: true, Delay: time.Hour}
			}
		}
		return sandbox.Fault{}
	})
	cfg := e.config()
	cfg.Delivery.Grace = 50 * time.Millisecond
	_, kill := e.start(cfg)
	e.publish("primer", "ca", "Primer", "Text.")
	e.publish("guia", "ca", "Guia", longBody(3))
	natstest.WaitFor(t, 20*time.Second, "part 2 posted", func() bool { return len(e.sb.Messages(chatCA)) == 3 })
	kill()
	e.sb.InjectFaults(nil)
	e.start(e.config())
	rec := e.wait("guia", 1, delivery.Delivered)
	msgs := e.sb.Messages(chatCA)
	var ids []string
	for i, m := range msgs[1:] {
		ids = append(ids, strconv.Itoa(m.ID))
		if !strings.HasSuffix(m.Text, fmt.Sprintf("(%d/%d)", i+1, len(msgs)-1)) {
			t.Errorf("message %d is not part %d: ...%q", m.ID, i+1, m.Text[len(m.Text)-10:])
		}
	}
	if !slices.Equal(rec.Ref.IDs, ids) {
		t.Errorf("record ids %v, chat ids %v: part 2 was posted twice", rec.Ref.IDs, ids)
	}
	// Message 3 is the probe that finds part 2; 2 is part 1, edited as a resumed
	// delivery does (unchanged: "message is not modified").
	if _, edited := e.requests("editMessageText"); !slices.Equal(edited, []int{3, 2}) {
		t.Errorf("edited %v, want 3 (the probe), then 2", edited)
	}
}
