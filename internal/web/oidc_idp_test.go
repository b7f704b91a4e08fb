package web_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// idp is an in-process OpenID Connect provider: discovery, JWKS, an
// /authorize endpoint that signs in whoever the test says, a /token
// endpoint that checks the client, the redirect URI and the PKCE verifier
// and issues an RS256 ID token, and a /userinfo endpoint that answers for
// the access token it issued (OpenID Connect Core 5.3).
type idp struct {
	t                      *testing.T
	url                    string
	key                    *rsa.PrivateKey
	clientID, clientSecret string

	mu     sync.Mutex
	person idpPerson            // who signs in at /authorize
	codes  map[string]grant     // issued, unredeemed codes
	tokens map[string]idpPerson // issued access tokens
	seen   url.Values           // the last /authorize query
}

// idpPerson is the person the provider vouches for.
type idpPerson struct {
	Sub, Email, Name string
	EmailVerified    *bool // nil: claim absent
	// Minimal keeps the ID token to the required claims: email, name and
	// email_verified are only in the UserInfo answer (oidc-provider's
	// default, and many Keycloak and Okta set-ups).
	Minimal bool
	// UserInfoSub, when set, is the subject UserInfo answers with instead of
	// Sub (a provider that mixes people up).
	UserInfoSub string
}

type grant struct {
	person                        idpPerson
	nonce, challenge, redirectURI string
}

func newIdP(t *testing.T) *idp {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	p := &idp{t: t, key: key, clientID: "vendorsync-test", clientSecret: "client-secret-xyz", codes: map[string]grant{}, tokens: map[string]idpPerson{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", p.discovery)
	mux.HandleFunc("GET /jwks", p.jwks)
	mux.HandleFunc("GET /authorize", p.authorize)
	mux.HandleFunc("POST /token", p.token)
	mux.HandleFunc("GET /userinfo", p.userinfo)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	p.url = srv.URL
	return p
}

// signInAs sets who the next /authorize call authenticates.
func (p *idp) signInAs(person idpPerson) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.person = person
}

func (p *idp) lastAuthorize() url.Values {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.seen
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // test server: the client reads what it gets
}

func (p *idp) discovery(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                p.url,
		"authorization_endpoint":                p.url + "/authorize",
		"token_endpoint":                        p.url + "/token",
		"jwks_uri":                              p.url + "/jwks",
		"userinfo_endpoint":                     p.url + "/userinfo",
		"response_types_supported":              []string{"code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"code_challenge_methods_supported":      []string{"S256"},
		"scopes_supported":                      []string{"openid", "email", "profile"},
	})
}

func (p *idp) jwks(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{
		{Key: &p.key.PublicKey, KeyID: "test-key", Algorithm: string(jose.RS256), Use: "sig"},
	}})
}

func (p *idp) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p.mu.Lock()
	p.seen = q
	person := p.person
	p.mu.Unlock()
	switch {
	case q.Get("response_type") != "code", q.Get("client_id") != p.clientID,
		!strings.Contains(q.Get("scope"), "openid"), q.Get("code_challenge_method") != "S256", q.Get("code_challenge") == "":
		http.Error(w, "bad authorization request: "+q.Encode(), http.StatusBadRequest)
		return
	}
	code := randomString()
	p.mu.Lock()
	p.codes[code] = grant{person: person, nonce: q.Get("nonce"), challenge: q.Get("code_challenge"), redirectURI: q.Get("redirect_uri")}
	p.mu.Unlock()
	back, err := url.Parse(q.Get("redirect_uri"))
	if err != nil {
		http.Error(w, "bad redirect_uri", http.StatusBadRequest)
		return
	}
	bq := back.Query()
	bq.Set("code", code)
	bq.Set("state", q.Get("state"))
	back.RawQuery = bq.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

func (p *idp) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request"})
		return
	}
	id, secret, ok := r.BasicAuth()
	if !ok {
		id, secret = r.PostFormValue("client_id"), r.PostFormValue("client_secret")
	}
	if id != p.clientID || secret != p.clientSecret {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_client"})
		return
	}
	p.mu.Lock()
	g, found := p.codes[r.PostFormValue("code")]
	delete(p.codes, r.PostFormValue("code"))
	p.mu.Unlock()
	sum := sha256.Sum256([]byte(r.PostFormValue("code_verifier")))
	switch {
	case r.PostFormValue("grant_type") != "authorization_code", !found,
		r.PostFormValue("redirect_uri") != g.redirectURI,
		base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge:
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_grant"})
		return
	}
	now := time.Now()
	claims := map[string]any{"iss": p.url, "sub": g.person.Sub, "aud": p.clientID, "iat": now.Unix(),
		"exp": now.Add(5 * time.Minute).Unix(), "nonce": g.nonce}
	if !g.person.Minimal {
		addProfile(claims, g.person)
	}
	access := randomString()
	p.mu.Lock()
	p.tokens[access] = g.person
	p.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"access_token": access, "token_type": "Bearer",
		"expires_in": 300, "id_token": p.sign(claims)})
}

// addProfile adds the person's email, name and email_verified to claims.
func addProfile(claims map[string]any, person idpPerson) {
	if person.Email != "" {
		claims["email"] = person.Email
	}
	if person.Name != "" {
		claims["name"] = person.Name
	}
	if person.EmailVerified != nil {
		claims["email_verified"] = *person.EmailVerified
	}
}

// userinfo answers with the claims of the person an access token was
// issued to (a bearer token, as OpenID Connect Core 5.3.1 requires).
func (p *idp) userinfo(w http.ResponseWriter, r *http.Request) {
	access, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	p.mu.Lock()
	person, found := p.tokens[access]
	p.mu.Unlock()
	if !ok || !found {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_token"})
		return
	}
	claims := map[string]any{"sub": person.Sub}
	if person.UserInfoSub != "" {
		claims["sub"] = person.UserInfoSub
	}
	addProfile(claims, person)
	writeJSON(w, http.StatusOK, claims)
}

// sign makes an RS256 ID token. It runs on the server's goroutine, so it
// reports failures with Errorf rather than Fatal.
func (p *idp) sign(claims map[string]any) string {
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256,
		Key: jose.JSONWebKey{Key: p.key, KeyID: "test-key", Algorithm: string(jose.RS256)}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		p.t.Errorf("signer: %v", err)
		return ""
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		p.t.Errorf("claims: %v", err)
		return ""
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		p.t.Errorf("sign: %v", err)
		return ""
	}
	raw, err := jws.CompactSerialize()
	if err != nil {
		p.t.Errorf("serialize: %v", err)
		return ""
	}
	return raw
}

func randomString() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand does not fail
	return base64.RawURLEncoding.EncodeToString(b)
}
