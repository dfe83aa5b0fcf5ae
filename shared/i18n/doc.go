// Package i18n gives every message of the suite in English and in Korean, from go-i18n catalogs
// embedded in the binaries (https://github.com/nicksnyder/go-i18n, CLDR plural rules).
//
// Which language:
//   - a reply meant for one member (an ephemeral answer, a refusal) follows that member's Discord
//     locale: ForLocale("ko") is Korean, every other locale English;
//   - what the whole channel sees (cards, announcements, reports, deploy results, alarms) follows
//     CHATOPS_LANGUAGE, read with ParseLanguage: "ko" or "en", Korean when unset.
//
// Catalogs. Each package with user-visible text keeps it in JSON files named
// <area>.<lang>.json ("deploy.en.json", "deploy.ko.json") in a directory it embeds (go:embed
// needs a package-level embed.FS; it is read-only) and exposes as `func Messages() fs.FS`.
// A file is go-i18n's flat JSON form: message id to text, or to an object of plural forms
// ({"one": ..., "other": ...}; Korean has only "other"). Ids are dotted and start with the
// area ("deploy.card.title"), so that the files of one binary never collide. Templates are a
// subset of text/template run by this package (template.go says why): {{.Field}},
// {{.Field.Sub}}, {{if .Field}} … {{else}} … {{end}} with not, and, or. A field the template names
// and the data lacks is an error, not "<no value>". Text that comes from elsewhere (pull-request titles and bodies,
// commit messages, AWS names) is passed in as data and stays as written.
//
// A binary builds one Catalog from its packages' files with NewCatalog; the catalog parses
// them on first use, so a cold start that answers a PING never pays for it. Printer gives the
// text of one language, with the dates, amounts, counts and relative times of that language
// (format.go). i18ntest.Complete fails a test when a message lacks either language, when the
// two languages' templates name different fields, or when code asks for an id that no file has.
package i18n
