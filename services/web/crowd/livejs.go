package main

import (
	"html"
	"strconv"
	"strings"
)

// What live.js does, as the readers follow it: which stream a page opens, and how it
// shows the one new bulletin an event names.

// eventsPath is the stream the page names (data-events: /events?lang=ca on a list's
// first page), as live.js opens it; with -fetch article or page, the stream without a
// language, whose events only name the bulletin, as live.js had before.
func eventsPath(page, fetch string) string {
	p := "/events"
	if m := eventsRE.FindStringSubmatch(page); m != nil {
		p = html.UnescapeString(m[1])
	}
	if fetch != "event" {
		p, _, _ = strings.Cut(p, "?")
	}
	return p
}

// firstPage is what live.js reads from a list's first page (data-articles,
// data-page-size, data-total); articles is "" on any other page.
type firstPage struct {
	articles    string
	size, total int
}

func readFirstPage(page string) firstPage {
	m := articlesRE.FindStringSubmatch(page)
	if m == nil {
		return firstPage{}
	}
	size, _ := strconv.Atoi(m[2])
	total, _ := strconv.Atoi(m[3])
	return firstPage{articles: m[1], size: size, total: total}
}

// showBy is how live.js on fp shows the one new bulletin event c names (nil: the event
// named none), under -fetch: the article the event carries (byEvent), a fetch of that
// article (byArticle) or a refetch of the page (byPage). Not on a list's first page,
// or when one more bulletin adds a page and the event brings no page links for it,
// live.js refetches the page (it cannot redraw the links otherwise).
func showBy(fp firstPage, fetch string, c *told) shownBy {
	if fp.articles == "" || fp.size < 1 || c == nil || fetch == "page" {
		return byPage
	}
	grows := (fp.total+1+fp.size-1)/fp.size != max(1, (fp.total+fp.size-1)/fp.size)
	switch {
	case fetch == "event" && c.Article != "" && (!grows || c.Pages != "" && c.Total == fp.total+1):
		return byEvent
	case grows:
		return byPage
	default:
		return byArticle
	}
}
