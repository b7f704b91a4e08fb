package web

import (
	"net/http"
	"slices"
	"strings"

	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/registry"
	"github.com/vendorsync/vendorsync/internal/tracker/link"
)

// applicationsPage is the data of the application list.
type applicationsPage struct {
	Apps        []registry.Application
	Next        string
	Q           string
	VendorID    string
	TeamID      string
	Inactive    bool
	Vendors     []registry.Vendor // for the filter
	Teams       []teamChoice
	VendorNames map[string]string
	TeamNames   map[string]string
}

// applicationForm is what the application form shows, as typed.
type applicationForm struct {
	Name, Description, OwnerTeamID                     string
	IsCritical, CreatesTrackerIssue                    bool
	VendorIDs                                          []string
	TrackerProjectKey, TrackerIssueType, TrackerLabels string
	TrackerDefaultAssignee, TrackerConnectionID        string
}

// applicationPage is the data of the new-application and application pages.
type applicationPage struct {
	New         bool
	App         registry.Application
	Form        applicationForm
	Vendors     []registry.Vendor // choices: active ones and any already linked
	Teams       []teamChoice
	VendorNames map[string]string
	TeamNames   map[string]string
	// Connections are the tracker connections to route to.
	Connections []link.Connection
}

func applicationFormOf(a registry.Application) applicationForm {
	return applicationForm{Name: a.Name, Description: a.Description, OwnerTeamID: a.OwnerTeamID, IsCritical: a.IsCritical,
		CreatesTrackerIssue: a.CreatesTrackerIssue, VendorIDs: a.VendorIDs, TrackerProjectKey: a.TrackerProjectKey,
		TrackerIssueType: a.TrackerIssueType, TrackerLabels: strings.Join(a.TrackerLabels, ", "),
		TrackerDefaultAssignee: a.TrackerDefaultAssignee, TrackerConnectionID: a.TrackerConnectionID}
}

func readApplicationForm(r *http.Request) applicationForm {
	return applicationForm{Name: r.PostFormValue("name"), Description: r.PostFormValue("description"),
		OwnerTeamID: r.PostFormValue("owner_team_id"), IsCritical: r.PostFormValue("is_critical") == "on",
		CreatesTrackerIssue: r.PostFormValue("creates_tracker_issue") == "on", VendorIDs: r.PostForm["vendor_ids"],
		TrackerProjectKey: r.PostFormValue("tracker_project_key"), TrackerIssueType: r.PostFormValue("tracker_issue_type"),
		TrackerLabels: r.PostFormValue("tracker_labels"), TrackerDefaultAssignee: r.PostFormValue("tracker_default_assignee"),
		TrackerConnectionID: r.PostFormValue("tracker_connection_id")}
}

// apply copies the form's fields into a.
func (f applicationForm) apply(a *registry.Application) {
	a.Name, a.Description, a.OwnerTeamID, a.IsCritical = f.Name, f.Description, f.OwnerTeamID, f.IsCritical
	a.VendorIDs, a.CreatesTrackerIssue = f.VendorIDs, f.CreatesTrackerIssue
	a.TrackerProjectKey, a.TrackerIssueType, a.TrackerDefaultAssignee = f.TrackerProjectKey, f.TrackerIssueType, f.TrackerDefaultAssignee
	a.TrackerLabels, a.TrackerConnectionID = splitList(f.TrackerLabels), f.TrackerConnectionID
}

func (s *Server) uiApplications(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	q := r.URL.Query()
	data := applicationsPage{Q: q.Get("q"), VendorID: q.Get("vendor_id"), TeamID: q.Get("owner_team_id"), Inactive: q.Get("inactive") == "1"}
	apps, next, err := s.Registry.ListApplications(r.Context(), p, registry.ApplicationFilter{Query: data.Q, VendorID: data.VendorID,
		OwnerTeamID: data.TeamID, IncludeInactive: data.Inactive, Cursor: q.Get("cursor")})
	if err != nil {
		return err
	}
	data.Apps = apps
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
	if data.Teams, data.TeamNames, err = s.registryTeams(r.Context(), p); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "applications.html", View{Title: "Applications", Nav: "applications", Data: data})
	return nil
}

// renderApplication shows the application form; a is the stored application
// (zero for a new one).
func (s *Server) renderApplication(w http.ResponseWriter, r *http.Request, p auth.Principal, status int, a registry.Application, f applicationForm, formErr error) error {
	ctx := r.Context()
	data := applicationPage{New: a.ID == "", App: a, Form: f}
	all, err := s.Registry.AllVendors(ctx, p, true)
	if err != nil {
		return err
	}
	data.VendorNames = map[string]string{}
	for _, v := range all {
		data.VendorNames[v.ID] = v.Name
		if v.IsActive || slices.Contains(f.VendorIDs, v.ID) || slices.Contains(a.VendorIDs, v.ID) {
			data.Vendors = append(data.Vendors, v)
		}
	}
	if data.Teams, data.TeamNames, err = s.registryTeams(ctx, p); err != nil {
		return err
	}
	if s.Trackers != nil {
		if data.Connections, err = s.Trackers.Connections(ctx, p); err != nil {
			return err
		}
	}
	title := a.Name
	if data.New {
		title = "New application"
	}
	s.render(w, r, status, "application.html", registryFormView(View{Title: title, Nav: "applications", Data: data}, formErr))
	return nil
}

func (s *Server) uiNewApplication(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	f := applicationForm{TrackerIssueType: "Task"}
	if v := r.URL.Query().Get("vendor_id"); v != "" {
		f.VendorIDs = []string{v}
	}
	return s.renderApplication(w, r, p, http.StatusOK, registry.Application{}, f, nil)
}

func (s *Server) uiCreateApplication(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	f := readApplicationForm(r)
	var in registry.Application
	f.apply(&in)
	a, err := s.Registry.CreateApplication(r.Context(), p, in)
	if formFailure(err) {
		return s.renderApplication(w, r, p, Status(err), registry.Application{}, f, err)
	}
	if err != nil {
		return err
	}
	s.flash(r, "Application "+a.Name+" created.")
	redirect(w, r, "/applications/"+a.ID)
	return nil
}

func (s *Server) uiApplication(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	a, err := s.Registry.Application(r.Context(), p, r.PathValue("id"))
	if err != nil {
		return err
	}
	return s.renderApplication(w, r, p, http.StatusOK, a, applicationFormOf(a), nil)
}

func (s *Server) uiUpdateApplication(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	id := r.PathValue("id")
	f := readApplicationForm(r)
	a, err := s.Registry.UpdateApplication(r.Context(), p, id, f.apply)
	if formFailure(err) {
		cur, lerr := s.Registry.Application(r.Context(), p, id)
		if lerr != nil {
			return lerr
		}
		return s.renderApplication(w, r, p, Status(err), cur, f, err)
	}
	if err != nil {
		return err
	}
	s.flash(r, "Saved application "+a.Name+".")
	redirect(w, r, "/applications/"+a.ID)
	return nil
}

// uiApplicationActive deactivates (active=0) or reactivates (active=1) an
// application.
func (s *Server) uiApplicationActive(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	active := r.PostFormValue("active") == "1"
	a, err := s.Registry.UpdateApplication(r.Context(), p, r.PathValue("id"), func(a *registry.Application) { a.IsActive = active })
	if err != nil {
		return err
	}
	if active {
		s.flash(r, "Application "+a.Name+" is active again.")
	} else {
		s.flash(r, "Application "+a.Name+" is deactivated: triage no longer routes changes to it.")
	}
	redirect(w, r, "/applications/"+a.ID)
	return nil
}
