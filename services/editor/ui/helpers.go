package ui

import (
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"path"
	"strings"
	"time"

	"github.com/paeria/pregoner/services/editor/accounts"
	"github.com/paeria/pregoner/services/editor/i18n"
)

func asErr[T error](err error, target *T) bool { return err != nil && errors.As(err, target) }

// funcs are the template functions for pages in lang. Every word a template shows
// comes through t, msg or word (a test holds the templates to it).
func (s *Server) funcs(lang i18n.Lang) template.FuncMap {
	m := template.FuncMap{
		// t is the catalogue's message key, with its arguments.
		"t": func(key string, args ...any) string { return s.words.T(lang, key, args...) },
		// msg is a message a handler made (a notice, an error, a title).
		"msg": func(m i18n.Msg) string { return s.words.Msg(lang, m) },
		// word is a value of a closed set (a state, a role, an action) in words.
		"word": func(kind string, v any) string { return s.words.Word(lang, kind, fmt.Sprint(v)) },
		"when": func(t time.Time) string { return i18n.Date(t, s.opts.Location) },
		// json is a value carried through a form unchanged (a hidden input).
		"json": func(v any) (string, error) {
			data, err := json.Marshal(v)
			return string(data), err
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
	for k, f := range s.attentionFuncs(lang) { // failures in words (attention.go)
		m[k] = f
	}
	return m
}

// parseTemplates builds one template set per page: the layout plus the page.
func (s *Server) parseTemplates(lang i18n.Lang) (map[string]*template.Template, error) {
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
		t, err := template.New(base).Funcs(s.funcs(lang)).ParseFS(templateFS, "templates/layout.html", n)
		if err != nil {
			return nil, err
		}
		out[base] = t
	}
	return out, nil
}
