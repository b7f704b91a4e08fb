package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/setting"
)

// settingsForm is the settings form as typed, so that a rejected value is
// shown back as the user wrote it.
type settingsForm struct {
	Timezone, WorkStart, WorkEnd, Thresholds string
	Tier1, Tier2, Tier3, Retention           string
	MinConfidence                            string
	// Reports is set when the form carries the report settings.
	Reports                     bool
	LegalName, Locale, Currency string
	AutoProvision               bool
	DefaultRole                 auth.Role
}

// settingsPage is the data of the settings page.
type settingsPage struct {
	Form       settingsForm
	Roles      []auth.Role // roles auto-provisioned accounts may get
	Locales    []string
	Secrets    []setting.SecretInfo
	ShowSecret bool
	SSO        bool
}

func formOf(st setting.Settings) settingsForm {
	ts := make([]string, len(st.EscalationThresholdsDays))
	for i, d := range st.EscalationThresholdsDays {
		ts[i] = strconv.Itoa(d)
	}
	return settingsForm{Timezone: st.Timezone, WorkStart: st.WorkingHours.Start, WorkEnd: st.WorkingHours.End,
		Thresholds: strings.Join(ts, ", "), Tier1: strconv.Itoa(st.SLADaysByTier.Tier1), Tier2: strconv.Itoa(st.SLADaysByTier.Tier2),
		Tier3: strconv.Itoa(st.SLADaysByTier.Tier3), Retention: strconv.Itoa(st.AuditRetentionDays),
		AutoProvision: st.AutoProvision, DefaultRole: st.DefaultRole, MinConfidence: strconv.Itoa(st.MinConfidencePercent),
		Reports: true, LegalName: st.LegalName, Locale: st.Locale, Currency: st.Currency}
}

// patch parses the form; numbers that do not parse are field errors.
func (f settingsForm) patch() (setting.Patch, error) {
	var v apperr.Validation
	num := func(field, s string) int {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			v.Add(field, "must be a whole number of days")
		}
		return n
	}
	var ts []int
	for _, part := range strings.FieldsFunc(f.Thresholds, func(r rune) bool { return r == ',' || r == ' ' }) {
		ts = append(ts, num(setting.KeyThresholdsDays, part))
	}
	if ts == nil {
		ts = []int{}
	}
	tiers := setting.SLADays{Tier1: num(setting.KeySLADaysByTier+".tier_1", f.Tier1),
		Tier2: num(setting.KeySLADaysByTier+".tier_2", f.Tier2), Tier3: num(setting.KeySLADaysByTier+".tier_3", f.Tier3)}
	retention := num(setting.KeyAuditRetentionDays, f.Retention)
	var confidence *int // left as it is when the form does not carry it
	if c := strings.TrimSpace(f.MinConfidence); c != "" {
		n, err := strconv.Atoi(c)
		if err != nil {
			v.Add(setting.KeyMinConfidence, "must be a whole number from 0 to 100")
		}
		confidence = &n
	}
	tz := strings.TrimSpace(f.Timezone)
	wh := setting.WorkingHours{Start: strings.TrimSpace(f.WorkStart), End: strings.TrimSpace(f.WorkEnd)}
	auto, role := f.AutoProvision, f.DefaultRole
	p := setting.Patch{Timezone: &tz, WorkingHours: &wh, EscalationThresholdsDays: &ts, SLADaysByTier: &tiers,
		AuditRetentionDays: &retention, AutoProvision: &auto, DefaultRole: &role, MinConfidencePercent: confidence}
	if f.Reports { // left as they are when the form does not carry them
		legal, locale, currency := f.LegalName, f.Locale, f.Currency
		p.LegalName, p.Locale, p.Currency = &legal, &locale, &currency
	}
	return p, v.Err()
}

func (s *Server) uiSettings(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	svc, err := s.settings()
	if err != nil {
		return err
	}
	st, err := svc.Get(r.Context(), p.TenantID)
	if err != nil {
		return err
	}
	return s.renderSettings(w, r, p, http.StatusOK, formOf(st), nil)
}

