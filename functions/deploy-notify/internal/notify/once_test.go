package notify

import (
	"testing"

	"github.com/discord-chatops/chatops/shared/state"
)

func TestKeys(t *testing.T) {
	t.Parallel()
	run := func(status, card string, attempt int) Report {
		return Report{Source: SourceRun, RunID: 289782451, Attempt: attempt, Status: status, CardMessageID: card}
	}
	tests := []struct {
		name string
		r    Report
		want state.Key
	}{
		{"requested on a card", run("requested", "1300000000000000100", 1), state.Key{PK: "run#289782451", SK: "1#requested#"}},
		{"in progress on a card", run("in_progress", "1300000000000000100", 1), state.Key{PK: "run#289782451", SK: "1#in_progress#"}},
		{"requested posted", run("requested", "", 1), state.Key{PK: "run#289782451", SK: "1#running#"}},
		{"in progress posted", run("in_progress", "", 1), state.Key{PK: "run#289782451", SK: "1#running#"}},
		{"failure", run("failure", "1300000000000000100", 1), state.Key{PK: "run#289782451", SK: "1#completed#failure"}},
		{"re-run's success", run("success", "", 2), state.Key{PK: "run#289782451", SK: "2#completed#success"}},
		{"deployment", Report{Source: SourceDeployment, DeploymentID: 145988746, DeploymentStatusID: 9, Status: "in_progress"},
			state.Key{PK: "run#deployment-145988746", SK: "in_progress"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := RunKey(tt.r); got != tt.want {
				t.Errorf("RunKey = %v, want %v", got, tt.want)
			}
		})
	}
	if got, want := EventKey("6a7e8feb-b491-4cf7-a9f1-bf3703467718"), (state.Key{PK: "event#6a7e8feb-b491-4cf7-a9f1-bf3703467718", SK: "event"}); got != want {
		t.Errorf("EventKey = %v, want %v", got, want)
	}
}
