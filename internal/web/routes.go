package web

import (
	"net/http"

	"github.com/vendorsync/vendorsync/internal/auth"
)

// registerRoutes lists every route of the product in one place. API
// operations go through op (permission checked before the body is read), UI
// pages through page (sign-in, permission and CSRF), and the few public
// endpoints through public.
func (s *Server) registerRoutes() {
	// System.
	s.public("GET", "/healthz", s.healthz)
	s.public("GET", "/readyz", s.readyz)
	s.public("GET", "/metrics", s.metricsHandler().ServeHTTP)
	s.public("GET", "/static/", s.staticHandler().ServeHTTP)
	s.public("GET", "/api/docs", s.apiDocs)
	s.mux.HandleFunc("/api/", notFoundAPI)

	// Sign-in: password and SSO.
	s.public("GET", "/login", s.loginForm)
	s.public("POST", "/login", s.login)
	s.public("POST", "/logout", s.logout)
	// [people: OIDC routes]

	// UI: home.
	s.page("GET", "/{$}", auth.PermView, s.uiHome)

	// Registry: vendors, applications, rules.
	// [registry: API and UI routes]

	// People: users, teams, API keys; settings and secrets.
	// [people: API and UI routes]

	// Platform: audit log, dead letters.
	// [platform: API and UI routes]
}

func (s *Server) uiHome(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	type count struct {
		Label, Href string
		N           int
	}
	s.render(w, r, http.StatusOK, "home.html", View{Title: "Dashboard", Nav: "home", Data: map[string]any{"Counts": []count{}}})
	return nil
}
