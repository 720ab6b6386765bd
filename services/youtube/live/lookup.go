package live

import (
	"context"
	"slices"
	"strings"

	yt "google.golang.org/api/youtube/v3"

	"github.com/paeria/pregoner/shared/delivery"
	"github.com/paeria/pregoner/shared/ytfields"
)

// This file is how the worker keeps to one broadcast per announcement when YouTube's
// answers go missing: it looks for what an earlier attempt may have made, by the
// bulletin's permalink on the description's last line, before making or withdrawing
// anything. The description is the only place to keep that link: a liveBroadcast has
// no field viewers do not see that takes free text, and the permalink is there anyway.

// maxScanPages bounds the search for a broadcast an earlier attempt made: 20 pages of
// 50 are the first thousand broadcasts the list returns, at 1 unit a page.
const maxScanPages = 20

// mayHaveActed reports whether an earlier attempt may have made a broadcast that the
// record does not name: a call whose answer never came (time-out, reset, EOF, 5xx)
// leaves the record without the broadcast's id. The worker says so with Job.Retry; a
// record of attempts that did not end in delivered says so too, for a worker that
// moved on to a newer revision or a retraction after such an attempt.
func mayHaveActed(job delivery.Job) bool {
	return job.Retry || job.Prev.Attempts > 0 && job.Prev.State != delivery.Delivered
}

// withdraw deletes the broadcasts job.Prev.Ref names and, when an earlier attempt may
// have made one the record does not name, those found by the bulletin's permalink. With
// no record of any attempt it makes no call. A broadcast it cannot delete is reported
// with delivery.Showing, so the record keeps saying what citizens still see.
func (c *Channel) withdraw(ctx context.Context, job delivery.Job) error {
	ids := slices.Clone(job.Prev.Ref.IDs)
	search := mayHaveActed(job)
	if len(ids) == 0 && !search {
		return nil
	}
	if err := c.waitQuota(ctx); err != nil {
		return err
	}
	if search {
		found, err := c.findAll(ctx, job.Revision.ID)
		if err != nil {
			return err
		}
		for _, id := range found {
			if !slices.Contains(ids, id) {
				c.log.Info("found a broadcast an earlier attempt made; deleting it", "id", job.Revision.ID, "broadcast", id)
				ids = append(ids, id)
			}
		}
	}
	for i, id := range ids {
		if err := c.delete(ctx, id); err != nil && !isNotFound(err) {
			left := ids[i:]
			return delivery.Showing(err, c.watchRef(left...), "broadcast "+strings.Join(left, ", "))
		}
	}
	return nil
}

// find looks for the broadcast an earlier attempt made for bulletin id, by the
// permalink in its description; "" when there is none.
func (c *Channel) find(ctx context.Context, id string) (string, error) {
	found, err := c.scan(ctx, id, true)
	if err != nil || len(found) == 0 {
		return "", err
	}
	return found[0], nil
}

// findAll returns every broadcast whose description announces bulletin id.
func (c *Channel) findAll(ctx context.Context, id string) ([]string, error) {
	return c.scan(ctx, id, false)
}

// scan lists the channel's broadcasts, up to maxScanPages pages, for those announcing
// bulletin id (ytfields.Announces: its permalink, or an older version's marker); with
// first it stops at the first match.
func (c *Channel) scan(ctx context.Context, id string, first bool) ([]string, error) {
	permalink, token := ytfields.Permalink(c.cfg.WebBaseURL, id), ""
	var found []string
	for range maxScanPages {
		var resp *yt.LiveBroadcastListResponse
		_, err := c.call(ctx, "list", CostList, func() (err error) {
			resp, err = c.api.LiveBroadcasts.List([]string{"snippet"}).Mine(true).MaxResults(50).
				PageToken(token).Context(ctx).Do()
			return err
		})
		if err != nil {
			return nil, err
		}
		for _, it := range resp.Items {
			if it.Snippet != nil && ytfields.Announces(it.Snippet.Description, permalink, id) {
				found = append(found, it.Id)
				if first {
					return found, nil
				}
			}
		}
		if resp.NextPageToken == "" {
			break
		}
		token = resp.NextPageToken
	}
	return found, nil
}
