package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/discord-chatops/chatops/functions/interactions/internal/catalog"
	"github.com/discord-chatops/chatops/functions/interactions/internal/command"
	"github.com/discord-chatops/chatops/functions/interactions/internal/link"
	"github.com/discord-chatops/chatops/functions/interactions/internal/scale"
	"github.com/discord-chatops/chatops/functions/interactions/internal/status"
	"github.com/discord-chatops/chatops/shared/apigw"
	"github.com/discord-chatops/chatops/shared/costreport"
	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/discord/signature"
	"github.com/discord-chatops/chatops/shared/i18n"
	"github.com/discord-chatops/chatops/shared/state"
)

// invokeTimeout bounds the asynchronous Invoke on the acknowledgement path, well inside
// Discord's 3 seconds, so that a failure can still be answered inline.
const invokeTimeout = 1500 * time.Millisecond

// Invoker starts this function again, asynchronously; *lambda.Client satisfies it.
type Invoker interface {
	Invoke(ctx context.Context, in *awslambda.InvokeInput, optFns ...func(*awslambda.Options)) (*awslambda.InvokeOutput, error)
}

// Editor edits the original response of an interaction; *rest.Client satisfies it.
type Editor interface {
	EditOriginal(ctx context.Context, applicationID, token string, m discord.Message) (discord.Message, error)
}

// event is what the function receives: an HTTP API request from Discord, or the work payload
// it sent itself. Their fields do not overlap, so one decode serves both and Kind tells them
// apart.
type event struct {
	events.APIGatewayV2HTTPRequest
	workPayload
}

// workKind marks the payload of a deferred interaction; a change of its shape changes the
// kind. ("version" is taken by the HTTP API event.)
const workKind = "chatops.work.v1"

// workPayload is the asynchronous invocation's payload: the interaction exactly as Discord
// sent it, and when it arrived, which bounds the life of its token.
type workPayload struct {
	Kind        string          `json:"kind,omitempty"`
	ReceivedAt  time.Time       `json:"received_at,omitzero"`
	AckRequest  string          `json:"ack_request_id,omitempty"` // the acknowledging invocation, for tracing
	Interaction json.RawMessage `json:"interaction,omitempty"`
	// Private says that the response the worker edits is the invoking member's alone
	// (command.Reply.Private): its failures are then worded in their language.
	Private bool `json:"private,omitempty"`
}

// Handler is the Lambda entry point: it acknowledges interactions and does deferred work.
type Handler struct {
	verifier      *signature.Verifier
	router        *command.Router
	invoker       Invoker
	editor        Editor
	functionName  string
	applicationID string
	texts         *i18n.Catalog
	language      i18n.Language
	log           *slog.Logger
	now           func() time.Time
	// badSignatures names DISCORD_PUBLIC_KEY in the log when no request passes the check.
	badSignatures badSignatures
}

// request is the interaction in as the commands see it: received at, handled by the
// invocation requestID, with the function's messages.
func (h *Handler) request(in discord.Interaction, received time.Time, requestID string) command.Request {
	return command.Request{Interaction: in, Received: received, RequestID: requestID, Texts: h.texts, Language: h.language}
}

// pong is the answer to every PING, encoded once.
var pong = apigw.JSON(http.StatusOK, discord.Pong())

// Invoke is what lambda.Start calls with each event (lambda.Handler). It decodes the event
// with the decoder ParseInteraction uses, which takes less than half of encoding/json's time
// on an HTTP API event (BenchmarkAckFromJSON), as lenient as encoding/json about names given
// twice and invalid UTF-8, and encodes the response as the runtime's reflection path does:
// encoding/json, HTML left unescaped, no newline after.
func (h *Handler) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	var ev event
	if err := jsonv2.Unmarshal(payload, &ev, jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true)); err != nil {
		return nil, &EventError{Step: "decode event", Err: err}
	}
	resp, err := h.Handle(ctx, ev)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(resp); err != nil {
		return nil, &EventError{Step: "encode response", Err: err}
	}
	return bytes.TrimSuffix(out.Bytes(), []byte("\n")), nil
}

// Handle answers an API Gateway request, or does the work of a deferred interaction. It
// returns an error only when the work's result could not be delivered to Discord, so that
// Lambda retries the asynchronous invocation.
func (h *Handler) Handle(ctx context.Context, ev event) (events.APIGatewayV2HTTPResponse, error) {
	if ev.Kind == workKind {
		return events.APIGatewayV2HTTPResponse{}, h.work(ctx, ev.workPayload)
	}
	return h.ack(ctx, ev.APIGatewayV2HTTPRequest), nil
}

