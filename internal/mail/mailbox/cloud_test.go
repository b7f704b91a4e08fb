package mailbox_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/vendorsync/vendorsync/internal/mail/mailbox"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

func TestPollGraph(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		g := newFakeGraph(t)
		t0 := time.Date(2025, 4, 15, 16, 45, 0, 0, time.UTC)
		g.add("m1", t0)
		g.add("m2", t0.Add(time.Second))
		g.add("m3", t0.Add(time.Second))
		m, err := f.svc.Create(ctx, f.p, mailbox.Mailbox{Name: "M365", Kind: mailbox.KindGraph, IsActive: true,
			Graph: &mailbox.GraphSettings{TenantID: graphTenant, ClientID: graphClient, Mailbox: graphBox, MarkRead: true,
				BaseURL: g.srv.URL + "/v1.0", TokenURL: g.srv.URL + "/" + graphTenant + "/oauth2/v2.0/token"}},
			mailbox.Credentials{ClientSecret: graphSecret})
		if err != nil {
			t.Fatal(err)
		}
		if res, err := f.svc.Test(ctx, f.p, m.ID); err != nil || !res.OK {
			t.Fatalf("Test = %+v, %v", res, err)
		}
		poll(t, f, m.ID)
		poll(t, f, m.ID)
		if stored, dup := f.recv.counts(); stored != 3 || dup != 0 {
			t.Errorf("stored %d, duplicates %d; want 3, 0", stored, dup)
		}
		g.add("m4", t0.Add(time.Second))
		g.add("m5", t0.Add(time.Hour))
		poll(t, f, m.ID)
		if stored, dup := f.recv.counts(); stored != 5 || dup != 0 {
			t.Errorf("after new mail: stored %d, duplicates %d; want 5, 0", stored, dup)
		}
		for _, msg := range g.msgs {
			if !msg.Read {
				t.Errorf("message %s was not marked read", msg.ID)
			}
		}
		if st := f.get(t, m.ID).Status; st.FetchedTotal != 5 || st.State() != "ok" {
			t.Errorf("status = %+v", st)
		}

		t.Run("a rejected secret fails the test and the poll", func(t *testing.T) {
			if _, err := f.svc.Update(ctx, f.p, m.ID, func(*mailbox.Mailbox) {}, mailbox.Credentials{ClientSecret: "wrong-secret"}, false); err != nil {
				t.Fatal(err)
			}
			res, err := f.svc.Test(ctx, f.p, m.ID)
			if err != nil || res.OK || res.Code != "unauthorized" {
				t.Errorf("Test = %+v, %v; want unauthorized", res, err)
			}
			if err := f.svc.Poll(ctx, f.p.TenantID, m.ID); err == nil {
				t.Error("poll with a rejected secret succeeded")
			}
			if st := f.get(t, m.ID).Status; st.State() != "failing" || strings.Contains(st.LastError, "wrong-secret") {
				t.Errorf("status = %+v", st)
			}
		})
	})
}

func TestPollGmail(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		g := newFakeGmail(t)
		g.deliver("g1")
		g.deliver("g2")
		m, err := f.svc.Create(ctx, f.p, mailbox.Mailbox{Name: "Gmail", Kind: mailbox.KindGmail, IsActive: true,
			Gmail: &mailbox.GmailSettings{Auth: mailbox.AuthRefreshToken, ClientID: gmailClient, MarkRead: true,
				TokenURL: g.srv.URL + "/token", BaseURL: g.srv.URL}},
			mailbox.Credentials{ClientSecret: gmailSecret, RefreshToken: gmailRefresh})
		if err != nil {
			t.Fatal(err)
		}
		if res, err := f.svc.Test(ctx, f.p, m.ID); err != nil || !res.OK {
			t.Fatalf("Test = %+v, %v", res, err)
		}
		poll(t, f, m.ID) // the full listing
		g.deliver("g3")
		poll(t, f, m.ID) // history since the listing
		poll(t, f, m.ID)
		if stored, dup := f.recv.counts(); stored != 3 || dup != 0 {
			t.Errorf("stored %d, duplicates %d; want 3, 0", stored, dup)
		}
		for _, msg := range g.msgs {
			if !msg.Read {
				t.Errorf("message %s is still unread", msg.ID)
			}
		}
		t.Run("expired history lists again; repeats are duplicates", func(t *testing.T) {
			g.mu.Lock()
			g.minHistory = 1 << 30
			g.mu.Unlock()
			g.deliver("g4")
			poll(t, f, m.ID)
			if stored, dup := f.recv.counts(); stored != 4 || dup != 3 {
				t.Errorf("stored %d, duplicates %d; want 4, 3", stored, dup)
			}
		})
		t.Run("a revoked refresh token fails the test", func(t *testing.T) {
			if _, err := f.svc.Update(ctx, f.p, m.ID, func(*mailbox.Mailbox) {}, mailbox.Credentials{RefreshToken: "revoked"}, false); err != nil {
				t.Fatal(err)
			}
			res, err := f.svc.Test(ctx, f.p, m.ID)
			if err != nil || res.OK || res.Code != "unauthorized" {
				t.Errorf("Test = %+v, %v; want unauthorized", res, err)
			}
			if strings.Contains(f.logs.String(), gmailSecret) || strings.Contains(f.logs.String(), gmailRefresh) {
				t.Error("a Gmail credential was logged")
			}
		})
	})
}
