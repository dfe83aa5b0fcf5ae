package discord_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/discord-chatops/chatops/shared/discord"
)

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseInteraction(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file string
		want discord.Interaction
	}{
		{
			file: "ping.json",
			want: discord.Interaction{
				ID:            "1300000000000000001",
				ApplicationID: "1290000000000000001",
				Type:          discord.InteractionPing,
				Token:         "aW50ZXJhY3Rpb246MTMwMDAwMDAwMDAwMDAwMDAwMTpwaW5nLXRva2Vu",
				Version:       1,
				User:          &discord.User{ID: "643945264868098049", Username: "discord", GlobalName: "Discord", Bot: true},
			},
		},
		{
			file: "command-guild.json",
			want: discord.Interaction{
				ID:            "1300000000000000002",
				ApplicationID: "1290000000000000001",
				Type:          discord.InteractionApplicationCommand,
				Token:         "aW50ZXJhY3Rpb246MTMwMDAwMDAwMDAwMDAwMDAwMjpzZWNyZXQtdG9rZW4tZ3VpbGQ",
				Version:       1,
				GuildID:       "1100000000000000001",
				ChannelID:     "1100000000000000002",
				Locale:        "ko",
				Member: &discord.Member{
					User:        &discord.User{ID: "1000000000000000042", Username: "minji", GlobalName: "Minji"},
					Nick:        "Min",
					Roles:       []string{"1100000000000000010", "1100000000000000011"},
					Permissions: "2248473465835073",
				},
				Command: &discord.CommandData{
					ID:   "1290000000000000101",
					Name: "scale",
					Type: 1,
					Options: []discord.CommandOption{
						{Name: "service", Type: discord.OptionString, Value: json.RawMessage(`"ecs"`)},
						{Name: "target", Type: discord.OptionString, Value: json.RawMessage(`"prod-cluster/api"`)},
						{Name: "desired", Type: discord.OptionInteger, Value: json.RawMessage(`4`)},
					},
				},
			},
		},
		{
			file: "command-dm.json",
			want: discord.Interaction{
				ID:            "1300000000000000003",
				ApplicationID: "1290000000000000001",
				Type:          discord.InteractionApplicationCommand,
				Token:         "aW50ZXJhY3Rpb246MTMwMDAwMDAwMDAwMDAwMDAwMzpzZWNyZXQtdG9rZW4tZG0",
				Version:       1,
				ChannelID:     "1200000000000000003",
				Locale:        "en-US",
				User:          &discord.User{ID: "1000000000000000042", Username: "minji", GlobalName: "Minji"},
				Command:       &discord.CommandData{ID: "1290000000000000102", Name: "cost", Type: 1},
			},
		},
		{
			file: "component-button.json",
			want: discord.Interaction{
				ID:            "1300000000000000004",
				ApplicationID: "1290000000000000001",
				Type:          discord.InteractionMessageComponent,
				Token:         "aW50ZXJhY3Rpb246MTMwMDAwMDAwMDAwMDAwMDAwNDpzZWNyZXQtdG9rZW4tYnV0dG9u",
				Version:       1,
				GuildID:       "1100000000000000001",
				ChannelID:     "1100000000000000002",
				Locale:        "en-US",
				Member: &discord.Member{
					User:        &discord.User{ID: "1000000000000000043", Username: "jun", GlobalName: "Jun"},
					Roles:       []string{"1100000000000000010"},
					Permissions: "2248473465835073",
				},
				Message: &discord.Message{
					ID:        "1300000000000000100",
					ChannelID: "1100000000000000002",
					Embeds: []discord.Embed{{
						Title:       "Deploy request",
						Description: "Deploy `main` to **prod**?",
						Color:       discord.ColorYellow,
						Fields:      []discord.EmbedField{{Name: "Requested by", Value: "<@1000000000000000042>", Inline: true}},
					}},
					Components: []discord.Component{discord.ActionRow(
						discord.Button(discord.ButtonSuccess, "Approve", "deploy:approve:7f3c2a"),
						discord.Button(discord.ButtonDanger, "Cancel", "deploy:cancel:7f3c2a"),
					)},
					Author:    &discord.User{ID: "1290000000000000001", Username: "ChatOps", Bot: true},
					Timestamp: "2025-11-20T09:00:00.000000+00:00",
				},
				Component: &discord.ComponentData{CustomID: "deploy:approve:7f3c2a", ComponentType: discord.ComponentButton},
			},
		},
		{
			file: "autocomplete.json",
			want: discord.Interaction{
				ID:            "1300000000000000005",
				ApplicationID: "1290000000000000001",
				Type:          discord.InteractionAutocomplete,
				Token:         "aW50ZXJhY3Rpb246MTMwMDAwMDAwMDAwMDAwMDAwNTpzZWNyZXQtdG9rZW4tYXV0bw",
				Version:       1,
				GuildID:       "1100000000000000001",
				ChannelID:     "1100000000000000002",
				Locale:        "en-US",
				Member: &discord.Member{
					User:        &discord.User{ID: "1000000000000000043", Username: "jun", GlobalName: "Jun"},
					Roles:       []string{},
					Permissions: "2248473465835073",
				},
				Command: &discord.CommandData{
					ID:      "1290000000000000103",
					Name:    "deploy",
					Type:    1,
					Options: []discord.CommandOption{{Name: "environment", Type: discord.OptionString, Value: json.RawMessage(`"pr"`), Focused: true}},
				},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			got, err := discord.ParseInteraction(readFile(t, filepath.Join("testdata", "interactions", tt.file)))
			if err != nil {
				t.Fatalf("ParseInteraction: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseInteraction mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestParseInteractionAgreesWithEncodingJSON decodes every recorded interaction the way the
// suite did before ParseInteraction moved to encoding/json/v2's mirror (encoding/json, with
// its v1 rules), and wants the same Interaction, raw option values and messages included.
func TestParseInteractionAgreesWithEncodingJSON(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join("testdata", "interactions", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			t.Parallel()
			body := readFile(t, f)
			got, err := discord.ParseInteraction(body)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(parseV1(t, body), got); diff != "" {
				t.Errorf("ParseInteraction differs from encoding/json (-v1 +got):\n%s", diff)
			}
		})
	}
}

// TestParseInteractionRules pins where the decoder's rules meet encoding/json's and where
// they are stricter, as ParseInteraction's comment says.
func TestParseInteractionRules(t *testing.T) {
	t.Parallel()
	const base = `{"id":"1","application_id":"2","type":2,"token":"t","data":{"name":"cost"%s},"locale":"ko"%s}`
	tests := []struct {
		name, data, extra string
		wantLocale        string
		wantName          string
		wantErr           bool
	}{
		{name: "a name given twice: the last counts", extra: `,"locale":"en-US"`, wantLocale: "en-US", wantName: "cost"},
		{name: "a name given twice in data", data: `,"name":"help"`, wantLocale: "ko", wantName: "help"},
		{name: "names match exactly", extra: `,"Locale":"en-US"`, wantLocale: "ko", wantName: "cost"},
		{name: "invalid UTF-8", extra: ",\"nick\":\"\xff\"", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in, err := discord.ParseInteraction([]byte(fmt.Sprintf(base, tt.data, tt.extra)))
			if tt.wantErr {
				if !errors.Is(err, discord.ErrMalformed) {
					t.Fatalf("error %v, want one wrapping ErrMalformed", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if in.Locale != tt.wantLocale || in.Command.Name != tt.wantName {
				t.Errorf("locale %q, command %q; want %q, %q", in.Locale, in.Command.Name, tt.wantLocale, tt.wantName)
			}
		})
	}
}

// parseV1 is the two passes with encoding/json.
func parseV1(t *testing.T, body []byte) discord.Interaction {
	t.Helper()
	var env struct {
		discord.Interaction
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		t.Fatal(err)
	}
	in := env.Interaction
	switch in.Type {
	case discord.InteractionApplicationCommand, discord.InteractionAutocomplete:
		in.Command = new(discord.CommandData)
		if err := json.Unmarshal(env.Data, in.Command); err != nil {
			t.Fatal(err)
		}
	case discord.InteractionMessageComponent:
		in.Component = new(discord.ComponentData)
		if err := json.Unmarshal(env.Data, in.Component); err != nil {
			t.Fatal(err)
		}
	}
	return in
}

func TestParseInteractionMalformed(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join("testdata", "interactions", "malformed", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 10 {
		t.Fatalf("found %d malformed payloads, want the dozen in testdata", len(files))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			t.Parallel()
			got, err := discord.ParseInteraction(readFile(t, f))
			if !errors.Is(err, discord.ErrMalformed) {
				t.Fatalf("ParseInteraction error = %v, want one wrapping ErrMalformed", err)
			}
			if diff := cmp.Diff(discord.Interaction{}, got); diff != "" {
				t.Errorf("ParseInteraction returned a partial interaction with its error:\n%s", diff)
			}
		})
	}
}

func TestInvokerAndRoles(t *testing.T) {
	t.Parallel()
	guildUser := &discord.User{ID: "1", Username: "in-guild"}
	dmUser := &discord.User{ID: "2", Username: "in-dm"}
	tests := []struct {
		name      string
		in        discord.Interaction
		wantUser  *discord.User
		wantRoles []string
	}{
		{"guild", discord.Interaction{Member: &discord.Member{User: guildUser, Roles: []string{"10", "11"}}}, guildUser, []string{"10", "11"}},
		{"guild member preferred over user", discord.Interaction{Member: &discord.Member{User: guildUser}, User: dmUser}, guildUser, nil},
		{"dm", discord.Interaction{User: dmUser}, dmUser, nil},
		{"member without user", discord.Interaction{Member: &discord.Member{Roles: []string{"10"}}, User: dmUser}, dmUser, []string{"10"}},
		{"neither", discord.Interaction{}, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.in.Invoker(); got != tt.wantUser {
				t.Errorf("Invoker() = %+v, want %+v", got, tt.wantUser)
			}
			if diff := cmp.Diff(tt.wantRoles, tt.in.RoleIDs()); diff != "" {
				t.Errorf("RoleIDs() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCommandOptions(t *testing.T) {
	t.Parallel()
	in, err := discord.ParseInteraction([]byte(`{"id":"1","token":"t","type":2,"data":{"name":"assign","options":[
		{"name":"number","type":4,"value":1234},
		{"name":"assignee","type":3,"value":"octocat"},
		{"name":"repo","type":3,"value":"owner/repo"},
		{"name":"big","type":4,"value":9007199254740991},
		{"name":"float","type":10,"value":1.5},
		{"name":"quoted","type":3,"value":"42"},
		{"name":"flag","type":5,"value":true},
		{"name":"empty","type":3,"value":""},
		{"name":"sub","type":1,"options":[{"name":"inner","type":3,"value":"x"}]}
	]}}`))
	if err != nil {
		t.Fatal(err)
	}
	d := in.Command
	strings := []struct {
		name   string
		want   string
		wantOK bool
	}{
		{"assignee", "octocat", true},
		{"repo", "owner/repo", true},
		{"quoted", "42", true},
		{"empty", "", true},
		{"number", "", false},
		{"flag", "", false},
		{"missing", "", false},
		{"sub", "", false},
		{"inner", "", false}, // not top-level
	}
	for _, tt := range strings {
		got, ok := d.String(tt.name)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("String(%q) = %q, %v; want %q, %v", tt.name, got, ok, tt.want, tt.wantOK)
		}
	}
	ints := []struct {
		name   string
		want   int64
		wantOK bool
	}{
		{"number", 1234, true},
		{"big", 9007199254740991, true},
		{"float", 0, false},
		{"quoted", 0, false},
		{"assignee", 0, false},
		{"missing", 0, false},
	}
	for _, tt := range ints {
		got, ok := d.Int(tt.name)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("Int(%q) = %d, %v; want %d, %v", tt.name, got, ok, tt.want, tt.wantOK)
		}
	}
	if got, ok := d.Bool("flag"); !got || !ok {
		t.Errorf("Bool(flag) = %v, %v; want true, true", got, ok)
	}
	if got, ok := d.Bool("number"); got || ok {
		t.Errorf("Bool(number) = %v, %v; want false, false", got, ok)
	}
	var none *discord.CommandData
	if _, ok := none.String("x"); ok {
		t.Error("String on nil CommandData reported an option")
	}
}

func FuzzParseInteraction(f *testing.F) {
	for _, pattern := range []string{"*.json", "malformed/*.json"} {
		files, err := filepath.Glob(filepath.Join("testdata", "interactions", pattern))
		if err != nil {
			f.Fatal(err)
		}
		for _, file := range files {
			f.Add(readFile(f, file))
		}
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		in, err := discord.ParseInteraction(body)
		if err != nil {
			if !errors.Is(err, discord.ErrMalformed) {
				t.Fatalf("error %v does not wrap ErrMalformed", err)
			}
			return
		}
		switch in.Type {
		case discord.InteractionPing:
		case discord.InteractionApplicationCommand, discord.InteractionAutocomplete:
			if in.Command == nil || in.Command.Name == "" || in.Component != nil {
				t.Fatalf("type %d parsed with command %+v, component %+v", in.Type, in.Command, in.Component)
			}
		case discord.InteractionMessageComponent:
			if in.Component == nil || in.Component.CustomID == "" || in.Command != nil {
				t.Fatalf("type 3 parsed with command %+v, component %+v", in.Command, in.Component)
			}
		case discord.InteractionModalSubmit:
		default:
			t.Fatalf("accepted unknown type %d", in.Type)
		}
		if in.Type != discord.InteractionPing && (in.ID == "" || in.Token == "") {
			t.Fatalf("type %d accepted without id or token", in.Type)
		}
		in.Invoker()
		in.RoleIDs()
	})
}
