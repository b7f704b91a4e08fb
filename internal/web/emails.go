package web

import (
	"context"
	"encoding/json"
	"mime"
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/inbox"
	"github.com/vendorsync/vendorsync/internal/mail"
	"github.com/vendorsync/vendorsync/internal/registry"
)

// maxUploadBytes bounds an uploaded message: the largest message whose body
// is parsed, plus room for the envelope.
const maxUploadBytes = mail.DefaultMaxMessageBytes + 1<<20

// emailUploadIn is a raw RFC 5322 message.
type emailUploadIn struct {
	RawBody []byte `contentType:"message/rfc822" doc:"The whole message, headers and body, as received (RFC 5322)."`
}

// emailAccepted answers an upload.
type emailAccepted struct {
	ID        string       `json:"id"`
	Status    inbox.Status `json:"status" enum:"received,triaged,thread,duplicate,unknown,informational,failed" doc:"received (triage follows) or duplicate."`
	MessageID string       `json:"message_id"`
}

type emailAcceptedOut struct {
	Body emailAccepted
}

// emailListIn filters the email list.
type emailListIn struct {
	PageQuery
	Status string `query:"status" enum:"received,triaged,thread,duplicate,unknown,informational,failed" doc:"Only emails in this status."`
	Q      string `query:"q" maxLength:"200" doc:"Text in the subject or sender, or a Message-ID."`
}

// EmailFields are an email's fields without its methods, for embedding in
// answers (see TicketFields).
type EmailFields inbox.Email

// emailOut is an email as the API shows it, with its ticket's key.
type emailOut struct {
	EmailFields
	TicketKey string `json:"ticket_key,omitempty" doc:"The key (VS-0042) of the ticket the email opened or updated."`
	Reason    string `json:"reason,omitempty" doc:"Why the email is in its status, in one line."`
}

type emailOneOut struct {
	Body emailOut
}

// classifyBody is an operator's classification of an email.
type classifyBody struct {
	VendorID       string   `json:"vendor_id" maxLength:"200"`
	ApplicationIDs []string `json:"application_ids,omitempty" maxItems:"100"`
	Severity       string   `json:"severity" enum:"critical,high,medium,low"`
	Topic          string   `json:"topic,omitempty" maxLength:"300" doc:"Defaults to the subject."`
	EffectiveDate  string   `json:"effective_date,omitempty" maxLength:"10" doc:"YYYY-MM-DD, when the vendor gave a deadline."`
	OwnerTeamID    string   `json:"owner_team_id,omitempty" maxLength:"200" doc:"Defaults to the owner of the first application."`
	SLADays        int      `json:"sla_days,omitempty" minimum:"0" maximum:"3650" doc:"Absent or 0 for the vendor tier's default."`
	SaveAsRule     bool     `json:"save_as_rule,omitempty" doc:"Also save the classification as a rule for future emails."`
	RuleName       string   `json:"rule_name,omitempty" maxLength:"200" doc:"Defaults to vendor and topic."`
	RuleText       string   `json:"rule_text,omitempty" maxLength:"5000" doc:"Defaults to a sentence generated from the classification."`
}

type classifyIn struct {
	IDPath
	Body strictBody[classifyBody]
}

// classified answers a classification.
type classified struct {
	Email     emailOut `json:"email"`
	TicketKey string   `json:"ticket_key"`
	RuleID    string   `json:"rule_id,omitempty" doc:"The saved rule, when save_as_rule was set."`
}

type classifiedOut struct {
	Body classified
}

// emailRawOut is the stored original message.
type emailRawOut struct {
	ContentType        string `header:"Content-Type"`
	ContentDisposition string `header:"Content-Disposition"`
	NoSniff            string `header:"X-Content-Type-Options"`
	Body               []byte
}

