package web

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/erp"
)

// connectorBody is an ERP connector as clients create it; secret is
// write-only.
type connectorBody struct {
	Name     string       `json:"name,omitempty" maxLength:"200" doc:"Unique in the tenant."`
	Provider erp.Provider `json:"provider,omitempty" maxLength:"40" doc:"p21 (Epicor Prophet 21 over its OData service) or csv (a catalog imported from CSV files). GET /api/v1/erp-providers lists them with their auth modes."`
	AuthMode erp.AuthMode `json:"auth_mode,omitempty" maxLength:"40" doc:"How the connector signs in; default the provider's first mode. p21: password (token login), consumer_key, api_key or basic (behind a proxy)."`
	BaseURL  string       `json:"base_url,omitempty" maxLength:"500" doc:"The ERP's root, e.g. https://p21.example.com (P21: the host serving /api and /odataservice)."`
	Username string       `json:"username,omitempty" maxLength:"200" doc:"For password and basic."`
	Secret   string       `json:"secret,omitempty" writeOnly:"true" maxLength:"4096" doc:"Write-only: the password, consumer key or API key, stored encrypted and never returned."`
	IsActive *bool        `json:"is_active,omitempty" doc:"Default true: synced nightly."`
}

// connectorPatch is a merge patch of a connector.
type connectorPatch struct {
	Name     PatchField[string]       `json:"name,omitempty" maxLength:"200"`
	AuthMode PatchField[erp.AuthMode] `json:"auth_mode,omitempty" maxLength:"40"`
	BaseURL  PatchField[string]       `json:"base_url,omitempty" maxLength:"500"`
	Username PatchField[string]       `json:"username,omitempty" maxLength:"200"`
	Secret   string                   `json:"secret,omitempty" writeOnly:"true" maxLength:"4096" doc:"Write-only; left out keeps the stored one (unless the host or auth mode changes)."`
	IsActive *bool                    `json:"is_active,omitempty" doc:"false deactivates, true reactivates."`
	// ClearSecret removes the stored secret, which leaving secret out
	// cannot say.
	ClearSecret bool `json:"clear_secret,omitempty" doc:"Remove the stored secret; only for an inactive connector (is_active false, here or already) or one with auth_mode none. secret, when also sent, wins."`
}

type connectorCreateIn struct {
	Body strictBody[connectorBody]
}

type connectorPatchIn struct {
	IDPath
	Body strictBody[connectorPatch]
}

type connectorOut struct {
	Body erp.Connector
}

type connectorCreatedOut struct {
	Location string `header:"Location"`
	Body     erp.Connector
}

type connectorTestOut struct {
	Body erp.TestOutcome
}

type connectorSyncIn struct {
	IDPath
	Full bool `query:"full" doc:"Read the whole catalog again instead of what changed since the last sync."`
}

type connectorSyncOut struct {
	Body erp.Connector
}

// providerInfo is one ERP the server can connect to.
type providerInfo struct {
	Provider  erp.Provider   `json:"provider"`
	Name      string         `json:"name"`
	AuthModes []erp.AuthMode `json:"auth_modes"`
	NeedsURL  bool           `json:"needs_url"`
	Syncs     bool           `json:"syncs" doc:"Whether items are synced from a service (false: imported from CSV files)."`
}

type providersOut struct {
	Body []providerInfo
}

func (s *Server) erp() (*erp.Service, error) {
	if s.ERP == nil {
		return nil, apperr.E(apperr.Unavailable, "ERP connectors are not configured on this server")
	}
	return s.ERP, nil
}

func (s *Server) apiListERPProviders(ctx context.Context, _ *struct{}) (*providersOut, error) {
	svc, err := s.erp()
	if err != nil {
		return nil, err
	}
	out := &providersOut{Body: []providerInfo{}}
	for _, f := range svc.Providers.Factories() {
		out.Body = append(out.Body, providerInfo{Provider: f.Provider, Name: f.Name, AuthModes: f.AuthModes, NeedsURL: f.NeedsURL, Syncs: f.New != nil})
	}
	return out, nil
}

func (s *Server) apiListConnectors(ctx context.Context, _ *struct{}) (*PageOut[erp.Connector], error) {
	svc, err := s.erp()
	if err != nil {
		return nil, err
	}
	list, err := svc.List(ctx, principal(ctx))
	if err != nil {
		return nil, err
	}
	return pageOf(list, ""), nil
}

