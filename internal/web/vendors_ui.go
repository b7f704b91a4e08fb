package web

import (
	"net/http"
	"strings"

	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/registry"
)

// vendorsPage is the data of the vendor list.
type vendorsPage struct {
	Vendors  []registry.Vendor
	Next     string
	Q        string
	Tier     string
	Inactive bool
	Tiers    []registry.Tier
}

// vendorForm is what the vendor form shows: the user's input as typed.
type vendorForm struct {
	Name, Tier, EmailDomains, Aliases, Website, Notes string
}

// vendorPage is the data of the new-vendor and vendor pages.
type vendorPage struct {
	New    bool
	Vendor registry.Vendor
	Form   vendorForm
	Tiers  []registry.Tier
	Apps   []registry.Application // that integrate with the vendor
	Rules  []registry.Rule        // about the vendor
}

func vendorFormOf(v registry.Vendor) vendorForm {
	return vendorForm{Name: v.Name, Tier: string(v.Tier), EmailDomains: strings.Join(v.EmailDomains, "\n"),
		Aliases: strings.Join(v.Aliases, "\n"), Website: v.Website, Notes: v.Notes}
}

func readVendorForm(r *http.Request) vendorForm {
	return vendorForm{Name: r.PostFormValue("name"), Tier: r.PostFormValue("tier"), EmailDomains: r.PostFormValue("email_domains"),
		Aliases: r.PostFormValue("aliases"), Website: r.PostFormValue("website"), Notes: r.PostFormValue("notes")}
}

// apply copies the form's fields into v.
func (f vendorForm) apply(v *registry.Vendor) {
	v.Name, v.Tier, v.Website, v.Notes = f.Name, registry.Tier(f.Tier), f.Website, f.Notes
	v.EmailDomains, v.Aliases = splitList(f.EmailDomains), splitList(f.Aliases)
}

func (s *Server) uiVendors(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	q := r.URL.Query()
	data := vendorsPage{Q: q.Get("q"), Tier: q.Get("tier"), Inactive: q.Get("inactive") == "1", Tiers: registry.Tiers}
	vs, next, err := s.Registry.ListVendors(r.Context(), p, registry.VendorFilter{Query: data.Q, Tier: registry.Tier(data.Tier),
		IncludeInactive: data.Inactive, Cursor: q.Get("cursor")})
	if err != nil {
		return err
	}
	data.Vendors = vs
	if next != "" {
		data.Next = withCursor(r.URL, next)
	}
	s.render(w, r, http.StatusOK, "vendors.html", View{Title: "Vendors", Nav: "vendors", Data: data})
	return nil
}

func (s *Server) uiNewVendor(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	data := vendorPage{New: true, Tiers: registry.Tiers, Form: vendorForm{Tier: string(registry.Tier2)}}
	s.render(w, r, http.StatusOK, "vendor.html", View{Title: "New vendor", Nav: "vendors", Data: data})
	return nil
}

func (s *Server) uiCreateVendor(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	f := readVendorForm(r)
	var in registry.Vendor
	f.apply(&in)
	v, err := s.Registry.CreateVendor(r.Context(), p, in)
	if formFailure(err) {
		data := vendorPage{New: true, Tiers: registry.Tiers, Form: f}
		s.render(w, r, Status(err), "vendor.html", registryFormView(View{Title: "New vendor", Nav: "vendors", Data: data}, err))
		return nil
	}
	if err != nil {
		return err
	}
	s.flash(r, "Vendor "+v.Name+" created.")
	redirect(w, r, "/vendors/"+v.ID)
	return nil
}

func (s *Server) uiVendor(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	v, err := s.Registry.Vendor(r.Context(), p, r.PathValue("id"))
	if err != nil {
		return err
	}
	return s.renderVendor(w, r, p, http.StatusOK, v, vendorFormOf(v), nil)
}

func (s *Server) renderVendor(w http.ResponseWriter, r *http.Request, p auth.Principal, status int, v registry.Vendor, f vendorForm, formErr error) error {
	data := vendorPage{Vendor: v, Form: f, Tiers: registry.Tiers}
	var err error
	if data.Apps, _, err = s.Registry.ListApplications(r.Context(), p, registry.ApplicationFilter{VendorID: v.ID, IncludeInactive: true, Limit: 100}); err != nil {
		return err
	}
	if data.Rules, _, err = s.Registry.ListRules(r.Context(), p, registry.RuleFilter{VendorID: v.ID, IncludeInactive: true, Limit: 100}); err != nil {
		return err
	}
	s.render(w, r, status, "vendor.html", registryFormView(View{Title: v.Name, Nav: "vendors", Data: data}, formErr))
	return nil
}

func (s *Server) uiUpdateVendor(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	id := r.PathValue("id")
	f := readVendorForm(r)
	v, err := s.Registry.UpdateVendor(r.Context(), p, id, f.apply)
	if formFailure(err) {
		cur, lerr := s.Registry.Vendor(r.Context(), p, id)
		if lerr != nil {
			return lerr
		}
		return s.renderVendor(w, r, p, Status(err), cur, f, err)
	}
	if err != nil {
		return err
	}
	s.flash(r, "Saved vendor "+v.Name+".")
	redirect(w, r, "/vendors/"+v.ID)
	return nil
}

// uiVendorActive deactivates (active=0) or reactivates (active=1) a vendor.
func (s *Server) uiVendorActive(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	active := r.PostFormValue("active") == "1"
	v, err := s.Registry.UpdateVendor(r.Context(), p, r.PathValue("id"), func(v *registry.Vendor) { v.IsActive = active })
	if err != nil {
		return err
	}
	if active {
		s.flash(r, "Vendor "+v.Name+" is active again.")
	} else {
		s.flash(r, "Vendor "+v.Name+" is deactivated: triage no longer matches it.")
	}
	redirect(w, r, "/vendors/"+v.ID)
	return nil
}
