package web

import (
	"net/http"
	"net/url"

	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/contract"
	"github.com/vendorsync/vendorsync/internal/registry"
)

// contractSettingsPage is the contracts module's settings: features,
// price tolerances, unit aliases and who may do what.
type contractSettingsPage struct {
	Features   contract.Features
	Tolerances []contract.Tolerance
	Default    *contract.Tolerance
	Vendors    []registry.Vendor
	Names      map[string]string
	Aliases    []contract.UnitAlias
	Roles      []auth.Role
	Matrix     []permissionRow
}

// permissionRow is one procurement permission and the roles that hold it.
type permissionRow struct {
	Permission auth.Permission
	What       string
	Allowed    []bool // by Roles
}

// procurementPermissions are the permissions of the contracts module's
// work, as the settings page explains them.
var procurementPermissions = []struct {
	perm auth.Permission
	what string
}{
	{auth.PermView, "See contracts, mappings, runs, exceptions and these settings"},
	{auth.PermUploadPrices, "Upload vendor price files, confirm their columns, edit unit aliases"},
	{auth.PermMapItems, "Approve, reject and make item mappings"},
	{auth.PermResolveExceptions, "Reconcile now; comment on, assign and resolve exceptions; export approved price changes"},
	{auth.PermOverrideExceptions, "Accept a flagged price or unit with a reason (override)"},
	{auth.PermManageSettings, "Turn features on or off, set price tolerances"},
	{auth.PermManageERP, "ERP connectors: credentials, test, sync, catalog import"},
}

func (s *Server) uiContractSettings(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	return s.renderContractSettings(w, r, p, http.StatusOK, r.URL.Query().Get("done"), nil)
}

func (s *Server) renderContractSettings(w http.ResponseWriter, r *http.Request, p auth.Principal, status int, flash string, formErr error) error {
	ctx := r.Context()
	var data contractSettingsPage
	var err error
	if data.Features, err = s.Reconciliation.Features(ctx, p); err != nil {
		return err
	}
	ts, err := s.Reconciliation.Tolerances(ctx, p)
	if err != nil {
		return err
	}
	for i := range ts {
		if ts[i].VendorID == "" {
			data.Default = &ts[i]
		} else {
			data.Tolerances = append(data.Tolerances, ts[i])
		}
	}
	if data.Names, data.Vendors, err = s.vendorNames(r, p); err != nil {
		return err
	}
	if data.Aliases, err = s.Contracts.UnitAliases(ctx, p); err != nil {
		return err
	}
	data.Roles = auth.Roles
	for _, pp := range procurementPermissions {
		row := permissionRow{Permission: pp.perm, What: pp.what}
		for _, role := range auth.Roles {
			row.Allowed = append(row.Allowed, auth.Allowed(role, pp.perm))
		}
		data.Matrix = append(data.Matrix, row)
	}
	s.render(w, r, status, "contract_settings.html", viewWithErr(View{Title: "Contracts settings", Nav: "contract-settings",
		Data: data, Flash: flash}, formErr))
	return nil
}

// settingsDone answers a settings form: back to the page with a message,
// or the page again with the form's error.
func (s *Server) settingsDone(w http.ResponseWriter, r *http.Request, p auth.Principal, msg string, err error) error {
	if formFailure(err) {
		return s.renderContractSettings(w, r, p, Status(err), "", err)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/contracts/settings?done="+url.QueryEscape(msg), http.StatusSeeOther)
	return nil
}

func (s *Server) uiSaveFeatures(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	_, err := s.Reconciliation.SetFeatures(r.Context(), p, contract.Features{Writeback: r.FormValue("writeback") == "on",
		AdvancedRules: r.FormValue("advanced_rules") == "on", P21CompanyID: r.FormValue("p21_company_id"),
		P21PricingBookID: r.FormValue("p21_pricing_book_id"), P21LocationID: r.FormValue("p21_location_id"),
		P21TotalingBasis: r.FormValue("p21_totaling_basis")})
	return s.settingsDone(w, r, p, "Features saved.", err)
}

func (s *Server) uiSaveTolerance(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	t, err := parseTolerance(r.FormValue("vendor_id"), r.FormValue("absolute"), r.FormValue("percent"))
	if err == nil {
		_, err = s.Reconciliation.SetTolerance(r.Context(), p, t)
	}
	return s.settingsDone(w, r, p, "Tolerance saved; the next run uses it.", err)
}

func (s *Server) uiDeleteTolerance(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	err := s.Reconciliation.DeleteTolerance(r.Context(), p, r.FormValue("vendor_id"))
	return s.settingsDone(w, r, p, "Vendor tolerance removed; the default applies to it again.", err)
}

func (s *Server) uiSaveUnitAlias(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	_, err := s.Contracts.SetUnitAlias(r.Context(), p, r.FormValue("alias"), r.FormValue("code"))
	return s.settingsDone(w, r, p, "Unit alias saved; later imports use it.", err)
}

func (s *Server) uiDeleteUnitAlias(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	err := s.Contracts.DeleteUnitAlias(r.Context(), p, r.FormValue("alias"))
	return s.settingsDone(w, r, p, "Unit alias removed.", err)
}
