package desk

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"strings"

	"github.com/paeria/pregoner/services/editor/i18n"
	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/bus"
	"github.com/paeria/pregoner/shared/ytfields"
)

// Intent says what the member means by publishing, so a mistake is caught instead of
// overwriting someone's bulletin.
type Intent struct {
	// New: this is a new bulletin; refuse an id that is already published.
	New bool
	// BaseRev: the member edited revision BaseRev; refuse if it is no longer the latest.
	// 0 skips the check (the CLI and API without it).
	BaseRev int
	// File is the name of the file the bulletin came from, when it came from one: its
	// stem is the id when the front matter gives none. Empty means "bulletin.md".
	File string
	// DraftOf names whose draft of the bulletin is being published, when one is: the
	// draft is done once published, and the revision names her as its writer.
	DraftOf string
}

// Check parses src and applies every rule a publish applies: the bulletin format, the
// YouTube rules for a live block, and the intent against what is on the bus. It
// returns the bulletin when there is no problem.
func (d *Desk) Check(ctx context.Context, src []byte, in Intent) (*bulletin.Bulletin, []Problem, error) {
	file := in.File
	if file == "" {
		file = "bulletin.md"
	}
	b, err := bulletin.Parse(file, src, bulletin.Options{})
	if err != nil {
		fes := bulletin.AsErrors(err)
		if fes == nil {
			return nil, nil, err
		}
		return nil, problems(fes), nil
	}
	now := d.now()
	ps := liveProblems(b, now)
	for _, err := range ytfields.CheckBulletin(b, now) {
		p := problemOf(err)
		if p.Field == "live: start" && hasField(ps, p.Field) {
			continue // the same start already refused, in staff's words
		}
		ps = append(ps, p)
	}
	d.putInWords(ps)
	latest, _, err := d.pub.Latest(ctx, b.ID)
	switch {
	case errors.Is(err, bus.ErrNotFound):
		if in.BaseRev > 0 {
			ps = append(ps, Problem{Field: "id", Message: fmt.Sprintf("%q is not published; did you change the id of the bulletin you were editing?", b.ID)})
		}
	case err != nil:
		return nil, nil, err
	case in.New && latest.Action != bulletin.Retract:
		ps = append(ps, Problem{Field: "id", Message: fmt.Sprintf("%q is already published (revision %d, %q); choose another id, or open that bulletin to edit it", b.ID, latest.Rev, latest.Bulletin.Title)})
	case in.BaseRev > 0 && latest.Rev != in.BaseRev:
		return nil, nil, &ConflictError{Latest: latest}
	}
	if in.New && d.sched != nil {
		if e, err := d.sched.Get(ctx, b.ID); err == nil {
			ps = append(ps, Problem{Field: "id", Message: fmt.Sprintf("%q is already scheduled for %s (%q); choose another id, or open that bulletin to change its schedule", b.ID, e.At.Format(bulletin.TimeLayout), e.Bulletin.Title)})
		}
	}
	if len(ps) > 0 {
		return nil, ps, nil
	}
	return b, nil, nil
}

func hasField(ps []Problem, field string) bool {
	for _, p := range ps {
		if p.Field == field {
			return true
		}
	}
	return false
}

// putInWords fills in the English Message of the problems that carry a message key.
func (d *Desk) putInWords(ps []Problem) {
	for i := range ps {
		if ps[i].Message == "" && !ps[i].Msg.IsZero() {
			ps[i].Message = d.words.Msg(i18n.English, ps[i].Msg)
		}
	}
}

func problems(fes bulletin.Errors) []Problem {
	out := make([]Problem, len(fes))
	for i, fe := range fes {
		out[i] = Problem{Field: fe.Field, Line: fe.Line, Message: fe.Msg}
	}
	return out
}

func problemOf(err error) Problem {
	if fes := bulletin.AsErrors(err); len(fes) == 1 {
		return Problem{Field: fes[0].Field, Message: fes[0].Msg}
	}
	return Problem{Message: err.Error()}
}

// Preview is what the bulletin will look like on each channel.
type Preview struct {
	Problems []Problem `json:"problems"`
	// Web is the public page's HTML of the body (sanitised by shared/markdown).
	Web template.HTML `json:"web"`
	// Telegram is the post as it will be sent: one Telegram-HTML text per message.
	Telegram []template.HTML `json:"telegram"`
	// YouTube is the broadcast title, when the bulletin has a live block.
	YouTube string `json:"youtube,omitempty"`
	// SuggestedID is the id the title suggests, given when a new bulletin has none:
	// the preview and its checks use it, and the form fills it in, editable.
	SuggestedID string `json:"suggested_id,omitempty"`
}

// Preview checks f as a publish would and renders it for every channel. The previews
// are made even when there are problems, from the fields as typed. A new bulletin
// without an id is previewed under the id its title suggests (see SuggestID).
func (d *Desk) Preview(ctx context.Context, f Fields, in Intent) (*Preview, error) {
	var suggested string
	if in.New && strings.TrimSpace(f.ID) == "" && strings.TrimSpace(f.Title) != "" {
		id, err := d.SuggestID(ctx, f.Title)
		if err != nil {
			return nil, fmt.Errorf("preview: %w", err)
		}
		suggested, f.ID = id, id
	}
	b, ps, err := d.Check(ctx, f.Source(), in)
	var conflict *ConflictError
	if errors.As(err, &conflict) {
		ps, err = append(ps, Problem{Message: conflict.Error()}), nil
	}
	if err != nil {
		return nil, err
	}
	if b == nil {
		b = &bulletin.Bulletin{ID: strings.TrimSpace(f.ID), Title: f.Title, Lang: f.Lang, Body: strings.TrimSpace(f.Body)}
	}
	p := &Preview{Problems: ps, SuggestedID: suggested}
	web, err := d.md.HTML([]byte(b.Body))
	if err != nil {
		return nil, fmt.Errorf("preview: %w", err)
	}
	p.Web = template.HTML(web) // sanitised: raw HTML is kept as text, unsafe links unwrapped
	// As sent: with a photo, part 1 is its caption (1,024 units).
	for _, m := range d.tg.Post(b, d.Permalink(b.ID), "").Parts {
		p.Telegram = append(p.Telegram, template.HTML(m)) // Telegram's HTML subset, escaped by tghtml
	}
	switch {
	case b.Live != nil:
		p.YouTube = b.Live.Title
	case strings.TrimSpace(f.LiveStart) != "" || strings.TrimSpace(f.LiveTitle) != "":
		// Not parsed (it has problems), but a live announcement all the same.
		p.YouTube = strings.TrimSpace(f.LiveTitle)
		if p.YouTube == "" {
			p.YouTube = f.Title
		}
	}
	return p, nil
}
