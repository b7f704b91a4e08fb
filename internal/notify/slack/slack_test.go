package slack

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vendorsync/vendorsync/internal/httpx"
	"github.com/vendorsync/vendorsync/internal/notify"
	"github.com/vendorsync/vendorsync/internal/notify/notifytest"
	"github.com/vendorsync/vendorsync/internal/notify/slack/slacktest"
)

var update = flag.Bool("update", false, "rewrite golden files")

func client(t *testing.T, f *slacktest.Server, token string) *Client {
	t.Helper()
	c, err := New(Config{Token: token, APIURL: f.APIURL(), HTTPClient: f.HTTPClient()})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestPostInChannel(t *testing.T) {
	f := slacktest.New(t)
	m := notifytest.Message(t, notify.KindEscalationD7, 7)
	ref, err := client(t, f, slacktest.Token).Channel().Send(context.Background(), notify.Target{Address: "#payments-changes"}, m)
	if err != nil {
		t.Fatal(err)
	}
	if ref != "C0PAYMENTS/"+slacktest.TS {
		t.Errorf("ref = %q", ref)
	}
	calls := f.Calls()
	if len(calls) != 1 || calls[0].Method != "chat.postMessage" {
		t.Fatalf("calls = %+v, want one chat.postMessage", calls)
	}
	form := calls[0].Form
	want := map[string]string{
		"channel": "#payments-changes", "unfurl_links": "false", "unfurl_media": "false",
		"text": "D-7 reminder: VS-2847 Visa — URL endpoint change is due April 20, 2027 (in 7 days) — <" + notifytest.Link + ">",
	}
	for k, v := range want {
		if form[k] != v {
			t.Errorf("%s = %q, want %q", k, form[k], v)
		}
	}
	var blocks any
	if err := json.Unmarshal([]byte(form["blocks"]), &blocks); err != nil {
		t.Fatal(err)
	}
	golden(t, filepath.Join("testdata", "blocks_d7.json"), blocks)

	t.Run("rendering again gives the same bytes", func(t *testing.T) {
		if _, err := client(t, f, slacktest.Token).Post(context.Background(), "C0PAYMENTS", m); err != nil {
			t.Fatal(err)
		}
		calls := f.Calls()
		if a, b := calls[0].Form["blocks"], calls[1].Form["blocks"]; a != b {
			t.Errorf("blocks differ:\n%s\n%s", a, b)
		}
	})
}

func TestDirectMessage(t *testing.T) {
	m := notifytest.Message(t, notify.KindTicketCreated, 0)
	t.Run("by user id", func(t *testing.T) {
		f := slacktest.New(t)
		ref, err := client(t, f, slacktest.Token).DM().Send(context.Background(), notify.Target{Address: "U0OLGA"}, m)
		if err != nil {
			t.Fatal(err)
		}
		if ref != "DU0OLGA/1503435956.000247" {
			t.Errorf("ref = %q", ref)
		}
		if diff := cmp.Diff([]string{"conversations.open users=U0OLGA", "chat.postMessage channel=DU0OLGA"}, summary(f.Calls())); diff != "" {
			t.Errorf("calls (-want +got):\n%s", diff)
		}
	})
	t.Run("by email", func(t *testing.T) {
		f := slacktest.New(t)
		ref, err := client(t, f, slacktest.Token).DirectMessage(context.Background(), "spengler@ghostbusters.example.com", m)
		if err != nil {
			t.Fatal(err)
		}
		if ref != "DW012A3CDE/1503435956.000247" {
			t.Errorf("ref = %q", ref)
		}
		want := []string{"users.lookupByEmail email=spengler@ghostbusters.example.com",
			"conversations.open users=W012A3CDE", "chat.postMessage channel=DW012A3CDE"}
		if diff := cmp.Diff(want, summary(f.Calls())); diff != "" {
			t.Errorf("calls (-want +got):\n%s", diff)
		}
	})
}

// summary writes each call as its method and main argument.
func summary(calls []slacktest.Call) []string {
	var out []string
	for _, c := range calls {
		for _, k := range []string{"email", "users", "channel"} {
			if v, ok := c.Form[k]; ok {
				out = append(out, c.Method+" "+k+"="+v)
				break
			}
		}
	}
	return out
}

func TestErrors(t *testing.T) {
	m := notifytest.Message(t, notify.KindTest, 0)
	tests := []struct {
		name      string
		token     string
		fault     slacktest.Fault
		dm        string // send a DM to this user instead of posting in #payments-changes
		retryable bool
		code      string
		after     time.Duration
		kind      httpx.Kind
	}{
		{name: "invalid_auth is permanent", token: "xoxb-revoked", code: "invalid_auth", kind: httpx.Auth},
		{name: "channel_not_found is permanent", fault: func(w http.ResponseWriter, _ string) bool {
			slacktest.Error(w, "channel_not_found")
			return true
		}, code: "channel_not_found", kind: httpx.NotFound},
		{name: "unknown email is permanent", dm: "nobody@company.com", code: "users_not_found", kind: httpx.NotFound},
		{name: "429 with Retry-After is retryable", fault: slacktest.Status(http.StatusTooManyRequests, map[string]string{"Retry-After": "30"}, ""),
			retryable: true, code: "ratelimited", after: 30 * time.Second, kind: httpx.RateLimited},
		{name: "429 without Retry-After is retryable", fault: slacktest.Status(http.StatusTooManyRequests, nil, ""), retryable: true, code: "429", kind: httpx.RateLimited},
		{name: "ratelimited in the body is retryable", fault: func(w http.ResponseWriter, _ string) bool {
			slacktest.Error(w, "ratelimited")
			return true
		}, retryable: true, code: "ratelimited", kind: httpx.RateLimited},
		{name: "503 is retryable", fault: slacktest.Status(http.StatusServiceUnavailable, nil, "<html>down</html>"), retryable: true, code: "503", kind: httpx.Transient},
		{name: "a 200 that is not JSON is retryable", fault: slacktest.Status(http.StatusOK, nil, "<html>proxy</html>"), retryable: true, code: "unknown", kind: httpx.Transient},
		{name: "400 is permanent", fault: slacktest.Status(http.StatusBadRequest, nil, ""), code: "400", kind: httpx.BadRequest},
		{name: "an archived channel is permanent", fault: func(w http.ResponseWriter, _ string) bool {
			slacktest.Error(w, "is_archived")
			return true
		}, code: "is_archived", kind: httpx.Permanent},
		{name: "a missing scope is a permission refusal", fault: func(w http.ResponseWriter, _ string) bool {
			slacktest.Error(w, "missing_scope")
			return true
		}, code: "missing_scope", kind: httpx.Permission},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := slacktest.New(t)
			f.SetFault(tt.fault)
			token := slacktest.Token
			if tt.token != "" {
				token = tt.token
			}
			c := client(t, f, token)
			var err error
			if tt.dm != "" {
				_, err = c.DirectMessage(context.Background(), tt.dm, m)
			} else {
				_, err = c.Post(context.Background(), "#payments-changes", m)
			}
			checkError(t, err, tt.retryable, tt.code, tt.after)
			if httpx.KindOf(err) != tt.kind {
				t.Errorf("kind %q, want %q (%v)", httpx.KindOf(err), tt.kind, err)
			}
		})
	}

	t.Run("server down is retryable", func(t *testing.T) {
		f := slacktest.New(t)
		c := client(t, f, slacktest.Token)
		f.Close()
		_, err := c.Post(context.Background(), "#payments-changes", m)
		checkError(t, err, true, "network", 0)
	})
	t.Run("a canceled job is retryable", func(t *testing.T) {
		f := slacktest.New(t)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := client(t, f, slacktest.Token).Post(ctx, "#payments-changes", m)
		checkError(t, err, true, "canceled", 0)
	})
	t.Run("no token", func(t *testing.T) {
		if _, err := New(Config{}); err == nil {
			t.Error("New without a token succeeded")
		}
	})
}

