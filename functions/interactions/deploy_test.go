package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/google/go-cmp/cmp"

	"github.com/discord-chatops/chatops/functions/interactions/internal/appclient"
	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/discord/discordtest"
	"github.com/discord-chatops/chatops/shared/discord/rest"
	"github.com/discord-chatops/chatops/shared/githubapp"
	"github.com/discord-chatops/chatops/shared/githubapp/githubapptest"
	"github.com/discord-chatops/chatops/shared/i18n"
	"github.com/discord-chatops/chatops/shared/outbuf"
	"github.com/discord-chatops/chatops/shared/secrets"
	"github.com/discord-chatops/chatops/shared/state"
	"github.com/discord-chatops/chatops/shared/state/statetest"
)

// deployer is who sends an interaction in the deploy tests, from a Discord client in locale.
type deployer struct {
	id, name string
	roles    []string
	locale   string
}

var (
	minji = deployer{"1000000000000000042", "minji", []string{"1100000000000000010"}, "en-US"} // allowed
	jun   = deployer{"1000000000000000043", "jun", []string{"1100000000000000010"}, "en-US"}   // allowed
	guest = deployer{"1000000000000000044", "guest", []string{"1100000000000000099"}, "en-US"} // no allowed role
)

// inKorean is d with a Discord client in Korean.
func (d deployer) inKorean() deployer {
	d.locale = "ko"
	return d
}

// deployWorld is the interactions handler between a fake Discord and a fake GitHub, driven as
// Discord and Lambda drive it: signed interactions in, their asynchronous work fed back.
type deployWorld struct {
	t    *testing.T
	gh   *githubapptest.Server
	dc   *cardDiscord
	h    *Handler
	inv  *fakeInvoker
	logs outbuf.Buffer
	now  time.Time
	n    int // interactions sent
	// The state table: moto's, through faults for the world's handler.
	dynamo    *dynamodb.Client
	tableName string
	faults    *faultyAPI
	// language is the handlers' CHATOPS_LANGUAGE; "" (a zero config) speaks English.
	language i18n.Language
}

func newDeployWorld(t *testing.T) *deployWorld {
	t.Helper()
	return newDeployWorldIn(t, "")
}

// newDeployWorldIn is newDeployWorld whose channel speaks language.
func newDeployWorldIn(t *testing.T, language i18n.Language) *deployWorld {
	t.Helper()
	w := &deployWorld{t: t, now: testNow, dc: newCardDiscord(t), language: language}
	w.gh = newFakeDeployGitHub(t, func() time.Time { return w.now })
	w.dynamo, w.tableName = statetest.Create(t, tableServer(t))
	w.faults = &faultyAPI{next: statetest.Serialize(w.dynamo)}
	w.h, w.inv = w.environment(w.faults)
	return w
}

// environment is a handler as another execution environment of the function builds it: its
// own clients, on the world's Discord, GitHub and state table, whose calls go through api.
func (w *deployWorld) environment(api state.API) (*Handler, *fakeInvoker) {
	w.t.Helper()
	cfg := testConfig()
	cfg.Language = w.language
	cfg.GitHub.APIURL = w.gh.URL
	client := rest.New(rest.Options{BaseURL: w.dc.URL, MaxRetries: -1})
	app := appclient.NewLazy(staticSecrets{secrets.GitHubPrivateKey: string(w.gh.PrivateKeyPEM())},
		githubapp.Options{AppID: w.gh.AppID, BaseURL: w.gh.URL})
	now := func() time.Time { return w.now }
	inv := &fakeInvoker{}
	h, err := newHandler(cfg, deps{invoker: inv, editor: client, originals: client, github: app, table: state.New(api, w.tableName, now)},
		slog.New(slog.NewJSONHandler(&w.logs, nil)), now)
	if err != nil {
		w.t.Fatal(err)
	}
	return h, inv
}

// interaction is the recorded interaction file with its id, token, deployer and data changed.
func (w *deployWorld) interaction(file string, m deployer, data map[string]any, change func(map[string]any)) []byte {
	w.t.Helper()
	w.n++
	var in map[string]any
	if err := json.Unmarshal(interaction(w.t, file), &in); err != nil {
		w.t.Fatal(err)
	}
	in["id"] = fmt.Sprintf("14000000000000%05d", w.n)
	in["token"] = fmt.Sprintf("token-%d", w.n)
	in["locale"] = m.locale
	mem := in["member"].(map[string]any)
	mem["roles"] = m.roles
	user := mem["user"].(map[string]any)
	user["id"], user["username"] = m.id, m.name
	in["data"] = data
	if change != nil {
		change(in)
	}
	b, err := json.Marshal(in)
	if err != nil {
		w.t.Fatal(err)
	}
	return b
}

