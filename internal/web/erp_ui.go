package web

import (
	"fmt"
	"io"
	"net/http"

	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/erp"
)

// connectorPage is the data of the new-connector and connector pages.
type connectorPage struct {
	New       bool
	Connector erp.Connector
	Providers []erp.Factory
	// Syncs says whether the connector's provider syncs from a service
	// (otherwise its catalog is imported from CSV files).
	Syncs  bool
	Test   *erp.TestOutcome
	Import *erp.ImportResult
}

// itemsPage is the data of the ERP items page.
type itemsPage struct {
	Items      []erp.StoredItem
	Connectors []erp.Connector
	Q          string
	Connector  string
	Active     bool
	Next       string
}

func (s *Server) uiConnectors(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	svc, err := s.erp()
	if err != nil {
		return err
	}
	list, err := svc.List(r.Context(), p)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "connectors.html", View{Title: "ERP connectors", Nav: "connectors", Data: list})
	return nil
}

func (s *Server) uiNewConnector(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	svc, err := s.erp()
	if err != nil {
		return err
	}
	data := connectorPage{New: true, Providers: svc.Providers.Factories(), Connector: erp.Connector{Provider: "p21", IsActive: true}}
	s.render(w, r, http.StatusOK, "connector.html", View{Title: "New ERP connector", Nav: "connectors", Data: data})
	return nil
}

// connectorForm reads the connector form.
func connectorForm(r *http.Request) (erp.Input, string) {
	v := r.PostFormValue
	return erp.Input{Name: v("name"), Provider: erp.Provider(v("provider")), AuthMode: erp.AuthMode(v("auth_mode")),
		BaseURL: v("base_url"), Username: v("username")}, v("secret")
}

func (s *Server) uiCreateConnector(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	svc, err := s.erp()
	if err != nil {
		return err
	}
	in, secret := connectorForm(r)
	in.Secret = secret
	c, err := svc.Create(r.Context(), p, in)
	if formFailure(err) {
		data := connectorPage{New: true, Providers: svc.Providers.Factories(), Connector: erp.Connector{Name: in.Name,
			Provider: in.Provider, AuthMode: in.AuthMode, BaseURL: in.BaseURL, Username: in.Username}}
		s.render(w, r, Status(err), "connector.html", registryFormView(View{Title: "New ERP connector", Nav: "connectors", Data: data}, err))
		return nil
	}
	if err != nil {
		return err
	}
	if c.Provider == erp.CSVCatalog {
		s.flash(r, "Connector "+c.Name+" created. Import its catalog from a CSV file below.")
	} else {
		s.flash(r, "Connector "+c.Name+" created. Test the connection, then sync its items.")
	}
	redirect(w, r, "/procurement/connectors/"+c.ID)
	return nil
}

// renderConnector renders the connector page around c.
func (s *Server) renderConnector(w http.ResponseWriter, r *http.Request, status int, data connectorPage, formErr error) error {
	svc, err := s.erp()
	if err != nil {
		return err
	}
	data.Providers = svc.Providers.Factories()
	f, _ := svc.Providers.Lookup(data.Connector.Provider)
	data.Syncs = f.New != nil
	s.render(w, r, status, "connector.html", registryFormView(View{Title: data.Connector.Name, Nav: "connectors", Data: data}, formErr))
	return nil
}

func (s *Server) uiConnector(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	svc, err := s.erp()
	if err != nil {
		return err
	}
	c, err := svc.Get(r.Context(), p, r.PathValue("id"))
	if err != nil {
		return err
	}
	return s.renderConnector(w, r, http.StatusOK, connectorPage{Connector: c}, nil)
}

