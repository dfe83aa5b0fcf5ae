package announce

import (
	"regexp"
	"strings"

	"github.com/discord-chatops/chatops/shared/discord"
)

// summaryRunes is how much of a pull request or issue body the embed shows: enough to say what
// it is about, short enough that a busy channel stays readable. The link leads to the rest.
const summaryRunes = 300

var (
	htmlComment = regexp.MustCompile(`(?s)<!--.*?-->`)
	blankLines  = regexp.MustCompile(`\n{3,}`)
)

// Summary returns the start of a markdown body, cut to at most max runes at a word boundary
// with an ellipsis: pull request templates' HTML comments removed, runs of blank lines folded,
// and a code fence left open closed again (four runes more when the body itself left it open),
// so the embed keeps its layout.
func Summary(body string, max int) string {
	s := strings.ReplaceAll(body, "\r\n", "\n")
	s = htmlComment.ReplaceAllString(s, "")
	s = blankLines.ReplaceAllString(s, "\n\n")
	s = strings.TrimSpace(s)

	const fence = "\n```"
	if runes := []rune(s); len(runes) > max {
		// Room for the ellipsis and a closing fence.
		cut := string(runes[:max-len([]rune(discord.Ellipsis))-len(fence)])
		if i := strings.LastIndexAny(cut, " \n\t"); i > len(cut)/2 {
			cut = cut[:i]
		}
		s = strings.TrimRight(cut, " \n\t") + discord.Ellipsis
	}
	if strings.Count(s, "```")%2 == 1 {
		s += fence
	}
	return s
}
