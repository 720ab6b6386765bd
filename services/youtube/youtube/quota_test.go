package youtube_test

import (
	"github.com/paeria/pregoner/shared/testenv"
	"testing"
	"time"

	"github.com/paeria/pregoner/services/youtube/youtube"
)

func TestQuotaResetsAtMidnightPacificAcrossDaylightSaving(t *testing.T) {
	tests := []struct {
		name     string
		at, want string // RFC 3339
	}{
		{"lleida_morning_in_march_pdt", "2020-03-14T10:00:00+01:00", "2020-03-15T07:00:00Z"},
		{"day_us_clocks_go_forward", "2020-03-08T01:30:00-08:00", "2020-03-09T07:00:00Z"},
		{"november_pst", "2020-11-25T12:00:00Z", "2020-11-26T08:00:00Z"},
		{"one_second_before_reset", "2020-11-26T07:59:59Z", "2020-11-26T08:00:00Z"},
		{"at_reset_the_next_is_tomorrow", "2020-11-26T08:00:00Z", "2020-11-27T08:00:00Z"},
	}
	q := youtube.NewQuota(10000, time.Now)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			at, _ := time.Parse(time.RFC3339, tc.at)
			want, _ := time.Parse(time.RFC3339, tc.want)
			if got := q.NextReset(at); !got.Equal(want) {
				t.Errorf("NextReset(%s) = %s, want %s", tc.at, got.UTC(), want)
			}
		})
	}
}

func TestQuotaCountsTheDayAndForgetsExhaustionAtTheReset(t *testing.T) {
	c := testenv.NewClock(time.Date(2020, 3, 14, 23, 0, 0, 0, time.UTC)) // 16:00 Pacific
	q := youtube.NewQuota(10000, c.Now)
	q.Spend(youtube.CostWrite)
	q.Spend(youtube.CostList)
	if wait := q.Wait(); wait != 0 {
		t.Errorf("wait = %s before any refusal, want 0", wait)
	}
	if wait := q.MarkExhausted(); wait != 8*time.Hour {
		t.Errorf("wait after refusal = %s, want 8h until midnight Pacific", wait)
	}
	if st := q.Status(); st.Spent != 51 || !st.Exhausted || st.Day != "2020-03-14" {
		t.Errorf("status = %+v", st)
	}
	c.Advance(8 * time.Hour)
	if st := q.Status(); st.Spent != 0 || st.Exhausted || q.Wait() != 0 || st.Day != "2020-03-15" {
		t.Errorf("after the reset: %+v, wait %s", st, q.Wait())
	}
}