// command is a slash command by m with the given options.
func (w *deployWorld) command(name string, m deployer, options ...string) []byte {
	var opts []map[string]any
	for i := 0; i+1 < len(options); i += 2 {
		opts = append(opts, map[string]any{"name": options[i], "type": 3, "value": options[i+1]})
	}
	return w.interaction("deploy", m, map[string]any{"id": "1290000000000000101", "name": name, "type": 1, "options": opts}, nil)
}

// click is m clicking the button customID on message cardID, as Discord holds it now.
func (w *deployWorld) click(cardID, customID string, m deployer) []byte {
	card := w.dc.card(cardID)
	return w.interaction("button", m, map[string]any{"component_type": 2, "custom_id": customID}, func(in map[string]any) {
		in["message"] = card
	})
}

// send delivers body signed as Discord does, hands the answer to Discord (which applies an
// UPDATE_MESSAGE to the clicked message), runs the asynchronous work it started, and returns
// the answer.
func (w *deployWorld) send(body []byte) discord.Response {
	w.t.Helper()
	w.inv.mu.Lock()
	before := len(w.inv.calls)
	w.inv.mu.Unlock()
	resp, err := w.h.Handle(lambdaContext(), event{APIGatewayV2HTTPRequest: signedRequest(w.t, body, w.now)})
	if err != nil || resp.StatusCode != http.StatusOK {
		w.t.Fatalf("acknowledge: %d %v %s", resp.StatusCode, err, resp.Body)
	}
	var out discord.Response
	if err := json.Unmarshal([]byte(resp.Body), &out); err != nil {
		w.t.Fatal(err)
	}
	// Discord takes one answer per interaction: a repeated delivery's answer changes nothing.
	if err := w.dc.Answer(body, []byte(resp.Body)); err != nil && !errors.Is(err, discordtest.ErrAlreadyAnswered) {
		w.t.Fatalf("Discord refused the answer: %v", err)
	}
	w.inv.mu.Lock()
	calls := append([]*awslambda.InvokeInput(nil), w.inv.calls[before:]...)
	w.inv.mu.Unlock()
	for _, call := range calls {
		w.work(call.Payload)
	}
	return out
}

// work runs one asynchronous invocation.
func (w *deployWorld) work(payload []byte) {
	w.t.Helper()
	if _, err := w.h.Invoke(lambdaContext(), payload); err != nil {
		w.t.Fatalf("work: %v", err)
	}
}

// request sends a slash command and returns the id of the card it made.
func (w *deployWorld) request(name string, m deployer, options ...string) string {
	w.t.Helper()
	body := w.command(name, m, options...)
	if resp := w.send(body); resp.Type != discord.ResponseDeferredChannelMessageWithSource {
		w.t.Fatalf("/%s answered %+v, want the deferred response", name, resp)
	}
	card, _ := w.dc.Original(fmt.Sprintf("token-%d", w.n))
	return card.ID
}

// button is the custom_id of the card's button labelled label.
func (w *deployWorld) button(cardID, label string) string {
	w.t.Helper()
	for _, row := range w.dc.card(cardID).Components {
		for _, c := range row.Components {
			if c.Label == label {
				return c.CustomID
			}
		}
	}
	w.t.Fatalf("card %s has no %s button: %+v", cardID, label, w.dc.card(cardID).Components)
	return ""
}

// auditLines are the audit log lines so far, as "action target user outcome detail".
func (w *deployWorld) auditLines() []string {
	var out []string
	for line := range strings.SplitSeq(w.logs.String(), "\n") {
		var e struct{ Msg, Action, Target, User, Outcome, Detail string }
		if json.Unmarshal([]byte(line), &e) == nil && e.Msg == "audit" {
			out = append(out, strings.TrimSpace(strings.Join([]string{e.Action, e.Target, e.User, e.Outcome, firstWords(e.Detail)}, " ")))
		}
	}
	return out
}

func firstWords(s string) string {
	f := strings.Fields(s)
	return strings.Join(f[:min(len(f), 3)], " ")
}

// cardView is what the deploy tests check of a card.
type cardView struct {
	Title, Description string
	Fields             map[string]string
	History            []string // without the time stamps
	Buttons            []string // "label" or "label (disabled)" or "label -> url"
	Run                string   // the URL of the run's link button
	Embeds             int
}

func viewOf(m discord.Message) cardView {
	var v cardView
	v.Embeds = len(m.Embeds)
	if len(m.Embeds) > 0 {
		e := m.Embeds[0]
		v.Title, v.Description, v.Fields = e.Title, e.Description, map[string]string{}
		for _, f := range e.Fields {
			if f.Name == "History" || f.Name == "기록" {
				for l := range strings.SplitSeq(f.Value, "\n") {
					_, text, _ := strings.Cut(l, "> ")
					v.History = append(v.History, text)
				}
				continue
			}
			v.Fields[f.Name] = f.Value
		}
	}
	for _, row := range m.Components {
		for _, c := range row.Components {
			switch {
			case c.URL != "":
				v.Buttons = append(v.Buttons, c.Label+" -> "+c.URL)
				v.Run = c.URL
			case c.Disabled:
				v.Buttons = append(v.Buttons, c.Label+" (disabled)")
			default:
				v.Buttons = append(v.Buttons, c.Label)
			}
		}
	}
	return v
}

