package ui

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	texttemplate "text/template"
	"text/template/parse"
	"unicode"

	"github.com/paeria/pregoner/services/editor/i18n"
)

// untranslated may appear in a template as they are: the product's name, the
// languages' own names in the switch and the bulletin form, and HTTP's header syntax.
var untranslated = map[string]bool{
	"pregoner · editor":       true,
	"· pregoner editor":       true,
	"Català":                  true,
	"Castellano":              true,
	"English":                 true,
	"Authorization: Bearer …": true,
}

// shownAttrs are the attributes a reader sees or hears; value only on buttons that
// show it (see shown).
var shownAttrs = map[string]bool{"title": true, "placeholder": true, "aria-label": true, "alt": true, "label": true, "data-confirm": true,
	"data-confirm-now": true, "data-prompt": true, "data-now": true, "data-later": true}

var (
	actionRE = regexp.MustCompile(`(?s)\{\{.*?\}\}`)
	attrRE   = regexp.MustCompile(`([^\s=/>]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s>]+))?`)
	keyRE    = regexp.MustCompile(`(?:\{\{-?\s*|\()t\s+"([^"]+)"`)
	goKeyRE  = regexp.MustCompile(`i18n\.M\("([^"]+)"`)
)

// untranslatedText returns the words in a template's source that the reader would
// see and that no template function put in her language: text between tags and shown
// attribute values, once every {{action}} is taken out.
func untranslatedText(src string) []string {
	s := actionRE.ReplaceAllString(src, "§")
	var out []string
	check := func(text string) {
		text = strings.TrimSpace(strings.ReplaceAll(text, "§", " "))
		text = strings.Join(strings.Fields(text), " ")
		if strings.ContainsFunc(text, unicode.IsLetter) && !untranslated[text] {
			out = append(out, text)
		}
	}
	for len(s) > 0 {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			check(s)
			break
		}
		check(s[:i])
		s = s[i:]
		end := tagEnd(s)
		tag := s[1:end]
		s = s[min(end+1, len(s)):]
		if strings.HasPrefix(tag, "!") || strings.HasPrefix(tag, "/") {
			continue
		}
		attrs := attrRE.FindAllStringSubmatch(tag, -1)
		if len(attrs) == 0 {
			continue
		}
		name, vals := strings.ToLower(attrs[0][1]), map[string]string{}
		for _, a := range attrs[1:] {
			vals[strings.ToLower(a[1])] = strings.Trim(a[2], `"'`)
		}
		for k, v := range vals {
			if shownAttrs[k] || (k == "value" && shownValue(name, vals["type"])) {
				check(v)
			}
		}
	}
	return out
}

// tagEnd is the index of the '>' closing the tag s starts with, past quoted values.
func tagEnd(s string) int {
	var quote byte
	for i := 1; i < len(s); i++ {
		switch c := s[i]; {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '>':
			return i
		}
	}
	return len(s)
}

// shownValue: an input button shows its value; a <button>'s value is only sent.
func shownValue(tag, typ string) bool {
	return tag == "input" && (typ == "submit" || typ == "button" || typ == "reset")
}

func TestUntranslatedTextFinder(t *testing.T) {
	for _, tt := range []struct {
		src  string
		want string
	}{
		{`<p>{{t "x"}}</p>`, ""},
		{`<p>Hello</p>`, "Hello"},
		{`<p>{{.Name}} by {{.Who}}</p>`, "by"},
		{`<button title="Go">{{t "go"}}</button>`, "Go"},
		{`<button name="action" value="publish">{{t "p"}}</button>`, ""},
		{`<input type="submit" value="Send">`, "Send"},
		{`<input type="hidden" name="next" value="{{.Next}}">`, ""},
		{`<span class="state s-{{.State}}" aria-label='State {{.S}}'>—</span>`, "State"},
		{`<a href="/x" data-confirm="{{t "sure"}}">{{if .A}}Edit{{else}}{{t "new"}}{{end}}</a>`, "Edit"},
		{`<a class="brand" href="/">pregoner · editor</a>`, ""},
		{`<option {{if .X}}selected{{end}}>{{.}}</option>`, ""},
	} {
		if got := strings.Join(untranslatedText(tt.src), "|"); got != tt.want {
			t.Errorf("%s: found %q, want %q", tt.src, got, tt.want)
		}
	}
}

// No template shows a word that escapes translation, each key it asks for is in the
// catalogue, and no action prints a string constant (a word smuggled past t).
func TestTemplatesTranslateEveryWord(t *testing.T) {
	words, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil || len(names) == 0 {
		t.Fatalf("templates: %v %v", names, err)
	}
	for _, n := range names {
		src, err := fs.ReadFile(templateFS, n)
		if err != nil {
			t.Fatal(err)
		}
		for _, text := range untranslatedText(string(src)) {
			t.Errorf("%s: %q is not translated: use {{t \"key\"}}", n, text)
		}
		for _, m := range keyRE.FindAllStringSubmatch(string(src), -1) {
			if !words.Has(m[1]) {
				t.Errorf("%s: key %q is not in the catalogue", n, m[1])
			}
		}
		parsed, err := texttemplate.New(n).Funcs(texttemplate.FuncMap((&Server{}).funcs(i18n.Catalan))).Parse(string(src))
		if err != nil {
			t.Fatal(err)
		}
		for _, tmpl := range parsed.Templates() {
			if tmpl.Tree == nil {
				continue
			}
			walkActions(tmpl.Tree.Root, func(a *parse.ActionNode) {
				if len(a.Pipe.Cmds) == 1 && len(a.Pipe.Cmds[0].Args) == 1 {
					if s, ok := a.Pipe.Cmds[0].Args[0].(*parse.StringNode); ok && strings.ContainsFunc(s.Text, unicode.IsLetter) {
						t.Errorf("%s: %s prints a constant: use {{t \"key\"}}", n, a)
					}
				}
			})
		}
	}
}

func walkActions(n parse.Node, fn func(*parse.ActionNode)) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n != nil {
			for _, c := range n.Nodes {
				walkActions(c, fn)
			}
		}
	case *parse.ActionNode:
		fn(n)
	case *parse.IfNode:
		walkActions(n.List, fn)
		walkActions(n.ElseList, fn)
	case *parse.RangeNode:
		walkActions(n.List, fn)
		walkActions(n.ElseList, fn)
	case *parse.WithNode:
		walkActions(n.List, fn)
		walkActions(n.ElseList, fn)
	}
}

// Every message key the UI's Go code names is in the catalogue.
func TestCodeKeysInCatalogue(t *testing.T) {
	words, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range goKeyRE.FindAllStringSubmatch(string(src), -1) {
			if !words.Has(m[1]) {
				t.Errorf("%s: key %q is not in the catalogue", f, m[1])
			}
		}
	}
	for code, key := range notices {
		if !words.Has(key) {
			t.Errorf("notice %q: key %q is not in the catalogue", code, key)
		}
	}
}
