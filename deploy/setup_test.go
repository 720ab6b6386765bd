package deploy_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestEveryDeploymentSetsTheBusUpWithTheAdminKeyFirst: the layout is the admin's, so
// compose, Kubernetes and systemd each run the one-shot set-up (deploy/cmd/setup) with
// the admin's seed, and no service's.
func TestEveryDeploymentSetsTheBusUpWithTheAdminKeyFirst(t *testing.T) {
	t.Run("compose", func(t *testing.T) {
		data, err := os.ReadFile("compose/compose.yaml")
		if err != nil {
			t.Fatal(err)
		}
		var f struct {
			Services map[string]struct {
				Build struct {
					Args map[string]string `yaml:"args"`
				} `yaml:"build"`
				Restart     string `yaml:"restart"`
				Environment map[string]string
				Secrets     []struct{ Source, Target string }
				DependsOn   map[string]struct {
					Condition string `yaml:"condition"`
				} `yaml:"depends_on"`
			} `yaml:"services"`
			Secrets map[string]struct{ File string } `yaml:"secrets"`
		}
		// depends_on of setup is a list; read the services' maps only.
		var raw map[string]any
		if err := yaml.Unmarshal(data, &raw); err != nil {
			t.Fatal(err)
		}
		delete(raw["services"].(map[string]any)["setup"].(map[string]any), "depends_on")
		data, _ = yaml.Marshal(raw)
		if err := yaml.Unmarshal(data, &f); err != nil {
			t.Fatal(err)
		}
		s, ok := f.Services["setup"]
		if !ok {
			t.Fatal("no service setup")
		}
		if s.Build.Args["PACKAGE"] != "./deploy/cmd/setup" || s.Restart != "no" || s.Environment["NATS_REPLICAS"] != "3" {
			t.Errorf("setup: built from %q, restart %q, NATS_REPLICAS %q", s.Build.Args["PACKAGE"], s.Restart, s.Environment["NATS_REPLICAS"])
		}
		if len(s.Secrets) != 2 || s.Secrets[0].Target != "nats.nk" || f.Secrets[s.Secrets[0].Source].File != "../nats/secrets/admin.nk" {
			t.Errorf("setup signs in with %+v, want the admin's seed", s.Secrets)
		}
		if len(s.Secrets) == 2 {
			checkComposeCA(t, "setup", s.Secrets[1].Target, f.Secrets[s.Secrets[1].Source].File, s.Environment["NATS_CA_FILE"])
		}
		for _, user := range serviceUsers {
			if c := f.Services[user].DependsOn["setup"].Condition; c != "service_completed_successfully" {
				t.Errorf("%s waits for setup: %q, want service_completed_successfully", user, c)
			}
			for _, sec := range f.Services[user].Secrets {
				if strings.Contains(f.Secrets[sec.Source].File, "admin") {
					t.Errorf("%s gets the admin's seed", user)
				}
			}
		}
	})

	t.Run("kubernetes", func(t *testing.T) {
		objs := readK8s(t, "setup.yaml")
		job, ok := objs["Job/setup"]
		if !ok {
			t.Fatal("no Job setup")
		}
		ps := job.Spec.Template.Spec
		checkPod(t, "setup", ps, "nats-user-admin")
		if len(ps.Containers) != 1 || ps.Containers[0].Image != "pregoner/setup" {
			t.Errorf("setup runs %+v, want image pregoner/setup", ps.Containers)
		}
		k, err := os.ReadFile("k8s/kustomization.yaml")
		if err != nil || !strings.Contains(string(k), "- setup.yaml") {
			t.Errorf("kustomization.yaml does not apply setup.yaml (%v)", err)
		}
		for name, o := range readK8s(t, "services.yaml") {
			for _, v := range o.Spec.Template.Spec.Volumes {
				if v.Secret != nil && v.Secret.SecretName == "nats-user-admin" {
					t.Errorf("%s mounts the admin's seed", name)
				}
			}
		}
	})

	t.Run("systemd", func(t *testing.T) {
		data, err := os.ReadFile("systemd/pregoner-setup.service")
		if err != nil {
			t.Fatal(err)
		}
		unit := string(data)
		for _, want := range []string{"Type=oneshot", "LoadCredential=nats.nk:/etc/pregoner/secrets/admin.nk",
			"Before=pregoner@editor.service", "NoNewPrivileges=yes", "ProtectSystem=strict", "DynamicUser=yes", "CapabilityBoundingSet=\n"} {
			if !strings.Contains(unit, want) {
				t.Errorf("pregoner-setup.service lacks %q", strings.TrimSpace(want))
			}
		}
		analyze, err := exec.LookPath("systemd-analyze")
		if err != nil {
			t.Fatal("systemd-analyze not found: apt-get install systemd")
		}
		dir := t.TempDir()
		bin := filepath.Join(dir, "pregoner-setup")
		if err := os.WriteFile(bin, []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
		local := filepath.Join(dir, "pregoner-setup.service")
		if err := os.WriteFile(local, []byte(strings.ReplaceAll(unit, "/usr/local/bin/", dir+"/")), 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(analyze, "verify", "--man=no", local).CombinedOutput()
		if err != nil || len(bytes.TrimSpace(out)) > 0 {
			t.Errorf("systemd-analyze verify pregoner-setup.service: %v\n%s", err, out)
		}
	})
}
