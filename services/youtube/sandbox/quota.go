package sandbox

import (
	"time"
)

// PacificZone is where the YouTube quota day begins and ends: America/Los_Angeles.
func PacificZone() *time.Location {
	loc, err := time.LoadLocation("America/Los_Angeles")
	if err != nil { // unreachable: time/tzdata is linked in
		return time.FixedZone("PST", -8*3600)
	}
	return loc
}

// rollQuota starts a new quota day when the clock has passed midnight Pacific time.
// The caller holds s.mu.
func (s *Server) rollQuota() {
	if day := s.now().In(s.pacific).Format(time.DateOnly); day != s.quotaDay {
		s.quotaDay, s.quotaUsed = day, 0
	}
}

// charge takes cost units from today's quota and reports whether there were enough.
// The caller holds s.mu.
func (s *Server) charge(cost int) bool {
	s.rollQuota()
	if s.quotaUsed+cost > s.cfg.DailyQuota {
		return false
	}
	s.quotaUsed += cost
	return true
}
