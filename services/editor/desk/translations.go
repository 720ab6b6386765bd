package desk

import (
	"context"
	"fmt"

	"github.com/paeria/pregoner/shared/bulletin"
)

// Translations are the other published bulletins of b's group — the same news in
// another language — so the bulletin's page can link them ("Versió en castellà: ...").
// A retracted translation is no longer one citizens can read, so it is left out.
func (d *Desk) Translations(ctx context.Context, b *bulletin.Bulletin) ([]*bulletin.Bulletin, error) {
	var out []*bulletin.Bulletin
	err := d.pub.EachLatest(ctx, func(r *bulletin.Revision) error {
		if r.Bulletin != nil && r.ID != b.ID && r.Bulletin.Group == b.Group && r.Action != bulletin.Retract {
			out = append(out, r.Bulletin)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("translations of %s: %w", b.ID, err)
	}
	return out, nil
}
