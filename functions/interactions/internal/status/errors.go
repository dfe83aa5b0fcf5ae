package status

import (
	"errors"
	"fmt"
	"strings"

	"github.com/aws/smithy-go"

	"github.com/discord-chatops/chatops/functions/interactions/internal/command"
	"github.com/discord-chatops/chatops/shared/discord"
)

// accessDenied are the error codes AWS services answer a call the caller's role may not make.
var accessDenied = []string{"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedException"}

// awsError turns a failed AWS call into a message for the user: the action that failed and,
// for a denial, the permission the stack is meant to grant. Only the error code is shown:
// AWS messages may carry account ids and ARNs.
func awsError(err error, action, permission string) error {
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		return fmt.Errorf("%s: %w", action, err) // no answer from AWS: an internal error
	}
	code := apiErr.ErrorCode()
	for _, c := range accessDenied {
		if code == c {
			return command.Errorf(err, "I'm not allowed to %s: the stack grants this function %s, so its IAM role was changed or the call was blocked by a policy (%s). Ask whoever deployed the bot to check.", action, permission, code)
		}
	}
	if strings.Contains(code, "Throttl") || code == "RequestLimitExceeded" {
		return command.Errorf(err, "AWS is throttling requests, so I couldn't %s (%s). Try again in a minute.", action, code)
	}
	return command.Errorf(err, "I couldn't %s: AWS answered %s. Try again; if it keeps failing, ask whoever runs the bot to check the logs.", action, code)
}

// isCode says whether err is an AWS error with the given code.
func isCode(err error, code string) bool {
	var apiErr smithy.APIError
	return errors.As(err, &apiErr) && apiErr.ErrorCode() == code
}

// notFound is the message for a target that matches nothing.
func notFound(t Target, missing []string) error {
	switch {
	case t.Kind == EC2 && t.TagKey != "":
		return command.Errorf(nil, "No EC2 instance has the tag %s (terminated instances are not listed). Check the spelling and case, use * as a wildcard, or give an instance id.",
			quote(t.TagKey+"="+strings.Join(t.TagValues, ",")))
	case t.Kind == EC2:
		return command.Errorf(nil, "No EC2 instance %s in this account and Region. Check the id.", quote(strings.Join(missing, ", ")))
	case t.Kind == ECS:
		return command.Errorf(nil, "No ECS service %s in this account and Region. Write it as `cluster/service` and check both names.", quote(strings.Join(missing, ", ")))
	}
	return command.Errorf(nil, "No EKS cluster %s in this account and Region. Check the name.", quote(strings.Join(missing, ", ")))
}

// quote shows user input as inline code, without the backticks that would end it early.
func quote(s string) string {
	return "`" + discord.Truncate(strings.ReplaceAll(s, "`", "'"), 200) + "`"
}
