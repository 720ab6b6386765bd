package bulletin

import (
	"strings"
	"testing"
	"time"
)

// Every problem Parse reports names its kind and carries the values its message
// names, so the editor can say it in staff's language without reading the English.
func TestEveryProblemHasAKind(t *testing.T) {
	const ok = "id: a\ntitle: T\n"
	for _, tt := range []struct {
		name, src, field, kind string
		args                   []any
	}{
		{"too large", "---\n" + ok + "---\n" + strings.Repeat("a", MaxSize), "", KindTooLarge, []any{257, 256}},
		{"not UTF-8", "---\n" + ok + "---\nCaf\xe9", "", KindNotUTF8, nil},
		{"no front matter", "Text", "front matter", KindNoFrontMatter, nil},
		{"not closed", "---\n" + ok, "front matter", KindNotClosed, nil},
		{"not YAML", "---\ntitle: [a\n---\nText", "front matter", KindNotYAML, []any{"not valid YAML: did not find expected ',' or ']'"}},
		{"not fields", "---\n- a\n---\nText", "front matter", KindNotFields, nil},
		{"bad file name", "---\ntitle: T\n---\nText", "id", KindBadFileName, []any{"Mal Nom"}},
		{"missing title", "---\nid: a\n---\nText", "title", KindMissing, nil},
		{"empty title", "---\nid: a\ntitle: \"\"\n---\nText", "title", KindEmpty, nil},
		{"empty body", "---\n" + ok + "---\n", "body", KindEmptyBody, nil},
		{"twice", "---\n" + ok + "title: U\n---\nText", "title", KindTwice, []any{3}},
		{"bad id", "---\nid: A B\ntitle: T\n---\nText", "id", KindBadID, []any{"A B", MaxIDLen}},
		{"bad lang", "---\n" + ok + "lang: català\n---\nText", "lang", KindBadLang, []any{"català"}},
		{"bad group", "---\n" + ok + "group: A B\n---\nText", "group", KindBadGroup, []any{"A B"}},
		{"urgent", "---\n" + ok + "urgent: potser\n---\nText", "urgent", KindNotBool, []any{"potser"}},
		{"unknown field", "---\n" + ok + "zzz: 1\n---\nText", "zzz", KindUnknownField, []any{strings.Join(knownFields, ", ")}},
		{"hint", "---\n" + ok + "titel: 1\n---\nText", "titel", KindUnknownHint, []any{"title"}},
		{"not single", "---\nid: a\ntitle: [a, b]\n---\nText", "title", KindNotSingle, nil},
		{"too long", "---\nid: a\ntitle: " + strings.Repeat("a", MaxTitleRunes+1) + "\n---\nText", "title", KindTooLong, []any{MaxTitleRunes + 1, MaxTitleRunes}},
		{"not time", "---\n" + ok + "publish_at: demà\n---\nText", "publish_at", KindNotTime, []any{TimeLayout}},
		{"not list", "---\n" + ok + "tags: {a: b}\n---\nText", "tags", KindNotList, nil},
		{"no channel", "---\n" + ok + "channels: []\n---\nText", "channels", KindNoChannel, []any{strings.Join(KnownChannels, ", ")}},
		{"unknown channel", "---\n" + ok + "channels: [fax]\n---\nText", "channels", KindUnknownChannel, []any{"fax", strings.Join(KnownChannels, ", ")}},
		{"channel twice", "---\n" + ok + "channels: [web, web]\n---\nText", "channels", KindChannelTwice, []any{"web"}},
		{"bad tag", "---\n" + ok + "tags: [\"a,b\"]\n---\nText", "tags", KindBadTag, nil},
		{"live not a block", "---\n" + ok + "live: demà\n---\nText", "live", KindNotLiveBlock, nil},
		{"live no start", "---\n" + ok + "live:\n  title: R\n---\nText", "live: start", KindNoStart, nil},
		{"alert not a block", "---\n" + ok + "alert: greu\n---\nText", "alert", KindNotAlertBlock, nil},
		{"alert not allowed", "---\n" + ok + "alert:\n  severity: Enorme\n  urgency: Future\n  certainty: Likely\n  category: [Health]\n---\nText",
			"alert: severity", KindNotAllowed, []any{"Enorme", strings.Join(AlertSeverities, ", ")}},
		{"alert missing", "---\n" + ok + "alert:\n  urgency: Future\n  certainty: Likely\n  category: [Health]\n---\nText",
			"alert: severity", KindMissingOneOf, []any{strings.Join(AlertSeverities, ", ")}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			name := "a.md"
			if tt.kind == KindBadFileName {
				name = "Mal Nom.md"
			}
			_, err := Parse(name, []byte(tt.src), Options{})
			for _, fe := range AsErrors(err) {
				if fe.Kind == "" {
					t.Errorf("%s: %q has no kind", fe.Field, fe.Msg)
				}
			}
			fe := find(AsErrors(err), tt.field, tt.kind)
			if fe == nil {
				t.Fatalf("no %s problem at %q: %v", tt.kind, tt.field, err)
			}
			if len(fe.Args) != len(tt.args) {
				t.Fatalf("args %v, want %v", fe.Args, tt.args)
			}
			for i := range tt.args {
				if fe.Args[i] != tt.args[i] {
					t.Errorf("arg %d: %#v, want %#v", i, fe.Args[i], tt.args[i])
				}
			}
		})
	}
}

// An alert that expires before its bulletin goes out names both times as times, so
// the editor writes them the way staff read dates.
func TestExpiresEarlyCarriesTimes(t *testing.T) {
	src := "---\nid: a\ntitle: T\npublish_at: 2020-03-20T12:00:00+01:00\nalert:\n  severity: Severe\n  urgency: Future\n  certainty: Likely\n  category: [Health]\n  expires: 2020-03-19T10:00:00+01:00\n---\nText"
	_, err := Parse("a.md", []byte(src), Options{})
	fe := find(AsErrors(err), "alert: expires", KindExpiresEarly)
	if fe == nil || len(fe.Args) != 2 {
		t.Fatalf("no expiry problem with two times: %v", err)
	}
	exp, ok1 := fe.Args[0].(time.Time)
	pub, ok2 := fe.Args[1].(time.Time)
	if !ok1 || !ok2 || !exp.Before(pub) {
		t.Errorf("args %#v", fe.Args)
	}
	if !strings.Contains(fe.Msg, "2020-03-19T10:00:00+01:00") {
		t.Errorf("the English message changed: %q", fe.Msg)
	}
}

func find(es Errors, field, kind string) *FieldError {
	for _, fe := range es {
		if fe.Field == field && fe.Kind == kind {
			return fe
		}
	}
	return nil
}
