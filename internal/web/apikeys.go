package web

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/vendorsync/vendorsync/internal/auth"
)

type apiKeyCreateIn struct {
	Body struct {
		Name      string     `json:"name" doc:"What the key is for, e.g. ci-pipeline."`
		Role      auth.Role  `json:"role" enum:"admin,change_manager,procurement_analyst,owner,viewer" doc:"Role the key acts with."`
		ExpiresAt *time.Time `json:"expires_at,omitempty" doc:"When the key stops working; never when absent."`
		TeamIDs   []string   `json:"team_ids,omitempty" doc:"Teams an owner key works for (as an owner user's teams)."`
	}
}

// APIKeyRecord is auth.APIKey without its methods, for embedding in bodies.
type APIKeyRecord auth.APIKey

// apiKeyCreated is a new key with its secret, shown this once.
type apiKeyCreated struct {
	APIKeyRecord
	Key string `json:"key" doc:"The full key, shown once: send it as Authorization: Bearer <key>."`
}

type apiKeyOut struct{ Body auth.APIKey }

type apiKeyCreatedOut struct{ Body apiKeyCreated }

func (s *Server) apiListAPIKeys(ctx context.Context, in *PageQuery) (*PageOut[auth.APIKey], error) {
	keys, next, err := s.Auth.ListAPIKeys(ctx, principal(ctx), in.Cursor, in.Limit)
	if err != nil {
		return nil, err
	}
	return pageOf(keys, next), nil
}

func (s *Server) apiCreateAPIKey(ctx context.Context, in *apiKeyCreateIn) (*apiKeyCreatedOut, error) {
	k, full, err := s.Auth.CreateAPIKey(ctx, principal(ctx), in.Body.Name, in.Body.Role, in.Body.ExpiresAt, in.Body.TeamIDs...)
	if err != nil {
		return nil, err
	}
	return &apiKeyCreatedOut{Body: apiKeyCreated{APIKeyRecord: APIKeyRecord(k), Key: full}}, nil
}

func (s *Server) apiGetAPIKey(ctx context.Context, in *IDPath) (*apiKeyOut, error) {
	k, err := s.Auth.APIKey(ctx, principal(ctx), in.ID)
	if err != nil {
		return nil, err
	}
	return &apiKeyOut{Body: k}, nil
}

func (s *Server) apiRevokeAPIKey(ctx context.Context, in *IDPath) (*struct{}, error) {
	_, err := s.Auth.RevokeAPIKey(ctx, principal(ctx), in.ID)
	return nil, err
}

// Operations of the API key API; routes.go registers them with their method, path and permission.
var (
	docListAPIKeys  = huma.Operation{Summary: "List API keys"}
	docCreateAPIKey = huma.Operation{Summary: "Create an API key",
		Description: "The response carries the full key once; only a MAC of it is stored.", DefaultStatus: http.StatusCreated}
	docGetAPIKey    = huma.Operation{Summary: "Get an API key"}
	docRevokeAPIKey = huma.Operation{Summary: "Revoke an API key",
		Description: "The key stops working at once. Revoking a revoked key succeeds and changes nothing."}
)
