package audit

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// Filter picks events; an empty field picks any.
type Filter struct {
	// Actor is the account or token name, as the log has it ("anna", "token:importer").
	Actor string
	// Action is one of Actions().
	Action string
	// Bulletin is a bulletin id: its events, of every revision.
	Bulletin string
}

// Zero reports whether f picks every event.
func (f Filter) Zero() bool { return f == Filter{} }

func (f Filter) match(e Event) bool {
	return (f.Actor == "" || e.Actor == f.Actor) &&
		(f.Action == "" || e.Action == f.Action) &&
		(f.Bulletin == "" || e.Target == f.Bulletin || strings.HasPrefix(e.Target, f.Bulletin+"@"))
}

// Found is what Search returns.
type Found struct {
	// Events match, newest first.
	Events []Event
	// Searched is how many of the newest events were looked at; Complete says they were
	// all there are (else older matches may exist).
	Searched int
	Complete bool
}

const (
	// searchWindow is how many events Search reads at a time, newest window first.
	searchWindow = 2000
	// DefaultSearchLimit bounds the events one search reads, so a filter that matches
	// little cannot make the page read a gigabyte of log.
	DefaultSearchLimit = 100_000
)

// Search returns up to n newest events that f picks, reading at most limit of the
// newest events (0: DefaultSearchLimit). An action is read by its subject alone, so
// filtering by action is cheap however long the log.
func (l *Log) Search(ctx context.Context, f Filter, n, limit int) (Found, error) {
	if limit <= 0 {
		limit = DefaultSearchLimit
	}
	if f.Zero() {
		events, err := l.Recent(ctx, n) // reads n events, not a window
		return Found{Events: events, Searched: len(events), Complete: len(events) < n}, err
	}
	subj := ""
	if f.Action != "" {
		if !slices.Contains(Actions(), f.Action) {
			return Found{Complete: true}, nil // no such action: nothing to read (and no wildcard reaches a subject)
		}
		subj = subject + "." + f.Action
	}
	info, err := l.stream.Info(ctx)
	if err != nil {
		return Found{}, fmt.Errorf("audit: %w", err)
	}
	st := info.State
	var found Found
	if st.Msgs == 0 || n <= 0 {
		found.Complete = true
		return found, nil
	}
	end := st.LastSeq
	for {
		start := st.FirstSeq
		if end >= searchWindow && end-searchWindow+1 > start {
			start = end - searchWindow + 1
		}
		events, err := l.readRange(ctx, start, end, subj)
		if err != nil {
			return Found{}, err
		}
		for _, e := range slices.Backward(events) {
			if f.match(e) && len(found.Events) < n {
				found.Events = append(found.Events, e)
			}
		}
		found.Searched += int(end - start + 1)
		if start <= st.FirstSeq {
			found.Complete = true
			return found, nil
		}
		if len(found.Events) >= n || found.Searched >= limit {
			return found, nil
		}
		end = start - 1
	}
}
