package deploy_test

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/paeria/pregoner/deploy/creds"
	"github.com/paeria/pregoner/shared/bus"
	"github.com/paeria/pregoner/shared/natstest"
	"github.com/paeria/pregoner/shared/schedule"
)

// TestScheduledBulletinGoesOutOnceFromTwoEditorsOnTheCluster runs the editor the way
// deploy/ does — the `editor serve` binary, twice (two replicas), each with the editor's
// own key and the settings of deploy/systemd/editor.env.example, and no hub — and
// checks that a bulletin scheduled for a few seconds ahead is published on time, once.
// editorReplicas run at once, as deploy/ runs them.
const editorReplicas = 2

func TestScheduledBulletinGoesOutOnceFromTwoEditorsOnTheCluster(t *testing.T) {
	c, admin := startCluster(t)
	bin := buildEditor(t)
	var addrs []string
	for i := range editorReplicas {
		addrs = append(addrs, startEditor(t, bin, c.ConnConfig(creds.Editor), i))
	}
	for _, a := range addrs {
		natstest.WaitFor(t, time.Minute, "the editor at "+a+" to answer", func() bool {
			resp, err := http.Get("http://" + a + "/login")
			if err == nil {
				resp.Body.Close()
			}
			return err == nil && resp.StatusCode == http.StatusOK
		})
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	editor := c.Connect(creds.Editor)
	store, err := schedule.NewStore(ctx, editor.JS)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Now().Add(4 * time.Second)
	if err := store.Put(ctx, schedule.Entry{Bulletin: sampleBulletin("toc-de-queda"), At: at, Author: "comunicacio"}); err != nil {
		t.Fatalf("schedule: %v", err)
	}
	pub, err := bus.NewBulletins(ctx, admin.JS)
	if err != nil {
		t.Fatal(err)
	}
	natstest.WaitFor(t, time.Minute, "the scheduled bulletin to go out", func() bool {
		_, _, err := pub.Latest(ctx, "toc-de-queda")
		return err == nil
	})
	time.Sleep(3 * time.Second) // a second runner that would publish it again has had its chance
	hist, err := pub.History(ctx, "toc-de-queda")
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != 1 {
		t.Fatalf("published %d times, want once: %+v", len(hist), hist)
	}
	if went := hist[0].At; went.Before(at) || went.After(at.Add(5*time.Second)) {
		t.Errorf("went out at %s, scheduled for %s", went.Format(time.StampMilli), at.Format(time.StampMilli))
	}
	if _, err := store.Get(ctx, "toc-de-queda"); !errors.Is(err, schedule.ErrNotFound) {
		t.Errorf("the schedule is still there after going out: %v", err)
	}
}

// buildEditor builds the editor's binary from the workspace, as the images do.
func buildEditor(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "editor")
	cmd := exec.Command("go", "build", "-o", bin, "./services/editor")
	cmd.Dir = ".."
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./services/editor: %v\n%s", err, out)
	}
	return bin
}

// startEditor runs `editor serve` with deploy/systemd/editor.env.example's settings
// pointed at the test cluster (its URL, the editor's seed, the cluster's CA), until the test ends, and returns its EDITOR_ADDR.
func startEditor(t *testing.T, bin string, conn bus.ConnConfig, i int) string {
	t.Helper()
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
	var addr string
	for line := range strings.Lines(readFile(t, "systemd/editor.env.example")) {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "PREGONER_ARGS=") {
			continue
		}
		k, _, _ := strings.Cut(line, "=")
		switch k {
		case "NATS_URL":
			line = "NATS_URL=" + conn.URL
		case "ADMIN_ADDR":
			line = k + "=" + freeAddr(t)
		case "EDITOR_ADDR":
			addr = freeAddr(t)
			line = k + "=" + addr
		}
		env = append(env, line)
	}
	env = append(env, "NATS_NKEY_SEED="+conn.NkeySeedFile, "NATS_CA_FILE="+conn.CAFile, "EDITOR_SECRET_KEY_FILE="+secretKeyFile(t))
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, "serve")
	cmd.Env = env
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 15 * time.Second
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("editor %d: %v", i, err)
	}
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			t.Logf("editor %d: %s", i, sc.Text())
		}
	}()
	t.Cleanup(func() { cancel(); _ = cmd.Wait() })
	return addr
}

// secretKeyFile writes a key that seals the editor's TOTP secrets, as `editor keys
// init` does for a deployment: 32 random bytes in base64, mode 0600.
func secretKeyFile(t *testing.T) string {
	t.Helper()
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	f := filepath.Join(t.TempDir(), "editor-totp.key")
	if err := os.WriteFile(f, []byte(base64.StdEncoding.EncodeToString(key)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return f
}

func readFile(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}
