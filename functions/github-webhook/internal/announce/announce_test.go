package announce

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/githubapp/githubapptest"
	"github.com/discord-chatops/chatops/shared/i18n"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-github/v66/github"
)

// event decodes a recorded payload after letting edit change it, as GitHub would have sent it
// for another pull request or sender.
func event(t *testing.T, eventType, file string, edit func(p map[string]any)) any {
	t.Helper()
	raw := githubapptest.Payload(t, file)
	if edit != nil {
		var p map[string]any
		if err := json.Unmarshal(raw, &p); err != nil {
			t.Fatal(err)
		}
		edit(p)
		var err error
		if raw, err = json.Marshal(p); err != nil {
			t.Fatal(err)
		}
	}
	e, err := github.ParseWebHook(eventType, raw)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// printer is the package's messages in language l.
func printer(l i18n.Language) *i18n.Printer {
	return i18n.NewCatalog(Messages()).Printer(l)
}

func obj(p map[string]any, key string) map[string]any { return p[key].(map[string]any) }

func setDraft(p map[string]any) { obj(p, "pull_request")["draft"] = true }
func botSender(p map[string]any) {
	p["sender"] = map[string]any{"login": "dependabot[bot]", "type": "Bot"}
}

func TestDecide(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		eventType string
		file      string
		edit      func(map[string]any)
		rules     Rules
		wantKind  Kind
		wantSkip  string
	}{
		{name: "pr opened", eventType: "pull_request", file: "pull_request.opened", wantKind: PullRequestOpened},
		{name: "pr reopened", eventType: "pull_request", file: "pull_request.reopened", wantKind: PullRequestReopened},
		{name: "pr ready for review", eventType: "pull_request", file: "pull_request.ready_for_review", wantKind: PullRequestReady},
		{name: "pr merged", eventType: "pull_request", file: "pull_request.closed.merged.derived", wantKind: PullRequestMerged},
		{name: "pr closed unmerged", eventType: "pull_request", file: "pull_request.closed", wantSkip: SkipClosed},
		{name: "issue opened", eventType: "issues", file: "issues.opened", wantKind: IssueOpened},

		{name: "draft opened", eventType: "pull_request", file: "pull_request.opened", edit: setDraft, wantSkip: SkipDraft},
		{name: "draft reopened", eventType: "pull_request", file: "pull_request.reopened", edit: setDraft, wantSkip: SkipDraft},
		{
			name: "pr edited", eventType: "pull_request", file: "pull_request.opened",
			edit: func(p map[string]any) { p["action"] = "edited" }, wantSkip: SkipAction,
		},
		{
			name: "pr synchronize", eventType: "pull_request", file: "pull_request.opened",
			edit: func(p map[string]any) { p["action"] = "synchronize" }, wantSkip: SkipAction,
		},
		{
			name: "issue closed", eventType: "issues", file: "issues.opened",
			edit: func(p map[string]any) { p["action"] = "closed" }, wantSkip: SkipAction,
		},
		{
			name: "pr without pull_request", eventType: "pull_request", file: "pull_request.opened",
			edit: func(p map[string]any) { delete(p, "pull_request") }, wantSkip: SkipIncomplete,
		},

		{name: "bot sender", eventType: "pull_request", file: "pull_request.opened", edit: botSender, wantSkip: SkipBot},
		{name: "bot sender on issue", eventType: "issues", file: "issues.opened", edit: botSender, wantSkip: SkipBot},
		{
			name: "bot sender announced when allowed", eventType: "pull_request", file: "pull_request.opened",
			edit: botSender, rules: Rules{AnnounceBots: true}, wantKind: PullRequestOpened,
		},
		{
			name: "renovate as a user account", eventType: "pull_request", file: "pull_request.opened",
			edit: func(p map[string]any) { p["sender"] = map[string]any{"login": "Renovate", "type": "User"} }, wantSkip: SkipBot,
		},
		{
			name: "bot merges a human's pr", eventType: "pull_request", file: "pull_request.closed.merged.derived",
			edit: botSender, wantSkip: SkipBot,
		},
		{
			name: "ignored author, other case", eventType: "pull_request", file: "pull_request.opened",
			rules: Rules{IgnoreAuthors: []string{"someone", "codertocat"}}, wantSkip: SkipAuthor,
		},
		{
			name: "ignored author on issue", eventType: "issues", file: "issues.opened",
			rules: Rules{IgnoreAuthors: []string{"Codertocat"}}, wantSkip: SkipAuthor,
		},
		{
			name: "other author not ignored", eventType: "pull_request", file: "pull_request.opened",
			rules: Rules{IgnoreAuthors: []string{"Codertocat2"}}, wantKind: PullRequestOpened,
		},
		{
			name: "ignored label", eventType: "pull_request", file: "pull_request.opened",
			rules: Rules{IgnoreLabels: []string{"wip", "BUG"}}, wantSkip: SkipLabel,
		},
		{
			name: "ignored label on issue", eventType: "issues", file: "issues.opened",
			rules: Rules{IgnoreLabels: []string{"bug"}}, wantSkip: SkipLabel,
		},
		{
			name: "other label not ignored", eventType: "issues", file: "issues.opened",
			rules: Rules{IgnoreLabels: []string{"bugs"}}, wantKind: IssueOpened,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a, skip := Decide(event(t, tt.eventType, tt.file, tt.edit), tt.rules, printer(i18n.English))
			if skip != tt.wantSkip || a.Kind != tt.wantKind {
				t.Errorf("Decide = kind %q, skip %q; want kind %q, skip %q", a.Kind, skip, tt.wantKind, tt.wantSkip)
			}
			if skip == "" && a.Repo != "Codertocat/Hello-World" {
				t.Errorf("Repo = %q, want Codertocat/Hello-World", a.Repo)
			}
		})
	}
}

