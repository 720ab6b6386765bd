package schedule_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/natstest"
)

func TestScheduleRefusesABadID(t *testing.T) {
	e := connect(t, natstest.Start(t))
	ctx := context.Background()
	entries := []struct {
		name string
		call func(id string) error
	}{
		{"Put", func(id string) error { return e.store.Put(ctx, entry(id, "text", t0)) }},
		{"Get", func(id string) error { _, err := e.store.Get(ctx, id); return err }},
		{"Cancel", func(id string) error { return e.store.Cancel(ctx, id) }},
	}
	for _, en := range entries {
		for _, id := range []string{"*", ">", "a.b", "../x", "", strings.Repeat("a", 300), "confinamént"} {
			if err := en.call(id); !errors.Is(err, bulletin.ErrBadID) || !strings.Contains(err.Error(), bulletin.IDRule) {
				t.Errorf("%s(%.20q) = %v; want an error naming the rule", en.name, id, err)
			}
		}
	}
	if list, err := e.store.List(ctx); err != nil || len(list) != 0 {
		t.Errorf("schedules after bad ids: %v, %v; want none", list, err)
	}
}
