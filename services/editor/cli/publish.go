package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/paeria/pregoner/shared/bulletin"
)

// published is what became of one file.
type published struct {
	Key       string // id@rev; empty when scheduled
	Changed   bool
	Scheduled string // "id scheduled for <time>" when scheduled
}

func (p published) String() string {
	if p.Scheduled != "" {
		return p.Scheduled
	}
	if !p.Changed {
		return p.Key + " (unchanged)"
	}
	return p.Key
}

// publishFile sends one file to the editor, which checks it as it checks the UI's
// (the format, the channels' rules, the id), then publishes it, or schedules it for a
// future publish_at, and records who. Nothing is checked here: one set of rules, the
// editor's, and its words for each problem, placed by file, line and field.
func (c *client) publishFile(ctx context.Context, path string) (published, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return published{}, fmt.Errorf("%s: %w", path, errors.Unwrap(err))
	}
	var out struct {
		ID       string             `json:"id"`
		Revision *bulletin.Revision `json:"revision"`
		Changed  bool               `json:"changed"`
		Schedule *time.Time         `json:"scheduled"`
	}
	q := "/api/bulletins?file=" + url.QueryEscape(filepath.Base(path))
	if err := c.call(ctx, http.MethodPost, q, "text/markdown; charset=utf-8", src, path, &out); err != nil {
		return published{}, err
	}
	if out.Schedule != nil {
		return published{Scheduled: out.ID + " scheduled for " + out.Schedule.Format(bulletin.TimeLayout)}, nil
	}
	if out.Revision == nil {
		return published{}, errors.New("api: unexpected answer: no revision")
	}
	return published{Key: out.Revision.Key(), Changed: out.Changed}, nil
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
			if fatal(err) {
				break // every other file would fail the same way
			}
			continue
		}
		fmt.Fprintln(c.env.Stdout, p)
	}
	if failed > 0 {
		fmt.Fprintf(c.env.Stderr, "%d of %d files not published\n", failed, len(args))
		return ErrFailed
	}
	return nil
}

func importCmd(ctx context.Context, c *client, fs *flag.FlagSet, args []string) error {
	if err := wantArgs(fs, args, 1); err != nil {
		return err
	}
	if st, err := os.Stat(args[0]); err != nil || !st.IsDir() {
		return fmt.Errorf("import %s: not a directory", args[0])
	}
	paths, err := filepath.Glob(filepath.Join(args[0], "*.md"))
	if err != nil {
		return fmt.Errorf("import %s: %w", args[0], err)
	}
	sort.Strings(paths)
	if len(paths) == 0 {
		fmt.Fprintf(c.env.Stderr, "import %s: no .md files\n", args[0])
		return ErrFailed
	}
	var done, unchanged, failed int
	width := len(fmt.Sprint(len(paths)))
	for i, path := range paths {
		prefix := fmt.Sprintf("[%*d/%d] ", width, i+1, len(paths))
		p, err := c.publishFile(ctx, path)
		switch {
		case err != nil:
			failed++
			fmt.Fprintf(c.env.Stderr, "%sFAILED %s\n", prefix, strings.ReplaceAll(err.Error(), "\n", "\n"+strings.Repeat(" ", len(prefix)+7)))
			if fatal(err) {
				return err
			}
		case p.Scheduled != "":
			done++
			fmt.Fprintf(c.env.Stdout, "%s%s\n", prefix, p.Scheduled)
		case p.Changed:
			done++
			fmt.Fprintf(c.env.Stdout, "%spublished %s\n", prefix, p.Key)
		default:
			unchanged++
			fmt.Fprintf(c.env.Stdout, "%sunchanged %s\n", prefix, p.Key)
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	fmt.Fprintf(c.env.Stdout, "%d files: %d published, %d unchanged, %d failed\n", len(paths), done, unchanged, failed)
	if failed > 0 {
		return ErrFailed
	}
	return nil
}
