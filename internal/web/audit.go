package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
)

// auditOut is an audit row as the API shows it.
type auditOut struct {
	ID         string          `json:"id"`
	Seq        int64           `json:"seq" doc:"Position in the tenant's chain, from 1."`
	At         time.Time       `json:"at"`
	Actor      auditActor      `json:"actor"`
	Action     string          `json:"action" doc:"entity.verb, e.g. vendor.update."`
	EntityType string          `json:"entity_type"`
	EntityID   string          `json:"entity_id"`
	Before     json.RawMessage `json:"before,omitempty" doc:"State before the change; absent for creations."`
	After      json.RawMessage `json:"after,omitempty" doc:"State after the change; absent for deletions."`
	Changes    []audit.Change  `json:"changes" nullable:"false" doc:"Fields that differ between before and after."`
	Flags      []string        `json:"flags" nullable:"false"`
	PrevHash   string          `json:"prev_hash"`
	Hash       string          `json:"hash" doc:"HMAC-SHA256 over the row and prev_hash."`
}

type auditActor struct {
	Kind  string `json:"kind" enum:"user,api_key,system"`
	ID    string `json:"id,omitempty"`
	Label string `json:"label"`
}

func auditOutOf(e audit.Entry) auditOut {
	o := auditOut{ID: e.ID, Seq: e.Seq, At: e.CreatedAt, Actor: auditActor{Kind: e.ActorKind, ID: e.ActorID, Label: e.ActorLabel},
		Action: e.Action, EntityType: e.EntityType, EntityID: e.EntityID, Changes: audit.Changes(e.Before, e.After),
		Flags: splitFlags(e.Flags), PrevHash: e.PrevHash, Hash: e.Hash}
	if e.Before != "" {
		o.Before = json.RawMessage(e.Before)
	}
	if e.After != "" {
		o.After = json.RawMessage(e.After)
	}
	if o.Changes == nil {
		o.Changes = []audit.Change{}
	}
	return o
}

func splitFlags(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, ",")
}

type auditListIn struct {
	PageQuery
	EntityType string `query:"entity_type" maxLength:"100" doc:"e.g. vendor, application, user."`
	EntityID   string `query:"entity_id" maxLength:"200"`
	Actor      string `query:"actor" maxLength:"320" doc:"Actor id or label (a user's email, an API key's name)."`
	Action     string `query:"action" maxLength:"100" doc:"e.g. vendor.update."`
	From       string `query:"from" doc:"Rows at or after this time (RFC 3339, or a date meaning its start in UTC)."`
	To         string `query:"to" doc:"Rows before this time (RFC 3339, or a date meaning the end of that day in UTC)."`
}

// verifyOut is the result of checking a tenant's chain.
type verifyOut struct {
	Body struct {
		OK        bool   `json:"ok"`
		Checked   int64  `json:"checked" doc:"Rows checked."`
		BrokenSeq int64  `json:"broken_seq,omitempty" doc:"First row that does not verify."`
		Reason    string `json:"reason,omitempty"`
	}
}

var (
	docListAudit = huma.Operation{Summary: "List audit log rows",
		Description: "Every state change of the tenant, newest first, with who made it and what changed."}
	docVerifyAudit = huma.Operation{Summary: "Verify the audit hash chain",
		Description: "Recomputes every row's hash and link; reports the first edited, missing, reordered or truncated row."}
)

// auditFilter validates list filters shared by the API and the UI.
func auditFilter(entityType, entityID, actor, action, from, to, cursor string, limit int) (audit.Filter, error) {
	f := audit.Filter{EntityType: entityType, EntityID: entityID, ActorID: actor, Action: action, Cursor: cursor, Limit: limit}
	var v apperr.Validation
	var err error
	if f.From, err = parseWhen(from, false); err != nil {
		v.Add("from", "use RFC 3339 (2025-03-09T12:00:00Z) or a date (2025-03-09)")
	}
	if f.To, err = parseWhen(to, true); err != nil {
		v.Add("to", "use RFC 3339 (2025-03-09T12:00:00Z) or a date (2025-03-09)")
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.To.After(f.From) {
		v.Add("to", "must be after from")
	}
	return f, v.Err()
}

// parseWhen reads an RFC 3339 time or a date; a date as an upper bound
// means the end of that day.
func parseWhen(s string, upper bool) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, err
	}
	if upper {
		d = d.AddDate(0, 0, 1)
	}
	return d, nil
}

func (s *Server) apiListAudit(ctx context.Context, in *auditListIn) (*PageOut[auditOut], error) {
	f, err := auditFilter(in.EntityType, in.EntityID, in.Actor, in.Action, in.From, in.To, in.Cursor, in.Limit)
	if err != nil {
		return nil, err
	}
	rows, next, err := s.Audit.ListAudit(ctx, principal(ctx).TenantID, f)
	if err != nil {
		return nil, err
	}
	out := make([]auditOut, 0, len(rows))
	for _, e := range rows {
		out = append(out, auditOutOf(e))
	}
	return pageOf(out, next), nil
}

func (s *Server) apiVerifyAudit(ctx context.Context, _ *struct{}) (*verifyOut, error) {
	res, err := audit.Verify(ctx, s.Audit, principal(ctx).TenantID, s.AuditKey)
	if err != nil {
		return nil, err
	}
	out := &verifyOut{}
	out.Body.OK, out.Body.Checked, out.Body.BrokenSeq, out.Body.Reason = res.OK, res.Checked, res.BrokenSeq, res.Reason
	return out, nil
}

// auditPage is the data of the audit log page.
type auditPage struct {
	Rows    []auditRow
	Filter  url.Values
	Next    string
	Filters bool // some filter is set
}

// auditRow is one table row, values shortened for reading.
type auditRow struct {
	auditOut
	Changes []audit.Change
}

// maxShown bounds a value shown in the table; the API has it whole.
const maxShown = 120

func shorten(s string) string {
	if r := []rune(s); len(r) > maxShown {
		return string(r[:maxShown]) + "…"
	}
	return s
}

func (s *Server) uiAudit(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	q := r.URL.Query()
	data := auditPage{Filter: url.Values{}}
	for _, k := range []string{"entity_type", "entity_id", "actor", "action", "from", "to"} {
		if v := strings.TrimSpace(q.Get(k)); v != "" {
			data.Filter.Set(k, v)
			data.Filters = true
		}
	}
	fv := data.Filter.Get
	f, err := auditFilter(fv("entity_type"), fv("entity_id"), fv("actor"), fv("action"), fv("from"), fv("to"), q.Get("cursor"), 0)
	if err != nil {
		s.render(w, r, Status(err), "audit.html", viewWithFields(View{Title: "Audit log", Nav: "audit", Data: data}, err))
		return nil
	}
	rows, next, err := s.Audit.ListAudit(r.Context(), p.TenantID, f)
	if err != nil {
		return err
	}
	for _, e := range rows {
		row := auditRow{auditOut: auditOutOf(e)}
		for _, c := range row.auditOut.Changes {
			row.Changes = append(row.Changes, audit.Change{Field: c.Field, Before: shorten(c.Before), After: shorten(c.After)})
		}
		data.Rows = append(data.Rows, row)
	}
	if next != "" {
		data.Next = pageLink(r, next)
	}
	s.render(w, r, http.StatusOK, "audit.html", View{Title: "Audit log", Nav: "audit", Data: data})
	return nil
}

// viewWithFields puts a validation error next to the form fields it names.
func viewWithFields(v View, err error) View {
	v.Fields = formErrors(err)
	if len(v.Fields) == 0 {
		v.Error = apperr.MessageOf(err)
	}
	return v
}
