package web

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"reflect"

	"github.com/danielgtaylor/huma/v2"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/mail/mailbox"
)

// mailboxBody is a mail source as created by clients. Only the settings of
// its kind are used; credentials are write-only.
type mailboxBody struct {
	Name        string                 `json:"name,omitempty" maxLength:"200" doc:"Unique in the tenant."`
	Kind        mailbox.Kind           `json:"kind,omitempty" enum:"imap,graph,gmail"`
	IsActive    *bool                  `json:"is_active,omitempty" doc:"Default true: polled every minute."`
	IMAP        *mailbox.IMAPSettings  `json:"imap,omitempty"`
	Graph       *mailbox.GraphSettings `json:"graph,omitempty"`
	Gmail       *mailbox.GmailSettings `json:"gmail,omitempty"`
	Credentials *mailbox.Credentials   `json:"credentials,omitempty" doc:"Write-only: stored encrypted, never returned."`
}

// mergeObject is an object field of a JSON merge patch: the fields present
// replace those of the current value, the others stay.
type mergeObject[T any] struct {
	raw []byte
}

// UnmarshalJSON keeps the patch, after checking it decodes strictly as T.
func (m *mergeObject[T]) UnmarshalJSON(b []byte) error {
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		return nil
	}
	var probe T
	if err := decodeStrict(b, &probe); err != nil {
		return err
	}
	m.raw = bytes.Clone(b)
	return nil
}

// Schema documents the field as T.
func (m mergeObject[T]) Schema(r huma.Registry) *huma.Schema {
	return r.Schema(reflect.TypeFor[T](), true, "")
}

// apply merges the patch into *dst, creating it when absent.
func (m mergeObject[T]) apply(dst **T) {
	if m.raw == nil {
		return
	}
	if *dst == nil {
		*dst = new(T)
	}
	// The patch decoded strictly as T in UnmarshalJSON, so it decodes again.
	_ = json.Unmarshal(m.raw, *dst)
}

// mailboxPatch is a merge patch of a mail source.
type mailboxPatch struct {
	Name        PatchField[string]                 `json:"name,omitempty" maxLength:"200"`
	Kind        PatchField[mailbox.Kind]           `json:"kind,omitempty" enum:"imap,graph,gmail"`
	IsActive    *bool                              `json:"is_active,omitempty" doc:"false deactivates, true reactivates."`
	IMAP        mergeObject[mailbox.IMAPSettings]  `json:"imap,omitempty"`
	Graph       mergeObject[mailbox.GraphSettings] `json:"graph,omitempty"`
	Gmail       mergeObject[mailbox.GmailSettings] `json:"gmail,omitempty"`
	Credentials *mailbox.Credentials               `json:"credentials,omitempty" doc:"Write-only; fields left out keep their stored value (unless the server or endpoint changes)."`
	// ClearCredentials removes the stored credentials, which leaving them
	// out cannot say.
	ClearCredentials bool `json:"clear_credentials,omitempty" doc:"Remove the stored credentials; only those sent in credentials remain. An active mailbox must keep what its kind needs: deactivate it (is_active false) to remove them all."`
}

type mailboxCreateIn struct {
	Body strictBody[mailboxBody]
}

type mailboxPatchIn struct {
	IDPath
	Body strictBody[mailboxPatch]
}

type mailboxOut struct {
	Body mailbox.Mailbox
}

type mailboxCreatedOut struct {
	Location string `header:"Location"`
	Body     mailbox.Mailbox
}

type mailboxTestOut struct {
	Body mailbox.ConnectionResult
}

type mailboxPollOut struct {
	Body struct {
		Queued bool   `json:"queued"`
		Detail string `json:"detail"`
	}
}

func (s *Server) mailboxes() (*mailbox.Service, error) {
	if s.Mailboxes == nil {
		return nil, apperr.E(apperr.Unavailable, "mailboxes are not configured on this server")
	}
	return s.Mailboxes, nil
}

func credentialsOf(c *mailbox.Credentials) mailbox.Credentials {
	if c == nil {
		return mailbox.Credentials{}
	}
	return *c
}

func (s *Server) apiListMailboxes(ctx context.Context, _ *struct{}) (*PageOut[mailbox.Mailbox], error) {
	svc, err := s.mailboxes()
	if err != nil {
		return nil, err
	}
	list, err := svc.List(ctx, principal(ctx))
	if err != nil {
		return nil, err
	}
	return pageOf(list, ""), nil
}

