package site

import (
	"cmp"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/paeria/pregoner/services/web/feed"
)

// Search is a plain GET form: it works without JavaScript, and a result's URL is the
// query itself, so it can be shared. Results are rendered per request and not kept:
// the queries are the readers' to choose, and caching them would let anyone fill memory.
const (
	maxQueryRunes = 100 // a sentence; beyond it the request is refused, not trimmed
	maxQueryWords = 8
	maxTagRunes   = 100 // no tag staff write is longer; a longer one is no form's
)

// searchQuery is what a reader asked: words (all must appear, accents and case aside),
// a month ("2006-01", in the page's time zone; "" for any) and a tag (exactly as staff
// wrote it; "" for any).
type searchQuery struct {
	Q, Month, Tag string
}

// searchView is the form, with the reader's query filled in, and the month and tag choices.
type searchView struct {
	Action string
	Q      string
	Months []choice
	Tags   []choice // Value and Name are the tag
	// TagLabel and AnyTag are the tag select's words in the page's language.
	TagLabel, AnyTag string
	Results          string // "12 resultats" on the search page; "" on list pages
}

// choice is one option of a select: a month, or a tag.
type choice struct {
	Value, Name string
	Selected    bool
}

// tagWords are the tag select's label and its "any" choice, by language.
var tagWords = map[string][2]string{
	"ca": {"Etiqueta", "Totes les etiquetes"},
	"es": {"Etiqueta", "Todas las etiquetas"},
}

// parseSearch reads the query parameters; an error means a request no form makes.
func parseSearch(q url.Values) (searchQuery, error) {
	sq := searchQuery{Q: strings.Join(strings.Fields(q.Get("q")), " "), Month: q.Get("month"), Tag: q.Get("tag")}
	if !utf8.ValidString(sq.Q) || utf8.RuneCountInString(sq.Q) > maxQueryRunes {
		return sq, fmt.Errorf("query of %d bytes", len(sq.Q))
	}
	if !utf8.ValidString(sq.Tag) || utf8.RuneCountInString(sq.Tag) > maxTagRunes {
		return sq, fmt.Errorf("tag of %d bytes", len(sq.Tag))
	}
	if sq.Month != "" {
		if _, err := time.Parse("2006-01", sq.Month); err != nil {
			return sq, fmt.Errorf("month %q: %w", sq.Month, err)
		}
	}
	return sq, nil
}

// fold lowers text and drops the accents Catalan and Spanish use, so "informacio" finds
// "Informació" and "Lleida" finds "LLEIDA".
var fold = strings.NewReplacer(
	"à", "a", "á", "a", "è", "e", "é", "e", "í", "i", "ï", "i", "ò", "o", "ó", "o",
	"ú", "u", "ü", "u", "ç", "c", "ñ", "n", "l·l", "ll", "l.l", "ll",
)

func folded(s string) string { return fold.Replace(strings.ToLower(s)) }

// searchText is an entry's title and plain text, folded, once per revision.
type searchText struct {
	rev  int
	text string
}

func (s *Server) searchText(e *feed.Entry) string {
	if v, ok := s.texts.Load(e.ID); ok && v.(searchText).rev == e.Rev {
		return v.(searchText).text
	}
	t := folded(e.Title + "\n" + s.md.PlainText([]byte(e.Body)))
	s.texts.Store(e.ID, searchText{rev: e.Rev, text: t})
	return t
}

// month is the "2006-01" of t as Lleida's calendar reads it.
func (s *Server) month(t time.Time) string { return t.In(s.loc).Format("2006-01") }

// match filters the list in lang by sq.
func (s *Server) match(snap *feed.Snapshot, lang string, sq searchQuery) []*feed.Entry {
	words := strings.Fields(folded(sq.Q))
	words = words[:min(len(words), maxQueryWords)]
	var out []*feed.Entry
	for _, e := range snap.List(lang) {
		if sq.Month != "" && s.month(e.Published) != sq.Month {
			continue
		}
		if sq.Tag != "" && !slices.Contains(e.Tags, sq.Tag) {
			continue
		}
		text, ok := "", true
		if len(words) > 0 {
			text = s.searchText(e)
		}
		for _, w := range words {
			if !strings.Contains(text, w) {
				ok = false
				break
			}
		}
		if ok {
			out = append(out, e)
		}
	}
	return out
}

