package desk_test

import (
	"context"
	"encoding/json"
	"regexp"
	"testing"
	"time"

	"github.com/paeria/pregoner/services/editor/accounts"
	"github.com/paeria/pregoner/services/editor/desk"
	"github.com/paeria/pregoner/shared/bus"
	"github.com/paeria/pregoner/shared/natstest"
)

// A member's name in a draft's key: only the characters NATS keys allow, one key per
// name, whatever letters the name has.
func TestAuthorKey(t *testing.T) {
	natsKey := regexp.MustCompile(`^[-/_=.a-zA-Z0-9]+$`)
	seen := map[string]string{}
	for _, name := range []string{"anna", "núria", "Pérez", "nu\u0301ria", "token:importer", "anna.puig", "张伟", "o'connor"} {
		k := desk.AuthorKey(name)
		if !natsKey.MatchString(k) || regexp.MustCompile(`[.=]`).MatchString(k) {
			t.Errorf("AuthorKey(%q) = %q: not a key part", name, k)
		}
		if other, ok := seen[k]; ok {
			t.Errorf("%q and %q share the key %q", name, other, k)
		}
		seen[k] = name
	}
}

// A draft saved under the bare id, before drafts were kept per author, is still its
// author's, and moves under her key when she saves it again.
func TestOldDraftStillFound(t *testing.T) {
	ctx := context.Background()
	conn := natstest.Start(t).Connect("desk-test")
	d, err := desk.New(ctx, desk.Deps{JS: conn.JS, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	kv, err := conn.JS.KeyValue(ctx, bus.BucketDrafts)
	if err != nil {
		t.Fatal(err)
	}
	old, _ := json.Marshal(desk.Draft{Fields: desk.Fields{ID: "avis", Title: "Avís", Body: "vell"}, Author: "núria"})
	if _, err := kv.Put(ctx, "avis", old); err != nil {
		t.Fatal(err)
	}
	dr, err := d.DraftBy(ctx, "avis", "núria")
	if err != nil || dr.Fields.Body != "vell" {
		t.Fatalf("old draft: %+v %v", dr, err)
	}
	if _, err := d.DraftBy(ctx, "avis", "pau"); err == nil {
		t.Error("núria's old draft is found as pau's")
	}
	nuria := desk.Actor{Name: "núria", Role: accounts.Writer}
	if err := d.SaveDraft(ctx, nuria, desk.Fields{ID: "avis", Title: "Avís", Body: "nou"}, 0); err != nil {
		t.Fatal(err)
	}
	all, err := d.DraftsOf(ctx, "avis")
	if err != nil || len(all) != 1 || all[0].Fields.Body != "nou" {
		t.Fatalf("after saving: %d drafts %v", len(all), err)
	}
	if _, err := kv.Get(ctx, "avis"); err == nil {
		t.Error("the old key is still there after the draft moved")
	}
}
