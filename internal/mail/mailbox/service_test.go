package mailbox_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/mail/mailbox"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

// fieldsOf lists the fields err complains about, sorted.
func fieldsOf(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	if !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("err = %v, want a validation error", err)
	}
	var out []string
	for _, f := range apperr.FieldsOf(err) {
		out = append(out, f.Field)
	}
	slices.Sort(out)
	return out
}

const saKey = `{"type":"service_account","client_email":"vs@proj.iam.gserviceaccount.com","private_key":"-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n"}`

func TestCreateValidatesEveryFieldAtOnce(t *testing.T) {
	f := newFixture(t, storetest.Open(t, sqlstore.SQLite))
	tests := map[string]struct {
		m    mailbox.Mailbox
		c    mailbox.Credentials
		want []string
	}{
		"empty imap": {mailbox.Mailbox{Kind: mailbox.KindIMAP}, mailbox.Credentials{},
			[]string{"credentials.password", "imap.host", "imap.username", "name"}},
		"unknown kind": {mailbox.Mailbox{Name: "x", Kind: "pop3"}, mailbox.Credentials{}, []string{"kind"}},
		"imap clear text to a remote host, bad port and auth": {mailbox.Mailbox{Name: "x", Kind: mailbox.KindIMAP,
			IMAP: &mailbox.IMAPSettings{Host: "imap.example.com", Port: 70000, Security: "none", Username: "u", Auth: "kerberos"}},
			mailbox.Credentials{Password: "p"}, []string{"imap.auth", "imap.port", "imap.security"}},
		"imap xoauth2 needs its token endpoint, client and refresh token": {mailbox.Mailbox{Name: "x", Kind: mailbox.KindIMAP,
			IMAP: &mailbox.IMAPSettings{Host: "outlook.office365.com", Username: "u", Auth: "xoauth2", TokenURL: "http://evil.example/token"}},
			mailbox.Credentials{}, []string{"credentials.refresh_token", "imap.client_id", "imap.token_url"}},
		"imap move to the polled folder": {mailbox.Mailbox{Name: "x", Kind: mailbox.KindIMAP,
			IMAP: &mailbox.IMAPSettings{Host: "imap.example.com", Username: "u", MoveTo: "INBOX"}},
			mailbox.Credentials{Password: "p"}, []string{"imap.move_to"}},
		"empty graph": {mailbox.Mailbox{Name: "x", Kind: mailbox.KindGraph}, mailbox.Credentials{},
			[]string{"credentials.client_secret", "graph.client_id", "graph.mailbox", "graph.tenant_id"}},
		"graph endpoints": {mailbox.Mailbox{Name: "x", Kind: mailbox.KindGraph, Graph: &mailbox.GraphSettings{TenantID: "t/../x",
			ClientID: "c", Mailbox: "m@x", BaseURL: "ftp://graph", TokenURL: "http://login.example/token"}},
			mailbox.Credentials{ClientSecret: "s"}, []string{"graph.base_url", "graph.tenant_id", "graph.token_url"}},
		"gmail service account without an address or key": {mailbox.Mailbox{Name: "x", Kind: mailbox.KindGmail,
			Gmail: &mailbox.GmailSettings{Auth: "service_account"}}, mailbox.Credentials{},
			[]string{"credentials.service_account_key", "gmail.subject"}},
		"gmail user key instead of a service account": {mailbox.Mailbox{Name: "x", Kind: mailbox.KindGmail,
			Gmail: &mailbox.GmailSettings{User: "a@b.com"}}, mailbox.Credentials{ServiceAccountKey: `{"type":"authorized_user"}`},
			[]string{"credentials.service_account_key"}},
		"gmail refresh token": {mailbox.Mailbox{Name: "x", Kind: mailbox.KindGmail, Gmail: &mailbox.GmailSettings{Auth: "refresh_token"}},
			mailbox.Credentials{}, []string{"credentials.client_secret", "credentials.refresh_token", "gmail.client_id"}},
		"name with a newline": {mailbox.Mailbox{Name: "a\nb", Kind: mailbox.KindGmail, Gmail: &mailbox.GmailSettings{User: "a@b.com"}},
			mailbox.Credentials{ServiceAccountKey: saKey}, []string{"name"}},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := f.svc.Create(context.Background(), f.p, tt.m, tt.c)
			if diff := cmp.Diff(tt.want, fieldsOf(t, err)); diff != "" {
				t.Errorf("fields (-want +got):\n%s\n%v", diff, err)
			}
		})
	}
	t.Run("valid gmail service account", func(t *testing.T) {
		m, err := f.svc.Create(context.Background(), f.p, mailbox.Mailbox{Name: "Gmail", Kind: mailbox.KindGmail,
			Gmail: &mailbox.GmailSettings{User: "notices@example.com"}, IMAP: &mailbox.IMAPSettings{Host: "ignored"}},
			mailbox.Credentials{ServiceAccountKey: saKey, Password: "dropped"})
		if err != nil {
			t.Fatal(err)
		}
		want := &mailbox.GmailSettings{User: "notices@example.com", Label: "INBOX", Auth: "service_account"}
		if diff := cmp.Diff(want, m.Gmail); diff != "" || m.IMAP != nil {
			t.Errorf("settings (-want +got):\n%s imap %v", diff, m.IMAP)
		}
		raw, err := f.db.MailboxCredentials(context.Background(), f.p.TenantID, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(raw), "dropped") {
			t.Errorf("credentials the kind does not use were stored: %s", raw)
		}
	})
	t.Run("viewer", func(t *testing.T) {
		viewer := f.p
		viewer.Role = auth.RoleViewer
		if _, err := f.svc.List(context.Background(), viewer); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("List as viewer = %v, want Forbidden", err)
		}
	})
}

