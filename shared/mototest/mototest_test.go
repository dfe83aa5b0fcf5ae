package mototest

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
)

func TestStartServesSSM(t *testing.T) {
	t.Parallel()
	s := Start(t)
	client := ssm.NewFromConfig(s.Config(t))
	ctx := context.Background()
	if _, err := client.PutParameter(ctx, &ssm.PutParameterInput{
		Name: aws.String("/t/x"), Value: aws.String("v"), Type: types.ParameterTypeSecureString,
	}); err != nil {
		t.Fatalf("put parameter: %v", err)
	}
	out, err := client.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/t/x"), WithDecryption: aws.Bool(true)})
	if err != nil {
		t.Fatalf("get parameter: %v", err)
	}
	if got := aws.ToString(out.Parameter.Value); got != "v" {
		t.Fatalf("value = %q, want %q", got, "v")
	}
	if err := s.Reset(); err != nil {
		t.Fatalf("reset: %v", err)
	}
	if _, err := client.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/t/x")}); err == nil {
		t.Fatal("parameter survived a reset")
	}
}
