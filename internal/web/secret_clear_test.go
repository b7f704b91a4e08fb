package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/vendorsync/vendorsync/internal/erp"
	"github.com/vendorsync/vendorsync/internal/erp/p21/p21test"
	"github.com/vendorsync/vendorsync/internal/mail/mailbox"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
	"github.com/vendorsync/vendorsync/internal/tracker/gitea/giteatest"
	"github.com/vendorsync/vendorsync/internal/tracker/github/githubtest"
	"github.com/vendorsync/vendorsync/internal/tracker/link"
)

// storedSecrets lists the names in the tenant's secret store.
func storedSecrets(t *testing.T, e *env) []string {
	t.Helper()
	var out struct {
		Items []struct {
			Name string `json:"name"`
		} `json:"items"`
	}
	res := e.do(http.MethodGet, "/api/v1/secrets", e.key, nil)
	wantStatus(t, res, http.StatusOK)
	res.JSON(t, &out)
	var names []string
	for _, s := range out.Items {
		names = append(names, s.Name)
	}
	return names
}

// wantSecretGone fails unless no stored secret's name contains part.
func wantSecretGone(t *testing.T, e *env, part string) {
	t.Helper()
	for _, n := range storedSecrets(t, e) {
		if strings.Contains(n, part) {
			t.Errorf("secret %s is still stored", n)
		}
	}
}

// wantSecretKept fails unless a stored secret's name contains part.
func wantSecretKept(t *testing.T, e *env, part string) {
	t.Helper()
	if !slices.ContainsFunc(storedSecrets(t, e), func(n string) bool { return strings.Contains(n, part) }) {
		t.Errorf("no stored secret named like %s", part)
	}
}

// wantAudited fails unless the newest audit row of action carries mark
// (a flag or an after field).
func wantAudited(t *testing.T, e *env, action, mark string) {
	t.Helper()
	var out struct {
		Items []struct {
			Action string          `json:"action"`
			After  json.RawMessage `json:"after"`
			Flags  []string        `json:"flags"`
		} `json:"items"`
	}
	e.do(http.MethodGet, "/api/v1/audit?limit=20", e.key, nil).JSON(t, &out)
	for _, it := range out.Items {
		if it.Action != action {
			continue
		}
		if !slices.Contains(it.Flags, mark) && !strings.Contains(string(it.After), `"`+mark+`"`) {
			t.Errorf("newest %s audit row does not record %s: flags %v, after %s", action, mark, it.Flags, it.After)
		}
		return
	}
	t.Errorf("no %s audit row", action)
}

// TestTrackerTokenCleared: a connection's token is removed through the
// API only while the connection is switched off; the secret row is
// deleted, the removal audited, and switching it on again needs a token.
func TestTrackerTokenCleared(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, d)
			gh := githubtest.New(t)
			id := created(e, e.key, "/api/v1/tracker/connections", map[string]any{"kind": "github", "base_url": gh.URL,
				"token": githubtest.Token})
			path := "/api/v1/tracker/connections/" + id
			tokenName := link.ConnectionTokenSecret(id)
			// On, the token cannot go: refused, kept.
			wantProblem(t, e.do(http.MethodPut, path, e.key, map[string]any{"kind": "github", "base_url": gh.URL,
				"clear_token": true}), http.StatusUnprocessableEntity)
			wantSecretKept(t, e, tokenName)
			// Switched off in the same save, it goes.
			res := e.do(http.MethodPut, path, e.key, map[string]any{"kind": "github", "base_url": gh.URL,
				"enabled": false, "clear_token": true})
			wantStatus(t, res, http.StatusOK)
			var c link.Connection
			res.JSON(t, &c)
			if c.TokenSet || c.Enabled {
				t.Errorf("after removing the token: %+v", c)
			}
			wantSecretGone(t, e, tokenName)
			wantAudited(t, e, "tracker.connection.update", "token_removed")
			// Saved again switched off, it waits without a token; on, it
			// needs one.
			wantStatus(t, e.do(http.MethodPut, path, e.key, map[string]any{"kind": "github", "base_url": gh.URL,
				"enabled": false}), http.StatusOK)
			wantProblem(t, e.do(http.MethodPut, path, e.key, map[string]any{"kind": "github", "base_url": gh.URL}),
				http.StatusUnprocessableEntity)
			wantStatus(t, e.do(http.MethodPut, path, e.key, map[string]any{"kind": "github", "base_url": gh.URL,
				"token": githubtest.Token}), http.StatusOK)
			wantSecretKept(t, e, tokenName)
			// The single-connection Jira settings take clear_token too.
			wantStatus(t, e.do(http.MethodPut, "/api/v1/jira", e.key, map[string]any{"flavor": "server",
				"base_url": "https://jira.example.com", "token": "pat-1"}), http.StatusOK)
			wantProblem(t, e.do(http.MethodPut, "/api/v1/jira", e.key, map[string]any{"flavor": "server",
				"base_url": "https://jira.example.com", "clear_token": true}), http.StatusUnprocessableEntity)
			res = e.do(http.MethodPut, "/api/v1/jira", e.key, map[string]any{"flavor": "server",
				"base_url": "https://jira.example.com", "enabled": false, "clear_token": true})
			wantStatus(t, res, http.StatusOK)
			if strings.Contains(string(res.Body), `"token_set":true`) {
				t.Errorf("jira settings after removing the token: %s", res.Body)
			}
		})
	}
}

