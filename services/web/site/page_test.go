package site_test

import (
	"encoding/json"
	"encoding/xml"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/paeria/pregoner/shared/bulletin"
	"github.com/paeria/pregoner/shared/delivery"
)

// parsedAtom is what a feed reader takes from the Atom feed.
type parsedAtom struct {
	XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string   `xml:"id"`
	Updated string   `xml:"updated"`
	Links   []struct {
		Rel  string `xml:"rel,attr"`
		Href string `xml:"href,attr"`
	} `xml:"link"`
	Entries []struct {
		Lang    string `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
		ID      string `xml:"id"`
		Title   string `xml:"title"`
		Updated string `xml:"updated"`
		Link    struct {
			Href string `xml:"href,attr"`
		} `xml:"link"`
		Content struct {
			Type string `xml:"type,attr"`
			Body string `xml:",chardata"`
		} `xml:"content"`
	} `xml:"entry"`
}

type parsedJSONFeed struct {
	Version string `json:"version"`
	FeedURL string `json:"feed_url"`
	Items   []struct {
		ID            string `json:"id"`
		URL           string `json:"url"`
		Title         string `json:"title"`
		ContentHTML   string `json:"content_html"`
		DatePublished string `json:"date_published"`
		DateModified  string `json:"date_modified"`
		Language      string `json:"language"`
	} `json:"items"`
}

func (e *env) atom() parsedAtom {
	e.t.Helper()
	r := e.get("/feed.atom", nil)
	if r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "application/atom+xml") {
		e.t.Fatalf("GET /feed.atom: %d %s", r.status, r.header.Get("Content-Type"))
	}
	var f parsedAtom
	if err := xml.Unmarshal([]byte(r.body), &f); err != nil {
		e.t.Fatalf("feed.atom does not parse: %v\n%s", err, r.body)
	}
	return f
}

func (e *env) jsonFeed() parsedJSONFeed {
	e.t.Helper()
	r := e.get("/feed.json", nil)
	if r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "application/feed+json") {
		e.t.Fatalf("GET /feed.json: %d %s", r.status, r.header.Get("Content-Type"))
	}
	var f parsedJSONFeed
	if err := json.Unmarshal([]byte(r.body), &f); err != nil {
		e.t.Fatalf("feed.json does not parse: %v\n%s", err, r.body)
	}
	return f
}

func TestPublishEditRetractReachEveryView(t *testing.T) {
	e := newEnv(t, testConfig())
	permalink := testBase + "/bulletins/2020-03-14-confinament"

	// Publish: the page, the permalink, both feeds and the delivery record agree.
	e.publish(&bulletin.Bulletin{ID: "2020-03-14-confinament", Title: "Mesures de confinament a Lleida",
		Body: "El **paer en cap** informa que cal quedar-se a casa."})
	rec := e.waitRecord("2020-03-14-confinament", 1, delivery.Delivered)
	if rec.Ref.URL != permalink || rec.Carried != 1 {
		t.Errorf("record after publish: url %q carried %d, want %q carried 1", rec.Ref.URL, rec.Carried, permalink)
	}
	front := e.waitBody("/ca/", nil, http.StatusOK, "Mesures de confinament a Lleida")
	if !strings.Contains(front.body, `href="/bulletins/2020-03-14-confinament"`) {
		t.Errorf("front page does not link the permalink:\n%s", front.body)
	}
	if strings.Contains(front.body, "Actualitzat") {
		t.Errorf("a bulletin never edited shows as updated")
	}
	p := e.get("/bulletins/2020-03-14-confinament", nil)
	if p.status != http.StatusOK || !strings.Contains(p.body, "<strong>paer en cap</strong>") {
		t.Fatalf("permalink: %d\n%s", p.status, p.body)
	}
	if !strings.Contains(p.body, `<article class="bulletin full" lang="ca"`) {
		t.Errorf("permalink article carries no lang attribute:\n%s", p.body)
	}
	atom := e.atom()
	if len(atom.Entries) != 1 || atom.Entries[0].ID != permalink || atom.Entries[0].Link.Href != permalink ||
		atom.Entries[0].Lang != "ca" || atom.Entries[0].Content.Type != "html" ||
		!strings.Contains(atom.Entries[0].Content.Body, "<strong>paer en cap</strong>") {
		t.Errorf("atom after publish: %+v", atom.Entries)
	}
	if atom.ID != testBase+"/" || len(atom.Links) == 0 || atom.Links[0].Rel != "self" || atom.Links[0].Href != testBase+"/feed.atom" {
		t.Errorf("atom feed metadata: id %q links %+v", atom.ID, atom.Links)
	}
	jf := e.jsonFeed()
	if jf.Version != "https://jsonfeed.org/version/1.1" || jf.FeedURL != testBase+"/feed.json" {
		t.Errorf("json feed metadata: version %q feed_url %q", jf.Version, jf.FeedURL)
	}
	if len(jf.Items) != 1 || jf.Items[0].URL != permalink || jf.Items[0].DateModified != "" || jf.Items[0].Language != "ca" {
		t.Errorf("json feed after publish: %+v", jf.Items)
	}
	if _, err := time.Parse(time.RFC3339, jf.Items[0].DatePublished); err != nil {
		t.Errorf("json feed date_published %q: %v", jf.Items[0].DatePublished, err)
	}

	// Edit: every view shows the new revision in place, marked as updated.
	e.publish(&bulletin.Bulletin{ID: "2020-03-14-confinament", Title: "Confinament: noves mesures",
		Body: "Només es pot sortir per anar a la **farmàcia**."})
	rec = e.waitRecord("2020-03-14-confinament", 2, delivery.Delivered)
	if rec.Ref.URL != permalink || rec.Carried != 2 {
		t.Errorf("record after edit: url %q carried %d", rec.Ref.URL, rec.Carried)
	}
	front = e.waitBody("/ca/", nil, http.StatusOK, "Confinament: noves mesures")
	if strings.Contains(front.body, "Mesures de confinament a Lleida") || !strings.Contains(front.body, "Actualitzat") {
		t.Errorf("front page after edit shows the old title or no 'updated':\n%s", front.body)
	}
	p = e.get("/bulletins/2020-03-14-confinament", nil)
	if !strings.Contains(p.body, "<strong>farmàcia</strong>") || strings.Contains(p.body, "paer en cap") {
		t.Errorf("permalink after edit does not show the latest revision:\n%s", p.body)
	}
	atom = e.atom()
	if len(atom.Entries) != 1 || atom.Entries[0].Title != "Confinament: noves mesures" {
		t.Errorf("atom after edit: %+v", atom.Entries)
	}
	jf = e.jsonFeed()
	if len(jf.Items) != 1 || jf.Items[0].Title != "Confinament: noves mesures" || jf.Items[0].DateModified == "" {
		t.Errorf("json feed after edit: %+v", jf.Items)
	}

	// Retract: gone from the page and the feeds; the permalink answers 410 with a notice.
	e.retract("2020-03-14-confinament")
	rec = e.waitRecord("2020-03-14-confinament", 3, delivery.Retracted)
	if rec.Carried != 0 {
		t.Errorf("record after retract still carries %d", rec.Carried)
	}
	gone := e.waitBody("/bulletins/2020-03-14-confinament", nil, http.StatusGone, "retirat")
	if strings.Contains(gone.body, "farmàcia") {
		t.Errorf("410 page still shows the retracted text")
	}
	front = e.get("/ca/", nil)
	if strings.Contains(front.body, "Confinament: noves mesures") || !strings.Contains(front.body, "Encara no hi ha cap comunicat") {
		t.Errorf("front page still shows a retracted bulletin:\n%s", front.body)
	}
	if n := len(e.atom().Entries); n != 0 {
		t.Errorf("atom still has %d entries after retract", n)
	}
	if n := len(e.jsonFeed().Items); n != 0 {
		t.Errorf("json feed still has %d items after retract", n)
	}
	if r := e.get("/bulletins/never-published", nil); r.status != http.StatusNotFound {
		t.Errorf("unknown bulletin: %d, want 404", r.status)
	}
}
