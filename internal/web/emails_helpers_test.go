package web_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/blob"
	"github.com/vendorsync/vendorsync/internal/inbox"
	"github.com/vendorsync/vendorsync/internal/registry"
	"github.com/vendorsync/vendorsync/internal/web"
)

// withInbox adds the email pipeline to the server's dependencies, with a
// blob store in a temporary directory and the offline triage.
func withInbox(e *env, d web.Deps) web.Deps {
	blobs, err := blob.Open(context.Background(), "", e.t.TempDir())
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { blobs.Close() })
	d.Inbox = &inbox.Service{Store: e.db, Blobs: blobs, Tickets: d.Tickets, Registry: d.Registry, Settings: d.Settings,
		Consequences: causes.Emails}
	return d
}

// uploadEmail posts a raw message with a content type and an API key.
func (e *env) uploadEmail(key, contentType string, raw []byte) response {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.http.URL+"/api/v1/emails", bytes.NewReader(raw))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Authorization", "Bearer "+key)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return response{Status: res.StatusCode, Header: res.Header, Body: body}
}

// emailWallFixture stores an email in the key's tenant (through the upload
// API) and returns its id.
func emailWallFixture(e *env, key string) string {
	e.t.Helper()
	res := e.uploadEmail(key, "message/rfc822", []byte("From: notices@wall.example\r\nSubject: Walled email\r\n"+
		"Message-ID: <wall@wall.example>\r\n\r\nBehind the wall.\r\n"))
	if res.Status != http.StatusAccepted {
		e.t.Fatalf("fixture upload: %d %s", res.Status, res.Body)
	}
	var out struct {
		ID string `json:"id"`
	}
	res.JSON(e.t, &out)
	return out.ID
}

// loadDemoRegistry fills the env's tenant with the demo registry.
func (e *env) loadDemoRegistry(t *testing.T) {
	t.Helper()
	if _, err := registry.LoadDemo(context.Background(), e.server.Registry, e.auth, auth.System(e.tenant.ID)); err != nil {
		t.Fatal(err)
	}
}

// process runs the process job of every received email of the env's
// tenant, as a worker would.
func (e *env) process(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	es, _, err := e.server.Inbox.List(ctx, auth.System(e.tenant.ID), inbox.Filter{Statuses: []inbox.Status{inbox.Received}})
	if err != nil {
		t.Fatal(err)
	}
	for i := len(es) - 1; i >= 0; i-- { // oldest first, as they arrived
		if _, err := e.server.Inbox.Process(ctx, e.tenant.ID, es[i].ID, 1, 1); err != nil {
			t.Fatal(err)
		}
	}
}

// demoEmail renders one of the inbox package's demo emails for today.
func demoEmail(t *testing.T, name string) []byte {
	t.Helper()
	raw, err := inbox.DemoEmail(time.Now(), name)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}
