package deploy_test

import (
	"context"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/paeria/pregoner/deploy/creds"
	"github.com/paeria/pregoner/shared/bus"
	"github.com/paeria/pregoner/shared/bus/bustest"
)

// TestTheCLIKeySignsInAndOnlyAsksTheEditor: the cluster knows the command line's key
// (gen-creds writes cli.nk; accounts.conf gives it bus.Grants' cli set). With it, a
// request reaches the editor, which answers on its own key to the command line's inbox
// (how "editor user add" asks for the first administrator); everything else the hub
// refuses the key, the cluster refuses too (bustest.CLIRefusals).
func TestTheCLIKeySignsInAndOnlyAsksTheEditor(t *testing.T) {
	c, _ := startCluster(t)
	editor := c.Connect(creds.Editor)
	sub, err := editor.NC.QueueSubscribe(bus.EditorRequests+".>", "editor", func(m *nats.Msg) {
		_ = m.Respond([]byte(`{"name":"anna"}`))
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sub.Unsubscribe() })
	if err := editor.NC.Flush(); err != nil {
		t.Fatal(err)
	}
	cli := c.Connect(creds.CLI)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	msg, err := cli.NC.RequestWithContext(ctx, bus.EditorFirstAdmin, []byte(`{"name":"anna"}`))
	if err != nil || string(msg.Data) != `{"name":"anna"}` {
		t.Fatalf("the command line's request to the editor: %v, %v", msg, err)
	}
	bustest.CheckRefusals(t, func(t *testing.T, user string) *bus.Conn { return c.Connect(user) }, bustest.CLIRefusals())
}
