package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/ingest"
	"github.com/vendorsync/vendorsync/internal/registry"
)

// ingestRow is one vendor on the ingest overview, with its counts and its
// traffic's sums over the last ingest.TrafficHours (duplicates, conflicts
// and refused requests).
type ingestRow struct {
	ingest.VendorSetup
	Counts map[ingest.Status]int
	Total  int
	Recent ingest.HourCounts
}

// ingestPage is the ingest overview: vendors set up, and the vendors that
// could be.
type ingestPage struct {
	Rows      []ingestRow
	Available []registry.Vendor
	Form      ingest.VendorSettings
	VendorID  string
	Statuses  []ingest.Status
	BaseURL   string
}

func (s *Server) uiIngest(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	return s.renderIngest(w, r, p, http.StatusOK, ingestPage{}, nil)
}

func (s *Server) renderIngest(w http.ResponseWriter, r *http.Request, p auth.Principal, status int, data ingestPage, formErr error) error {
	vs, err := s.Ingest.Vendors(r.Context(), p)
	if err != nil {
		return err
	}
	set := map[string]bool{}
	for _, v := range vs {
		d, err := s.Ingest.Vendor(r.Context(), p, v.VendorID)
		if err != nil {
			return err
		}
		tr, err := s.Ingest.VendorTraffic(r.Context(), p, v.VendorID)
		if err != nil {
			return err
		}
		row := ingestRow{VendorSetup: v, Counts: d.Counts, Recent: tr.Total}
		for _, n := range d.Counts {
			row.Total += n
		}
		data.Rows = append(data.Rows, row)
		set[v.VendorID] = true
	}
	all, _, err := s.Registry.ListVendors(r.Context(), p, registry.VendorFilter{Limit: 500})
	if err != nil {
		return err
	}
	for _, v := range all {
		if !set[v.ID] {
			data.Available = append(data.Available, v)
		}
	}
	data.Statuses, data.BaseURL = ingest.Statuses, s.BaseURL
	s.render(w, r, status, "ingest.html", viewWithErr(View{Title: "Ingest", Nav: "ingest", Data: data}, formErr))
	return nil
}

func ingestSettingsForm(r *http.Request) ingest.VendorSettings {
	f := ingest.VendorSettings{VendorKey: strings.TrimSpace(r.PostFormValue("vendor_key"))}
	f.RatePerSecond, _ = strconv.ParseFloat(r.PostFormValue("rate_per_second"), 64) // empty or unreadable: the default, or the check's message
	f.Burst, _ = strconv.Atoi(r.PostFormValue("burst"))
	f.MaxPayloadBytes, _ = strconv.ParseInt(r.PostFormValue("max_payload_bytes"), 10, 64)
	return f
}

// uiSetUpIngest sets a registry vendor up for ingest from the overview.
func (s *Server) uiSetUpIngest(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	f, id := ingestSettingsForm(r), r.PostFormValue("vendor_id")
	v, err := s.Ingest.Configure(r.Context(), p, id, f)
	if formFailure(err) {
		return s.renderIngest(w, r, p, Status(err), ingestPage{Form: f, VendorID: id}, err)
	}
	if err != nil {
		return err
	}
	s.flash(r, v.VendorName+" can now send events as vendorId "+v.VendorKey+". Create an ingest key or a signing secret for it below.")
	redirect(w, r, "/ingest/vendors/"+v.VendorID)
	return nil
}

// ingestVendorPage is a vendor's ingest page.
type ingestVendorPage struct {
	ingest.VendorDetail
	Total     int
	Statuses  []ingest.Status
	Status    string
	Events    []ingest.Event
	Next      string
	Form      ingest.VendorSettings
	NewKey    string
	NewSecret string
	HookURL   string
	Quality   []ingest.Quality
	Drifts    []ingest.Drift
	Traffic   trafficChart
}

func (s *Server) uiIngestVendor(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	return s.renderIngestVendor(w, r, p, http.StatusOK, ingestVendorPage{}, nil)
}

