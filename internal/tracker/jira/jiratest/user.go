package jiratest

import (
	"net/http"
	"strconv"
	"strings"
)

// User is a Jira account the server knows.
type User struct {
	// AccountID identifies the user on Cloud; Name on Server.
	AccountID   string
	Name        string
	Email       string
	DisplayName string
	Active      bool
	// App marks an app (bot) account: accountType "app" on Cloud.
	App bool
	// HideEmail leaves emailAddress out of Cloud's answers, as a user's
	// privacy setting does; a search by the address still finds the user.
	HideEmail bool
}

// The users every server starts with.
const (
	AliceAccountID = "5b10a2844c20165700ede21f"
	MariaAccountID = "712020:2f4c1e0a-6d0b-4f0e-9a52-6c1b0c2d3e4f"
	MarioAccountID = "5b10a0effa615349cb016cd8"
	BotAccountID   = "5b10ac8d82e05b22cc7d4ef5"
)

func defaultUsers() []User {
	return []User{
		{AccountID: AliceAccountID, Name: "alice", Email: "alice@example.com", DisplayName: "Alice Chen", Active: true},
		{AccountID: MariaAccountID, Name: "maria", Email: "maria.lopez@example.com", DisplayName: "Maria Lopez", Active: true,
			HideEmail: true},
		{AccountID: MarioAccountID, Name: "mario", Email: "mario.rossi@example.com", DisplayName: "Mario Rossi", Active: true},
		{AccountID: "5b10a2844c20165700ede00a", Name: "former", Email: "former@example.com", DisplayName: "Former Colleague"},
		{AccountID: BotAccountID, Name: "vendorsync", Email: Email, DisplayName: "VendorSync Bot", Active: true, App: true},
	}
}

// AddUser adds an account.
func (s *Server) AddUser(u User) { s.mu.Lock(); s.users = append(s.users, u); s.mu.Unlock() }

// userSearch handles GET /rest/api/3/user/search?query= (Cloud: matches
// the start of the display name, of its words or of the email address) and
// GET /rest/api/2/user/search?username= (Server: the same, and the start
// of the user name), answering users in the flavor's shape.
func (s *Server) userSearch(c call) reply {
	param := "username"
	if c.version == "3" {
		param = "query"
	}
	q := strings.ToLower(strings.TrimSpace(c.r.URL.Query().Get(param)))
	if q == "" {
		return reply{http.StatusBadRequest, errorBody("The " + param + " query parameter was not provided")}
	}
	limit := 50
	if n, err := strconv.Atoi(c.r.URL.Query().Get("maxResults")); err == nil && n > 0 {
		limit = min(n, 1000)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []map[string]any{}
	for _, u := range s.users {
		fields := append(strings.Fields(strings.ToLower(u.DisplayName)), strings.ToLower(u.DisplayName), strings.ToLower(u.Email))
		if c.version == "2" {
			fields = append(fields, strings.ToLower(u.Name))
		}
		if !prefixOfAny(q, fields) || len(out) == limit {
			continue
		}
		out = append(out, s.userJSON(u, c.version))
	}
	return reply{http.StatusOK, out}
}

func prefixOfAny(q string, fields []string) bool {
	for _, f := range fields {
		if strings.HasPrefix(f, q) {
			return true
		}
	}
	return false
}

// userJSON renders a user as the flavor's user search does.
func (s *Server) userJSON(u User, version string) map[string]any {
	if version == "3" {
		m := map[string]any{"self": s.URL + "/rest/api/3/user?accountId=" + u.AccountID, "accountId": u.AccountID,
			"accountType": "atlassian", "displayName": u.DisplayName, "active": u.Active}
		if u.App {
			m["accountType"] = "app"
		}
		if !u.HideEmail {
			m["emailAddress"] = u.Email
		}
		return m
	}
	return map[string]any{"self": s.URL + "/rest/api/2/user?username=" + u.Name, "key": "JIRAUSER" + u.Name, "name": u.Name,
		"emailAddress": u.Email, "displayName": u.DisplayName, "active": u.Active}
}

// assignable checks a create's assignee as Jira does: Cloud takes only the
// accountId of an active user (an email address sent as one is refused),
// Server the name of an active user. It returns the field error, or "".
func (s *Server) assignable(version, accountID, name string) string {
	for _, u := range s.users {
		switch {
		case version == "3" && accountID != "" && u.AccountID == accountID && u.Active:
			return ""
		case version == "2" && name != "" && u.Name == name && u.Active:
			return ""
		}
	}
	if version == "3" {
		return "Specified user does not exist or you do not have required permissions"
	}
	return "User '" + name + "' does not exist."
}
