package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/ingest"
)

// ingestRulesPage is a vendor's schemas and mappings, with the forms to
// upload a schema, save a mapping and try one.
type ingestRulesPage struct {
	Vendor     ingest.VendorDetail
	Schemas    []ingest.Schema
	Mappings   []ingest.Mapping
	Canonical  []IngestCanonicalType
	SchemaForm ingest.SchemaInput
	SchemaText string
	MapForm    ingest.MappingInput
	Samples    string
	Trial      IngestMappingTrial
	Preview    *ingest.MappingPreview
	PreviewOut string // the preview's data, indented
	TrialError string // why the trial could not run at all
	FormName   string // which form the field errors belong to
}

func (s *Server) uiIngestRules(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	return s.renderIngestRules(w, r, p, http.StatusOK, ingestRulesPage{}, nil)
}

func (s *Server) renderIngestRules(w http.ResponseWriter, r *http.Request, p auth.Principal, status int, data ingestRulesPage, formErr error) error {
	ctx := r.Context()
	d, err := s.Ingest.Vendor(ctx, p, r.PathValue("id"))
	if err != nil {
		return err
	}
	data.Vendor = d
	schemas, err := s.Ingest.Schemas(ctx, p)
	if err != nil {
		return err
	}
	for _, sc := range schemas {
		if sc.Kind == ingest.SchemaVendor && sc.VendorID == d.VendorID {
			data.Schemas = append(data.Schemas, sc)
		}
	}
	data.Canonical = canonicalTypes(schemas)
	ms, err := s.Ingest.Mappings(ctx, p)
	if err != nil {
		return err
	}
	for _, m := range ms {
		if m.VendorID == d.VendorID {
			data.Mappings = append(data.Mappings, m)
		}
	}
	if data.MapForm.TargetVersion == "" {
		data.MapForm.TargetVersion = "1.0"
	}
	if data.Trial.TargetVersion == "" {
		data.Trial.TargetVersion = "1.0"
	}
	s.render(w, r, status, "ingest_rules.html", viewWithErr(View{Title: "Schemas and mappings · " + d.VendorName, Nav: "ingest", Data: data}, formErr))
	return nil
}

// requireIngestVendor answers 404 for a vendor not set up for ingest in
// the caller's tenant, before any form is read.
func (s *Server) requireIngestVendor(r *http.Request, p auth.Principal) (ingest.VendorDetail, error) {
	return s.Ingest.Vendor(r.Context(), p, r.PathValue("id"))
}

func (s *Server) uiUploadIngestSchema(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	v, err := s.requireIngestVendor(r, p)
	if err != nil {
		return err
	}
	text := r.PostFormValue("schema")
	in := ingest.SchemaInput{Kind: ingest.SchemaVendor, VendorID: v.VendorID, EventType: strings.TrimSpace(r.PostFormValue("event_type")),
		SchemaVersion: strings.TrimSpace(r.PostFormValue("schema_version")), Schema: json.RawMessage(text)}
	sc, err := s.Ingest.UploadSchema(r.Context(), p, in)
	if formFailure(err) {
		return s.renderIngestRules(w, r, p, Status(err), ingestRulesPage{SchemaForm: in, SchemaText: text, FormName: "schema"}, err)
	}
	if err != nil {
		return err
	}
	s.flash(r, fmt.Sprintf("Schema %s %s saved as revision %d. Replay quarantined events to apply it.", sc.EventType, sc.SchemaVersion, sc.Revision))
	redirect(w, r, "/ingest/vendors/"+v.VendorID+"/mappings")
	return nil
}

// readSamples reads the samples field: one JSON object, or a JSON array of
// them; empty is none.
func readSamples(text string) ([]json.RawMessage, error) {
	t := strings.TrimSpace(text)
	if t == "" {
		return nil, nil
	}
	if strings.HasPrefix(t, "[") {
		var out []json.RawMessage
		if err := json.Unmarshal([]byte(t), &out); err != nil {
			return nil, fieldError("samples", "must be a JSON object or an array of JSON objects: %v", err)
		}
		return out, nil
	}
	if !json.Valid([]byte(t)) {
		return nil, fieldError("samples", "must be a JSON object or an array of JSON objects")
	}
	return []json.RawMessage{json.RawMessage(t)}, nil
}

