package mailbox_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The fakes below answer like the documented Microsoft identity platform
// and Graph mail API, and Google's token endpoint and Gmail API, for one
// mailbox each; the adapters' own tests cover the protocols in depth.

const (
	graphTenant = "5f2b7c11-8d4e-4f0a-9b3c-2e1d0f9a8b7c"
	graphClient = "6731de76-14a6-49ae-97bc-6eba6914391e"
	graphSecret = "Qx48Q~graph-secret-do-not-log"
	graphBox    = "vendor-notices@example-corp.com"
	graphToken  = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.fake.sig"

	gmailClient  = "1234567890-abc.apps.googleusercontent.com"
	gmailSecret  = "GOCSPX-gmail-secret-do-not-log"
	gmailRefresh = "1//0g-refresh-do-not-log"
	gmailToken   = "ya29.fake-access-token"
)

type fakeMessage struct {
	ID       string
	Received time.Time
	Read     bool
}

func rawOf(id string) string {
	return fmt.Sprintf("Message-ID: <%s@stripe.com>\r\nFrom: Stripe <notices@stripe.com>\r\nSubject: Notice %s\r\n\r\nAPI change %s.\r\n", id, id, id)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // the test client reads it or fails itself
}

// fakeGraph serves the client-credentials token grant and the mail API.
type fakeGraph struct {
	srv  *httptest.Server
	mu   sync.Mutex
	msgs []*fakeMessage
}

func newFakeGraph(t *testing.T) *fakeGraph {
	f := &fakeGraph{}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /{tenant}/oauth2/v2.0/token", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("tenant") != graphTenant || r.FormValue("client_id") != graphClient || r.FormValue("client_secret") != graphSecret {
			writeJSON(w, http.StatusUnauthorized, map[string]any{"error": "invalid_client",
				"error_description": "AADSTS7000215: Invalid client secret provided."})
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"token_type": "Bearer", "expires_in": 3599, "access_token": graphToken})
	})
	mux.HandleFunc("GET /v1.0/users/{mailbox}/mailFolders/{folder}", f.auth(func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("folder") != "inbox" {
			writeJSON(w, http.StatusNotFound, map[string]any{"error": map[string]any{"code": "ErrorItemNotFound", "message": "The specified object was not found in the store."}})
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"id": "AAMkADinbox", "displayName": "Inbox"})
	}))
	mux.HandleFunc("GET /v1.0/users/{mailbox}/mailFolders/{folder}/messages", f.auth(f.list))
	mux.HandleFunc("GET /v1.0/users/{mailbox}/messages/{id}/$value", f.auth(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.Write([]byte(rawOf(r.PathValue("id"))))
	}))
	mux.HandleFunc("PATCH /v1.0/users/{mailbox}/messages/{id}", f.auth(func(w http.ResponseWriter, r *http.Request) {
		for _, m := range f.msgs {
			if m.ID == r.PathValue("id") {
				m.Read = true
			}
		}
		writeJSON(w, http.StatusOK, map[string]any{"id": r.PathValue("id"), "isRead": true})
	}))
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeGraph) auth(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+graphToken || r.PathValue("mailbox") != graphBox {
			writeJSON(w, http.StatusUnauthorized, map[string]any{"error": map[string]any{"code": "InvalidAuthenticationToken"}})
			return
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		h(w, r)
	}
}

func (f *fakeGraph) add(id string, at time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.msgs = append(f.msgs, &fakeMessage{ID: id, Received: at})
}

