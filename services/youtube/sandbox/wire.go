package sandbox

import (
	"encoding/json"
	"slices"
	"time"
)

// broadcast is a live broadcast as stored: the parts the client can write, and what
// the server fills in.
type broadcast struct {
	id, channelID, title, description, privacy string
	start, end, published                      time.Time
	madeForKids                                bool
	contentDetails                             json.RawMessage
	etag                                       string
}

func (b *broadcast) public() Broadcast {
	return Broadcast{ID: b.id, Title: b.title, Description: b.description, Privacy: b.privacy,
		Start: b.start, Published: b.published, SelfDeclaredMadeForKids: b.madeForKids}
}

// Wire shapes of the liveBroadcast resource (the subset pregoner and the rules touch).
type (
	wireBroadcast struct {
		Kind           string          `json:"kind"`
		Etag           string          `json:"etag"`
		ID             string          `json:"id"`
		Snippet        *wireSnippet    `json:"snippet,omitempty"`
		Status         *wireStatus     `json:"status,omitempty"`
		ContentDetails json.RawMessage `json:"contentDetails,omitempty"`
	}
	wireSnippet struct {
		PublishedAt        string `json:"publishedAt"`
		ChannelID          string `json:"channelId"`
		Title              string `json:"title"`
		Description        string `json:"description"`
		ScheduledStartTime string `json:"scheduledStartTime"`
		ScheduledEndTime   string `json:"scheduledEndTime,omitempty"`
		IsDefaultBroadcast bool   `json:"isDefaultBroadcast"`
		LiveChatID         string `json:"liveChatId"`
	}
	wireStatus struct {
		LifeCycleStatus         string `json:"lifeCycleStatus"`
		PrivacyStatus           string `json:"privacyStatus"`
		RecordingStatus         string `json:"recordingStatus"`
		MadeForKids             bool   `json:"madeForKids"`
		SelfDeclaredMadeForKids bool   `json:"selfDeclaredMadeForKids"`
	}
	// inBroadcast is a request body; pointers tell a missing field from an empty one.
	inBroadcast struct {
		ID      string `json:"id"`
		Snippet *struct {
			Title              *string `json:"title"`
			Description        *string `json:"description"`
			ScheduledStartTime *string `json:"scheduledStartTime"`
			ScheduledEndTime   *string `json:"scheduledEndTime"`
		} `json:"snippet"`
		Status *struct {
			PrivacyStatus           *string `json:"privacyStatus"`
			SelfDeclaredMadeForKids *bool   `json:"selfDeclaredMadeForKids"`
		} `json:"status"`
		ContentDetails json.RawMessage `json:"contentDetails"`
	}
	listResponse struct {
		Kind          string           `json:"kind"`
		Etag          string           `json:"etag"`
		NextPageToken string           `json:"nextPageToken,omitempty"`
		PageInfo      map[string]int   `json:"pageInfo"`
		Items         []*wireBroadcast `json:"items"`
	}
)

// wire renders b with the parts asked for.
func (s *Server) wire(b *broadcast, ps []string) *wireBroadcast {
	out := &wireBroadcast{Kind: "youtube#liveBroadcast", Etag: b.etag, ID: b.id}
	if slices.Contains(ps, "snippet") {
		out.Snippet = &wireSnippet{PublishedAt: b.published.Format(time.RFC3339), ChannelID: b.channelID,
			Title: b.title, Description: b.description, ScheduledStartTime: b.start.UTC().Format(time.RFC3339),
			LiveChatID: "chat-" + b.id}
		if !b.end.IsZero() {
			out.Snippet.ScheduledEndTime = b.end.UTC().Format(time.RFC3339)
		}
	}
	if slices.Contains(ps, "status") {
		out.Status = &wireStatus{LifeCycleStatus: "created", PrivacyStatus: b.privacy,
			RecordingStatus: "notRecording", MadeForKids: b.madeForKids, SelfDeclaredMadeForKids: b.madeForKids}
	}
	if slices.Contains(ps, "contentDetails") {
		out.ContentDetails = b.contentDetails
		if out.ContentDetails == nil {
			out.ContentDetails = json.RawMessage(`{"enableAutoStart":false,"enableAutoStop":true,"enableDvr":true}`)
		}
	}
	return out
}
