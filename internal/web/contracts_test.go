package web_test

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/vendorsync/vendorsync/internal/ident"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

// priceFile is a vendor's CSV: a title above the header, one formula
// cell in a description, one unreadable price.
const priceFile = "Acme price list 2026\n\nPart #,Description,U/M,Net Price,Expires\n" +
	"A-1,Bolt,EA,$1.50,2026-12-31\n" +
	"A-2,\"=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\",BX,\"1,234.00\",2026-12-31\n" +
	"A-3,Nut,EA,call us,2026-12-31\n"

// uploadFile posts a vendor file's bytes as tenant key.
func uploadFile(e *env, key, vendorID, name string, data []byte) response {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.http.URL+"/api/v1/contract-files?vendor_id="+vendorID+"&filename="+name, bytes.NewReader(data))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/octet-stream")
	req.Header.Set("Authorization", "Bearer "+key)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return response{Status: res.StatusCode, Header: res.Header, Body: body}
}

// importedFile uploads priceFile for a new vendor of the key's tenant,
// confirms the proposed mapping and runs the import as its job would;
// it returns the file's and the contract's ids and the bytes uploaded.
func importedFile(e *env, key string) (fileID, contractID string, data []byte) {
	e.t.Helper()
	tag := ident.New()
	vendor := created(e, key, "/api/v1/vendors", map[string]any{"name": "Price Vendor " + tag, "tier": "tier_2"})
	// The title line differs from file to file, so no upload is a duplicate.
	data = []byte(strings.Replace(priceFile, "2026", "2026 "+tag, 1))
	res := uploadFile(e, key, vendor, "acme.csv", data)
	wantStatus(e.t, res, http.StatusCreated)
	var f struct {
		ID string `json:"id"`
	}
	res.JSON(e.t, &f)
	var pv struct {
		HeaderLine int      `json:"header_line"`
		Proposed   []string `json:"proposed"`
	}
	res = e.do(http.MethodGet, "/api/v1/contract-files/"+f.ID+"/preview", key, nil)
	wantStatus(e.t, res, http.StatusOK)
	res.JSON(e.t, &pv)
	res = e.do(http.MethodPost, "/api/v1/contract-files/"+f.ID+"/confirm", key, map[string]any{"header_line": pv.HeaderLine,
		"mapping": pv.Proposed, "contract_number": "ACME-26"})
	wantStatus(e.t, res, http.StatusOK)
	p, err := e.auth.AuthenticateAPIKey(context.Background(), key)
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.server.Contracts.Import(context.Background(), p.TenantID, f.ID); err != nil {
		e.t.Fatal(err)
	}
	var got struct {
		Status     string `json:"status"`
		ContractID string `json:"contract_id"`
	}
	e.do(http.MethodGet, "/api/v1/contract-files/"+f.ID, key, nil).JSON(e.t, &got)
	if got.Status != "imported" {
		e.t.Fatalf("file %s is %s", f.ID, got.Status)
	}
	return f.ID, got.ContractID, data
}

func contractFileWallFixture(e *env, key string) string {
	id, _, _ := importedFile(e, key)
	return id
}

func contractWallFixture(e *env, key string) string {
	_, id, _ := importedFile(e, key)
	return id
}

