package cli_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/paeria/pregoner/services/editor/accounts"
	"github.com/paeria/pregoner/services/editor/cli"
	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/bus"
)

// `editor retract '*'` and friends fail with the rule, and publish nothing.
func TestABadIDArgumentIsRefusedBeforeTheEditor(t *testing.T) {
	w := newWorld(t)
	w.member("anna", accounts.Publisher)
	commands := [][]string{{"status"}, {"retract"}, {"retry", "", "telegram"}, {"schedule", "cancel"}}
	for _, cmd := range commands {
		for _, id := range []string{"*", ">", "a.b", "../x", "", strings.Repeat("a", 300), "confinamént"} {
			args := append(append([]string{}, cmd...), id)
			if cmd[0] == "retry" {
				args = []string{"retry", id, "telegram"}
			}
			r := w.editor("", args...)
			if r.err == nil || errors.Is(r.err, cli.ErrUsage) || !errors.Is(r.err, bulletin.ErrBadID) || !strings.Contains(r.err.Error(), bulletin.IDRule) {
				t.Errorf("editor %v %.20q: %v; want a non-zero exit naming the rule", cmd, id, r.err)
			}
		}
	}
	s, err := w.srv.Connect("check").JS.Stream(context.Background(), bus.StreamBulletins)
	if err != nil {
		t.Fatal(err)
	}
	if info, err := s.Info(context.Background()); err != nil || info.State.Msgs != 0 {
		t.Errorf("stream after bad ids: %+v, %v; want nothing on it", info.State, err)
	}
}

// The id is checked before anything is sent: no editor is needed to refuse it.
func TestABadIDIsRefusedWithoutAnEditor(t *testing.T) {
	var out, errOut bytes.Buffer
	env := cli.Env{Stdout: &out, Stderr: &errOut, Getenv: func(k string) string {
		return map[string]string{"EDITOR_URL": "http://127.0.0.1:1"}[k]
	}}
	if err := cli.Run(context.Background(), env, []string{"retract", "*"}); !errors.Is(err, bulletin.ErrBadID) {
		t.Errorf("retract '*': %v; want the id refused first", err)
	}
}
