package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"text/tabwriter"
	"time"

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
		return enc.Encode(&st)
	}
	l := st.Latest
	fmt.Fprintf(c.env.Stdout, "%s — %s\nrevision %d (%s) by %s at %s\n\n", l.Key(), l.Bulletin.Title, l.Rev, l.Action,
		orDash(l.Author), l.At.Local().Format(time.DateTime))
	tw := tabwriter.NewWriter(c.env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CHANNEL\tSTATE\tREV\tATTEMPTS\tWHERE / WHY")
	for _, ch := range st.Channels {
		rev, attempts, detail := "-", "-", ""
		if r := ch.Record; r != nil {
			rev, attempts, detail = fmt.Sprint(r.Rev), fmt.Sprint(r.Attempts), explain(r)
		}
		if ch.State == delivery.Pending && (ch.Record == nil || ch.Record.Rev < l.Rev) {
			detail = fmt.Sprintf("waiting for the %s worker to take revision %d", ch.Channel, l.Rev)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", ch.Channel, ch.State, rev, attempts, detail)
	}
	return tw.Flush()
}

// explain says where a record's bulletin is, or why it is not there.
func explain(r *delivery.Record) string {
	detail := r.Ref.URL
	if r.Error != "" {
		detail = r.Error
	}
	if r.State == delivery.Failed {
		detail += " (next try " + r.NextAttempt.Local().Format(time.TimeOnly) + ")"
	}
	if r.Visible != "" {
		detail += "; still visible: " + r.Visible
	}
	if r.State == delivery.Superseded {
		detail = fmt.Sprintf("not sent: revision %d replaced it before its turn", r.SupersededBy)
	}
	if r.Ref.Sandbox {
		detail += " [sandbox: nothing reaches the real channel]"
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
