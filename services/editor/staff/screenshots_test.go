package staff_test

import (
	"bytes"
	"flag"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// screenshots asks TestScreenshots to write the guide's pictures (docs/img/editor-*.png):
//
//	go test ./services/editor/staff -run TestScreenshots -count=1 -args -screenshots
var screenshots = flag.Bool("screenshots", false, "write the editor's screenshots to docs/img (TestScreenshots)")

// shotDir is docs/img from this package's directory.
const shotDir = "../../../docs/img"

// maxShot keeps the guide light: a picture bigger than this fails the test.
const maxShot = 150 << 10

// The main screens, in Catalan, as docs/editor.md shows them: each is checked to
// render with its Catalan words; with -screenshots each is also written as a PNG.
func TestScreenshots(t *testing.T) {
	var written []string
	shot := func(tr *tour, name string) {
		t.Helper()
		data, err := chromedp.Run(tr.ctx, chromedp.CaptureScreenshot())
		tr.must("screenshot "+name, err)
		img, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("screenshot %s: not a PNG: %v", name, err)
		}
		if b := img.Bounds(); int64(b.Dx()) != tr.width {
			t.Errorf("screenshot %s is %d px wide, want %d", name, b.Dx(), tr.width)
		}
		data = smaller(t, img)
		if len(data) > maxShot {
			t.Errorf("screenshot %s: %d KiB, want at most %d", name, len(data)>>10, maxShot>>10)
		}
		if *screenshots {
			path := filepath.Join(shotDir, "editor-"+name+".png")
			if err := os.WriteFile(path, data, 0o644); err != nil {
				t.Fatal(err)
			}
			written = append(written, path)
		}
	}
	words := func(tr *tour, screen string, want ...string) {
		t.Helper()
		text := tr.eval("the words of "+screen, `document.body.innerText`)
		for _, w := range want {
			if !strings.Contains(text, w) {
				t.Errorf("%s lacks %q:\n%s", screen, w, text)
			}
		}
	}
	tr := newTour(t, 1100, 760, false, "ca", func(tr *tour, name string) {
		switch name {
		case "firstrun":
			words(tr, name, "Creeu el primer administrador", "Contrasenya: com a mínim 12 caràcters")
		case "firstrun-totp":
			words(tr, name, "Configureu l'aplicació d'autenticació", "Secret per escriure a mà")
		}
		shot(tr, name)
	})

	tr.open("/", `!!document.querySelector('#bulletins') && !!document.querySelector('[data-cell="`+tourDead+`.telegram"]')`)
	words(tr, "list", "Confinament a Lleida: mesures vigents", "lliurat", "no s'ha pogut lliurar")
	shot(tr, "list")
	words(tr, "needs attention", "Cal la vostra atenció", "El bot no té permís per publicar al canal") // at the top of the list
	tr.open("/compose", `!!document.querySelector('#compose')`)
	tr.must("type", chromedp.Do(tr.ctx,
		chromedp.SendKeys(chromedp.CSS("#f-title"), "Horaris dels autobusos urbans"),
		chromedp.SendKeys(chromedp.CSS("#f-body"), "Durant el confinament, les línies **1, 2 i 3** passen cada 30 minuts.\n\nCal portar mascareta a bord.")))
	tr.waitJS("the preview", `document.querySelector('#preview-web').textContent.includes('Cal portar mascareta') && !!document.querySelector('#preview-telegram .tg-msg')`)
	words(tr, "compose", "Publica")
	tr.eval("the top of the form", `window.scrollTo(0, 0), 'ok'`)
	shot(tr, "compose")
	tr.open("/bulletins/"+tourDead, `!!document.querySelector('#channels')`)
	words(tr, "bulletin", "Torna-ho a provar", "no s'ha pogut lliurar")
	shot(tr, "bulletin")
	tr.open("/bulletins/"+tourEdited, `!!document.querySelector('details.rev dl.changes')`)
	tr.eval("the history", `document.querySelector('details.rev').previousElementSibling.scrollIntoView(), 'ok'`)
	words(tr, "history", "Abans:", "Ara:", "Confinament a Lleida: mesures vigents", "14/03/2020 22:00")
	shot(tr, "history")

	// The phone: the same list, 390 px wide.
	tr.width = 390
	tr.must("a phone", chromedp.Do(tr.ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateScale(1))))
	tr.open("/bulletins/"+tourDead, `!!document.querySelector('#channels')`)
	shot(tr, "phone")
	if *screenshots {
		t.Logf("wrote %s", strings.Join(written, ", "))
	}
}

// smaller re-encodes a screenshot with the best compression.
func smaller(t *testing.T, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
