package sandbox

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// apply writes the parts named in ps from in over b, whole: a field of a written part
// that the request leaves out is cleared, as the real service does.
func (s *Server) apply(b *broadcast, in *inBroadcast, ps []string, insert bool) *apiError {
	next := *b
	if slices.Contains(ps, "snippet") || insert {
		if in.Snippet == nil {
			return badRequest("titleRequired", "The snippet.title property is required.")
		}
		sn := in.Snippet
		switch {
		case sn.Title == nil || strings.TrimSpace(*sn.Title) == "":
			return badRequest("titleRequired", "The snippet.title property is required.")
		case utf8.RuneCountInString(*sn.Title) > MaxTitleChars || strings.ContainsAny(*sn.Title, "<>"):
			return badRequest("invalidTitle", "The snippet.title property must be 1–100 characters and may not contain < or >.")
		}
		next.title = *sn.Title
		next.description = ""
		if sn.Description != nil {
			if len(*sn.Description) > MaxDescriptionBytes || strings.ContainsAny(*sn.Description, "<>") {
				return badRequest("invalidDescription", "The snippet.description property may be at most 5000 bytes and may not contain < or >.")
			}
			next.description = *sn.Description
		}
		if sn.ScheduledStartTime == nil || *sn.ScheduledStartTime == "" {
			return badRequest("scheduledStartTimeRequired", "The snippet.scheduledStartTime property is required.")
		}
		start, err := time.Parse(time.RFC3339Nano, *sn.ScheduledStartTime)
		if err != nil {
			return badRequest("invalidScheduledStartTime", "The snippet.scheduledStartTime value is not an ISO 8601 date-time.")
		}
		if !start.After(s.now()) {
			return badRequest("invalidScheduledStartTime", "The scheduled start time must be in the future.")
		}
		next.start, next.end = start, time.Time{}
		if sn.ScheduledEndTime != nil && *sn.ScheduledEndTime != "" {
			end, err := time.Parse(time.RFC3339Nano, *sn.ScheduledEndTime)
			if err != nil || !end.After(start) {
				return badRequest("invalidScheduledEndTime", "The scheduled end time must come after the scheduled start time.")
			}
			next.end = end
		}
	}
	if slices.Contains(ps, "status") || insert {
		if in.Status == nil || in.Status.PrivacyStatus == nil {
			return badRequest("privacyStatusRequired", "The status.privacyStatus property is required.")
		}
		switch *in.Status.PrivacyStatus {
		case "public", "private", "unlisted":
		default:
			return badRequest("invalidPrivacyStatus", "The status.privacyStatus value is not supported.")
		}
		next.privacy = *in.Status.PrivacyStatus
		next.madeForKids = in.Status.SelfDeclaredMadeForKids != nil && *in.Status.SelfDeclaredMadeForKids
	}
	if slices.Contains(ps, "contentDetails") {
		next.contentDetails = in.ContentDetails
	}
	*b = next
	return nil
}
