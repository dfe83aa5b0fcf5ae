package people_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/discord-chatops/chatops/shared/mototest"
	"github.com/discord-chatops/chatops/shared/people"
	"github.com/discord-chatops/chatops/shared/state/statetest"
)

// TestStore links members in a moto table and reads the links back both ways; linking again
// moves a login and replaces a member's earlier one.
func TestStore(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	st := people.Store{Table: statetest.New(t, mototest.Start(t), statetest.NewClock(at).Now)}
	ctx := t.Context()
	minji := people.Link{DiscordID: "100", Login: "MinJi-K", Verified: true, By: "100", At: at}
	if err := st.Put(ctx, minji); err != nil {
		t.Fatal(err)
	}
	got, ok, err := st.ByLogin(ctx, "minji-k")
	if err != nil || !ok {
		t.Fatalf("ByLogin(minji-k) = %v, %v", ok, err)
	}
	if diff := cmp.Diff(minji, got); diff != "" {
		t.Errorf("ByLogin (-want +got):\n%s", diff)
	}
	if got, ok, err := st.ByMember(ctx, "100"); err != nil || !ok || got.Login != "MinJi-K" {
		t.Errorf("ByMember(100) = %+v, %v, %v; want MinJi-K", got, ok, err)
	}
	// Member 200 takes minji-k (set by an allowed member), then member 100 links another login.
	if err := st.Put(ctx, people.Link{DiscordID: "200", Login: "minji-k", By: "300", At: at}); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := st.ByMember(ctx, "100"); err != nil || ok {
		t.Errorf("ByMember(100) after the login moved = %v, %v; want no link", ok, err)
	}
	if err := st.Put(ctx, people.Link{DiscordID: "200", Login: "octocat", By: "200", Verified: true, At: at}); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := st.ByLogin(ctx, "minji-k"); err != nil || ok {
		t.Errorf("ByLogin(minji-k) after 200 relinked = %v, %v; want no link", ok, err)
	}
	ids, err := st.Mentions(ctx, []string{"OctoCat", "minji-k", "octocat", ""})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]string{"octocat": "200"}, ids); diff != "" {
		t.Errorf("Mentions (-want +got):\n%s", diff)
	}
}
