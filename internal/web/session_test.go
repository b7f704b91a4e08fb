package web_test

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2"

	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
	"github.com/vendorsync/vendorsync/internal/web"
)

// sessionExpiry reads a session's expiry straight from the sessions table.
func (e *env) sessionExpiry(token string) (time.Time, bool) {
	e.t.Helper()
	q := `SELECT expiry FROM sessions WHERE token = ?`
	if e.db.Dialect == sqlstore.Postgres {
		q = `SELECT expiry FROM sessions WHERE token = $1`
	}
	var exp time.Time
	err := e.db.WritePool().QueryRowContext(context.Background(), q, token).Scan(&exp)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, false
	}
	if err != nil {
		e.t.Fatal(err)
	}
	return exp.UTC(), true
}

// setSessionExpiry rewrites a session's expiry, as if time had passed.
func (e *env) setSessionExpiry(token string, at time.Time) {
	e.t.Helper()
	q := `UPDATE sessions SET expiry = ? WHERE token = ?`
	if e.db.Dialect == sqlstore.Postgres {
		q = `UPDATE sessions SET expiry = $1 WHERE token = $2`
	}
	if _, err := e.db.WritePool().ExecContext(context.Background(), q, at.UTC(), token); err != nil {
		e.t.Fatal(err)
	}
}

// shiftStoreClock makes the session store believe d has passed.
func (e *env) shiftStoreClock(d time.Duration) {
	e.db.Now = func() time.Time { return time.Now().UTC().Add(d).Truncate(time.Microsecond) }
}

func TestSessions(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			t.Run("login rotates the token and logout ends the session", func(t *testing.T) {
				e := newEnv(t, d)
				s := e.serve(nil)
				b := newBrowser(t, s.url)
				b.csrf()
				before := b.cookie()
				if before == "" {
					t.Fatal("no session cookie before login")
				}
				b.login(e.admin.Email, e.password)
				after := b.cookie()
				if after == "" || after == before {
					t.Fatalf("token not rotated at login: before %q after %q", before, after)
				}
				if _, found := e.sessionExpiry(before); found {
					t.Error("the pre-login session still exists")
				}
				wantStatus(t, b.me(), http.StatusOK)

				r := b.post("/logout", nil)
				wantStatus(t, r, http.StatusSeeOther)
				if _, found := e.sessionExpiry(after); found {
					t.Error("logout left the session in the store")
				}
				old := newBrowser(t, s.url)
				old.setCookie(after)
				wantProblem(t, old.me(), http.StatusUnauthorized)
			})

			t.Run("idle timeout ends a quiet session, activity extends it", func(t *testing.T) {
				e := newEnv(t, d)
				const idle = time.Hour
				s := e.serve(func(sm *scs.SessionManager, _ *web.Deps) { sm.IdleTimeout, sm.Lifetime = idle, 12*time.Hour })
				b := newBrowser(t, s.url)
				b.login(e.admin.Email, e.password)
				token := b.cookie()
				exp, _ := e.sessionExpiry(token)
				if now := time.Now(); exp.Before(now.Add(idle-time.Minute)) || exp.After(now.Add(idle+time.Minute)) {
					t.Fatalf("expiry after login = %v, want about now + %v", exp, idle)
				}
				// The user was quiet for 55 minutes: 5 left. A request renews it.
				e.setSessionExpiry(token, time.Now().Add(5*time.Minute))
				wantStatus(t, b.me(), http.StatusOK)
				if exp, _ := e.sessionExpiry(token); exp.Before(time.Now().Add(idle - time.Minute)) {
					t.Fatalf("activity did not renew the idle deadline: %v", exp)
				}
				// A full idle period without requests ends it.
				e.shiftStoreClock(idle + time.Minute)
				wantProblem(t, b.me(), http.StatusUnauthorized)
			})

			t.Run("absolute lifetime caps an active session", func(t *testing.T) {
				e := newEnv(t, d)
				s := e.serve(func(sm *scs.SessionManager, _ *web.Deps) { sm.IdleTimeout, sm.Lifetime = 2*time.Hour, time.Hour })
				b := newBrowser(t, s.url)
				loginAt := time.Now()
				b.login(e.admin.Email, e.password)
				for _, shift := range []time.Duration{10 * time.Minute, 40 * time.Minute} {
					e.shiftStoreClock(shift)
					wantStatus(t, b.me(), http.StatusOK)
				}
				exp, _ := e.sessionExpiry(b.cookie())
				if exp.After(loginAt.Add(time.Hour + time.Minute)) {
					t.Fatalf("activity pushed the expiry %v past the lifetime", exp)
				}
				e.shiftStoreClock(time.Hour + time.Minute)
				wantProblem(t, b.me(), http.StatusUnauthorized)
			})

			t.Run("disabling a user ends their access at the next request", func(t *testing.T) {
				e := newEnv(t, d)
				s := e.serve(nil)
				u, _, err := e.auth.CreateUser(context.Background(), auth.System(e.tenant.ID), auth.NewUser{
					Email: "ops@acme.test", Role: auth.RoleChangeManager, Password: "correct horse battery"})
				if err != nil {
					t.Fatal(err)
				}
				b := newBrowser(t, s.url)
				b.login(u.Email, "correct horse battery")
				token := b.cookie()
				wantStatus(t, b.me(), http.StatusOK)
				wantStatus(t, e.do("DELETE", "/api/v1/users/"+u.ID, e.key, nil), http.StatusNoContent)
				wantProblem(t, b.me(), http.StatusUnauthorized)
				if _, found := e.sessionExpiry(token); found {
					t.Error("the disabled user's session is still stored")
				}
				if r := b.get("/"); r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/login?next=%2F" {
					t.Errorf("UI after disable: %d to %q", r.Status, r.Header.Get("Location"))
				}
				// Reactivated, they must sign in again; the old cookie stays dead.
				wantStatus(t, e.do("PATCH", "/api/v1/users/"+u.ID, e.key, map[string]any{"is_active": true}), http.StatusOK)
				old := newBrowser(t, s.url)
				old.setCookie(token)
				wantProblem(t, old.me(), http.StatusUnauthorized)
			})
		})
	}
}
