package gmail

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	mailbox      = "vendor-notices@example-corp.com"
	clientID     = "1234567890-abc.apps.googleusercontent.com"
	clientSecret = "GOCSPX-fake"
	refreshToken = "1//0g-fake-refresh"
	saEmail      = "vendorsync@vendorsync-prod.iam.gserviceaccount.com"
)

// fakeGmail answers like Google's OAuth2 token endpoint and the Gmail v1
// users.* API for one mailbox.
type fakeGmail struct {
	t   *testing.T
	srv *httptest.Server

	mu         sync.Mutex
	historyID  uint64
	minHistory uint64 // start ids below this answer 404 (expired)
	msgs       []*fakeMsg
	records    []fakeRecord
	saKey      *rsa.PublicKey
	throttle   int
	throttled  int
	pageCap    int // history page size the server uses at most
	listCalls  []string
	vanished   map[string]bool
}

type fakeMsg struct {
	ID       string
	Labels   []string
	Internal time.Time
	Raw      string
}

type fakeRecord struct {
	ID  uint64
	Msg *fakeMsg
}

func newFakeGmail(t *testing.T) *fakeGmail {
	f := &fakeGmail{t: t, historyID: 1000, pageCap: 500, vanished: map[string]bool{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /token", f.token)
	base := "/gmail/v1/users/{user}/"
	mux.HandleFunc("GET "+base+"profile", f.auth(f.profile))
	mux.HandleFunc("GET "+base+"labels/{id}", f.auth(f.label))
	mux.HandleFunc("GET "+base+"messages", f.auth(f.list))
	mux.HandleFunc("GET "+base+"messages/{id}", f.auth(f.get))
	mux.HandleFunc("GET "+base+"history", f.auth(f.history))
	mux.HandleFunc("POST "+base+"messages/batchModify", f.auth(f.batchModify))
	mux.HandleFunc("POST "+base+"messages/{id}/modify", f.auth(f.modify))
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

// deliver adds a message with labels and records it in the history.
func (f *fakeGmail) deliver(id string, labels ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.historyID += 7 // history ids grow with gaps
	m := &fakeMsg{
		ID: id, Labels: labels, Internal: time.Date(2025, 4, 15, 16, 0, len(f.msgs), 0, time.UTC),
		Raw: fmt.Sprintf("Message-ID: <%s@google.com>\r\nSubject: %s\r\n\r\nNotice %s\r\n", id, id, id),
	}
	f.msgs = append(f.msgs, m)
	f.records = append(f.records, fakeRecord{ID: f.historyID, Msg: m})
}

func (f *fakeGmail) find(id string) *fakeMsg {
	for _, m := range f.msgs {
		if m.ID == id && !f.vanished[id] {
			return m
		}
	}
	return nil
}

func (f *fakeGmail) writeFile(w http.ResponseWriter, status int, name string) {
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		f.t.Errorf("read testdata: %v", err)
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(status)
	w.Write(b)
}

func (f *fakeGmail) writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	if err := json.NewEncoder(w).Encode(v); err != nil {
		f.t.Errorf("encode: %v", err)
	}
}

// token serves the refresh-token grant and the service-account JWT grant
// (RFC 7523), checking the JWT's signature and claims.
func (f *fakeGmail) token(w http.ResponseWriter, r *http.Request) {
	switch r.FormValue("grant_type") {
	case "refresh_token":
		if r.FormValue("refresh_token") != refreshToken || r.FormValue("client_id") != clientID || r.FormValue("client_secret") != clientSecret {
			f.writeFile(w, http.StatusBadRequest, "invalid_grant.json")
			return
		}
	case "urn:ietf:params:oauth:grant-type:jwt-bearer":
		claims, ok := f.verifyJWT(r.FormValue("assertion"))
		if !ok || claims.Iss != saEmail || claims.Aud != f.srv.URL+"/token" || claims.Scope != ScopeModify {
			f.writeFile(w, http.StatusBadRequest, "invalid_grant.json")
			return
		}
		if claims.Sub != mailbox {
			f.writeFile(w, http.StatusUnauthorized, "unauthorized_client.json")
			return
		}
	default:
		http.Error(w, "unsupported grant", http.StatusBadRequest)
		return
	}
	f.writeFile(w, http.StatusOK, "token.json")
}

type jwtClaims struct {
	Iss, Sub, Aud, Scope string
}

func (f *fakeGmail) verifyJWT(assertion string) (jwtClaims, bool) {
	var c jwtClaims
	parts := strings.Split(assertion, ".")
	if len(parts) != 3 || f.saKey == nil {
		return c, false
	}
	sig, err1 := base64.RawURLEncoding.DecodeString(parts[2])
	payload, err2 := base64.RawURLEncoding.DecodeString(parts[1])
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err1 != nil || err2 != nil || rsa.VerifyPKCS1v15(f.saKey, crypto.SHA256, sum[:], sig) != nil {
		return c, false
	}
	return c, json.Unmarshal(payload, &c) == nil
}

// auth checks the access token, the user and throttling.
func (f *fakeGmail) auth(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer ya29.a0AfB_byC-fake-access-token" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		if f.throttle > 0 {
			f.throttle--
			f.throttled++
			w.Header().Set("Retry-After", "1")
			f.writeFile(w, http.StatusTooManyRequests, "rate_limit.json")
			return
		}
		if u := r.PathValue("user"); u != mailbox && u != "me" {
			f.writeFile(w, http.StatusForbidden, "delegation_denied.json")
			return
		}
		h(w, r)
	}
}

