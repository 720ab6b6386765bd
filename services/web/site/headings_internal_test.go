package site

import "testing"

func TestPromoteHeadings(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"none", "<p>text</p>", "<p>text</p>"},
		{"starts_at_h2", "<h2>a</h2><h3>b</h3>", "<h2>a</h2><h3>b</h3>"},
		{"starts_at_h3", "<h3 id=\"x\">a</h3><p>t</p><h4>b</h4>", "<h2 id=\"x\">a</h2><p>t</p><h3>b</h3>"},
		{"starts_at_h4", "<h4>a</h4><h6>b</h6>", "<h2>a</h2><h4>b</h4>"},
		{"escaped_text", "<h3>a &lt;h3&gt;</h3><p>&lt;h4</p>", "<h2>a &lt;h3&gt;</h2><p>&lt;h4</p>"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := promoteHeadings(c.in); got != c.want {
				t.Errorf("promoteHeadings(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}