func mappingForm(r *http.Request, vendorID string) ingest.MappingInput {
	return ingest.MappingInput{VendorID: vendorID, EventType: strings.TrimSpace(r.PostFormValue("event_type")),
		TargetType: strings.TrimSpace(r.PostFormValue("target_type")), TargetVersion: strings.TrimSpace(r.PostFormValue("target_version")),
		Expression: r.PostFormValue("expression")}
}

func (s *Server) uiSaveIngestMapping(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	v, err := s.requireIngestVendor(r, p)
	if err != nil {
		return err
	}
	in := mappingForm(r, v.VendorID)
	text := r.PostFormValue("samples")
	in.Samples, err = readSamples(text)
	var m ingest.Mapping
	if err == nil {
		m, err = s.Ingest.SaveMapping(r.Context(), p, in)
	}
	if formFailure(err) {
		return s.renderIngestRules(w, r, p, Status(err), ingestRulesPage{MapForm: in, Samples: text, FormName: "mapping"}, err)
	}
	if err != nil {
		return err
	}
	s.flash(r, fmt.Sprintf("Mapping %s → %s saved as version %d. Replay quarantined events to apply it.", m.EventType, m.TargetType, m.Version))
	redirect(w, r, "/ingest/vendors/"+v.VendorID+"/mappings")
	return nil
}

// uiTryIngestMapping runs the form's mapping on the form's payload and
// shows the page with what it gave. The preview is the answer whatever
// the mapping makes of the payload, so the page answers 200: an expression
// that does not compile, or a payload that is not JSON, is shown on the
// page as the preview's error.
func (s *Server) uiTryIngestMapping(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	v, err := s.requireIngestVendor(r, p)
	if err != nil {
		return err
	}
	m := mappingForm(r, v.VendorID)
	trial := IngestMappingTrial{VendorID: v.VendorID, EventType: m.EventType, SchemaVersion: strings.TrimSpace(r.PostFormValue("schema_version")),
		TargetType: m.TargetType, TargetVersion: m.TargetVersion, Expression: m.Expression, PayloadText: r.PostFormValue("payload")}
	data := ingestRulesPage{Trial: trial, MapForm: m}
	mi, payload := trial.input()
	pv, err := s.Ingest.PreviewMapping(r.Context(), p, mi, trial.SchemaVersion, payload)
	switch {
	case formFailure(err):
		data.TrialError = trialMessage(err)
	case err != nil:
		return err
	default:
		data.Preview = &pv
		var b bytes.Buffer
		if len(pv.Data) > 0 && json.Indent(&b, pv.Data, "", "  ") == nil {
			data.PreviewOut = b.String()
		}
	}
	return s.renderIngestRules(w, r, p, http.StatusOK, data, nil)
}

// trialMessage spells out a refused trial, field by field.
func trialMessage(err error) string {
	fields := formErrors(err)
	if len(fields) == 0 {
		return apperr.MessageOf(err)
	}
	var parts []string
	for _, f := range []string{"expression", "event_type", "target_type", "target_version", "vendor_id"} {
		if msg, ok := fields[f]; ok {
			parts = append(parts, strings.ReplaceAll(f, "_", " ")+" "+msg)
			delete(fields, f)
		}
	}
	for f, msg := range fields {
		parts = append(parts, f+" "+msg)
	}
	return strings.Join(parts, "; ")
}

// quarantinePage is the quarantine with its filters.
type quarantinePage struct {
	Events   []ingest.Event
	Next     string
	Vendors  []ingest.VendorSetup
	Names    map[string]string // registry vendor id → vendor name
	Reasons  []string
	Filter   quarantineFilter
	Query    string // the filter as a query string, to come back to
	Statuses []ingest.Status
}

// quarantineFilter is the quarantine page's filter form.
type quarantineFilter struct {
	VendorID, EventType, Reason, Status, Since, Until string
}

func readQuarantineFilter(v url.Values) quarantineFilter {
	return quarantineFilter{VendorID: strings.TrimSpace(v.Get("vendor_id")), EventType: strings.TrimSpace(v.Get("event_type")),
		Reason: v.Get("reason"), Status: v.Get("status"), Since: strings.TrimSpace(v.Get("since")), Until: strings.TrimSpace(v.Get("until"))}
}

func (f quarantineFilter) values() url.Values {
	v := url.Values{}
	for k, x := range map[string]string{"vendor_id": f.VendorID, "event_type": f.EventType, "reason": f.Reason, "status": f.Status,
		"since": f.Since, "until": f.Until} {
		if x != "" {
			v.Set(k, x)
		}
	}
	return v
}