// searchForm is the form of lang with sq filled in; the months are those the feed has
// bulletins in, newest first, and the tags those of the bulletins a reader of lang
// sees, in alphabetical order.
func (s *Server) searchForm(snap *feed.Snapshot, lang string, sq searchQuery) *searchView {
	w := dictionary[lang]
	sv := &searchView{Action: s.prefix + "/" + lang + "/search", Q: sq.Q,
		TagLabel: tagWords[lang][0], AnyTag: tagWords[lang][1]}
	sv.Tags = tagOptions(snap.List(lang), sq.Tag)
	seen := map[string]bool{}
	for _, e := range snap.Newest {
		m := s.month(e.Published)
		if seen[m] {
			continue
		}
		seen[m] = true
		t := e.Published.In(s.loc)
		sv.Months = append(sv.Months, choice{Value: m, Name: w.Months[t.Month()-1] + " " + strconv.Itoa(t.Year()), Selected: m == sq.Month})
	}
	return sv
}

// tagOptions are the tags in use among entries, sorted, with selected chosen. A tag no
// longer in use that a shared URL still names stays a choice, so the form shows what
// was asked (and finds nothing).
func tagOptions(entries []*feed.Entry, selected string) []choice {
	var tags []string
	for _, e := range entries {
		tags = append(tags, e.Tags...)
	}
	if selected != "" {
		tags = append(tags, selected)
	}
	slices.SortFunc(tags, func(a, b string) int {
		return cmp.Or(strings.Compare(folded(a), folded(b)), strings.Compare(a, b))
	})
	tags = slices.Compact(tags)
	out := make([]choice, 0, len(tags))
	for _, t := range tags {
		out = append(out, choice{Value: t, Name: t, Selected: t == selected})
	}
	return out
}

// search serves /{lang}/search?q=…&month=…&tag=…&page=n.
func (s *Server) search(lang string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { s.serveSearch(w, r, lang) }
}

func (s *Server) serveSearch(w http.ResponseWriter, r *http.Request, lang string) {
	d := dictionary[lang]
	sq, err := parseSearch(r.URL.Query())
	n, perr := strconv.Atoi(r.URL.Query().Get("page"))
	if r.URL.Query().Get("page") == "" {
		n, perr = 1, nil
	}
	if err != nil || perr != nil || n < 1 {
		serve(w, r, s.renderMessage(http.StatusBadRequest, lang, d.Search, d.BadSearch), "")
		return
	}
	if !s.ready(w, r, lang) {
		return
	}
	snap := s.current().snap
	found := s.match(snap, lang, sq)
	pages := max(1, (len(found)+s.cfg.PageSize-1)/s.cfg.PageSize)
	if n > pages {
		s.notFound(w, r)
		return
	}
	p, err := s.renderSearch(snap, lang, sq, found, n, pages)
	if err != nil {
		s.fail(w, r, lang, err)
		return
	}
	serve(w, r, p, "")
}

func (s *Server) renderSearch(snap *feed.Snapshot, lang string, sq searchQuery, found []*feed.Entry, n, pages int) (*page, error) {
	v := s.newView(lang, "search")
	v.Switch, v.Page, v.Pages, v.Version = s.frontSwitch(lang), n, pages, s.version(snap.Version)
	v.Search = s.searchForm(snap, lang, sq)
	v.Search.Results = fmt.Sprintf(v.W.Results, len(found))
	v.Heading = v.W.Search
	// The URL of another page keeps the query: url.Values escapes it, the template
	// escapes it again as an attribute.
	href := func(page int) string {
		q := url.Values{}
		if sq.Q != "" {
			q.Set("q", sq.Q)
		}
		if sq.Month != "" {
			q.Set("month", sq.Month)
		}
		if sq.Tag != "" {
			q.Set("tag", sq.Tag)
		}
		if page > 1 {
			q.Set("page", strconv.Itoa(page))
		}
		return v.Search.Action + "?" + q.Encode()
	}
	v.URL = s.cfg.BaseURL + strings.TrimPrefix(href(n), s.prefix)
	// The switch keeps the query: the same search in the other language.
	for i, l := range v.Switch {
		v.Switch[i].Href = strings.Replace(href(1), "/"+lang+"/search", "/"+l.Lang+"/search", 1)
	}
	if n > 1 {
		v.NewerHref = href(n - 1)
	}
	if n < pages {
		v.OlderHref = href(n + 1)
	}
	size := s.cfg.PageSize
	for _, e := range found[(n-1)*size : min(n*size, len(found))] {
		it, err := s.item(v.W, e, false)
		if err != nil {
			return nil, err
		}
		v.Items = append(v.Items, it)
	}
	return s.renderView(http.StatusOK, cacheRevalidate, v, snap.Modified)
}
