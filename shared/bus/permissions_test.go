package bus

import (
	"slices"
	"strings"
	"testing"

	"github.com/nats-io/nats-server/v2/server"
)

func TestConnConfigUserNamesTheInbox(t *testing.T) {
	tests := []struct {
		cfg     ConnConfig
		want    string
		wantErr bool
	}{
		{cfg: ConnConfig{Name: "telegram"}, want: "telegram"},
		{cfg: ConnConfig{Name: "editor-cli"}, want: "editor"}, // the CLI signs in with the editor's key
		{cfg: ConnConfig{Name: "hub", User: UserAdmin}, want: UserAdmin},
		{cfg: ConnConfig{}, want: ""}, // nats.go's _INBOX, for servers without permissions
		{cfg: ConnConfig{User: "a.b"}, wantErr: true},
		{cfg: ConnConfig{Name: "web>"}, wantErr: true},
	}
	for _, tt := range tests {
		got, err := tt.cfg.user()
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("%+v: user %q, %v; want %q (error %v)", tt.cfg, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestEveryServiceSubscribesOnlyToItsOwnInbox(t *testing.T) {
	for _, user := range []string{UserEditor, UserTelegram, UserYouTube, UserWeb} {
		p, err := ServerPermissions(user)
		if err != nil {
			t.Fatalf("%s: %v", user, err)
		}
		if got := p.Subscribe.Allow; len(got) != 1 || got[0] != "_INBOX_"+user+".>" {
			t.Errorf("%s may subscribe to %v, want only its inbox", user, got)
		}
		for _, s := range p.Publish.Allow {
			if strings.HasPrefix(s, "#") || strings.Contains(s, "_INBOX") {
				t.Errorf("%s may publish to %q", user, s)
			}
		}
	}
	if p, err := ServerPermissions(UserAdmin); p != nil || err != nil {
		t.Errorf("admin: %+v, %v; want everything", p, err)
	}
	if _, err := ServerPermissions("hub"); err == nil {
		t.Error("an unknown user was given permissions")
	}
}

// TestNoServiceMaySetTheBusUp: no service user's allow list reaches a stream's create,
// update, purge or delete (the set-up is the admin's), and each denies them outright.
func TestNoServiceMaySetTheBusUp(t *testing.T) {
	for _, g := range Grants() {
		for _, op := range []string{"CREATE", "UPDATE", "DELETE", "PURGE"} {
			for _, p := range Layout(Topology{}) {
				subject := "$JS.API.STREAM." + op + "." + p.StreamName()
				for _, s := range g.Publish {
					if !strings.HasPrefix(s, "#") && server.SubjectsCollide(s, subject) {
						t.Errorf("%s may publish to %q, which allows %s", g.User, s, subject)
					}
				}
				if !slices.ContainsFunc(g.Deny, func(d string) bool { return server.SubjectsCollide(d, subject) }) {
					t.Errorf("%s does not deny %s", g.User, subject)
				}
			}
		}
	}
}
