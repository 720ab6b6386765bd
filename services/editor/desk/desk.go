// Package desk is the editor's desk: the operations staff perform on bulletins —
// check, preview, save a draft, publish (now or scheduled), edit, retract, retry a
// channel — each checked against the member's role and written to the audit log.
// The web UI, the JSON API and the CLI (through the API) all come through here, so they
// apply the same rules and say the same things.
package desk

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/paeria/pregoner/services/editor/accounts"
	"github.com/paeria/pregoner/services/editor/audit"
	"github.com/paeria/pregoner/services/editor/i18n"
	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/bus"
	"github.com/paeria/pregoner/shared/delivery"
	"github.com/paeria/pregoner/shared/markdown"
	"github.com/paeria/pregoner/shared/tghtml"
)

// Actor is who asks for an operation.
type Actor struct {
	Name   string
	Role   accounts.Role
	Via    string // ui, api or cli
	Remote string // client address, for the audit log
}

// Desk performs operations. It is safe for concurrent use.
type Desk struct {
	pub    *bus.Bulletins
	store  *delivery.Store
	audit  *audit.Log
	drafts jetstream.KeyValue
	// deliveries is the DELIVERIES bucket, read directly for the list (see allRecords).
	deliveries jetstream.KeyValue
	sched      Scheduler
	md         *markdown.Markdown
	tg         *tghtml.Renderer
	webBase    string
	now        func() time.Time
	log        *slog.Logger
	sandbox    sandboxes
	// words put the desk's own problems in words: English in Message, for the API and
	// the command line; the UI translates Problem.Msg into the member's language.
	words *i18n.Catalogue
	// schedules is the SCHEDULES bucket, watched for live pages (WatchChanges); nil
	// when it is not there.
	schedules jetstream.KeyValue
	// routes is Telegram's routing profile, for the compose page (channels.go).
	routes *routes
}

// Deps are what a Desk works with.
type Deps struct {
	JS       jetstream.JetStream
	Audit    *audit.Log
	Schedule Scheduler
	// WebBaseURL is the public page, for permalinks in previews.
	WebBaseURL string
	// Replicas is not used: the drafts bucket's replicas are the set-up's.
	Replicas int
	Now      func() time.Time
	Log      *slog.Logger
}

// BucketDrafts holds drafts, key: "<bulletin id>.<AuthorKey(author)>", one per author
// (drafts.go). The set-up (bus.Setup) creates it.
const BucketDrafts = bus.BucketDrafts

// New binds a desk to the bus: the bulletins, the records and the drafts bucket, which
// the set-up must have created.
func New(ctx context.Context, d Deps) (*Desk, error) {
	pub, err := bus.NewBulletins(ctx, d.JS)
	if err != nil {
		return nil, err
	}
	store, err := delivery.NewStore(ctx, d.JS)
	if err != nil {
		return nil, err
	}
	drafts, err := bus.BindKeyValue(ctx, d.JS, BucketDrafts)
	if err != nil {
		return nil, fmt.Errorf("desk: %w", err)
	}
	deliveries, err := d.JS.KeyValue(ctx, bus.BucketDeliveries)
	if err != nil {
		return nil, fmt.Errorf("desk: bucket %s: %w", bus.BucketDeliveries, err)
	}
	schedules, _ := d.JS.KeyValue(ctx, bus.BucketSchedules) // optional: live pages only
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	words, err := i18n.New()
	if err != nil {
		return nil, fmt.Errorf("desk: %w", err)
	}
	return &Desk{routes: newRoutes(ctx, d.JS), words: words, pub: pub, store: store, audit: d.Audit, drafts: drafts, deliveries: deliveries, schedules: schedules, sched: d.Schedule, md: markdown.New(),
		tg: tghtml.NewRenderer(d.WebBaseURL), webBase: strings.TrimRight(d.WebBaseURL, "/"), now: d.Now, log: d.Log}, nil
}

// Permalink is where citizens read bulletin id on the public page.
func (d *Desk) Permalink(id string) string { return d.webBase + "/bulletins/" + id }

// Problem is one thing wrong with a bulletin, placed at its field.
type Problem struct {
	Field   string `json:"field"` // front-matter field, "body", or "" for the whole bulletin
	Line    int    `json:"line,omitempty"`
	Message string `json:"message"`
	// Msg is the message as a catalogue key: the UI, and the API when asked for a
	// language, show it in the reader's. Every problem of the parser (by its Kind),
	// of YouTube's rules and of the desk carries one; zero only for a problem of no
	// known kind, which then shows Message.
	Msg i18n.Msg `json:"-"`
}

