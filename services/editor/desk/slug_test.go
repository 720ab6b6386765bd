package desk_test

import (
	"context"
	"strings"
	"testing"

	"github.com/paeria/pregoner/services/editor/desk"
	"github.com/paeria/pregoner/shared/bulletin"
)

func TestSlug(t *testing.T) {
	long := strings.Repeat("Reobertura de les escoles ", 6)
	tests := []struct{ title, want string }{
		{"Mesures de confinament a Lleida", "mesures-de-confinament-a-lleida"},
		{"Reobertura dels col·legis i l'Institut", "reobertura-dels-collegis-i-l-institut"},
		{"Información: ¿cuándo abren las piscinas? Año 2020", "informacion-cuando-abren-las-piscinas-ano-2020"},
		{"  Àrea de salut — Dr. Núñez, façana   ", "area-de-salut-dr-nunez-facana"},
		{"COVID-19: 3 casos nous", "covid-19-3-casos-nous"},
		{"¡¿!?", ""},
		{"", ""},
		{long, "reobertura-de-les-escoles-reobertura-de-les-escoles-reobertura-de-les-escoles"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			got := desk.Slug(tt.title)
			if got != tt.want {
				t.Errorf("Slug(%q) = %q, want %q", tt.title, got, tt.want)
			}
			if got != "" && bulletin.CheckID(got) != nil {
				t.Errorf("Slug(%q) = %q is no valid id: %v", tt.title, got, bulletin.CheckID(got))
			}
		})
	}
}

// A suggestion never names an id in use, published or scheduled or kept as a draft:
// it takes the next free suffix, and stays within the id's 80 characters.
func TestSuggestIDIsUnique(t *testing.T) {
	d, _ := newDesk(t)
	ctx := context.Background()
	publish := func(f desk.Fields) {
		t.Helper()
		if _, err := d.Publish(ctx, anna, f.Source(), desk.Intent{New: true}); err != nil {
			t.Fatal(err)
		}
	}
	publish(desk.Fields{ID: "mesures-de-confinament-a-lleida", Title: "Mesures", Channels: []string{"web"}, Body: "x"})
	publish(desk.Fields{ID: "mesures-de-confinament-a-lleida-2", Title: "Mesures", Channels: []string{"web"}, PublishAt: "2020-03-20T10:00:00+01:00", Body: "x"})
	if err := d.SaveDraft(ctx, anna, desk.Fields{ID: "mesures-de-confinament-a-lleida-3", Title: "Mesures"}, 0); err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("a", 80)
	publish(desk.Fields{ID: long, Title: "A", Channels: []string{"web"}, Body: "x"})

	tests := []struct{ title, want string }{
		{"Mesures de confinament a Lleida", "mesures-de-confinament-a-lleida-4"},
		{"Mercats", "mercats"},
		{long, strings.Repeat("a", 78) + "-2"},
		{"—", ""},
	}
	for _, tt := range tests {
		got, err := d.SuggestID(ctx, tt.title)
		if err != nil || got != tt.want {
			t.Errorf("SuggestID(%q) = %q, %v; want %q", tt.title, got, err, tt.want)
		}
	}
	// The preview of a new bulletin without an id is made, and checked, under it.
	p, err := d.Preview(ctx, desk.Fields{Title: "Mercats oberts", Channels: []string{"web"}, Body: "Obren."}, desk.Intent{New: true})
	if err != nil || p.SuggestedID != "mercats-oberts" || len(p.Problems) != 0 {
		t.Errorf("preview: %+v %v", p, err)
	}
	// An id typed is kept: no suggestion over it.
	if p, err := d.Preview(ctx, desk.Fields{ID: "meu", Title: "Mercats", Channels: []string{"web"}, Body: "x"}, desk.Intent{New: true}); err != nil || p.SuggestedID != "" {
		t.Errorf("preview with an id: %+v %v", p, err)
	}
}
