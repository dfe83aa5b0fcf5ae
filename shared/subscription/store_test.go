package subscription_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/discord-chatops/chatops/shared/mototest"
	"github.com/discord-chatops/chatops/shared/state/statetest"
	"github.com/discord-chatops/chatops/shared/subscription"
)

// TestStore writes subscriptions in a moto table and reads them back by repository and by
// channel; a second /subscribe replaces the first, and an unsubscribe says whether there was one.
func TestStore(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	clock := statetest.NewClock(at)
	st := subscription.Store{Table: statetest.New(t, mototest.Start(t), clock.Now)}
	ctx := t.Context()
	subs := []subscription.Subscription{
		{Repo: "Acme/Shop", ChannelID: "100", By: "7", At: at, Filter: subscription.Filter{Events: subscription.EventsMerges}},
		{Repo: "acme/shop", ChannelID: "200", By: "7", At: at, Filter: subscription.Filter{Branches: []string{"main", "release/*"},
			Labels: []string{"backend"}, ExcludeLabels: []string{"wip"}, IgnoreAuthors: []string{"ci-robot"}, Drafts: true, Bots: true}},
		{Repo: "acme/web", ChannelID: "100", By: "8", At: at},
		{Repo: "acme/shop", ChannelID: "100", By: "8", At: at.Add(time.Minute), Filter: subscription.Filter{Events: subscription.EventsAll}},
	}
	for _, s := range subs {
		if err := st.Put(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	got, err := st.ForRepo(ctx, "ACME/shop")
	if err != nil {
		t.Fatal(err)
	}
	want := []subscription.Subscription{subs[3], subs[1]}
	want[0].Repo = "acme/shop"
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ForRepo (-want +got):\n%s", diff)
	}
	got, err = st.ForChannel(ctx, "100")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]subscription.Subscription{want[0], subs[2]}, got); diff != "" {
		t.Errorf("ForChannel (-want +got):\n%s", diff)
	}
	for _, tt := range []struct {
		repo, channel string
		want          bool
	}{{"Acme/Shop", "100", true}, {"acme/shop", "100", false}, {"acme/web", "200", false}} {
		if ok, err := st.Delete(ctx, tt.repo, tt.channel); err != nil || ok != tt.want {
			t.Errorf("Delete(%s, %s) = %v, %v; want %v", tt.repo, tt.channel, ok, err, tt.want)
		}
	}
	if got, err := st.ForChannel(ctx, "100"); err != nil || len(got) != 1 || got[0].Repo != "acme/web" {
		t.Errorf("ForChannel after Delete = %v, %v; want acme/web alone", got, err)
	}
}
