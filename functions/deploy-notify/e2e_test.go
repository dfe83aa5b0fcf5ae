package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/discord-chatops/chatops/shared/discord/discordtest"
	"github.com/discord-chatops/chatops/shared/githubapp/githubapptest"
	"github.com/discord-chatops/chatops/shared/lambdatest"
	"github.com/discord-chatops/chatops/shared/mototest"
	"github.com/discord-chatops/chatops/shared/state/statetest"
)

// TestEndToEnd drives the built binary through a fake Lambda Runtime API, as Lambda would
// after the EventBridge rule: the bot token comes from SSM SecureString in moto_server, Discord
// is the fake, the state table is in moto too. A run approved on a card edits it; a run without
// one is posted; a malformed event is acknowledged; a Discord failure is the function's error,
// for Lambda to retry, which then posts; a repeated event calls nothing.
func TestEndToEnd(t *testing.T) {
	t.Parallel()
	const prefix = "/chatops-e2e"
	moto := mototest.Start(t)
	_, err := ssm.NewFromConfig(moto.Config(t)).PutParameter(context.Background(), &ssm.PutParameterInput{
		Name: aws.String(prefix + "/discord/bot-token"), Value: aws.String(testBotToken), Type: ssmtypes.ParameterTypeSecureString,
	})
	if err != nil {
		t.Fatalf("seed SSM: %v", err)
	}
	_, table := statetest.Create(t, moto)
	discord := newFakeDiscord(t)
	seed(t, discord, card)

	rt := lambdatest.Start(t)
	rt.Run(t, lambdatest.Build(t, "."), append(moto.Env(),
		"CHATOPS_PARAMETER_PREFIX="+prefix,
		"DISCORD_API_URL="+discord.URL,
		"DISCORD_APPLICATION_ID="+testAppID,
		"DISCORD_CHANNEL_ID="+testChannelID,
		"DEPLOY_WORKFLOW=test.yml",
		"CHATOPS_TABLE="+table,
	)...)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	invoke := func(detailType string, detail []byte) error {
		t.Helper()
		ev, err := json.Marshal(envelope(t, detailType, detail))
		if err != nil {
			t.Fatal(err)
		}
		_, err = rt.Invoke(ctx, ev)
		return err
	}

	for _, file := range []string{"workflow_run.in_progress.card.derived", "workflow_run.completed.failure.card.derived", "workflow_run.completed"} {
		if err := invoke("workflow_run", githubapptest.Payload(t, file)); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
	}
	if err := invoke("workflow_run", []byte(`{"action": 7}`)); err != nil {
		t.Errorf("malformed event: %v, want it acknowledged", err)
	}
	discord.Script(http.MethodPost, discordtest.Error(http.StatusUnauthorized, 0, "401: Unauthorized"))
	// A re-run's failure: the recorded run's state already reported is another attempt's.
	rerun := bytes.Replace(githubapptest.Payload(t, "workflow_run.completed.failure.derived"), []byte(`"run_attempt": 1,`), []byte(`"run_attempt": 2,`), 1)
	var fe *lambdatest.FunctionError
	if err := invoke("workflow_run", rerun); !errors.As(err, &fe) {
		t.Errorf("Discord refusing the post: %v, want a function error", err)
	}
	// Lambda's retry of the refused event posts it; a repeated event is not reported again.
	if err := invoke("workflow_run", rerun); err != nil {
		t.Errorf("retry of the refused event: %v", err)
	}
	if err := invoke("workflow_run", githubapptest.Payload(t, "workflow_run.completed.failure.card.derived")); err != nil {
		t.Errorf("card failure again: %v", err)
	}

	var got []string
	for _, r := range discord.Requests() {
		got = append(got, r.Method+" "+r.Path)
		if auth := r.Header.Get("Authorization"); auth != "Bot "+testBotToken {
			t.Errorf("%s %s: Authorization %q, want the token from SSM", r.Method, r.Path, auth)
		}
	}
	cardPath := discordtest.APIPath + "/channels/" + cardChannelID + "/messages/" + cardMessageID
	channelPath := discordtest.APIPath + "/channels/" + testChannelID + "/messages"
	replyPath := discordtest.APIPath + "/channels/" + cardChannelID + "/messages" // the failure's reply to the card
	want := []string{"GET " + cardPath, "PATCH " + cardPath, "GET " + cardPath, "PATCH " + cardPath, "POST " + replyPath, "POST " + channelPath, "POST " + channelPath, "POST " + channelPath}
	if len(got) != len(want) {
		t.Fatalf("requests = %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("request %d = %s, want %s", i, got[i], want[i])
		}
	}
	// CHATOPS_LANGUAGE is unset: the function reports in Korean, the contract's default.
	if s := cardState(t, discord); len(s.Embeds) != 2 || s.Embeds[1].Title != "prod 배포에 실패했습니다" {
		t.Errorf("card embeds = %+v, want the approval and the failure, in Korean", s.Embeds)
	}
}
