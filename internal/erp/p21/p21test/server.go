// Package p21test runs an in-process Prophet 21 that answers like P21's
// token endpoint (POST /api/security/token/v2) and OData v4 data service
// (/odataservice/odata/table/{table}): JSON with @odata.context, $select,
// $filter (eq ne gt ge lt le, and, or, not, parentheses, startswith, eq
// null, date literals), $orderby, $top, $skip, $count=true, server-driven
// paging with @odata.nextLink, and OData error bodies. Tests load tables,
// set a delay per page, make tokens expire, refuse tables and inject
// failures. It is never linked into the binary.
package p21test

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// The credentials the server accepts.
const (
	Username    = "vsync"
	Password    = "p21-password"
	ConsumerKey = "p21-consumer-key"
	APIKey      = "p21-gateway-key"
)

// Row is one table row: strings, json.Number, bool, nil, or time.Time
// (written as DateTimeOffset).
type Row map[string]any

// Fault answers the next Times requests of a path prefix with Status.
type Fault struct {
	Status int
	Times  int
	// RetryAfter is sent with the status when set.
	RetryAfter string
}

// Server is the fake P21. Its methods are safe for concurrent use.
type Server struct {
	URL string

	mu        sync.Mutex
	tables    map[string][]Row
	forbidden map[string]bool
	tokens    map[string]time.Time
	tokenTTL  time.Duration
	maxPage   int
	pageDelay time.Duration
	faults    map[string][]*Fault
	counts    map[string]int
	logins    int
	// sorted keeps the last filtered and ordered rows per query, so paging
	// through a large table does not sort it for every page.
	sorted map[string][]Row
}

// New starts a server on 127.0.0.1 that closes when the test ends. Pages
// hold at most 1000 rows unless SetMaxPage says otherwise; tokens live an
// hour.
func New(tb testing.TB) *Server {
	tb.Helper()
	s := &Server{tables: map[string][]Row{}, forbidden: map[string]bool{}, tokens: map[string]time.Time{},
		sorted: map[string][]Row{}, tokenTTL: time.Hour, maxPage: 1000, faults: map[string][]*Fault{}, counts: map[string]int{}}
	ts := httptest.NewServer(http.HandlerFunc(s.serve))
	tb.Cleanup(ts.Close)
	s.URL = ts.URL
	return s
}

// SetTable replaces a table's rows.
func (s *Server) SetTable(name string, rows []Row) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tables[name] = rows
	clear(s.sorted)
}

// Upsert replaces the rows of table whose key column matches, appending
// the others.
func (s *Server) Upsert(table, keyCol string, rows ...Row) {
	s.mu.Lock()
	defer s.mu.Unlock()
	idx := map[any]int{}
	for i, r := range s.tables[table] {
		idx[r[keyCol]] = i
	}
	for _, r := range rows {
		if i, ok := idx[r[keyCol]]; ok {
			s.tables[table][i] = r
			continue
		}
		s.tables[table] = append(s.tables[table], r)
	}
	clear(s.sorted)
}

// Forbid makes table answer 403, as for an account without access to it.
func (s *Server) Forbid(table string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.forbidden[table] = true
}

// SetMaxPage sets the most rows a page holds; more asked for are paged
// with @odata.nextLink.
func (s *Server) SetMaxPage(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.maxPage = n
}

// SetPageDelay makes every data page answer d late.
func (s *Server) SetPageDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pageDelay = d
}

// SetTokenTTL sets the lifetime of tokens issued from now on.
func (s *Server) SetTokenTTL(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokenTTL = d
}

// ExpireTokens makes every issued token answer 401.
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.tokens)
}

// Inject answers the next f.Times requests whose path starts with prefix
// with f.Status and an OData error body.
func (s *Server) Inject(prefix string, f Fault) {
	if f.Times <= 0 {
		f.Times = 1
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[prefix] = append(s.faults[prefix], &f)
}

// Requests counts the requests to a table ("inv_mast"), to the table list
// ("") or to the token endpoint ("token").
func (s *Server) Requests(name string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[name]
}

// Logins counts successful sign-ins.
func (s *Server) Logins() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.logins
}

