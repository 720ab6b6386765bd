package audit

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// WarnAt is the share of the cap past which the log warns: time to archive the
// oldest events (or raise the stream's cap, with the admin key) before the cap drops
// them.
const WarnAt = 0.8

const (
	// checkEvery: the stream's size is read once every so many records, not on each.
	checkEvery = 100
	// warnEvery: once past WarnAt the warning repeats this often, not on every check.
	warnEvery = time.Hour
)

// usage watches the stream's size against its cap, both read from the stream.
type usage struct {
	log *slog.Logger

	mu       sync.Mutex
	records  int
	warnedAt time.Time
}

// due counts a record and says whether it is time to read the stream's size.
func (u *usage) due() bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.records++
	return u.records%checkEvery == 0
}

// Usage returns the stream's size in bytes and its cap (0: none). The cap is the
// stream's own, whoever set it (this editor, or a set-up run with the admin key).
func (l *Log) Usage(ctx context.Context) (size, limit int64, err error) {
	info, err := l.stream.Info(ctx)
	if err != nil {
		return 0, 0, err
	}
	return int64(info.State.Bytes), max(info.Config.MaxBytes, 0), nil
}

// checkUsage warns when the stream is past WarnAt of its cap. A failure to read the
// size is not the recorder's problem: the next check tries again.
func (l *Log) checkUsage(ctx context.Context) {
	size, limit, err := l.Usage(ctx)
	if err != nil || limit == 0 || float64(size) < WarnAt*float64(limit) {
		return
	}
	now := l.now()
	l.size.mu.Lock()
	quiet := !l.size.warnedAt.IsZero() && now.Sub(l.size.warnedAt) < warnEvery
	if !quiet {
		l.size.warnedAt = now
	}
	l.size.mu.Unlock()
	if quiet {
		return
	}
	l.size.log.Warn("audit stream near its cap: at the cap the oldest events are dropped; archive them (nats stream backup AUDIT) or raise the cap (nats stream edit AUDIT --max-bytes=..., admin key)",
		"stream", Stream, "bytes", size, "max_bytes", limit, "used_percent", int(100*float64(size)/float64(limit)))
}
