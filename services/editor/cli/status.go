package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"slices"
	"text/tabwriter"
	"time"

	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/bus"
	"github.com/paeria/pregoner/shared/delivery"
)

func statusCmd(ctx context.Context, c *client, fs *flag.FlagSet, args []string) error {
	if err := wantArgs(fs, args, 1); err != nil {
		return err
	}
	if err := bulletin.CheckID(args[0]); err != nil {
		return fmt.Errorf("status: %w", err)
	}
	var st *delivery.Status
	var err error
	if c.api != nil {
		var code int
		st, code, err = c.api.status(ctx, args[0])
		if code == http.StatusNotFound {
			return fmt.Errorf("status %s: no such bulletin", args[0])
		}
	} else {
		if err := c.connect(ctx); err != nil {
			return err
		}
		st, err = delivery.GetStatus(ctx, c.pub, c.store, args[0])
		if errors.Is(err, bus.ErrNotFound) {
			return fmt.Errorf("status %s: no such bulletin", args[0])
		}
	}
	if err != nil {
		return fmt.Errorf("status %s: %w", args[0], err)
	}
	if flagBool(fs, "json") {
		enc := json.NewEncoder(c.env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(st)
	}
	l := st.Latest
	fmt.Fprintf(c.env.Stdout, "%s — %s\nrevision %d (%s) by %s at %s\n\n", l.Key(), l.Bulletin.Title, l.Rev, l.Action,
		orDash(l.Author), l.At.Local().Format(time.DateTime))
	tw := tabwriter.NewWriter(c.env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CHANNEL\tSTATE\tREV\tATTEMPTS\tWHERE / WHY")
	for _, ch := range st.Channels {
		rev, attempts, detail := "-", "-", ""
		if r := ch.Record; r != nil {
			rev, attempts = fmt.Sprint(r.Rev), fmt.Sprint(r.Attempts)
			detail = r.Ref.URL
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
			if r.Ref.Note != "" {
				detail += " [" + r.Ref.Note + "]"
			}
		}
		if ch.State == delivery.Pending && (ch.Record == nil || ch.Record.Rev < l.Rev) {
			detail = fmt.Sprintf("waiting for the %s worker to take revision %d", ch.Channel, l.Rev)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", ch.Channel, ch.State, rev, attempts, detail)
	}
	return tw.Flush()
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
	// Checked here, before the bus or the API: "*" on a subject would address every bulletin.
	if err := bulletin.CheckID(args[0]); err != nil {
		return fmt.Errorf("retract: %w", err)
	}
	if c.api != nil {
		key, code, err := c.api.retract(ctx, args[0])
		if code == http.StatusNotFound {
			return fmt.Errorf("retract %s: no such bulletin", args[0])
		}
		if err != nil {
			return fmt.Errorf("retract %s: %w", args[0], err)
		}
		fmt.Fprintf(c.env.Stdout, "%s retracted\n", key)
		return nil
	}
	if err := c.connect(ctx); err != nil {
		return err
	}
	rev, err := c.pub.Retract(ctx, args[0], c.author)
	if errors.Is(err, bus.ErrNotFound) {
		return fmt.Errorf("retract %s: no such bulletin", args[0])
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(c.env.Stdout, "%s retracted\n", rev.Key())
	return nil
}

func retryCmd(ctx context.Context, c *client, fs *flag.FlagSet, args []string) error {
	if err := wantArgs(fs, args, 2); err != nil {
		return err
	}
	id, channel := args[0], args[1]
	if err := bulletin.CheckID(id); err != nil {
		return fmt.Errorf("retry: %w", err)
	}
	if !slices.Contains(bulletin.KnownChannels, channel) {
		return fmt.Errorf("retry %s: unknown channel %q (want one of telegram, youtube, web)", id, channel)
	}
	if c.api != nil {
		if err := c.api.retry(ctx, id, channel); err != nil {
			return fmt.Errorf("retry %s on %s: %w", id, channel, err)
		}
	} else {
		if err := c.connect(ctx); err != nil {
			return err
		}
		if err := delivery.Redrive(ctx, c.store, c.pub, id, channel, c.author); err != nil {
			return err
		}
	}
	fmt.Fprintf(c.env.Stdout, "%s on %s: sent back to the %s worker; see: editor status %s\n", id, channel, channel, id)
	return nil
}
