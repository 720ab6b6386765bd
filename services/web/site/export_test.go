package site

// SetInlineMax lowers the largest article a live event carries, so that a test reaches
// the fetch fallback with an ordinary bulletin. Call it before any stream opens.
func (s *Service) SetInlineMax(n int) { s.server.inlineMax = n }