func TestMailboxLifecycle(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		srv := startIMAP(t)
		m := f.imapMailbox(t, srv, "Vendor notices", nil)

		got := f.get(t, m.ID)
		if diff := cmp.Diff(m, got); diff != "" {
			t.Errorf("Get after Create (-created +got):\n%s", diff)
		}
		if !got.CredentialsSet || !got.IsActive || got.Status.State() != "never_polled" {
			t.Errorf("new mailbox = %+v", got)
		}
		if _, err := f.svc.Create(ctx, f.p, mailbox.Mailbox{Name: "Vendor notices", Kind: mailbox.KindIMAP, IMAP: m.IMAP},
			mailbox.Credentials{Password: "x"}); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("duplicate name: %v, want Conflict", err)
		}

		t.Run("update keeps credentials and resets the checkpoint when the folder changes", func(t *testing.T) {
			if err := db.AdvanceMailSource(ctx, f.p.TenantID, mailCheckpoint(m.ID, `{"uid_validity":1,"last_uid":9}`), 0); err != nil {
				t.Fatal(err)
			}
			up, err := f.svc.Update(ctx, f.p, m.ID, func(m *mailbox.Mailbox) { m.IMAP.Folder = "Vendors"; m.IMAP.MarkSeen = true },
				mailbox.Credentials{}, false)
			if err != nil {
				t.Fatal(err)
			}
			if up.IMAP.Folder != "Vendors" || !up.IMAP.MarkSeen {
				t.Errorf("updated = %+v", up.IMAP)
			}
			if cp, err := db.MailboxCheckpoint(ctx, f.p.TenantID, m.ID); err != nil || cp != nil {
				t.Errorf("checkpoint after a folder change = %s, %v; want none", cp, err)
			}
			if res, err := f.svc.Test(ctx, f.p, m.ID); err != nil || !res.OK {
				t.Errorf("Test with the kept password = %+v, %v", res, err)
			}
		})
		t.Run("changing the host needs the credentials again", func(t *testing.T) {
			_, err := f.svc.Update(ctx, f.p, m.ID, func(m *mailbox.Mailbox) { m.IMAP.Host = "localhost" }, mailbox.Credentials{}, false)
			if diff := cmp.Diff([]string{"credentials.password"}, fieldsOf(t, err)); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
		})
		t.Run("deactivate", func(t *testing.T) {
			d, err := f.svc.Deactivate(ctx, f.p, m.ID)
			if err != nil || d.IsActive {
				t.Fatalf("Deactivate = %+v, %v", d, err)
			}
			refs, err := db.ActiveMailboxes(ctx)
			if err != nil || len(refs) != 0 {
				t.Errorf("active mailboxes = %v, %v", refs, err)
			}
			list, err := f.svc.List(ctx, f.p)
			if err != nil || len(list) != 1 || list[0].IsActive {
				t.Errorf("List = %+v, %v", list, err)
			}
			entries, _, err := db.ListAudit(ctx, f.p.TenantID, audit.Filter{EntityType: "mailbox", EntityID: m.ID})
			if err != nil {
				t.Fatal(err)
			}
			var actions []string
			for _, e := range entries {
				actions = append(actions, e.Action)
			}
			slices.Sort(actions)
			if diff := cmp.Diff([]string{"mailbox.create", "mailbox.deactivate", "mailbox.update"}, actions); diff != "" {
				t.Errorf("audit actions (-want +got):\n%s", diff)
			}
		})
		t.Run("tenant wall", func(t *testing.T) {
			other := f.otherTenant(t)
			if _, err := f.svc.Get(ctx, other, m.ID); !apperr.Is(err, apperr.NotFound) {
				t.Errorf("Get from another tenant = %v, want NotFound", err)
			}
			if _, err := f.svc.Update(ctx, other, m.ID, func(m *mailbox.Mailbox) { m.Name = "stolen" }, mailbox.Credentials{}, false); !apperr.Is(err, apperr.NotFound) {
				t.Errorf("Update from another tenant = %v, want NotFound", err)
			}
			if _, err := f.svc.Test(ctx, other, m.ID); !apperr.Is(err, apperr.NotFound) {
				t.Errorf("Test from another tenant = %v, want NotFound", err)
			}
			if err := f.svc.Poll(ctx, other.TenantID, m.ID); !apperr.Is(err, apperr.NotFound) {
				t.Errorf("Poll of another tenant = %v, want NotFound", err)
			}
			if list, err := f.svc.List(ctx, other); err != nil || len(list) != 0 {
				t.Errorf("other tenant's list = %v, %v", list, err)
			}
		})
	})
}