// TestDeployApproved is the whole flow: /deploy makes the card, another allowed deployer
// approves, the card locks at once, the worker dispatches the workflow as the App's
// installation with the contract's inputs and shows the run, keeping the status embed
// deploy-notify added meanwhile.
func TestDeployApproved(t *testing.T) {
	t.Parallel()
	w := newDeployWorld(t)
	// deploy-notify is quicker than the worker's edit.
	w.gh.OnDispatch(func(_ githubapptest.Dispatch, run githubapptest.Run) { w.dc.addStatusEmbed(run) })
	cardID := w.request("deploy", minji, "environment", "prod", "ref", "v1.4.2")

	got := viewOf(w.dc.card(cardID))
	if got.Title != "Deploy v1.4.2 to prod" || got.Fields["Commit"] != linkedSHA(shaTag) || got.Fields["Requested by"] != "<@"+minji.id+"> (`minji`)" {
		t.Errorf("card %+v", got)
	}
	changes := got.Fields["Changes"]
	if !strings.HasPrefix(changes, "`0000000` Change 12 · octocat\n") || !strings.HasSuffix(changes, "+2 more since `b2b2b2b`") {
		t.Errorf("changes:\n%s", changes)
	}
	if diff := cmp.Diff([]string{"Approve", "Cancel"}, got.Buttons); diff != "" {
		t.Errorf("buttons (-want +got):\n%s", diff)
	}

	approve := w.button(cardID, "Approve")
	if !strings.HasPrefix(approve, "deploy:approve:"+minji.id+":") || len(approve) > discord.MaxCustomID {
		t.Errorf("custom_id %q", approve)
	}
	resp := w.send(w.click(cardID, approve, jun))
	if resp.Type != discord.ResponseUpdateMessage {
		t.Fatalf("approve answered %+v, want UPDATE_MESSAGE", resp)
	}
	if locked := viewOf(*resp.Data); locked.Description != "⏳ Approved by <@"+jun.id+">: dispatching…" ||
		!cmp.Equal(locked.Buttons, []string{"Approve (disabled)", "Cancel (disabled)"}) {
		t.Errorf("the approval does not lock the card: %+v", locked)
	}

	ds := w.gh.Dispatches()
	if len(ds) != 1 {
		t.Fatalf("%d dispatches, want 1", len(ds))
	}
	wantInputs := map[string]string{"environment": "prod", "sha": "", "requested_by": "minji",
		"correlation_id": "1100000000000000002-" + cardID}
	if diff := cmp.Diff(wantInputs, ds[0].Inputs); diff != "" || ds[0].Ref != "v1.4.2" || ds[0].ReturnRunDetails == nil || !*ds[0].ReturnRunDetails {
		t.Errorf("dispatch ref %q return_run_details %v, inputs (-want +got):\n%s", ds[0].Ref, ds[0].ReturnRunDetails, diff)
	}
	if len(w.gh.Tokens()) == 0 {
		t.Error("no installation token was issued")
	}

	final := viewOf(w.dc.card(cardID))
	want := []string{"requested by <@" + minji.id + ">", "approved by <@" + jun.id + ">", "dispatched [the run](https://github.com/acme/shop/actions/runs/1000)"}
	if diff := cmp.Diff(want, final.History); diff != "" {
		t.Errorf("history (-want +got):\n%s", diff)
	}
	if !strings.HasPrefix(final.Description, "🚀 Deploy dispatched <t:") || !strings.HasSuffix(final.Description, "approved by <@"+jun.id+">.") ||
		final.Run != "https://github.com/acme/shop/actions/runs/1000" || len(final.Buttons) != 1 {
		t.Errorf("final card %+v", final)
	}
	if final.Embeds != 2 {
		t.Errorf("%d embeds, want the card's and deploy-notify's status embed", final.Embeds)
	}
	wantAudit := []string{
		"deploy.request prod@v1.4.2 minji requested",
		"deploy.approve prod@v1.4.2 jun approved",
		"deploy.dispatch prod@v1.4.2 jun dispatched https://github.com/acme/shop/actions/runs/1000",
	}
	if diff := cmp.Diff(wantAudit, w.auditLines()); diff != "" {
		t.Errorf("audit (-want +got):\n%s", diff)
	}
	for _, secret := range []string{"token-1", "token-2", "ghs_"} {
		if strings.Contains(w.logs.String(), secret) {
			t.Errorf("the log shows %q", secret)
		}
	}
}

// ephemeral is the text of an answer only its invoker sees; "" for other answers.
func ephemeral(r discord.Response) string {
	if r.Type != discord.ResponseChannelMessageWithSource || r.Data == nil || r.Data.Flags&discord.FlagEphemeral == 0 {
		return ""
	}
	return r.Data.Content
}

