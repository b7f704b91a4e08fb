package imap

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/oauth2"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/mail"
)

func newSource(t *testing.T, cfg Config) *Source {
	t.Helper()
	src, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return src
}

// fetch calls Fetch and returns the ids, raw messages and decoded checkpoint.
func fetch(t *testing.T, src *Source, cp mail.Checkpoint, max int) ([]mail.Fetched, mail.Checkpoint, Checkpoint) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	msgs, next, err := src.Fetch(ctx, cp, max)
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	var pos Checkpoint
	if err := mail.DecodeCheckpoint(next, &pos); err != nil {
		t.Fatalf("decode checkpoint %s: %v", next, err)
	}
	return msgs, next, pos
}

func ids(msgs []mail.Fetched) []string {
	var out []string
	for _, m := range msgs {
		out = append(out, m.ID)
	}
	return out
}

func TestFetch(t *testing.T) {
	srv := startServer(t, serverOptions{security: SecurityNone})
	raw1 := srv.deliver(t, "INBOX", 1)
	srv.deliver(t, "INBOX", 2)
	srv.deliver(t, "INBOX", 3)
	src := newSource(t, srv.config(SecurityNone))

	msgs, cp, pos := fetch(t, src, nil, 2)
	if diff := cmp.Diff([]string{"1:1", "1:2"}, ids(msgs)); diff != "" {
		t.Fatalf("first batch ids (-want +got):\n%s", diff)
	}
	if string(msgs[0].Raw) != string(raw1) {
		t.Errorf("raw = %q, want %q", msgs[0].Raw, raw1)
	}
	if want := time.Date(2025, 3, 3, 14, 0, 1, 0, time.UTC); !msgs[0].ReceivedAt.Equal(want) {
		t.Errorf("ReceivedAt = %v, want %v", msgs[0].ReceivedAt, want)
	}
	if pos != (Checkpoint{UIDValidity: 1, LastUID: 2}) {
		t.Errorf("checkpoint = %+v", pos)
	}

	msgs, cp, _ = fetch(t, src, cp, 10)
	if diff := cmp.Diff([]string{"1:3"}, ids(msgs)); diff != "" {
		t.Fatalf("second batch ids (-want +got):\n%s", diff)
	}

	t.Run("nothing new after checkpoint", func(t *testing.T) {
		msgs, again, _ := fetch(t, src, cp, 10)
		if len(msgs) != 0 || string(again) != string(cp) {
			t.Errorf("re-fetch = %v, %s; want nothing and %s", ids(msgs), again, cp)
		}
	})
	t.Run("new message after checkpoint", func(t *testing.T) {
		srv.deliver(t, "INBOX", 4)
		msgs, _, pos := fetch(t, src, cp, 10)
		if diff := cmp.Diff([]string{"1:4"}, ids(msgs)); diff != "" || pos.LastUID != 4 {
			t.Errorf("ids (-want +got):\n%s checkpoint %+v", diff, pos)
		}
	})
	t.Run("fetch does not mark seen", func(t *testing.T) {
		if _, unseen := srv.status(t, "INBOX"); unseen != 4 {
			t.Errorf("unseen = %d, want 4", unseen)
		}
	})
}

func TestFetchUIDValidityChange(t *testing.T) {
	srv := startServer(t, serverOptions{security: SecurityNone})
	if err := srv.user.Create("Vendors", nil); err != nil {
		t.Fatalf("create: %v", err)
	}
	srv.deliver(t, "Vendors", 1)
	srv.deliver(t, "Vendors", 2)
	cfg := srv.config(SecurityNone)
	cfg.Folder = "Vendors"
	src := newSource(t, cfg)
	_, cp, before := fetch(t, src, nil, 10)

	// The folder is recreated: new UIDVALIDITY, UIDs restart at 1.
	if err := srv.user.Delete("Vendors"); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if err := srv.user.Create("Vendors", nil); err != nil {
		t.Fatalf("recreate: %v", err)
	}
	raw := srv.deliver(t, "Vendors", 3)
	msgs, _, after := fetch(t, src, cp, 10)
	if after.UIDValidity == before.UIDValidity || after.LastUID != 1 {
		t.Errorf("checkpoint %+v -> %+v, want a new UIDVALIDITY and LastUID 1", before, after)
	}
	if len(msgs) != 1 || string(msgs[0].Raw) != string(raw) {
		t.Errorf("after resync got %v, want the one message of the new folder", ids(msgs))
	}
}

