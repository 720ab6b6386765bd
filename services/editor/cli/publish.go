package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/bus"
)

// publishFile parses and publishes one file. A file that does not parse publishes
// nothing; its errors name the file, line and field.
func (c *client) publishFile(ctx context.Context, path string) (published, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return published{}, fmt.Errorf("%s: %w", path, errors.Unwrap(err))
	}
	b, err := bulletin.Parse(path, src, bulletin.Options{})
	if err != nil {
		return published{}, err
	}
	if c.api != nil {
		// The editor checks it again, schedules a future publish_at, and records who.
		return c.api.publish(ctx, path, src)
	}
	if b.PublishAt != nil && b.PublishAt.After(c.now()) {
		// Scheduling belongs on the bus so it survives restarts; until it lands, refuse
		// rather than send a scheduled bulletin early.
		return published{}, fmt.Errorf("%s: publish_at: %s is in the future, and scheduling goes through the editor: use --api URL, or remove publish_at to publish now",
			path, b.PublishAt.Format(bulletin.TimeLayout))
	}
	if err := c.connect(ctx); err != nil {
		return published{}, err
	}
	p, err := c.pub.Publish(ctx, b, c.author)
	if err != nil {
		return published{}, err
	}
	return fromBus(p), nil
}

func publishCmd(ctx context.Context, c *client, fs *flag.FlagSet, args []string) error {
	if len(args) == 0 {
		fs.Usage()
		return ErrUsage
	}
	failed := 0
	for _, path := range args {
		p, err := c.publishFile(ctx, path)
		if err != nil {
			fmt.Fprintln(c.env.Stderr, err)
			failed++
			continue
		}
		fmt.Fprintln(c.env.Stdout, describe(p))
	}
	if failed > 0 {
		fmt.Fprintf(c.env.Stderr, "%d of %d files not published\n", failed, len(args))
		return ErrFailed
	}
	return nil
}

// published is what became of one file.
type published struct {
	Key       string // id@rev; empty when scheduled
	Changed   bool
	Scheduled string // "id scheduled for <time>" when scheduled
}

func fromBus(p bus.Published) published {
	return published{Key: p.Revision.Key(), Changed: p.Changed}
}

func describe(p published) string {
	if p.Scheduled != "" {
		return p.Scheduled
	}
	if !p.Changed {
		return p.Key + " (unchanged)"
	}
	return p.Key
}

func importCmd(ctx context.Context, c *client, fs *flag.FlagSet, args []string) error {
	if err := wantArgs(fs, args, 1); err != nil {
		return err
	}
	paths, err := filepath.Glob(filepath.Join(args[0], "*.md"))
	if err != nil {
		return fmt.Errorf("import %s: %w", args[0], err)
	}
	if st, err := os.Stat(args[0]); err != nil || !st.IsDir() {
		return fmt.Errorf("import %s: not a directory", args[0])
	}
	sort.Strings(paths)
	if len(paths) == 0 {
		fmt.Fprintf(c.env.Stderr, "import %s: no .md files\n", args[0])
		return ErrFailed
	}
	var published, unchanged, failed int
	width := len(fmt.Sprint(len(paths)))
	for i, path := range paths {
		prefix := fmt.Sprintf("[%*d/%d] ", width, i+1, len(paths))
		p, err := c.publishFile(ctx, path)
		switch {
		case err != nil:
			failed++
			fmt.Fprintf(c.env.Stderr, "%sFAILED %s\n", prefix, strings.ReplaceAll(err.Error(), "\n", "\n"+strings.Repeat(" ", len(prefix)+7)))
		case p.Scheduled != "":
			published++
			fmt.Fprintf(c.env.Stdout, "%s%s\n", prefix, p.Scheduled)
		case p.Changed:
			published++
			fmt.Fprintf(c.env.Stdout, "%spublished %s\n", prefix, p.Key)
		default:
			unchanged++
			fmt.Fprintf(c.env.Stdout, "%sunchanged %s\n", prefix, p.Key)
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	fmt.Fprintf(c.env.Stdout, "%d files: %d published, %d unchanged, %d failed\n", len(paths), published, unchanged, failed)
	if failed > 0 {
		return ErrFailed
	}
	return nil
}