// TestTrackerTokenClearedInForm: the settings page offers "Remove the
// stored token"; ticked on a connection that stays on, it is refused with
// the reason; ticked with the connection switched off, the token is gone.
func TestTrackerTokenClearedInForm(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, d)
			gt := giteatest.New(t)
			admin := e.signInAs(e.admin.Email, e.password)
			form := url.Values{"kind": {"gitea"}, "base_url": {gt.URL}, "token": {giteatest.Token}, "enabled": {"on"}}
			wantStatus(t, admin.post(t, "/settings/jira", form), http.StatusSeeOther)
			var c link.Connection
			e.do(http.MethodGet, "/api/v1/tracker/connection", e.key, nil).JSON(t, &c)
			page := admin.get(t, "/settings/jira?connection="+c.ID)
			if !strings.Contains(string(page.Body), `name="clear_token"`) {
				t.Fatalf("no way to remove the stored token on the page")
			}
			form = url.Values{"id": {c.ID}, "kind": {"gitea"}, "base_url": {gt.URL}, "enabled": {"on"}, "clear_token": {"on"}}
			res := admin.post(t, "/settings/jira", form)
			wantStatus(t, res, http.StatusUnprocessableEntity)
			if !strings.Contains(string(res.Body), "switched off") {
				t.Errorf("the refusal does not say why: %s", res.Body)
			}
			wantSecretKept(t, e, link.ConnectionTokenSecret(c.ID))
			form.Del("enabled")
			wantStatus(t, admin.post(t, "/settings/jira", form), http.StatusSeeOther)
			wantSecretGone(t, e, link.ConnectionTokenSecret(c.ID))
			wantAudited(t, e, "tracker.connection.update", "token_removed")
		})
	}
}