func TestDone(t *testing.T) {
	srv := startServer(t, serverOptions{security: SecurityNone})
	if err := srv.user.Create("Processed", nil); err != nil {
		t.Fatalf("create: %v", err)
	}
	srv.deliver(t, "INBOX", 1)
	srv.deliver(t, "INBOX", 2)
	srv.deliver(t, "INBOX", 3)
	cfg := srv.config(SecurityNone)
	cfg.MarkSeen, cfg.MoveTo = true, "Processed"
	src := newSource(t, cfg)
	ctx := context.Background()

	msgs, cp, _ := fetch(t, src, nil, 2)
	if err := src.Done(ctx, ids(msgs)); err != nil {
		t.Fatalf("Done: %v", err)
	}
	if n, unseen := srv.status(t, "Processed"); n != 2 || unseen != 0 {
		t.Errorf("Processed has %d messages, %d unseen; want 2 and 0", n, unseen)
	}
	if n, unseen := srv.status(t, "INBOX"); n != 1 || unseen != 1 {
		t.Errorf("INBOX has %d messages, %d unseen; want 1 and 1", n, unseen)
	}
	t.Run("idempotent", func(t *testing.T) {
		if err := src.Done(ctx, ids(msgs)); err != nil {
			t.Errorf("second Done: %v", err)
		}
	})
	t.Run("checkpoint still advances after moves", func(t *testing.T) {
		msgs, _, _ := fetch(t, src, cp, 10)
		if diff := cmp.Diff([]string{"1:3"}, ids(msgs)); diff != "" {
			t.Errorf("ids (-want +got):\n%s", diff)
		}
	})
	t.Run("stale UIDVALIDITY", func(t *testing.T) {
		if err := src.Done(ctx, []string{"99:1"}); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("Done(stale) = %v, want Conflict", err)
		}
		if err := src.Done(ctx, []string{"garbage"}); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("Done(garbage) = %v, want Invalid", err)
		}
	})
	t.Run("missing move folder", func(t *testing.T) {
		cfg := cfg
		cfg.MoveTo = "Nope"
		if err := newSource(t, cfg).Done(ctx, []string{"1:3"}); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("Done = %v, want NotFound", err)
		}
		if err := newSource(t, cfg).Test(ctx); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("Test = %v, want NotFound", err)
		}
	})
}

func TestTransportSecurity(t *testing.T) {
	for _, sec := range []Security{SecurityTLS, SecuritySTARTTLS} {
		t.Run(string(sec), func(t *testing.T) {
			srv := startServer(t, serverOptions{security: sec})
			srv.deliver(t, "INBOX", 1)
			msgs, _, _ := fetch(t, newSource(t, srv.config(sec)), nil, 10)
			if len(msgs) != 1 {
				t.Errorf("got %d messages, want 1", len(msgs))
			}
			untrusted := srv.config(sec)
			untrusted.TLSConfig = nil // system roots do not trust the test CA
			err := newSource(t, untrusted).Test(context.Background())
			if !apperr.Is(err, apperr.Unavailable) {
				t.Errorf("Test with an untrusted certificate = %v, want Unavailable", err)
			}
		})
	}
}

func TestErrors(t *testing.T) {
	srv := startServer(t, serverOptions{security: SecurityNone})
	ctx := context.Background()
	if err := newSource(t, srv.config(SecurityNone)).Test(ctx); err != nil {
		t.Fatalf("Test: %v", err)
	}
	tests := map[string]struct {
		change func(*Config)
		want   apperr.Code
	}{
		"wrong password": {func(c *Config) { c.Password = "wrong" }, apperr.Unauthorized},
		"unknown user":   {func(c *Config) { c.Username = "nobody" }, apperr.Unauthorized},
		"missing folder": {func(c *Config) { c.Folder = "Archive/2019" }, apperr.NotFound},
		"no server":      {func(c *Config) { c.Port = closedPort(t) }, apperr.Unavailable},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			cfg := srv.config(SecurityNone)
			tt.change(&cfg)
			src := newSource(t, cfg)
			if err := src.Test(ctx); !apperr.Is(err, tt.want) {
				t.Errorf("Test = %v, want %s", err, tt.want)
			}
			if _, _, err := src.Fetch(ctx, nil, 10); !apperr.Is(err, tt.want) {
				t.Errorf("Fetch = %v, want %s", err, tt.want)
			}
		})
	}
	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(ctx)
		cancel()
		_, _, err := newSource(t, srv.config(SecurityNone)).Fetch(ctx, nil, 10)
		if !errors.Is(err, context.Canceled) || !apperr.Is(err, apperr.Unavailable) {
			t.Errorf("Fetch = %v, want Unavailable wrapping context.Canceled", err)
		}
	})
	t.Run("corrupt checkpoint", func(t *testing.T) {
		_, _, err := newSource(t, srv.config(SecurityNone)).Fetch(ctx, mail.Checkpoint(`{"last_uid":`), 10)
		if !apperr.Is(err, apperr.Invalid) {
			t.Errorf("Fetch = %v, want Invalid", err)
		}
	})
}

func TestXOAUTH2(t *testing.T) {
	srv := startServer(t, serverOptions{security: SecurityNone, oauthToken: "ya29.good-token"})
	srv.deliver(t, "INBOX", 1)
	cfg := srv.config(SecurityNone)
	cfg.Password = ""
	cfg.TokenSource = oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "ya29.good-token"})
	msgs, _, _ := fetch(t, newSource(t, cfg), nil, 10)
	if len(msgs) != 1 {
		t.Errorf("got %d messages, want 1", len(msgs))
	}

	cfg.TokenSource = oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "expired"})
	err := newSource(t, cfg).Test(context.Background())
	if !apperr.Is(err, apperr.Unauthorized) {
		t.Errorf("Test with a bad token = %v, want Unauthorized", err)
	}
}

func TestNewValidates(t *testing.T) {
	_, err := New(Config{Host: "imap.example.com", Security: SecurityNone, Username: "u", Password: "p"})
	if !apperr.Is(err, apperr.Invalid) {
		t.Errorf("New(plain text to a remote host) = %v, want Invalid", err)
	}
	_, err = New(Config{})
	if got := len(apperr.FieldsOf(err)); got != 3 {
		t.Errorf("New(empty) reported %d field errors (%v), want host, username, password", got, err)
	}
}
