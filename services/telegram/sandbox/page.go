package sandbox

import (
	"html/template"
	"net/http"
	"time"
)

// page shows every chat as citizens would see it. Posts in HTML parse mode passed the
// strict validator (only Telegram's tags, only http, https, mailto and tel links), so
// they are put in the page as they are; anything else is escaped.
func (s *Server) page(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/" {
		http.NotFound(w, r)
		return
	}
	type post struct {
		ID     int
		Body   template.HTML
		Photo  string
		Date   string
		Edited bool
		By     string
	}
	type chatView struct {
		Name  string
		Posts []post
	}
	var view []chatView
	s.mu.Lock()
	for _, c := range s.order {
		cv := chatView{Name: c.name}
		for _, m := range c.messages {
			if m.Deleted {
				continue
			}
			body := template.HTML(template.HTMLEscapeString(m.Text))
			if m.ParseMode == "HTML" {
				body = template.HTML(m.HTML) // validated by tghtml.Validate when it was accepted
			}
			cv.Posts = append(cv.Posts, post{ID: m.ID, Body: body, Photo: m.Photo,
				Date: m.Date.Local().Format("02/01/2006 15:04"), Edited: !m.Edited.IsZero(), By: m.By})
		}
		view = append(view, cv)
	}
	s.mu.Unlock()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	_ = pageTmpl.Execute(w, map[string]any{"Chats": view, "Now": time.Now().Format(time.TimeOnly)})
}

var pageTmpl = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="ca"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="5">
<title>Telegram (sandbox) — pregoner</title>
<style>
body{font:16px/1.4 system-ui,sans-serif;margin:0;background:#dfe7ee;color:#111}
header{background:#2b5278;color:#fff;padding:.6em 1em}
header small{opacity:.8}
main{display:flex;flex-wrap:wrap;gap:1em;padding:1em}
section{flex:1 1 22em;max-width:36em}
h2{font-size:1em;margin:.2em 0 .6em}
article{background:#fff;border-radius:.8em;padding:.6em .8em;margin:0 0 .6em;white-space:pre-wrap;overflow-wrap:anywhere;box-shadow:0 1px 1px #0002}
article footer{font-size:.75em;color:#789;text-align:right;white-space:normal}
pre{background:#f3f5f7;padding:.4em;border-radius:.3em;overflow-x:auto;margin:.2em 0}
code{font-family:ui-monospace,monospace;font-size:.9em}
blockquote{border-left:3px solid #2b5278;margin:.2em 0;padding-left:.6em}
tg-spoiler,.tg-spoiler{background:#999;color:transparent}
tg-spoiler:hover,.tg-spoiler:hover{color:inherit;background:none}
a{color:#2b5278}
</style></head><body>
<header><strong>Telegram sandbox</strong> <small>— what the channel would show; no message left this machine. Updated {{.Now}}.</small></header>
<main>
{{range .Chats}}<section><h2>{{.Name}}</h2>
{{range .Posts}}<article>{{if .Photo}}🖼 {{.Photo}}
{{end}}{{.Body}}<footer>#{{.ID}}{{if .By}} · {{.By}}{{end}} · {{.Date}}{{if .Edited}} · editat{{end}}</footer></article>
{{else}}<p>No posts yet.</p>{{end}}</section>
{{else}}<p>No chat has received a post yet.</p>{{end}}
</main></body></html>
`))
