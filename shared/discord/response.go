package discord

// Pong answers a PING: Discord sends one when the endpoint URL is saved and from time to time.
func Pong() Response {
	return Response{Type: ResponsePong}
}

// Reply answers with a new message in the channel (CHANNEL_MESSAGE_WITH_SOURCE). The message
// is cut to Discord's limits with Fit, and pings nobody unless m.AllowedMentions says so.
func Reply(m Message) Response {
	return Response{Type: ResponseChannelMessageWithSource, Data: outgoing(m)}
}

// EphemeralReply answers with a text only the invoker sees, pinging nobody.
func EphemeralReply(text string) Response {
	return Reply(Message{Content: text, Flags: FlagEphemeral, AllowedMentions: NoMentions()})
}

// Deferred acknowledges a command within Discord's 3 seconds and shows "thinking..." until
// the message is edited through the interaction webhook (within 15 minutes). Whether the
// final message is ephemeral is fixed here.
func Deferred(ephemeral bool) Response {
	r := Response{Type: ResponseDeferredChannelMessageWithSource}
	if ephemeral {
		r.Data = &Message{Flags: FlagEphemeral}
	}
	return r
}

// DeferredUpdate acknowledges a component interaction without changing its message yet.
func DeferredUpdate() Response {
	return Response{Type: ResponseDeferredUpdateMessage}
}

// Update answers a component interaction by editing the message the component belongs to
// (UPDATE_MESSAGE). Fields left empty keep their value; an empty, non-nil Components removes
// the buttons. Like Reply, it fits the message and pings nobody by default.
func Update(m Message) Response {
	return Response{Type: ResponseUpdateMessage, Data: outgoing(m)}
}

// NoMentions lets a message ping nobody: bot messages ping everyone they mention unless told
// otherwise, and text from GitHub must not.
//
// See https://discord.com/developers/docs/resources/message#allowed-mentions-object
func NoMentions() *AllowedMentions {
	return &AllowedMentions{Parse: []string{}}
}

// outgoing is m as it may be sent: within Discord's limits and pinging nobody by default.
func outgoing(m Message) *Message {
	out := m.Fit()
	if out.AllowedMentions == nil {
		out.AllowedMentions = NoMentions()
	}
	return &out
}

// ActionRow holds up to 5 buttons; a message holds up to 5 rows.
func ActionRow(c ...Component) Component {
	return Component{Type: ComponentActionRow, Components: c}
}

// Button is an interactive button; its click arrives as a MESSAGE_COMPONENT interaction
// carrying customID (1 to 100 characters).
func Button(style ButtonStyle, label, customID string) Component {
	return Component{Type: ComponentButton, Style: style, Label: label, CustomID: customID}
}

// LinkButton is a button that opens url; it sends no interaction.
func LinkButton(label, url string) Component {
	return Component{Type: ComponentButton, Style: ButtonLink, Label: label, URL: url}
}

// AutocompleteResult answers an autocomplete interaction with at most 25 choices
// (APPLICATION_COMMAND_AUTOCOMPLETE_RESULT); none is an empty list, which Discord shows as no
// match.
//
// See https://discord.com/developers/docs/interactions/receiving-and-responding#interaction-response-object-autocomplete
func AutocompleteResult(choices []Choice) Response {
	if choices == nil {
		choices = []Choice{}
	}
	return Response{Type: ResponseAutocompleteResult, Data: &Message{Choices: choices[:min(len(choices), 25)]}}
}
