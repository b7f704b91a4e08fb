// Package mailbox manages the tenant's mail sources: the IMAP, Microsoft 365
// (Graph) and Gmail mailboxes the changes module polls for vendor mail. It
// validates their settings, keeps their credentials write-only (encrypted in
// the secrets table, decrypted only in memory to connect), tests
// connections, and polls: fetch a batch, hand it to a mail.Receiver that
// stores it with the new checkpoint, post-process, repeat. It lives apart
// from package mail because it builds the adapters (mail/imap, mail/graph,
// mail/gmail), which import mail themselves.
package mailbox

import (
	"context"
	"time"

	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/jobargs"
	"github.com/vendorsync/vendorsync/internal/mail"
)

// Kind is the protocol a mailbox is read with.
type Kind string

// The supported kinds of mailbox.
const (
	KindIMAP  Kind = "imap"
	KindGraph Kind = "graph"
	KindGmail Kind = "gmail"
)

// Kinds lists every kind, in the order forms show them.
var Kinds = []Kind{KindIMAP, KindGraph, KindGmail}

// Valid reports whether k is a supported kind.
func (k Kind) Valid() bool { return k == KindIMAP || k == KindGraph || k == KindGmail }

// Label is the kind's name for people.
func (k Kind) Label() string {
	switch k {
	case KindIMAP:
		return "IMAP"
	case KindGraph:
		return "Microsoft 365 (Graph)"
	case KindGmail:
		return "Gmail API"
	}
	return string(k)
}

// IMAP authentication modes.
const (
	AuthPassword = "password"
	AuthXOAUTH2  = "xoauth2"
)

// Gmail authentication modes.
const (
	AuthServiceAccount = "service_account"
	AuthRefreshToken   = "refresh_token"
)

// IMAPSettings are the non-secret settings of an IMAP mailbox.
type IMAPSettings struct {
	Host string `json:"host,omitempty" maxLength:"253" doc:"Server host name, e.g. outlook.office365.com."`
	Port int    `json:"port,omitempty" minimum:"0" maximum:"65535" doc:"0 means 993 for tls, 143 otherwise."`
	// Security is tls, starttls, or none (only for a loopback host).
	Security string `json:"security,omitempty" enum:"tls,starttls,none" doc:"tls (implicit, default), starttls, or none (only for a loopback host such as a local bridge)."`
	Username string `json:"username,omitempty" maxLength:"320"`
	Auth     string `json:"auth,omitempty" enum:"password,xoauth2" doc:"password (LOGIN, default) or xoauth2 (OAuth2 refresh token, for Microsoft 365 and Google Workspace)."`
	// TokenURL, ClientID and Scope configure the refresh-token grant of
	// xoauth2.
	TokenURL string `json:"token_url,omitempty" maxLength:"500" doc:"xoauth2: the OAuth2 token endpoint."`
	ClientID string `json:"client_id,omitempty" maxLength:"200" doc:"xoauth2: the OAuth2 client id."`
	Scope    string `json:"scope,omitempty" maxLength:"500" doc:"xoauth2: space-separated scopes to request, if the provider needs them."`
	Folder   string `json:"folder,omitempty" maxLength:"200" doc:"Folder polled; default INBOX."`
	MoveTo   string `json:"move_to,omitempty" maxLength:"200" doc:"Folder processed messages are moved to; empty leaves them."`
	MarkSeen bool   `json:"mark_seen,omitempty" doc:"Mark processed messages as read."`
}

