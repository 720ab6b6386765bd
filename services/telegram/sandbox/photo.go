package sandbox

import (
	"encoding/json"
	"net/url"
	"strings"
	"time"

	"github.com/paeria/pregoner/shared/tghtml"
)

// notModified is the Bot API's answer to an edit that changes nothing.
const notModified = "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message"

// Unfetchable is the default Config.Unfetchable: Telegram cannot fetch an image from a
// host under the reserved .invalid domain (RFC 2606), so tests name a broken image
// https://…invalid/….
func Unfetchable(photo string) bool {
	u, err := url.Parse(photo)
	return err != nil || strings.HasSuffix(u.Hostname(), ".invalid")
}

// fetch checks a photo given by URL as Telegram would before it posts it: a string
// that is neither an http(s) URL nor a file id is refused, and so is a URL whose
// content Telegram cannot get.
func (s *Server) fetch(photo string) *apiError {
	u, err := url.Parse(photo)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		if strings.ContainsAny(photo, ":/ ") || photo == "" {
			return badRequest("wrong file identifier/HTTP URL specified")
		}
		return nil // a file_id of an earlier upload
	}
	unfetchable := s.cfg.Unfetchable
	if unfetchable == nil {
		unfetchable = Unfetchable
	}
	if unfetchable(photo) {
		return badRequest("failed to get HTTP URL content")
	}
	return nil
}

// editCaption answers editMessageCaption: only a message with media has a caption.
func (s *Server) editCaption(now time.Time, c *chat, p params) (any, *apiError) {
	m, aerr := s.editable(c, p)
	if aerr != nil {
		return nil, aerr
	}
	if m.Photo == "" {
		return nil, badRequest("there is no caption in the message to edit")
	}
	shown, aerr := content(p, "caption", tghtml.MaxCaption)
	if aerr != nil {
		return nil, aerr
	}
	if p.get("caption") == m.HTML && p.get("parse_mode") == m.ParseMode {
		return nil, badRequest(notModified)
	}
	m.HTML, m.ParseMode, m.Text, m.Edited = p.get("caption"), p.get("parse_mode"), shown, now
	return s.wire(c, m), nil
}

// inputMedia is editMessageMedia's media parameter (a JSON object).
type inputMedia struct {
	Type      string `json:"type"`
	Media     string `json:"media"`
	Caption   string `json:"caption"`
	ParseMode string `json:"parse_mode"`
}

// editMedia answers editMessageMedia for photos: the photo and its caption are
// replaced (a caption left out is removed, as in the Bot API). A text message cannot
// become a photo.
func (s *Server) editMedia(now time.Time, c *chat, p params) (any, *apiError) {
	m, aerr := s.editable(c, p)
	if aerr != nil {
		return nil, aerr
	}
	var in inputMedia
	if err := json.Unmarshal([]byte(p.get("media")), &in); err != nil || in.Type == "" {
		return nil, badRequest("can't parse InputMedia JSON object")
	}
	if in.Type != "photo" {
		return nil, badRequest("unsupported media type %q in the sandbox (use photo)", in.Type)
	}
	if m.Photo == "" {
		return nil, badRequest("there is no media in the message to edit")
	}
	if strings.HasPrefix(in.Media, "attach://") {
		in.Media = "(uploaded file)"
	} else if aerr := s.fetch(in.Media); aerr != nil {
		return nil, aerr
	}
	cp := params{values: map[string]string{"caption": in.Caption, "parse_mode": in.ParseMode}}
	shown, aerr := content(cp, "caption", tghtml.MaxCaption)
	if aerr != nil {
		return nil, aerr
	}
	if in.Media == m.Photo && in.Caption == m.HTML && in.ParseMode == m.ParseMode {
		return nil, badRequest(notModified)
	}
	m.Photo, m.HTML, m.ParseMode, m.Text, m.Edited = in.Media, in.Caption, in.ParseMode, shown, now
	return s.wire(c, m), nil
}

// editable finds the message an edit names and checks the bot may edit it: Telegram
// checks the right before it looks at the new content.
func (s *Server) editable(c *chat, p params) (*Message, *apiError) {
	m, aerr := s.message(c, p, "edit")
	if aerr != nil {
		return nil, aerr
	}
	if m.By != "" && !s.canEdit && !s.cfg.Creator {
		return nil, badRequest("message can't be edited")
	}
	return m, nil
}
