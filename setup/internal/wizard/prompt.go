package wizard

import (
	"bufio"
	"cmp"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/charmbracelet/huh"
	"golang.org/x/term"
)

// Option is one choice of a Select or MultiSelect.
type Option struct {
	Label, Value string
}

// Prompter asks the user; each method returns the answer, or an error when input ends.
type Prompter interface {
	Input(title, description, value string, validate func(string) error) (string, error)
	// Secret asks without echoing what is typed.
	Secret(title, description string) (string, error)
	Select(title string, options []Option, value string) (string, error)
	MultiSelect(title, description string, options []Option, values []string) ([]string, error)
	Confirm(title string, value bool) (bool, error)
}

// ErrInputEnded is returned when the input ends before a question is answered.
var ErrInputEnded = errors.New("input ended before setup was done")

// Huh asks with github.com/charmbracelet/huh: full-screen forms on a terminal, or its
// accessible mode, which reads plain lines (screen readers, scripts, tests).
type Huh struct {
	in         *lineReader
	out        io.Writer
	accessible bool
	// terminal is set when in is a terminal, for hidden input in accessible mode.
	terminal *os.File
}

// NewHuh returns a Prompter reading in and writing out; accessible selects huh's accessible
// mode, which it always is when in is not a terminal.
func NewHuh(in io.Reader, out io.Writer, accessible bool) *Huh {
	h := &Huh{in: &lineReader{r: in}, out: out, accessible: accessible}
	if f, ok := in.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		h.terminal = f
	} else {
		h.accessible = true
	}
	return h
}

func (h *Huh) run(fields ...huh.Field) error {
	f := huh.NewForm(huh.NewGroup(fields...)).WithAccessible(h.accessible).WithShowHelp(!h.accessible)
	if h.accessible {
		f = f.WithInput(h.in).WithOutput(h.out)
	}
	if err := f.Run(); err != nil {
		return fmt.Errorf("ask: %w", err)
	}
	if h.in.ended {
		return ErrInputEnded
	}
	return nil
}

// Input asks for a line of text; an empty answer keeps value.
func (h *Huh) Input(title, description, value string, validate func(string) error) (string, error) {
	def := value
	check := func(s string) error {
		if validate == nil {
			return nil
		}
		return validate(cmp.Or(strings.TrimSpace(s), def))
	}
	if h.accessible {
		// Accessible mode shows only the title: put the rest in it.
		title = accessibleTitle(title, description, def)
	}
	err := h.run(huh.NewInput().Title(title).Description(description).Value(&value).Validate(check))
	return strings.TrimSpace(value), err
}

// Secret asks for a secret: huh's password field on a terminal; in accessible mode, a line
// read without echo from the terminal, or one line of input when there is none (a script).
// It is never echoed.
func (h *Huh) Secret(title, description string) (string, error) {
	if !h.accessible {
		var v string
		err := h.run(huh.NewInput().Title(title).Description(description).EchoMode(huh.EchoModePassword).Value(&v))
		return strings.TrimSpace(v), err
	}
	fmt.Fprintf(h.out, "%s\n%s\n> ", title, description)
	if h.terminal != nil {
		b, err := term.ReadPassword(int(h.terminal.Fd()))
		fmt.Fprintln(h.out)
		if err != nil {
			return "", fmt.Errorf("read %s: %w", title, err)
		}
		return strings.TrimSpace(string(b)), nil
	}
	line, err := bufio.NewReader(h.in).ReadString('\n')
	fmt.Fprintln(h.out)
	if err != nil && line == "" {
		return "", ErrInputEnded
	}
	return strings.TrimSpace(line), nil
}

// Select asks for one of options; value is preselected.
func (h *Huh) Select(title string, options []Option, value string) (string, error) {
	opts := make([]huh.Option[string], len(options))
	for i, o := range options {
		opts[i] = huh.NewOption(o.Label, o.Value)
	}
	if value == "" && len(options) > 0 {
		value = options[0].Value
	}
	err := h.run(huh.NewSelect[string]().Title(title).Options(opts...).Value(&value))
	return value, err
}

// MultiSelect asks for any number of options; values are preselected.
func (h *Huh) MultiSelect(title, description string, options []Option, values []string) ([]string, error) {
	opts := make([]huh.Option[string], len(options))
	for i, o := range options {
		opts[i] = huh.NewOption(o.Label, o.Value)
	}
	chosen := append([]string(nil), values...)
	if h.accessible {
		title = accessibleTitle(title, description+" Enter a number to select or unselect it, 0 when done", "")
	}
	err := h.run(huh.NewMultiSelect[string]().Title(title).Description(description).Options(opts...).Value(&chosen))
	return chosen, err
}

// Confirm asks yes or no; value is the default.
func (h *Huh) Confirm(title string, value bool) (bool, error) {
	err := h.run(huh.NewConfirm().Title(title).Value(&value))
	return value, err
}

// lineReader hands out at most one line per Read, so that each of huh's accessible prompts,
// which wraps the reader in a bufio.Scanner of its own, takes one line and leaves the rest.
type lineReader struct {
	r     io.Reader
	ended bool
}

func (l *lineReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		k, err := l.r.Read(p[n : n+1])
		n += k
		if err != nil {
			if errors.Is(err, io.EOF) && n == 0 {
				l.ended = true
			}
			if n > 0 {
				return n, nil
			}
			return 0, err
		}
		if k == 1 && p[n-1] == '\n' {
			break
		}
	}
	return n, nil
}

// accessibleTitle is a title with its description and default, for huh's accessible mode.
func accessibleTitle(title, description, def string) string {
	if description != "" {
		title += " (" + description + ")"
	}
	if def != "" {
		title += " [" + def + "]"
	}
	return title + ":"
}
