package discord

import (
	"strings"
)

// Discord renders a subset of markdown in message content, embed descriptions, field values
// and embed titles (not in footers or author names), plus its own mention markup. These
// helpers put text from members, GitHub or AWS into that markup so it shows as typed.
//
// Upstream references:
//   - Markdown Text 101: https://support.discord.com/hc/en-us/articles/210298617-Markdown-Text-101-Chat-Formatting-Bold-Italic-Underline
//   - Message formatting (mentions): https://discord.com/developers/docs/reference#message-formatting

// QuoteRunes is how much of a text Quote shows: enough to recognise what was typed, short
// enough that a pasted paragraph cannot push the rest of a message out of its limit.
const QuoteRunes = 200

// Code shows s as inline code, where nothing is formatting. A backtick would end the span
// early (a backslash does not escape inside code), so each one shows as an apostrophe.
func Code(s string) string {
	return "`" + strings.ReplaceAll(s, "`", "'") + "`"
}

// Quote shows text a member typed, or a name or message from elsewhere, back as inline
// code, cut to QuoteRunes with an ellipsis.
func Quote(s string) string {
	return Code(Truncate(s, QuoteRunes))
}

// inline are the characters that are markdown wherever they stand: emphasis (* _), underline
// (__), strike-through (~~), code (`), spoilers (||), masked links ([text](url): the brackets
// suffice, so parentheses are left alone), mentions, channels, timestamps and unembedded
// links (<...>), and the backslash that escapes the rest.
var inline = strings.NewReplacer(
	`\`, `\\`, `*`, `\*`, `_`, `\_`, `~`, `\~`, "`", "\\`", `|`, `\|`,
	`[`, `\[`, `]`, `\]`, `<`, `\<`, `>`, `\>`,
)

// Escape makes s show as typed where Discord renders markdown, so that "fix __init__ and
// *.go" keeps its underscores and stars and "<@123>" stays text. Besides the characters that
// are markdown anywhere, it escapes what is markdown only at the start of a line: headings
// and subtext (#, ##, ###, -#), block quotes (> is escaped everywhere), and list items
// ("- ", "* ", "1. "). A backslash before any punctuation shows that character alone, so the
// result reads as s.
func Escape(s string) string {
	s = inline.Replace(s)
	if !strings.ContainsAny(s, "#-.") {
		return s
	}
	lines := strings.Split(s, "\n")
	for i, line := range lines {
		lines[i] = escapeLineStart(line)
	}
	return strings.Join(lines, "\n")
}

// escapeLineStart escapes a heading, subtext or list marker at the start of line, after any
// indentation. Block quotes and "* " items are already escaped by inline.
func escapeLineStart(line string) string {
	rest := strings.TrimLeft(line, " \t")
	indent := line[:len(line)-len(rest)]
	switch {
	case strings.HasPrefix(rest, "#"), strings.HasPrefix(rest, "- "), strings.HasPrefix(rest, "-#"):
		return indent + `\` + rest
	}
	digits := len(rest) - len(strings.TrimLeft(rest, "0123456789"))
	if digits > 0 && strings.HasPrefix(rest[digits:], ". ") {
		return indent + rest[:digits] + `\` + rest[digits:]
	}
	return line
}

// Mention is the markup that shows the user userID as a mention ("<@80351110224678912>").
// Whether it pings is up to the message's allowed_mentions.
func Mention(userID string) string { return "<@" + userID + ">" }

// MentionRole is the markup that shows the role roleID as a mention ("<@&165511591545143296>").
func MentionRole(roleID string) string { return "<@&" + roleID + ">" }
