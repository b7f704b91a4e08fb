package p21

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/vendorsync/vendorsync/internal/erp"
	"github.com/vendorsync/vendorsync/internal/httpx"
)

// serviceDocument is the data service's list of entity sets.
type serviceDocument struct {
	Value []struct {
		Name string `json:"name"`
		Kind string `json:"kind"`
		URL  string `json:"url"`
	} `json:"value"`
}

// Test signs in, reads the data service's list of tables and probes each
// table item sync needs with a one-row read: the account may see a table
// it is not allowed to read.
func (c *Client) Test(ctx context.Context) (erp.TestResult, error) {
	var doc serviceDocument
	if err := c.get(ctx, "list tables", c.base+TablePath, &doc); err != nil {
		return erp.TestResult{}, err
	}
	res := erp.TestResult{Tables: []string{}}
	offered := map[string]bool{}
	for _, v := range doc.Value {
		if v.Kind == "" || v.Kind == "EntitySet" {
			offered[v.Name] = true
		}
	}
	readable := map[string]bool{}
	for _, t := range Tables {
		if !offered[t] {
			res.Missing = append(res.Missing, t)
			continue
		}
		err := c.Each(ctx, t, Query{Select: columns[t][:1], Top: 1}, func([]Row) error { return errStop })
		switch {
		case err == nil || err == errStop:
			readable[t] = true
		case httpx.KindOf(err) == httpx.Permission || httpx.KindOf(err) == httpx.NotFound || httpx.KindOf(err) == httpx.BadRequest:
			res.Missing = append(res.Missing, t)
		default:
			return erp.TestResult{}, err
		}
	}
	for name := range offered {
		if _, needed := columns[name]; !needed || readable[name] {
			res.Tables = append(res.Tables, name)
		}
	}
	slices.Sort(res.Tables)
	res.Detail = fmt.Sprintf("Signed in; the data service offers %d tables.", len(offered))
	if len(res.Missing) > 0 {
		res.Detail += " Item sync cannot read " + strings.Join(res.Missing, ", ") + ": grant the account read access to them."
	} else {
		res.Detail += " Every table item sync needs is readable."
	}
	return res, nil
}

// errStop ends a probe after its first page.
var errStop = &httpx.Error{Upstream: upstream, Op: "probe", Kind: httpx.Permanent, Status: http.StatusOK}
