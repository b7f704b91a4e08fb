package web

import (
	"context"

	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/dashboard"
)

// homeCount is one registry count on the home page.
type homeCount struct {
	Label, Href string
	N           int
}

// homePage is the data of the home page: the dashboard first, the
// registry counts after.
type homePage struct {
	Dash   *dashboard.Dashboard
	Counts []homeCount
}

// homeData reads the dashboard and the registry counts.
func (s *Server) homeData(ctx context.Context, p auth.Principal) (homePage, error) {
	var h homePage
	if s.Dashboard != nil {
		d, err := s.Dashboard.Get(ctx, p)
		if err != nil {
			return h, err
		}
		h.Dash = &d
	}
	if s.Registry != nil {
		c, err := s.Registry.Counts(ctx, p)
		if err != nil {
			return h, err
		}
		h.Counts = []homeCount{{Label: "Active vendors", Href: "/vendors", N: c.Vendors},
			{Label: "Active applications", Href: "/applications", N: c.Applications},
			{Label: "Active rules", Href: "/rules", N: c.Rules}}
	}
	return h, nil
}