func (s *Server) renderIngestVendor(w http.ResponseWriter, r *http.Request, p auth.Principal, status int, data ingestVendorPage, formErr error) error {
	d, err := s.Ingest.Vendor(r.Context(), p, r.PathValue("id"))
	if err != nil {
		return err
	}
	data.VendorDetail = d
	for _, n := range d.Counts {
		data.Total += n
	}
	if data.Form.VendorKey == "" {
		data.Form = ingest.VendorSettings{VendorKey: d.VendorKey, RatePerSecond: d.RatePerSecond, Burst: d.Burst, MaxPayloadBytes: d.MaxPayloadBytes}
	}
	q := r.URL.Query()
	data.Status, data.Statuses = q.Get("status"), ingest.Statuses
	evs, next, err := s.Ingest.Events(r.Context(), p, ingest.Filter{VendorID: d.VendorID, Status: ingest.Status(data.Status), Cursor: q.Get("cursor")})
	if err != nil {
		return err
	}
	data.Events = evs
	if next != "" {
		data.Next = withCursor(r.URL, next)
	}
	path, err := s.Ingest.HookPath(r.Context(), d.VendorSetup)
	if err != nil {
		return err
	}
	data.HookURL = strings.TrimSuffix(s.BaseURL, "/") + path
	if data.Quality, err = s.Ingest.VendorQuality(r.Context(), p, d.VendorID); err != nil {
		return err
	}
	if data.Drifts, err = s.Ingest.Drifts(r.Context(), p, d.VendorID, false); err != nil {
		return err
	}
	tr, err := s.Ingest.VendorTraffic(r.Context(), p, d.VendorID)
	if err != nil {
		return err
	}
	data.Traffic = newTrafficChart(tr)
	s.render(w, r, status, "ingest_vendor.html", viewWithErr(View{Title: "Ingest · " + d.VendorName, Nav: "ingest", Data: data}, formErr))
	return nil
}

func (s *Server) uiSaveIngestVendor(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	f := ingestSettingsForm(r)
	_, err := s.Ingest.Configure(r.Context(), p, r.PathValue("id"), f)
	if formFailure(err) {
		return s.renderIngestVendor(w, r, p, Status(err), ingestVendorPage{Form: f}, err)
	}
	if err != nil {
		return err
	}
	s.flash(r, "Ingest settings saved.")
	redirect(w, r, "/ingest/vendors/"+r.PathValue("id"))
	return nil
}

func (s *Server) uiCreateIngestKey(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	_, full, err := s.Ingest.CreateKey(r.Context(), p, r.PathValue("id"), r.PostFormValue("name"), nil)
	if formFailure(err) {
		return s.renderIngestVendor(w, r, p, Status(err), ingestVendorPage{}, err)
	}
	if err != nil {
		return err
	}
	return s.renderIngestVendor(w, r, p, http.StatusOK, ingestVendorPage{NewKey: full}, nil)
}

func (s *Server) uiCreateIngestSecret(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	_, value, err := s.Ingest.CreateSecret(r.Context(), p, r.PathValue("id"))
	if err != nil {
		return err
	}
	return s.renderIngestVendor(w, r, p, http.StatusOK, ingestVendorPage{NewSecret: value}, nil)
}

func (s *Server) uiRevokeIngestSecret(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	if err := s.Ingest.RevokeSecret(r.Context(), p, r.PathValue("id"), r.PathValue("secret_id")); err != nil {
		return err
	}
	s.flash(r, "Signing secret revoked; deliveries signed with it now fail.")
	redirect(w, r, "/ingest/vendors/"+r.PathValue("id"))
	return nil
}

func (s *Server) uiAcknowledgeIngestDrift(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	if _, err := s.Ingest.AcknowledgeDrift(r.Context(), p, r.PathValue("id"), r.PathValue("drift_id")); err != nil {
		return err
	}
	s.flash(r, "Drift acknowledged.")
	redirect(w, r, "/ingest/vendors/"+r.PathValue("id")+"#drift")
	return nil
}

// ingestEventPage is one event with its raw bytes.
type ingestEventPage struct {
	Event      ingest.Event
	VendorName string // the registry vendor's name
	Raw        string
	Pretty     string
	// Normalized is the event's canonical event with its revisions, when
	// it is NORMALIZED.
	Normalized *ingest.NormalizedHistory
	Revisions  []revisionView
}

// revisionView is one revision of a normalized event, indented.
type revisionView struct {
	Number  int
	BlobKey string
	SHA256  string
	Missing string
	Pretty  string
}

func (s *Server) uiIngestEvent(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	e, err := s.Ingest.Event(r.Context(), p, r.PathValue("id"))
	if err != nil {
		return err
	}
	v, err := s.Ingest.Vendor(r.Context(), p, e.VendorID)
	if err != nil {
		return err
	}
	data := ingestEventPage{Event: e, VendorName: v.VendorName, Raw: string(e.Raw)}
	var b bytes.Buffer
	if json.Indent(&b, e.Raw, "", "  ") == nil {
		data.Pretty = b.String()
	}
	h, err := s.Ingest.NormalizedWithRevisions(r.Context(), p, e.ID)
	switch {
	case err == nil:
		data.Normalized = &h
		for _, rev := range h.Revisions {
			v := revisionView{Number: rev.Revision, BlobKey: rev.BlobKey, SHA256: rev.SHA256, Missing: rev.Missing}
			var rb bytes.Buffer
			if len(rev.Body) > 0 && json.Indent(&rb, rev.Body, "", "  ") == nil {
				v.Pretty = rb.String()
			}
			data.Revisions = append(data.Revisions, v)
		}
	case !apperr.Is(err, apperr.NotFound):
		return err
	}
	s.render(w, r, http.StatusOK, "ingest_event.html", View{Title: "Event " + e.ExternalEventID, Nav: "ingest", Data: data})
	return nil
}
