package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/inbox"
	"github.com/vendorsync/vendorsync/internal/registry"
)

// classifyForm keeps what an operator typed in the classify form.
type classifyForm struct {
	VendorID       string
	ApplicationIDs []string
	Severity       string
	Topic          string
	EffectiveDate  string
	OwnerTeamID    string
	SLADays        string
	SaveAsRule     bool
	RuleName       string
	RuleText       string
}

// classifyChoices are the registry entries the classify form offers.
type classifyChoices struct {
	Vendors    []registry.Vendor
	Apps       []registry.Application
	Teams      []teamChoice
	Severities []registry.Severity
}

// classifyView is one classify form: the email, the input and its errors.
type classifyView struct {
	E      inbox.Email
	Form   classifyForm
	C      *classifyChoices
	Fields map[string]string
	Open   bool
	CSRF   string
}

// classifyChoices reads the tenant's active vendors, applications and teams.
func (s *Server) classifyChoices(r *http.Request, p auth.Principal) (*classifyChoices, error) {
	ctx := r.Context()
	c := &classifyChoices{Severities: registry.Severities}
	var err error
	if c.Vendors, err = s.Registry.AllVendors(ctx, p, false); err != nil {
		return nil, err
	}
	f := registry.ApplicationFilter{Limit: 500}
	for {
		page, next, err := s.Registry.ListApplications(ctx, p, f)
		if err != nil {
			return nil, err
		}
		c.Apps = append(c.Apps, page...)
		if next == "" {
			break
		}
		f.Cursor = next
	}
	teams, _, err := s.registryTeams(ctx, p)
	if err != nil {
		return nil, err
	}
	for _, t := range teams {
		if !t.Inactive {
			c.Teams = append(c.Teams, t)
		}
	}
	return c, nil
}

// triagePage is the data of the triage queue.
type triagePage struct {
	Queue       []classifyView
	Next        string
	History     []emailRow
	Classified  []emailRow
	CanClassify bool
}

// historySize is how many emails each history list shows.
const historySize = 20

func (s *Server) uiTriage(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	ctx := r.Context()
	queue, next, err := s.Inbox.List(ctx, p, inbox.Filter{Statuses: []inbox.Status{inbox.Unknown, inbox.Failed},
		Cursor: r.URL.Query().Get("cursor")})
	if err != nil {
		return err
	}
	data := triagePage{CanClassify: p.Can(auth.PermTriage)}
	var choices *classifyChoices
	if data.CanClassify && len(queue) > 0 {
		if choices, err = s.classifyChoices(r, p); err != nil {
			return err
		}
	}
	csrf := s.csrfToken(r)
	for _, e := range queue {
		data.Queue = append(data.Queue, classifyView{E: e, Form: classifyForm{Topic: e.Subject}, C: choices, CSRF: csrf})
	}
	if next != "" {
		data.Next = withCursor(r.URL, next)
	}
	info, _, err := s.Inbox.List(ctx, p, inbox.Filter{Statuses: []inbox.Status{inbox.Informational}, Limit: historySize})
	if err != nil {
		return err
	}
	manual, _, err := s.Inbox.List(ctx, p, inbox.Filter{DecisionSource: inbox.SourceManual, Limit: historySize})
	if err != nil {
		return err
	}
	keys, err := s.ticketKeys(ctx, p, manual)
	if err != nil {
		return err
	}
	for _, e := range info {
		data.History = append(data.History, emailRow{E: e})
	}
	for _, e := range manual {
		data.Classified = append(data.Classified, emailRow{E: e, TicketKey: keys[e.TicketID]})
	}
	s.render(w, r, http.StatusOK, "triage.html", View{Title: "Triage queue", Nav: "triage", Data: data})
	return nil
}

// readClassifyForm reads the classify form.
func readClassifyForm(r *http.Request) classifyForm {
	return classifyForm{VendorID: r.PostFormValue("vendor_id"), ApplicationIDs: r.PostForm["application_ids"],
		Severity: r.PostFormValue("severity"), Topic: r.PostFormValue("topic"), EffectiveDate: r.PostFormValue("effective_date"),
		OwnerTeamID: r.PostFormValue("owner_team_id"), SLADays: strings.TrimSpace(r.PostFormValue("sla_days")),
		SaveAsRule: r.PostFormValue("save_as_rule") == "1", RuleName: r.PostFormValue("rule_name"), RuleText: r.PostFormValue("rule_text")}
}

func (s *Server) uiClassifyEmail(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	id := r.PathValue("id")
	form := readClassifyForm(r)
	sla := 0
	if form.SLADays != "" {
		n, err := strconv.Atoi(form.SLADays)
		if err != nil {
			n = -1 // refused, with the field named, once the email is known to exist
		}
		sla = n
	}
	res, err := s.Inbox.Classify(r.Context(), p, id, inbox.Classification{VendorID: form.VendorID, ApplicationIDs: form.ApplicationIDs,
		Severity: registry.Severity(form.Severity), Topic: form.Topic, EffectiveDate: form.EffectiveDate, OwnerTeamID: form.OwnerTeamID,
		SLADays: sla, SaveAsRule: form.SaveAsRule, RuleName: form.RuleName, RuleText: form.RuleText})
	if formFailure(err) {
		return s.renderEmail(w, r, p, Status(err), id, form, err)
	}
	if err != nil {
		return err
	}
	msg := fmt.Sprintf("Classified: %s opened.", res.Ticket.Key())
	if res.Rule != nil {
		msg += fmt.Sprintf(" Rule %q saved for future emails.", res.Rule.Name)
	}
	s.flash(r, msg)
	redirect(w, r, "/tickets/"+url.PathEscape(res.Ticket.Key()))
	return nil
}
