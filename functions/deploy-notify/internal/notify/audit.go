package notify

import (
	"github.com/discord-chatops/chatops/shared/audit"
)

// AuditEntry is the audit trail's record of a finished deploy: "deploy.result" for a run of
// the deploy workflow, "deployment.result" for a deployment made elsewhere, its conclusion as
// the outcome ("success", "failure", "cancelled", ...) and its URL as the detail. Who is the
// name the run gives (the Discord requester in its title, or the GitHub actor): the trail has
// no Discord id for it. The interactions function records the request, approval and dispatch
// of the same deploy.
func (r Report) AuditEntry() audit.Entry {
	action := "deploy.result"
	if r.Source == SourceDeployment {
		action = "deployment.result"
	}
	target := r.Ref
	if r.Environment != "" {
		target = r.Environment + "@" + r.Ref
	}
	return audit.Entry{At: r.Time, Action: action, Target: target, Outcome: r.Status, Detail: r.URL, User: r.RequestedBy,
		ChannelID: r.CardChannelID, Environment: r.Environment}
}