func (s *Server) uiUpdateConnector(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	svc, err := s.erp()
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	in, secret := connectorForm(r)
	c, err := svc.Update(r.Context(), p, id, func(c *erp.Connector) {
		c.Name, c.AuthMode, c.BaseURL, c.Username = in.Name, in.AuthMode, in.BaseURL, in.Username
		if act := r.PostFormValue("active"); act != "" {
			c.IsActive = act == "1"
		}
	}, secret, r.PostFormValue("clear_secret") == "on")
	if formFailure(err) {
		cur, gerr := svc.Get(r.Context(), p, id)
		if gerr != nil {
			return gerr
		}
		cur.Name, cur.AuthMode, cur.BaseURL, cur.Username = in.Name, in.AuthMode, in.BaseURL, in.Username
		return s.renderConnector(w, r, Status(err), connectorPage{Connector: cur}, err)
	}
	if err != nil {
		return err
	}
	s.flash(r, "Saved connector "+c.Name+".")
	redirect(w, r, "/procurement/connectors/"+c.ID)
	return nil
}

func (s *Server) uiTestConnector(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	svc, err := s.erp()
	if err != nil {
		return err
	}
	res, err := svc.Test(r.Context(), p, r.PathValue("id"))
	if err != nil {
		return err
	}
	c, err := svc.Get(r.Context(), p, r.PathValue("id"))
	if err != nil {
		return err
	}
	return s.renderConnector(w, r, http.StatusOK, connectorPage{Connector: c, Test: &res}, nil)
}

func (s *Server) uiSyncConnector(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	svc, err := s.erp()
	if err != nil {
		return err
	}
	c, err := svc.RequestSync(r.Context(), p, r.PathValue("id"), r.PostFormValue("full") == "1")
	if err != nil {
		return err
	}
	s.flash(r, "Sync queued. Its progress shows below as pages arrive.")
	redirect(w, r, "/procurement/connectors/"+c.ID)
	return nil
}

func (s *Server) uiImportCatalog(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	svc, err := s.erp()
	if err != nil {
		return err
	}
	c, err := svc.Get(r.Context(), p, r.PathValue("id"))
	if err != nil {
		return err
	}
	f, hdr, err := r.FormFile("file")
	if err != nil {
		s.render(w, r, http.StatusUnprocessableEntity, "connector.html", View{Title: c.Name, Nav: "connectors",
			Error: "Choose a CSV file of the catalog.", Data: connectorPage{Connector: c, Providers: svc.Providers.Factories()}})
		return nil
	}
	defer f.Close()
	res, err := svc.ImportCatalog(r.Context(), p, c.ID, io.LimitReader(f, maxCatalogFile))
	if err != nil {
		return err
	}
	if c, err = svc.Get(r.Context(), p, c.ID); err != nil {
		return err
	}
	v := View{Title: c.Name, Nav: "connectors", Data: connectorPage{Connector: c, Providers: svc.Providers.Factories(), Import: &res},
		Flash: fmt.Sprintf("%s: %d rows read, %d stored, %d not imported.", hdr.Filename, res.Rows, res.Items, len(res.Errors))}
	s.render(w, r, http.StatusOK, "connector.html", v)
	return nil
}

func (s *Server) uiERPItems(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	svc, err := s.erp()
	if err != nil {
		return err
	}
	q := r.URL.Query()
	data := itemsPage{Q: q.Get("q"), Connector: q.Get("connector"), Active: q.Get("active") == "1"}
	items, next, err := svc.ListItems(r.Context(), p, erp.ItemFilter{ConnectorID: data.Connector, Query: data.Q,
		ActiveOnly: data.Active, Cursor: q.Get("cursor"), Limit: 50})
	if err != nil {
		return err
	}
	if data.Connectors, err = svc.List(r.Context(), p); err != nil {
		return err
	}
	data.Items = items
	if next != "" {
		u := *r.URL
		qs := u.Query()
		qs.Set("cursor", next)
		u.RawQuery = qs.Encode()
		data.Next = u.RequestURI()
	}
	s.render(w, r, http.StatusOK, "erp_items.html", View{Title: "ERP items", Nav: "erp-items", Data: data})
	return nil
}

func (s *Server) uiERPItem(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	svc, err := s.erp()
	if err != nil {
		return err
	}
	it, err := svc.Item(r.Context(), p, r.PathValue("id"))
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "erp_item.html", View{Title: it.ItemNumber, Nav: "erp-items", Data: it})
	return nil
}
