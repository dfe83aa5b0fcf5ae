package main

import (
	"strings"
	"testing"

	"github.com/discord-chatops/chatops/shared/i18n"
)

// TestAssign checks /assign through the handler against the fake GitHub: assigned, dropped by
// GitHub without an error (no access), unknown issue, bad options; each logged.
func TestAssign(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		number  any
		login   string
		repo    string
		want    string // the edited message, or the ephemeral refusal
		audit   string
		inline  bool
		uninst  bool
		request string // the GitHub request expected, if any
	}{
		{name: "assigned", number: 42, login: "@OctoCat", want: "✅ Assigned **OctoCat** to [acme/shop#42](https://github.com/acme/shop/issues/42).",
			audit: "assign acme/shop#42 -> OctoCat minji assigned", request: "POST /repos/acme/shop/issues/42/assignees"},
		{name: "dropped by GitHub", number: 42, login: "stranger", repo: "acme/web",
			want:  "⚠️ GitHub did not assign **stranger** to [acme/web#42](https://github.com/acme/web/issues/42): they may not have access to acme/web, or the login may be misspelt. GitHub drops such assignees without an error.",
			audit: "assign acme/web#42 -> stranger minji dropped", request: "POST /repos/acme/web/issues/42/assignees"},
		{name: "no such issue", number: 404, login: "octocat",
			want:  "⚠️ There is no issue or pull request #404 in acme/shop (or the GitHub App cannot see it).",
			audit: "assign acme/shop#404 -> octocat minji failed There is no"},
		{name: "App not installed", number: 42, login: "octocat", uninst: true,
			want:  "⚠️ The GitHub App is not installed on acme/shop (or the repository does not exist). Install it on the repository, then try again.",
			audit: "assign acme/shop#42 -> octocat minji failed appclient.notinstalled Repository=acme/shop: find"}, // the log names the message id
		{name: "bad login", number: 42, login: "not a login", inline: true,
			want: "`not a login` is not a GitHub login (letters, digits and single hyphens, up to 39)."},
		{name: "bad repo", number: 42, login: "octocat", repo: "shop", inline: true, want: "`shop` is not a repository: write it as owner/repo."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := newDeployWorld(t)
			if tt.uninst {
				w.gh.Uninstall("acme", "shop")
			}
			opts := []map[string]any{{"name": "number", "type": 4, "value": tt.number}, {"name": "assignee", "type": 3, "value": tt.login}}
			if tt.repo != "" {
				opts = append(opts, map[string]any{"name": "repo", "type": 3, "value": tt.repo})
			}
			body := w.interaction("assign", minji, map[string]any{"id": "1290000000000000101", "name": "assign", "type": 1, "options": opts}, nil)
			resp := w.send(body)
			if tt.inline {
				if got := ephemeral(resp); got != tt.want {
					t.Errorf("answer\n got %s\nwant %s", got, tt.want)
				}
				if len(w.gh.Requests()) != 0 {
					t.Errorf("GitHub was called: %v", w.gh.Requests())
				}
				return
			}
			card, _ := w.dc.Original(tokenOf(t, body))
			got := card.Content
			if got != tt.want {
				t.Errorf("message\n got %s\nwant %s", got, tt.want)
			}
			if audit := w.auditLines(); len(audit) != 1 || audit[0] != tt.audit {
				t.Errorf("audit %q, want %q", audit, tt.audit)
			}
			if tt.request != "" && w.gh.Count(tt.request) != 1 {
				t.Errorf("requests %v, want one %s", w.gh.Requests(), tt.request)
			}
			if strings.Contains(got, "@") {
				t.Errorf("the message may ping: %s", got)
			}
		})
	}
}

// TestAssignKorean: with CHATOPS_LANGUAGE=ko the reply the channel sees is in Korean; a
// mistake in the options, answered only to the member, follows their Discord locale.
func TestAssignKorean(t *testing.T) {
	t.Parallel()
	w := newDeployWorldIn(t, i18n.Korean)
	assign := func(m deployer, login string) []byte {
		opts := []map[string]any{{"name": "number", "type": 4, "value": 42}, {"name": "assignee", "type": 3, "value": login}}
		return w.interaction("assign", m, map[string]any{"id": "1290000000000000101", "name": "assign", "type": 1, "options": opts}, nil)
	}
	body := assign(minji, "octocat")
	w.send(body)
	if msg, _ := w.dc.Original(tokenOf(t, body)); msg.Content != "✅ [acme/shop#42](https://github.com/acme/shop/issues/42)에 **octocat** 님을 담당자로 지정했습니다." {
		t.Errorf("reply %q", msg.Content)
	}
	for _, tt := range []struct {
		m    deployer
		want string
	}{
		{minji, "`not a login` is not a GitHub login (letters, digits and single hyphens, up to 39)."},
		{minji.inKorean(), "`not a login`은(는) GitHub 로그인이 아닙니다(영문자, 숫자, 하이픈 하나씩, 최대 39자)."},
	} {
		if got := ephemeral(w.send(assign(tt.m, "not a login"))); got != tt.want {
			t.Errorf("%s answer\n got %s\nwant %s", tt.m.locale, got, tt.want)
		}
	}
}
