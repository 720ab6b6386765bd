package accounts

import "context"

// PeekSession returns the account of the live session id without refreshing its idle
// timer: the editor's pages re-read themselves when the bus changes, and an open tab
// must not keep a session alive that way (see SessionAlive).
func (s *Store) PeekSession(ctx context.Context, id string, p SessionPolicy) (*User, error) {
	ses, _, u, err := s.lookupSession(ctx, id, p)
	if err != nil {
		return nil, err
	}
	if ses.Pending != "" {
		return nil, ErrNoSession
	}
	return u, nil
}