// ack verifies a request and answers it within Discord's 3 seconds: inline, or deferred with
// the work handed to an asynchronous invocation of this function.
//
// See https://discord.com/developers/docs/interactions/receiving-and-responding#receiving-an-interaction
func (h *Handler) ack(ctx context.Context, req events.APIGatewayV2HTTPRequest) events.APIGatewayV2HTTPResponse {
	requestID := invocationID(ctx)
	body, err := apigw.Body(req)
	if err != nil {
		code := http.StatusBadRequest
		if errors.Is(err, apigw.ErrTooLarge) {
			code = http.StatusRequestEntityTooLarge
		}
		h.log.LogAttrs(ctx, slog.LevelWarn, "unreadable body", slog.String("request_id", requestID), slog.String("error", err.Error()))
		return apigw.Text(code, http.StatusText(code))
	}
	now := h.now()
	sig, ts := header(req, headerSignature, signature.HeaderSignature), header(req, headerTimestamp, signature.HeaderTimestamp)
	if err := h.verifier.Verify(sig, ts, body, now); err != nil {
		h.log.LogAttrs(ctx, slog.LevelWarn, "refused", slog.String("request_id", requestID), slog.String("error", err.Error()))
		h.badSignatures.fail(ctx, h.log, err)
		return apigw.Text(http.StatusUnauthorized, "invalid request signature")
	}
	h.badSignatures.pass()
	in, err := discord.ParseInteraction(body)
	if err != nil {
		h.log.LogAttrs(ctx, slog.LevelWarn, "malformed interaction", slog.String("request_id", requestID), slog.String("error", err.Error()))
		return apigw.Text(http.StatusBadRequest, "not an interaction")
	}
	if in.Type == discord.InteractionPing {
		h.log.LogAttrs(ctx, slog.LevelInfo, "ping", slog.String("request_id", requestID))
		return pong
	}
	reply := h.router.Quick(ctx, h.request(in, now, requestID))
	outcome := "inline"
	if reply.Deferred() {
		outcome = "deferred"
		if err := h.enqueue(ctx, workPayload{Kind: workKind, ReceivedAt: now.UTC(), AckRequest: requestID, Interaction: body,
			Private: reply.Private(in.Type)}); err != nil {
			h.log.LogAttrs(ctx, slog.LevelError, "invoke worker", slog.String("request_id", requestID),
				slog.String("interaction_id", in.ID), slog.String("error", err.Error()))
			return apigw.JSON(http.StatusOK, discord.EphemeralReply(h.request(in, now, requestID).Member().T("command.failure.enqueue")))
		}
	}
	h.log.LogAttrs(ctx, slog.LevelInfo, "interaction", slog.String("request_id", requestID),
		slog.String("interaction_id", in.ID), slog.String("route", routeName(in)),
		slog.String("outcome", outcome))
	out, err := reply.JSON(in.Type)
	if err != nil {
		h.log.LogAttrs(ctx, slog.LevelError, "encode response", slog.String("request_id", requestID), slog.String("error", err.Error()))
		return apigw.Text(http.StatusInternalServerError, "internal error")
	}
	return events.APIGatewayV2HTTPResponse{StatusCode: http.StatusOK, Headers: map[string]string{"Content-Type": "application/json"}, Body: out}
}

// enqueue invokes this function asynchronously (InvocationType Event) with the work.
//
// See https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html
func (h *Handler) enqueue(ctx context.Context, work workPayload) error {
	payload, err := json.Marshal(work)
	if err != nil {
		return fmt.Errorf("encode work payload: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, invokeTimeout)
	defer cancel()
	_, err = h.invoker.Invoke(ctx, &awslambda.InvokeInput{
		FunctionName:   aws.String(h.functionName),
		InvocationType: lambdatypes.InvocationTypeEvent,
		Payload:        payload,
	})
	if err != nil {
		return fmt.Errorf("invoke %s: %w", h.functionName, err)
	}
	return nil
}

// The signature headers as HTTP API delivers them, lower-cased.
const (
	headerSignature = "x-signature-ed25519"
	headerTimestamp = "x-signature-timestamp"
)

// header looks up a header by its lower-case name, as HTTP API sends it, before paying for
// apigw.Header's case-insensitive search (other clients, tests).
func header(req events.APIGatewayV2HTTPRequest, lower, name string) string {
	if v, ok := req.Headers[lower]; ok {
		return v
	}
	return apigw.Header(req, name)
}

// routeName is what an interaction asks for, for the log: a command name or a custom_id.
func routeName(in discord.Interaction) string {
	switch {
	case in.Command != nil:
		return "/" + in.Command.Name
	case in.Component != nil:
		return in.Component.CustomID
	}
	return ""
}

// invocationID is the Lambda request id of the invocation handling ctx; "" outside Lambda.
func invocationID(ctx context.Context) string {
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		return lc.AwsRequestID
	}
	return ""
}

// deps are the clients a Handler uses, built once per execution environment in main.
type deps struct {
	invoker Invoker
	editor  Editor
	status  *status.Reader
	cost    *costreport.Reporter
	// github calls GitHub as the App's installation (appclient.Lazy: built in the worker).
	github catalog.RepoClients
	// originals reads a card back before the worker edits it (the rest client).
	originals catalog.Originals
	// scaler reads and scales ECS services and Auto Scaling groups (/scale).
	scaler *scale.Scaler
	// table is the state table (docs/STATE.md): approval records, work claims, the cost cache.
	table *state.Table
	// deviceFlow verifies /link's logins; nil without GITHUB_CLIENT_ID.
	deviceFlow link.Flow
}

// newHandler builds the handler: the verifier from the public key, once, and the router over
// the command table, whose services the catalog builds from the clients.
func newHandler(cfg config, d deps, log *slog.Logger, now func() time.Time) (*Handler, error) {
	v, err := signature.NewVerifier(cfg.PublicKey)
	if err != nil {
		return nil, fmt.Errorf("DISCORD_PUBLIC_KEY: %w", err)
	}
	router, err := catalog.Router(catalog.Config{DeployEnvironments: cfg.DeployEnvironments, ApplicationID: cfg.ApplicationID,
		Repository: cfg.GitHub.Repository, Workflow: cfg.GitHub.Workflow, Policy: cfg.Policy},
		catalog.Deps{Status: d.status, Cost: d.cost, GitHub: d.github, Discord: d.originals, Scaler: d.scaler, Table: d.table, DeviceFlow: d.deviceFlow,
			AuditRetention: cfg.AuditRetention, Log: log, Now: now})
	if err != nil {
		return nil, err
	}
	return &Handler{
		verifier:      v,
		router:        router,
		invoker:       d.invoker,
		editor:        d.editor,
		functionName:  cfg.FunctionName,
		applicationID: cfg.ApplicationID,
		texts:         catalog.Texts(),
		language:      cfg.Language,
		log:           log,
		now:           now,
	}, nil
}
