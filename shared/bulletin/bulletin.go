// Package bulletin is the council's bulletin: one Markdown file with YAML front matter,
// parsed and validated before anything reaches the bus, and the revisions that carry it.
//
// The types here import no NATS client and no HTTP: they are the domain that every
// service shares. A Bulletin is only ever built by Parse, so a value of it is valid.
package bulletin

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strconv"
	"time"
)

// Channel names a place where citizens read bulletins.
const (
	Telegram = "telegram"
	YouTube  = "youtube"
	Web      = "web"
)

// KnownChannels lists every channel a bulletin may name, in display order.
var KnownChannels = []string{Telegram, YouTube, Web}

// Bulletin is one parsed, validated bulletin.
type Bulletin struct {
	ID        string     `json:"id"`
	Title     string     `json:"title"`
	Lang      string     `json:"lang"`
	Group     string     `json:"group"`
	Channels  []string   `json:"channels"`
	PublishAt *time.Time `json:"publish_at,omitempty"`
	Urgent    bool       `json:"urgent,omitempty"`
	Tags      []string   `json:"tags,omitempty"`
	Live      *Live      `json:"live,omitempty"`
	// Alert makes the bulletin a public alert, also published as a CAP message.
	Alert *Alert `json:"alert,omitempty"`
	// Body is the Markdown below the front matter.
	Body string `json:"body"`
}

// Live makes a bulletin a YouTube live announcement.
type Live struct {
	Start time.Time `json:"start"`
	// Title of the broadcast; the bulletin's title when the file gives none.
	Title string `json:"title"`
}

// HasChannel reports whether the bulletin names channel.
func (b *Bulletin) HasChannel(channel string) bool {
	return slices.Contains(b.Channels, channel)
}

// Hash is a digest of the bulletin's content: two files that differ only in front-matter
// layout or comments hash the same, so re-importing an unchanged file is a no-op.
func (b *Bulletin) Hash() string {
	data, _ := json.Marshal(b) // a Bulletin always marshals: plain fields only
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// Action is what a revision does to a bulletin.
type Action string

const (
	// Publish is the first revision, or the first after a retraction.
	Publish Action = "publish"
	// Edit replaces the content of a published bulletin.
	Edit Action = "edit"
	// Retract withdraws the bulletin from every channel that carries it.
	Retract Action = "retract"
)

// Revision is one message on the bus: the whole bulletin as of one change.
// Revisions of one id are numbered from 1 without gaps.
type Revision struct {
	ID     string    `json:"id"`
	Rev    int       `json:"rev"`
	Action Action    `json:"action"`
	At     time.Time `json:"at"`
	Author string    `json:"author,omitempty"`
	// Writer is who wrote the text when someone else published it (a colleague's
	// draft): the author is the publisher. Empty when they are one, and in revisions
	// written before it existed, which still decode.
	Writer string `json:"writer,omitempty"`
	// Hash is Bulletin.Hash, kept so a publisher can tell an unchanged bulletin cheaply.
	Hash string `json:"hash"`
	// Bulletin is the content; on a retraction it is the content that was withdrawn.
	Bulletin *Bulletin `json:"bulletin"`
}

// Key is the revision's identity, "<id>@<rev>", used to deduplicate publishes.
func (r *Revision) Key() string { return RevisionKey(r.ID, r.Rev) }

// RevisionKey formats "<id>@<rev>".
func RevisionKey(id string, rev int) string {
	return id + "@" + strconv.Itoa(rev)
}
