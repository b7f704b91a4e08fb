package web_test

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/erp"
	"github.com/vendorsync/vendorsync/internal/erp/p21/p21test"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

func TestERPConnectorAPI(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, d)
			fake := p21test.New(t)
			fake.Catalog(3, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))

			t.Run("every problem at once", func(t *testing.T) {
				res := e.do(http.MethodPost, "/api/v1/erp-connectors", e.key, map[string]any{"provider": "p21", "auth_mode": "password"})
				wantProblem(t, res, http.StatusUnprocessableEntity)
				for _, f := range []string{"name", "base_url", "username", "secret"} {
					if !strings.Contains(string(res.Body), `"body.`+f+`"`) {
						t.Errorf("no error for %s: %s", f, res.Body)
					}
				}
				res = e.do(http.MethodPost, "/api/v1/erp-connectors", e.key, map[string]any{"name": "x", "provider": "sap"})
				wantProblem(t, res, http.StatusUnprocessableEntity)
				res = e.do(http.MethodPost, "/api/v1/erp-connectors", e.key, map[string]any{"name": "x", "provider": "p21",
					"auth_mode": "none", "base_url": fake.URL, "secret": "s"})
				wantProblem(t, res, http.StatusUnprocessableEntity)
			})

			var c erp.Connector
			res := e.do(http.MethodPost, "/api/v1/erp-connectors", e.key, map[string]any{"name": "P21 production", "provider": "p21",
				"base_url": fake.URL + "/", "username": p21test.Username, "secret": p21test.Password})
			wantStatus(t, res, http.StatusCreated)
			res.JSON(t, &c)
			if c.AuthMode != erp.AuthPassword || !c.SecretSet || c.BaseURL != fake.URL || c.Sync.State != erp.SyncNever {
				t.Errorf("created %+v", c)
			}
			if strings.Contains(string(res.Body), p21test.Password) {
				t.Errorf("the secret came back: %s", res.Body)
			}

			t.Run("test lists the readable tables", func(t *testing.T) {
				var out erp.TestOutcome
				res := e.do(http.MethodPost, "/api/v1/erp-connectors/"+c.ID+"/test", e.key, nil)
				wantStatus(t, res, http.StatusOK)
				res.JSON(t, &out)
				if !out.OK || len(out.Tables) != 5 || len(out.Missing) != 0 {
					t.Errorf("test %+v", out)
				}
			})

			t.Run("a changed host needs the secret again", func(t *testing.T) {
				res := e.do(http.MethodPatch, "/api/v1/erp-connectors/"+c.ID, e.key, map[string]any{"base_url": "https://elsewhere.example"})
				wantProblem(t, res, http.StatusUnprocessableEntity)
				res = e.do(http.MethodPatch, "/api/v1/erp-connectors/"+c.ID, e.key, map[string]any{"secret": "wrong"})
				wantStatus(t, res, http.StatusOK)
				var out erp.TestOutcome
				e.do(http.MethodPost, "/api/v1/erp-connectors/"+c.ID+"/test", e.key, nil).JSON(t, &out)
				if out.OK || out.Code != "auth" || !strings.Contains(out.Message, "Invalid username or password") {
					t.Errorf("test with a wrong password: %+v", out)
				}
			})

			t.Run("changes are audited without the secret", func(t *testing.T) {
				entries, _, err := e.db.ListAudit(t.Context(), e.tenant.ID, audit.Filter{EntityType: "erp_connector"})
				if err != nil {
					t.Fatal(err)
				}
				if len(entries) != 2 {
					t.Fatalf("%d audit rows, want create and update", len(entries))
				}
				for _, en := range entries {
					if strings.Contains(en.Before+en.After, p21test.Password) || strings.Contains(en.Before+en.After, "wrong") {
						t.Errorf("audit row holds the secret: %+v", en)
					}
				}
			})

			t.Run("a CSV catalog is not synced; an inactive connector neither", func(t *testing.T) {
				id := created(e, e.key, "/api/v1/erp-connectors", map[string]any{"name": "Catalog", "provider": "csv"})
				wantProblem(t, e.do(http.MethodPost, "/api/v1/erp-connectors/"+id+"/sync", e.key, nil), http.StatusConflict)
				wantStatus(t, e.do(http.MethodDelete, "/api/v1/erp-connectors/"+c.ID, e.key, nil), http.StatusNoContent)
				wantProblem(t, e.do(http.MethodPost, "/api/v1/erp-connectors/"+c.ID+"/sync", e.key, nil), http.StatusConflict)
			})
		})
	}
}

// xlsxType is the media type of an XLSX workbook.
const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