// GraphSettings are the non-secret settings of a Microsoft 365 mailbox read
// through Microsoft Graph with an app registration's client credentials.
type GraphSettings struct {
	TenantID string `json:"tenant_id,omitempty" maxLength:"100" doc:"Directory (tenant) id or domain of the app registration."`
	ClientID string `json:"client_id,omitempty" maxLength:"100" doc:"Application (client) id."`
	Mailbox  string `json:"mailbox,omitempty" maxLength:"320" doc:"User principal name or id of the mailbox, e.g. vendor-notices@example.com."`
	Folder   string `json:"folder,omitempty" maxLength:"200" doc:"Folder id or well-known name; default inbox."`
	MoveTo   string `json:"move_to,omitempty" maxLength:"200" doc:"Folder id or well-known name (archive) processed messages are moved to."`
	MarkRead bool   `json:"mark_read,omitempty" doc:"Mark processed messages as read (needs Mail.ReadWrite)."`
	// BaseURL and TokenURL are for national clouds; empty means the global
	// service.
	BaseURL  string `json:"base_url,omitempty" maxLength:"500" doc:"Graph endpoint for national clouds; default https://graph.microsoft.com/v1.0."`
	TokenURL string `json:"token_url,omitempty" maxLength:"500" doc:"Token endpoint for national clouds; default login.microsoftonline.com for the tenant."`
}

// GmailSettings are the non-secret settings of a Gmail mailbox read through
// the Gmail API.
type GmailSettings struct {
	User  string `json:"user,omitempty" maxLength:"320" doc:"Mailbox address; \"me\" (default) for the user of a refresh token."`
	Label string `json:"label,omitempty" maxLength:"200" doc:"Label id polled; default INBOX."`
	Query string `json:"query,omitempty" maxLength:"500" doc:"Gmail search that narrows the first listing, e.g. newer_than:30d."`
	Auth  string `json:"auth,omitempty" enum:"service_account,refresh_token" doc:"service_account (Workspace domain-wide delegation) or refresh_token (a user's consent)."`
	// Subject is the address a service account impersonates; User when
	// empty.
	Subject  string `json:"subject,omitempty" maxLength:"320" doc:"service_account: the address to impersonate; default user."`
	ClientID string `json:"client_id,omitempty" maxLength:"200" doc:"refresh_token: the OAuth2 client id."`
	TokenURL string `json:"token_url,omitempty" maxLength:"500" doc:"refresh_token: token endpoint; default https://oauth2.googleapis.com/token."`
	MarkRead bool   `json:"mark_read,omitempty" doc:"Mark processed messages as read (needs gmail.modify)."`
	BaseURL  string `json:"base_url,omitempty" maxLength:"500" doc:"API endpoint; default https://gmail.googleapis.com."`
}

// Credentials are a mailbox's secrets. They are write-only: stored
// encrypted, used to connect, never returned, logged or audited.
type Credentials struct {
	// Password is the IMAP password (auth password).
	Password string `json:"password,omitempty" writeOnly:"true" maxLength:"4096" doc:"IMAP password."`
	// RefreshToken is the OAuth2 refresh token (IMAP xoauth2, Gmail
	// refresh_token).
	RefreshToken string `json:"refresh_token,omitempty" writeOnly:"true" maxLength:"8192" doc:"OAuth2 refresh token (IMAP xoauth2, Gmail refresh_token)."`
	// ClientSecret is the OAuth2 client secret (Graph, IMAP xoauth2, Gmail
	// refresh_token).
	ClientSecret string `json:"client_secret,omitempty" writeOnly:"true" maxLength:"4096" doc:"OAuth2 client secret (Graph, IMAP xoauth2, Gmail refresh_token)."`
	// ServiceAccountKey is a Google service account's JSON key.
	ServiceAccountKey string `json:"service_account_key,omitempty" writeOnly:"true" maxLength:"16384" doc:"Gmail service_account: the JSON key file's content."`
}

