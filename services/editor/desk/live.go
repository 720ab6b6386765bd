package desk

import (
	"time"

	"github.com/paeria/pregoner/services/editor/i18n"
	"github.com/paeria/pregoner/shared/bulletin"
)

// liveProblems are the checks of a live announcement that are the editor's own,
// beyond YouTube's field rules (shared/ytfields): without them a live block could be
// published and never reach YouTube. The YouTube worker only takes bulletins that
// name its channel, so a live block without it was dropped without a word; and a
// broadcast starting before its bulletin goes out was accepted here and refused by
// YouTube hours later, when nobody was watching. The problems carry their message
// key: Check puts them in words.
func liveProblems(b *bulletin.Bulletin, now time.Time) []Problem {
	if b == nil || b.Live == nil {
		return nil
	}
	var ps []Problem
	if !b.HasChannel(bulletin.YouTube) {
		ps = append(ps, Problem{Field: "channels", Msg: i18n.M("problem.liveNeedsYouTube")})
	}
	start := b.Live.Start
	switch {
	case !start.After(now):
		ps = append(ps, Problem{Field: "live: start", Msg: i18n.M("problem.livePast", when(start))})
	case b.PublishAt != nil && start.Before(*b.PublishAt):
		ps = append(ps, Problem{Field: "live: start", Msg: i18n.M("problem.liveBeforePublish", when(start), when(*b.PublishAt))})
	}
	return ps
}

// when writes t as staff read dates, in the offset it was given in: the form's times
// are typed in the council's zone, a file's carry their own.
func when(t time.Time) string { return i18n.Date(t, t.Location()) }
