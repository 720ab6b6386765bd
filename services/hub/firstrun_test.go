package main

import (
	"regexp"
	"testing"
	"time"

	"github.com/paeria/pregoner/shared/natstest"
	"github.com/paeria/pregoner/shared/testenv"
)

// A fresh hub says where to create the first administrator: the editor's one-time link,
// on the editor's own address.
func TestHubLogsTheFirstRunLink(t *testing.T) {
	dir, addr := t.TempDir(), freePort(t)
	logs := &testenv.Logs{}
	startHub(t, dir, addr, logs)
	link := regexp.MustCompile(`first run: open http://127\.0\.0\.1:\d+/first-run/[A-Za-z0-9_-]{43} to create the first administrator`)
	natstest.WaitFor(t, 60*time.Second, "the first-run link in the hub's log", func() bool { return link.MatchString(logs.String()) })
}
