package cli_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/paeria/pregoner/services/editor/cli"
	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/bus"
)

// `editor retract '*'` and friends fail with the rule, and publish nothing.
func TestABadIDArgumentIsRefusedBeforeTheBus(t *testing.T) {
	srv, _, _ := setup(t)
	conn := srv.Connect("check")
	commands := [][]string{{"status"}, {"retract"}, {"retry", "", "telegram"}}
	for _, cmd := range commands {
		for _, id := range []string{"*", ">", "a.b", "../x", "", strings.Repeat("a", 300), "confinamént"} {
			args := append([]string{cmd[0], id}, cmd[min(2, len(cmd)):]...)
			r := editor(t, srv, args...)
			if r.err == nil || errors.Is(r.err, cli.ErrUsage) || !errors.Is(r.err, bulletin.ErrBadID) || !strings.Contains(r.err.Error(), bulletin.IDRule) {
				t.Errorf("editor %s %.20q: %v; want a non-zero exit naming the rule", cmd[0], id, r.err)
			}
		}
	}
	s, err := conn.JS.Stream(context.Background(), bus.StreamBulletins)
	if err != nil {
		t.Fatal(err)
	}
	if info, err := s.Info(context.Background()); err != nil || info.State.Msgs != 0 {
		t.Errorf("stream after bad ids: %+v, %v; want nothing on it", info.State, err)
	}
}

// The id is checked before connecting: no server, and no API, is needed to refuse it.
func TestABadIDIsRefusedWithoutAServer(t *testing.T) {
	for _, extra := range [][]string{nil, {"--api", "http://127.0.0.1:1"}} {
		var out, errOut bytes.Buffer
		env := cli.Env{Stdout: &out, Stderr: &errOut, NATSURL: "nats://127.0.0.1:1", APIToken: "t"}
		err := cli.Run(context.Background(), env, append([]string{"retract", "*"}, extra...))
		if !errors.Is(err, bulletin.ErrBadID) {
			t.Errorf("retract '*' %v: %v; want the id refused first", extra, err)
		}
	}
}
