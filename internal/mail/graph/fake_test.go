package graph

import (
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
	tenant  = "5f2b7c11-8d4e-4f0a-9b3c-2e1d0f9a8b7c"
	client  = "6731de76-14a6-49ae-97bc-6eba6914391e"
	secret  = "Qx48Q~s3cr3t"
	mailbox = "vendor-notices@example-corp.com"
)

// fakeGraph answers like the documented Microsoft identity platform token
// endpoint and the Graph v1.0 mail API, for one mailbox.
type fakeGraph struct {
	t   *testing.T
	srv *httptest.Server

	mu            sync.Mutex
	msgs          []*fakeMessage
	folders       map[string]bool
	tokens        int // token requests served
	throttle      int // next requests answered 429
	throttled     int // 429s sent
	vanishOnGet   map[string]bool
	foreignNext   bool
	lastListQuery string
}

type fakeMessage struct {
	ID, Folder string
	Received   time.Time
	Raw        string
	IsRead     bool
}

func newFakeGraph(t *testing.T) *fakeGraph {
	f := &fakeGraph{t: t, folders: map[string]bool{"inbox": true, "archive": true}, vanishOnGet: map[string]bool{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /{tenant}/oauth2/v2.0/token", f.token)
	mux.HandleFunc("GET /v1.0/users/{mailbox}/mailFolders/{folder}", f.auth(f.folder))
	mux.HandleFunc("GET /v1.0/users/{mailbox}/mailFolders/{folder}/messages", f.auth(f.list))
	mux.HandleFunc("GET /v1.0/users/{mailbox}/messages/{id}", f.auth(f.get))
	mux.HandleFunc("GET /v1.0/users/{mailbox}/messages/{id}/$value", f.auth(f.value))
	mux.HandleFunc("PATCH /v1.0/users/{mailbox}/messages/{id}", f.auth(f.patch))
	mux.HandleFunc("POST /v1.0/users/{mailbox}/messages/{id}/move", f.auth(f.move))
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

// config returns a Config pointing at the fake.
func (f *fakeGraph) config() Config {
	return Config{
		TenantID: tenant, ClientID: client, ClientSecret: secret, Mailbox: mailbox,
		BaseURL: f.srv.URL + "/v1.0", TokenURL: f.srv.URL + "/" + tenant + "/oauth2/v2.0/token",
		HTTPClient: f.srv.Client(),
	}
}

// add puts a message into the inbox.
func (f *fakeGraph) add(id string, received time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	raw := fmt.Sprintf("Message-ID: <%s@stripe.com>\r\nSubject: Notice %s\r\n\r\nBody of %s\r\n", id, id, id)
	f.msgs = append(f.msgs, &fakeMessage{ID: id, Folder: "inbox", Received: received, Raw: raw})
}

func (f *fakeGraph) find(id string) *fakeMessage {
	for _, m := range f.msgs {
		if m.ID == id {
			return m
		}
	}
	return nil
}

func (f *fakeGraph) writeFile(w http.ResponseWriter, status int, name string) {
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		f.t.Errorf("read testdata: %v", err)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(b)
}

func (f *fakeGraph) writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; odata.metadata=minimal")
	if err := json.NewEncoder(w).Encode(v); err != nil {
		f.t.Errorf("encode response: %v", err)
	}
}

// token is the client-credentials grant of the v2.0 token endpoint.
func (f *fakeGraph) token(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.tokens++
	f.mu.Unlock()
	if r.PathValue("tenant") != tenant || r.FormValue("grant_type") != "client_credentials" ||
		r.FormValue("client_id") != client || r.FormValue("scope") != DefaultScope {
		http.Error(w, "bad token request", http.StatusBadRequest)
		return
	}
	if r.FormValue("client_secret") != secret {
		f.writeFile(w, http.StatusUnauthorized, "invalid_client.json")
		return
	}
	f.writeFile(w, http.StatusOK, "token.json")
}

// auth checks the bearer token, the mailbox and throttling, then serves h.
func (f *fakeGraph) auth(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer eyJ0eXAi") {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		if r.Header.Get("Prefer") != `IdType="ImmutableId"` {
			f.t.Errorf("%s %s without the ImmutableId Prefer header", r.Method, r.URL.Path)
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		if f.throttle > 0 {
			f.throttle--
			f.throttled++
			w.Header().Set("Retry-After", "1")
			f.writeFile(w, http.StatusTooManyRequests, "too_many_requests.json")
			return
		}
		if r.PathValue("mailbox") != mailbox {
			f.writeFile(w, http.StatusForbidden, "access_denied.json")
			return
		}
		h(w, r)
	}
}

func (f *fakeGraph) folder(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("folder")
	if !f.folders[name] {
		f.writeFile(w, http.StatusNotFound, "item_not_found.json")
		return
	}
	f.writeJSON(w, map[string]string{"id": "AAMkAD" + name, "displayName": name})
}

// list serves messages with $filter (receivedDateTime ge), $orderby, $top
// and paging by @odata.nextLink ($skip).
func (f *fakeGraph) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f.lastListQuery = r.URL.RawQuery
	if q.Get("$orderby") != "receivedDateTime asc" || q.Get("$select") != "id,receivedDateTime,internetMessageId" {
		f.t.Errorf("unexpected listing query %q", r.URL.RawQuery)
	}
	var since time.Time
	if filter := q.Get("$filter"); filter != "" {
		v, ok := strings.CutPrefix(filter, "receivedDateTime ge ")
		var err error
		if since, err = time.Parse(time.RFC3339Nano, v); !ok || err != nil {
			http.Error(w, "bad $filter", http.StatusBadRequest)
			return
		}
	}
	var match []*fakeMessage
	for _, m := range f.msgs {
		if m.Folder == r.PathValue("folder") && !m.Received.Before(since) {
			match = append(match, m)
		}
	}
	slices.SortStableFunc(match, func(a, b *fakeMessage) int { return a.Received.Compare(b.Received) })
	top, _ := strconv.Atoi(q.Get("$top"))
	skip, _ := strconv.Atoi(q.Get("$skip"))
	page := map[string]any{"@odata.context": f.srv.URL + "/v1.0/$metadata#users('" + mailbox + "')/mailFolders('inbox')/messages"}
	var value []map[string]string
	for i := skip; i < len(match) && i < skip+top; i++ {
		m := match[i]
		value = append(value, map[string]string{
			"@odata.etag": `W/"CQAAABYAAAC"`, "id": m.ID,
			"receivedDateTime": m.Received.UTC().Format(time.RFC3339), "internetMessageId": "<" + m.ID + "@stripe.com>",
		})
	}
	page["value"] = value
	if skip+top < len(match) {
		q.Set("$skip", strconv.Itoa(skip+top))
		host := f.srv.URL
		if f.foreignNext {
			host = "https://graph.attacker.example"
		}
		page["@odata.nextLink"] = host + r.URL.Path + "?" + q.Encode()
	}
	f.writeJSON(w, page)
}

