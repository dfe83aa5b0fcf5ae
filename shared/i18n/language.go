package i18n

import (
	"fmt"
	"strings"
)

// Language is a language the suite speaks.
type Language string

// The languages the suite speaks.
const (
	English Language = "en"
	Korean  Language = "ko"
)

// Default is the language of what the channel sees when CHATOPS_LANGUAGE is unset. The stack
// sets the variable from its context key `language` with the same default (docs/CONTRACT.md).
const Default = Korean

// ParseLanguage reads CHATOPS_LANGUAGE: "ko" or "en" (any case, surrounding space ignored), and
// Default when empty.
func ParseLanguage(s string) (Language, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "":
		return Default, nil
	case "ko":
		return Korean, nil
	case "en":
		return English, nil
	}
	return "", fmt.Errorf("language %q: want ko or en", s)
}

// ForLocale is the language of a reply to a member whose Discord locale is locale
// (https://discord.com/developers/docs/reference#locales): Korean for "ko", English for
// everything else, unset included.
func ForLocale(locale string) Language {
	if locale == "ko" || strings.HasPrefix(locale, "ko-") {
		return Korean
	}
	return English
}

// Languages lists every language, English first.
func Languages() []Language {
	return []Language{English, Korean}
}
