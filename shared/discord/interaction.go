package discord

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// ErrMalformed is wrapped by every error ParseInteraction returns: the body is not an
// interaction Discord would send. Answer it with 400.
var ErrMalformed = errors.New("malformed interaction")

// ParseInteraction decodes an interaction in two passes: the envelope first, to learn its
// type, then its data as the struct that type calls for: CommandData for APPLICATION_COMMAND
// and AUTOCOMPLETE, ComponentData for MESSAGE_COMPONENT. MODAL_SUBMIT is accepted with its
// data left undecoded, as the suite opens no modals. Verify the signature on the raw body
// before calling it.
//
// It decodes with github.com/go-json-experiment/json, the mirror of Go 1.27's
// encoding/json/v2: on the acknowledgement path, encoding/json took about twice as long as
// the rest of the work after the signature check (docs/BENCHMARKS.md). Two of its rules are
// stricter than encoding/json's: names match exactly, and invalid UTF-8 is malformed. A name
// given twice is accepted, the last one counting, as encoding/json does.
//
// See https://discord.com/developers/docs/interactions/receiving-and-responding#interaction-object
func ParseInteraction(body []byte) (Interaction, error) {
	var env struct {
		Interaction
		Data jsontext.Value `json:"data"`
	}
	if err := jsonv2.Unmarshal(body, &env, jsontext.AllowDuplicateNames(true)); err != nil {
		return Interaction{}, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	in := env.Interaction
	switch in.Type {
	case InteractionPing:
		return in, nil
	case InteractionApplicationCommand, InteractionAutocomplete, InteractionMessageComponent, InteractionModalSubmit:
	case 0:
		return Interaction{}, fmt.Errorf("%w: no type", ErrMalformed)
	default:
		return Interaction{}, fmt.Errorf("%w: unknown type %d", ErrMalformed, in.Type)
	}
	if in.ID == "" || in.Token == "" {
		return Interaction{}, fmt.Errorf("%w: type %d without id or token", ErrMalformed, in.Type)
	}
	if isNull(env.Data) {
		return Interaction{}, fmt.Errorf("%w: type %d without data", ErrMalformed, in.Type)
	}
	switch in.Type {
	case InteractionApplicationCommand, InteractionAutocomplete:
		var d CommandData
		if err := jsonv2.Unmarshal(env.Data, &d, jsontext.AllowDuplicateNames(true)); err != nil {
			return Interaction{}, fmt.Errorf("%w: command data: %w", ErrMalformed, err)
		}
		if d.Name == "" {
			return Interaction{}, fmt.Errorf("%w: command without name", ErrMalformed)
		}
		in.Command = &d
	case InteractionMessageComponent:
		var d ComponentData
		if err := jsonv2.Unmarshal(env.Data, &d, jsontext.AllowDuplicateNames(true)); err != nil {
			return Interaction{}, fmt.Errorf("%w: component data: %w", ErrMalformed, err)
		}
		if d.CustomID == "" {
			return Interaction{}, fmt.Errorf("%w: component without custom_id", ErrMalformed)
		}
		in.Component = &d
	}
	return in, nil
}

func isNull(raw []byte) bool {
	return len(raw) == 0 || string(raw) == "null"
}

// Invoker is the user who triggered the interaction: Member.User inside a guild, User in
// direct messages, nil if the interaction carries neither (PING).
func (i Interaction) Invoker() *User {
	if i.Member != nil && i.Member.User != nil {
		return i.Member.User
	}
	return i.User
}

// RoleIDs is the invoker's guild roles; nil outside a guild. Use it for permission checks:
// server admins can override a command's default_member_permissions.
func (i Interaction) RoleIDs() []string {
	if i.Member == nil {
		return nil
	}
	return i.Member.Roles
}

// String is the value of the top-level option name when it is a JSON string (string, user,
// channel and role options); false when the option is absent or not a string.
func (d *CommandData) String(name string) (string, bool) {
	raw, ok := d.value(name)
	if !ok {
		return "", false
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", false
	}
	return s, true
}

// Int is the value of the top-level integer option name; false when the option is absent or
// its value is not a JSON integer.
func (d *CommandData) Int(name string) (int64, bool) {
	raw, ok := d.value(name)
	if !ok {
		return 0, false
	}
	v, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil {
		return 0, false
	}
	return v, true
}

// Bool is the value of the top-level boolean option name; false, false when it is absent.
func (d *CommandData) Bool(name string) (value, ok bool) {
	raw, ok := d.value(name)
	if !ok {
		return false, false
	}
	if err := json.Unmarshal(raw, &value); err != nil {
		return false, false
	}
	return value, true
}

// value is the raw value of the top-level option name. Subcommand options carry no value.
func (d *CommandData) value(name string) (json.RawMessage, bool) {
	if d == nil {
		return nil, false
	}
	for _, o := range d.Options {
		if o.Name == name && !isNull(o.Value) {
			return o.Value, true
		}
	}
	return nil, false
}
