package deploy_test

import (
	"os"
	"testing"

	"github.com/paeria/pregoner/deploy/natscluster"
)

// TestMain lets this test binary double as a NATS node for the tests that crash nodes
// (natscluster.StartProcesses runs it with the node's spec in its environment).
func TestMain(m *testing.M) {
	if natscluster.ServeNodeFromEnv() {
		return
	}
	os.Exit(m.Run())
}
