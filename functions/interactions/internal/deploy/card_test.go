package deploy

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/discord-chatops/chatops/functions/interactions/internal/approval"
	"github.com/discord-chatops/chatops/shared/deployrun"
	"github.com/discord-chatops/chatops/shared/i18n"
)

func TestRequestedBy(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"minji":         "minji",
		"min ji":        "min_ji",
		"  ":            "discord",
		"a]b [c":        "a_b_c",
		"user.name_1-2": "user.name_1-2",
		"민지":            "discord",
		"x`y\nz":        "x_y_z",
		"abcdefghijklmnopqrstuvwxyz0123456789abc": "abcdefghijklmnopqrstuvwxyz0123456789abc",
	}
	for in, want := range tests {
		got := RequestedBy(in)
		if got != want {
			t.Errorf("RequestedBy(%q) = %q, want %q", in, got, want)
		}
		// The run-name must parse back with the requester in it.
		title := "Deploy prod by " + got + " [1-2]"
		if tt, ok := deployrun.ParseTitle(title); !ok || tt.RequestedBy != got {
			t.Errorf("run-name %q does not parse back", title)
		}
	}
}

// TestReadCard checks that a card reads back as the request it was made from, and that a
// message that is not such a card, or a custom_id of another shape, is refused.
func TestReadCard(t *testing.T) {
	t.Parallel()
	r := Proposal{Kind: KindRollback, Environment: "prod", Ref: "main", SHA: "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1",
		RequesterID: "1000000000000000042", Requester: "minji", RequestedAt: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)}
	en := english()
	card := NewCard(en.Printer, r, "changes")
	id := customID(r, "approve")
	got, err := Read(en.Catalog, KindRollback, &card, id)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(r, got); diff != "" {
		t.Errorf("Read mismatch (-want +got):\n%s", diff)
	}
	if _, err := Read(en.Catalog, KindDeploy, &card, id); err == nil {
		t.Error("a rollback button read as a deploy's")
	}
	for name, custom := range map[string]string{"no time": "rollback:approve:1000000000000000042", "letters": "rollback:approve:abc:123"} {
		if _, err := Read(en.Catalog, KindRollback, &card, custom); err == nil {
			t.Errorf("%s: custom_id %q read", name, custom)
		}
	}
	noSHA := NewCard(en.Printer, Proposal{Kind: KindRollback, Environment: "prod", Ref: "main", RequesterID: "1", Requester: "x"}, "")
	if _, err := Read(en.Catalog, KindRollback, &noSHA, id); err == nil {
		t.Error("a rollback card without a commit was read")
	}
	if _, err := Read(en.Catalog, KindDeploy, nil, id); err == nil {
		t.Error("no message was read")
	}
}

// TestChangesText checks that commit subjects and authors from GitHub show as typed: markdown
// and mention markup in them is escaped, and the SHA is inline code.
func TestChangesText(t *testing.T) {
	t.Parallel()
	const sha = "5ca1ab1e0f1e2d3c4b5a69788796a5b4c3d2e1f0"
	tests := []struct {
		name, subject, author, want string
	}{
		{"plain", "Retry checkout calls on 502", "minji", "`5ca1ab1` Retry checkout calls on 502 · minji"},
		{"markdown in the subject", "fix __init__ and *.go (`make`)", "jun", "`5ca1ab1` fix \\_\\_init\\_\\_ and \\*.go (\\`make\\`) · jun"},
		{"mention markup", "ping <@123>", "dev_bot[bot]", "`5ca1ab1` ping \\<@123\\> · dev\\_bot\\[bot\\]"},
		{"no author", "Release 1.4.2", "", "`5ca1ab1` Release 1.4.2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := Comparison{Status: "ahead", AheadBy: 1, Commits: []Commit{{SHA: sha, Subject: tt.subject, Author: tt.author}}}
			if got := changesText(english().Printer, "prod", sha, c); got != tt.want {
				t.Errorf("changesText = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestCardInEitherLanguage checks that a card made in one language reads back, and takes its
// history, when the channel speaks the other: a card open while CHATOPS_LANGUAGE changes.
func TestCardInEitherLanguage(t *testing.T) {
	t.Parallel()
	c := catalog()
	r := Proposal{Kind: KindDeploy, Environment: "prod", Ref: "main", SHA: strings.Repeat("d", 40), RequesterID: "1000000000000000042", Requester: "minji",
		RequestedAt: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)}
	for _, made := range i18n.Languages() {
		for _, now := range i18n.Languages() {
			card := NewCard(c.Printer(made), r, "changes")
			got, err := Read(c, KindDeploy, &card, customID(r, "approve"))
			if err != nil || got != r {
				t.Errorf("card in %s read as %+v, %v", made, got, err)
			}
			tx := approval.Texts{Catalog: c, Printer: c.Printer(now)}
			e := withHistory(tx, card.Embeds[0], []string{"first", "line"})
			if n := len(e.Fields); n != len(card.Embeds[0].Fields) {
				t.Errorf("card in %s, channel in %s: %d fields, want the card's %d", made, now, n, len(card.Embeds[0].Fields))
			}
			if h := tx.Field(e, fieldHistory); h != "first\nline" {
				t.Errorf("card in %s, channel in %s: history %q", made, now, h)
			}
		}
	}
}

// TestCommitField: the Commit field shows a short SHA linking to the commit's page and reads
// back the whole SHA; a card without the page shows and reads the whole SHA, as cards made
// before the link did.
func TestCommitField(t *testing.T) {
	t.Parallel()
	sha := "5ca1ab1e0f1e2d3c4b5a69788796a5b4c3d2e1f0"
	for _, tt := range []struct {
		name      string
		p         Proposal
		wantValue string
	}{
		{"linked", Proposal{SHA: sha, CommitURL: "https://github.com/acme/shop/commit/" + sha},
			"[`5ca1ab1`](https://github.com/acme/shop/commit/" + sha + ")"},
		{"no page", Proposal{SHA: sha}, "`" + sha + "`"},
		{"a page of another commit", Proposal{SHA: sha, CommitURL: "https://github.com/acme/shop/commit/c0ffee15a1b2c3d4e5f60718293a4b5c6d7e8f90"}, "`" + sha + "`"},
	} {
		v := commitValue(tt.p)
		if v != tt.wantValue {
			t.Errorf("%s: value %q, want %q", tt.name, v, tt.wantValue)
		}
		if got, _ := readCommit(v); got != sha {
			t.Errorf("%s: read back %q, want %q", tt.name, got, sha)
		}
	}
	for api, want := range map[string]string{
		"https://api.github.com/":         "https://github.com/acme/shop",
		"https://ghe.example.com/api/v3/": "https://ghe.example.com/acme/shop",
		"http://127.0.0.1:8081/api/v3/":   "https://127.0.0.1:8081/acme/shop",
	} {
		u, _ := url.Parse(api)
		if got := webURL(u, "acme", "shop"); got != want {
			t.Errorf("webURL(%s) = %q, want %q", api, got, want)
		}
	}
}