// TestERPSecretCleared: an ERP connector's secret is removed only while
// the connector is inactive; the secret row is deleted, the removal
// audited, and reactivating needs the secret again. An inactive connector
// that moves to another host loses its secret rather than carry it there.
func TestERPSecretCleared(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, d)
			fake := p21test.New(t)
			id := created(e, e.key, "/api/v1/erp-connectors", map[string]any{"name": "P21", "provider": "p21",
				"base_url": fake.URL, "username": p21test.Username, "secret": p21test.Password})
			path, name := "/api/v1/erp-connectors/"+id, erp.SecretName(id)
			res := e.do(http.MethodPatch, path, e.key, map[string]any{"clear_secret": true})
			wantProblem(t, res, http.StatusUnprocessableEntity)
			if !strings.Contains(string(res.Body), "deactivate") {
				t.Errorf("the refusal does not say what to do: %s", res.Body)
			}
			wantSecretKept(t, e, name)
			res = e.do(http.MethodPatch, path, e.key, map[string]any{"is_active": false, "clear_secret": true})
			wantStatus(t, res, http.StatusOK)
			var c erp.Connector
			res.JSON(t, &c)
			if c.SecretSet || c.IsActive {
				t.Errorf("after removing the secret: %+v", c)
			}
			wantSecretGone(t, e, name)
			wantAudited(t, e, "erp_connector.deactivate", "secret_removed")
			wantProblem(t, e.do(http.MethodPatch, path, e.key, map[string]any{"is_active": true}), http.StatusUnprocessableEntity)
			wantStatus(t, e.do(http.MethodPatch, path, e.key, map[string]any{"is_active": true, "secret": p21test.Password}), http.StatusOK)
			wantSecretKept(t, e, name)
			// Inactive and moved elsewhere: the stored secret does not follow.
			wantStatus(t, e.do(http.MethodPatch, path, e.key, map[string]any{"is_active": false}), http.StatusOK)
			wantStatus(t, e.do(http.MethodPatch, path, e.key, map[string]any{"base_url": "https://elsewhere.example"}), http.StatusOK)
			wantSecretGone(t, e, name)
		})
	}
}

// TestERPSecretClearedInForm: the connector page offers "Remove the stored
// password or key" and removes it from an inactive connector.
func TestERPSecretClearedInForm(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, d)
			fake := p21test.New(t)
			admin := e.signInAs(e.admin.Email, e.password)
			form := url.Values{"name": {"P21"}, "provider": {"p21"}, "auth_mode": {"password"}, "base_url": {fake.URL},
				"username": {p21test.Username}, "secret": {p21test.Password}}
			res := admin.post(t, "/procurement/connectors", form)
			wantStatus(t, res, http.StatusSeeOther)
			page := res.Header.Get("Location")
			if !strings.Contains(string(admin.get(t, page).Body), `name="clear_secret"`) {
				t.Fatalf("no way to remove the stored secret on the page")
			}
			id := page[strings.LastIndex(page, "/")+1:]
			form.Del("secret")
			form.Set("clear_secret", "on")
			form.Set("active", "1")
			res = admin.post(t, page, form)
			if res.Status != http.StatusUnprocessableEntity || !strings.Contains(string(res.Body), "deactivate") {
				t.Errorf("removing from an active connector: %d %.300s", res.Status, res.Body)
			}
			wantSecretKept(t, e, erp.SecretName(id))
			form.Set("active", "0")
			wantStatus(t, admin.post(t, page, form), http.StatusSeeOther)
			wantSecretGone(t, e, erp.SecretName(id))
			wantAudited(t, e, "erp_connector.deactivate", "secret_removed")
		})
	}
}

// TestMailboxCredentialsCleared: a mailbox's stored credentials are removed
// only with the mailbox deactivated; the secret row is deleted, the removal
// audited, reactivating needs credentials again, and clearing while
// sending new ones keeps only those.
func TestMailboxCredentialsCleared(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, d)
			id := created(e, e.key, "/api/v1/mail-sources", imapBody("Notices", unusedPort(t)))
			path, name := "/api/v1/mail-sources/"+id, mailbox.CredentialName(id)
			res := e.do(http.MethodPatch, path, e.key, map[string]any{"clear_credentials": true})
			wantProblem(t, res, http.StatusUnprocessableEntity)
			if !strings.Contains(string(res.Body), "deactivate") {
				t.Errorf("the refusal does not say what to do: %s", res.Body)
			}
			wantSecretKept(t, e, name)
			// Clearing while sending a new password replaces them.
			wantStatus(t, e.do(http.MethodPatch, path, e.key, map[string]any{"clear_credentials": true,
				"credentials": map[string]any{"password": "another-pa55word"}}), http.StatusOK)
			wantSecretKept(t, e, name)
			res = e.do(http.MethodPatch, path, e.key, map[string]any{"is_active": false, "clear_credentials": true})
			wantStatus(t, res, http.StatusOK)
			var m mailbox.Mailbox
			res.JSON(t, &m)
			if m.CredentialsSet || m.IsActive {
				t.Errorf("after removing the credentials: %+v", m)
			}
			wantSecretGone(t, e, name)
			wantAudited(t, e, "mailbox.deactivate", "credentials_removed")
			// Saved again while inactive, it waits; reactivated, it needs them.
			wantStatus(t, e.do(http.MethodPatch, path, e.key, map[string]any{"name": "Old notices"}), http.StatusOK)
			wantProblem(t, e.do(http.MethodPatch, path, e.key, map[string]any{"is_active": true}), http.StatusUnprocessableEntity)
			wantStatus(t, e.do(http.MethodPatch, path, e.key, map[string]any{"is_active": true,
				"credentials": map[string]any{"password": mailboxPassword}}), http.StatusOK)
			wantSecretKept(t, e, name)
		})
	}
}

