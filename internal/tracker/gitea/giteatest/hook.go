package giteatest

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/vendorsync/vendorsync/internal/tracker/forge/forgetest"
)

// hookRequest is CreateHookOption and EditHookOption of Gitea's swagger:
// the config map carries url, content_type and secret.
type hookRequest struct {
	Type   string            `json:"type"`
	Config map[string]string `json:"config"`
	Events []string          `json:"events"`
	Active *bool             `json:"active"`
}

// hookJSON renders a Hook: the config never carries the secret back.
func hookJSON(h forgetest.Hook) map[string]any {
	return map[string]any{"id": h.ID, "type": h.Type, "branch_filter": "", "active": h.Active, "events": h.Events,
		"config": map[string]string{"url": h.URL, "content_type": h.ContentType}, "authorization_header": "",
		"created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"}
}

// hooksDenied answers as Gitea does to an account without admin rights on
// the repository.
func (s *Server) hooksDenied(w http.ResponseWriter) bool {
	if !s.HooksForbidden() {
		return false
	}
	s.writeError(w, http.StatusForbidden, "token does not have at least one of required scope(s): [write:repository]")
	return true
}

func repoOf(r *http.Request) string { return r.PathValue("owner") + "/" + r.PathValue("repo") }

func (s *Server) listHooks(w http.ResponseWriter, r *http.Request) {
	if s.hooksDenied(w) {
		return
	}
	s.WriteHooks(w, repoOf(r), hookJSON)
}

func (s *Server) createHook(w http.ResponseWriter, r *http.Request) {
	if s.hooksDenied(w) {
		return
	}
	var in hookRequest
	if json.NewDecoder(r.Body).Decode(&in) != nil || in.Type == "" || in.Config["url"] == "" || in.Config["content_type"] == "" {
		s.writeError(w, http.StatusUnprocessableEntity, "Missing config option: url, content_type")
		return
	}
	h := forgetest.Hook{Project: repoOf(r), Type: in.Type, URL: in.Config["url"], ContentType: in.Config["content_type"],
		Secret: in.Config["secret"], Events: in.Events, Active: in.Active != nil && *in.Active}
	forgetest.WriteJSON(w, http.StatusCreated, hookJSON(s.AddHook(h)))
}

func (s *Server) editHook(w http.ResponseWriter, r *http.Request) {
	if s.hooksDenied(w) {
		return
	}
	var in hookRequest
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || json.NewDecoder(r.Body).Decode(&in) != nil {
		s.writeError(w, http.StatusUnprocessableEntity, "invalid request")
		return
	}
	h, ok := s.EditHook(repoOf(r), id, func(h *forgetest.Hook) {
		if v, ok := in.Config["url"]; ok {
			h.URL = v
		}
		if v, ok := in.Config["content_type"]; ok {
			h.ContentType = v
		}
		if v, ok := in.Config["secret"]; ok {
			h.Secret = v
		}
		if in.Events != nil {
			h.Events = in.Events
		}
		if in.Active != nil {
			h.Active = *in.Active
		}
	})
	if !ok {
		s.writeError(w, http.StatusNotFound, "The target couldn't be found.")
		return
	}
	forgetest.WriteJSON(w, http.StatusOK, hookJSON(h))
}

// IssueEvent is the body of the "issues" delivery Gitea sends when issue
// is changed by action (opened, edited, closed…), htmlURL being its page.
func IssueEvent(action string, is forgetest.Issue, htmlURL string) []byte {
	labels, assignees := []map[string]any{}, []map[string]any{}
	for _, l := range is.Labels {
		labels = append(labels, map[string]any{"name": l})
	}
	for _, a := range is.Assignees {
		assignees = append(assignees, map[string]any{"login": a})
	}
	var due any
	if is.DueDate != "" {
		due = is.DueDate + "T23:59:59Z"
	}
	b, err := json.Marshal(map[string]any{"action": action, "issue": map[string]any{"number": is.Number, "title": is.Title,
		"body": is.Body, "state": is.State, "labels": labels, "assignees": assignees, "due_date": due,
		"updated_at": is.Updated.Format(time.RFC3339), "html_url": htmlURL},
		"repository": map[string]any{"full_name": is.Project}})
	if err != nil {
		panic(err) // strings, numbers and times only
	}
	return b
}

// Deliver sends the issues event of action on issue n of project to every
// active hook of the project, as Gitea does after a change: a POST of
// IssueEvent with X-Gitea-Event, a fresh X-Gitea-Delivery and
// X-Gitea-Signature, the hex HMAC-SHA256 of the body under the hook's
// secret. It returns how many hooks took the delivery (a 2xx answer) and
// the first failure.
func (s *Server) Deliver(ctx context.Context, client *http.Client, action, project string, n int64) (int, error) {
	is, ok := s.Get(project, n)
	if !ok {
		return 0, fmt.Errorf("giteatest: no issue %s#%d", project, n)
	}
	body := IssueEvent(action, is, s.URL+"/"+is.Project+"/issues/"+strconv.FormatInt(is.Number, 10))
	sent := 0
	var first error
	for _, h := range s.Hooks(project) {
		if !h.Active {
			continue
		}
		err := deliver(ctx, client, h, body)
		if err == nil {
			sent++
		} else if first == nil {
			first = err
		}
	}
	return sent, first
}

func deliver(ctx context.Context, client *http.Client, h forgetest.Hook, body []byte) error {
	id := make([]byte, 16)
	_, _ = rand.Read(id) // never fails
	mac := hmac.New(sha256.New, []byte(h.Secret))
	mac.Write(body)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.URL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("giteatest: hook %d: %w", h.ID, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Gitea-Event", "issues")
	req.Header.Set("X-Gitea-Delivery", fmt.Sprintf("%x-%x-%x-%x-%x", id[:4], id[4:6], id[6:8], id[8:10], id[10:]))
	req.Header.Set("X-Gitea-Signature", hex.EncodeToString(mac.Sum(nil)))
	res, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("giteatest: hook %d: %w", h.ID, err)
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, res.Body)
	if res.StatusCode/100 != 2 {
		return fmt.Errorf("giteatest: hook %d answered %s", h.ID, res.Status)
	}
	return nil
}