func (s *Server) renderSettings(w http.ResponseWriter, r *http.Request, p auth.Principal, status int, f settingsForm, formErr error) error {
	data := settingsPage{Form: f, Roles: auth.Roles[1:], Locales: setting.ReportLocales,
		ShowSecret: p.Can(auth.PermEditIntegrations) && s.Secrets != nil, SSO: s.ssoEnabled()}
	if data.ShowSecret {
		list, err := s.Secrets.List(r.Context(), p)
		if err != nil {
			return err
		}
		data.Secrets = list
	}
	s.render(w, r, status, "settings.html", viewWithErr(View{Title: "Settings", Nav: "settings", Data: data}, formErr))
	return nil
}

func (s *Server) uiSaveSettings(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	svc, err := s.settings()
	if err != nil {
		return err
	}
	f := settingsForm{Timezone: r.PostFormValue("timezone"), WorkStart: r.PostFormValue("work_start"), WorkEnd: r.PostFormValue("work_end"),
		Thresholds: r.PostFormValue("thresholds"), Tier1: r.PostFormValue("tier_1"), Tier2: r.PostFormValue("tier_2"),
		Tier3: r.PostFormValue("tier_3"), Retention: r.PostFormValue("retention"), MinConfidence: r.PostFormValue("min_confidence"),
		AutoProvision: r.PostFormValue("auto_provision") == "on", DefaultRole: auth.Role(r.PostFormValue("default_role")),
		Reports: r.PostForm.Has("report_locale"), LegalName: r.PostFormValue("legal_name"), Locale: r.PostFormValue("report_locale"),
		Currency: r.PostFormValue("report_currency")}
	patch, err := f.patch()
	if err == nil {
		_, err = svc.Update(r.Context(), p, patch)
	}
	if formFailure(err) {
		return s.renderSettings(w, r, p, Status(err), f, err)
	}
	if err != nil {
		return err
	}
	s.flash(r, "Settings saved.")
	redirect(w, r, "/settings")
	return nil
}

func (s *Server) uiPutSecret(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	svc, err := s.secrets()
	if err != nil {
		return err
	}
	name := strings.TrimSpace(r.PostFormValue("secret_name"))
	_, err = svc.Put(r.Context(), p, name, r.PostFormValue("secret_value"))
	if formFailure(err) {
		st, gerr := s.settingsOrDefaults(r, p)
		if gerr != nil {
			return gerr
		}
		return s.renderSettings(w, r, p, Status(err), formOf(st), prefixFields(err, "secret_"))
	}
	if err != nil {
		return err
	}
	s.flash(r, "Secret "+name+" saved. Its value is encrypted and never shown again.")
	redirect(w, r, "/settings#secrets")
	return nil
}

func (s *Server) uiDeleteSecret(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	svc, err := s.secrets()
	if err != nil {
		return err
	}
	name := r.PathValue("name")
	if err := svc.Delete(r.Context(), p, name); err != nil {
		return err
	}
	s.flash(r, "Secret "+name+" deleted.")
	redirect(w, r, "/settings#secrets")
	return nil
}

// settingsOrDefaults reads the settings for a page that needs to show them.
func (s *Server) settingsOrDefaults(r *http.Request, p auth.Principal) (setting.Settings, error) {
	if s.Settings == nil || !p.Can(auth.PermManageSettings) {
		return setting.Defaults(), nil
	}
	return s.Settings.Get(r.Context(), p.TenantID)
}

// prefixFields renames an error's fields, so that the secret form's "name"
// does not collide with other forms on the page.
func prefixFields(err error, prefix string) error {
	fields := apperr.FieldsOf(err)
	if len(fields) == 0 {
		return err
	}
	out := make([]apperr.FieldError, len(fields))
	for i, f := range fields {
		out[i] = apperr.FieldError{Field: prefix + f.Field, Message: f.Message}
	}
	return &apperr.Error{Code: apperr.CodeOf(err), Message: apperr.MessageOf(err), Fields: out, Err: err}
}
