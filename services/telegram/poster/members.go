package poster

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/nats-io/nats.go/jetstream"
)

// groupKey is the TELEGRAM_POSTS key listing the members of a group in TELEGRAM_LANG
// the worker has handled (bulletin ids never hold a dot, so it is no bulletin's key).
func groupKey(group string) string { return "group." + hex.EncodeToString([]byte(group)) }

// groupEntry is a hint: each id is checked against its latest revision when read, so
// an id whose bulletin left the group, the language or the channel is harmless.
type groupEntry struct {
	IDs []string `json:"ids"`
}

// members lists the ids recorded for group.
func (p *posts) members(ctx context.Context, group string) ([]string, error) {
	e, err := p.kv.Get(ctx, groupKey(group))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("telegram: read the members of group %s: %w", group, err)
	}
	var g groupEntry
	if err := json.Unmarshal(e.Value(), &g); err != nil {
		return nil, fmt.Errorf("telegram: decode the members of group %s: %w", group, err)
	}
	return g.IDs, nil
}

// addMember records id in group unless it is there; writes are conditional, so two
// workers adding to one group both land.
func (p *posts) addMember(ctx context.Context, group, id string) error {
	// Most groups are new: one write.
	first, err := json.Marshal(groupEntry{IDs: []string{id}})
	if err != nil {
		return fmt.Errorf("telegram: encode the members of group %s: %w", group, err)
	}
	if _, err := p.kv.Create(ctx, groupKey(group), first); err == nil {
		return nil
	} else if !errors.Is(err, jetstream.ErrKeyExists) {
		return fmt.Errorf("telegram: record the members of group %s: %w", group, err)
	}
	for range 5 {
		var g groupEntry
		var rev uint64
		e, err := p.kv.Get(ctx, groupKey(group))
		switch {
		case errors.Is(err, jetstream.ErrKeyNotFound):
		case err != nil:
			return fmt.Errorf("telegram: read the members of group %s: %w", group, err)
		default:
			if err := json.Unmarshal(e.Value(), &g); err != nil {
				return fmt.Errorf("telegram: decode the members of group %s: %w", group, err)
			}
			rev = e.Revision()
		}
		if slices.Contains(g.IDs, id) {
			return nil
		}
		g.IDs = append(g.IDs, id)
		data, err := json.Marshal(g)
		if err != nil {
			return fmt.Errorf("telegram: encode the members of group %s: %w", group, err)
		}
		if rev == 0 {
			_, err = p.kv.Create(ctx, groupKey(group), data)
		} else {
			_, err = p.kv.Update(ctx, groupKey(group), data, rev)
		}
		if errors.Is(err, jetstream.ErrKeyExists) || errors.Is(err, jetstream.ErrKeyRevisionMismatch) {
			continue
		}
		if err != nil {
			return fmt.Errorf("telegram: record the members of group %s: %w", group, err)
		}
		return nil
	}
	return fmt.Errorf("telegram: record the members of group %s: the entry kept changing", group)
}

// known remembers, in this process, the group members already recorded, so that a
// bulletin's edits cost no bucket read.
type known struct {
	mu  sync.Mutex
	set map[[2]string]bool
}

// note records id as a member of group in TELEGRAM_LANG once per process.
func (k *known) note(ctx context.Context, p *posts, group, id string) error {
	key := [2]string{group, id}
	k.mu.Lock()
	done := k.set[key]
	k.mu.Unlock()
	if done {
		return nil
	}
	if err := p.addMember(ctx, group, id); err != nil {
		return err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.set == nil {
		k.set = map[[2]string]bool{}
	}
	k.set[key] = true
	return nil
}
