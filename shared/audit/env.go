package audit

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Retention bounds, in days: the stack's auditRetentionDays and its default.
const (
	DefaultRetentionDays = 400
	// MaxRetentionDays keeps the TTL (epoch seconds) far from any overflow; the stack refuses
	// more too.
	MaxRetentionDays = 36500
)

// RetentionFromEnv reads AUDIT_RETENTION_DAYS through getenv: how long an entry is kept, a
// whole number of days from 1 to MaxRetentionDays; "" means DefaultRetentionDays.
func RetentionFromEnv(getenv func(string) string) (time.Duration, error) {
	s := strings.TrimSpace(getenv("AUDIT_RETENTION_DAYS"))
	if s == "" {
		return DefaultRetentionDays * 24 * time.Hour, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > MaxRetentionDays {
		return 0, fmt.Errorf("AUDIT_RETENTION_DAYS: %q is not a whole number of days from 1 to %d (how long the audit trail keeps an entry)", s, MaxRetentionDays)
	}
	return time.Duration(n) * 24 * time.Hour, nil
}
