package site

import "strings"

// promoteHeadings raises the headings of a permalink's body so that the first level
// used follows the page's <h1> (the title): shared/markdown makes "##" an <h3>, right
// under a list's <h2> titles, but under the permalink's <h1> that skips a level, which
// screen readers announce as missing structure (and Lighthouse's heading-order audit
// marks down). html is shared/markdown's output, where a literal "<h" in the text is
// always escaped, so every "<hN" is an element.
func promoteHeadings(html string) string {
	top := 0
	for l := 2; l <= 6 && top == 0; l++ {
		if strings.Contains(html, "<h"+string(rune('0'+l))) {
			top = l
		}
	}
	if top <= 2 {
		return html
	}
	shift := top - 2
	pairs := make([]string, 0, 4*(7-top))
	for l := top; l <= 6; l++ {
		from, to := string(rune('0'+l)), string(rune('0'+l-shift))
		pairs = append(pairs, "<h"+from, "<h"+to, "</h"+from+">", "</h"+to+">")
	}
	return strings.NewReplacer(pairs...).Replace(html)
}
