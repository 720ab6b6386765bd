package desk

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"strings"
	"time"
	"unicode/utf8"

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
	// DraftRev is that draft's revision as the publisher opened it (Draft.Rev): the
	// draft is removed only if it is still at it. 0: only if it holds the text published.
	DraftRev uint64
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
		ps := problems(fes)
		d.putInWords(ps)
		return nil, ps, nil
	}
	now := d.now()
	ps := liveProblems(b, now)
	for _, p := range d.youTubeProblems(b, ytfields.CheckBulletin(b, now)) {
		if p.Field == "live: start" && hasField(ps, p.Field) {
			continue // the same start already refused, in staff's words
		}
		ps = append(ps, p)
	}
	latest, _, err := d.pub.Latest(ctx, b.ID)
	switch {
	case errors.Is(err, bus.ErrNotFound):
		if in.BaseRev > 0 {
			ps = append(ps, Problem{Field: "id", Message: fmt.Sprintf("%q is not published; did you change the id of the bulletin you were editing?", b.ID),
				Msg: i18n.M("problem.notPublished", b.ID)})
		}
	case err != nil:
		return nil, nil, err
	case in.New && latest.Action != bulletin.Retract:
		ps = append(ps, Problem{Field: "id", Message: fmt.Sprintf("%q is already published (revision %d, %q); choose another id, or open that bulletin to edit it", b.ID, latest.Rev, latest.Bulletin.Title),
			Msg: i18n.M("problem.alreadyPublished", b.ID, fmt.Sprint(latest.Rev), i18n.Raw(latest.Bulletin.Title))})
	case in.BaseRev > 0 && latest.Rev != in.BaseRev:
		return nil, nil, &ConflictError{Latest: latest}
	}
	if in.New && d.sched != nil {
		if e, err := d.sched.Get(ctx, b.ID); err == nil {
			ps = append(ps, Problem{Field: "id", Message: fmt.Sprintf("%q is already scheduled for %s (%q); choose another id, or open that bulletin to change its schedule", b.ID, e.At.Format(bulletin.TimeLayout), e.Bulletin.Title),
				Msg: i18n.M("problem.alreadyScheduled", b.ID, when(e.At), i18n.Raw(e.Bulletin.Title))})
		}
	}
	d.putInWords(ps)
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

// problems are the parser's, each with its message key (problemMsg): Message keeps
// the parser's English for the API and the command line.
func problems(fes bulletin.Errors) []Problem {
	out := make([]Problem, len(fes))
	for i, fe := range fes {
		out[i] = Problem{Field: fe.Field, Line: fe.Line, Message: fe.Msg, Msg: problemMsg(fe)}
	}
	return out
}

// problemMsg is the message key of a parser problem: "problem." and its kind, with its
// values as staff read them (a time as dd/mm/aaaa HH:MM). The values that are only
// the format's own words (the time layout, the YAML parser's English) are left out.
// Zero for a problem of no kind, which then shows its English.
func problemMsg(fe *bulletin.FieldError) i18n.Msg {
	if fe.Kind == "" {
		return i18n.Msg{}
	}
	if fe.Kind == bulletin.KindNotTime || fe.Kind == bulletin.KindNotYAML {
		return i18n.M("problem." + fe.Kind)
	}
	args := make([]any, len(fe.Args))
	for i, a := range fe.Args {
		switch v := a.(type) {
		case time.Time:
			args[i] = when(v)
		case string:
			args[i] = v
		default:
			args[i] = fmt.Sprint(v)
		}
	}
	return i18n.M("problem."+fe.Kind, args...)
}

// youTubeProblems are ytfields' problems with their message keys. ytfields speaks
// English only, so each key is found again from the bulletin by ytfields' own rules,
// in its order, rather than by reading its sentences.
func (d *Desk) youTubeProblems(b *bulletin.Bulletin, errs []error) []Problem {
	title := ytfields.Title(b)
	var titleKeys []i18n.Msg
	limit := fmt.Sprint(ytfields.MaxTitleChars)
	switch n := utf8.RuneCountInString(title); {
	case strings.TrimSpace(title) == "":
		titleKeys = append(titleKeys, i18n.M("problem.ytTitleEmpty", limit))
	case n > ytfields.MaxTitleChars:
		titleKeys = append(titleKeys, i18n.M("problem.ytTitleLong", fmt.Sprint(n), limit))
	}
	if strings.ContainsAny(title, "<>") {
		titleKeys = append(titleKeys, i18n.M("problem.ytTitleAngle"))
	}
	var out []Problem
	for _, err := range errs {
		p := problemOf(err)
		switch p.Field {
		case "live: title":
			if len(titleKeys) > 0 {
				p.Msg, titleKeys = titleKeys[0], titleKeys[1:]
			}
		case "body":
			text := d.md.PlainText([]byte(b.Body))
			if i := strings.IndexAny(text, "<>"); i >= 0 {
				p.Msg = i18n.M("problem.ytBodyAngle", fmt.Sprint(strings.Count(text[:i], "\n")+1), string(text[i]))
			}
		case "live: start":
			p.Msg = i18n.M("problem.livePast", when(b.Live.Start))
		}
		out = append(out, p)
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
		ps, err = append(ps, Problem{Message: conflict.Error(), Msg: conflict.Msg(time.Local)}), nil
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