// TestDeployRefused checks the default-deny rules: a refusal says which roles are allowed,
// changes nothing but the card's history, and is logged.
func TestDeployRefused(t *testing.T) {
	t.Parallel()
	t.Run("request without a role", func(t *testing.T) {
		t.Parallel()
		w := newDeployWorld(t)
		got := ephemeral(w.send(w.command("deploy", guest, "environment", "prod")))
		if got != "You need one of these roles to deploy: <@&1100000000000000010>. Ask someone who has one." {
			t.Errorf("answer %q", got)
		}
		if len(w.inv.calls) != 0 || len(w.gh.Requests()) != 0 {
			t.Errorf("refused request reached the worker (%d) or GitHub (%v)", len(w.inv.calls), w.gh.Requests())
		}
		if diff := cmp.Diff([]string{"deploy.request prod guest denied missing-role"}, w.auditLines()); diff != "" {
			t.Errorf("audit (-want +got):\n%s", diff)
		}
	})
	t.Run("request from a DM", func(t *testing.T) {
		t.Parallel()
		w := newDeployWorld(t)
		body := w.interaction("deploy", minji, map[string]any{"id": "1", "name": "deploy", "type": 1,
			"options": []map[string]any{{"name": "environment", "type": 3, "value": "prod"}}}, func(in map[string]any) {
			delete(in, "guild_id")
			in["user"] = in["member"].(map[string]any)["user"]
			delete(in, "member")
			in["locale"] = "en-US" // the refusal follows the member's locale
		})
		if got := ephemeral(w.send(body)); !strings.Contains(got, "can't be used here") {
			t.Errorf("answer %q", got)
		}
	})
	tests := []struct {
		name, env string
		approver  deployer
		want      string // last history line
		audit     string
	}{
		{"approval without a role", "dev", guest,
			"approve by <@" + guest.id + "> refused: You need one of these roles to deploy: <@&1100000000000000010>. Ask someone who has one.",
			"deploy.approve dev@main guest denied missing-role"},
		{"requester approves prod (two-person rule)", "prod", minji,
			"approve by <@" + minji.id + "> refused: `prod` needs a second person: someone other than the requester must approve.",
			"deploy.approve prod@main minji denied same-person"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := newDeployWorld(t)
			cardID := w.request("deploy", minji, "environment", tt.env)
			resp := w.send(w.click(cardID, w.button(cardID, "Approve"), tt.approver))
			if resp.Type != discord.ResponseUpdateMessage {
				t.Fatalf("answer %+v, want the card updated", resp)
			}
			card := viewOf(w.dc.card(cardID))
			if got := card.History[len(card.History)-1]; got != tt.want {
				t.Errorf("history line\n got %s\nwant %s", got, tt.want)
			}
			if !cmp.Equal(card.Buttons, []string{"Approve", "Cancel"}) || card.Description != "Waiting for approval by a member with an allowed role." {
				t.Errorf("a refusal changed the card: %+v", card)
			}
			if n := len(w.gh.Dispatches()); n != 0 {
				t.Errorf("%d dispatches", n)
			}
			if got := w.auditLines(); got[len(got)-1] != tt.audit {
				t.Errorf("audit %q, want %q", got[len(got)-1], tt.audit)
			}
		})
	}
	t.Run("requester approves dev", func(t *testing.T) {
		t.Parallel()
		w := newDeployWorld(t)
		cardID := w.request("deploy", minji, "environment", "dev")
		w.send(w.click(cardID, w.button(cardID, "Approve"), minji))
		if n := len(w.gh.Dispatches()); n != 1 {
			t.Errorf("%d dispatches, want 1: dev has no two-person rule", n)
		}
	})
}

// TestDeployCancelled checks that Cancel closes the card for good and that a click on the
// closed card does nothing.
func TestDeployCancelled(t *testing.T) {
	t.Parallel()
	w := newDeployWorld(t)
	cardID := w.request("deploy", minji, "environment", "prod")
	approve, cancel := w.button(cardID, "Approve"), w.button(cardID, "Cancel")
	if got := w.send(w.click(cardID, cancel, guest)); got.Type != discord.ResponseUpdateMessage {
		t.Fatalf("cancel by a guest answered %+v", got)
	}
	if card := viewOf(w.dc.card(cardID)); !cmp.Equal(card.Buttons, []string{"Approve", "Cancel"}) {
		t.Errorf("a guest closed the card: %+v", card)
	}
	w.send(w.click(cardID, cancel, minji))
	card := viewOf(w.dc.card(cardID))
	if card.Description != "✖️ Cancelled by <@"+minji.id+">. Nothing was dispatched." || len(card.Buttons) != 0 {
		t.Errorf("cancelled card %+v", card)
	}
	got := ephemeral(w.send(w.click(cardID, approve, jun)))
	if got != "This request is already closed: ✖️ Cancelled by <@"+minji.id+">. Nothing was dispatched." {
		t.Errorf("approve on the cancelled card: %q", got)
	}
	if n := len(w.gh.Dispatches()); n != 0 {
		t.Errorf("%d dispatches", n)
	}
	want := []string{"deploy.request prod@main minji requested", "deploy.cancel prod@main guest denied missing-role",
		"deploy.cancel prod@main minji cancelled", "deploy.approve prod@main jun ignored card already closed"}
	if diff := cmp.Diff(want, w.auditLines()); diff != "" {
		t.Errorf("audit (-want +got):\n%s", diff)
	}
}

