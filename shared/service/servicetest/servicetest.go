// Package servicetest holds the checks every service's tests make of its Spec, so the
// README's settings table and --help never drift from the table that loads the settings.
package servicetest

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/paeria/pregoner/shared/service"
)

// Markers around the settings table in a service's README.
const (
	Begin = "<!-- settings -->\n"
	End   = "<!-- /settings -->"
)

// CheckREADME fails t unless the README at path holds exactly spec's settings table
// between Begin and End. With update it rewrites the README instead (go test -update).
func CheckREADME(t testing.TB, path string, spec service.Spec, update bool) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	head, rest, ok := strings.Cut(string(data), Begin)
	got, tail, ok2 := strings.Cut(rest, End)
	if !ok || !ok2 {
		t.Fatalf("%s lacks the markers %q and %q around its settings table", path, strings.TrimSpace(Begin), End)
	}
	want := spec.Settings().Markdown()
	if got == want {
		return
	}
	if update {
		if err := os.WriteFile(path, []byte(head+Begin+want+End+tail), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("%s's settings table differs from Spec().Settings(); run the test with -update, or put this between the markers:\n%s", path, want)
}

// CheckHelp fails t unless --help lists every setting of spec, the process settings
// every service reads, and each of mention (e.g. what the service does).
func CheckHelp(t testing.TB, spec service.Spec, mention ...string) {
	t.Helper()
	var out strings.Builder
	if err := service.Help(&out, spec); err != nil {
		t.Fatal(err)
	}
	help := out.String()
	want := append([]string{"NATS_URL", "NATS_CREDS", "NATS_NKEY_SEED", "NATS_REPLICAS", "ADMIN_ADDR"}, mention...)
	for _, s := range spec.Settings() {
		want = append(want, s.Var)
		if s.File {
			want = append(want, s.Var+"_FILE")
		}
	}
	for _, v := range want {
		if !strings.Contains(help, v) {
			t.Errorf("--help does not mention %s:\n%s", v, help)
		}
	}
}

// runMainEnv tells a test binary started by CheckRefusesToStart to run main instead of
// its tests, so the service runs as a process of its own, exactly as it runs standalone.
const runMainEnv = "PREGONER_TEST_RUN_MAIN"

// RunMain is a service's TestMain: it runs main when CheckRefusesToStart started this
// binary, the tests otherwise.
func RunMain(m *testing.M, main func()) {
	if os.Getenv(runMainEnv) == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// CheckRefusesToStart runs this test binary as the service (see RunMain) with only env
// set, and fails t unless it exits 1 with output naming each of want.
func CheckRefusesToStart(t testing.TB, env []string, want ...string) {
	t.Helper()
	// A service that wrongly starts runs until the signal: stop it after a while.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0])
	cmd.Env = append([]string{runMainEnv + "=1"}, env...)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("exit: %v; want status 1. Output:\n%s", err, out)
	}
	for _, w := range want {
		if !strings.Contains(string(out), w) {
			t.Errorf("the refusal does not name %s:\n%s", w, out)
		}
	}
}
