package staff

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/paeria/pregoner/services/editor/accounts"
	"github.com/paeria/pregoner/services/editor/audit"
	"github.com/paeria/pregoner/shared/bus"
)

// CLIActor is who the audit log names for a request of the command line's bus key
// (bus.UserCLI): the editor cannot tie that key to a person. The OS user the command
// line sends goes in the detail, marked unverified.
const CLIActor = "(cli key)"

// FirstAdminRequest is what "editor user add NAME --role admin" sends on
// bus.EditorFirstAdmin. The password travels to the editor as the web login's does;
// the editor makes the TOTP secret and answers it once.
type FirstAdminRequest struct {
	Name     string `json:"name"`
	Password string `json:"password"`
	// OSUser is the login name at the terminal: context for the audit log, no proof.
	OSUser string `json:"os_user,omitempty"`
}

// CLIAnswer is the editor's answer to a request of the command line's.
type CLIAnswer struct {
	Name string `json:"name,omitempty"`
	// URI is the new account's TOTP provisioning URI (with its secret): shown once.
	URI   string `json:"uri,omitempty"`
	Error string `json:"error,omitempty"`
}

// ErrAccountsExist refuses a first administrator when the editor has an account.
var ErrAccountsExist = errors.New("the editor has accounts already: an administrator adds accounts in the web UI (Accounts)")

// cliRequestTimeout bounds one answer (bcrypt and a few bucket writes).
const cliRequestTimeout = 30 * time.Second

// AnswerCLI answers the command line's requests on bus.EditorRequests until ctx ends:
// the first administrator while there is no account, and nothing else (every other
// change goes through the API with a login token). Replicas share the requests (a
// queue group); one replica answers them one at a time. It answers only to the command
// line's inbox: the editor's response permission would let it publish to whatever
// reply subject a request names, and a request must not choose where the editor writes.
func (s *Service) AnswerCLI(ctx context.Context, nc *nats.Conn) error {
	sub, err := nc.QueueSubscribe(bus.EditorRequests+".>", "editor", func(m *nats.Msg) {
		if !strings.HasPrefix(m.Reply, bus.InboxPrefix(bus.UserCLI)+".") {
			s.log.Warn("command line request without the command line's reply inbox: not answered", "subject", m.Subject, "reply", m.Reply)
			return
		}
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cliRequestTimeout)
		defer cancel()
		var ans CLIAnswer
		switch m.Subject {
		case bus.EditorFirstAdmin:
			ans = s.firstAdmin(rctx, m.Data)
		default:
			ans.Error = "the editor answers the command line on the bus only for the first administrator; everything else goes to its API with a login token (editor login NAME)"
		}
		data, _ := json.Marshal(ans)
		if err := m.Respond(data); err != nil {
			s.log.Warn("could not answer the command line", "subject", m.Subject, "err", err)
		}
	})
	if err != nil {
		return fmt.Errorf("editor: answer the command line: %w", err)
	}
	<-ctx.Done()
	_ = sub.Unsubscribe()
	return nil
}

// firstAdmin adds the first administrator, while there is no account at all, and
// records the attempt whatever its outcome.
func (s *Service) firstAdmin(ctx context.Context, data []byte) CLIAnswer {
	var req FirstAdminRequest
	if err := json.Unmarshal(data, &req); err != nil {
		return CLIAnswer{Error: "not a first-administrator request: " + err.Error()}
	}
	name := strings.ToLower(strings.TrimSpace(req.Name))
	na, err := s.addFirstAdmin(ctx, name, req.Password)
	detail := "first administrator"
	if req.OSUser != "" {
		detail += "; OS user " + req.OSUser + " (not verified)"
	}
	if err != nil {
		detail += "; " + err.Error()
	}
	if aerr := s.Audit.Record(ctx, audit.Event{Actor: CLIActor, Via: "cli", Action: audit.UserAdd, Target: name, OK: err == nil, Detail: detail}); aerr != nil {
		s.log.Warn("could not write the audit log", "err", aerr)
	}
	if err != nil {
		return CLIAnswer{Name: name, Error: err.Error()}
	}
	s.log.Info("first administrator added from the command line", "name", name)
	return CLIAnswer{Name: name, URI: na.URI}
}

func (s *Service) addFirstAdmin(ctx context.Context, name, password string) (*accounts.NewAccount, error) {
	s.cliMu.Lock()
	defer s.cliMu.Unlock()
	users, err := s.Accounts.Users(ctx)
	if err != nil {
		return nil, err
	}
	if len(users) > 0 {
		return nil, ErrAccountsExist
	}
	na, err := s.Accounts.AddFirstAdmin(ctx, name, password, CLIActor)
	if errors.Is(err, accounts.ErrHasAccounts) {
		return nil, ErrAccountsExist // the browser's first-run link, or another replica, was first
	}
	return na, err
}
