package app

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/discord-chatops/chatops/local/internal/caller"
	"github.com/discord-chatops/chatops/shared/discord"
)

// parseCommand reads a slash command typed as text, "/name option:value ...", against the
// registered definitions defs, and refuses what a Discord client would not send: a command not
// registered, an option the command does not have or gives twice, a missing required option,
// a value of the wrong type, outside its range or not one of its choices. A value runs to the
// next " option:" of the command, so it may hold spaces ("ref:release 1.4"), or is quoted
// ("ref:\"a b\""). Values are sent with the option's type, as Discord sends them.
//
// See https://discord.com/developers/docs/interactions/application-commands#application-command-object-application-command-option-structure
func parseCommand(text string, defs []discord.Command) (string, []caller.Option, error) {
	text = strings.TrimSpace(text)
	name, rest, _ := strings.Cut(text, " ")
	name, ok := strings.CutPrefix(name, "/")
	if !ok || name == "" {
		return "", nil, errors.New("want a command such as /status service:ec2 target:app=web")
	}
	i := slices.IndexFunc(defs, func(c discord.Command) bool { return c.Name == name })
	if i < 0 {
		names := make([]string, len(defs))
		for j, c := range defs {
			names[j] = "/" + c.Name
		}
		return "", nil, fmt.Errorf("/%s is not a registered command; the registered ones: %s", name, strings.Join(names, ", "))
	}
	def := defs[i]
	raw, err := splitOptions(strings.TrimSpace(rest), def)
	if err != nil {
		return "", nil, err
	}
	var opts []caller.Option
	var errs []error
	given := map[string]bool{}
	for _, kv := range raw {
		o := def.Options[slices.IndexFunc(def.Options, func(o discord.OptionDef) bool { return o.Name == kv[0] })]
		if given[o.Name] {
			errs = append(errs, fmt.Errorf("option %s is given twice", o.Name))
			continue
		}
		given[o.Name] = true
		v, err := optionValue(o, kv[1])
		if err != nil {
			errs = append(errs, fmt.Errorf("option %s of /%s: %w", o.Name, name, err))
			continue
		}
		opts = append(opts, caller.Option{Name: o.Name, Value: v})
	}
	for _, o := range def.Options {
		if o.Required && !given[o.Name] {
			errs = append(errs, fmt.Errorf("/%s needs option %s (%s)", name, o.Name, o.Description))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return "", nil, err
	}
	return name, opts, nil
}

// splitOptions cuts "a:1 b:two words c:\"x y\"" into name and value pairs, at each " name:" of
// one of def's options.
func splitOptions(s string, def discord.Command) ([][2]string, error) {
	if s == "" {
		return nil, nil
	}
	names := make([]string, len(def.Options))
	for i, o := range def.Options {
		names[i] = regexp.QuoteMeta(o.Name)
	}
	optionLike := regexp.MustCompile(`\s([a-z0-9_-]{1,32}):`)
	nextOption := regexp.MustCompile(`\s+(` + strings.Join(names, "|") + `):`)
	var pairs [][2]string
	for s != "" {
		name, value, ok := strings.Cut(s, ":")
		if !ok || name == "" || strings.ContainsAny(name, " \t") {
			return nil, fmt.Errorf("%q: want option:value", s)
		}
		if !slices.ContainsFunc(def.Options, func(o discord.OptionDef) bool { return o.Name == name }) {
			return nil, fmt.Errorf("/%s has no option %q; its options: %s", def.Name, name, optionList(def))
		}
		if strings.HasPrefix(value, `"`) {
			end := strings.Index(value[1:], `"`)
			if end < 0 {
				return nil, fmt.Errorf("option %s: the quote is not closed", name)
			}
			pairs = append(pairs, [2]string{name, value[1 : end+1]})
			s = strings.TrimSpace(value[end+2:])
			continue
		}
		next := len(value)
		if loc := nextOption.FindStringIndex(value); loc != nil {
			next = loc[0]
		}
		v := strings.TrimSpace(value[:next])
		if m := optionLike.FindStringSubmatch(v); m != nil {
			return nil, fmt.Errorf("/%s has no option %q; its options: %s (quote a value that holds \" %s:\")", def.Name, m[1], optionList(def), m[1])
		}
		pairs = append(pairs, [2]string{name, v})
		s = strings.TrimSpace(value[next:])
	}
	return pairs, nil
}

func optionList(def discord.Command) string {
	if len(def.Options) == 0 {
		return "none"
	}
	var b []string
	for _, o := range def.Options {
		if o.Required {
			b = append(b, o.Name+" (required)")
			continue
		}
		b = append(b, o.Name)
	}
	return strings.Join(b, ", ")
}

// optionValue converts s to the option's type and checks it as a Discord client checks it.
func optionValue(o discord.OptionDef, s string) (any, error) {
	var v any
	switch o.Type {
	case discord.OptionInteger:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%q is not a whole number", s)
		}
		if (o.MinValue != nil && n < *o.MinValue) || (o.MaxValue != nil && n > *o.MaxValue) {
			return nil, fmt.Errorf("%d is outside %s", n, valueRange(o))
		}
		v = n
	case discord.OptionBoolean:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return nil, fmt.Errorf("%q is not true or false", s)
		}
		v = b
	case discord.OptionString:
		if s == "" {
			return nil, errors.New("is empty")
		}
		if o.MaxLength > 0 && utf8.RuneCountInString(s) > o.MaxLength {
			return nil, fmt.Errorf("is longer than %d characters", o.MaxLength)
		}
		v = s
	default:
		return nil, fmt.Errorf("has type %d, which the local Discord does not send", o.Type)
	}
	if len(o.Choices) > 0 {
		var choices []string
		for _, c := range o.Choices {
			if fmt.Sprint(c.Value) == fmt.Sprint(v) {
				return v, nil
			}
			choices = append(choices, fmt.Sprint(c.Value))
		}
		return nil, fmt.Errorf("%q is not one of its choices: %s", s, strings.Join(choices, ", "))
	}
	return v, nil
}

func valueRange(o discord.OptionDef) string {
	lo, hi := "…", "…"
	if o.MinValue != nil {
		lo = strconv.FormatInt(*o.MinValue, 10)
	}
	if o.MaxValue != nil {
		hi = strconv.FormatInt(*o.MaxValue, 10)
	}
	return lo + " to " + hi
}
