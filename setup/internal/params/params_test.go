package params

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/discord-chatops/chatops/shared/mototest"
	"github.com/discord-chatops/chatops/shared/secrets"
)

// TestReadWrite: written secrets are SecureStrings read back decrypted; a plain String under
// the prefix is refused, since anyone who may read parameters could read it.
func TestReadWrite(t *testing.T) {
	t.Parallel()
	client := ssm.NewFromConfig(mototest.Start(t).Config(t))
	ctx := context.Background()
	s := New(client, "/team")
	if err := s.Write(ctx, secrets.DiscordBotToken, "token"); err != nil {
		t.Fatal(err)
	}
	if err := s.Write(ctx, secrets.DiscordBotToken, "token-2"); err != nil {
		t.Fatalf("overwrite: %v", err)
	}
	got, err := s.Read(ctx)
	if err != nil || len(got) != 1 || got[secrets.DiscordBotToken] != "token-2" {
		t.Fatalf("Read = %v, %v", got, err)
	}
	if _, err := client.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/team/github/webhook-secret"), Value: aws.String("plain"),
		Type: ssmtypes.ParameterTypeString}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Read(ctx); err == nil || !strings.Contains(err.Error(), "/team/github/webhook-secret is a String parameter, not a SecureString") {
		t.Errorf("Read with a String parameter: %v", err)
	}
}
