package githubapptest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// Assignment is an add-assignees request the fake received.
type Assignment struct {
	// Repo is the repository as the request named it, owner/repo.
	Repo string
	// Number is the issue or pull request.
	Number int
	// Assignees are the logins the request asked to assign.
	Assignees []string
}

// OnAssign makes f run for each add-assignees request, before the fake answers.
func (s *Server) OnAssign(f func(Assignment)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hooks.onAssign = f
}

// Assignments returns the add-assignees requests received so far, oldest first.
func (s *Server) Assignments() []Assignment {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Assignment(nil), s.assignments...)
}

// serveAssign answers POST /repos/{owner}/{repo}/issues/{issue_number}/assignees: logins that
// may not be assigned are left out silently, as GitHub leaves them, and the issue is answered
// with every assignee it has.
//
// See https://docs.github.com/en/rest/issues/assignees#add-assignees-to-an-issue
func (s *Server) serveAssign(w http.ResponseWriter, r *http.Request) {
	number, err := strconv.Atoi(r.PathValue("number"))
	if err != nil {
		writeError(w, http.StatusNotFound, "Not Found")
		return
	}
	var in struct {
		Assignees []string `json:"assignees"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		writeError(w, http.StatusBadRequest, "Problems parsing JSON")
		return
	}
	a := Assignment{Repo: r.PathValue("owner") + "/" + r.PathValue("repo"), Number: number, Assignees: in.Assignees}
	s.mu.Lock()
	rp := s.repoLocked(w, r)
	if rp == nil {
		s.mu.Unlock()
		return
	}
	if slices.Contains(rp.MissingIssues, number) {
		s.mu.Unlock()
		writeError(w, http.StatusNotFound, "Not Found")
		return
	}
	s.assignments = append(s.assignments, a)
	if rp.assignees == nil {
		rp.assignees = map[int][]string{}
	}
	for _, login := range in.Assignees {
		same := func(l string) bool { return strings.EqualFold(l, login) }
		if (rp.Assignable == nil || slices.ContainsFunc(rp.Assignable, same)) && !slices.ContainsFunc(rp.assignees[number], same) {
			rp.assignees[number] = append(rp.assignees[number], login)
		}
	}
	users := []any{}
	for _, login := range rp.assignees[number] {
		users = append(users, userJSON(login))
	}
	onAssign := s.hooks.onAssign
	full := rp.FullName()
	s.mu.Unlock()
	if onAssign != nil {
		onAssign(a)
	}
	writeJSON(w, http.StatusCreated, map[string]any{
		"number": number, "title": fmt.Sprintf("Issue %d", number), "state": "open",
		"html_url":  fmt.Sprintf("https://github.com/%s/issues/%d", full, number),
		"assignees": users,
	})
}