func (s *Server) fault(path string) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	for prefix, q := range s.faults {
		if len(q) == 0 || !strings.HasPrefix(path, prefix) {
			continue
		}
		f := *q[0]
		if q[0].Times--; q[0].Times == 0 {
			s.faults[prefix] = q[1:]
		}
		return &f
	}
	return nil
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if f := s.fault(r.URL.Path); f != nil {
		if f.RetryAfter != "" {
			w.Header().Set("Retry-After", f.RetryAfter)
		}
		odataError(w, f.Status, "Fault", http.StatusText(f.Status))
		return
	}
	switch {
	case r.URL.Path == "/api/security/token/v2":
		s.token(w, r)
	case r.URL.Path == "/odataservice/odata/table" || r.URL.Path == "/odataservice/odata/table/":
		if s.authorized(w, r, "") {
			s.serviceDocument(w)
		}
	case strings.HasPrefix(r.URL.Path, "/odataservice/odata/table/"):
		table := strings.TrimPrefix(r.URL.Path, "/odataservice/odata/table/")
		if s.authorized(w, r, table) {
			s.read(w, r, table)
		}
	default:
		odataError(w, http.StatusNotFound, "NotFound", "No HTTP resource was found that matches the request URI.")
	}
}

// token is the sign-in: username/password or a consumer key.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	s.count("token")
	if r.Method != http.MethodPost {
		odataError(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "The requested resource does not support http method '"+r.Method+"'.")
		return
	}
	var req struct {
		Username     string `json:"username"`
		Password     string `json:"password"`
		ClientSecret string `json:"ClientSecret"`
		GrantType    string `json:"GrantType"`
	}
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<16)) // a short read fails the decode below
	if err := json.Unmarshal(body, &req); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"Message": "The request is invalid."})
		return
	}
	ok := (req.Username == Username && req.Password == Password) ||
		(req.GrantType == "client_credentials" && req.ClientSecret == ConsumerKey)
	if !ok {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"Message": "Invalid username or password."})
		return
	}
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand never fails on supported platforms
	tok := hex.EncodeToString(b)
	s.mu.Lock()
	ttl := s.tokenTTL
	s.tokens[tok] = time.Now().Add(ttl)
	s.logins++
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"AccessToken": tok, "RefreshToken": "r" + tok,
		"ExpiresInSeconds": int64(ttl / time.Second), "TokenType": "Bearer"})
}

// authorized checks the request's credentials and the table's access.
func (s *Server) authorized(w http.ResponseWriter, r *http.Request, table string) bool {
	s.count(table)
	h := r.Header.Get("Authorization")
	ok := false
	if u, p, basic := r.BasicAuth(); basic {
		ok = u == Username && p == Password
	} else if tok, bearer := strings.CutPrefix(h, "Bearer "); bearer {
		s.mu.Lock()
		exp, known := s.tokens[tok]
		s.mu.Unlock()
		ok = tok == APIKey || (known && time.Now().Before(exp))
	}
	if !ok {
		w.Header().Set("WWW-Authenticate", `Bearer realm="P21"`)
		odataError(w, http.StatusUnauthorized, "Unauthorized", "Authorization has been denied for this request.")
		return false
	}
	if r.Header.Get("Accept") != "application/json" {
		odataError(w, http.StatusNotAcceptable, "NotAcceptable", "The client must accept application/json.")
		return false
	}
	s.mu.Lock()
	denied := s.forbidden[table]
	s.mu.Unlock()
	if denied {
		odataError(w, http.StatusForbidden, "Forbidden", "The user does not have permission to access "+table+".")
		return false
	}
	return true
}

func (s *Server) count(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.counts[name]++
}

func (s *Server) serviceDocument(w http.ResponseWriter) {
	s.mu.Lock()
	var sets []map[string]string
	for name := range s.tables {
		sets = append(sets, map[string]string{"name": name, "kind": "EntitySet", "url": name})
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"@odata.context": "$metadata", "value": sets})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; odata.metadata=minimal")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // the client hung up: nothing to do
}

func odataError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]any{"error": map[string]string{"code": code, "message": msg}})
}