func (f *fakeGmail) profile(w http.ResponseWriter, _ *http.Request) {
	f.writeJSON(w, map[string]any{"emailAddress": mailbox, "messagesTotal": len(f.msgs), "historyId": strconv.FormatUint(f.historyID, 10)})
}

func (f *fakeGmail) label(w http.ResponseWriter, r *http.Request) {
	if id := r.PathValue("id"); id != "INBOX" && id != "Label_42" {
		f.writeFile(w, http.StatusNotFound, "not_found.json")
		return
	}
	f.writeJSON(w, map[string]any{"id": r.PathValue("id"), "type": "system"})
}

// list serves users.messages.list: newest first, labelIds, maxResults and
// an offset page token.
func (f *fakeGmail) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f.listCalls = append(f.listCalls, r.URL.RawQuery)
	var match []*fakeMsg
	for _, m := range f.msgs {
		if slices.Contains(m.Labels, q.Get("labelIds")) && !f.vanished[m.ID] {
			match = append(match, m)
		}
	}
	slices.Reverse(match)
	max, _ := strconv.Atoi(q.Get("maxResults"))
	off := 0 // the page token names the last message of the previous page
	if tok := q.Get("pageToken"); tok != "" {
		off = 1 + slices.IndexFunc(match, func(m *fakeMsg) bool { return m.ID == tok })
	}
	page := map[string]any{"resultSizeEstimate": len(match)}
	var msgs []map[string]string
	for i := off; i < len(match) && i < off+max; i++ {
		msgs = append(msgs, map[string]string{"id": match[i].ID, "threadId": match[i].ID})
	}
	page["messages"] = msgs
	if off+max < len(match) {
		page["nextPageToken"] = match[off+max-1].ID
	}
	f.writeJSON(w, page)
}

func (f *fakeGmail) get(w http.ResponseWriter, r *http.Request) {
	m := f.find(r.PathValue("id"))
	if m == nil || r.URL.Query().Get("format") != "raw" {
		f.writeFile(w, http.StatusNotFound, "not_found.json")
		return
	}
	f.writeJSON(w, map[string]any{
		"id": m.ID, "threadId": m.ID, "labelIds": m.Labels, "snippet": "Notice",
		"internalDate": strconv.FormatInt(m.Internal.UnixMilli(), 10), "sizeEstimate": len(m.Raw),
		"raw": base64.URLEncoding.EncodeToString([]byte(m.Raw)),
	})
}

// history serves users.history.list for messageAdded records after
// startHistoryId, at most pageCap records a page.
func (f *fakeGmail) history(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	start, err := strconv.ParseUint(q.Get("startHistoryId"), 10, 64)
	if err != nil || start < f.minHistory || q.Get("historyTypes") != "messageAdded" {
		f.writeFile(w, http.StatusNotFound, "not_found.json")
		return
	}
	if tok := q.Get("pageToken"); tok != "" {
		after, ok := strings.CutPrefix(tok, "after-")
		if start, err = strconv.ParseUint(after, 10, 64); !ok || err != nil {
			http.Error(w, "bad page token", http.StatusBadRequest)
			return
		}
	}
	var recs []map[string]any
	more := false
	for _, rec := range f.records {
		if rec.ID <= start || !slices.Contains(rec.Msg.Labels, q.Get("labelId")) {
			continue
		}
		if len(recs) == f.pageCap {
			more = true
			break
		}
		msg := map[string]any{"id": rec.Msg.ID, "threadId": rec.Msg.ID, "labelIds": rec.Msg.Labels}
		recs = append(recs, map[string]any{
			"id": strconv.FormatUint(rec.ID, 10), "messages": []any{msg}, "messagesAdded": []any{map[string]any{"message": msg}},
		})
	}
	page := map[string]any{"history": recs, "historyId": strconv.FormatUint(f.historyID, 10)}
	if more {
		// The real token is opaque; this one restarts after the last record.
		page["nextPageToken"] = "after-" + recs[len(recs)-1]["id"].(string)
	}
	f.writeJSON(w, page)
}

func (f *fakeGmail) relabel(m *fakeMsg, add, remove []string) {
	m.Labels = slices.DeleteFunc(m.Labels, func(l string) bool { return slices.Contains(remove, l) })
	m.Labels = append(m.Labels, add...)
}

func (f *fakeGmail) batchModify(w http.ResponseWriter, r *http.Request) {
	var req modifyRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	for _, id := range req.IDs {
		if f.find(id) == nil {
			f.writeFile(w, http.StatusNotFound, "not_found.json")
			return
		}
	}
	for _, id := range req.IDs {
		f.relabel(f.find(id), req.AddLabelIDs, req.RemoveLabelIDs)
	}
	w.WriteHeader(http.StatusNoContent)
}

func (f *fakeGmail) modify(w http.ResponseWriter, r *http.Request) {
	var req modifyRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	m := f.find(r.PathValue("id"))
	if m == nil {
		f.writeFile(w, http.StatusNotFound, "not_found.json")
		return
	}
	f.relabel(m, req.AddLabelIDs, req.RemoveLabelIDs)
	f.writeJSON(w, map[string]any{"id": m.ID, "labelIds": m.Labels})
}