// TestCredentialsAreWriteOnly checks that no read, audit row or log line
// carries a credential, while the credential is stored and used.
func TestCredentialsAreWriteOnly(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		srv := startIMAP(t)
		m := f.imapMailbox(t, srv, "Notices", nil)
		gm, err := f.svc.Create(ctx, f.p, mailbox.Mailbox{Name: "Graph", Kind: mailbox.KindGraph, IsActive: true,
			Graph: &mailbox.GraphSettings{TenantID: "contoso.onmicrosoft.com", ClientID: "c1", Mailbox: "n@contoso.com"}},
			mailbox.Credentials{ClientSecret: "graph-s3cret-do-not-log"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Test(ctx, f.p, m.ID); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.Poll(ctx, f.p.TenantID, m.ID); err != nil {
			t.Fatal(err)
		}
		// A wrong password makes the server refuse; the error is recorded
		// and logged, and must not carry the password either.
		if _, err := f.svc.Update(ctx, f.p, m.ID, func(*mailbox.Mailbox) {}, mailbox.Credentials{Password: "wrong-pa55word-do-not-log"}, false); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.Poll(ctx, f.p.TenantID, m.ID); err == nil {
			t.Fatal("poll with a wrong password succeeded")
		}

		list, err := f.svc.List(ctx, f.p)
		if err != nil {
			t.Fatal(err)
		}
		out, err := json.Marshal(list)
		if err != nil {
			t.Fatal(err)
		}
		entries, _, err := db.ListAudit(ctx, f.p.TenantID, audit.Filter{Limit: 500})
		if err != nil {
			t.Fatal(err)
		}
		auditJSON, err := json.Marshal(entries)
		if err != nil {
			t.Fatal(err)
		}
		for _, secret := range []string{imapPassword, "wrong-pa55word-do-not-log", "graph-s3cret-do-not-log"} {
			for what, text := range map[string]string{"list": string(out), "audit": string(auditJSON), "logs": f.logs.String()} {
				if strings.Contains(text, secret) {
					t.Errorf("%s contains the credential %q", what, secret)
				}
			}
		}
		if !strings.Contains(f.logs.String(), "mailbox poll failed") {
			t.Errorf("the failed poll was not logged: %s", f.logs)
		}
		raw, err := db.MailboxCredentials(ctx, f.p.TenantID, gm.ID)
		if err != nil || !strings.Contains(string(raw), "graph-s3cret-do-not-log") {
			t.Errorf("stored credentials = %q, %v", raw, err)
		}
		names, err := db.ListSecrets(ctx, f.p.TenantID)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(names, func(s sqlstore.SecretInfo) bool { return s.Name == mailbox.CredentialName(gm.ID) }) {
			t.Errorf("secrets = %v, want %s", names, mailbox.CredentialName(gm.ID))
		}
	})
}