// list serves $filter=receivedDateTime ge …, $orderby=receivedDateTime asc and $top.
func (f *fakeGraph) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var since time.Time
	if v, ok := strings.CutPrefix(q.Get("$filter"), "receivedDateTime ge "); ok {
		since, _ = time.Parse(time.RFC3339Nano, v)
	}
	top, _ := strconv.Atoi(q.Get("$top"))
	value := []map[string]string{}
	for _, m := range f.msgs {
		if !m.Received.Before(since) && len(value) < top {
			value = append(value, map[string]string{"id": m.ID, "receivedDateTime": m.Received.Format(time.RFC3339),
				"internetMessageId": "<" + m.ID + "@stripe.com>"})
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": value})
}

// fakeGmail serves the refresh-token grant and users.* of the Gmail API.
type fakeGmail struct {
	srv        *httptest.Server
	mu         sync.Mutex
	historyID  int
	minHistory int // start ids below answer 404 (expired)
	msgs       []*fakeMessage
	added      map[string]int // message id -> history id that added it
}

func newFakeGmail(t *testing.T) *fakeGmail {
	f := &fakeGmail{historyID: 1000, added: map[string]int{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		if r.FormValue("grant_type") != "refresh_token" || r.FormValue("refresh_token") != gmailRefresh ||
			r.FormValue("client_id") != gmailClient || r.FormValue("client_secret") != gmailSecret {
			writeJSON(w, http.StatusBadRequest, map[string]any{"error": "invalid_grant", "error_description": "Token has been expired or revoked."})
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"access_token": gmailToken, "expires_in": 3599, "token_type": "Bearer"})
	})
	base := "/gmail/v1/users/{user}/"
	mux.HandleFunc("GET "+base+"profile", f.auth(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"emailAddress": "me@example.com", "historyId": strconv.Itoa(f.historyID)})
	}))
	mux.HandleFunc("GET "+base+"labels/{id}", f.auth(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"id": r.PathValue("id"), "type": "system"})
	}))
	mux.HandleFunc("GET "+base+"messages", f.auth(f.list))
	mux.HandleFunc("GET "+base+"messages/{id}", f.auth(func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		writeJSON(w, http.StatusOK, map[string]any{"id": id, "internalDate": "1744732800000",
			"raw": base64.URLEncoding.EncodeToString([]byte(rawOf(id)))})
	}))
	mux.HandleFunc("GET "+base+"history", f.auth(f.history))
	mux.HandleFunc("POST "+base+"messages/batchModify", f.auth(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			IDs            []string `json:"ids"`
			RemoveLabelIDs []string `json:"removeLabelIds"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]any{"error": "bad body"})
			return
		}
		for _, m := range f.msgs {
			if slices.Contains(req.IDs, m.ID) && slices.Contains(req.RemoveLabelIDs, "UNREAD") {
				m.Read = true
			}
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeGmail) auth(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+gmailToken {
			writeJSON(w, http.StatusUnauthorized, map[string]any{"error": map[string]any{"code": 401, "status": "UNAUTHENTICATED"}})
			return
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		h(w, r)
	}
}

func (f *fakeGmail) deliver(id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.historyID += 3
	f.msgs = append(f.msgs, &fakeMessage{ID: id})
	f.added[id] = f.historyID
}

// list serves users.messages.list: newest first, all on one page.
func (f *fakeGmail) list(w http.ResponseWriter, _ *http.Request) {
	msgs := []map[string]string{}
	for i := len(f.msgs) - 1; i >= 0; i-- {
		msgs = append(msgs, map[string]string{"id": f.msgs[i].ID, "threadId": f.msgs[i].ID})
	}
	writeJSON(w, http.StatusOK, map[string]any{"messages": msgs, "resultSizeEstimate": len(msgs)})
}

// history serves messageAdded records after startHistoryId.
func (f *fakeGmail) history(w http.ResponseWriter, r *http.Request) {
	start, err := strconv.Atoi(r.URL.Query().Get("startHistoryId"))
	if err != nil || start < f.minHistory {
		writeJSON(w, http.StatusNotFound, map[string]any{"error": map[string]any{"code": 404, "message": "Requested entity was not found.", "status": "NOT_FOUND"}})
		return
	}
	recs := []map[string]any{}
	for _, m := range f.msgs {
		if h := f.added[m.ID]; h > start {
			msg := map[string]any{"id": m.ID, "threadId": m.ID, "labelIds": []string{"INBOX", "UNREAD"}}
			recs = append(recs, map[string]any{"id": strconv.Itoa(h), "messages": []any{msg}, "messagesAdded": []any{map[string]any{"message": msg}}})
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"history": recs, "historyId": strconv.Itoa(f.historyID)})
}
