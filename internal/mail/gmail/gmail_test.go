package gmail

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/httpx"
	"github.com/vendorsync/vendorsync/internal/mail"
)

// refreshConfig returns a Config using a refresh token against the fake.
func (f *fakeGmail) refreshConfig() Config {
	ts := RefreshTokenSource(context.Background(), clientID, clientSecret, refreshToken, f.srv.URL+"/token")
	return Config{UserID: mailbox, TokenSource: ts, BaseURL: f.srv.URL}
}

func newSource(t *testing.T, cfg Config) *Source {
	t.Helper()
	src, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return src
}

// fetchIDs calls Fetch and returns the delivered ids and the checkpoint.
func fetchIDs(t *testing.T, src *Source, cp mail.Checkpoint, max int) ([]string, mail.Checkpoint) {
	t.Helper()
	msgs, next, err := src.Fetch(context.Background(), cp, max)
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	var ids []string
	for _, m := range msgs {
		ids = append(ids, m.ID)
		if !strings.HasPrefix(string(m.Raw), "Message-ID: <"+m.ID+"@google.com>") || m.ReceivedAt.IsZero() {
			t.Errorf("message %s: raw %q, received %v", m.ID, m.Raw, m.ReceivedAt)
		}
	}
	return ids, next
}

// drain fetches until nothing new comes, returning every batch.
func drain(t *testing.T, src *Source, cp mail.Checkpoint, max int) ([][]string, mail.Checkpoint) {
	t.Helper()
	var batches [][]string
	for range 20 {
		ids, next := fetchIDs(t, src, cp, max)
		if len(ids) == 0 && string(next) == string(cp) {
			return batches, next
		}
		if len(ids) > 0 {
			batches = append(batches, ids)
		}
		cp = next // an empty poll may still move it, e.g. from listing to history
	}
	t.Fatalf("Fetch never ran dry")
	return nil, nil
}

func TestFullListingThenHistory(t *testing.T) {
	f := newFakeGmail(t)
	f.deliver("m1", "INBOX", "UNREAD")
	f.deliver("m2", "INBOX")
	f.deliver("sent1", "SENT")
	f.deliver("m3", "INBOX", "UNREAD")
	cfg := f.refreshConfig()
	cfg.Query = "newer_than:30d"
	src := newSource(t, cfg)

	ids, cp := fetchIDs(t, src, nil, 2)
	if diff := cmp.Diff([]string{"m2", "m3"}, ids); diff != "" {
		t.Fatalf("first page (-want +got):\n%s", diff)
	}
	f.deliver("m4", "INBOX") // arrives while the listing is under way
	ids, cp = fetchIDs(t, src, cp, 2)
	if diff := cmp.Diff([]string{"m1"}, ids); diff != "" {
		t.Fatalf("second page (-want +got):\n%s", diff)
	}
	if !strings.Contains(f.listCalls[0], "q=newer_than%3A30d") || !strings.Contains(f.listCalls[0], "labelIds=INBOX") {
		t.Errorf("list query = %q", f.listCalls[0])
	}
	batches, _ := drain(t, src, cp, 10)
	if diff := cmp.Diff([][]string{{"m4"}}, batches); diff != "" {
		t.Errorf("history batches (-want +got):\n%s", diff)
	}
}

func TestHistoryBoundedByMax(t *testing.T) {
	f := newFakeGmail(t)
	f.pageCap = 2 // force history paging too
	src := newSource(t, f.refreshConfig())
	_, cp := drain(t, src, nil, 10) // empty mailbox: straight to history mode
	for _, id := range []string{"a", "b", "c", "d", "e"} {
		f.deliver(id, "INBOX")
	}
	f.deliver("spam", "SPAM")
	batches, _ := drain(t, src, cp, 2)
	if diff := cmp.Diff([][]string{{"a", "b"}, {"c", "d"}, {"e"}}, batches); diff != "" {
		t.Errorf("batches (-want +got):\n%s", diff)
	}
}

func TestExpiredHistoryFallsBackToListing(t *testing.T) {
	f := newFakeGmail(t)
	f.deliver("m1", "INBOX")
	src := newSource(t, f.refreshConfig())
	_, cp := drain(t, src, nil, 10)
	f.deliver("m2", "INBOX")
	f.minHistory = f.historyID + 1 // every stored historyId is now too old
	ids, cp := fetchIDs(t, src, cp, 10)
	if diff := cmp.Diff([]string{"m1", "m2"}, ids); diff != "" {
		t.Errorf("relisting (-want +got):\n%s", diff)
	}
	f.minHistory = 0
	if batches, _ := drain(t, src, cp, 10); len(batches) != 0 {
		t.Errorf("after relisting got %v, want nothing", batches)
	}
}

