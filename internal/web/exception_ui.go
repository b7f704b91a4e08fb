package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/contract"
)

// exceptionsPage is the exception queue with its filter bar.
type exceptionsPage struct {
	Exceptions []contract.Exception
	Next       string
	Filter     exceptionFilterForm
	Rules      []contract.Rule
	Vendors    map[string]string
	Users      map[string]string
	Severities []string
	Statuses   []string
	// Writeback offers the export of approved price changes.
	Writeback bool
}

// exceptionFilterForm is the queue's filter bar as the query has it.
type exceptionFilterForm struct {
	Rule, Severity, Status, VendorID, Assignee string
}

func (s *Server) userNames(r *http.Request, p auth.Principal) map[string]string {
	names := map[string]string{}
	if !p.Can(auth.PermManageUsers) && !p.Can(auth.PermResolveExceptions) {
		return names
	}
	// Listing users needs manage_users; people who work exceptions see
	// at least themselves.
	if users, _, err := s.Auth.ListUsers(r.Context(), auth.System(p.TenantID), auth.UserFilter{Limit: 500}); err == nil {
		for _, u := range users {
			names[u.ID] = u.Email
		}
	}
	return names
}

func (s *Server) uiExceptions(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	q := r.URL.Query()
	f := exceptionFilterForm{Rule: q.Get("rule"), Severity: q.Get("severity"), Status: q.Get("status"), VendorID: q.Get("vendor_id"),
		Assignee: q.Get("assignee")}
	if !q.Has("status") {
		f.Status = string(contract.ExceptionOpen)
	}
	assignee := f.Assignee
	if assignee == "me" {
		assignee = p.UserID
	}
	es, next, err := s.Workflow.Exceptions(r.Context(), p, contract.ExceptionFilter{Rule: contract.Rule(f.Rule),
		Severity: contract.Severity(f.Severity), Status: contract.ExceptionStatus(f.Status), VendorID: f.VendorID, AssignedTo: assignee,
		ContractID: q.Get("contract_id"), Cursor: q.Get("cursor")})
	if err != nil {
		return err
	}
	data := exceptionsPage{Exceptions: es, Filter: f, Rules: contract.Rules, Users: s.userNames(r, p),
		Severities: []string{"high", "medium", "low"}, Statuses: []string{"open", "resolved", "overridden"}}
	if data.Vendors, _, err = s.vendorNames(r, p); err != nil {
		return err
	}
	feats, err := s.Reconciliation.Features(r.Context(), p)
	if err != nil {
		return err
	}
	data.Writeback = feats.Writeback && p.Can(auth.PermResolveExceptions)
	if next != "" {
		data.Next = withCursor(r.URL, next)
	}
	s.render(w, r, http.StatusOK, "contract_exceptions.html", View{Title: "Exceptions", Nav: "exceptions", Data: data, Flash: q.Get("done")})
	return nil
}

// exceptionPage is one exception with its line, evidence and log.
type exceptionPage struct {
	Detail   contract.ExceptionDetail
	Vendor   string
	Users    map[string]string
	MinChars int
}

func (s *Server) renderException(w http.ResponseWriter, r *http.Request, p auth.Principal, status int, flash string, formErr error) error {
	d, err := s.Workflow.Exception(r.Context(), p, r.PathValue("id"))
	if err != nil {
		return err
	}
	data := exceptionPage{Detail: d, Users: s.userNames(r, p), MinChars: contract.MinOverrideReason}
	if v, err := s.Registry.Vendor(r.Context(), p, d.VendorID); err == nil {
		data.Vendor = v.Name
	}
	v := viewWithErr(View{Title: string(d.Rule) + " · " + d.Context.VendorItemNumber, Nav: "exceptions", Data: data, Flash: flash}, formErr)
	s.render(w, r, status, "contract_exception.html", v)
	return nil
}

func (s *Server) uiException(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	return s.renderException(w, r, p, http.StatusOK, r.URL.Query().Get("done"), nil)
}

// actionForm reads an action form; "me" assigns to the person acting.
func actionForm(r *http.Request, p auth.Principal) contract.ActionInput {
	in := contract.ActionInput{Type: contract.ActionType(r.FormValue("action_type")), Note: r.FormValue("note"), AssignTo: r.FormValue("assigned_to")}
	if in.AssignTo == "me" {
		in.AssignTo = p.UserID
	}
	return in
}

func (s *Server) uiExceptionAct(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	id := r.PathValue("id")
	_, err := s.Workflow.Act(r.Context(), p, id, actionForm(r, p))
	if formFailure(err) {
		return s.renderException(w, r, p, Status(err), "", err)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/contracts/exceptions/"+id+"?done="+url.QueryEscape("Saved."), http.StatusSeeOther)
	return nil
}

// uiExceptionsBulk applies one action to the exceptions ticked in the
// queue and returns to it.
func (s *Server) uiExceptionsBulk(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	if err := r.ParseForm(); err != nil {
		return err
	}
	out, err := s.Workflow.BulkAct(r.Context(), p, r.PostForm["id"], actionForm(r, p))
	if err != nil && !formFailure(err) {
		return err
	}
	msg := ""
	if err != nil {
		msg = uploadMessage(err)
	} else {
		ok := 0
		for _, o := range out {
			if o.OK {
				ok++
			}
		}
		msg = strconv.Itoa(ok) + " of " + strconv.Itoa(len(out)) + " exception(s) updated."
	}
	back := r.FormValue("back")
	if back == "" || back[0] != '/' || (len(back) > 1 && back[1] == '/') {
		back = "/contracts/exceptions"
	}
	u, perr := url.Parse(back)
	if perr != nil || u.Path != "/contracts/exceptions" {
		u = &url.URL{Path: "/contracts/exceptions"}
	}
	qv := u.Query()
	qv.Set("done", msg)
	u.RawQuery = qv.Encode()
	http.Redirect(w, r, u.RequestURI(), http.StatusSeeOther)
	return nil
}