func TestDecideOtherEvents(t *testing.T) {
	t.Parallel()
	for _, e := range []any{nil, &github.PingEvent{}, &github.WorkflowRunEvent{}} {
		if _, skip := Decide(e, Rules{}, printer(i18n.English)); skip != SkipUnsupported {
			t.Errorf("Decide(%T) skip = %q, want %q", e, skip, SkipUnsupported)
		}
	}
}

func TestEmbed(t *testing.T) {
	t.Parallel()
	author := &discord.EmbedAuthor{
		Name: "Codertocat", URL: "https://github.com/Codertocat", IconURL: "https://avatars1.githubusercontent.com/u/21031067?v=4",
	}
	tests := []struct {
		name      string
		eventType string
		file      string
		edit      func(map[string]any)
		lang      i18n.Language // English when empty
		want      discord.Embed
	}{
		{
			name: "merged", eventType: "pull_request", file: "pull_request.closed.merged.derived",
			want: discord.Embed{
				Title:       "#2 Update the README with new information.",
				URL:         "https://github.com/Codertocat/Hello-World/pull/2",
				Description: "This is a pretty simple change that we need to pull into master.",
				Color:       discord.ColorPurple,
				Timestamp:   "2019-05-15T15:21:18Z",
				Footer:      &discord.EmbedFooter{Text: "Codertocat/Hello-World · pull request merged"},
				Author:      author,
				Fields: []discord.EmbedField{
					{Name: "Branches", Value: "`master` ← `changes`", Inline: true},
					{Name: "Labels", Value: "bug", Inline: true},
					{Name: "Size", Value: "+1 −1 · 1 file", Inline: true},
					{Name: "Merged by", Value: "[Codertocat](https://github.com/Codertocat)", Inline: true},
				},
			},
		},
		{
			name: "from a fork, no labels, no size, markdown in the title", eventType: "pull_request", file: "pull_request.opened",
			edit: func(p map[string]any) {
				pr := obj(p, "pull_request")
				pr["title"] = "Fix __init__ and *.go | `x`"
				pr["labels"] = []any{}
				delete(pr, "additions")
				obj(obj(pr, "head"), "repo")["full_name"] = "forker/Hello-World"
				obj(pr, "head")["label"] = "forker:changes"
				obj(pr, "head")["ref"] = "changes"
			},
			want: discord.Embed{
				Title:       "#2 Fix \\_\\_init\\_\\_ and \\*.go \\| \\`x\\`",
				URL:         "https://github.com/Codertocat/Hello-World/pull/2",
				Description: "This is a pretty simple change that we need to pull into master.",
				Color:       discord.ColorGreen,
				Timestamp:   "2019-05-15T15:20:33Z",
				Footer:      &discord.EmbedFooter{Text: "Codertocat/Hello-World · pull request opened"},
				Author:      author,
				Fields:      []discord.EmbedField{{Name: "Branches", Value: "`master` ← `forker:changes`", Inline: true}},
			},
		},
		{
			name: "issue", eventType: "issues", file: "issues.opened",
			want: discord.Embed{
				Title:       "#1 Spelling error in the README file",
				URL:         "https://github.com/Codertocat/Hello-World/issues/1",
				Description: "It looks like you accidently spelled 'commit' with two 't's.",
				Color:       colorOrange,
				Timestamp:   "2019-05-15T15:20:18Z",
				Footer:      &discord.EmbedFooter{Text: "Codertocat/Hello-World · issue opened"},
				Author:      author,
				Fields:      []discord.EmbedField{{Name: "Labels", Value: "bug", Inline: true}},
			},
		},
		{
			name: "merged, in Korean: the title and body stay as written", eventType: "pull_request", file: "pull_request.closed.merged.derived",
			lang: i18n.Korean,
			edit: func(p map[string]any) {
				pr := obj(p, "pull_request")
				pr["additions"], pr["deletions"], pr["changed_files"] = 1234, 56, 3
			},
			want: discord.Embed{
				Title:       "#2 Update the README with new information.",
				URL:         "https://github.com/Codertocat/Hello-World/pull/2",
				Description: "This is a pretty simple change that we need to pull into master.",
				Color:       discord.ColorPurple,
				Timestamp:   "2019-05-15T15:21:18Z",
				Footer:      &discord.EmbedFooter{Text: "Codertocat/Hello-World · 풀 리퀘스트 병합됨"},
				Author:      author,
				Fields: []discord.EmbedField{
					{Name: "브랜치", Value: "`master` ← `changes`", Inline: true},
					{Name: "라벨", Value: "bug", Inline: true},
					{Name: "변경 규모", Value: "+1,234 −56 · 파일 3개", Inline: true},
					{Name: "병합한 사람", Value: "[Codertocat](https://github.com/Codertocat)", Inline: true},
				},
			},
		},
		{
			name: "issue, in Korean", eventType: "issues", file: "issues.opened", lang: i18n.Korean,
			want: discord.Embed{
				Title:       "#1 Spelling error in the README file",
				URL:         "https://github.com/Codertocat/Hello-World/issues/1",
				Description: "It looks like you accidently spelled 'commit' with two 't's.",
				Color:       colorOrange,
				Timestamp:   "2019-05-15T15:20:18Z",
				Footer:      &discord.EmbedFooter{Text: "Codertocat/Hello-World · 새 이슈"},
				Author:      author,
				Fields:      []discord.EmbedField{{Name: "라벨", Value: "bug", Inline: true}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a, skip := Decide(event(t, tt.eventType, tt.file, tt.edit), Rules{}, printer(tt.lang))
			if skip != "" {
				t.Fatalf("skipped: %s", skip)
			}
			if diff := cmp.Diff(tt.want, a.Embed); diff != "" {
				t.Errorf("embed (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		lang                        i18n.Language
		additions, deletions, files int
		want                        string
	}{
		{i18n.English, 1, 1, 1, "+1 −1 · 1 file"},
		{i18n.English, 0, 12, 2, "+0 −12 · 2 files"},
		{i18n.English, 12345, 0, 1000, "+12,345 −0 · 1,000 files"},
		{i18n.Korean, 1, 1, 1, "+1 −1 · 파일 1개"},
		{i18n.Korean, 12345, 0, 1000, "+12,345 −0 · 파일 1,000개"},
	}
	for _, tt := range tests {
		if got := Size(printer(tt.lang), tt.additions, tt.deletions, tt.files); got != tt.want {
			t.Errorf("Size(%s, %d, %d, %d) = %q, want %q", tt.lang, tt.additions, tt.deletions, tt.files, got, tt.want)
		}
	}
}

// TestKindTexts: each kind has its own footer text in each language, none an id in brackets.
func TestKindTexts(t *testing.T) {
	t.Parallel()
	for _, l := range i18n.Languages() {
		p := printer(l)
		seen := map[string]Kind{}
		for _, k := range []Kind{PullRequestOpened, PullRequestReopened, PullRequestReady, PullRequestMerged, IssueOpened} {
			text := k.Text(p)
			if text == "" || strings.HasPrefix(text, "[") {
				t.Errorf("%s: %s shows %q", l, k, text)
			}
			if other, ok := seen[text]; ok {
				t.Errorf("%s: %s and %s both show %q", l, k, other, text)
			}
			seen[text] = k
		}
	}
}

func TestColorsDiffer(t *testing.T) {
	t.Parallel()
	seen := map[int]Kind{}
	for _, k := range []Kind{PullRequestOpened, PullRequestReopened, PullRequestReady, PullRequestMerged, IssueOpened} {
		c := colors[k]
		if c == 0 {
			t.Errorf("%s has no colour", k)
		}
		if other, ok := seen[c]; ok {
			t.Errorf("%s and %s share colour %#x", k, other, c)
		}
		seen[c] = k
	}
}

func TestIsBot(t *testing.T) {
	t.Parallel()
	tests := []struct {
		login, typ string
		want       bool
	}{
		{"dependabot[bot]", "Bot", true},
		{"renovate[bot]", "Bot", true},
		{"my-app[bot]", "User", true},
		{"some-app", "Bot", true},
		{"dependabot", "User", true},
		{"renovate-bot", "User", true},
		{"Codertocat", "User", false},
		{"botanist", "User", false},
		{"", "", false},
	}
	for _, tt := range tests {
		u := &github.User{Login: github.String(tt.login), Type: github.String(tt.typ)}
		if got := IsBot(u); got != tt.want {
			t.Errorf("IsBot(%q, %q) = %v, want %v", tt.login, tt.typ, got, tt.want)
		}
	}
	if IsBot(nil) {
		t.Error("IsBot(nil) = true")
	}
}

func TestSummary(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("word ", 100)
	tests := []struct {
		name, body string
		max        int
		want       string
	}{
		{name: "short", body: "  Fixes #12.\r\n", max: 300, want: "Fixes #12."},
		{name: "empty", body: "", max: 300, want: ""},
		{
			name: "template comments and blank runs", max: 300,
			body: "<!-- Describe your change.\nKeep it short. -->\r\nAdds retries.\r\n\r\n\r\n\r\n<!-- Tests? -->Tested locally.",
			want: "Adds retries.\n\nTested locally.",
		},
		{name: "cut at a word", body: long, max: 30, want: "word word word word word…"},
		{
			name: "fence closed after cut", max: 40,
			body: "Run:\n```sh\ngo test ./... -run TestSomethingLong -count=1\n```",
			want: "Run:\n```sh\ngo test ./... -run…\n```",
		},
		{name: "fence left open by the author", body: "```\ncode", max: 300, want: "```\ncode\n```"},
		{name: "no space to cut at", body: strings.Repeat("x", 50), max: 20, want: strings.Repeat("x", 15) + "…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := Summary(tt.body, tt.max)
			if got != tt.want {
				t.Errorf("Summary = %q, want %q", got, tt.want)
			}
			if n := utf8.RuneCountInString(got); n > tt.max && !strings.HasSuffix(tt.body, "code") {
				t.Errorf("Summary has %d runes, want at most %d", n, tt.max)
			}
		})
	}
}

func TestBranch(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"main":       "`main`",
		"feat/a_b*c": "`feat/a_b*c`",
		"odd`name":   "`odd'name`",
		"":           "?",
	} {
		if got := Branch(in); got != want {
			t.Errorf("Branch(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNonce(t *testing.T) {
	t.Parallel()
	const delivery = "72d3162e-cc78-11e3-81ab-4c9367dc0958"
	// sha256("72d3162ecc7811e381ab4c9367dc0958") in hex, first 25 digits; computed apart from Go.
	const want = "ce456248075e45e8826176a5f"
	for _, in := range []string{delivery, strings.ToUpper(delivery), strings.ReplaceAll(delivery, "-", ""), " " + delivery + " "} {
		if got := Nonce(in); got != want {
			t.Errorf("Nonce(%q) = %q, want %q", in, got, want)
		}
	}
	if other := Nonce("72d3162e-cc78-11e3-81ab-4c9367dc0959"); other == want || len(other) != nonceLen {
		t.Errorf("Nonce of another delivery = %q", other)
	}
	if got := Nonce(""); got != "" {
		t.Errorf(`Nonce("") = %q, want ""`, got)
	}
}
