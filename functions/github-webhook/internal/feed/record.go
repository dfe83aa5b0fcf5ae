package feed

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/discord-chatops/chatops/shared/state"
)

// TTL is how long a record outlives its last change: a pull request quiet for longer gets a
// new message when it is next announced (reopened, ready for review, merged).
const TTL = 90 * 24 * time.Hour

// Item is what a record follows: a pull request or an issue. It starts the record's key.
type Item string

// The items the feed follows.
const (
	PullRequest Item = "pr"
	Issue       Item = "issue"
)

// PK is the partition of the records of one pull request or issue, one per channel it is
// announced in: <item>#<owner/repo, lower case>#<number>. GitHub treats repository names
// without regard to case, and so does the key.
func PK(item Item, repo string, number int) string {
	return fmt.Sprintf("%s#%s#%d", item, strings.ToLower(repo), number)
}

// Key is the state table's key of the record of a pull request or issue in channel: pk PK,
// sk <item>#<channel id>. Each channel subscribed to the repository has its own message.
func Key(item Item, repo string, number int, channel string) state.Key {
	return state.Key{PK: PK(item, repo, number), SK: string(item) + "#" + channel}
}

// nonceLen is the longest string nonce Discord accepts on message create.
const nonceLen = 25

// Nonce is the nonce of a record's first message: the first 25 hex digits of the SHA-256 of
// its key. Sent with enforce_nonce, it makes two deliveries that both found no record (a
// race, or a redelivery after the record could not be written) post one message: Discord
// returns the first message for a nonce it saw in the past few minutes.
func Nonce(key state.Key) string {
	sum := sha256.Sum256([]byte(key.PK + "/" + key.SK))
	return hex.EncodeToString(sum[:])[:nonceLen]
}

// Record is what the state table keeps of one pull request or issue: where its message is,
// the latest snapshot GitHub sent of it, its reviewers' states and its history. The message
// is rendered from the record alone, so an edit from the same record is the same edit.
type Record struct {
	Item      Item     `dynamodbav:"item"`
	Repo      string   `dynamodbav:"repo"`
	Number    int      `dynamodbav:"number"`
	ChannelID string   `dynamodbav:"channel_id"`
	MessageID string   `dynamodbav:"message_id"`
	ThreadID  string   `dynamodbav:"thread_id,omitempty"`
	Snapshot  Snapshot `dynamodbav:"snapshot"`
	Reviews   []Review `dynamodbav:"reviews,omitempty"`
	History   []Step   `dynamodbav:"history,omitempty"`
}

// Snapshot is the pull request or issue as the latest event (by its updated_at) showed it.
type Snapshot struct {
	UpdatedAt string `dynamodbav:"updated_at"` // RFC 3339 UTC, so that strings compare as times
	CreatedAt string `dynamodbav:"created_at,omitempty"`
	State     string `dynamodbav:"state"` // open or closed, as GitHub says
	Draft     bool   `dynamodbav:"draft,omitempty"`
	Merged    bool   `dynamodbav:"merged,omitempty"`
	MergedBy  *User  `dynamodbav:"merged_by,omitempty"`
	// Ready and Reopened say how the pull request last became open: marked ready for review,
	// or reopened. Only pull_request events set them; other events keep them.
	Ready    bool     `dynamodbav:"ready,omitempty"`
	Reopened bool     `dynamodbav:"reopened,omitempty"`
	Title    string   `dynamodbav:"title"`
	URL      string   `dynamodbav:"url"`
	Body     string   `dynamodbav:"body,omitempty"` // its start, as the message shows it: records stay small
	Author   *User    `dynamodbav:"author,omitempty"`
	Base     string   `dynamodbav:"base,omitempty"`
	Head     string   `dynamodbav:"head,omitempty"`
	HeadSHA  string   `dynamodbav:"head_sha,omitempty"`
	Labels   []string `dynamodbav:"labels,omitempty"`
	// Size is +additions −deletions in files; only pull_request payloads carry it.
	Size *Size `dynamodbav:"size,omitempty"`
	// Requested are the logins (or team names) whose review is requested now.
	Requested []string `dynamodbav:"requested,omitempty"`
}

// User is a GitHub account as the message shows it.
type User struct {
	Login     string `dynamodbav:"login"`
	URL       string `dynamodbav:"url,omitempty"`
	AvatarURL string `dynamodbav:"avatar_url,omitempty"`
}

// Size is a pull request's diff size.
type Size struct {
	Additions int `dynamodbav:"additions"`
	Deletions int `dynamodbav:"deletions"`
	Files     int `dynamodbav:"files"`
}

// Review states, as GitHub's review payload says them in lower case, and Requested.
const (
	Approved         = "approved"
	ChangesRequested = "changes_requested"
	Commented        = "commented"
	Dismissed        = "dismissed"
	Requested        = "requested"
)

// Review is a reviewer's latest review that counts: a comment does not undo an approval or a
// change request, as on GitHub.
type Review struct {
	Login string `dynamodbav:"login"`
	State string `dynamodbav:"state"`
	At    string `dynamodbav:"at"` // RFC 3339 UTC
}

// Step is one entry of the message's history.
type Step struct {
	// Delivery is the X-GitHub-Delivery that added it: a step is added once per delivery.
	Delivery string `dynamodbav:"delivery"`
	What     string `dynamodbav:"what"` // one of the Step constants
	By       string `dynamodbav:"by,omitempty"`
	// Whom is the reviewer a review was requested from.
	Whom string `dynamodbav:"whom,omitempty"`
	At   string `dynamodbav:"at,omitempty"` // RFC 3339 UTC
}

