package web

import (
	"context"

	"github.com/danielgtaylor/huma/v2"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/setting"
)

type settingsOut struct{ Body setting.Settings }

type settingsPatchIn struct {
	Body setting.Patch
}

type secretListOut struct {
	Body struct {
		Items []setting.SecretInfo `json:"items" nullable:"false"`
	}
}

// SecretNamePath is the {name} path parameter of a stored secret.
type SecretNamePath struct {
	Name string `path:"name" doc:"Secret name: lower-case letters, digits, dots, dashes, underscores."`
}

// secretBody is a secret's value as clients send it.
type secretBody struct {
	Value string `json:"value" writeOnly:"true" doc:"The secret; stored encrypted and never returned."`
}

type secretPutIn struct {
	SecretNamePath
	Body strictBody[secretBody]
}

type secretOut struct{ Body setting.SecretInfo }

func (s *Server) settings() (*setting.Service, error) {
	if s.Settings == nil {
		return nil, apperr.E(apperr.Unavailable, "settings are not configured on this server")
	}
	return s.Settings, nil
}

func (s *Server) secrets() (*setting.Secrets, error) {
	if s.Secrets == nil {
		return nil, apperr.E(apperr.Unavailable, "stored secrets are not configured on this server")
	}
	return s.Secrets, nil
}

func (s *Server) apiGetSettings(ctx context.Context, _ *struct{}) (*settingsOut, error) {
	svc, err := s.settings()
	if err != nil {
		return nil, err
	}
	st, err := svc.Get(ctx, principal(ctx).TenantID)
	if err != nil {
		return nil, err
	}
	return &settingsOut{Body: st}, nil
}

func (s *Server) apiPatchSettings(ctx context.Context, in *settingsPatchIn) (*settingsOut, error) {
	svc, err := s.settings()
	if err != nil {
		return nil, err
	}
	st, err := svc.Update(ctx, principal(ctx), in.Body)
	if err != nil {
		return nil, err
	}
	return &settingsOut{Body: st}, nil
}

func (s *Server) apiListSecrets(ctx context.Context, _ *struct{}) (*secretListOut, error) {
	svc, err := s.secrets()
	if err != nil {
		return nil, err
	}
	list, err := svc.List(ctx, principal(ctx))
	if err != nil {
		return nil, err
	}
	out := &secretListOut{}
	out.Body.Items = list
	if out.Body.Items == nil {
		out.Body.Items = []setting.SecretInfo{}
	}
	return out, nil
}

func (s *Server) apiPutSecret(ctx context.Context, in *secretPutIn) (*secretOut, error) {
	svc, err := s.secrets()
	if err != nil {
		return nil, err
	}
	info, err := svc.Put(ctx, principal(ctx), in.Name, in.Body.Value.Value)
	if err != nil {
		return nil, err
	}
	return &secretOut{Body: info}, nil
}

func (s *Server) apiDeleteSecret(ctx context.Context, in *SecretNamePath) (*struct{}, error) {
	svc, err := s.secrets()
	if err != nil {
		return nil, err
	}
	return nil, svc.Delete(ctx, principal(ctx), in.Name)
}

// Operations of the settings and secrets API; routes.go registers them with their method, path and permission.
var (
	docGetSettings   = huma.Operation{Summary: "Get system settings", Description: "Every setting, defaults filled in."}
	docPatchSettings = huma.Operation{Summary: "Change system settings",
		Description: "Send only the keys to change; each value is replaced whole and validated with the others."}
	docListSecrets = huma.Operation{Summary: "List stored secrets",
		Description: "Names, encryption key ids and update times; values are never returned."}
	docPutSecret = huma.Operation{Summary: "Store or replace a secret",
		Description: "Integrations refer to secrets by name. The value is encrypted at rest and never returned or logged.", SkipValidateBody: true}
	docDeleteSecret = huma.Operation{Summary: "Delete a secret"}
)
