package githubapp

import (
	"errors"

	"github.com/google/go-github/v66/github"
)

// ErrorStatus is the HTTP status and message of GitHub's refusal in err (a
// *github.ErrorResponse, as go-github returns for a 4xx or 5xx answer), or 0 and "" when err
// holds none: a transport failure, a rate limit (see RateLimited), or no error. Callers turn
// the pair into what to fix; GitHub's messages are listed in
// https://docs.github.com/en/rest/using-the-rest-api/troubleshooting-the-rest-api.
func ErrorStatus(err error) (status int, message string) {
	var ge *github.ErrorResponse
	if errors.As(err, &ge) && ge.Response != nil {
		return ge.Response.StatusCode, ge.Message
	}
	return 0, ""
}

// RateLimited says whether err is one of GitHub's rate limits, primary or secondary, which
// go-github returns as their own types rather than as an ErrorResponse. See
// https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api.
func RateLimited(err error) bool {
	var rl *github.RateLimitError
	var al *github.AbuseRateLimitError
	return errors.As(err, &rl) || errors.As(err, &al)
}
