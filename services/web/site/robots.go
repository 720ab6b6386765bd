package site

import (
	"net/http"
	"time"
)

// robotsTxt lets crawlers index every page and tells them to leave alone what is no
// page: the live-update stream (it never ends) and the articles live.js fetches (each
// is on a list page and its permalink already). Lighthouse's SEO audit reads it too.
// The paths carry the base URL's path, prefix.
func robotsTxt(prefix string) *page {
	body := "User-agent: *\nAllow: /\nDisallow: " + prefix + "/events\n"
	for _, l := range uiLangs {
		body += "Disallow: " + prefix + "/" + l + "/article/\n"
	}
	return newPage(http.StatusOK, "text/plain; charset=utf-8", cacheRevalidate, []byte(body), time.Time{})
}

func (s *Server) robots(w http.ResponseWriter, r *http.Request) { serve(w, r, s.robotsPage, "") }
