package cli

import (
	"cmp"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"text/tabwriter"
	"time"

	"github.com/paeria/pregoner/services/editor/i18n"
	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/delivery"
)

// checkID refuses a bad id before anything is sent: "*" in a subject would address
// every bulletin, and the rule in the message says what an id may be.
func checkID(op, id string) error {
	if err := bulletin.CheckID(id); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	return nil
}

// noSuch turns the editor's 404 into the command's own words.
func noSuch(op, id string, err error) error {
	if statusOf(err) == http.StatusNotFound {
		return fmt.Errorf("%s %s: no such bulletin", op, id)
	}
	return fmt.Errorf("%s %s: %w", op, id, err)
}

func statusCmd(ctx context.Context, c *client, fs *flag.FlagSet, args []string) error {
	if err := wantArgs(fs, args, 1); err != nil {
		return err
	}
	id := args[0]
	if err := checkID("status", id); err != nil {
		return err
	}
	var st delivery.Status
	if err := c.call(ctx, http.MethodGet, "/api/bulletins/"+url.PathEscape(id), "", nil, "", &st); err != nil {
		return noSuch("status", id, err)
	}
	if flagBool(fs, "json") {
		enc := json.NewEncoder(c.env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(&st) // machine output: stable, in no language
	}
	w, err := newStatusWords(flagString(fs, "lang"), c.env.Getenv)
	if err != nil {
		return fmt.Errorf("status: %w", err)
	}
	l := st.Latest
	fmt.Fprintf(c.env.Stdout, "%s — %s\n%s\n\n", l.Key(), l.Bulletin.Title,
		w.t("cli.status.head", l.Rev, w.word("action", string(l.Action)), orDash(l.Author), w.date(l.At)))
	tw := tabwriter.NewWriter(c.env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, w.t("cli.status.columns"))
	for _, ch := range st.Channels {
		rev, attempts, detail := "-", "-", ""
		if r := ch.Record; r != nil {
			rev, attempts, detail = fmt.Sprint(r.Rev), fmt.Sprint(r.Attempts), w.explain(r)
		}
		if ch.State == delivery.Pending && (ch.Record == nil || ch.Record.Rev < l.Rev) {
			detail = w.t("cli.status.waiting", ch.Channel, l.Rev)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", ch.Channel, w.word("state", string(ch.State)), rev, attempts, detail)
	}
	return tw.Flush()
}

// statusWords put the status table in the reader's language: the one --lang names,
// else the terminal's (LC_ALL, LC_MESSAGES, LANG: ca_ES.UTF-8 is Catalan), else
// Catalan; dates as dd/mm/aaaa HH:MM in the council's zone, as the UI writes them.
type statusWords struct {
	lang  i18n.Lang
	words *i18n.Catalogue
	loc   *time.Location
}

func newStatusWords(flagLang string, getenv func(string) string) (*statusWords, error) {
	lang := i18n.Default
	if flagLang != "" {
		l, ok := i18n.Parse(flagLang)
		if !ok {
			return nil, fmt.Errorf("--lang: unknown language %q (want ca, es or en)", flagLang)
		}
		lang = l
	} else if l, ok := terminalLang(getenv); ok {
		lang = l
	}
	words, err := i18n.New()
	if err != nil {
		return nil, err
	}
	loc, err := time.LoadLocation(cmp.Or(getenv("EDITOR_TIME_ZONE"), "Europe/Madrid"))
	if err != nil {
		return nil, fmt.Errorf("EDITOR_TIME_ZONE: %w", err)
	}
	return &statusWords{lang: lang, words: words, loc: loc}, nil
}

// terminalLang is the language of the locale variables, in POSIX's order: the first
// one set decides, and a language the editor does not speak ("C", "fr_FR") is none.
func terminalLang(getenv func(string) string) (i18n.Lang, bool) {
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if v := getenv(k); v != "" {
			return i18n.Parse(v)
		}
	}
	return "", false
}

func (w *statusWords) t(key string, args ...any) string { return w.words.T(w.lang, key, args...) }
func (w *statusWords) word(kind, v string) string       { return w.words.Word(w.lang, kind, v) }
func (w *statusWords) date(t time.Time) string          { return i18n.Date(t, w.loc) }

// explain says where a record's bulletin is, or why it is not there.
func (w *statusWords) explain(r *delivery.Record) string {
	detail := r.Ref.URL
	if r.Error != "" {
		detail = r.Error
	}
	if r.State == delivery.Failed {
		detail += w.t("cli.status.nextTry", w.date(r.NextAttempt))
	}
	if r.Visible != "" {
		detail += w.t("cli.status.visible", r.Visible)
	}
	if r.State == delivery.Superseded {
		detail = w.t("cli.status.superseded", r.SupersededBy)
	}
	if r.Ref.Sandbox {
		detail += w.t("cli.status.sandbox")
	}
	if r.Ref.Note != "" {
		detail += " [" + r.Ref.Note + "]"
	}
	return detail
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func retractCmd(ctx context.Context, c *client, fs *flag.FlagSet, args []string) error {
	if err := wantArgs(fs, args, 1); err != nil {
		return err
	}
	id := args[0]
	if err := checkID("retract", id); err != nil {
		return err
	}
	var out struct {
		Revision *bulletin.Revision `json:"revision"`
	}
	if err := c.call(ctx, http.MethodPost, "/api/bulletins/"+url.PathEscape(id)+"/retract", "", nil, "", &out); err != nil {
		return noSuch("retract", id, err)
	}
	fmt.Fprintf(c.env.Stdout, "%s retracted\n", out.Revision.Key())
	return nil
}

func retryCmd(ctx context.Context, c *client, fs *flag.FlagSet, args []string) error {
	if err := wantArgs(fs, args, 2); err != nil {
		return err
	}
	id, channel := args[0], args[1]
	if err := checkID("retry", id); err != nil {
		return err
	}
	path := "/api/bulletins/" + url.PathEscape(id) + "/retry/" + url.PathEscape(channel)
	if err := c.call(ctx, http.MethodPost, path, "", nil, "", nil); err != nil {
		return fmt.Errorf("retry %s on %s: %w", id, channel, err)
	}
	fmt.Fprintf(c.env.Stdout, "%s on %s: sent back to the %s worker; see: editor status %s\n", id, channel, channel, id)
	return nil
}

func scheduleCmd(ctx context.Context, c *client, fs *flag.FlagSet, args []string) error {
	if len(args) == 1 && args[0] == "list" {
		var out struct {
			Schedules []struct {
				ID     string    `json:"id"`
				Title  string    `json:"title"`
				At     time.Time `json:"at"`
				Author string    `json:"author"`
			} `json:"schedules"`
		}
		if err := c.call(ctx, http.MethodGet, "/api/schedules", "", nil, "", &out); err != nil {
			return fmt.Errorf("schedule list: %w", err)
		}
		tw := tabwriter.NewWriter(c.env.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tAT\tBY\tTITLE")
		for _, s := range out.Schedules {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", s.ID, s.At.Format(bulletin.TimeLayout), orDash(s.Author), s.Title)
		}
		return tw.Flush()
	}
	if len(args) != 2 || args[0] != "cancel" {
		fs.Usage()
		return ErrUsage
	}
	id := args[1]
	if err := checkID("schedule cancel", id); err != nil {
		return err
	}
	if err := c.call(ctx, http.MethodDelete, "/api/schedules/"+url.PathEscape(id), "", nil, "", nil); err != nil {
		return fmt.Errorf("schedule cancel %s: %w", id, err)
	}
	fmt.Fprintf(c.env.Stdout, "schedule of %s cancelled: nothing will be published\n", id)
	return nil
}

// flagString is a string flag's value, "" when the command has no such flag.
func flagString(fs *flag.FlagSet, name string) string {
	if f := fs.Lookup(name); f != nil {
		return f.Value.String()
	}
	return ""
}
