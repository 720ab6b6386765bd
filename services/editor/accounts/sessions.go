package accounts

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// Session is one login, kept server-side; the browser holds only its random id.
type Session struct {
	User     string    `json:"user"`
	Created  time.Time `json:"created"`
	LastSeen time.Time `json:"last_seen"`
	// Pending is set while the login must still set up a second factor or a
	// password: such a session opens the setup step and nothing else.
	Pending Need `json:"pending,omitempty"`
}

// PendingMax bounds a pending session: the setup is a few minutes' work.
const PendingMax = 15 * time.Minute

// SessionPolicy bounds a session's life.
type SessionPolicy struct {
	// Idle: a session unused this long is over.
	Idle time.Duration
	// Max: a session is over this long after login, however busy.
	Max time.Duration
}

// ErrNoSession is returned for an unknown, expired or ended session.
var ErrNoSession = errors.New("not logged in, or the session has expired")

// touchEvery limits how often a busy session's LastSeen is written.
const touchEvery = time.Minute

func newSecret(prefix string) (secret, key string) {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	secret = prefix + base64.RawURLEncoding.EncodeToString(b)
	return secret, hashKey(secret)
}

func hashKey(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// CreateSession starts a session for user and returns its secret id (for the cookie).
// A login always gets a new id: an id from before the login is never promoted.
func (s *Store) CreateSession(ctx context.Context, user string) (string, error) {
	id, key := newSecret("")
	now := s.now().UTC()
	if err := putJSON(ctx, s.sessions, key, &Session{User: user, Created: now, LastSeen: now}, 0); err != nil {
		return "", fmt.Errorf("create session for %s: %w", user, err)
	}
	return id, nil
}

// CreatePendingSession starts the setup step of a login that must first do what need
// says, and returns its secret id (for the cookie). Session refuses it.
func (s *Store) CreatePendingSession(ctx context.Context, user string, need Need) (string, error) {
	id, key := newSecret("")
	now := s.now().UTC()
	if err := putJSON(ctx, s.sessions, key, &Session{User: user, Created: now, LastSeen: now, Pending: need}, 0); err != nil {
		return "", fmt.Errorf("create pending session for %s: %w", user, err)
	}
	return id, nil
}

// Session returns the live session of id and its account, refreshing its idle timer.
// An expired session is deleted and ErrNoSession returned; so is the session of an
// account that no longer exists. A pending session is not one.
func (s *Store) Session(ctx context.Context, id string, p SessionPolicy) (*Session, *User, error) {
	ses, rev, u, err := s.lookupSession(ctx, id, p)
	if err != nil {
		return nil, nil, err
	}
	if ses.Pending != "" {
		return nil, nil, ErrNoSession
	}
	now := s.now()
	if now.Sub(ses.LastSeen) > touchEvery {
		ses.LastSeen = now.UTC()
		_ = putJSON(ctx, s.sessions, hashKey(id), ses, rev) // a lost race means another request touched it
	}
	return ses, u, nil
}

// SessionAlive reports whether the session of id is still a live one, without
// refreshing its idle timer: a stream left open must not keep a session alive.
func (s *Store) SessionAlive(ctx context.Context, id string, p SessionPolicy) error {
	ses, _, _, err := s.lookupSession(ctx, id, p)
	if err != nil {
		return err
	}
	if ses.Pending != "" {
		return ErrNoSession
	}
	return nil
}

// PendingSession returns the pending session of id and its account, within
// PendingMax of its start; any other session is ErrNoSession.
func (s *Store) PendingSession(ctx context.Context, id string, p SessionPolicy) (*Session, *User, error) {
	p.Max = min(p.Max, PendingMax)
	ses, _, u, err := s.lookupSession(ctx, id, p)
	if err != nil {
		return nil, nil, err
	}
	if ses.Pending == "" {
		return nil, nil, ErrNoSession
	}
	return ses, u, nil
}

// lookupSession reads the session of id, deleting it when it has expired or its
// account is gone.
func (s *Store) lookupSession(ctx context.Context, id string, p SessionPolicy) (*Session, uint64, *User, error) {
	if id == "" || len(id) > 100 {
		return nil, 0, nil, ErrNoSession
	}
	key := hashKey(id)
	ses, rev, err := getJSON[Session](ctx, s.sessions, key)
	if errors.Is(err, ErrNotFound) {
		return nil, 0, nil, ErrNoSession
	}
	if err != nil {
		return nil, 0, nil, fmt.Errorf("session: %w", err)
	}
	now := s.now()
	if now.Sub(ses.LastSeen) > p.Idle || now.Sub(ses.Created) > p.Max {
		_ = s.sessions.Delete(ctx, key)
		return nil, 0, nil, ErrNoSession
	}
	u, err := s.User(ctx, ses.User)
	if errors.Is(err, ErrNotFound) {
		_ = s.sessions.Delete(ctx, key)
		return nil, 0, nil, ErrNoSession
	}
	if err != nil {
		return nil, 0, nil, err
	}
	return ses, rev, u, nil
}

// EndSession deletes the session of id (logout). Ending an unknown session is no error.
func (s *Store) EndSession(ctx context.Context, id string) error {
	if id == "" {
		return nil
	}
	if err := s.sessions.Delete(ctx, hashKey(id)); err != nil {
		return fmt.Errorf("end session: %w", err)
	}
	return nil
}

func (s *Store) endSessionsOf(ctx context.Context, user string) error {
	all, err := allJSON[Session](ctx, s.sessions)
	if err != nil {
		return fmt.Errorf("end sessions of %s: %w", user, err)
	}
	for _, k := range all {
		if k.val.User == user {
			if err := s.sessions.Delete(ctx, k.key); err != nil {
				return fmt.Errorf("end sessions of %s: %w", user, err)
			}
		}
	}
	return nil
}
