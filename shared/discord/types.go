package discord

import (
	"encoding/json"
	"strconv"
)

// IsSnowflake says whether s is a Discord id (a snowflake) as the API writes it: the decimal
// digits of an unsigned 64-bit integer, nothing else.
//
// See https://discord.com/developers/docs/reference#snowflakes
func IsSnowflake(s string) bool {
	_, err := strconv.ParseUint(s, 10, 64)
	return err == nil
}

// InteractionType is the kind of an incoming interaction.
type InteractionType int

// Interaction types, from the interaction object's type field.
const (
	InteractionPing               InteractionType = 1
	InteractionApplicationCommand InteractionType = 2
	InteractionMessageComponent   InteractionType = 3
	InteractionAutocomplete       InteractionType = 4
	InteractionModalSubmit        InteractionType = 5
)

// Interaction is an incoming interaction, decoded by ParseInteraction. Exactly one of Command
// and Component is set for application commands and message components; neither for PING.
type Interaction struct {
	ID            string          `json:"id"`
	ApplicationID string          `json:"application_id"`
	Type          InteractionType `json:"type"`
	Token         string          `json:"token"`
	Version       int             `json:"version"`
	GuildID       string          `json:"guild_id,omitempty"`
	ChannelID     string          `json:"channel_id,omitempty"`
	// Member is set inside a guild, User in direct messages.
	Member  *Member  `json:"member,omitempty"`
	User    *User    `json:"user,omitempty"`
	Message *Message `json:"message,omitempty"` // the message a component belongs to
	Locale  string   `json:"locale,omitempty"`

	Command   *CommandData   `json:"-"`
	Component *ComponentData `json:"-"`
}

// Member is a guild member as carried by an interaction.
type Member struct {
	User        *User    `json:"user,omitempty"`
	Nick        string   `json:"nick,omitempty"`
	Roles       []string `json:"roles"`
	Permissions string   `json:"permissions,omitempty"`
}

// User is a Discord user.
type User struct {
	ID         string `json:"id"`
	Username   string `json:"username"`
	GlobalName string `json:"global_name,omitempty"`
	Bot        bool   `json:"bot,omitempty"`
}

// CommandData is the data of an APPLICATION_COMMAND interaction.
type CommandData struct {
	ID      string          `json:"id"`
	Name    string          `json:"name"`
	Type    int             `json:"type"`
	Options []CommandOption `json:"options,omitempty"`
}

// CommandOption is one option value of an invoked command. Value holds the raw JSON value
// (a string, a number or a boolean); Options holds the options of a subcommand.
type CommandOption struct {
	Name    string          `json:"name"`
	Type    OptionType      `json:"type"`
	Value   json.RawMessage `json:"value,omitempty"`
	Focused bool            `json:"focused,omitempty"`
	Options []CommandOption `json:"options,omitempty"`
}

// ComponentData is the data of a MESSAGE_COMPONENT interaction (a button click).
type ComponentData struct {
	CustomID      string        `json:"custom_id"`
	ComponentType ComponentType `json:"component_type"`
	Values        []string      `json:"values,omitempty"`
}

// ResponseType is the type of an interaction response (callback).
type ResponseType int

// Interaction callback types.
const (
	ResponsePong                             ResponseType = 1
	ResponseChannelMessageWithSource         ResponseType = 4
	ResponseDeferredChannelMessageWithSource ResponseType = 5
	ResponseDeferredUpdateMessage            ResponseType = 6
	ResponseUpdateMessage                    ResponseType = 7
	ResponseAutocompleteResult               ResponseType = 8
)

// Response is the body of an interaction response.
type Response struct {
	Type ResponseType `json:"type"`
	Data *Message     `json:"data,omitempty"`
}

// MessageFlags is the flags bitfield of a message.
type MessageFlags int

// FlagEphemeral makes an interaction response visible to its invoker only.
const FlagEphemeral MessageFlags = 1 << 6

// Message is a message sent or received: channel messages, interaction responses, webhook
// edits and follow-ups share this shape. Fields a request does not accept are left empty.
type Message struct {
	ID        string `json:"id,omitempty"`
	ChannelID string `json:"channel_id,omitempty"`
	Content   string `json:"content,omitempty"`
	// Embeds and Components are omitted when nil and sent when empty, so that an edit can
	// remove every embed or button with an empty, non-nil slice.
	Embeds          []Embed           `json:"embeds,omitzero"`
	Components      []Component       `json:"components,omitzero"`
	Flags           MessageFlags      `json:"flags,omitempty"`
	AllowedMentions *AllowedMentions  `json:"allowed_mentions,omitempty"`
	Nonce           string            `json:"nonce,omitempty"`
	EnforceNonce    bool              `json:"enforce_nonce,omitempty"`
	Reference       *MessageReference `json:"message_reference,omitempty"`
	Author          *User             `json:"author,omitempty"`
	Timestamp       string            `json:"timestamp,omitempty"`
	// Choices are an autocomplete result's (ResponseAutocompleteResult), and only there;
	// an empty, non-nil slice is sent as [].
	Choices []Choice `json:"choices,omitzero"`
}

// AllowedMentions says whom a message may ping. An empty Parse pings nobody.
type AllowedMentions struct {
	Parse []string `json:"parse"`
	Users []string `json:"users,omitempty"`
	Roles []string `json:"roles,omitempty"`
}