func TestContractFilesAPI(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storetest.Dialects(t)[0])
	fileID, contractID, data := importedFile(e, e.key)

	res := e.do(http.MethodGet, "/api/v1/contract-files/"+fileID, e.key, nil)
	for _, want := range []string{`"rows_read":3`, `"lines_imported":2`, `"rows_failed":1`, `"header_line":3`} {
		if !strings.Contains(string(res.Body), want) {
			t.Errorf("file lacks %s: %s", want, res.Body)
		}
	}
	res = e.do(http.MethodGet, "/api/v1/contract-files/"+fileID+"/row-errors", e.key, nil)
	if !strings.Contains(string(res.Body), `"line":6`) || !strings.Contains(string(res.Body), `the price \"call us\" is not a number`) {
		t.Errorf("row errors: %s", res.Body)
	}
	res = e.do(http.MethodGet, "/api/v1/contracts?limit=1", e.key, nil)
	if !strings.Contains(string(res.Body), contractID) || !strings.Contains(string(res.Body), `"contract_number":"ACME-26"`) {
		t.Errorf("contracts: %s", res.Body)
	}
	res = e.do(http.MethodGet, "/api/v1/contracts/"+contractID+"/lines?limit=1", e.key, nil)
	if !strings.Contains(string(res.Body), `"contract_price":"1.5"`) || !strings.Contains(string(res.Body), `"next_cursor":"`) {
		t.Errorf("lines page: %s", res.Body)
	}
	res = e.do(http.MethodGet, "/api/v1/contracts/"+contractID+"/lines/export", e.key, nil)
	wantStatus(t, res, http.StatusOK)
	if !strings.Contains(string(res.Body), `"'=HYPERLINK(""http://evil.example"",""x"")"`) || !strings.Contains(string(res.Body), "A-2,BX,") {
		t.Errorf("export does not escape the formula: %s", res.Body)
	}
	res = e.do(http.MethodGet, "/api/v1/contract-files/"+fileID+"/row-errors/export", e.key, nil)
	if !strings.Contains(string(res.Body), "6,D,") {
		t.Errorf("row error export: %s", res.Body)
	}

	var vendor struct {
		VendorID string `json:"vendor_id"`
	}
	e.do(http.MethodGet, "/api/v1/contract-files/"+fileID, e.key, nil).JSON(t, &vendor)
	res = uploadFile(e, e.key, vendor.VendorID, "again.csv", data)
	wantStatus(t, res, http.StatusOK)
	if !strings.Contains(string(res.Body), `"duplicate":true`) || !strings.Contains(string(res.Body), fileID) {
		t.Errorf("re-upload: %s", res.Body)
	}
	res = e.do(http.MethodPost, "/api/v1/contract-files/"+fileID+"/confirm", e.key, map[string]any{"header_line": 3,
		"mapping": []string{"vendor_item_number", "", "uom", "price"}})
	wantStatus(t, res, http.StatusConflict)

	for name, body := range map[string][]byte{
		"a PDF":             []byte("%PDF-1.7\n"),
		"a zip of no sheet": zipWith(t, "notes.txt"),
	} {
		res := uploadFile(e, e.key, vendor.VendorID, "bad", body)
		if res.Status != http.StatusUnprocessableEntity && res.Status != http.StatusBadRequest {
			t.Errorf("%s: %d %s", name, res.Status, res.Body)
		}
		if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
			t.Errorf("%s: content type %q", name, ct)
		}
	}
	res = e.do(http.MethodPut, "/api/v1/uom-aliases/Bucket", e.key, map[string]any{"code": "bk"})
	wantStatus(t, res, http.StatusOK)
	res = e.do(http.MethodGet, "/api/v1/uom-aliases", e.key, nil)
	if !strings.Contains(string(res.Body), `{"alias":"BUCKET","code":"BK"}`) {
		t.Errorf("aliases: %s", res.Body)
	}
	wantStatus(t, e.do(http.MethodDelete, "/api/v1/uom-aliases/bucket", e.key, nil), http.StatusNoContent)
	wantStatus(t, e.do(http.MethodDelete, "/api/v1/uom-aliases/bucket", e.key, nil), http.StatusNotFound)

	viewer := e.newKey(e.tenant, "viewer")
	wantStatus(t, uploadFile(e, viewer, vendor.VendorID, "v.csv", []byte("a,b\n")), http.StatusForbidden)
}

func TestContractPages(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storetest.Dialects(t)[0])
	fileID, contractID, _ := importedFile(e, e.key)
	admin := e.signInAs(e.admin.Email, e.password)
	for path, want := range map[string]string{
		"/contracts":                 "ACME-26",
		"/contracts/" + contractID:   "1234.0000",
		"/contracts/files":           "acme.csv",
		"/contracts/files/" + fileID: "call us",
	} {
		res := admin.get(t, path)
		if res.Status != http.StatusOK || !strings.Contains(string(res.Body), want) {
			t.Errorf("GET %s: %d, want %q in the page", path, res.Status, want)
		}
	}
	if res := admin.get(t, "/"); !strings.Contains(string(res.Body), `href="/contracts"`) {
		t.Error("the navigation has no Contracts entry")
	}
}

