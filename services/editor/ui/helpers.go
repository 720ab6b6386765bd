package ui

import (
	"errors"
	"html/template"
	"io/fs"
	"path"
	"strings"
	"time"

	"github.com/paeria/pregoner/services/editor/accounts"
)

func asErr[T error](err error, target *T) bool { return err != nil && errors.As(err, target) }

func (s *Server) funcs() template.FuncMap {
	return template.FuncMap{
		"when": func(t time.Time) string {
			if t.IsZero() {
				return "—"
			}
			return t.In(s.opts.Location).Format("2 Jan 2006 15:04:05")
		},
		"can": func(u *accounts.User, role string) bool { return u != nil && u.Role.Allows(accounts.Role(role)) },
		"has": func(list []string, v string) bool {
			for _, x := range list {
				if x == v {
					return true
				}
			}
			return false
		},
		"join": strings.Join,
		"inc":  func(i int) int { return i + 1 },
	}
}

// parseTemplates builds one template set per page: the layout plus the page.
func (s *Server) parseTemplates() (map[string]*template.Template, error) {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	out := map[string]*template.Template{}
	for _, n := range names {
		base := strings.TrimSuffix(path.Base(n), ".html")
		if base == "layout" {
			continue
		}
		t, err := template.New(base).Funcs(s.funcs()).ParseFS(templateFS, "templates/layout.html", n)
		if err != nil {
			return nil, err
		}
		out[base] = t
	}
	return out, nil
}