// formDay reads a date (2006-01-02) or an RFC 3339 time from a filter form;
// until dates include their whole day.
func formDay(field, s string, end bool) (*time.Time, error) {
	if s == "" {
		return nil, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return &t, nil
	}
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return nil, fieldError(field, "must be a date (2006-01-02) or an RFC 3339 time")
	}
	if end {
		t = t.AddDate(0, 0, 1)
	}
	return &t, nil
}

func (f quarantineFilter) window() (since, until *time.Time, err error) {
	if since, err = formDay("since", f.Since, false); err != nil {
		return nil, nil, err
	}
	until, err = formDay("until", f.Until, true)
	return since, until, err
}

func (s *Server) uiQuarantine(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	q := r.URL.Query()
	data := quarantinePage{Filter: readQuarantineFilter(q), Reasons: ingest.Reasons,
		Statuses: []ingest.Status{ingest.Quarantined, ingest.FailedNormalize}}
	data.Query = data.Filter.values().Encode()
	vs, err := s.Ingest.Vendors(r.Context(), p)
	if err != nil {
		return err
	}
	data.Vendors = vs
	data.Names = make(map[string]string, len(vs))
	for _, v := range vs {
		data.Names[v.VendorID] = v.VendorName
	}
	since, until, ferr := data.Filter.window()
	if ferr == nil {
		var next string
		data.Events, next, ferr = s.Ingest.Quarantine(r.Context(), p, ingest.Filter{VendorID: data.Filter.VendorID,
			EventType: data.Filter.EventType, Reason: data.Filter.Reason, Status: ingest.Status(data.Filter.Status),
			Since: since, Until: until, Cursor: q.Get("cursor")})
		if next != "" {
			data.Next = withCursor(r.URL, next)
		}
	}
	status := http.StatusOK
	if ferr != nil {
		if !formFailure(ferr) {
			return ferr
		}
		status = Status(ferr)
	}
	s.render(w, r, status, "ingest_quarantine.html", viewWithErr(View{Title: "Quarantine", Nav: "quarantine", Data: data}, ferr))
	return nil
}

// replayFlash tells what a replay did.
func replayFlash(res ingest.ReplayResult) string {
	if res.Selected == 0 {
		return "Nothing to replay: no event matches."
	}
	noun := "events"
	if res.Selected == 1 {
		noun = "event"
	}
	return fmt.Sprintf("Replayed %d %s: %d normalized, %d quarantined, %d failed.", res.Selected, noun, res.Normalized, res.Quarantined, res.FailedNormalize)
}

// uiReplayQuarantine replays the quarantine as filtered, then goes back to
// it with what the replay did.
func (s *Server) uiReplayQuarantine(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	f := readQuarantineFilter(r.PostForm)
	back := "/ingest/quarantine"
	if q := f.values().Encode(); q != "" {
		back += "?" + q
	}
	since, until, err := f.window()
	if err == nil {
		sel := ingest.Selection{VendorID: f.VendorID, EventType: f.EventType, Reason: f.Reason, Status: ingest.Status(f.Status),
			Since: since, Until: until, Quarantine: f.Status == ""}
		var res ingest.ReplayResult
		if res, err = s.Ingest.Replay(r.Context(), p, sel); err == nil && res.Job != nil {
			s.flash(r, fmt.Sprintf("%d events are replaying in the background.", res.Job.Total))
			back = "/ingest/replays/" + res.Job.ID
		} else if err == nil {
			s.flash(r, replayFlash(res))
		}
	}
	if formFailure(err) {
		s.flash(r, "Not replayed: "+apperr.MessageOf(err))
	} else if err != nil {
		return err
	}
	redirect(w, r, back)
	return nil
}

// uiReplayIngestEvent replays one event and goes back where the button
// was (the quarantine, or the event).
func (s *Server) uiReplayIngestEvent(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	id := r.PathValue("id")
	res, err := s.Ingest.Replay(r.Context(), p, ingest.Selection{IngestID: id})
	if err != nil {
		return err
	}
	s.flash(r, replayFlash(res))
	back := r.PostFormValue("back")
	if !strings.HasPrefix(back, "/ingest/") || strings.HasPrefix(back, "//") || strings.ContainsAny(back, "\\\r\n") {
		back = "/ingest/events/" + id
	}
	redirect(w, r, back)
	return nil
}

// fieldError is a form error on one field.
func fieldError(field, format string, args ...any) error {
	var v apperr.Validation
	v.Add(field, format, args...)
	return v.Err()
}
