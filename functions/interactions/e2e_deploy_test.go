package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/google/go-cmp/cmp"

	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/mototest"
)

// TestEndToEndDeploy drives /deploy and its Approve through the built binary: the App's
// private key comes from SSM (moto), GitHub is githubapptest's App (JWT and installation token
// checked), each asynchronous self-invocation is fed back as Lambda would, and the card lives
// in a fake Discord. CHATOPS_LANGUAGE is unset, so the card is in Korean, the default; a
// member whose Discord is in English is refused in English all the same.
func TestEndToEndDeploy(t *testing.T) {
	t.Parallel()
	moto := mototest.Start(t)
	w := newDeployWorld(t) // the fakes and the interaction builders; the binary replaces w.h
	_, err := ssm.NewFromConfig(moto.Config(t)).PutParameter(context.Background(), &ssm.PutParameterInput{
		Name: aws.String("/chatops/github/private-key"), Type: ssmtypes.ParameterTypeSecureString,
		Value: aws.String(string(w.gh.PrivateKeyPEM())),
	})
	if err != nil {
		t.Fatal(err)
	}
	f := startE2E(t, moto, w.dc.URL,
		"GITHUB_API_URL="+w.gh.URL,
		"DEPLOY_ROLE_IDS=1100000000000000010",
		"TWO_PERSON_ENVIRONMENTS=prod",
	)

	// send delivers a signed interaction, then the work it handed over, and returns the answer.
	send := func(body []byte) discord.Response {
		t.Helper()
		answer := f.answer(body)
		raw, err := json.Marshal(answer)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.dc.Answer(body, raw); err != nil {
			t.Fatalf("Discord refused the answer: %v", err)
		}
		if answer.Type == discord.ResponseDeferredChannelMessageWithSource || answer.Type == discord.ResponseUpdateMessage {
			f.runWork()
		}
		return answer
	}

	if got := ephemeral(send(w.command("deploy", guest, "environment", "prod"))); !strings.HasPrefix(got, "You need one of these roles to deploy") {
		t.Errorf("refusal of an English-speaking member: %q", got)
	}
	if got := ephemeral(send(w.command("deploy", guest.inKorean(), "environment", "prod"))); !strings.HasPrefix(got, "배포하려면 다음 역할 중 하나가 필요합니다") {
		t.Errorf("refusal of a Korean-speaking member: %q", got)
	}
	body := w.command("deploy", minji, "environment", "prod", "ref", "v1.4.2")
	if got := send(body); got.Type != discord.ResponseDeferredChannelMessageWithSource {
		t.Fatalf("/deploy answered %+v", got)
	}
	original, _ := w.dc.Original(tokenOf(t, body))
	cardID := original.ID
	if card := viewOf(w.dc.card(cardID)); card.Title != "prod에 v1.4.2 배포" || !cmp.Equal(card.Buttons, []string{"승인", "취소"}) {
		t.Fatalf("card %+v (content %q)", card, w.dc.card(cardID).Content)
	}
	if got := send(w.click(cardID, w.button(cardID, "승인"), jun)); got.Type != discord.ResponseUpdateMessage {
		t.Fatalf("Approve answered %+v", got)
	}
	ds := w.gh.Dispatches()
	if len(ds) != 1 || ds[0].Ref != "v1.4.2" || ds[0].Inputs["correlation_id"] != "1100000000000000002-"+cardID || ds[0].Inputs["requested_by"] != "minji" {
		t.Fatalf("dispatches %+v", ds)
	}
	card := viewOf(w.dc.card(cardID))
	if !strings.HasPrefix(card.Description, "🚀 <t:") || !strings.Contains(card.Description, "에 배포를 시작했습니다") ||
		card.Fields["실행"] != "[#1000](https://github.com/acme/shop/actions/runs/1000)" {
		t.Errorf("card %+v", card)
	}
	if len(w.gh.Tokens()) == 0 {
		t.Error("no installation token was issued")
	}
}
