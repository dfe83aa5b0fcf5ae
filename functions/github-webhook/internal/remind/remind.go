package remind

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/go-github/v66/github"

	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/i18n"
)

// MaxListed is the most pull requests one reminder lists; the rest, and those that would take
// the message past Discord's 2,000 characters, are counted in its last line.
const MaxListed = 15

// maxTitle is the most characters of a title a line shows.
const maxTitle = 80

// moreReserve is the room kept at the end of a reminder for its "… and N more" line.
const moreReserve = 40

// Pull is one pull request that waits for review.
type Pull struct {
	Repo   string // owner/name
	Number int
	Title  string
	URL    string
	Author string
	// Reviewers are the logins of the users still requested, in GitHub's order; Teams the
	// slugs of the teams.
	Reviewers []string
	Teams     []string
	// Waited is how long it has been open at the reminder's time.
	Waited time.Duration
}

// Waiting returns the pull requests of repo (owner/name) among prs that wait for review at now
// for longer than threshold: open, not drafts, with a reviewer or team still requested. They
// are ordered longest-waiting first.
func Waiting(repo string, prs []*github.PullRequest, now time.Time, threshold time.Duration) []Pull {
	var out []Pull
	for _, pr := range prs {
		if pr.GetState() != "open" || pr.GetDraft() || pr.CreatedAt == nil {
			continue
		}
		waited := now.Sub(pr.GetCreatedAt().Time)
		if waited <= threshold {
			continue
		}
		p := Pull{Repo: repo, Number: pr.GetNumber(), Title: pr.GetTitle(), URL: pr.GetHTMLURL(),
			Author: pr.GetUser().GetLogin(), Waited: waited}
		for _, u := range pr.RequestedReviewers {
			if l := u.GetLogin(); l != "" {
				p.Reviewers = append(p.Reviewers, l)
			}
		}
		for _, t := range pr.RequestedTeams {
			if s := t.GetSlug(); s != "" {
				p.Teams = append(p.Teams, s)
			}
		}
		if len(p.Reviewers)+len(p.Teams) == 0 {
			continue
		}
		out = append(out, p)
	}
	Sort(out)
	return out
}

// Sort orders pulls longest-waiting first, then by repository and number, so that a reminder
// reads the same however the repositories were listed.
func Sort(pulls []Pull) {
	slices.SortStableFunc(pulls, func(a, b Pull) int {
		if a.Waited != b.Waited {
			if a.Waited > b.Waited {
				return -1
			}
			return 1
		}
		if c := strings.Compare(a.Repo, b.Repo); c != 0 {
			return c
		}
		return a.Number - b.Number
	})
}

// Message is the reminder of one channel, whose threshold is a whole number of hours: pulls (in the order given) with their reviewers,
// each mentioned when people maps their lower-cased login to a Discord user id, and named as
// a login otherwise. It pings the mentioned reviewers and nobody else. The nonce makes a
// retried post return the first message (enforce_nonce).
func Message(p *i18n.Printer, pulls []Pull, threshold time.Duration, people map[string]string, nonce string) discord.Message {
	var b strings.Builder
	hours := int(threshold / time.Hour)
	b.WriteString(p.N("remind.title", len(pulls), i18n.Args{"Count": p.Count(len(pulls)),
		"Threshold": p.N("remind.hours", hours, i18n.Args{"Count": p.Count(hours)})}))
	var pinged []string
	for i, pr := range pulls {
		var who, ids []string
		for _, login := range pr.Reviewers {
			if id, ok := people[strings.ToLower(login)]; ok && discord.IsSnowflake(id) {
				who = append(who, discord.Mention(id))
				ids = append(ids, id)
				continue
			}
			who = append(who, discord.Code(login))
		}
		for _, team := range pr.Teams {
			who = append(who, discord.Code("@"+team))
		}
		line := "\n" + p.T("remind.line", i18n.Args{
			"Link":      fmt.Sprintf("[%s#%d](<%s>)", pr.Repo, pr.Number, pr.URL),
			"Title":     discord.Escape(discord.Truncate(pr.Title, maxTitle)),
			"Author":    discord.Code(pr.Author),
			"Waited":    p.Ago(pr.Waited),
			"Reviewers": p.List(who),
		})
		if i == MaxListed || utf8.RuneCountInString(b.String()+line)+moreReserve > discord.MaxContent {
			rest := len(pulls) - i
			b.WriteString("\n" + p.N("remind.more", rest, i18n.Args{"Count": p.Count(rest)}))
			break
		}
		b.WriteString(line)
		for _, id := range ids {
			if !slices.Contains(pinged, id) {
				pinged = append(pinged, id)
			}
		}
	}
	return discord.Message{
		Content:         discord.Truncate(b.String(), discord.MaxContent),
		AllowedMentions: &discord.AllowedMentions{Parse: []string{}, Users: pinged},
		Nonce:           nonce,
		EnforceNonce:    nonce != "",
	}
}

// nonceLen is the longest string nonce Discord accepts on message create.
//
// See https://discord.com/developers/docs/resources/message#create-message-jsonform-params
const nonceLen = 25

// Nonce is the message nonce of the reminder of day (YYYY-MM-DD) in channelID: the same for
// every try of that reminder, so that a post retried within Discord's nonce window returns the
// first message instead of posting a second.
func Nonce(channelID, day string) string {
	sum := sha256.Sum256([]byte("remind#" + channelID + "#" + day))
	return hex.EncodeToString(sum[:])[:nonceLen]
}
