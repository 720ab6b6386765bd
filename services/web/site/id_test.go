package site_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/paeria/pregoner/shared/bulletin"
)

// A permalink whose id breaks the slug rule is a 404, answered before any lookup.
func TestPermalinkWithABadIDIsNotFound(t *testing.T) {
	e := newEnv(t, testConfig())
	e.publish(&bulletin.Bulletin{ID: "avis", Title: "Avís", Body: "Text."})
	e.waitBody("/bulletins/avis", nil, http.StatusOK, "Avís")
	for _, id := range []string{"*", ">", "a.b", "../x", "", strings.Repeat("a", 300), "confinamént", "AVIS"} {
		if r := e.get("/bulletins/"+url.PathEscape(id), nil); r.status != http.StatusNotFound {
			t.Errorf("GET /bulletins/%.20s: %d; want 404", url.PathEscape(id), r.status)
		}
	}
}
