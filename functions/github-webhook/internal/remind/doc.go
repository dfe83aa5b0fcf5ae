// Package remind writes the review reminder: once a weekday, each channel gets one message
// listing the open pull requests of its repositories that have waited for a review longer than
// a threshold, with the reviewers still requested.
//
// The list comes from GitHub's API at that moment (GET /repos/{owner}/{repo}/pulls?state=open),
// never from the feed's records: a pull request reviewed, closed or converted to a draft since
// its last event is left out. A pull request waits when it is open, not a draft, and has at
// least one requested reviewer (user or team): GitHub removes a reviewer from
// requested_reviewers when they submit a review and adds them back when a review is requested
// again, so "requested and not reviewed since" is what the list itself says, with no call per
// pull request. How long it has waited is measured from its creation (created_at): the list
// gives no time of the review request, and the timeline of each pull request would cost one
// call per pull request per run. A pull request opened as a draft and made ready later counts
// from its opening, an overestimate the threshold absorbs.
//
// See https://docs.github.com/en/rest/pulls/pulls#list-pull-requests
package remind