// PollStatus is what the last polls of a mailbox did.
type PollStatus struct {
	LastPollAt    *time.Time `json:"last_poll_at"`
	LastSuccessAt *time.Time `json:"last_success_at"`
	// LastError is cleared by the next successful poll; LastErrorAt stays.
	LastError   string     `json:"last_error" doc:"Why the last poll failed; empty once a poll succeeds again."`
	LastErrorAt *time.Time `json:"last_error_at"`
	// FetchedTotal counts every message read from the mailbox; StoredTotal
	// those that became new emails. The difference is messages already
	// stored (the same Message-ID and content), e.g. read again after the
	// folder was reset or also uploaded by hand.
	FetchedTotal int64 `json:"fetched_total" doc:"Messages read from this mailbox so far, including ones already stored."`
	StoredTotal  int64 `json:"stored_total" doc:"Messages read from this mailbox that became new emails; fetched_total minus stored_total were already stored."`
}

// State summarises a status: "never_polled", "ok" (the last poll
// succeeded) or "failing".
func (s PollStatus) State() string {
	switch {
	case s.LastSuccessAt == nil && s.LastErrorAt == nil:
		return "never_polled"
	case s.LastErrorAt != nil && (s.LastSuccessAt == nil || !s.LastSuccessAt.After(*s.LastErrorAt)):
		return "failing"
	}
	return "ok"
}

// Mailbox is one mail source of a tenant. Exactly the settings of its Kind
// are set; credentials are never part of it.
type Mailbox struct {
	ID       string         `json:"id"`
	TenantID string         `json:"-"`
	Name     string         `json:"name"`
	Kind     Kind           `json:"kind" enum:"imap,graph,gmail"`
	IMAP     *IMAPSettings  `json:"imap,omitempty"`
	Graph    *GraphSettings `json:"graph,omitempty"`
	Gmail    *GmailSettings `json:"gmail,omitempty"`
	IsActive bool           `json:"is_active"`
	// CredentialsSet says whether credentials are stored (never what they
	// are).
	CredentialsSet bool       `json:"credentials_set"`
	Status         PollStatus `json:"status"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
}

// CredentialName is the secrets-table name of a mailbox's credentials.
func CredentialName(id string) string { return "mailbox/" + id + "/credential" }

// Ref names a mailbox of a tenant, for the poll scheduler.
type Ref struct {
	TenantID string
	ID       string
}

// Store keeps mailboxes. Every method is scoped to a tenant; an id of
// another tenant is not found.
type Store interface {
	// CreateMailbox writes a new mailbox, its credentials (encrypted, under
	// CredentialName) and its audit row in one transaction.
	CreateMailbox(ctx context.Context, m Mailbox, credentials []byte, ev audit.Event) error
	// UpdateMailbox saves m's settings and is_active, replacing the
	// credentials when credentials is not nil (deleting them when nil and
	// m.CredentialsSet is false) and clearing the checkpoint
	// when resetCheckpoint, with the audit row, in one transaction.
	UpdateMailbox(ctx context.Context, m Mailbox, credentials []byte, resetCheckpoint bool, ev audit.Event) error
	Mailbox(ctx context.Context, tenantID, id string) (Mailbox, error)
	ListMailboxes(ctx context.Context, tenantID string) ([]Mailbox, error)
	// MailboxCredentials decrypts a mailbox's credentials, for connecting
	// only.
	MailboxCredentials(ctx context.Context, tenantID, id string) ([]byte, error)
	// MailboxCheckpoint returns the stored position (nil before the first
	// poll).
	MailboxCheckpoint(ctx context.Context, tenantID, id string) (mail.Checkpoint, error)
	// RecordMailboxPoll sets last_poll_at.
	RecordMailboxPoll(ctx context.Context, tenantID, id string, at time.Time) error
	// RecordMailboxFailure sets last_error, last_error_at and last_poll_at.
	RecordMailboxFailure(ctx context.Context, tenantID, id string, at time.Time, msg string) error
	// ActiveMailboxes lists the active mailboxes of every tenant.
	ActiveMailboxes(ctx context.Context) ([]Ref, error)
	// EnqueueMailboxPoll enqueues job for a mailbox of the tenant (not
	// found otherwise), with its audit row.
	EnqueueMailboxPoll(ctx context.Context, tenantID, id string, job jobargs.Args, ev audit.Event) error
}
