package graph

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/httpx"
	"github.com/vendorsync/vendorsync/internal/mail"
)

var t0 = time.Date(2025, 4, 15, 16, 45, 0, 0, time.UTC)

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
		if !strings.Contains(string(m.Raw), "Message-ID: <"+m.ID+"@stripe.com>") {
			t.Errorf("raw of %s = %q", m.ID, m.Raw)
		}
	}
	return ids, next
}

func TestFetchEqualTimestampsAndPaging(t *testing.T) {
	f := newFakeGraph(t)
	f.add("m1", t0)
	f.add("m2", t0.Add(time.Second))
	f.add("m3", t0.Add(time.Second))
	f.add("m4", t0.Add(time.Second))
	f.add("m5", t0.Add(2*time.Second))
	cfg := f.config()
	cfg.PageSize = 2
	src := newSource(t, cfg)

	batches := [][]string{{"m1", "m2"}, {"m3", "m4"}, {"m5"}, nil}
	var cp mail.Checkpoint
	for i, want := range batches {
		var got []string
		got, cp = fetchIDs(t, src, cp, 2)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("batch %d (-want +got):\n%s", i, diff)
		}
	}
	var pos Checkpoint
	if err := mail.DecodeCheckpoint(cp, &pos); err != nil {
		t.Fatalf("decode: %v", err)
	}
	if diff := cmp.Diff(Checkpoint{Since: t0.Add(2 * time.Second), SeenAtSince: []string{"m5"}}, pos); diff != "" {
		t.Errorf("checkpoint (-want +got):\n%s", diff)
	}
	if !strings.Contains(f.lastListQuery, "$filter=receivedDateTime%20ge%202025-04-15T16%3A45%3A02Z") {
		t.Errorf("listing query = %q, want a receivedDateTime ge filter", f.lastListQuery)
	}

	t.Run("new mail at and after the checkpoint time", func(t *testing.T) {
		f.add("m6", t0.Add(2*time.Second))
		f.add("m7", t0.Add(3*time.Second))
		got, _ := fetchIDs(t, src, cp, 10)
		if diff := cmp.Diff([]string{"m6", "m7"}, got); diff != "" {
			t.Errorf("ids (-want +got):\n%s", diff)
		}
	})
	if f.tokens != 1 {
		t.Errorf("token requests = %d, want 1 (cached)", f.tokens)
	}
}

func TestFetchHonoursRetryAfter(t *testing.T) {
	f := newFakeGraph(t)
	f.add("m1", t0)
	f.throttle = 1
	got, _ := fetchIDs(t, newSource(t, f.config()), nil, 10)
	if diff := cmp.Diff([]string{"m1"}, got); diff != "" || f.throttled != 1 {
		t.Errorf("ids (-want +got):\n%s; 429s sent: %d", diff, f.throttled)
	}
}

func TestFetchSkipsVanishedMessage(t *testing.T) {
	f := newFakeGraph(t)
	f.add("m1", t0)
	f.add("m2", t0.Add(time.Second))
	f.vanishOnGet["m2"] = true
	src := newSource(t, f.config())
	got, cp := fetchIDs(t, src, nil, 10)
	if diff := cmp.Diff([]string{"m1"}, got); diff != "" {
		t.Errorf("ids (-want +got):\n%s", diff)
	}
	if got, _ := fetchIDs(t, src, cp, 10); len(got) != 0 {
		t.Errorf("re-fetch = %v, want nothing: the vanished message is covered", got)
	}
}

func TestDone(t *testing.T) {
	f := newFakeGraph(t)
	f.add("m1", t0)
	f.add("m2", t0)
	cfg := f.config()
	cfg.MarkRead, cfg.MoveTo = true, "archive"
	src := newSource(t, cfg)
	ctx := context.Background()
	if err := src.Done(ctx, []string{"m1", "m2", "deleted-meanwhile"}); err != nil {
		t.Fatalf("Done: %v", err)
	}
	for _, m := range f.msgs {
		if !m.IsRead || m.Folder != "archive" {
			t.Errorf("%s: read %v, folder %s; want read in archive", m.ID, m.IsRead, m.Folder)
		}
	}
	if err := src.Done(ctx, []string{"m1"}); err != nil {
		t.Errorf("repeated Done: %v", err)
	}

	cfg.MarkRead, cfg.MoveTo = false, "no-such-folder"
	if err := newSource(t, cfg).Done(ctx, []string{"m1"}); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("Done to a missing folder = %v, want NotFound", err)
	}
}

func TestErrors(t *testing.T) {
	f := newFakeGraph(t)
	if err := newSource(t, f.config()).Test(context.Background()); err != nil {
		t.Fatalf("Test: %v", err)
	}
	tests := map[string]struct {
		change func(*Config)
		want   httpx.Kind
	}{
		"wrong secret":     {func(c *Config) { c.ClientSecret = "wrong" }, httpx.Auth},
		"other mailbox":    {func(c *Config) { c.Mailbox = "ceo@example-corp.com" }, httpx.Permission},
		"missing folder":   {func(c *Config) { c.Folder = "Vendors" }, httpx.NotFound},
		"missing move-to":  {func(c *Config) { c.MoveTo = "Processed" }, httpx.NotFound},
		"unreachable host": {func(c *Config) { c.BaseURL = "http://127.0.0.1:1/v1.0" }, httpx.Transient},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			cfg := f.config()
			tt.change(&cfg)
			if err := newSource(t, cfg).Test(context.Background()); httpx.KindOf(err) != tt.want {
				t.Errorf("Test = %v, want %s", err, tt.want)
			}
		})
	}
	t.Run("next link to another host", func(t *testing.T) {
		f.add("m1", t0)
		f.add("m2", t0)
		f.foreignNext = true
		cfg := f.config()
		cfg.PageSize = 1
		_, _, err := newSource(t, cfg).Fetch(context.Background(), nil, 10)
		if !apperr.Is(err, apperr.Unavailable) {
			t.Errorf("Fetch = %v, want Unavailable", err)
		}
	})
	t.Run("invalid config", func(t *testing.T) {
		_, err := New(Config{BaseURL: "not a url"})
		if got := len(apperr.FieldsOf(err)); got != 5 {
			t.Errorf("New reported %d field errors (%v), want 5", got, err)
		}
	})
}
