package awserr_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/aws/smithy-go"

	"github.com/discord-chatops/chatops/functions/interactions/internal/awserr"
	"github.com/discord-chatops/chatops/functions/interactions/internal/command"
	"github.com/discord-chatops/chatops/shared/i18n"
	"github.com/discord-chatops/chatops/shared/i18n/i18ntest"
)

// answer is AWS's answer code as the SDK returns it: the API error inside an operation error.
func answer(code string) error {
	return &smithy.OperationError{ServiceID: "ECS", OperationName: "DescribeServices",
		Err: &smithy.GenericAPIError{Code: code, Message: "User: arn:aws:sts::123456789012:assumed-role/x is not authorized"}}
}

func TestClassify(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name                        string
		err                         error
		code                        string
		denied, throttled, notFound bool
	}{
		{"IAM denial, query API", answer("AccessDenied"), "AccessDenied", true, false, false},
		{"IAM denial, JSON API", answer("AccessDeniedException"), "AccessDeniedException", true, false, false},
		{"EC2 denial", answer("UnauthorizedOperation"), "UnauthorizedOperation", true, false, false},
		{"other denial", answer("UnauthorizedException"), "UnauthorizedException", true, false, false},
		{"SNS-style denial", answer("AuthorizationError"), "AuthorizationError", true, false, false},
		{"throttling", answer("ThrottlingException"), "ThrottlingException", false, true, false},
		{"query API throttling", answer("Throttling"), "Throttling", false, true, false},
		{"EC2 request limit", answer("RequestLimitExceeded"), "RequestLimitExceeded", false, true, false},
		{"too many requests", answer("TooManyRequestsException"), "TooManyRequestsException", false, true, false},
		{"a service's own throttle code", answer("ServiceThrottledError"), "ServiceThrottledError", false, true, false},
		{"ECS cluster missing", answer("ClusterNotFoundException"), "ClusterNotFoundException", false, false, true},
		{"EKS cluster missing", answer("ResourceNotFoundException"), "ResourceNotFoundException", false, false, true},
		{"EC2 instance missing", answer("InvalidInstanceID.NotFound"), "InvalidInstanceID.NotFound", false, false, true},
		{"malformed EC2 id is no not-found", answer("InvalidInstanceID.Malformed"), "InvalidInstanceID.Malformed", false, false, false},
		{"a code named like a denial is not one", answer("AccessDeniedForDependencyException"), "AccessDeniedForDependencyException", false, false, false},
		{"other answer", answer("InvalidParameterException"), "InvalidParameterException", false, false, false},
		{"wrapped again", fmt.Errorf("read: %w", answer("AccessDenied")), "AccessDenied", true, false, false},
		{"joined", errors.Join(errors.New("refused"), answer("AccessDenied")), "AccessDenied", true, false, false},
		{"no answer from AWS", context.DeadlineExceeded, "", false, false, false},
		{"no error", nil, "", false, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := awserr.Code(tt.err); got != tt.code {
				t.Errorf("Code = %q, want %q", got, tt.code)
			}
			if got := awserr.Denied(tt.err); got != tt.denied {
				t.Errorf("Denied = %v, want %v", got, tt.denied)
			}
			if got := awserr.Throttled(tt.err); got != tt.throttled {
				t.Errorf("Throttled = %v, want %v", got, tt.throttled)
			}
			if got := awserr.NotFound(tt.err); got != tt.notFound {
				t.Errorf("NotFound = %v, want %v", got, tt.notFound)
			}
		})
	}
}

func TestHasCode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		err   error
		codes []string
		want  bool
	}{
		{"one of them", answer("ResourceContention"), []string{"ScalingActivityInProgress", "ResourceContention"}, true},
		{"none of them", answer("ResourceInUse"), []string{"ScalingActivityInProgress", "ResourceContention"}, false},
		{"case matters", answer("resourcecontention"), []string{"ResourceContention"}, false},
		{"no codes", answer("ResourceContention"), nil, false},
		{"no answer from AWS matches no code, not even the empty one", errors.New("dial tcp"), []string{""}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := awserr.HasCode(tt.err, tt.codes...); got != tt.want {
				t.Errorf("HasCode(%v, %q) = %v, want %v", tt.err, tt.codes, got, tt.want)
			}
		})
	}
}

// texts is the package's catalog with the name of the action the tests explain.
func texts() *i18n.Catalog {
	return i18n.NewCatalog(awserr.Messages(), fstest.MapFS{
		"test.en.json": {Data: []byte(`{"test.action.list": "list EC2 instances"}`)},
		"test.ko.json": {Data: []byte(`{"test.action.list": "EC2 인스턴스 목록 조회"}`)},
	})
}

// TestExplain checks what a member is told of a failed AWS call, in English here, in both
// languages in testdata/golden/explain.<lang>.txt.
func TestExplain(t *testing.T) {
	t.Parallel()
	c := texts()
	en := c.Printer(i18n.English)
	tests := []struct {
		name     string
		err      error
		message  string // what the member is told; "" for an internal error
		internal string
	}{
		{"denied", answer("UnauthorizedOperation"),
			"I'm not allowed to list EC2 instances: the stack grants this function ec2:DescribeInstances, so its IAM role was changed or the call was blocked by a policy (UnauthorizedOperation). Ask whoever deployed the bot to check.", ""},
		{"throttled", answer("ThrottlingException"),
			"AWS is throttling requests, so I couldn't list EC2 instances (ThrottlingException). Try again in a minute.", ""},
		{"other answer", answer("InternalFailure"),
			"I couldn't list EC2 instances: AWS answered InternalFailure. Try again; if it keeps failing, ask whoever runs the bot to check the logs.", ""},
		{"no answer from AWS", context.DeadlineExceeded, "", "test.action.list: context deadline exceeded"},
	}
	golden := map[i18n.Language]*strings.Builder{i18n.English: {}, i18n.Korean: {}}
	for _, tt := range tests {
		err := awserr.Explain(tt.err, command.T("test.action.list"), "ec2:DescribeInstances")
		if !errors.Is(err, tt.err) {
			t.Errorf("%s: Explain(%v) = %v, which does not wrap it", tt.name, tt.err, err)
		}
		var ce *command.Error
		switch {
		case tt.message == "" && errors.As(err, &ce):
			t.Errorf("%s: Explain(%v) tells the member %q, want an internal error", tt.name, tt.err, ce.In(en))
		case tt.message == "" && err.Error() != tt.internal:
			t.Errorf("%s: Explain(%v) = %q, want %q", tt.name, tt.err, err, tt.internal)
		case tt.message != "" && !errors.As(err, &ce):
			t.Errorf("%s: Explain(%v) = %v, want a *command.Error", tt.name, tt.err, err)
		case tt.message != "" && ce.In(en) != tt.message:
			t.Errorf("%s: Explain(%v) tells the member\n%q, want\n%q", tt.name, tt.err, ce.In(en), tt.message)
		}
		if ce == nil {
			continue
		}
		for lang, b := range golden {
			text := ce.In(c.Printer(lang))
			if strings.Contains(text, "arn:") || strings.Contains(text, "[") {
				t.Errorf("%s: Explain shows AWS's message or a missing text: %q", tt.name, text)
			}
			fmt.Fprintf(b, "%s: %s\n", tt.name, text)
		}
	}
	for lang, b := range golden {
		i18ntest.Check(t, filepath.Join("testdata", "golden", "explain."+string(lang)+".txt"), []byte(b.String()), *update)
	}
}

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")