func (f *fakeGraph) get(w http.ResponseWriter, r *http.Request) {
	m := f.find(r.PathValue("id"))
	if m == nil {
		f.writeFile(w, http.StatusNotFound, "item_not_found.json")
		return
	}
	f.writeJSON(w, map[string]any{"id": m.ID, "isRead": m.IsRead})
}

func (f *fakeGraph) value(w http.ResponseWriter, r *http.Request) {
	m := f.find(r.PathValue("id"))
	if m == nil || f.vanishOnGet[m.ID] {
		f.writeFile(w, http.StatusNotFound, "item_not_found.json")
		return
	}
	w.Header().Set("Content-Type", "text/plain")
	w.Write([]byte(m.Raw))
}

func (f *fakeGraph) patch(w http.ResponseWriter, r *http.Request) {
	m := f.find(r.PathValue("id"))
	var body struct{ IsRead *bool }
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.IsRead == nil {
		http.Error(w, "bad patch", http.StatusBadRequest)
		return
	}
	if m == nil {
		f.writeFile(w, http.StatusNotFound, "item_not_found.json")
		return
	}
	m.IsRead = *body.IsRead
	f.writeJSON(w, map[string]any{"id": m.ID, "isRead": m.IsRead})
}

func (f *fakeGraph) move(w http.ResponseWriter, r *http.Request) {
	m := f.find(r.PathValue("id"))
	var body struct{ DestinationID string }
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		http.Error(w, "bad move", http.StatusBadRequest)
		return
	}
	if m == nil || !f.folders[body.DestinationID] {
		f.writeFile(w, http.StatusNotFound, "item_not_found.json")
		return
	}
	m.Folder = body.DestinationID
	w.WriteHeader(http.StatusCreated)
	f.writeJSON(w, map[string]any{"id": m.ID, "parentFolderId": "AAMkAD" + m.Folder})
}