func (s *Server) apiCreateMailbox(ctx context.Context, in *mailboxCreateIn) (*mailboxCreatedOut, error) {
	svc, err := s.mailboxes()
	if err != nil {
		return nil, err
	}
	b := in.Body.Value
	m := mailbox.Mailbox{Name: b.Name, Kind: b.Kind, IsActive: b.IsActive == nil || *b.IsActive, IMAP: b.IMAP, Graph: b.Graph, Gmail: b.Gmail}
	out, err := svc.Create(ctx, principal(ctx), m, credentialsOf(b.Credentials))
	if err != nil {
		return nil, err
	}
	return &mailboxCreatedOut{Location: "/api/v1/mail-sources/" + out.ID, Body: out}, nil
}

func (s *Server) apiGetMailbox(ctx context.Context, in *IDPath) (*mailboxOut, error) {
	svc, err := s.mailboxes()
	if err != nil {
		return nil, err
	}
	m, err := svc.Get(ctx, principal(ctx), in.ID)
	if err != nil {
		return nil, err
	}
	return &mailboxOut{Body: m}, nil
}

func (s *Server) apiPatchMailbox(ctx context.Context, in *mailboxPatchIn) (*mailboxOut, error) {
	svc, err := s.mailboxes()
	if err != nil {
		return nil, err
	}
	b := in.Body.Value
	m, err := svc.Update(ctx, principal(ctx), in.ID, func(m *mailbox.Mailbox) {
		b.Name.apply(&m.Name)
		b.Kind.apply(&m.Kind)
		if b.IsActive != nil {
			m.IsActive = *b.IsActive
		}
		b.IMAP.apply(&m.IMAP)
		b.Graph.apply(&m.Graph)
		b.Gmail.apply(&m.Gmail)
	}, credentialsOf(b.Credentials), b.ClearCredentials)
	if err != nil {
		return nil, err
	}
	return &mailboxOut{Body: m}, nil
}

func (s *Server) apiDeactivateMailbox(ctx context.Context, in *IDPath) (*struct{}, error) {
	svc, err := s.mailboxes()
	if err != nil {
		return nil, err
	}
	_, err = svc.Deactivate(ctx, principal(ctx), in.ID)
	return nil, err
}

func (s *Server) apiTestMailbox(ctx context.Context, in *IDPath) (*mailboxTestOut, error) {
	svc, err := s.mailboxes()
	if err != nil {
		return nil, err
	}
	res, err := svc.Test(ctx, principal(ctx), in.ID)
	if err != nil {
		return nil, err
	}
	return &mailboxTestOut{Body: res}, nil
}

func (s *Server) apiPollMailbox(ctx context.Context, in *IDPath) (*mailboxPollOut, error) {
	svc, err := s.mailboxes()
	if err != nil {
		return nil, err
	}
	if err := svc.RequestPoll(ctx, principal(ctx), in.ID); err != nil {
		return nil, err
	}
	out := &mailboxPollOut{}
	out.Body.Queued, out.Body.Detail = true, "A poll is queued; its outcome shows on the mail source's status."
	return out, nil
}

// Operations of the mail source API; routes.go registers them with their method, path and permission.
var (
	docListMailboxes = readDoc("List mail sources",
		"Every mailbox polled for vendor mail, with its status (last poll, last success, last error, messages fetched). Credentials are never returned.")
	docCreateMailbox = createDoc("Create a mail source",
		"kind imap, graph (Microsoft 365) or gmail, with the settings object of that kind and its credentials (write-only). Every problem is reported at once.")
	docGetMailbox   = readDoc("Get a mail source", "")
	docPatchMailbox = mergePatchDoc("Change a mail source",
		"Settings objects merge field by field. Changing the server, account or folder restarts reading from the folder's beginning (already stored messages are recognised by Message-ID); changing the server or endpoint requires the credentials again.")
	docDeactivateMailbox = deactivateDoc("Deactivate a mail source",
		"Polling stops; settings, credentials and status stay. Reactivate with PATCH is_active=true.")
	docTestMailbox = huma.Operation{Summary: "Test a mail source's connection",
		Description: "Connects with the stored settings and credentials, authenticates and checks the folder. A failed connection answers 200 with ok=false and code unauthorized, forbidden, not_found or unavailable."}
	docPollMailbox = huma.Operation{Summary: "Poll a mail source now",
		Description: "Queues a poll ahead of the schedule; a poll already waiting absorbs it.", DefaultStatus: http.StatusAccepted}
)