// TestDeployStale checks that an approval after the 15 minutes of the request closes the
// card with a clear answer and dispatches nothing.
func TestDeployStale(t *testing.T) {
	t.Parallel()
	w := newDeployWorld(t)
	cardID := w.request("deploy", minji, "environment", "prod")
	w.now = w.now.Add(16 * time.Minute)
	resp := w.send(w.click(cardID, w.button(cardID, "Approve"), jun))
	card := viewOf(*resp.Data)
	if card.Description != "⌛ Expired: not approved within 15 minutes of the request. Run `/deploy` again for a fresh card." ||
		len(card.Buttons) != 0 {
		t.Errorf("stale approval: %+v", card)
	}
	if n := len(w.gh.Dispatches()); n != 0 || len(w.inv.calls) != 1 {
		t.Errorf("%d dispatches, %d invocations; want none beyond the card's", n, len(w.inv.calls))
	}
}

// TestDeployDuplicates checks that one approval dispatches once when Discord or Lambda
// delivers it again, and when the card's edit was lost but the run exists.
func TestDeployDuplicates(t *testing.T) {
	t.Parallel()
	t.Run("approval delivered twice", func(t *testing.T) {
		t.Parallel()
		w := newDeployWorld(t)
		cardID := w.request("deploy", minji, "environment", "prod")
		click := w.click(cardID, w.button(cardID, "Approve"), jun)
		w.send(click)
		w.send(click) // the same interaction again, card as it was when clicked
		if n := len(w.gh.Dispatches()); n != 1 {
			t.Errorf("%d dispatches, want 1", n)
		}
		if got := w.auditLines(); got[len(got)-1] != "deploy.dispatch prod@main jun duplicate already dispatched https://github.com/acme/shop/actions/runs/1000" {
			t.Errorf("audit %q", got)
		}
	})
	t.Run("work delivered twice", func(t *testing.T) {
		t.Parallel()
		w := newDeployWorld(t)
		cardID := w.request("deploy", minji, "environment", "prod")
		w.send(w.click(cardID, w.button(cardID, "Approve"), jun))
		w.work(w.inv.calls[len(w.inv.calls)-1].Payload)
		if n := len(w.gh.Dispatches()); n != 1 {
			t.Errorf("%d dispatches, want 1", n)
		}
	})
	t.Run("result not recorded, run already started", func(t *testing.T) {
		t.Parallel()
		w := newDeployWorld(t)
		cardID := w.request("deploy", minji, "environment", "prod")
		// The table takes the approval but not the dispatch's result.
		w.faults.setFail(func(op string, in any) error {
			if _, st := putOf(in); st == "dispatched" {
				return throttled
			}
			return nil
		})
		w.send(w.click(cardID, w.button(cardID, "Approve"), jun))
		w.faults.setFail(nil)
		// Delivered again once the first invocation's claim has lapsed; and the worker sees
		// only the card as clicked.
		w.now = w.now.Add(time.Minute)
		w.dc.Intercept(func(r discordtest.Request) (discordtest.Reply, bool) {
			return discordtest.ServerError(http.StatusInternalServerError), r.Method == http.MethodGet
		})
		w.work(w.inv.calls[len(w.inv.calls)-1].Payload)
		if n := len(w.gh.Dispatches()); n != 1 {
			t.Errorf("%d dispatches, want 1: the run of this card was listed", n)
		}
		if got := w.auditLines(); got[len(got)-1] != "deploy.dispatch prod@main jun duplicate run already started" {
			t.Errorf("audit %q", got)
		}
		if card := viewOf(w.dc.card(cardID)); card.Run != "https://github.com/acme/shop/actions/runs/1000" {
			t.Errorf("card %+v", card)
		}
	})
}

