package site

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/paeria/pregoner/shared/bulletin"
)

// Content types of the alert feed: CAP's registered one, and Atom for the index.
const (
	capContentType  = "application/cap+xml; charset=utf-8"
	atomContentType = "application/atom+xml; charset=utf-8"
)

// capTimeLayout is CAP's date and time: seconds, and always a numeric offset (the
// schema refuses "Z" and fractions).
const capTimeLayout = "2006-01-02T15:04:05-07:00"

// CAP 1.2 document types: only what the feed writes, in the schema's order.
type capAlert struct {
	XMLName    xml.Name  `xml:"urn:oasis:names:tc:emergency:cap:1.2 alert"`
	Identifier string    `xml:"identifier"`
	Sender     string    `xml:"sender"`
	Sent       string    `xml:"sent"`
	Status     string    `xml:"status"`
	MsgType    string    `xml:"msgType"`
	Scope      string    `xml:"scope"`
	References string    `xml:"references,omitempty"`
	Info       []capInfo `xml:"info"`
}

type capInfo struct {
	Language    string   `xml:"language"`
	Category    []string `xml:"category"`
	Event       string   `xml:"event"`
	Urgency     string   `xml:"urgency"`
	Severity    string   `xml:"severity"`
	Certainty   string   `xml:"certainty"`
	Expires     string   `xml:"expires,omitempty"`
	SenderName  string   `xml:"senderName"`
	Headline    string   `xml:"headline"`
	Description string   `xml:"description"`
	Web         string   `xml:"web"`
	Area        capArea  `xml:"area"`
}

type capArea struct {
	AreaDesc string     `xml:"areaDesc"`
	Geocode  []capValue `xml:"geocode"`
}

type capValue struct {
	ValueName string `xml:"valueName"`
	Value     string `xml:"value"`
}

