package deploy

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/githubapp"
	"github.com/discord-chatops/chatops/shared/githubapp/githubapptest"
	"github.com/discord-chatops/chatops/shared/mototest"
	"github.com/discord-chatops/chatops/shared/state/statetest"
)

// originalsFunc is an Originals from a function.
type originalsFunc func(ctx context.Context, applicationID, token string) (discord.Message, error)

func (f originalsFunc) GetOriginal(ctx context.Context, applicationID, token string) (discord.Message, error) {
	return f(ctx, applicationID, token)
}

// gitHub is a GitHub with the App installed on acme/shop, and the Service calling it; each
// test registers the endpoints it needs (go-github's setup).
func gitHub(t *testing.T, sink *entries) (*githubapptest.Server, *Service) {
	t.Helper()
	gh := githubapptest.NewServer(t)
	gh.SetInstallation("acme", "shop", 7)
	app, err := githubapp.New(githubapp.Options{AppID: gh.AppID, BaseURL: gh.URL, PrivateKeyPEM: gh.PrivateKeyPEM()})
	if err != nil {
		t.Fatal(err)
	}
	s := testService(sink)
	s.GitHub, s.Repository = app, "acme/shop"
	return gh, s
}

// answerJSON answers with status and v as JSON, as the GitHub API does.
func answerJSON(gh *githubapptest.Server, pattern string, status int, v any) {
	gh.Handle(pattern, gh.RequireInstallation(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(v)
	})))
}

var noRuns = map[string]any{"total_count": 0, "workflow_runs": []any{}}

// TestRequestWorkFirstDeploy checks the card of a first deploy: the default branch's head, no
// earlier deploy to compare with, and the audit record.
func TestRequestWorkFirstDeploy(t *testing.T) {
	t.Parallel()
	sink := &entries{}
	gh, s := gitHub(t, sink)
	head := strings.Repeat("d", 40)
	answerJSON(gh, "GET /repos/acme/shop", http.StatusOK, map[string]any{"full_name": "acme/shop", "default_branch": "main"})
	gh.Handle("GET /repos/acme/shop/commits/main", gh.RequireInstallation(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprint(w, head)
	})))
	answerJSON(gh, "GET /repos/acme/shop/actions/workflows/deploy.yml/runs", http.StatusOK, noRuns)

	msg, err := s.requestWork(t.Context(), KindDeploy, slash("deploy", member(requester, roleID), "environment", "prod"))
	if err != nil {
		t.Fatal(err)
	}
	en := english()
	p, err := Read(en.Catalog, KindDeploy, &msg, msg.Components[0].Components[0].CustomID)
	if err != nil {
		t.Fatalf("the card does not read back: %v", err)
	}
	if p.Ref != "main" || p.SHA != head || p.Environment != "prod" || p.RequesterID != requester || !p.RequestedAt.Equal(requestedAt) {
		t.Errorf("card proposes %+v", p)
	}
	if changes := en.Field(msg.Embeds[0], fieldChanges); !strings.HasPrefix(changes, "First deploy of `prod` by this workflow") {
		t.Errorf("changes %q", changes)
	}
	if want := []string{"req-1 deploy.request prod@main user1 requested"}; len(sink.got) != 1 || sink.got[0] != want[0] {
		t.Errorf("audit %q, want %q", sink.got, want)
	}
}

// TestStartApproved checks the worker of an approval: the dispatch and the card it leaves, a
// refusal GitHub explains, and an approval delivered again once its run is recorded.
func TestStartApproved(t *testing.T) {
	t.Parallel()
	p := Proposal{Kind: KindDeploy, Environment: "prod", Ref: "main", RequesterID: requester, Requester: "user1", RequestedAt: requestedAt}
	approvedCard := NewCard(english().Printer, p, "c")
	ok := func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"workflow_run_id": 42, "run_url": "https://api.github.com/repos/acme/shop/actions/runs/42", "html_url": "https://github.com/acme/shop/actions/runs/42"}`)
	}
	tests := []struct {
		name       string
		dispatch   func(w http.ResponseWriter)
		deliveries int
		want       string
		dispatches int
		audit      string // the last line
	}{
		{"dispatched", ok, 1, "🚀 Deploy dispatched <t:", 1, "req-2 deploy.dispatch prod@main user2 dispatched https://github.com/acme/shop/actions/runs/42"},
		{"no workflow_dispatch trigger", func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnprocessableEntity)
			fmt.Fprint(w, `{"message": "Workflow does not have 'workflow_dispatch' trigger"}`)
		}, 1, "⚠️ Not dispatched: `deploy.yml` has no `workflow_dispatch` trigger on `main`.", 1, "req-2 deploy.dispatch prod@main user2 failed"},
		{"delivered again after the dispatch", ok, 2, "🚀 Deploy dispatched <t:", 1,
			"req-2 deploy.dispatch prod@main user2 duplicate already dispatched https://github.com/acme/shop/actions/runs/42"},
	}
	moto := mototest.Start(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sink := &entries{}
			gh, s := gitHub(t, sink)
			s.Now = func() time.Time { return requestedAt.Add(time.Minute) }
			s.Approvals.Table = statetest.New(t, moto, s.Now)
			s.Discord = originalsFunc(func(context.Context, string, string) (discord.Message, error) { return approvedCard, nil })
			answerJSON(gh, "GET /repos/acme/shop/actions/workflows/deploy.yml/runs", http.StatusOK, noRuns)
			gh.Handle("POST /repos/acme/shop/actions/workflows/deploy.yml/dispatches", gh.RequireInstallation(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				tt.dispatch(w)
			})))
			req := click(approvedCard, p, KindDeploy.approvePrefix(), member(approver, roleID), time.Minute)
			req.Interaction.ID = "500000000000000001"
			if reply := s.approve(t.Context(), KindDeploy, req); !reply.Deferred() {
				t.Fatalf("approval answered %q", answer(reply, discord.InteractionMessageComponent))
			}
			var msg discord.Message
			for range tt.deliveries {
				var err error
				if msg, err = s.startApproved(t.Context(), KindDeploy, req); err != nil {
					t.Fatal(err)
				}
			}
			if got := msg.Embeds[0].Description; !strings.HasPrefix(got, tt.want) {
				t.Errorf("card says %q, want it to start with %q", got, tt.want)
			}
			if n := gh.Count("POST /repos/acme/shop/actions/workflows/deploy.yml/dispatches"); n != tt.dispatches {
				t.Errorf("%d dispatches, want %d", n, tt.dispatches)
			}
			if got := sink.got[len(sink.got)-1]; !strings.HasPrefix(got, tt.audit) {
				t.Errorf("audit %q, want the last to start with %q", sink.got, tt.audit)
			}
		})
	}
}