// TestDeployFailures checks that GitHub's refusals come back on the card as what to fix, and
// that GitHub Enterprise Server's refusal of return_run_details and the old 204 still dispatch.
func TestDeployFailures(t *testing.T) {
	t.Parallel()
	refuse := func(status int, message string) *githubapptest.Error {
		return &githubapptest.Error{Status: status, Message: message}
	}
	tests := []struct {
		name       string
		refuse     *githubapptest.Error
		runDetails githubapptest.RunDetails
		uninstall  bool
		want       string // start of the card's description
		dispatches int
		run        string // the run's link button, when dispatched
	}{
		{name: "workflow not found", refuse: refuse(404, "Not Found"), dispatches: 1,
			want: "⚠️ Not dispatched: DEPLOY_WORKFLOW `deploy.yml` not found in acme/shop."},
		{name: "no workflow_dispatch trigger", refuse: refuse(422, "Workflow does not have 'workflow_dispatch' trigger"), dispatches: 1,
			want: "⚠️ Not dispatched: `deploy.yml` has no `workflow_dispatch` trigger on `main`. Add `on: workflow_dispatch`"},
		{name: "unexpected inputs", refuse: refuse(422, `Unexpected inputs provided: ["correlation_id"]`), dispatches: 1,
			want: "⚠️ Not dispatched: `deploy.yml` does not declare every input I send (GitHub: `Unexpected inputs provided: [\"correlation_id\"]`). Declare environment, sha, requested_by and correlation_id"},
		{name: "unknown ref", refuse: refuse(422, "No ref found for: main"), dispatches: 1,
			want: "⚠️ Not dispatched: There is no branch or tag `main` in acme/shop."},
		{name: "required input", refuse: refuse(422, "Required input 'version' not provided"), dispatches: 1,
			want: "⚠️ Not dispatched: `deploy.yml` requires an input I don't send (GitHub: `Required input 'version' not provided`)."},
		{name: "no Actions permission", refuse: refuse(403, "Resource not accessible by integration"), dispatches: 1,
			want: "⚠️ Not dispatched: The GitHub App may not start workflows in acme/shop. Give it the Actions: write permission"},
		{name: "server error", refuse: refuse(502, "Server Error"), dispatches: 1,
			want: "⚠️ I couldn't dispatch: an internal error. Ask whoever runs the bot to look for request `req-work-1`"},
		{name: "App uninstalled after the card", uninstall: true, dispatches: 0,
			want: "⚠️ Not dispatched: GitHub refused the App's token for acme/shop: the App may have been uninstalled"},
		{name: "GHES refuses return_run_details", runDetails: githubapptest.RunDetailsRefused, dispatches: 2,
			want: "🚀 Deploy dispatched", run: "https://github.com/acme/shop/actions/runs/1000"},
		{name: "204 without run details", runDetails: githubapptest.RunDetailsIgnored, dispatches: 1,
			want: "🚀 Deploy dispatched", run: "https://github.com/acme/shop/actions/runs/1000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := newDeployWorld(t)
			if tt.refuse != nil {
				w.gh.RefuseDispatches(func(githubapptest.Dispatch) *githubapptest.Error { return tt.refuse })
			}
			w.gh.SetRunDetails(tt.runDetails)
			cardID := w.request("deploy", minji, "environment", "prod")
			if tt.uninstall {
				w.gh.Uninstall("acme", "shop")
			}
			w.send(w.click(cardID, w.button(cardID, "Approve"), jun))
			card := viewOf(w.dc.card(cardID))
			if !strings.HasPrefix(card.Description, tt.want) {
				t.Errorf("description\n got %s\nwant %s...", card.Description, tt.want)
			}
			if card.Run != tt.run {
				t.Errorf("run link %q, want %q", card.Run, tt.run)
			}
			if n := len(w.gh.Dispatches()); n != tt.dispatches {
				t.Errorf("%d dispatch requests, want %d", n, tt.dispatches)
			}
			if ds := w.gh.Dispatches(); tt.dispatches == 2 && ds[1].ReturnRunDetails != nil {
				t.Error("the retry sent return_run_details again")
			}
			audit := w.auditLines()
			if last := audit[len(audit)-1]; tt.run == "" && !strings.HasPrefix(last, "deploy.dispatch prod@main jun failed") {
				t.Errorf("audit %q", last)
			}
		})
	}
	t.Run("unknown ref at request", func(t *testing.T) {
		t.Parallel()
		w := newDeployWorld(t)
		cardID := w.request("deploy", minji, "environment", "prod", "ref", "nope")
		if got := w.dc.card(cardID).Content; got != "⚠️ There is no branch or tag `nope` in acme/shop. Check the name (it is case-sensitive)." {
			t.Errorf("content %q", got)
		}
	})
	t.Run("App not installed", func(t *testing.T) {
		t.Parallel()
		w := newDeployWorld(t)
		w.gh.Uninstall("acme", "shop")
		cardID := w.request("deploy", minji, "environment", "prod")
		if got := w.dc.card(cardID).Content; !strings.HasPrefix(got, "⚠️ The GitHub App is not installed on acme/shop") {
			t.Errorf("content %q", got)
		}
	})
	t.Run("ref that is a commit", func(t *testing.T) {
		t.Parallel()
		w := newDeployWorld(t)
		if got := ephemeral(w.send(w.command("deploy", minji, "environment", "prod", "ref", shaMain))); !strings.Contains(got, "is not a branch or tag name") {
			t.Errorf("answer %q", got)
		}
	})
}

