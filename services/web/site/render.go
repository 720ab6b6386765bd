package site

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/paeria/pregoner/services/web/feed"
)

// view is what the page template reads.
type view struct {
	W                         *words
	Kind                      string // list, search, bulletin, or message
	Base, Home, CSS, JS, Icon string
	Heading, Message          string
	// Description, URL and Type are what a shared link shows (meta description, Open
	// Graph); URL is absolute, "" on message pages (they are not worth sharing).
	Description, URL, Type string
	Telegram, YouTube      string // the channels to follow; "" shows no invitation
	Search                 *searchView
	Switch                 []link
	Items                  []item
	Item                   *item
	Translations           []link
	Page, Pages, PageSize  int
	Total                  int // bulletins the list holds in all, for live.js
	NewerHref, OlderHref   string
	Version                string // the feed's, for live.js; "" on message pages
}

type link struct {
	Lang, Name, Href string
	Current          bool
}

type item struct {
	W                           *words
	ID, Lang, Title, Href       string
	Group                       string
	Tags                        []link // each to the search for it, in the page's language
	Urgent                      bool
	PublishedISO, PublishedText string
	// Sort is the published time to the nanosecond as 20 digits that sort as text, so
	// live.js places a new article exactly where the server would (RFC 3339 seconds
	// tie for bulletins published in the same second).
	Sort                    string
	UpdatedISO, UpdatedText string
	Excerpt                 *excerpt // list pages; nil when the body is shown whole
	Body                    template.HTML
	Live                    *liveView
}

type liveView struct {
	StartISO, StartText, WatchURL string
}

// urgentWholeBytes bounds the Markdown of an urgent bulletin a list page shows whole:
// urgent news is read in full at once, but one very long one must not make the first
// load heavy; beyond it, it gets an excerpt like the rest.
const urgentWholeBytes = 6 << 10

func (s *Server) item(w *words, e *feed.Entry, full bool) (item, error) {
	it := item{W: w, ID: e.ID, Lang: e.Lang, Title: e.Title, Href: s.permalinkPath(e.ID), Urgent: e.Urgent,
		Group: e.Group, PublishedISO: e.Published.Format(time.RFC3339), PublishedText: s.date(e.Published),
		Sort: fmt.Sprintf("%020d", uint64(e.Published.UnixNano())^(1<<63))} // order-preserving, never negative
	for _, t := range e.Tags {
		// The tag is the bulletin's language's word; the search is the page's.
		it.Tags = append(it.Tags, link{Lang: e.Lang, Name: t, Href: s.prefix + "/" + w.Lang + "/search?" + url.Values{"tag": {t}}.Encode()})
	}
	if !e.Updated.IsZero() {
		it.UpdatedISO, it.UpdatedText = e.Updated.Format(time.RFC3339), s.date(e.Updated)
	}
	if e.Live != nil {
		it.Live = &liveView{StartISO: e.Live.Start.Format(time.RFC3339), StartText: s.date(e.Live.Start), WatchURL: e.WatchURL}
	}
	if full || (e.Urgent && len(e.Body) <= urgentWholeBytes) {
		h, err := s.bodyHTML(e)
		if err != nil {
			return it, err
		}
		if full {
			h = promoteHeadings(h) // under the permalink's <h1>, not a list's <h2>
		}
		it.Body = template.HTML(h) // shared/markdown output is safe: raw HTML escaped, unsafe links dropped
	} else {
		src := []byte(e.Body)
		ex := makeExcerpt(s.md.Parse(src), src)
		ex.W = w
		it.Excerpt = &ex
	}
	return it, nil
}

func (s *Server) date(t time.Time) string { return t.In(s.loc).Format("02/01/2006 15:04") }

// renderedBody is the HTML of one revision of a bulletin's body.
type renderedBody struct {
	rev  int
	html string
}

// bodyHTML renders an entry's Markdown once per revision; only the latest is kept.
func (s *Server) bodyHTML(e *feed.Entry) (string, error) {
	if v, ok := s.bodies.Load(e.ID); ok && v.(renderedBody).rev == e.Rev {
		return v.(renderedBody).html, nil
	}
	h, err := s.md.HTML([]byte(e.Body))
	if err != nil {
		return "", fmt.Errorf("render %s@%d: %w", e.ID, e.Rev, err)
	}
	s.bodies.Store(e.ID, renderedBody{rev: e.Rev, html: h})
	return h, nil
}

// summary is the start of the bulletin's plain text on one line, cut at a word near
// limit runes: the JSON feed's summary, a shared link's description.
func (s *Server) summary(e *feed.Entry, limit int) string {
	return cut(strings.Join(strings.Fields(s.md.PlainText([]byte(e.Body))), " "), limit)
}

func (s *Server) newView(lang, kind string) *view {
	w := dictionary[lang]
	return &view{W: w, Kind: kind, Base: s.prefix, Home: s.prefix + "/" + lang + "/",
		CSS: s.assetPath("style.css"), JS: s.assetPath("live.js"), Icon: s.assetPath(iconName),
		Description: w.Description, Type: "website", Telegram: s.cfg.TelegramURL, YouTube: s.cfg.YouTubeURL}
}

func (s *Server) frontSwitch(lang string) []link {
	out := make([]link, 0, len(uiLangs))
	for _, l := range uiLangs {
		out = append(out, link{Lang: l, Name: dictionary[l].Name, Href: s.prefix + "/" + l + "/", Current: l == lang})
	}
	return out
}