// The Atom index of the alerts: one entry per alert, its latest message.
type capAtomFeed struct {
	XMLName xml.Name       `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string         `xml:"id"`
	Title   string         `xml:"title"`
	Updated string         `xml:"updated"`
	Author  atomPerson     `xml:"author"`
	Links   []atomLink     `xml:"link"`
	Entries []capAtomEntry `xml:"entry"`
}

type capAtomEntry struct {
	ID      string     `xml:"id"`
	Title   string     `xml:"title"`
	Updated string     `xml:"updated"`
	Summary string     `xml:"summary"`
	Links   []atomLink `xml:"link"`
}

func (s *Server) capTime(t time.Time) string { return t.In(s.loc).Format(capTimeLayout) }

func (s *Server) capRefs(refs []capRef) string {
	out := make([]string, len(refs))
	for i, r := range refs {
		out[i] = capSender + "," + r.identifier + "," + s.capTime(r.sent)
	}
	return strings.Join(out, " ")
}

// capURL is the address of the latest message of alert group.
func (s *Server) capURL(group string) string { return s.cfg.BaseURL + "/cap/" + group + ".xml" }

func (s *Server) renderCAP(m *capMessage) (*page, error) {
	doc := capAlert{Identifier: m.ref.identifier, Sender: capSender, Sent: s.capTime(m.ref.sent),
		Status: "Actual", MsgType: m.msgType, Scope: "Public", References: s.capRefs(m.references)}
	for _, b := range m.infos {
		a := b.Alert
		info := capInfo{Language: b.Lang, Event: a.Event, SenderName: capSenderName, Headline: b.Title,
			// The bus is not the parser: a value outside CAP's words becomes CAP's
			// "Unknown" rather than a message the schema refuses.
			Urgency:     capWord(a.Urgency, bulletin.AlertUrgencies, "Unknown"),
			Severity:    capWord(a.Severity, bulletin.AlertSeverities, "Unknown"),
			Certainty:   capWord(a.Certainty, bulletin.AlertCertainties, "Unknown"),
			Description: s.md.PlainText([]byte(b.Body)), Web: s.permalink(b.ID),
			Area: capArea{AreaDesc: capAreaDesc, Geocode: []capValue{{ValueName: "INE", Value: capGeocodeINE}}}}
		for _, c := range a.Category {
			info.Category = append(info.Category, capWord(c, bulletin.AlertCategories, "Other"))
		}
		if len(info.Category) == 0 {
			info.Category = []string{"Other"}
		}
		if info.Event == "" {
			info.Event = b.Title
		}
		if a.Expires != nil {
			info.Expires = s.capTime(*a.Expires)
		}
		doc.Info = append(doc.Info, info)
	}
	body, err := encodeXML(doc)
	if err != nil {
		return nil, fmt.Errorf("render CAP %s: %w", m.ref.identifier, err)
	}
	return newPage(http.StatusOK, capContentType, cacheRevalidate, body, m.ref.sent), nil
}

func capWord(v string, allowed []string, fallback string) string {
	if slices.Contains(allowed, v) {
		return v
	}
	return fallback
}

func (s *Server) renderCAPAtom(msgs []*capMessage) (*page, error) {
	f := capAtomFeed{ID: s.cfg.BaseURL + "/cap.atom", Title: "Paeria de Lleida · Alertes / Alertas (CAP)",
		Updated: rfc3339(time.Unix(0, 0)), Author: atomPerson{Name: capSenderName, URI: s.cfg.BaseURL + "/"},
		Links: []atomLink{
			{Rel: "self", Type: "application/atom+xml", Href: s.cfg.BaseURL + "/cap.atom"},
			{Rel: "alternate", Type: "text/html", Href: s.cfg.BaseURL + "/"},
		}}
	var modified time.Time
	for _, m := range msgs {
		if m.ref.sent.After(modified) {
			modified = m.ref.sent
		}
		titles := make([]string, len(m.infos))
		for i, b := range m.infos {
			titles[i] = b.Title
		}
		a := m.infos[0].Alert
		f.Entries = append(f.Entries, capAtomEntry{ID: s.capURL(m.group), Title: strings.Join(titles, " / "),
			Updated: rfc3339(m.ref.sent),
			Summary: fmt.Sprintf("%s: %s, %s, %s (%s)", m.msgType, a.Severity, a.Urgency, a.Certainty, m.ref.identifier),
			Links:   []atomLink{{Rel: "alternate", Type: "application/cap+xml", Href: s.capURL(m.group)}}})
	}
	if !modified.IsZero() {
		f.Updated = rfc3339(modified)
	}
	body, err := encodeXML(f)
	if err != nil {
		return nil, fmt.Errorf("render CAP index: %w", err)
	}
	return newPage(http.StatusOK, atomContentType, cacheRevalidate, body, modified), nil
}

func encodeXML(v any) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", " ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}

// capReady answers 503 until the alerts are rebuilt from the bus: a missing message
// would read as "no alert".
func (s *Server) capReady(w http.ResponseWriter) bool {
	if s.alerts.ready.Load() {
		return true
	}
	w.Header().Set("Retry-After", "1")
	w.Header().Set("Cache-Control", cacheError)
	http.Error(w, "starting: rebuilding the alerts from the bus", http.StatusServiceUnavailable)
	return false
}

// serveCAP serves /cap/<group>.xml: the latest message of that alert.
func (s *Server) serveCAP(w http.ResponseWriter, r *http.Request) {
	group, ok := strings.CutSuffix(r.PathValue("file"), ".xml")
	if !ok || bulletin.CheckID(group) != nil {
		s.notFound(w, r)
		return
	}
	if !s.capReady(w) {
		return
	}
	m := s.alerts.latest(group)
	if m == nil {
		s.notFound(w, r)
		return
	}
	m.render.once.Do(func() { m.render.p, m.render.err = s.renderCAP(m) })
	if m.render.err != nil {
		s.fail(w, r, defaultLang, m.render.err)
		return
	}
	serve(w, r, m.render.p, "")
}

// serveCAPIndex serves /cap.atom, rendered once per change of the alerts.
func (s *Server) serveCAPIndex(w http.ResponseWriter, r *http.Request) {
	if !s.capReady(w) {
		return
	}
	v := s.alerts.version.Load()
	cur := s.alerts.atom.Load()
	if cur == nil || cur.version != v {
		p, err := s.renderCAPAtom(s.alerts.newest(s.cfg.FeedSize))
		if err != nil {
			s.fail(w, r, defaultLang, err)
			return
		}
		cur = &capAtomPage{version: v, page: p}
		s.alerts.atom.Store(cur)
	}
	serve(w, r, cur.page, "")
}
