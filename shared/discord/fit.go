package discord

import (
	"fmt"
	"unicode/utf8"
)

// Discord's limits on a message, in characters (Unicode code points) or items.
//
// See https://discord.com/developers/docs/resources/message#embed-object-embed-limits and
// https://discord.com/developers/docs/components/reference#button
const (
	MaxContent          = 2000
	MaxEmbeds           = 10
	MaxEmbedTitle       = 256
	MaxEmbedDescription = 4096
	MaxEmbedFields      = 25
	MaxFieldName        = 256
	MaxFieldValue       = 1024
	MaxFooterText       = 2048
	MaxAuthorName       = 256
	MaxEmbedsTotal      = 6000 // over title, description, field names and values, footer and author of every embed
	MaxCustomID         = 100
	MaxActionRows       = 5
	MaxRowComponents    = 5
	MaxButtonLabel      = 80
)

// Ellipsis ends every text Truncate and Fit cut.
const Ellipsis = "…"

// Truncate cuts s to at most max runes, ending with Ellipsis when it cuts. It never splits a
// multi-byte rune; it may split a grapheme made of several runes (an emoji with modifiers).
func Truncate(s string, max int) string {
	if max <= 0 {
		return ""
	}
	count, cut := 0, 0
	for i := range s {
		if count == max-1 {
			cut = i
		}
		if count == max {
			return s[:cut] + Ellipsis
		}
		count++
	}
	return s
}

// Fit returns a copy of m within every Discord limit, so that Discord never answers 400 for
// length. Text is cut with an ellipsis; when the embeds together exceed 6000 characters, the
// longest texts are cut to a common length, so short titles and field names stay whole. What
// cannot be cut is dropped: embeds past 10, action rows past 5, buttons past 5 in a row; fields
// past 25 become one last field that says how many were left out. The slices of m are not
// modified.
func (m Message) Fit() Message {
	out := m
	out.Content = Truncate(m.Content, MaxContent)
	if m.Embeds != nil {
		out.Embeds = fitEmbeds(m.Embeds)
	}
	if m.Components != nil {
		out.Components = fitComponents(m.Components, MaxActionRows)
	}
	return out
}

func fitEmbeds(embeds []Embed) []Embed {
	out := make([]Embed, min(len(embeds), MaxEmbeds))
	var texts []*string
	for i := range out {
		out[i] = embeds[i]
		e := &out[i] // texts point into out
		e.Title = Truncate(e.Title, MaxEmbedTitle)
		e.Description = Truncate(e.Description, MaxEmbedDescription)
		texts = append(texts, &e.Title, &e.Description)
		if e.Author != nil {
			a := *e.Author
			a.Name = Truncate(a.Name, MaxAuthorName)
			e.Author = &a
			texts = append(texts, &e.Author.Name)
		}
		if e.Footer != nil {
			f := *e.Footer
			f.Text = Truncate(f.Text, MaxFooterText)
			e.Footer = &f
			texts = append(texts, &e.Footer.Text)
		}
		if e.Fields != nil {
			e.Fields = fitFields(e.Fields)
			for j := range e.Fields {
				texts = append(texts, &e.Fields[j].Name, &e.Fields[j].Value)
			}
		}
	}
	capTotal(texts, MaxEmbedsTotal)
	return out
}

func fitFields(fields []EmbedField) []EmbedField {
	keep := len(fields)
	if keep > MaxEmbedFields {
		keep = MaxEmbedFields - 1
	}
	out := make([]EmbedField, keep, min(len(fields), MaxEmbedFields))
	for i := range out {
		f := fields[i]
		f.Name = Truncate(f.Name, MaxFieldName)
		f.Value = Truncate(f.Value, MaxFieldValue)
		out[i] = f
	}
	if left := len(fields) - keep; left > 0 {
		out = append(out, EmbedField{Name: Ellipsis, Value: fmt.Sprintf("%d more not shown", left)})
	}
	return out
}

// capTotal cuts the longest of texts to one common length, the greatest that brings their sum
// within limit.
func capTotal(texts []*string, limit int) {
	lengths := make([]int, len(texts))
	total, longest := 0, 0
	for i, t := range texts {
		lengths[i] = utf8.RuneCountInString(*t)
		total += lengths[i]
		longest = max(longest, lengths[i])
	}
	if total <= limit {
		return
	}
	lo, hi := 0, longest
	for lo < hi {
		mid := (lo + hi + 1) / 2
		sum := 0
		for _, n := range lengths {
			sum += min(n, mid)
		}
		if sum <= limit {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	for i, t := range texts {
		if lengths[i] > lo {
			*t = Truncate(*t, lo)
		}
	}
}

func fitComponents(components []Component, limit int) []Component {
	out := make([]Component, min(len(components), limit))
	for i := range out {
		c := components[i]
		c.Label = Truncate(c.Label, MaxButtonLabel)
		c.CustomID = Truncate(c.CustomID, MaxCustomID)
		if c.Components != nil {
			c.Components = fitComponents(c.Components, MaxRowComponents)
		}
		out[i] = c
	}
	return out
}
