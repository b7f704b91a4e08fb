package web

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/vendorsync/vendorsync/internal/contract"
)

type unitAliasesOut struct {
	Body []contract.UnitAlias
}

func (s *Server) apiListUnitAliases(ctx context.Context, _ *struct{}) (*unitAliasesOut, error) {
	us, err := s.Contracts.UnitAliases(ctx, principal(ctx))
	if err != nil {
		return nil, err
	}
	return &unitAliasesOut{Body: us}, nil
}

// AliasPath names a unit alias in a path.
type AliasPath struct {
	Alias string `path:"alias" maxLength:"40" doc:"The spelling, as vendor files write it (case does not matter)."`
}

type unitAliasBody struct {
	Code string `json:"code" maxLength:"6" doc:"The unit code it means, such as EA, BX, CS."`
}

type unitAliasIn struct {
	AliasPath
	Body strictBody[unitAliasBody]
}

type unitAliasOut struct {
	Body contract.UnitAlias
}

func (s *Server) apiPutUnitAlias(ctx context.Context, in *unitAliasIn) (*unitAliasOut, error) {
	u, err := s.Contracts.SetUnitAlias(ctx, principal(ctx), in.Alias, in.Body.Value.Code)
	if err != nil {
		return nil, err
	}
	return &unitAliasOut{Body: u}, nil
}

func (s *Server) apiDeleteUnitAlias(ctx context.Context, in *AliasPath) (*struct{}, error) {
	return nil, s.Contracts.DeleteUnitAlias(ctx, principal(ctx), in.Alias)
}

// Operations of the unit alias API.
var (
	docListUnitAliases = readDoc("List unit aliases", "The tenant's own unit-of-measure spellings and the codes they mean, on top of the built-in ones (each → EA, box → BX, case → CS, dozen → DZ …).")
	docPutUnitAlias    = huma.Operation{Summary: "Set a unit alias", SkipValidateBody: true, Description: "Vendor files that write the alias import it as the code; files imported before keep their row errors (upload a corrected file)."}
	docDeleteUnitAlias = huma.Operation{Summary: "Delete a unit alias", DefaultStatus: http.StatusNoContent, Description: ""}
)