func (s *Server) apiCreateConnector(ctx context.Context, in *connectorCreateIn) (*connectorCreatedOut, error) {
	svc, err := s.erp()
	if err != nil {
		return nil, err
	}
	b := in.Body.Value
	c, err := svc.Create(ctx, principal(ctx), erp.Input{Name: b.Name, Provider: b.Provider, AuthMode: b.AuthMode, BaseURL: b.BaseURL,
		Username: b.Username, Secret: b.Secret, IsActive: b.IsActive})
	if err != nil {
		return nil, err
	}
	return &connectorCreatedOut{Location: "/api/v1/erp-connectors/" + c.ID, Body: c}, nil
}

func (s *Server) apiGetConnector(ctx context.Context, in *IDPath) (*connectorOut, error) {
	svc, err := s.erp()
	if err != nil {
		return nil, err
	}
	c, err := svc.Get(ctx, principal(ctx), in.ID)
	if err != nil {
		return nil, err
	}
	return &connectorOut{Body: c}, nil
}

func (s *Server) apiPatchConnector(ctx context.Context, in *connectorPatchIn) (*connectorOut, error) {
	svc, err := s.erp()
	if err != nil {
		return nil, err
	}
	b := in.Body.Value
	c, err := svc.Update(ctx, principal(ctx), in.ID, func(c *erp.Connector) {
		b.Name.apply(&c.Name)
		b.AuthMode.apply(&c.AuthMode)
		b.BaseURL.apply(&c.BaseURL)
		b.Username.apply(&c.Username)
		if b.IsActive != nil {
			c.IsActive = *b.IsActive
		}
	}, b.Secret, b.ClearSecret)
	if err != nil {
		return nil, err
	}
	return &connectorOut{Body: c}, nil
}

func (s *Server) apiDeactivateConnector(ctx context.Context, in *IDPath) (*struct{}, error) {
	svc, err := s.erp()
	if err != nil {
		return nil, err
	}
	_, err = svc.Deactivate(ctx, principal(ctx), in.ID)
	return nil, err
}

func (s *Server) apiTestConnector(ctx context.Context, in *IDPath) (*connectorTestOut, error) {
	svc, err := s.erp()
	if err != nil {
		return nil, err
	}
	res, err := svc.Test(ctx, principal(ctx), in.ID)
	if err != nil {
		return nil, err
	}
	return &connectorTestOut{Body: res}, nil
}

func (s *Server) apiSyncConnector(ctx context.Context, in *connectorSyncIn) (*connectorSyncOut, error) {
	svc, err := s.erp()
	if err != nil {
		return nil, err
	}
	c, err := svc.RequestSync(ctx, principal(ctx), in.ID, in.Full)
	if err != nil {
		return nil, err
	}
	return &connectorSyncOut{Body: c}, nil
}

// Operations of the ERP connector API; routes.go registers them.
var (
	docListERPProviders = readDoc("List ERP providers",
		"The ERPs this server can connect to, with the sign-in modes each supports (the first is the default).")
	docListConnectors = readDoc("List ERP connectors",
		"Every ERP connector of the tenant with its last item sync (state, counts, watermark) and how many items it holds. Secrets are never returned.")
	docCreateConnector = createDoc("Create an ERP connector",
		"provider, auth_mode, base_url, username and the write-only secret. Every problem is reported at once.")
	docGetConnector   = readDoc("Get an ERP connector", "")
	docPatchConnector = mergePatchDoc("Change an ERP connector",
		"Changing the base URL's host or the auth mode requires the secret again.")
	docDeactivateConnector = deactivateDoc("Deactivate an ERP connector",
		"Nightly syncs stop; items, settings and secret stay. Reactivate with PATCH is_active=true.")
	docTestConnector = huma.Operation{Summary: "Test an ERP connector",
		Description: "Signs in with the stored settings and secret, and lists the tables the account can read and those item " +
			"sync needs that it cannot. A failing ERP answers 200 with ok=false and code auth, permission, not_found, " +
			"rate_limited or transient."}
	docSyncConnector = huma.Operation{Summary: "Sync an ERP connector's items now",
		Description: "Queues an item sync ahead of the nightly one: what changed since the last sync, or everything with " +
			"full=true. Its progress and counts show on the connector's sync status. 409 for an inactive connector or a " +
			"catalog imported from files.", DefaultStatus: http.StatusAccepted}
)