func (p Problem) String() string {
	if p.Field == "" {
		return p.Message
	}
	return p.Field + ": " + p.Message
}

// InvalidError is returned when a bulletin cannot be published as it is.
type InvalidError struct{ Problems []Problem }

func (e *InvalidError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.String()
	}
	return strings.Join(parts, "; ")
}

// ForbiddenError is returned when the actor's role does not allow the operation.
type ForbiddenError struct {
	Action string
	Need   accounts.Role
}

func (e *ForbiddenError) Error() string {
	return fmt.Sprintf("you may not %s: that needs the %s role; ask an administrator", e.Action, e.Need)
}

// ConflictError is returned when someone else changed the bulletin since it was opened.
type ConflictError struct{ Latest *bulletin.Revision }

// Msg is the conflict in the reader's words, its time in loc.
func (e *ConflictError) Msg(loc *time.Location) i18n.Msg {
	return i18n.M("desk.conflict", e.Latest.ID, fmt.Sprint(e.Latest.Rev), i18n.W("action", string(e.Latest.Action)),
		i18n.Raw(e.Latest.Author), i18n.Date(e.Latest.At, loc))
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("%s was changed meanwhile (revision %d, %s by %s at %s): your text is kept; compare it with the current one and publish again",
		e.Latest.ID, e.Latest.Rev, e.Latest.Action, e.Latest.Author, e.Latest.At.Local().Format("15:04:05"))
}

// BusyError is returned when the bulletin's schedule is being published at this very
// moment: the operation would race it, so it is refused until the text has gone out.
type BusyError struct{ Err error }

func (e *BusyError) Error() string { return e.Err.Error() }
func (e *BusyError) Unwrap() error { return e.Err }

// Msg is the refusal in the reader's words: the wrapped error is the scheduler's.
func (e *BusyError) Msg() i18n.Msg { return i18n.M("desk.busy") }

// NotFoundError names what was not found: What in English for logs and the command
// line; Thing ("bulletin", "draft", "schedule"), ID and Author for Msg.
type NotFoundError struct {
	What              string
	Thing, ID, Author string
}

func (e *NotFoundError) Error() string { return e.What + ": not found" }

// Msg names what was not found in the reader's words, never the English of What.
func (e *NotFoundError) Msg() i18n.Msg {
	switch {
	case e.Thing == "draft" && e.Author != "":
		return i18n.M("desk.notFound.draftBy", e.ID, i18n.Raw(e.Author))
	case e.Thing == "draft" && e.ID != "":
		return i18n.M("desk.notFound.draftOf", e.ID)
	case e.Thing == "draft":
		return i18n.M("desk.notFound.draft")
	case e.Thing == "bulletin", e.Thing == "schedule":
		return i18n.M("desk.notFound."+e.Thing, e.ID)
	}
	return i18n.M("desk.notFound.thing")
}

// allow checks the role and records a refusal.
func (d *Desk) allow(ctx context.Context, a Actor, action string, need accounts.Role, target string) error {
	if a.Role.Allows(need) {
		return nil
	}
	d.record(ctx, a, audit.Denied, target, false, action)
	return &ForbiddenError{Action: action, Need: need}
}

func (d *Desk) record(ctx context.Context, a Actor, action, target string, ok bool, detail string) {
	if d.audit == nil {
		return
	}
	err := d.audit.Record(ctx, audit.Event{Actor: a.Name, Via: a.Via, Action: action, Target: target, OK: ok, Detail: detail, Remote: a.Remote})
	if err != nil {
		d.log.Error("audit log write failed", "action", action, "target", target, "err", err)
	}
}

// checkID refuses an id that breaks the slug rule before the bus, a bucket or the audit
// log sees it. The error wraps bulletin.ErrBadID and names the rule: the API and the UI
// answer it as a bad request.
func checkID(op, id string) error {
	if err := bulletin.CheckID(id); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	return nil
}

func notFound(err error, thing, id string) error {
	if errors.Is(err, bus.ErrNotFound) {
		return &NotFoundError{What: thing + " " + id, Thing: thing, ID: id}
	}
	return err
}