// MessageReference makes a message a reply.
type MessageReference struct {
	MessageID       string `json:"message_id"`
	ChannelID       string `json:"channel_id,omitempty"`
	FailIfNotExists *bool  `json:"fail_if_not_exists,omitempty"`
}

// Embed is a rich embed.
type Embed struct {
	Title       string       `json:"title,omitempty"`
	Description string       `json:"description,omitempty"`
	URL         string       `json:"url,omitempty"`
	Color       int          `json:"color,omitempty"`
	Timestamp   string       `json:"timestamp,omitempty"` // RFC 3339
	Footer      *EmbedFooter `json:"footer,omitempty"`
	Author      *EmbedAuthor `json:"author,omitempty"`
	Fields      []EmbedField `json:"fields,omitempty"`
}

// EmbedFooter is an embed's footer.
type EmbedFooter struct {
	Text string `json:"text"`
}

// EmbedAuthor is an embed's author line.
type EmbedAuthor struct {
	Name    string `json:"name"`
	URL     string `json:"url,omitempty"`
	IconURL string `json:"icon_url,omitempty"`
}

// EmbedField is one name/value field of an embed.
type EmbedField struct {
	Name   string `json:"name"`
	Value  string `json:"value"`
	Inline bool   `json:"inline,omitempty"`
}

// Embed colours the suite uses.
const (
	ColorGreen  = 0x2ECC71
	ColorYellow = 0xF1C40F
	ColorRed    = 0xE74C3C
	ColorBlue   = 0x3498DB
	ColorGrey   = 0x95A5A6
	ColorPurple = 0x9B59B6
)

// ComponentType is the type of a message component.
type ComponentType int

// Component types the suite uses.
const (
	ComponentActionRow ComponentType = 1
	ComponentButton    ComponentType = 2
)

// ButtonStyle is the style of a button.
type ButtonStyle int

// Button styles.
const (
	ButtonPrimary   ButtonStyle = 1
	ButtonSecondary ButtonStyle = 2
	ButtonSuccess   ButtonStyle = 3
	ButtonDanger    ButtonStyle = 4
	ButtonLink      ButtonStyle = 5
)

// Component is an action row or a button.
type Component struct {
	Type       ComponentType `json:"type"`
	Components []Component   `json:"components,omitempty"` // action rows only
	Style      ButtonStyle   `json:"style,omitempty"`
	Label      string        `json:"label,omitempty"`
	CustomID   string        `json:"custom_id,omitempty"`
	URL        string        `json:"url,omitempty"`
	Disabled   bool          `json:"disabled,omitempty"`
}

// OptionType is the type of an application command option.
type OptionType int

// Option types the suite uses.
const (
	OptionString  OptionType = 3
	OptionInteger OptionType = 4
	OptionBoolean OptionType = 5
	OptionUser    OptionType = 6 // a member of the server; its value is the user id
)

// Command is an application command definition, as sent to the bulk-overwrite endpoints.
type Command struct {
	ID          string `json:"id,omitempty"`
	Type        int    `json:"type,omitempty"` // 1, CHAT_INPUT
	Name        string `json:"name"`
	Description string `json:"description"`
	// DescriptionLocalizations is the description in other locales, by Discord locale ("ko"):
	// Discord shows each member the one of their client's locale, or Description.
	DescriptionLocalizations Localizations `json:"description_localizations,omitempty"`
	Options                  []OptionDef   `json:"options,omitempty"`
	// DefaultMemberPermissions is a permission bitfield as a decimal string; nil lets everyone.
	DefaultMemberPermissions *string `json:"default_member_permissions,omitempty"`
	// Contexts lists where the command shows: 0 guild, 1 bot DM, 2 private channel.
	Contexts []int `json:"contexts,omitempty"`
}

// OptionDef is one option of a command definition.
type OptionDef struct {
	Type        OptionType `json:"type"`
	Name        string     `json:"name"`
	Description string     `json:"description"`
	// DescriptionLocalizations is the description in other locales (see Command).
	DescriptionLocalizations Localizations `json:"description_localizations,omitempty"`
	Required                 bool          `json:"required,omitempty"`
	Choices                  []Choice      `json:"choices,omitempty"`
	MinValue                 *int64        `json:"min_value,omitempty"`
	MaxValue                 *int64        `json:"max_value,omitempty"`
	MaxLength                int           `json:"max_length,omitempty"`
	// Autocomplete makes Discord ask the bot for choices as the member types (a string,
	// integer or number option without Choices).
	Autocomplete bool `json:"autocomplete,omitempty"`
}

// Choice is one fixed choice of a string or integer option.
type Choice struct {
	Name string `json:"name"`
	// NameLocalizations is the name in other locales (see Command); the value stays the same.
	NameLocalizations Localizations `json:"name_localizations,omitempty"`
	Value             any           `json:"value"`
}

// Localizations maps a Discord locale ("ko") to the text of that locale, in a command
// definition's *_localizations fields.
//
// See https://discord.com/developers/docs/interactions/application-commands#localization
type Localizations map[string]string

// Permission bits for DefaultMemberPermissions.
const (
	PermissionManageGuild = 1 << 5
)
