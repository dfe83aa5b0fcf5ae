package suite

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/discord-chatops/chatops/local/gateway"
)

// ScheduleCostReport is the route that fires cost-cron's schedule on demand.
const ScheduleCostReport = "/schedule/cost-report"

// Handler serves the suite's HTTP API: POST /interactions to interactions and POST /github to
// github-webhook, as HTTP API payload 2.0 events, and POST /schedule/cost-report, which invokes
// cost-cron as EventBridge Scheduler does, with the request body as input ({} when empty).
func (s *Suite) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /interactions", func(w http.ResponseWriter, r *http.Request) {
		s.serveFunction(w, r, Interactions, s.cfg.OnInteraction)
	})
	mux.HandleFunc("POST /github", func(w http.ResponseWriter, r *http.Request) {
		s.serveFunction(w, r, GitHubWebhook, nil)
	})
	mux.HandleFunc("POST "+ScheduleCostReport, s.serveSchedule)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		// HTTP API answers a request no route matches like this.
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{"message":"Not Found"}`))
	})
	return mux
}

func (s *Suite) serveFunction(w http.ResponseWriter, r *http.Request, name string, observe func([]byte, int, []byte)) {
	body, err := gateway.ReadBody(r)
	if err != nil {
		http.Error(w, `{"message":"Request Entity Too Large"}`, http.StatusRequestEntityTooLarge)
		return
	}
	ev, err := json.Marshal(gateway.Event(r, body, requestID(), time.Now()))
	if err != nil {
		http.Error(w, `{"message":"Internal Server Error"}`, http.StatusInternalServerError)
		return
	}
	// HTTP API gives an integration 30 seconds at most.
	ctx, cancel := context.WithTimeout(r.Context(), min(s.cfg.Timeout, 30*time.Second))
	defer cancel()
	answer, err := s.Invoke(ctx, name, ev)
	if err != nil {
		s.log.note(name, fmt.Sprintf("%s %s: %v", r.Method, r.URL.Path, err))
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte(`{"message":"Internal Server Error"}`))
		return
	}
	resp, err := gateway.Response(answer)
	if err != nil {
		s.log.note(name, err.Error())
		http.Error(w, `{"message":"Internal Server Error"}`, http.StatusInternalServerError)
		return
	}
	if observe != nil {
		observe(body, resp.StatusCode, []byte(resp.Body))
	}
	if err := gateway.Write(w, answer); err != nil {
		s.log.note(name, fmt.Sprintf("write answer: %v", err))
	}
}

func (s *Suite) serveSchedule(w http.ResponseWriter, r *http.Request) {
	body, err := gateway.ReadBody(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusRequestEntityTooLarge)
		return
	}
	if len(body) == 0 {
		body = []byte("{}")
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.cfg.Timeout+5*time.Second)
	defer cancel()
	answer, err := s.Invoke(ctx, CostCron, body)
	w.Header().Set("Content-Type", "application/json")
	if err != nil {
		w.WriteHeader(http.StatusBadGateway)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": err.Error()})
		return
	}
	_, _ = w.Write(answer)
}

// requestID is a request id in the shape HTTP API gives them.
func requestID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}
