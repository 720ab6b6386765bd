package desk

import (
	"context"
	"log/slog"
	"strings"

	"github.com/paeria/pregoner/services/editor/accounts"
	"github.com/paeria/pregoner/services/editor/audit"
)

// Members manages staff accounts and API tokens: the one code path behind the UI's
// Accounts page and the API's /api/users and /api/tokens, so that both check the
// administrator's role, refuse the same self-harm and write the same audit events.
type Members struct {
	acc   *accounts.Store
	audit *audit.Log
	log   *slog.Logger
}

// NewMembers returns account management on acc, audited in al; a failed audit write
// goes to log.
func NewMembers(acc *accounts.Store, al *audit.Log, log *slog.Logger) *Members {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Members{acc: acc, audit: al, log: log}
}

// Admin is who manages accounts: the actor and the account behind it (a session's
// member, a login token's member, an automation token's owner), which may not remove,
// demote or reset itself.
type Admin struct {
	Actor
	Account string
}

// SelfError refuses an administrator's act on her own account: the last administrator
// could leave nobody to undo it. Key names the words in the catalogue, Text is the
// English the audit log and the API keep.
type SelfError struct{ Key, Text string }

func (e *SelfError) Error() string { return e.Text }

// Allow checks that a may manage accounts; a refusal is audited (Denied, with what was
// tried) and returned as a *ForbiddenError.
func (m *Members) Allow(ctx context.Context, a Admin, action string) error {
	if a.Role.Allows(accounts.Admin) {
		return nil
	}
	m.record(ctx, a, audit.Denied, "", action, nil)
	return &ForbiddenError{Action: action, Need: accounts.Admin}
}

func (m *Members) record(ctx context.Context, a Admin, action, target, detail string, err error) {
	e := audit.Event{Actor: a.Name, Via: a.Via, Action: action, Target: target, OK: err == nil, Detail: detail, Remote: a.Remote}
	if action == audit.Denied {
		e.OK = false
	}
	if err != nil {
		e.Detail = strings.TrimPrefix(detail+"; "+err.Error(), "; ")
	}
	if err := m.audit.Record(ctx, e); err != nil {
		m.log.Error("audit log write failed", "action", action, "err", err)
	}
}

// do runs one audited change after the role check.
func (m *Members) do(ctx context.Context, a Admin, what, action, target string, change func() error) error {
	if err := m.Allow(ctx, a, what); err != nil {
		return err
	}
	err := change()
	m.record(ctx, a, action, target, "", err)
	return err
}

// Users lists the accounts.
func (m *Members) Users(ctx context.Context, a Admin) ([]*accounts.User, error) {
	if err := m.Allow(ctx, a, "manage accounts"); err != nil {
		return nil, err
	}
	return m.acc.Users(ctx)
}

// Tokens lists the API tokens.
func (m *Members) Tokens(ctx context.Context, a Admin) ([]*accounts.Token, error) {
	if err := m.Allow(ctx, a, "manage accounts"); err != nil {
		return nil, err
	}
	return m.acc.Tokens(ctx)
}

// Add creates an account with its first password and returns its TOTP provisioning.
func (m *Members) Add(ctx context.Context, a Admin, name string, role accounts.Role, password string) (*accounts.NewAccount, error) {
	var na *accounts.NewAccount
	err := m.do(ctx, a, "add an account", audit.UserAdd, name, func() (err error) {
		na, err = m.acc.AddUser(ctx, name, role, password, a.Name)
		return err
	})
	return na, err
}

// Remove removes an account, its sessions and its tokens.
func (m *Members) Remove(ctx context.Context, a Admin, name string) error {
	return m.do(ctx, a, "remove an account", audit.UserRemove, name, func() error {
		if name == a.Account {
			return &SelfError{"admin.selfRemove", "you cannot remove your own account; ask another administrator"}
		}
		return m.acc.RemoveUser(ctx, name)
	})
}

// Unlock forgets an account's failed logins.
func (m *Members) Unlock(ctx context.Context, a Admin, name string) error {
	return m.do(ctx, a, "unlock an account", audit.UserUnlock, name, func() error { return m.acc.Unlock(ctx, name) })
}

// SetRole changes an account's role and returns the one it had. The detail of the
// audit event says from which to which.
func (m *Members) SetRole(ctx context.Context, a Admin, name string, role accounts.Role) (accounts.Role, error) {
	if err := m.Allow(ctx, a, "change a role"); err != nil {
		return "", err
	}
	var was accounts.Role
	var err error
	if name == a.Account {
		// Else the last administrator could demote herself and leave nobody to undo it.
		err = &SelfError{"admin.selfRole", "you cannot change your own role; ask another administrator"}
	} else {
		was, err = m.acc.SetRole(ctx, name, role)
	}
	detail := string(was) + " → " + string(role)
	if err != nil {
		detail = ""
	}
	m.record(ctx, a, audit.UserRole, name, detail, err)
	return was, err
}

// ResetTOTP drops an account's second factor; her next login sets up a new one. An
// administrator may not reset her own: whoever holds her session, with her password,
// could enrol a phone of theirs.
func (m *Members) ResetTOTP(ctx context.Context, a Admin, name string) error {
	return m.do(ctx, a, "reset a second factor", audit.UserTOTPReset, name, func() error {
		if name == a.Account {
			return &SelfError{"admin.selfTOTP", "you cannot reset your own second factor; ask another administrator"}
		}
		return m.acc.ResetTOTP(ctx, name)
	})
}

// ForcePassword makes an account's next login choose a new password; an administrator
// may ask it of herself.
func (m *Members) ForcePassword(ctx context.Context, a Admin, name string) error {
	return m.do(ctx, a, "force a password change", audit.UserPasswordForce, name, func() error {
		return m.acc.ForcePasswordChange(ctx, name)
	})
}

// CreateToken makes an automation token and returns its secret, shown once.
func (m *Members) CreateToken(ctx context.Context, a Admin, nt accounts.NewToken) (string, *accounts.Token, error) {
	var secret string
	var t *accounts.Token
	nt.By = a.Name
	err := m.do(ctx, a, "create an API token", audit.TokenCreate, nt.Name, func() (err error) {
		secret, t, err = m.acc.CreateToken(ctx, nt)
		return err
	})
	return secret, t, err
}

// RevokeToken ends an automation token.
func (m *Members) RevokeToken(ctx context.Context, a Admin, name string) error {
	return m.do(ctx, a, "revoke an API token", audit.TokenRevoke, name, func() error { return m.acc.RevokeToken(ctx, name) })
}

// RotateKey seals every account with a new key in the editor's key file (see
// accounts.Store.RotateKey) and returns the old keys' ids, the new one's and how many
// accounts it sealed again.
func (m *Members) RotateKey(ctx context.Context, a Admin) (accounts.Rotation, error) {
	if err := m.Allow(ctx, a, "rotate the TOTP key"); err != nil {
		return accounts.Rotation{}, err
	}
	rot, err := m.acc.RotateKey(ctx)
	m.record(ctx, a, audit.KeyRotate, rot.File, rot.Detail(), err)
	return rot, err
}

// Refused records a change refused before it reached the accounts (a form's bad
// lifetime, say), as a failed event of action.
func (m *Members) Refused(ctx context.Context, a Admin, action, target string, err error) {
	m.record(ctx, a, action, target, "", err)
}