// requireRFC822 answers 415 before the body is read unless the request
// carries a message/rfc822 body, and 422 when it is empty.
func (s *Server) requireRFC822(ctx huma.Context, next func(huma.Context)) {
	mt, _, err := mime.ParseMediaType(ctx.Header("Content-Type"))
	if err != nil || !strings.EqualFold(mt, "message/rfc822") {
		_ = huma.WriteErr(s.api, ctx, http.StatusUnsupportedMediaType, // the client may be gone; nothing to do then
			"send the raw message with Content-Type: message/rfc822")
		return
	}
	if ctx.Header("Content-Length") == "0" {
		// huma would answer 400 "request body is required"; an empty
		// message is invalid input like any other unreadable one.
		_ = huma.WriteErr(s.api, ctx, http.StatusUnprocessableEntity, "email is empty") // the client may be gone
		return
	}
	next(ctx)
}

func (s *Server) apiUploadEmail(ctx context.Context, in *emailUploadIn) (*emailAcceptedOut, error) {
	e, err := s.Inbox.Receive(ctx, principal(ctx), in.RawBody, mail.SourceRef{Kind: mail.SourceUpload})
	if err != nil {
		return nil, err
	}
	return &emailAcceptedOut{Body: emailAccepted{ID: e.ID, Status: e.Status, MessageID: e.MessageID}}, nil
}

func (s *Server) apiListEmails(ctx context.Context, in *emailListIn) (*PageOut[emailOut], error) {
	p := principal(ctx)
	f := inbox.Filter{Query: in.Q, Cursor: in.Cursor, Limit: in.Limit}
	if in.Status != "" {
		f.Statuses = []inbox.Status{inbox.Status(in.Status)}
	}
	es, next, err := s.Inbox.List(ctx, p, f)
	if err != nil {
		return nil, err
	}
	keys, err := s.ticketKeys(ctx, p, es)
	if err != nil {
		return nil, err
	}
	out := make([]emailOut, 0, len(es))
	for _, e := range es {
		out = append(out, emailView(e, keys[e.TicketID]))
	}
	return pageOf(out, next), nil
}

// emailView is the API shape of an email.
func emailView(e inbox.Email, ticketKey string) emailOut {
	return emailOut{EmailFields: EmailFields(e), TicketKey: ticketKey, Reason: e.Reason()}
}

// ticketKeys maps the ticket ids of emails to their keys.
func (s *Server) ticketKeys(ctx context.Context, p auth.Principal, es []inbox.Email) (map[string]string, error) {
	keys := map[string]string{}
	for _, e := range es {
		if e.TicketID == "" || keys[e.TicketID] != "" {
			continue
		}
		t, err := s.Inbox.Ticket(ctx, p, e)
		if err != nil && !apperr.Is(err, apperr.NotFound) {
			return nil, err
		}
		keys[e.TicketID] = t.Key()
	}
	return keys, nil
}

func (s *Server) apiGetEmail(ctx context.Context, in *IDPath) (*emailOneOut, error) {
	p := principal(ctx)
	e, err := s.Inbox.Get(ctx, p, in.ID)
	if err != nil {
		return nil, err
	}
	keys, err := s.ticketKeys(ctx, p, []inbox.Email{e})
	if err != nil {
		return nil, err
	}
	return &emailOneOut{Body: emailView(e, keys[e.TicketID])}, nil
}

func (s *Server) apiClassifyEmail(ctx context.Context, in *classifyIn) (*classifiedOut, error) {
	p := principal(ctx)
	b := in.Body.Value
	res, err := s.Inbox.Classify(ctx, p, in.ID, inbox.Classification{VendorID: b.VendorID, ApplicationIDs: b.ApplicationIDs,
		Severity: registry.Severity(b.Severity), Topic: b.Topic, EffectiveDate: b.EffectiveDate, OwnerTeamID: b.OwnerTeamID,
		SLADays: b.SLADays, SaveAsRule: b.SaveAsRule, RuleName: b.RuleName, RuleText: b.RuleText})
	if err != nil {
		return nil, err
	}
	out := classified{Email: emailView(res.Email, res.Ticket.Key()), TicketKey: res.Ticket.Key()}
	if res.Rule != nil {
		out.RuleID = res.Rule.ID
	}
	return &classifiedOut{Body: out}, nil
}

