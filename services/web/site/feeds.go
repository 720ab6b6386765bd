package site

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"time"

	"github.com/paeria/pregoner/services/web/feed"
)

// Atom (RFC 4287) document types: only what the feed writes.
type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Lang    string      `xml:"xml:lang,attr,omitempty"`
	ID      string      `xml:"id"`
	Title   string      `xml:"title"`
	Updated string      `xml:"updated"`
	Author  atomPerson  `xml:"author"`
	Links   []atomLink  `xml:"link"`
	Entries []atomEntry `xml:"entry"`
}

type atomPerson struct {
	Name string `xml:"name"`
	URI  string `xml:"uri,omitempty"`
}

type atomLink struct {
	Rel      string `xml:"rel,attr,omitempty"`
	Type     string `xml:"type,attr,omitempty"`
	Href     string `xml:"href,attr"`
	HrefLang string `xml:"hreflang,attr,omitempty"`
}

type atomText struct {
	Type string `xml:"type,attr"`
	Body string `xml:",chardata"`
}

type atomEntry struct {
	Lang      string     `xml:"xml:lang,attr,omitempty"`
	ID        string     `xml:"id"`
	Title     string     `xml:"title"`
	Published string     `xml:"published"`
	Updated   string     `xml:"updated"`
	Links     []atomLink `xml:"link"`
	Content   atomText   `xml:"content"`
}

// JSON Feed 1.1 (https://jsonfeed.org/version/1.1) types.
type jsonFeed struct {
	Version     string       `json:"version"`
	Title       string       `json:"title"`
	HomePageURL string       `json:"home_page_url"`
	FeedURL     string       `json:"feed_url"`
	Authors     []jsonAuthor `json:"authors"`
	Items       []jsonItem   `json:"items"`
}

type jsonAuthor struct {
	Name string `json:"name"`
	URL  string `json:"url,omitempty"`
}

type jsonItem struct {
	ID            string `json:"id"`
	URL           string `json:"url"`
	Title         string `json:"title"`
	ContentHTML   string `json:"content_html"`
	Summary       string `json:"summary,omitempty"`
	DatePublished string `json:"date_published"`
	DateModified  string `json:"date_modified,omitempty"`
	Language      string `json:"language,omitempty"`
}

// feedTitle names both feeds; they carry every language, so the title does too.
const feedTitle = "Paeria de Lleida · Informació COVID-19 / Información COVID-19"

func (s *Server) feedEntries(snap *feed.Snapshot) []*feed.Entry {
	return snap.Newest[:min(len(snap.Newest), s.cfg.FeedSize)]
}

func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func (s *Server) renderAtom(snap *feed.Snapshot) (*page, error) {
	f := atomFeed{ID: s.cfg.BaseURL + "/", Title: feedTitle, Updated: rfc3339(snap.Modified),
		Author: atomPerson{Name: "Paeria de Lleida", URI: s.cfg.BaseURL + "/"},
		Links: []atomLink{
			{Rel: "self", Type: "application/atom+xml", Href: s.cfg.BaseURL + "/feed.atom"},
			{Rel: "alternate", Type: "text/html", Href: s.cfg.BaseURL + "/"},
		}}
	if snap.Modified.IsZero() {
		f.Updated = rfc3339(time.Unix(0, 0))
	}
	for _, e := range s.feedEntries(snap) {
		body, err := s.bodyHTML(e)
		if err != nil {
			return nil, err
		}
		f.Entries = append(f.Entries, atomEntry{Lang: e.Lang, ID: s.permalink(e.ID), Title: e.Title,
			Published: rfc3339(e.Published), Updated: rfc3339(e.LastModified()),
			Links:   []atomLink{{Rel: "alternate", Type: "text/html", Href: s.permalink(e.ID), HrefLang: e.Lang}},
			Content: atomText{Type: "html", Body: body}})
	}
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", " ")
	if err := enc.Encode(f); err != nil {
		return nil, fmt.Errorf("render atom feed: %w", err)
	}
	buf.WriteByte('\n')
	return newPage(http.StatusOK, "application/atom+xml; charset=utf-8", cacheRevalidate, buf.Bytes(), snap.Modified), nil
}

func (s *Server) renderJSONFeed(snap *feed.Snapshot) (*page, error) {
	f := jsonFeed{Version: "https://jsonfeed.org/version/1.1", Title: feedTitle,
		HomePageURL: s.cfg.BaseURL + "/", FeedURL: s.cfg.BaseURL + "/feed.json",
		Authors: []jsonAuthor{{Name: "Paeria de Lleida", URL: s.cfg.BaseURL + "/"}},
		Items:   []jsonItem{}}
	for _, e := range s.feedEntries(snap) {
		body, err := s.bodyHTML(e)
		if err != nil {
			return nil, err
		}
		it := jsonItem{ID: s.permalink(e.ID), URL: s.permalink(e.ID), Title: e.Title, ContentHTML: body,
			Summary: s.summary(e, excerptRunes), DatePublished: rfc3339(e.Published), Language: e.Lang}
		if !e.Updated.IsZero() {
			it.DateModified = rfc3339(e.Updated)
		}
		f.Items = append(f.Items, it)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", " ")
	if err := enc.Encode(f); err != nil {
		return nil, fmt.Errorf("render json feed: %w", err)
	}
	return newPage(http.StatusOK, "application/feed+json; charset=utf-8", cacheRevalidate, buf.Bytes(), snap.Modified), nil
}
