package web_test

import (
	"bytes"
	"net/http"

	"github.com/vendorsync/vendorsync/internal/erp"
	"github.com/vendorsync/vendorsync/internal/erp/p21"
	"github.com/vendorsync/vendorsync/internal/ident"
)

// erpProviders is the test server's ERP registry, as the program's.
func erpProviders() *erp.Registry {
	return erp.NewRegistry(p21.Factory(p21.Options{}), erp.CSVFactory())
}

// erpConnectorWallFixture creates a CSV catalog connector in the key's
// tenant.
func erpConnectorWallFixture(e *env, key string) string {
	return created(e, key, "/api/v1/erp-connectors", map[string]any{"name": "Wall catalog " + ident.New(), "provider": "csv"})
}

// erpItemWallFixture imports a one-item catalog in the key's tenant and
// returns the item's id.
func erpItemWallFixture(e *env, key string) string {
	e.t.Helper()
	id := created(e, key, "/api/v1/erp-connectors", map[string]any{"name": "Wall items " + ident.New(), "provider": "csv"})
	res := e.postCSV(key, "/api/v1/erp-connectors/"+id+"/catalog", "item_number,description\nWALL-1,Walled item\n")
	if res.Status != http.StatusOK {
		e.t.Fatalf("fixture catalog: %d %s", res.Status, res.Body)
	}
	var page struct {
		Items []erp.StoredItem `json:"items"`
	}
	e.do(http.MethodGet, "/api/v1/erp-items?q=WALL-1&connector_id="+id, key, nil).JSON(e.t, &page)
	if len(page.Items) != 1 {
		e.t.Fatalf("fixture item not listed: %+v", page)
	}
	return page.Items[0].ID
}

// postCSV posts body as text/csv with an API key.
func (e *env) postCSV(key, path, body string) response {
	e.t.Helper()
	return e.postFile(key, path, "text/csv", []byte(body))
}

// postFile sends body as the request's whole content of type ct.
func (e *env) postFile(key, path, ct string, body []byte) response {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.http.URL+path, bytes.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Authorization", "Bearer "+key)
	hr, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer hr.Body.Close()
	var b bytes.Buffer
	if _, err := b.ReadFrom(hr.Body); err != nil {
		e.t.Fatal(err)
	}
	return response{Status: hr.StatusCode, Header: hr.Header, Body: b.Bytes()}
}