func (s *Server) apiGetEmailRaw(ctx context.Context, in *IDPath) (*emailRawOut, error) {
	e, raw, err := s.Inbox.Raw(ctx, principal(ctx), in.ID)
	if err != nil {
		return nil, err
	}
	return &emailRawOut{ContentType: "message/rfc822", ContentDisposition: `attachment; filename="` + e.ID + `.eml"`,
		NoSniff: "nosniff", Body: raw}, nil
}

// emailDoc describes an email API operation; writes decode their own
// bodies, and reads have none to validate.
func emailDoc(summary, description string, status int) huma.Operation {
	return huma.Operation{Summary: summary, Description: description,
		DefaultStatus: status, SkipValidateBody: true, Tags: []string{"emails"}}
}

// Operations of the email API; routes.go registers them with their method,
// path and permission.
var (
	docUploadEmail = func() huma.Operation {
		o := emailDoc("Upload a vendor email",
			"The raw message (Content-Type: message/rfc822, up to 26 MiB) is stored write-once and triaged in the background: "+
				"202 with its id and status (received, or duplicate when the tenant has its Message-ID already). "+
				"415 for another content type, 422 for an empty or unreadable message.", http.StatusAccepted)
		o.MaxBodyBytes = maxUploadBytes
		o.Errors = []int{http.StatusUnsupportedMediaType, http.StatusRequestEntityTooLarge, http.StatusUnprocessableEntity}
		return o
	}()
	docListEmails = emailDoc("List emails",
		"Newest first; filter by status (the triage queue is unknown and failed) or text.", 0)
	docGetEmail = emailDoc("Get an email",
		"Headers, text body, attachments, parse errors, status, ticket and the triage decision with its reasoning and overrides.", 0)
	docClassifyEmail = emailDoc("Classify an email",
		"For an email in the triage queue (unknown, failed) or an informational one: opens its ticket and optionally saves the "+
			"classification as a rule. 409 when the email is in another status.", http.StatusOK)
	docGetEmailRaw = emailDoc("Download an email's original message",
		"The stored .eml, byte for byte as received.", 0)
)

// emailDecision is the parts of a stored decision the UI shows.
type emailDecision struct {
	Classification string `json:"classification"`
	Source         string `json:"source"`
	Reasoning      string `json:"reasoning"`
	Severity       string `json:"severity"`
	Overrides      []struct {
		Field, From, To, Reason string
	} `json:"overrides"`
	LLMProvider  string   `json:"llm_provider"`
	LLMModel     string   `json:"llm_model"`
	ClassifiedBy string   `json:"classified_by"`
	Confidence   *float64 `json:"confidence"`
	Evidence     struct {
		Vendor, Applications, Severity, Date string
	} `json:"evidence"`
}

// ConfidencePercent is the decision's confidence as a whole percentage.
func (d emailDecision) ConfidencePercent() int {
	if d.Confidence == nil {
		return 0
	}
	return int(*d.Confidence*100 + 0.5)
}

// decisionOf reads a stored decision for display; an unreadable one shows
// as empty (the raw JSON is shown too).
func decisionOf(raw json.RawMessage) emailDecision {
	var d emailDecision
	if len(raw) > 0 {
		_ = json.Unmarshal(raw, &d) // display only: the page shows the raw JSON as well
	}
	return d
}

// uploadEmailDoc is docUploadEmail with its content-type check.
func (s *Server) uploadEmailDoc() huma.Operation {
	o := docUploadEmail
	o.Middlewares = huma.Middlewares{s.requireRFC822}
	return o
}
