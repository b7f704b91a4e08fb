package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/registry"
)

// rulesPage is the data of the rule list.
type rulesPage struct {
	Rules       []registry.Rule
	Next        string
	Q           string
	Severity    string
	VendorID    string
	Inactive    bool
	Severities  []registry.Severity
	Vendors     []registry.Vendor
	VendorNames map[string]string
	TeamNames   map[string]string
}

// ruleForm is what the rule form shows, as typed.
type ruleForm struct {
	Name, Text, VendorID, Severity, SLADays, OwnerTeamID, AlertChannel string
}

// rulePage is the data of the new-rule and rule pages.
type rulePage struct {
	New         bool
	Rule        registry.Rule
	Form        ruleForm
	Severities  []registry.Severity
	Vendors     []registry.Vendor
	Teams       []teamChoice
	VendorNames map[string]string
	TeamNames   map[string]string
}

func ruleFormOf(r registry.Rule) ruleForm {
	f := ruleForm{Name: r.Name, Text: r.Text, VendorID: r.VendorID, Severity: string(r.Severity), OwnerTeamID: r.OwnerTeamID,
		AlertChannel: r.AlertChannel}
	if r.SLADays != nil {
		f.SLADays = strconv.Itoa(*r.SLADays)
	}
	return f
}

func readRuleForm(r *http.Request) ruleForm {
	return ruleForm{Name: r.PostFormValue("name"), Text: r.PostFormValue("text"), VendorID: r.PostFormValue("vendor_id"),
		Severity: r.PostFormValue("severity"), SLADays: strings.TrimSpace(r.PostFormValue("sla_days")),
		OwnerTeamID: r.PostFormValue("owner_team_id"), AlertChannel: r.PostFormValue("alert_channel")}
}

// change turns the form into a change of a rule; an SLA that is not a number
// is reported as a field error.
func (f ruleForm) change() (func(*registry.Rule), error) {
	var sla *int
	if f.SLADays != "" {
		d, err := strconv.Atoi(f.SLADays)
		if err != nil {
			var v apperr.Validation
			v.Add("sla_days", "must be a whole number of days, or empty for the vendor tier's default")
			return nil, v.Err()
		}
		sla = &d
	}
	return func(r *registry.Rule) {
		r.Name, r.Text, r.VendorID, r.Severity = f.Name, f.Text, f.VendorID, registry.Severity(f.Severity)
		r.SLADays, r.OwnerTeamID, r.AlertChannel = sla, f.OwnerTeamID, f.AlertChannel
	}, nil
}

func (s *Server) uiRules(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	q := r.URL.Query()
	data := rulesPage{Q: q.Get("q"), Severity: q.Get("severity"), VendorID: q.Get("vendor_id"), Inactive: q.Get("inactive") == "1",
		Severities: registry.Severities}
	rules, next, err := s.Registry.ListRules(r.Context(), p, registry.RuleFilter{Query: data.Q, Severity: registry.Severity(data.Severity),
		VendorID: data.VendorID, IncludeInactive: data.Inactive, Cursor: q.Get("cursor")})
	if err != nil {
		return err
	}
	data.Rules = rules
	if next != "" {
		data.Next = withCursor(r.URL, next)
	}
	if data.Vendors, err = s.Registry.AllVendors(r.Context(), p, true); err != nil {
		return err
	}
	data.VendorNames = map[string]string{}
	for _, v := range data.Vendors {
		data.VendorNames[v.ID] = v.Name
	}
	if _, data.TeamNames, err = s.registryTeams(r.Context(), p); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "rules.html", View{Title: "Rules", Nav: "rules", Data: data})
	return nil
}

// renderRule shows the rule form; ru is the stored rule (zero for a new one).
func (s *Server) renderRule(w http.ResponseWriter, r *http.Request, p auth.Principal, status int, ru registry.Rule, f ruleForm, formErr error) error {
	ctx := r.Context()
	data := rulePage{New: ru.ID == "", Rule: ru, Form: f, Severities: registry.Severities, VendorNames: map[string]string{}}
	all, err := s.Registry.AllVendors(ctx, p, true)
	if err != nil {
		return err
	}
	for _, v := range all {
		data.VendorNames[v.ID] = v.Name
		if v.IsActive || v.ID == f.VendorID || v.ID == ru.VendorID {
			data.Vendors = append(data.Vendors, v)
		}
	}
	if data.Teams, data.TeamNames, err = s.registryTeams(ctx, p); err != nil {
		return err
	}
	title := ru.Name
	if data.New {
		title = "New rule"
	}
	s.render(w, r, status, "rule.html", registryFormView(View{Title: title, Nav: "rules", Data: data}, formErr))
	return nil
}

func (s *Server) uiNewRule(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	f := ruleForm{Severity: string(registry.SeverityHigh), VendorID: r.URL.Query().Get("vendor_id")}
	return s.renderRule(w, r, p, http.StatusOK, registry.Rule{}, f, nil)
}

func (s *Server) uiCreateRule(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	f := readRuleForm(r)
	change, err := f.change()
	var ru registry.Rule
	if err == nil {
		var in registry.Rule
		change(&in)
		ru, err = s.Registry.CreateRule(r.Context(), p, in)
	}
	if formFailure(err) {
		return s.renderRule(w, r, p, Status(err), registry.Rule{}, f, err)
	}
	if err != nil {
		return err
	}
	s.flash(r, "Rule "+ru.Name+" created.")
	redirect(w, r, "/rules/"+ru.ID)
	return nil
}

func (s *Server) uiRule(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	ru, err := s.Registry.Rule(r.Context(), p, r.PathValue("id"))
	if err != nil {
		return err
	}
	return s.renderRule(w, r, p, http.StatusOK, ru, ruleFormOf(ru), nil)
}

func (s *Server) uiUpdateRule(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	id := r.PathValue("id")
	f := readRuleForm(r)
	change, err := f.change()
	var ru registry.Rule
	if err == nil {
		ru, err = s.Registry.UpdateRule(r.Context(), p, id, change)
	}
	if formFailure(err) {
		cur, lerr := s.Registry.Rule(r.Context(), p, id)
		if lerr != nil {
			return lerr
		}
		return s.renderRule(w, r, p, Status(err), cur, f, err)
	}
	if err != nil {
		return err
	}
	s.flash(r, "Saved rule "+ru.Name+".")
	redirect(w, r, "/rules/"+ru.ID)
	return nil
}

// uiRuleActive deactivates (active=0) or reactivates (active=1) a rule.
func (s *Server) uiRuleActive(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	active := r.PostFormValue("active") == "1"
	ru, err := s.Registry.UpdateRule(r.Context(), p, r.PathValue("id"), func(r *registry.Rule) { r.IsActive = active })
	if err != nil {
		return err
	}
	if active {
		s.flash(r, "Rule "+ru.Name+" is active again.")
	} else {
		s.flash(r, "Rule "+ru.Name+" is deactivated: triage no longer applies it.")
	}
	redirect(w, r, "/rules/"+ru.ID)
	return nil
}
