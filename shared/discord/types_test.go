package discord_test

import (
	"testing"

	"github.com/discord-chatops/chatops/shared/discord"
)

func TestIsSnowflake(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		s    string
		want bool
	}{
		{"1100000000000000002", true},
		{"0", true},
		{"18446744073709551615", true}, // the largest uint64
		{"18446744073709551616", false},
		{"", false},
		{" 1100000000000000002", false},
		{"+1", false},
		{"-1", false},
		{"1_000", false},
		{"0x1f", false},
		{"12a", false},
		{"１２", false}, // full-width digits
	} {
		if got := discord.IsSnowflake(tt.s); got != tt.want {
			t.Errorf("IsSnowflake(%q) = %v, want %v", tt.s, got, tt.want)
		}
	}
}
