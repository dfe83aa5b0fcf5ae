package deployrun

import "strings"

// DefaultTwoPersonEnvironments is the two-person rule where nothing sets it: the value of
// TWO_PERSON_ENVIRONMENTS when it is unset or blank, and of the stack's twoPersonEnvironments
// context when the key is absent or empty. The function (interactions), the stack (infra) and
// the local runner all read it from here, so that a deployed stack, `make local` and a function
// started by hand refuse the same self-approvals.
const DefaultTwoPersonEnvironments = "prod"

// NoTwoPerson turns the two-person rule off: TWO_PERSON_ENVIRONMENTS=none (context
// twoPersonEnvironments "none"). Blank cannot, since it means the default.
const NoTwoPerson = "none"

// TwoPersonEnvironments reads TWO_PERSON_ENVIRONMENTS (or the context key): comma-separated
// environment names, blanks and spaces dropped; blank means DefaultTwoPersonEnvironments and
// NoTwoPerson means none.
func TwoPersonEnvironments(s string) []string {
	if strings.TrimSpace(s) == "" {
		s = DefaultTwoPersonEnvironments
	}
	var out []string
	for v := range strings.SplitSeq(s, ",") {
		if v = strings.TrimSpace(v); v != "" && v != NoTwoPerson {
			out = append(out, v)
		}
	}
	return out
}