// What a Step says happened.
const (
	StepOpened          = "opened"
	StepOpenedDraft     = "opened_draft"
	StepDraft           = "draft"
	StepReady           = "ready"
	StepReviewRequested = "review_requested"
	StepApproved        = "approved"
	StepChanges         = "changes_requested"
	StepCommented       = "commented"
	StepDismissed       = "dismissed"
	StepCheckFailed     = "check_failed"
	StepMerged          = "merged"
	StepClosed          = "closed"
	StepReopened        = "reopened"
)

// maxHistory is how many steps the record keeps and the message shows: the latest.
const maxHistory = 10

// Apply changes rec as c says and reports whether anything changed. Applying the same change
// twice changes nothing the second time: a snapshot older than the record's is ignored, a
// review older than the reviewer's is ignored, and a step is added once per delivery. So a
// redelivery, or deliveries that arrive out of order, leave the record as GitHub left the
// pull request.
func Apply(rec *Record, c Change) bool {
	before := rec.clone()
	if c.Snapshot != nil && c.Snapshot.UpdatedAt >= rec.Snapshot.UpdatedAt {
		s := *c.Snapshot
		s.Labels, s.Requested = slices.Clone(s.Labels), slices.Clone(s.Requested)
		if !c.SetsFlags {
			s.Ready, s.Reopened = rec.Snapshot.Ready, rec.Snapshot.Reopened
		}
		if s.Size == nil {
			s.Size = rec.Snapshot.Size
		}
		rec.Snapshot = s
	}
	if c.Review != nil {
		rec.Reviews = withReview(rec.Reviews, *c.Review)
	}
	if c.Step != nil && !slices.ContainsFunc(rec.History, func(s Step) bool { return c.Step.Delivery != "" && s.Delivery == c.Step.Delivery }) {
		rec.History = append(rec.History, *c.Step)
		if n := len(rec.History); n > maxHistory {
			rec.History = slices.Clone(rec.History[n-maxHistory:])
		}
	}
	return !reflect.DeepEqual(before, *rec)
}

func withReview(reviews []Review, r Review) []Review {
	out := slices.Clone(reviews)
	i := slices.IndexFunc(out, func(x Review) bool { return strings.EqualFold(x.Login, r.Login) })
	if i < 0 {
		return append(out, r)
	}
	old := out[i]
	switch {
	case r.At < old.At:
		// An older review arrived late.
	case r.State == Commented && (old.State == Approved || old.State == ChangesRequested):
		// A comment keeps the verdict, as on GitHub.
		out[i].At = r.At
	default:
		out[i] = r
	}
	return out
}

// clone copies rec deeply enough for Apply's comparison.
func (rec Record) clone() Record {
	c := rec
	c.Reviews, c.History = slices.Clone(rec.Reviews), slices.Clone(rec.History)
	c.Snapshot.Labels, c.Snapshot.Requested = slices.Clone(rec.Snapshot.Labels), slices.Clone(rec.Snapshot.Requested)
	return c
}

// Status is a record's state as its status line says it.
type Status string

// The statuses of a pull request's or issue's life.
const (
	StatusOpen             Status = "open"
	StatusDraft            Status = "draft"
	StatusReady            Status = "ready"
	StatusReviewRequested  Status = "review_requested"
	StatusApproved         Status = "approved"
	StatusChangesRequested Status = "changes_requested"
	StatusMerged           Status = "merged"
	StatusClosed           Status = "closed"
	StatusReopened         Status = "reopened"
)

// Status is where the pull request or issue stands: merged, closed or draft as GitHub says;
// then for an open pull request its reviews (a change request outweighs approvals, which
// outweigh pending requests); then how it became open.
func (rec Record) Status() Status {
	s := rec.Snapshot
	switch {
	case s.Merged:
		return StatusMerged
	case s.State == "closed":
		return StatusClosed
	case s.Draft:
		return StatusDraft
	}
	if rec.Item == PullRequest {
		states := map[string]bool{}
		for _, r := range rec.Reviewers() {
			states[r.State] = true
		}
		switch {
		case states[ChangesRequested]:
			return StatusChangesRequested
		case states[Approved]:
			return StatusApproved
		case states[Requested]:
			return StatusReviewRequested
		}
	}
	switch {
	case s.Reopened:
		return StatusReopened
	case s.Ready:
		return StatusReady
	}
	return StatusOpen
}

// Reviewers are the pull request's reviewers and where each stands: those who reviewed in the
// order they first did, a reviewer asked again shown as requested; then those requested who
// have not reviewed.
func (rec Record) Reviewers() []Review {
	requested := func(login string) bool {
		return slices.ContainsFunc(rec.Snapshot.Requested, func(r string) bool { return strings.EqualFold(r, login) })
	}
	var out []Review
	for _, r := range rec.Reviews {
		if requested(r.Login) {
			r.State = Requested
		}
		out = append(out, r)
	}
	for _, login := range rec.Snapshot.Requested {
		if !slices.ContainsFunc(rec.Reviews, func(r Review) bool { return strings.EqualFold(r.Login, login) }) {
			out = append(out, Review{Login: login, State: Requested})
		}
	}
	return out
}