func TestFetchSkipsVanishedAndHonoursRetryAfter(t *testing.T) {
	f := newFakeGmail(t)
	f.deliver("m1", "INBOX")
	f.deliver("m2", "INBOX")
	src := newSource(t, f.refreshConfig())
	_, cp := drain(t, src, nil, 10)
	f.deliver("m3", "INBOX")
	f.deliver("m4", "INBOX")
	f.vanished["m3"] = true
	f.throttle = 1
	ids, _ := fetchIDs(t, src, cp, 10)
	if diff := cmp.Diff([]string{"m4"}, ids); diff != "" || f.throttled != 1 {
		t.Errorf("ids (-want +got):\n%s; 429s sent %d", diff, f.throttled)
	}
}

func TestDone(t *testing.T) {
	f := newFakeGmail(t)
	f.deliver("m1", "INBOX", "UNREAD")
	f.deliver("m2", "INBOX", "UNREAD")
	cfg := f.refreshConfig()
	cfg.MarkRead, cfg.AddLabelIDs, cfg.RemoveLabelIDs = true, []string{"Label_42"}, []string{"INBOX"}
	src := newSource(t, cfg)
	if err := src.Done(context.Background(), []string{"m1", "m2", "deleted"}); err != nil {
		t.Fatalf("Done: %v", err)
	}
	for _, m := range f.msgs {
		if diff := cmp.Diff([]string{"Label_42"}, m.Labels); diff != "" {
			t.Errorf("labels of %s (-want +got):\n%s", m.ID, diff)
		}
	}
	noop := newSource(t, f.refreshConfig())
	if err := noop.Done(context.Background(), []string{"m1"}); err != nil {
		t.Errorf("Done without post-processing: %v", err)
	}
}

// serviceAccountKey makes a key file like the Cloud console's, with a fresh
// RSA key whose public half the fake checks signatures with.
func newServiceAccountKey(t *testing.T, f *fakeGmail) []byte {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatalf("generate key: %v", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatalf("marshal key: %v", err)
	}
	f.saKey = &key.PublicKey
	b, err := json.Marshal(map[string]string{
		"type": "service_account", "project_id": "vendorsync-prod", "private_key_id": "a1b2c3",
		"private_key":  string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})),
		"client_email": saEmail, "client_id": "109876543210", "token_uri": f.srv.URL + "/token",
	})
	if err != nil {
		t.Fatalf("marshal key file: %v", err)
	}
	return b
}

func TestServiceAccount(t *testing.T) {
	f := newFakeGmail(t)
	keyJSON := newServiceAccountKey(t, f)
	ctx := context.Background()
	ts, err := ServiceAccountTokenSource(ctx, keyJSON, mailbox)
	if err != nil {
		t.Fatalf("ServiceAccountTokenSource: %v", err)
	}
	if err := newSource(t, Config{UserID: mailbox, TokenSource: ts, BaseURL: f.srv.URL}).Test(ctx); err != nil {
		t.Errorf("Test: %v", err)
	}

	ts, err = ServiceAccountTokenSource(ctx, keyJSON, "ceo@example-corp.com") // not delegated
	if err != nil {
		t.Fatalf("ServiceAccountTokenSource: %v", err)
	}
	err = newSource(t, Config{UserID: "ceo@example-corp.com", TokenSource: ts, BaseURL: f.srv.URL}).Test(ctx)
	if httpx.KindOf(err) != httpx.Auth {
		t.Errorf("Test for an undelegated user = %v, want auth", err)
	}
	if _, err := ServiceAccountTokenSource(ctx, []byte(`{"type":"authorized_user"}`), mailbox); !apperr.Is(err, apperr.Invalid) {
		t.Errorf("ServiceAccountTokenSource(user key) = %v, want Invalid", err)
	}
}

func TestErrors(t *testing.T) {
	f := newFakeGmail(t)
	ctx := context.Background()
	tests := map[string]struct {
		change func(*Config)
		want   string // the remote-error kind, or the apperr code of a local failure
	}{
		"revoked refresh token": {func(c *Config) {
			c.TokenSource = RefreshTokenSource(ctx, clientID, clientSecret, "revoked", f.srv.URL+"/token")
		}, string(httpx.Auth)},
		"missing label":  {func(c *Config) { c.LabelID = "Label_404" }, string(httpx.NotFound)},
		"other mailbox":  {func(c *Config) { c.UserID = "ceo@example-corp.com" }, string(httpx.Permission)},
		"unreachable":    {func(c *Config) { c.BaseURL = "http://127.0.0.1:1" }, string(httpx.Transient)},
		"no credentials": {func(c *Config) { c.TokenSource = nil }, string(apperr.Invalid)},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			cfg := f.refreshConfig()
			tt.change(&cfg)
			src, err := New(cfg)
			if err == nil {
				err = src.Test(ctx)
			}
			if got := classOf(err); got != tt.want {
				t.Errorf("New+Test = %v (%s), want %s", err, got, tt.want)
			}
		})
	}
	if !slices.Equal(f.listCalls, nil) {
		t.Errorf("Test listed messages: %v", f.listCalls)
	}
}

// classOf names how err is classified: the remote-error kind when the API
// or its token endpoint refused, the apperr code of a local failure.
func classOf(err error) string {
	if k := httpx.KindOf(err); k != "" {
		return string(k)
	}
	return string(apperr.CodeOf(err))
}
