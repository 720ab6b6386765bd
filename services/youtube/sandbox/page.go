package sandbox

import (
	"html/template"
	"net/http"
	"slices"
	"time"
)

var pageTmpl = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="ca"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Heading}} · YouTube sandbox · pregoner</title>
<style>
body{font-family:system-ui,sans-serif;max-width:42rem;margin:1rem auto;padding:0 1rem;line-height:1.4}
article{border-top:1px solid #ccc;padding:.5rem 0}
.desc{white-space:pre-wrap;color:#333}
.meta{color:#555;font-size:.9rem}
</style></head><body>
<h1>{{.Heading}}</h1>
<p class="meta">Local YouTube sandbox: nothing here reaches youtube.com.
Quota used today (Pacific): {{.QuotaUsed}} / {{.QuotaLimit}} units.</p>
{{range .Items}}<article id="{{.ID}}">
<h2><a href="{{$.WatchPrefix}}{{.ID}}">{{.Title}}</a></h2>
<p class="meta">{{.Start.Format "Mon 2 Jan 2006 15:04 MST"}} · {{.Privacy}} · {{.ID}}</p>
<p class="desc">{{.Description}}</p>
</article>{{else}}<p>No broadcasts scheduled.</p>{{end}}
</body></html>
`))

type pageData struct {
	Heading               string
	WatchPrefix           string
	QuotaUsed, QuotaLimit int
	Items                 []Broadcast
}

// page shows every broadcast, soonest first, in Lleida's time.
func (s *Server) page(w http.ResponseWriter, _ *http.Request) {
	items := s.Broadcasts()
	slices.SortStableFunc(items, func(a, b Broadcast) int { return a.Start.Compare(b.Start) })
	s.render(w, "Scheduled broadcasts", items)
}

// watch shows one broadcast, as youtube.com/watch?v=<id> would.
func (s *Server) watch(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("v")
	for _, b := range s.Broadcasts() {
		if b.ID == id {
			s.render(w, b.Title, []Broadcast{b})
			return
		}
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusNotFound)
	_, _ = w.Write([]byte("This broadcast does not exist (any more).\n"))
}

func (s *Server) render(w http.ResponseWriter, heading string, items []Broadcast) {
	madrid, err := time.LoadLocation("Europe/Madrid")
	if err != nil {
		madrid = time.UTC
	}
	for i := range items {
		items[i].Start = items[i].Start.In(madrid)
	}
	st := s.Stats()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = pageTmpl.Execute(w, pageData{Heading: heading, WatchPrefix: "/watch?v=",
		QuotaUsed: st.QuotaUsed, QuotaLimit: s.cfg.DailyQuota, Items: items})
}