// pages is how many pages the feed in lang fills; at least one, which may be empty.
func (s *Server) pages(snap *feed.Snapshot, lang string) int {
	return max(1, (len(snap.List(lang))+s.cfg.PageSize-1)/s.cfg.PageSize)
}

// renderList renders page n of the feed in lang; 1 ≤ n ≤ s.pages(snap, lang).
func (s *Server) renderList(snap *feed.Snapshot, lang string, n int) (*page, error) {
	all := snap.List(lang)
	size := s.cfg.PageSize
	pages := s.pages(snap, lang)
	if n < 1 || n > pages {
		return nil, fmt.Errorf("render page %d of %d", n, pages)
	}
	v := s.newView(lang, "list")
	v.Switch, v.Page, v.Pages, v.Version = s.frontSwitch(lang), n, pages, s.version(snap.Version)
	v.PageSize, v.Total = size, len(all)
	v.URL, v.Search = s.cfg.BaseURL+"/"+lang+"/", s.searchForm(snap, lang, searchQuery{})
	if n > 1 {
		v.NewerHref = v.Home
		if n > 2 {
			v.NewerHref += "?page=" + strconv.Itoa(n-1)
		}
	}
	if n < pages {
		v.OlderHref = v.Home + "?page=" + strconv.Itoa(n+1)
	}
	if n > 1 {
		v.Heading = fmt.Sprintf(v.W.PageOf, n, pages)
	}
	for _, e := range all[(n-1)*size : min(n*size, len(all))] {
		it, err := s.item(v.W, e, false)
		if err != nil {
			return nil, err
		}
		v.Items = append(v.Items, it)
	}
	return s.renderView(http.StatusOK, cacheRevalidate, v, snap.Modified)
}

// renderBulletin renders the permalink of e for a reader of uiLang.
func (s *Server) renderBulletin(snap *feed.Snapshot, e *feed.Entry, uiLang string) (*page, error) {
	if _, ok := dictionary[e.Lang]; ok {
		uiLang = e.Lang // the page speaks the bulletin's language when it can
	}
	if e.Gone {
		v := s.newView(uiLang, "message")
		v.Switch = s.frontSwitch(uiLang)
		v.Heading, v.Message = v.W.GoneTitle, v.W.GoneText
		return s.renderView(http.StatusGone, cacheRevalidate, v, time.Time{})
	}
	v := s.newView(uiLang, "bulletin")
	v.Version = s.version(snap.Version)
	it, err := s.item(v.W, e, true)
	if err != nil {
		return nil, err
	}
	v.Item, v.Heading = &it, e.Title
	v.Description, v.URL, v.Type = s.summary(e, descriptionRunes), s.permalink(e.ID), "article"
	translations := snap.Translations(e)
	for _, l := range uiLangs {
		sw := link{Lang: l, Name: dictionary[l].Name, Href: s.prefix + "/" + l + "/", Current: l == e.Lang}
		if l == e.Lang {
			sw.Href = s.permalinkPath(e.ID)
		}
		for _, t := range translations {
			if t.Lang == l {
				sw.Href = s.permalinkPath(t.ID)
			}
		}
		v.Switch = append(v.Switch, sw)
	}
	for _, t := range translations {
		v.Translations = append(v.Translations, link{Lang: t.Lang, Name: langName(t.Lang), Href: s.permalinkPath(t.ID)})
	}
	modified := e.LastModified()
	for _, t := range translations {
		if m := t.LastModified(); m.After(modified) {
			modified = m
		}
	}
	return s.renderView(http.StatusOK, cacheRevalidate, v, modified)
}

// renderMessage renders a short page that tells the reader why there is nothing here.
// Its texts come from the dictionary, so the pages are few: each is rendered once.
func (s *Server) renderMessage(status int, lang, heading, msg string) *page {
	key := fmt.Sprint(status, lang, heading, msg)
	if p, ok := s.messages.Load(key); ok {
		return p.(*page)
	}
	p := s.renderMessageNow(status, lang, heading, msg)
	s.messages.Store(key, p)
	return p
}

func (s *Server) renderMessageNow(status int, lang, heading, msg string) *page {
	v := s.newView(lang, "message")
	v.Switch = s.frontSwitch(lang)
	v.Heading, v.Message = heading, msg
	p, err := s.renderView(status, cacheError, v, time.Time{})
	if err != nil {
		s.log.Error("render message page", "err", err)
		return newPage(status, "text/plain; charset=utf-8", cacheError, []byte(msg+"\n"), time.Time{})
	}
	return p
}

func (s *Server) renderView(status int, cache string, v *view, modified time.Time) (*page, error) {
	var buf bytes.Buffer
	if err := s.tmpl.ExecuteTemplate(&buf, "page", v); err != nil {
		return nil, fmt.Errorf("render %s page: %w", v.Kind, err)
	}
	p := newPage(status, "text/html; charset=utf-8", cache, buf.Bytes(), modified)
	if v.Version != "" {
		// The version changes with every change of the feed, the rest of the page only
		// when what it shows does. The validator follows the content, weak because the
		// bytes differ by the version: after an unrelated change a revalidation (a
		// reload, live.js's refetch) is still a 304.
		p.etag = "W/" + tagOf(bytes.Replace(buf.Bytes(), []byte(` data-version="`+v.Version+`"`), nil, 1))
	}
	return p, nil
}