// TestRollback checks /rollback and deploy-notify's "Roll back" button: the card names the
// commit before the current one, and the dispatch deploys it on the default branch.
func TestRollback(t *testing.T) {
	t.Parallel()
	w := newDeployWorld(t)
	cardID := w.request("rollback", minji, "environment", "prod")
	card := viewOf(w.dc.card(cardID))
	if card.Title != "Roll back prod to a1a1a1a" || card.Fields["Commit"] != linkedSHA(shaBefore) || card.Fields["Ref"] != "`main`" {
		t.Errorf("card %+v", card)
	}
	approve := w.button(cardID, "Approve")
	if !strings.HasPrefix(approve, "rollback:approve:") {
		t.Errorf("custom_id %q", approve)
	}
	w.send(w.click(cardID, approve, jun))
	ds := w.gh.Dispatches()
	if len(ds) != 1 || ds[0].Ref != "main" || ds[0].Inputs["sha"] != shaBefore || ds[0].Inputs["environment"] != "prod" {
		t.Fatalf("dispatches %+v", ds)
	}
	if got := viewOf(w.dc.card(cardID)).Description; !strings.HasPrefix(got, "🚀 Rollback dispatched") {
		t.Errorf("description %q", got)
	}

	t.Run("after a rollback", func(t *testing.T) {
		t.Parallel()
		// The newest prod run rolled back to shaBefore: its head is main's tip, its run-name
		// names the commit it deployed.
		w := newDeployWorld(t)
		w.gh.AddRun("acme", "shop", githubapptest.Run{ID: 904, DisplayTitle: "Deploy prod by jun [manual] @" + shaBefore, HeadBranch: "main", HeadSHA: shaMain,
			Event: "workflow_dispatch", Status: "completed", Conclusion: "success", CreatedAt: w.now.Add(-time.Minute)})
		cardID := w.request("rollback", minji, "environment", "prod")
		card := viewOf(w.dc.card(cardID))
		if card.Title != "Roll back prod to "+shaProd[:7] || !strings.HasPrefix(card.Fields["Changes"], "prod runs `"+shaBefore[:7]+"` now") {
			t.Errorf("card %+v, want it to see prod running %s and roll back to %s", card, shaBefore[:7], shaProd[:7])
		}
	})
	t.Run("no earlier deploy", func(t *testing.T) {
		t.Parallel()
		w := newDeployWorld(t)
		cardID := w.request("rollback", minji, "environment", "dev")
		if got := w.dc.card(cardID).Content; got != "⚠️ No earlier successful deploy of `dev` to roll back to: every successful run among the last 100 deployed `c3c3c3c`." {
			t.Errorf("content %q", got)
		}
	})
	t.Run("Roll back button of deploy-notify", func(t *testing.T) {
		t.Parallel()
		w := newDeployWorld(t)
		notifyCard := "1300000000000000777"
		w.dc.Seed(discord.Message{ID: notifyCard, Embeds: []discord.Embed{{Title: "Deploy to prod failed"}},
			Components: []discord.Component{discord.ActionRow(discord.Button(discord.ButtonDanger, "Roll back", "rollback:start:prod"))}})
		if got := ephemeral(w.send(w.click(notifyCard, "rollback:start:prod", guest))); !strings.Contains(got, "You need one of these roles to roll back") {
			t.Errorf("guest: %q", got)
		}
		resp := w.send(w.click(notifyCard, "rollback:start:prod", minji))
		if resp.Type != discord.ResponseDeferredChannelMessageWithSource {
			t.Fatalf("answer %+v, want a new deferred message", resp)
		}
		if got := w.dc.card(notifyCard); got.Embeds[0].Title != "Deploy to prod failed" {
			t.Errorf("deploy-notify's card changed: %+v", got)
		}
		created, _ := w.dc.Original(fmt.Sprintf("token-%d", w.n))
		newCard := created.ID
		if got := viewOf(w.dc.card(newCard)); newCard == notifyCard || got.Title != "Roll back prod to a1a1a1a" ||
			got.History[0] != "requested by <@"+minji.id+">" {
			t.Errorf("new card %s: %+v", newCard, got)
		}
	})
}

