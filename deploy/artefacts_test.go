package deploy_test

import (
	"bytes"
	"crypto/tls"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/nats-io/nats-server/v2/server"
	"gopkg.in/yaml.v3"

	"github.com/paeria/pregoner/deploy/cmd/gen-certs/certs"
	"github.com/paeria/pregoner/deploy/creds"
	"github.com/paeria/pregoner/deploy/natscluster"
)

// serviceUsers are the services that run as their own NATS user in every deployment.
var serviceUsers = []string{creds.Editor, creds.Telegram, creds.YouTube, creds.Web}

// loadNATSConfig loads a configuration file the way nats-server -c does, from a copy of
// its directory with freshly generated credentials and certificates (in secrets/ and
// secrets/tls/), and the given environment, where {dir} stands for that copy.
func loadNATSConfig(t *testing.T, srcDir, file string, env map[string]string) *server.Options {
	t.Helper()
	dir := t.TempDir()
	for _, f := range []string{file, "accounts.conf"} {
		data, err := os.ReadFile(filepath.Join(srcDir, f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := creds.Generate(creds.Options{Dir: filepath.Join(dir, "secrets"), RouteHosts: creds.DefaultRouteHosts}); err != nil {
		t.Fatal(err)
	}
	if err := certs.Generate(certs.Options{Dir: filepath.Join(dir, "secrets", "tls"), Nodes: certs.DefaultNodes}); err != nil {
		t.Fatal(err)
	}
	for k, v := range env {
		t.Setenv(k, strings.ReplaceAll(v, "{dir}", dir))
	}
	opts, err := server.ProcessConfigFile(filepath.Join(dir, file))
	if err != nil {
		t.Fatalf("nats-server refuses %s: %v", file, err)
	}
	return opts
}

// TestEveryNATSConfigIsDurableAndClosed loads every node's configuration, and the
// Kubernetes one, with the real server's loader: JetStream fsyncs every write, the
// cluster's routes need a password, nobody signs in without a key, each service is a
// user of its own, clients speak TLS only, routes mutual TLS, and monitoring is on
// loopback only.
func TestEveryNATSConfigIsDurableAndClosed(t *testing.T) {
	// The Kubernetes pods get TLS_CA, TLS_CERT and TLS_KEY from the StatefulSet (nats.yaml);
	// the nodes define them in their included secrets/tls/nats-N.conf.
	env := map[string]string{"STATE_DIRECTORY": "/data", "POD_NAME": "nats-0",
		"TLS_CA": "{dir}/secrets/tls/ca.pem", "TLS_CERT": "{dir}/secrets/tls/nats-1.pem", "TLS_KEY": "{dir}/secrets/tls/nats-1-key.pem"}
	cases := []struct{ dir, file, name string }{
		{natscluster.ConfigDir(), "node-1.conf", "nats-1"},
		{natscluster.ConfigDir(), "node-2.conf", "nats-2"},
		{natscluster.ConfigDir(), "node-3.conf", "nats-3"},
		{"k8s", "nats.conf", "nats-0"},
	}
	for _, tc := range cases {
		t.Run(filepath.Base(tc.dir)+"/"+tc.file, func(t *testing.T) {
			o := loadNATSConfig(t, tc.dir, tc.file, env)
			switch {
			case o.ServerName != tc.name:
				t.Errorf("server_name = %q, want %q", o.ServerName, tc.name)
			case !o.JetStream || !o.SyncAlways || o.StoreDir != "/data":
				t.Errorf("jetstream = %v, sync always = %v, store %q; want fsync on every write in /data", o.JetStream, o.SyncAlways, o.StoreDir)
			case o.Cluster.Name != "pregoner" || len(o.Routes) != 3 || o.Cluster.Username != creds.RouteUser || o.Cluster.Password == "":
				t.Errorf("cluster %q with %d routes, route user %q: want pregoner, 3 routes, authenticated", o.Cluster.Name, len(o.Routes), o.Cluster.Username)
			case o.NoAuthUser != "" || len(o.Users) != 0:
				t.Errorf("anonymous or password users: no_auth_user %q, %d users", o.NoAuthUser, len(o.Users))
			case len(o.Nkeys) != len(creds.Users):
				t.Errorf("%d nkey users, want %d (one per service, admin, cli, sys)", len(o.Nkeys), len(creds.Users))
			case o.TLSConfig == nil || len(o.TLSConfig.Certificates) != 1:
				t.Errorf("client port without TLS")
			case o.Cluster.TLSConfig == nil || o.Cluster.TLSConfig.ClientAuth != tls.RequireAndVerifyClientCert || o.Cluster.TLSConfig.ClientCAs == nil:
				t.Errorf("routes without mutual TLS: %+v", o.Cluster.TLSConfig)
			case o.HTTPHost != "127.0.0.1" || o.HTTPPort == 0 || o.HTTPSPort != 0:
				t.Errorf("monitoring on %q:%d (https port %d), want 127.0.0.1 only", o.HTTPHost, o.HTTPPort, o.HTTPSPort)
			}
			for _, nk := range o.Nkeys {
				if nk.Account == nil || (nk.Account.Name != "PREGONER" && nk.Account.Name != "SYS") {
					t.Errorf("user %s in account %v", nk.Nkey, nk.Account)
				}
			}
		})
	}
}

func TestKubernetesUsesTheSamePermissions(t *testing.T) {
	want, err := os.ReadFile(filepath.Join(natscluster.ConfigDir(), "accounts.conf"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("k8s/accounts.conf")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("deploy/k8s/accounts.conf differs from deploy/nats/accounts.conf: cp deploy/nats/accounts.conf deploy/k8s/")
	}
}

type composeFile struct {
	Services map[string]struct {
		Command     []string          `yaml:"command"`
		Environment map[string]string `yaml:"environment"`
		Volumes     []string          `yaml:"volumes"`
		ReadOnly    bool              `yaml:"read_only"`
		CapDrop     []string          `yaml:"cap_drop"`
		Build       struct {
			Dockerfile string            `yaml:"dockerfile"`
			Args       map[string]string `yaml:"args"`
		} `yaml:"build"`
		Secrets []struct {
			Source string `yaml:"source"`
			Target string `yaml:"target"`
		} `yaml:"secrets"`
	} `yaml:"services"`
	Secrets map[string]struct {
		File string `yaml:"file"`
	} `yaml:"secrets"`
}

// TestComposeStartsTheClusterAndEveryServiceWithItsOwnUser reads the compose file.
func TestComposeStartsTheClusterAndEveryServiceWithItsOwnUser(t *testing.T) {
	data, err := os.ReadFile("compose/compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var f composeFile
	if err := yaml.Unmarshal(data, &f); err != nil {
		t.Fatalf("compose.yaml: %v", err)
	}
	for i := 1; i <= 3; i++ {
		name := fmt.Sprintf("nats-%d", i)
		s, ok := f.Services[name]
		if !ok {
			t.Fatalf("no service %s", name)
		}
		if !slices.Contains(s.Command, fmt.Sprintf("/etc/nats/node-%d.conf", i)) || s.Build.Args["PACKAGE"] != "github.com/nats-io/nats-server/v2" {
			t.Errorf("%s runs %v built from %q", name, s.Command, s.Build.Args["PACKAGE"])
		}
	}
	for _, user := range serviceUsers {
		s, ok := f.Services[user]
		if !ok {
			t.Errorf("no service %s", user)
			continue
		}
		if got := s.Environment["NATS_URL"]; strings.Count(got, "nats://nats-") != 3 {
			t.Errorf("%s NATS_URL = %q, want the three nodes", user, got)
		}
		if s.Environment["NATS_NKEY_SEED"] != "/run/secrets/nats.nk" || s.Environment["NATS_REPLICAS"] != "3" {
			t.Errorf("%s: NATS_NKEY_SEED %q, NATS_REPLICAS %q", user, s.Environment["NATS_NKEY_SEED"], s.Environment["NATS_REPLICAS"])
		}
		if len(s.Secrets) != 2+len(composeSecrets[user]) || s.Secrets[0].Target != "nats.nk" || f.Secrets[s.Secrets[0].Source].File != "../nats/secrets/"+user+".nk" {
			t.Errorf("%s signs in with %+v, want its own seed ../nats/secrets/%s.nk", user, s.Secrets, user)
		}
		for i, name := range composeSecrets[user] {
			if i+1 >= len(s.Secrets) || s.Secrets[i+1].Target != name || s.Environment["EDITOR_SECRET_KEY_FILE"] != "/run/secrets/"+name {
				t.Errorf("%s: secrets %+v, want also %s, named by EDITOR_SECRET_KEY_FILE", user, s.Secrets, name)
			}
		}
		last := s.Secrets[len(s.Secrets)-1]
		checkComposeCA(t, user, last.Target, f.Secrets[last.Source].File, s.Environment["NATS_CA_FILE"])
		if s.Build.Args["PACKAGE"] != "./services/"+user || s.Build.Dockerfile != "deploy/docker/Dockerfile" {
			t.Errorf("%s is built from %q with %q", user, s.Build.Args["PACKAGE"], s.Build.Dockerfile)
		}
		if !s.ReadOnly || !slices.Contains(s.CapDrop, "ALL") {
			t.Errorf("%s: read_only %v, cap_drop %v", user, s.ReadOnly, s.CapDrop)
		}
		for k, v := range s.Environment {
			if strings.Contains(k, "TOKEN") && !strings.HasSuffix(k, "_FILE") || strings.Contains(v, "SU") && len(v) > 50 {
				t.Errorf("%s has a secret in its environment: %s", user, k)
			}
		}
	}
	if f.Services["editor"].Command[0] != "serve" {
		t.Errorf("editor runs %v, want serve", f.Services["editor"].Command)
	}
	// The command line's tool signs in with its own key, never the editor's.
	cli := f.Services[creds.CLI]
	if len(cli.Secrets) != 2 || cli.Secrets[0].Target != "nats.nk" || f.Secrets[cli.Secrets[0].Source].File != "../nats/secrets/cli.nk" ||
		cli.Environment["NATS_NKEY_SEED"] != "/run/secrets/nats.nk" || cli.Environment["EDITOR_URL"] != "http://editor:8080" || !cli.ReadOnly {
		t.Errorf("cli: secrets %+v, environment %v; want its own seed ../nats/secrets/cli.nk and the editor's URL", cli.Secrets, cli.Environment)
	}
}

// k8sObject is the part of a Kubernetes object the test reads.
type k8sObject struct {
	Kind     string `yaml:"kind"`
	Metadata struct {
		Name string `yaml:"name"`
	} `yaml:"metadata"`
	Spec struct {
		Replicas int `yaml:"replicas"`
		Template struct {
			Spec podSpec `yaml:"spec"`
		} `yaml:"template"`
	} `yaml:"spec"`
}

type podSpec struct {
	AutomountServiceAccountToken *bool `yaml:"automountServiceAccountToken"`
	SecurityContext              struct {
		RunAsNonRoot bool `yaml:"runAsNonRoot"`
	} `yaml:"securityContext"`
	Affinity struct {
		PodAntiAffinity struct {
			Required []any `yaml:"requiredDuringSchedulingIgnoredDuringExecution"`
		} `yaml:"podAntiAffinity"`
	} `yaml:"affinity"`
	Containers []struct {
		Image string `yaml:"image"`
		Env   []struct {
			Name  string `yaml:"name"`
			Value string `yaml:"value"`
		} `yaml:"env"`
		VolumeMounts []struct {
			Name      string `yaml:"name"`
			MountPath string `yaml:"mountPath"`
		} `yaml:"volumeMounts"`
		StartupProbe    map[string]any `yaml:"startupProbe"`
		LivenessProbe   map[string]any `yaml:"livenessProbe"`
		ReadinessProbe  map[string]any `yaml:"readinessProbe"`
		SecurityContext struct {
			ReadOnlyRootFilesystem   bool `yaml:"readOnlyRootFilesystem"`
			AllowPrivilegeEscalation bool `yaml:"allowPrivilegeEscalation"`
		} `yaml:"securityContext"`
	} `yaml:"containers"`
	Volumes []struct {
		Name   string `yaml:"name"`
		Secret *struct {
			SecretName string `yaml:"secretName"`
		} `yaml:"secret"`
		Projected *struct {
			Sources []struct {
				Secret *struct {
					Name string `yaml:"name"`
				} `yaml:"secret"`
			} `yaml:"sources"`
		} `yaml:"projected"`
	} `yaml:"volumes"`
}

func readK8s(t *testing.T, file string) map[string]k8sObject {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("k8s", file))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]k8sObject{}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var o k8sObject
		if err := dec.Decode(&o); err != nil {
			if err.Error() == "EOF" {
				return out
			}
			t.Fatalf("%s: %v", file, err)
		}
		if o.Kind != "" {
			out[o.Kind+"/"+o.Metadata.Name] = o
		}
	}
}

// TestKubernetesRunsThreeNodesAndLockedDownServices reads the manifests.
// channelSecrets are the credentials a channel's pod mounts besides its bus key: there is
// no sandbox on the cluster, so the workers need the real ones.
// checkComposeCA: a compose service checks the cluster's TLS against the private CA.
func checkComposeCA(t *testing.T, user, target, file, env string) {
	t.Helper()
	if target != "nats-ca.pem" || file != "../nats/secrets/tls/ca.pem" || env != "/run/secrets/nats-ca.pem" {
		t.Errorf("%s: last secret %s from %s, NATS_CA_FILE %q; want the cluster's CA (../nats/secrets/tls/ca.pem)", user, target, file, env)
	}
}

// composeSecrets are the files a compose service gets besides its seed: the editor's
// keys that seal staff TOTP secrets (the channels' credentials come with
// compose.real-channels.yaml).
var composeSecrets = map[string][]string{"editor": {"editor-totp.key"}}

// The editor mounts the keys that seal staff TOTP secrets, which are never on the bus.
var channelSecrets = map[string][]string{"telegram": {"telegram-bot"}, "youtube": {"youtube-oauth"}, "editor": {"editor-secret-key"}}

func TestKubernetesRunsThreeNodesAndLockedDownServices(t *testing.T) {
	nats := readK8s(t, "nats.yaml")
	sts, ok := nats["StatefulSet/nats"]
	if !ok || sts.Spec.Replicas != 3 {
		t.Fatalf("no 3-node StatefulSet nats: %+v", sts.Spec)
	}
	ps := sts.Spec.Template.Spec
	if len(ps.Affinity.PodAntiAffinity.Required) == 0 {
		t.Error("nodes may share a machine: losing it would lose the quorum")
	}
	if _, ok := nats["PodDisruptionBudget/nats"]; !ok {
		t.Error("no PodDisruptionBudget: a drain could take two nodes")
	}
	checkPod(t, "nats", ps, "nats-auth", "nats-tls")
	checkNATSPodTLS(t, ps)
	svcs := readK8s(t, "services.yaml")
	for _, user := range serviceUsers {
		d, ok := svcs["Deployment/"+user]
		if !ok {
			t.Errorf("no Deployment %s", user)
			continue
		}
		checkPod(t, user, d.Spec.Template.Spec, append([]string{"nats-user-" + user}, channelSecrets[user]...)...)
		checkK8sCA(t, user, d.Spec.Template.Spec)
		var seed string
		for _, e := range d.Spec.Template.Spec.Containers[0].Env {
			if e.Name == "NATS_NKEY_SEED" {
				seed = e.Value
			}
		}
		if seed == "" {
			t.Errorf("%s: no NATS_NKEY_SEED", user)
		}
	}
	job, ok := readK8s(t, "setup.yaml")["Job/setup"]
	if !ok {
		t.Fatal("no Job setup")
	}
	checkPod(t, "setup", job.Spec.Template.Spec, "nats-user-admin")
	checkK8sCA(t, "setup", job.Spec.Template.Spec)
}

// TestKubernetesServicesConnectOverTLS: the ConfigMap's NATS_URL names the three pods by
// their headless-service names (those gen-certs must put in the certificates).
func TestKubernetesServicesConnectOverTLS(t *testing.T) {
	data, err := os.ReadFile("k8s/kustomization.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want := "NATS_URL=tls://nats-0.nats:4222,tls://nats-1.nats:4222,tls://nats-2.nats:4222"
	if !strings.Contains(string(data), want) {
		t.Errorf("kustomization.yaml lacks %s", want)
	}
}

// checkK8sCA: a pod that connects to the bus mounts the Secret nats-ca and names its
// ca.pem in NATS_CA_FILE, so that it refuses a server without TLS or another CA's.
func checkK8sCA(t *testing.T, name string, ps podSpec) {
	t.Helper()
	var vol string
	for _, v := range ps.Volumes {
		if v.Secret != nil && v.Secret.SecretName == "nats-ca" {
			vol = v.Name
		}
	}
	for _, c := range ps.Containers {
		var ca, mount string
		for _, e := range c.Env {
			if e.Name == "NATS_CA_FILE" {
				ca = e.Value
			}
		}
		for _, m := range c.VolumeMounts {
			if m.Name == vol {
				mount = m.MountPath
			}
		}
		if vol == "" || mount == "" || ca != mount+"/ca.pem" {
			t.Errorf("%s: NATS_CA_FILE %q, Secret nats-ca mounted at %q; want its ca.pem", name, ca, mount)
		}
	}
}

// checkNATSPodTLS: each pod reads its own certificate and key (TLS_CERT, TLS_KEY, from
// POD_NAME) from the Secret nats-tls, and every probe asks NATS's /healthz from inside
// the pod (natsprobe), since the monitoring port listens on the pod's loopback only.
func checkNATSPodTLS(t *testing.T, ps podSpec) {
	t.Helper()
	c := ps.Containers[0]
	env := map[string]string{}
	for _, e := range c.Env {
		env[e.Name] = e.Value
	}
	var mounted bool
	for _, m := range c.VolumeMounts {
		mounted = mounted || m.MountPath == "/etc/nats"
	}
	if !mounted || env["TLS_CA"] != "/etc/nats/tls/ca.pem" || env["TLS_CERT"] != "/etc/nats/tls/$(POD_NAME).pem" || env["TLS_KEY"] != "/etc/nats/tls/$(POD_NAME)-key.pem" {
		t.Errorf("nats: TLS_CA %q, TLS_CERT %q, TLS_KEY %q (config mounted at /etc/nats: %v); want the pod's own files in /etc/nats/tls",
			env["TLS_CA"], env["TLS_CERT"], env["TLS_KEY"], mounted)
	}
	for _, tc := range []struct {
		name  string
		probe map[string]any
		path  string
	}{
		{"startup", c.StartupProbe, "/healthz"},
		{"liveness", c.LivenessProbe, "/healthz?js-enabled-only=true"},
		{"readiness", c.ReadinessProbe, "/healthz?js-enabled-only=true"},
	} {
		exec, _ := tc.probe["exec"].(map[string]any)
		cmd := fmt.Sprint(exec["command"])
		if tc.probe == nil || tc.probe["httpGet"] != nil || tc.probe["tcpSocket"] != nil || cmd != "[/bin/natsprobe "+tc.path+"]" {
			t.Errorf("nats: %s probe %v; want exec /bin/natsprobe %s (the monitoring port is loopback-only)", tc.name, tc.probe, tc.path)
		}
	}
}

func checkPod(t *testing.T, name string, ps podSpec, want ...string) {
	t.Helper()
	if !ps.SecurityContext.RunAsNonRoot || ps.AutomountServiceAccountToken == nil || *ps.AutomountServiceAccountToken {
		t.Errorf("%s: runAsNonRoot %v, service account token mounted", name, ps.SecurityContext.RunAsNonRoot)
	}
	for _, c := range ps.Containers {
		if !c.SecurityContext.ReadOnlyRootFilesystem || c.SecurityContext.AllowPrivilegeEscalation {
			t.Errorf("%s: root filesystem writable or privilege escalation allowed", name)
		}
	}
	var secrets []string
	for _, v := range ps.Volumes {
		// nats-ca holds the cluster's CA certificate, public and the same for every pod
		// (checkK8sCA checks it); the list is of the pod's credentials.
		if v.Secret != nil && v.Secret.SecretName != "nats-ca" {
			secrets = append(secrets, v.Secret.SecretName)
		}
		if v.Projected != nil {
			for _, s := range v.Projected.Sources {
				if s.Secret != nil {
					secrets = append(secrets, s.Secret.Name)
				}
			}
		}
	}
	if !slices.Equal(secrets, want) {
		t.Errorf("%s mounts secrets %v, want only %v", name, secrets, want)
	}
}

// TestImagesAreStaticAndRunAsNonRoot reads the Dockerfile.
func TestImagesAreStaticAndRunAsNonRoot(t *testing.T) {
	data, err := os.ReadFile("docker/Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	df := string(data)
	for _, want := range []string{"CGO_ENABLED=0", "FROM gcr.io/distroless/static-debian12:nonroot", "USER 65532:65532", "-trimpath"} {
		if !strings.Contains(df, want) {
			t.Errorf("Dockerfile lacks %q", want)
		}
	}
	last := df[strings.LastIndex(df, "\nFROM "):]
	if strings.Contains(last, "RUN ") || strings.Contains(last, "USER root") {
		t.Error("the final stage runs commands or switches to root")
	}
}

// TestSystemdUnitsVerifyAndAreHardened runs systemd-analyze verify on each unit (with
// ExecStart pointed at a stand-in binary, since pregoner is not installed here) and
// checks the hardening every unit must keep.
func TestSystemdUnitsVerifyAndAreHardened(t *testing.T) {
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Fatal("systemd-analyze not found: apt-get install systemd")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "bin")
	if err := os.Mkdir(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"nats", "editor", "telegram", "youtube", "web"} {
		if err := os.WriteFile(filepath.Join(bin, "pregoner-"+name), []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	units := map[string]string{"pregoner-nats.service": "pregoner-nats.service"}
	for _, u := range serviceUsers {
		units["pregoner@"+u+".service"] = "pregoner@.service"
	}
	// The node's TLS files come with its drop-in (README.md); verify the unit with it.
	const nodeDropIn = "\n[Service]\nEnvironment=PREGONER_NATS_NODE=2\n" +
		"LoadCredential=nats-2.conf:/etc/pregoner/secrets/tls/nats-2.conf\n" +
		"LoadCredential=nats-2.pem:/etc/pregoner/secrets/tls/nats-2.pem\n" +
		"LoadCredential=nats-2-key.pem:/etc/pregoner/secrets/tls/nats-2-key.pem\n"
	readme, err := os.ReadFile("systemd/README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(nodeDropIn), "\n") {
		if !strings.Contains(string(readme), line) {
			t.Errorf("systemd/README.md's node drop-in lacks %q", line)
		}
	}
	for instance, file := range units {
		t.Run(instance, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("systemd", file))
			if err != nil {
				t.Fatal(err)
			}
			unit := string(data)
			// Every unit trusts the cluster's CA (it speaks TLS only).
			wantCA := "LoadCredential=nats-ca.pem:/etc/pregoner/secrets/tls/ca.pem\nEnvironment=NATS_CA_FILE=%d/nats-ca.pem\n"
			if file == "pregoner-nats.service" {
				wantCA = "LoadCredential=ca.pem:/etc/pregoner/secrets/tls/ca.pem\n"
				unit += nodeDropIn
			}
			if !strings.Contains(unit, wantCA) {
				t.Errorf("%s lacks %q", file, wantCA)
			}
			for _, want := range []string{"NoNewPrivileges=yes", "ProtectSystem=strict", "PrivateTmp=yes",
				"StateDirectory=", "LoadCredential=", "DynamicUser=yes", "CapabilityBoundingSet=\n"} {
				if !strings.Contains(unit, want) {
					t.Errorf("%s lacks %q", file, strings.TrimSpace(want))
				}
			}
			local := filepath.Join(dir, instance)
			if err := os.WriteFile(local, []byte(strings.ReplaceAll(unit, "/usr/local/bin/", bin+"/")), 0o644); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command(analyze, "verify", "--man=no", local).CombinedOutput()
			if err != nil || len(bytes.TrimSpace(out)) > 0 {
				t.Errorf("systemd-analyze verify %s: %v\n%s", instance, err, out)
			}
		})
	}
}
