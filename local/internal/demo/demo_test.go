package demo

import (
	"testing"
	"time"

	"github.com/discord-chatops/chatops/shared/mototest"
)

// TestSeries: an hour of one-minute values, within 0-100 %, that moves (a sparkline with a
// shape), ending on the value /status shows as now.
func TestSeries(t *testing.T) {
	t.Parallel()
	v := Series(81, 9, 88, 2)
	if len(v) != SeriesLength || SeriesLength != 60 {
		t.Fatalf("%d values, want 60: one a minute for the hour /status draws", len(v))
	}
	if v[len(v)-1] != 88 {
		t.Errorf("last value %v, want 88", v[len(v)-1])
	}
	lo, hi := v[0], v[0]
	for _, x := range v {
		if x < 0 || x > 100 {
			t.Errorf("value %v outside 0-100 %%", x)
		}
		lo, hi = min(lo, x), max(hi, x)
	}
	if hi-lo < 9 {
		t.Errorf("values from %v to %v: want a drift of about ±9", lo, hi)
	}
	if w := Series(81, 9, 88, 3); w[10] == v[10] {
		t.Error("two seeds give the same series")
	}
}

// TestSeed seeds a moto_server as the runner does: everything it creates is accepted.
func TestSeed(t *testing.T) {
	t.Parallel()
	moto, err := mototest.New()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(moto.Close)
	key, keyPEM, err := GitHubKey()
	if err != nil || key == nil {
		t.Fatal(err)
	}
	w, err := Seed(t.Context(), moto.Config(t), moto, keyPEM, BotToken, WebhookSecret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(w.Instances) != 3 || w.DeadLetterQueues == "" {
		t.Errorf("world %+v, want three instances and the dead-letter queues", w)
	}
}