// TestDeployKorean: with CHATOPS_LANGUAGE=ko the card, its buttons, its history and its
// outcome are in Korean; what only a member sees follows that member's Discord locale, in
// either channel language.
func TestDeployKorean(t *testing.T) {
	t.Parallel()
	refusalEN := "You need one of these roles to deploy: <@&1100000000000000010>. Ask someone who has one."
	refusalKO := "배포하려면 다음 역할 중 하나가 필요합니다: <@&1100000000000000010>. 역할이 있는 분께 부탁하세요."
	t.Run("Korean channel", func(t *testing.T) {
		t.Parallel()
		w := newDeployWorldIn(t, i18n.Korean)
		if got := ephemeral(w.send(w.command("deploy", guest, "environment", "prod"))); got != refusalEN {
			t.Errorf("refusal of an English-speaking member: %q", got)
		}
		if got := ephemeral(w.send(w.command("deploy", guest.inKorean(), "environment", "prod"))); got != refusalKO {
			t.Errorf("refusal of a Korean-speaking member: %q", got)
		}
		cardID := w.request("deploy", minji, "environment", "prod", "ref", "v1.4.2")
		card := viewOf(w.dc.card(cardID))
		if card.Title != "prod에 v1.4.2 배포" || card.Description != "허용된 역할이 있는 멤버의 승인을 기다리고 있습니다." ||
			card.Fields["커밋"] != linkedSHA(shaTag) || !cmp.Equal(card.Buttons, []string{"승인", "취소"}) {
			t.Errorf("card %+v", card)
		}
		approve := w.button(cardID, "승인") // gone from the card once it is dispatched
		w.send(w.click(cardID, approve, guest))
		resp := w.send(w.click(cardID, approve, jun))
		if got := viewOf(*resp.Data).Description; got != "⏳ <@"+jun.id+"> 님이 승인했습니다: 워크플로를 실행하는 중…" {
			t.Errorf("locked card %q", got)
		}
		final := viewOf(w.dc.card(cardID))
		want := []string{"<@" + minji.id + "> 님이 요청", "<@" + guest.id + "> 님의 승인 거부: " + refusalKO, "<@" + jun.id + "> 님이 승인", "[실행](https://github.com/acme/shop/actions/runs/1000) 시작"}
		if diff := cmp.Diff(want, final.History); diff != "" {
			t.Errorf("history (-want +got):\n%s", diff)
		}
		if !strings.HasPrefix(final.Description, "🚀 <t:") || !strings.HasSuffix(final.Description, "에 배포를 시작했습니다 · 승인: <@"+jun.id+">") ||
			final.Run != "https://github.com/acme/shop/actions/runs/1000" ||
			!cmp.Equal(final.Buttons, []string{"실행 보기 -> https://github.com/acme/shop/actions/runs/1000"}) {
			t.Errorf("final card %+v", final)
		}
		if got := ephemeral(w.send(w.click(cardID, approve, minji))); got != "This request is already closed: "+final.Description {
			t.Errorf("closed card, to an English-speaking member: %q", got)
		}
		if got := ephemeral(w.send(w.click(cardID, approve, minji.inKorean()))); got != "이미 닫힌 요청입니다: "+final.Description {
			t.Errorf("closed card, to a Korean-speaking member: %q", got)
		}
	})
	t.Run("English channel, Korean member", func(t *testing.T) {
		t.Parallel()
		w := newDeployWorld(t)
		if got := ephemeral(w.send(w.command("deploy", guest.inKorean(), "environment", "prod"))); got != refusalKO {
			t.Errorf("refusal of a Korean-speaking member: %q", got)
		}
		cardID := w.request("deploy", minji.inKorean(), "environment", "prod")
		w.send(w.click(cardID, w.button(cardID, "Approve"), guest.inKorean()))
		card := viewOf(w.dc.card(cardID))
		if got := card.History[len(card.History)-1]; card.Title != "Deploy main to prod" || got != "approve by <@"+guest.id+"> refused: "+refusalEN {
			t.Errorf("the card, which the channel sees, is not in English: %q, %q", card.Title, got)
		}
	})
	t.Run("Korean card failures", func(t *testing.T) {
		t.Parallel()
		w := newDeployWorldIn(t, i18n.Korean)
		w.gh.RefuseDispatches(func(githubapptest.Dispatch) *githubapptest.Error {
			return &githubapptest.Error{Status: 404, Message: "Not Found"}
		})
		cardID := w.request("deploy", minji, "environment", "prod")
		w.send(w.click(cardID, w.button(cardID, "승인"), jun))
		card := viewOf(w.dc.card(cardID))
		if want := "⚠️ 실행하지 않았습니다: acme/shop에서 DEPLOY_WORKFLOW `deploy.yml`을(를) 찾을 수 없습니다."; !strings.HasPrefix(card.Description, want) ||
			card.History[len(card.History)-1] != "실행 요청 실패" {
			t.Errorf("card %+v, want the description to start %q", card, want)
		}
		cardID = w.request("rollback", minji, "environment", "dev")
		if got := w.dc.card(cardID).Content; got != "⚠️ `dev`에 롤백할 이전 배포가 없습니다: 최근 100개의 성공한 실행이 모두 `c3c3c3c` 버전을 배포했습니다." {
			t.Errorf("rollback refused: %q", got)
		}
	})
}

// linkedSHA is a card's Commit field: the short SHA linking to the commit's page.
func linkedSHA(sha string) string {
	return "[`" + sha[:7] + "`](https://github.com/acme/shop/commit/" + sha + ")"
}