// TestMailboxCredentialsClearedInForm: the mailbox page offers "Remove the
// stored credentials"; refused on an active mailbox, done on a deactivated
// one.
func TestMailboxCredentialsClearedInForm(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, d)
			admin := e.signInAs(e.admin.Email, e.password)
			port := unusedPort(t)
			id := created(e, e.key, "/api/v1/mail-sources", imapBody("Notices", port))
			page := "/settings/mailboxes/" + id
			if !strings.Contains(string(admin.get(t, page).Body), `name="clear_credentials"`) {
				t.Fatalf("no way to remove the stored credentials on the page")
			}
			form := url.Values{"name": {"Notices"}, "kind": {"imap"}, "imap_host": {"127.0.0.1"}, "imap_port": {strconv.Itoa(port)},
				"imap_security": {"none"}, "imap_username": {"notices@acme.test"}, "imap_auth": {"password"},
				"clear_credentials": {"on"}}
			res := admin.post(t, page, form)
			if res.Status != http.StatusUnprocessableEntity || !strings.Contains(string(res.Body), "deactivate") {
				t.Errorf("removing from an active mailbox: %d %.300s", res.Status, res.Body)
			}
			wantSecretKept(t, e, mailbox.CredentialName(id))
			wantStatus(t, admin.post(t, page+"/active", url.Values{"active": {"0"}}), http.StatusSeeOther)
			wantStatus(t, admin.post(t, page, form), http.StatusSeeOther)
			wantSecretGone(t, e, mailbox.CredentialName(id))
			wantAudited(t, e, "mailbox.update", "credentials_removed")
			// Reactivating without credentials is refused on the page.
			res = admin.post(t, page+"/active", url.Values{"active": {"1"}})
			if res.Status != http.StatusUnprocessableEntity || !strings.Contains(string(res.Body), "is required") {
				t.Errorf("reactivating without credentials: %d %.300s", res.Status, res.Body)
			}
		})
	}
}

// TestNotificationSecretClearedInForm: the notification settings page's
// "Remove the stored routing key" box is refused while PagerDuty stays on
// and, with it off, deletes the key from the secret store, audited.
func TestNotificationSecretClearedInForm(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, d)
			admin := e.signInAs(e.admin.Email, e.password)
			form := url.Values{"pagerduty_enabled": {"on"}, "pagerduty_routing_key": {"rk-1"}}
			wantStatus(t, admin.post(t, "/settings/notifications", form), http.StatusSeeOther)
			wantSecretKept(t, e, "notify.pagerduty_routing_key")
			form = url.Values{"pagerduty_enabled": {"on"}, "clear": {"pagerduty_routing_key"}}
			wantStatus(t, admin.post(t, "/settings/notifications", form), http.StatusUnprocessableEntity)
			wantSecretKept(t, e, "notify.pagerduty_routing_key")
			form.Del("pagerduty_enabled")
			wantStatus(t, admin.post(t, "/settings/notifications", form), http.StatusSeeOther)
			wantSecretGone(t, e, "notify.pagerduty_routing_key")
			wantAudited(t, e, "notification.settings.update", "notify.pagerduty_routing_key_changed")
		})
	}
}
