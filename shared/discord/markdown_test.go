package discord_test

import (
	"strings"
	"testing"

	"github.com/discord-chatops/chatops/shared/discord"
)

func TestCode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{"plain", "main", "`main`"},
		{"markdown stays literal", "feat/a_b*c", "`feat/a_b*c`"},
		{"a backtick cannot end the span", "odd`name", "`odd'name`"},
		{"a fence cannot open a block", "```go", "`'''go`"},
		{"backslash is literal in code", `a\b`, "`a\\b`"},
		{"hangul", "배포", "`배포`"},
		{"empty", "", "``"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := discord.Code(tt.in); got != tt.want {
				t.Errorf("Code(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestQuote(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", discord.QuoteRunes+50)
	tests := []struct {
		name, in, want string
	}{
		{"short", "prod/api", "`prod/api`"},
		{"backticks", "a`b", "`a'b`"},
		{"exactly the limit", long[:discord.QuoteRunes], "`" + long[:discord.QuoteRunes] + "`"},
		{"cut with an ellipsis", long, "`" + long[:discord.QuoteRunes-1] + discord.Ellipsis + "`"},
		{"cut counts runes", strings.Repeat("배", discord.QuoteRunes+1), "`" + strings.Repeat("배", discord.QuoteRunes-1) + discord.Ellipsis + "`"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := discord.Quote(tt.in); got != tt.want {
				t.Errorf("Quote(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestEscape follows Markdown Text 101: each case is markup Discord would render, and the
// escaped text, in which a backslash before punctuation shows that character alone.
func TestEscape(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{"plain text unchanged", "Update the README with new information.", "Update the README with new information."},
		{"hyphens and hashes inside a line", "octo-org/octo-repo run #42", "octo-org/octo-repo run #42"},
		{"parentheses alone are not markup", "fix(api): retry (twice)", "fix(api): retry (twice)"},
		{"italics and bold", "*a* **b** ***c***", `\*a\* \*\*b\*\* \*\*\*c\*\*\*`},
		{"underscores", "fix __init__ and _x_", `fix \_\_init\_\_ and \_x\_`},
		{"strike-through", "~~old~~", `\~\~old\~\~`},
		{"spoiler", "||secret||", `\|\|secret\|\|`},
		{"inline code", "`x`", "\\`x\\`"},
		{"code block", "```go\nx\n```", "\\`\\`\\`go\nx\n\\`\\`\\`"},
		{"masked link", "[click](https://example.com)", `\[click\](https://example.com)`},
		{"user mention", "<@123>", `\<@123\>`},
		{"role mention", "<@&456>", `\<@&456\>`},
		{"channel and timestamp", "<#789> <t:1618953630:R>", `\<#789\> \<t:1618953630:R\>`},
		{"backslash", `C:\path`, `C:\\path`},
		{"an escaped star stays escaped", `\*`, `\\\*`},
		{"block quote", "> quoted", `\> quoted`},
		{"multi-line block quote", ">>> quoted", `\>\>\> quoted`},
		{"heading", "# Big", `\# Big`},
		{"small heading", "### Small", `\### Small`},
		{"subtext", "-# small print", `\-# small print`},
		{"bulleted list with -", "- item", `\- item`},
		{"bulleted list with *", "* item", `\* item`},
		{"numbered list", "1. first", `1\. first`},
		{"indented list item", "  - nested", `  \- nested`},
		{"markers on later lines", "intro\n# h\n- i\n10. j\nend", "intro\n\\# h\n\\- i\n10\\. j\nend"},
		{"a hyphen without a space is no list", "-flag", "-flag"},
		{"a number without a dot-space is no list", "1.5 GB", "1.5 GB"},
		{"hangul", "배포 *완료*", `배포 \*완료\*`},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := discord.Escape(tt.in); got != tt.want {
				t.Errorf("Escape(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if got := unescape(discord.Escape(tt.in)); got != tt.in {
				t.Errorf("Escape(%q) reads as %q", tt.in, got)
			}
		})
	}
}

// unescape is what Discord shows for escaped text: a backslash before punctuation drops.
func unescape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && strings.IndexByte(`\*_~`+"`"+`|[]<>#-.`, s[i+1]) >= 0 {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func TestMention(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, got, want string
	}{
		{"user", discord.Mention("80351110224678912"), "<@80351110224678912>"},
		{"role", discord.MentionRole("165511591545143296"), "<@&165511591545143296>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if tt.got != tt.want {
				t.Errorf("got %q, want %q", tt.got, tt.want)
			}
		})
	}
}
