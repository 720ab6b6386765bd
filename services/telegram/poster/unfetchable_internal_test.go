package poster

import (
	"errors"
	"fmt"
	"testing"

	"github.com/go-telegram/bot"
)

// Every answer Telegram gives to a photo it cannot use makes the part go as text;
// refusals about the text itself or the chat do not.
func TestUnfetchable(t *testing.T) {
	for _, tc := range []struct {
		desc string
		want bool
	}{
		{"Bad Request: wrong file identifier/HTTP URL specified", true},
		{"Bad Request: failed to get HTTP URL content", true},
		{"Bad Request: IMAGE_PROCESS_FAILED", true},
		{"Bad Request: PHOTO_INVALID_DIMENSIONS", true},
		{"Bad Request: wrong remote file identifier specified: Wrong padding in the string", true},
		{"Bad Request: message caption is too long", false},
		{"Bad Request: can't parse entities: Unsupported start tag \"x\"", false},
		{"Bad Request: chat not found", false},
	} {
		err := fmt.Errorf("%w, %s", bot.ErrorBadRequest, tc.desc)
		if got := unfetchable(err); got != tc.want {
			t.Errorf("%q: unfetchable = %v, want %v", tc.desc, got, tc.want)
		}
	}
	if unfetchable(errors.New("IMAGE_PROCESS_FAILED")) {
		t.Error("an error that is not the Bot API's Bad Request counts as a photo refusal")
	}
}