// zipWith is a ZIP archive holding one empty file of the given name.
func zipWith(t *testing.T, name string) []byte {
	t.Helper()
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	if _, err := z.Create(name); err != nil {
		t.Fatal(err)
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// uploadPriceFile posts the files page's upload form.
func (s *session) uploadPriceFile(t *testing.T, vendorID, name string, content []byte) response {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("csrf_token", s.csrf)
	_ = mw.WriteField("vendor_id", vendorID)
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = fw.Write(content)
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	res, err := s.c.Post(s.base+"/contracts/files", mw.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{Status: res.StatusCode, Header: res.Header, Body: b}
}

func TestContractUploadAndConfirmPages(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storetest.Dialects(t)[0])
	vendor := created(e, e.key, "/api/v1/vendors", map[string]any{"name": "Page Vendor", "tier": "tier_2"})
	admin := e.signInAs(e.admin.Email, e.password)
	res := admin.uploadPriceFile(t, vendor, "page.csv", []byte("Ref;Cost;Pack\nX1;1,00;EA\nX2;2,00;BX\n"))
	if res.Status != http.StatusSeeOther || res.Header.Get("Location") != "/contracts/files/"+lastFileID(t, e) {
		t.Fatalf("upload: %d %s", res.Status, res.Header.Get("Location"))
	}
	res = admin.get(t, res.Header.Get("Location"))
	body := string(res.Body)
	if res.Status != http.StatusOK || !strings.Contains(body, "Check the columns") || !strings.Contains(body, "Still to map") {
		t.Fatalf("after upload: %d %.500s", res.Status, body)
	}
	// The column choices are in words, with the field names as values.
	for _, want := range []string{`<option value="vendor_item_number" >Vendor item number</option>`, `>Effective until</option>`, "Still to map: vendor item number"} {
		if !strings.Contains(body, want) {
			t.Errorf("the column mapping form lacks %s", want)
		}
	}
	res = admin.post(t, "/contracts/files/"+lastFileID(t, e)+"/confirm", url.Values{"header_line": {"1"}, "columns": {"3"},
		"col_0": {"vendor_item_number"}, "col_1": {"price"}, "col_2": {"uom"}, "contract_number": {"P-1"}})
	if res.Status == http.StatusSeeOther {
		res = admin.get(t, res.Header.Get("Location"))
	}
	if res.Status != http.StatusOK || !strings.Contains(string(res.Body), "queued") {
		t.Fatalf("after confirm: %d %.500s", res.Status, res.Body)
	}
	res = admin.post(t, "/contracts/files/"+lastFileID(t, e)+"/confirm", url.Values{"header_line": {"1"}, "columns": {"3"},
		"col_0": {"vendor_item_number"}})
	if res.Status != http.StatusConflict {
		t.Errorf("confirming twice: %d", res.Status)
	}
	res = admin.uploadPriceFile(t, vendor, "evil.pdf", []byte("%PDF-1.4\n"))
	if res.Status != http.StatusUnprocessableEntity || !strings.Contains(string(res.Body), "PDF") {
		t.Errorf("a PDF: %d %.300s", res.Status, res.Body)
	}
}

// lastFileID is the id of the newest vendor file of the env's tenant.
func lastFileID(t *testing.T, e *env) string {
	t.Helper()
	var page struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	e.do(http.MethodGet, "/api/v1/contract-files?limit=1", e.key, nil).JSON(t, &page)
	if len(page.Items) == 0 {
		t.Fatal("no vendor file")
	}
	return page.Items[0].ID
}

// TestContractConfirmFormKeepsTypedNumber posts the preview form as a
// browser does (every field, the dates left empty) for a file that has its
// own contract column: the number typed in the form is the contract's, and
// a confirmation sent back for a mapping fix still shows the typed number.
func TestContractConfirmFormKeepsTypedNumber(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, d)
			vendor := created(e, e.key, "/api/v1/vendors", map[string]any{"name": "Typed Vendor", "tier": "tier_2"})
			admin := e.signInAs(e.admin.Email, e.password)
			res := admin.uploadPriceFile(t, vendor, "typed.csv", []byte("Part #,U/M,Net Price,Contract\nT-1,EA,1.00,FILE-9\nT-2,BX,2.00,FILE-9\n"))
			if res.Status != http.StatusSeeOther {
				t.Fatalf("upload: %d %.300s", res.Status, res.Body)
			}
			id := lastFileID(t, e)
			form := url.Values{"header_line": {"1"}, "columns": {"4"}, "col_0": {"vendor_item_number"}, "col_1": {"uom"}, "col_2": {""},
				"col_3": {"contract_number"}, "contract_number": {"TYPED-1"}, "effective_start": {""}, "effective_end": {""}}
			res = admin.post(t, "/contracts/files/"+id+"/confirm", form)
			if res.Status != http.StatusUnprocessableEntity || !strings.Contains(string(res.Body), `name="contract_number" value="TYPED-1"`) {
				t.Fatalf("a confirmation sent back loses the typed contract number: %d %.2000s", res.Status, res.Body)
			}
			if !strings.Contains(string(res.Body), "Still to map: price") {
				t.Errorf("a confirmation sent back loses the column choices")
			}
			form.Set("col_2", "price")
			res = admin.post(t, "/contracts/files/"+id+"/confirm", form)
			if res.Status != http.StatusSeeOther {
				t.Fatalf("confirm: %d %.500s", res.Status, res.Body)
			}
			p, err := e.auth.AuthenticateAPIKey(context.Background(), e.key)
			if err != nil {
				t.Fatal(err)
			}
			if err := e.server.Contracts.Import(context.Background(), p.TenantID, id); err != nil {
				t.Fatal(err)
			}
			res = e.do(http.MethodGet, "/api/v1/contracts?limit=1", e.key, nil)
			if !strings.Contains(string(res.Body), `"contract_number":"TYPED-1"`) {
				t.Errorf("the typed contract number is not the contract's: %s", res.Body)
			}
		})
	}
}
