package site

import (
	"bytes"
	"fmt"
	"net/http"

	"github.com/paeria/pregoner/services/web/feed"
	"github.com/paeria/pregoner/shared/bulletin"
)

// article serves /{lang}/article/{id}: the <article> a list page in lang shows for id's
// bulletin (its translation group), exactly as the list renders it. live.js fetches it
// when a live event names one changed bulletin, and inserts, replaces or removes that
// one article instead of fetching the whole page: a few hundred bytes per reader
// instead of the page. 204 when the list shows nothing of that bulletin any more
// (retracted), 404 for an id the page never had. The ETag follows the article's bytes,
// so a reader who already holds it gets a 304.
func (s *Server) article(lang string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		if bulletin.CheckID(id) != nil {
			s.notFound(w, r)
			return
		}
		if !s.ready(w, r, lang) {
			return
		}
		st := s.current()
		e := st.snap.ByID[id]
		if e == nil {
			s.notFound(w, r)
			return
		}
		shown := st.snap.Shown(e.Group, lang)
		if shown == nil {
			w.Header().Set("Cache-Control", cacheError)
			w.WriteHeader(http.StatusNoContent)
			return
		}
		p, err := st.get("article:"+lang+":"+shown.ID, func() (*page, error) { return s.renderArticle(shown, lang) })
		if err != nil {
			s.fail(w, r, lang, err)
			return
		}
		serve(w, r, p, "")
	}
}

// renderArticle renders e as list pages in lang show it.
func (s *Server) renderArticle(e *feed.Entry, lang string) (*page, error) {
	it, err := s.item(dictionary[lang], e, false)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := s.tmpl.ExecuteTemplate(&buf, "item", it); err != nil {
		return nil, fmt.Errorf("render article %s: %w", e.ID, err)
	}
	return newPage(http.StatusOK, "text/html; charset=utf-8", cacheRevalidate, buf.Bytes(), e.LastModified()), nil
}
