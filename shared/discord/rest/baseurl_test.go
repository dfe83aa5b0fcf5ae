package rest_test

import (
	"testing"

	"github.com/discord-chatops/chatops/shared/discord/rest"
)

func TestParseBaseURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
		wantErr  bool
	}{
		{"", rest.DefaultBaseURL, false},
		{"  ", rest.DefaultBaseURL, false},
		{"http://127.0.0.1:8080/api/v10/", "http://127.0.0.1:8080/api/v10", false},
		{"https://discord.com/api/v10", "https://discord.com/api/v10", false},
		{"discord.com/api", "", true},
		{"ftp://discord.com/api", "", true},
		{"https://", "", true},
	}
	for _, tt := range tests {
		got, err := rest.ParseBaseURL(tt.in)
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("ParseBaseURL(%q) = %q, %v; want %q, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}
