// Package awserr reads AWS's answer out of a failed call and says to a member what failed and
// what to do: a permission the stack grants and someone took away, a throttle to wait out, or
// an answer to pass on. Only the error code is shown: AWS's messages may carry account ids
// and ARNs.
//
// Upstream references:
//   - Handling errors in the SDK: https://docs.aws.amazon.com/sdk-for-go/v2/developer-guide/handle-errors.html
//   - Common error codes: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html
//   - The SDK's throttle codes: https://pkg.go.dev/github.com/aws/aws-sdk-go-v2/aws/retry#pkg-variables
package awserr

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go"

	"github.com/discord-chatops/chatops/functions/interactions/internal/command"
	"github.com/discord-chatops/chatops/shared/i18n"
)

// Code is the error code of AWS's answer in err ("AccessDeniedException"), or "" when err
// holds no answer from AWS: a timeout, a cancelled context, no error.
func Code(err error) string {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode()
	}
	return ""
}

// HasCode says whether err is AWS's answer with one of codes.
func HasCode(err error, codes ...string) bool {
	code := Code(err)
	return code != "" && slices.Contains(codes, code)
}

// deniedCodes are the codes of a call that IAM, a service control policy or a resource
// policy refused: AccessDenied (S3, STS, CloudWatch's query API), AccessDeniedException (the
// JSON APIs: ECS, EKS, Auto Scaling's newer actions), UnauthorizedOperation (EC2),
// UnauthorizedException and AuthorizationError (a few others).
var deniedCodes = []string{"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedException", "AuthorizationError"}

// Denied says whether err is AWS refusing the call for want of a permission.
func Denied(err error) bool { return HasCode(err, deniedCodes...) }

// Throttled says whether err is AWS throttling the caller: a code the SDK's retryer treats as
// a throttle (it has retried already when the error arrives), or any other "Throttl" code.
func Throttled(err error) bool {
	code := Code(err)
	_, ok := retry.DefaultThrottleErrorCodes[code]
	return ok || strings.Contains(code, "Throttl")
}

// notFoundCodes are the codes of a missing resource: ECS's ClusterNotFoundException and
// ServiceNotFoundException, EKS's ResourceNotFoundException, IAM's NoSuchEntity, and EC2's
// "<Kind>.NotFound" family (InvalidInstanceID.NotFound) matched by its suffix.
var notFoundCodes = []string{"ResourceNotFoundException", "ClusterNotFoundException", "ServiceNotFoundException", "NotFoundException", "NoSuchEntity", "ResourceNotFound"}

// NotFound says whether err is AWS answering that what was asked for does not exist.
func NotFound(err error) bool {
	return HasCode(err, notFoundCodes...) || strings.HasSuffix(Code(err), ".NotFound")
}

// Explain turns a failed AWS call into what a member is told, in their language: the action
// that failed, a message of the caller's catalog that names it as a noun phrase ("list EC2
// instances", "EC2 인스턴스 목록 조회"), and for a denial the permission the stack grants for
// it ("ec2:DescribeInstances"). It returns a *command.Error wrapping err, or, when err holds no
// answer from AWS, err wrapped as an internal error.
func Explain(err error, action command.Text, permission string) error {
	code := Code(err)
	args := i18n.Args{"Action": action, "Permission": permission, "Code": code}
	switch {
	case code == "":
		return fmt.Errorf("%s: %w", action.ID, err)
	case Denied(err):
		return command.Fail(err, command.T("awserr.denied", args))
	case Throttled(err):
		return command.Fail(err, command.T("awserr.throttled", args))
	}
	return command.Fail(err, command.T("awserr.failed", args))
}