func TestERPCatalogImport(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, d)
			id := created(e, e.key, "/api/v1/erp-connectors", map[string]any{"name": "Legacy ERP", "provider": "csv"})
			csv := "\ufeffItem Number,Description,UOM,List Price,Active,Vendor,Vendor Part Number,Unit Cost,Alt UOM,Factor\n" +
				"A-100,Hex bolt M8,EA,\"$1,234.50\",Y,ACME,AC-100,0.4100,CS,12\n" +
				"A-100,Hex bolt M8,EA,\"$1,234.50\",Y,GLOBEX,GX-9,0.43,,\n" +
				",no number,EA,1,Y,,,,,\n" +
				"A-200,Washer,EA,abc,Y,,,,,\n" +
				"A-300,Old nut,BX,2.5,N,,,,BX,0\n" +
				"A-400,Nut,EA,0.10,N,,,,,\n"
			res := e.postCSV(e.key, "/api/v1/erp-connectors/"+id+"/catalog", csv)
			wantStatus(t, res, http.StatusOK)
			var out erp.ImportResult
			res.JSON(t, &out)
			if out.Rows != 6 || out.Items != 3 || out.UOMs != 1 || out.Suppliers != 2 || len(out.Errors) != 3 ||
				out.Errors[0].Line != 4 || out.Errors[1].Line != 5 || !strings.Contains(out.Errors[1].Reason, "abc") || out.Errors[2].Line != 6 {
				t.Fatalf("import %+v", out)
			}
			var page struct {
				Items      []erp.StoredItem `json:"items"`
				NextCursor string           `json:"next_cursor"`
			}
			e.do(http.MethodGet, "/api/v1/erp-items?connector_id="+id+"&limit=1", e.key, nil).JSON(t, &page)
			if len(page.Items) != 1 || page.Items[0].ItemNumber != "A-100" || page.Items[0].ListPrice.String() != "1234.5" || page.NextCursor == "" {
				t.Fatalf("first page %+v", page)
			}
			var item erp.ItemDetail
			e.do(http.MethodGet, "/api/v1/erp-items/"+page.Items[0].ID, e.key, nil).JSON(t, &item)
			if len(item.UOMs) != 1 || item.UOMs[0].Factor.String() != "12" || len(item.Suppliers) != 2 || item.Suppliers[0].Cost.String() != "0.41" {
				t.Errorf("item %+v", item)
			}
			e.do(http.MethodGet, "/api/v1/erp-items?active=true&q=nut", e.key, nil).JSON(t, &page)
			if len(page.Items) != 0 {
				t.Errorf("inactive items listed as active: %+v", page.Items)
			}
			var c erp.Connector
			e.do(http.MethodGet, "/api/v1/erp-connectors/"+id, e.key, nil).JSON(t, &c)
			if c.Items != 2 || c.Sync.State != erp.SyncSucceeded || c.Sync.ItemsRead != 2 {
				t.Errorf("connector after the import %+v", c)
			}
			wantProblem(t, e.postCSV(e.key, "/api/v1/erp-connectors/"+id+"/catalog", "name,price\nx,1\n"), http.StatusUnprocessableEntity)
			wantProblem(t, e.do(http.MethodPost, "/api/v1/erp-connectors/"+id+"/catalog", e.key, "{}"), http.StatusUnsupportedMediaType)

			// An XLSX catalog, header under a title row, and a semicolon CSV
			// import the same way; a file that is neither is refused.
			book := excelize.NewFile()
			for i, row := range [][]any{{"Legacy ERP item export"}, {"Item Number", "Description", "UOM", "List Price", "Active"},
				{"X-100", "Brass elbow 1/2", "EA", 4.25, "Y"}, {"X-200", "Brass tee 1/2", "EA", "n/a", "Y"}} {
				if err := book.SetSheetRow("Sheet1", "A"+strconv.Itoa(i+1), &row); err != nil {
					t.Fatal(err)
				}
			}
			var x bytes.Buffer
			if err := book.Write(&x); err != nil {
				t.Fatal(err)
			}
			res = e.postFile(e.key, "/api/v1/erp-connectors/"+id+"/catalog", xlsxType, x.Bytes())
			wantStatus(t, res, http.StatusOK)
			res.JSON(t, &out)
			if out.Items != 1 || len(out.Errors) != 1 || out.Errors[0].Line != 4 {
				t.Errorf("XLSX import %+v", out)
			}
			res = e.postCSV(e.key, "/api/v1/erp-connectors/"+id+"/catalog", "item_number;description;list_price\nX-300;Brass cap;1,75\n")
			wantStatus(t, res, http.StatusOK)
			e.do(http.MethodGet, "/api/v1/erp-items?connector_id="+id+"&q=brass&limit=10", e.key, nil).JSON(t, &page)
			if len(page.Items) != 2 || page.Items[0].ItemNumber != "X-100" || page.Items[0].ListPrice.String() != "4.25" || page.Items[1].ItemNumber != "X-300" {
				t.Errorf("items from XLSX and semicolon CSV %+v", page.Items)
			}
			res = e.postFile(e.key, "/api/v1/erp-connectors/"+id+"/catalog", xlsxType, []byte("%PDF-1.7 not a catalog"))
			wantProblem(t, res, http.StatusUnprocessableEntity)
			if !strings.Contains(string(res.Body), "PDF") {
				t.Errorf("PDF refusal: %s", res.Body)
			}
		})
	}
}
