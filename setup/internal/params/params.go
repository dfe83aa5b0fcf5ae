// Package params keeps the suite's three secrets in SSM Parameter Store as SecureString
// parameters under the stack's prefix, with the AWS managed key (the functions are granted
// kms:Decrypt on no other). Values are written from memory and read back only to be used: never
// printed, never on disk.
//
// Upstream reference: https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_PutParameter.html
package params

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/discord-chatops/chatops/shared/secrets"
)

// Names are the secrets' names relative to the prefix, as the stack grants them.
func Names() []string {
	return []string{secrets.DiscordBotToken, secrets.GitHubPrivateKey, secrets.GitHubWebhookSecret}
}

// API is the part of the SSM client Store uses; *ssm.Client satisfies it.
type API interface {
	GetParameters(ctx context.Context, in *ssm.GetParametersInput, optFns ...func(*ssm.Options)) (*ssm.GetParametersOutput, error)
	PutParameter(ctx context.Context, in *ssm.PutParameterInput, optFns ...func(*ssm.Options)) (*ssm.PutParameterOutput, error)
}

// Store reads and writes the secrets under one prefix.
type Store struct {
	client API
	prefix string
}

// New returns a Store for prefix ("" is secrets.DefaultPrefix).
func New(client API, prefix string) *Store {
	if prefix == "" {
		prefix = secrets.DefaultPrefix
	}
	return &Store{client: client, prefix: strings.TrimRight(prefix, "/")}
}

// Path is a secret's full parameter name.
func (s *Store) Path(name string) string { return s.prefix + "/" + name }

// Read returns the secrets that exist, decrypted, by short name; absent ones are missing from
// the map. A parameter that is not a SecureString is an error: it would be readable without
// decryption.
func (s *Store) Read(ctx context.Context) (map[string]string, error) {
	full := make([]string, 0, len(Names()))
	for _, n := range Names() {
		full = append(full, s.Path(n))
	}
	out, err := s.client.GetParameters(ctx, &ssm.GetParametersInput{Names: full, WithDecryption: aws.Bool(true)})
	if err != nil {
		return nil, fmt.Errorf("read the secrets under %s: %w", s.prefix, err)
	}
	values := map[string]string{}
	var problems []error
	for _, p := range out.Parameters {
		name := strings.TrimPrefix(aws.ToString(p.Name), s.prefix+"/")
		if p.Type != ssmtypes.ParameterTypeSecureString {
			problems = append(problems, fmt.Errorf("%s is a %s parameter, not a SecureString", aws.ToString(p.Name), p.Type))
			continue
		}
		values[name] = aws.ToString(p.Value)
	}
	return values, errors.Join(problems...)
}

// Write puts a secret as a SecureString with the AWS managed key, replacing the old value.
func (s *Store) Write(ctx context.Context, name, value string) error {
	_, err := s.client.PutParameter(ctx, &ssm.PutParameterInput{
		Name: aws.String(s.Path(name)), Value: aws.String(value), Type: ssmtypes.ParameterTypeSecureString,
		Overwrite: aws.Bool(true), Description: aws.String("Discord ChatOps secret, written by make setup"),
	})
	if err != nil {
		// The SDK's error names the parameter and the refusal, never the value.
		return fmt.Errorf("write %s: %w", s.Path(name), err)
	}
	return nil
}
