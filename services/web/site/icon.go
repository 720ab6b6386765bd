package site

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"image/png"
)

// iconName is the page's icon among the static assets; /favicon.ico serves it too,
// because browsers and link previews ask there whatever the page says.
const iconName = "favicon.ico"

// makeIcon draws the page's icon, the council's red with a white cross (health
// information), and wraps it as an ICO holding one 32×32 PNG, which every browser since
// 2007 reads. It is drawn in code so there is no binary file to review.
func makeIcon() ([]byte, error) {
	const size = 32
	red, white := color.NRGBA{0xb0, 0x00, 0x20, 0xff}, color.NRGBA{0xff, 0xff, 0xff, 0xff}
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	for y := range size {
		for x := range size {
			c := red
			if (x >= 13 && x < 19 && y >= 6 && y < 26) || (y >= 13 && y < 19 && x >= 6 && x < 26) {
				c = white
			}
			img.SetNRGBA(x, y, c)
		}
	}
	var pngData bytes.Buffer
	if err := png.Encode(&pngData, img); err != nil {
		return nil, fmt.Errorf("encode icon: %w", err)
	}
	// ICONDIR (6 bytes) and one ICONDIRENTRY (16 bytes), then the PNG.
	var ico bytes.Buffer
	for _, v := range []any{
		uint16(0), uint16(1), uint16(1), // reserved, type icon, one image
		uint8(size), uint8(size), uint8(0), uint8(0), // width, height, no palette, reserved
		uint16(1), uint16(32), uint32(pngData.Len()), uint32(6 + 16), // planes, bits, size, offset
	} {
		_ = binary.Write(&ico, binary.LittleEndian, v) // writes to memory do not fail
	}
	ico.Write(pngData.Bytes())
	return ico.Bytes(), nil
}