func checkError(t *testing.T, err error, retryable bool, code string, after time.Duration) {
	t.Helper()
	var e *httpx.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v is not an *httpx.Error", err)
	}
	if e.Temporary() != retryable || e.Code != code || e.RetryAfter != after {
		t.Errorf("got retryable=%v code=%q after=%v, want %v %q %v (%v)", e.Temporary(), e.Code, e.RetryAfter, retryable, code, after, err)
	}
}

func TestRenderEscapesVendorText(t *testing.T) {
	m := notify.Message{Kind: notify.KindUnknownVendor, Title: "Hi <!channel>",
		Lines:  []string{"Click <https://evil.example|here> & win"},
		Fields: []notify.Field{{Label: "Subject", Value: "<@U0ADMIN> please"}}}
	blocks, fallback := Render(m)
	b, err := json.Marshal(blocks)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{string(b), fallback} {
		if strings.Contains(s, "<!channel>") || strings.Contains(s, "<https://evil") || strings.Contains(s, "<@U0ADMIN>") {
			t.Errorf("unescaped vendor text in %s", s)
		}
	}
	if !strings.Contains(string(b), "Click \\u0026lt;https://evil.example|here\\u0026gt; \\u0026amp; win") {
		t.Errorf("escaped text not found in %s", b)
	}
}

// golden compares v, as indented JSON, with the file at path.
func golden(t *testing.T, path string, v any) {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	b = append(b, '\n')
	if *update {
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run with -update to create it): %v", err)
	}
	if diff := cmp.Diff(string(want), string(b)); diff != "" {
		t.Errorf("%s differs (-want +got):\n%s", path, diff)
	}
}

func TestWarRoomAlertCallsTheRoom(t *testing.T) {
	f := slacktest.New(t)
	m := notifytest.Message(t, notify.KindEscalationD1, 1)
	if _, err := client(t, f, slacktest.Token).Post(context.Background(), "#war-room", m); err != nil {
		t.Fatal(err)
	}
	calls := f.Calls()
	if len(calls) != 1 || calls[0].Form["channel"] != "#war-room" {
		t.Fatalf("calls %+v", calls)
	}
	blocks := calls[0].Form["blocks"]
	if !strings.Contains(blocks, `\u003c!here\u003e`) || !strings.Contains(blocks, ":rotating_light: D-1 reminder") {
		t.Errorf("D-1 post lacks the @here call or the alert marker: %s", blocks)
	}
}
