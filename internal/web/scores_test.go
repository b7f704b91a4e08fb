package web_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vendorsync/vendorsync/internal/blob"
	"github.com/vendorsync/vendorsync/internal/score"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

type submitted struct {
	Results []struct {
		Index    int    `json:"index"`
		EventID  string `json:"event_id"`
		Outcome  string `json:"outcome"`
		Reason   string `json:"rejection_reason"`
		SignalID string `json:"signal_id"`
	} `json:"results"`
	Accepted, Duplicates, Rejected, Invalid int
}

// hubPost sends a Standard Webhooks delivery signed with secret at ts.
func (e *env) hubPost(slug, secret string, ts time.Time, body []byte, tamper bool) response {
	e.t.Helper()
	id := "msg_" + strconv.FormatInt(ts.UnixNano(), 36)
	stamp := strconv.FormatInt(ts.Unix(), 10)
	key, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	m := hmac.New(sha256.New, key)
	m.Write([]byte(id + "." + stamp + "."))
	m.Write(body)
	sig := "v1," + base64.StdEncoding.EncodeToString(m.Sum(nil))
	if tamper {
		body = bytes.Replace(body, []byte("0.25"), []byte("0.26"), 1)
	}
	req, err := http.NewRequest(http.MethodPost, e.http.URL+"/hooks/signals/"+slug, bytes.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("webhook-id", id)
	req.Header.Set("webhook-timestamp", stamp)
	req.Header.Set("webhook-signature", sig)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	var b bytes.Buffer
	_, _ = b.ReadFrom(res.Body)
	return response{Status: res.StatusCode, Header: res.Header, Body: b.Bytes()}
}

func TestScoresEndToEnd(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, d)
			vendor := created(e, e.key, "/api/v1/vendors", map[string]any{"name": "Globex", "tier": "tier_1", "email_domains": []string{"globex.example"}})
			now := time.Now().UTC().Add(-time.Hour).Format(time.RFC3339)

			// REST: per-item answers, idempotent by event_id.
			res := e.do(http.MethodPost, "/api/v1/signals", e.key, map[string]any{"source": "erp", "signals": []map[string]any{
				{"event_id": "r1", "vendor_ref": map[string]any{"id": vendor}, "signal_code": "defect_rate", "value": 0.25, "observed_at": now},
				{"event_id": "r2", "vendor_ref": map[string]any{"domain": "globex.example"}, "signal_code": "defect_rate", "value": 7, "observed_at": now},
				{"event_id": "r1", "vendor_ref": map[string]any{"id": vendor}, "signal_code": "defect_rate", "value": 0.25, "observed_at": now},
			}})
			wantStatus(t, res, http.StatusOK)
			var out submitted
			res.JSON(t, &out)
			if out.Accepted != 1 || out.Rejected != 1 || out.Duplicates != 1 || out.Results[1].Reason != "VALUE_OUT_OF_RANGE" {
				t.Fatalf("answer %s", res.Body)
			}
			// Before a rescore the vendor has no data.
			res = e.do(http.MethodGet, "/api/v1/vendors/"+vendor+"/score", e.key, nil)
			wantStatus(t, res, http.StatusOK)
			if !strings.Contains(string(res.Body), `"score":null`) {
				t.Errorf("unscored vendor: %s", res.Body)
			}

			// Upload: CSV rows answered one by one; other types refused.
			csv := "event_id,vendor_name,signal_code,value,observed_at\nu1,Globex,on_time_delivery_rate,0.5," + now + "\nu2,Nobody,on_time_delivery_rate,0.5," + now + "\nu3,Globex,on_time_delivery_rate,half," + now + "\n"
			req, _ := http.NewRequest(http.MethodPost, e.http.URL+"/api/v1/signals/upload?source=sheet", strings.NewReader(csv))
			req.Header.Set("Content-Type", "text/csv")
			req.Header.Set("Authorization", "Bearer "+e.key)
			hr, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var ub bytes.Buffer
			_, _ = ub.ReadFrom(hr.Body)
			hr.Body.Close()
			if hr.StatusCode != http.StatusOK || !strings.Contains(ub.String(), `"accepted":1`) || !strings.Contains(ub.String(), `"MISSING_VENDOR_REF"`) ||
				!strings.Contains(ub.String(), `"invalid":1`) {
				t.Fatalf("upload: %d %s", hr.StatusCode, ub.String())
			}
			res = e.do(http.MethodPost, "/api/v1/signals/upload", e.key, nil)
			if res.Status < 400 || res.Status >= 500 {
				t.Errorf("upload without a file: %d", res.Status)
			}

			// Hub: verified on the raw body, with the timestamp.
			secret := "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
			wantStatus(t, e.do(http.MethodPut, "/api/v1/secrets/"+score.HubSecretName, e.key, map[string]any{"value": secret}), http.StatusOK)
			body := []byte(`{"source":"hub","signals":[{"event_id":"h1","vendor_ref":{"name":"GLOBEX"},"signal_code":"security_rating","value":0.25,"observed_at":"` + now + `"}]}`)
			wantProblem(t, e.hubPost("acme", secret, time.Now(), body, true), http.StatusUnauthorized)
			wantProblem(t, e.hubPost("acme", secret, time.Now().Add(-6*time.Minute), body, false), http.StatusUnauthorized)
			wantProblem(t, e.hubPost("nosuchorg", secret, time.Now(), body, false), http.StatusUnauthorized)
			wantProblem(t, e.hubPost("acme", "whsec_c2VjcmV0", time.Now(), body, false), http.StatusUnauthorized)
			res = e.hubPost("acme", secret, time.Now(), body, false)
			wantStatus(t, res, http.StatusOK)
			if !strings.Contains(string(res.Body), `"accepted":1`) {
				t.Errorf("hub answer %s", res.Body)
			}

			// Rejections view, API and page.
			res = e.do(http.MethodGet, "/api/v1/signals/rejections?reason=MISSING_VENDOR_REF", e.key, nil)
			wantStatus(t, res, http.StatusOK)
			if !strings.Contains(string(res.Body), `"u2"`) || strings.Contains(string(res.Body), `"r2"`) {
				t.Errorf("rejections: %s", res.Body)
			}
			wantProblem(t, e.do(http.MethodGet, "/api/v1/signals/rejections?reason=BORED", e.key, nil), http.StatusUnprocessableEntity)

			// Score the vendor as the rescore job would, then read it.
			if _, err := (&score.Service{Store: e.db}).Rescore(context.Background(), e.tenant.ID, vendor); err != nil {
				t.Fatal(err)
			}
			res = e.do(http.MethodGet, "/api/v1/scores", e.key, nil)
			wantStatus(t, res, http.StatusOK)
			if !strings.Contains(string(res.Body), `"vendor_name":"Globex"`) || !strings.Contains(string(res.Body), `"signals":3`) {
				t.Errorf("portfolio: %s", res.Body)
			}
			admin := e.signInAs(e.admin.Email, e.password)
			page := admin.get(t, "/vendors/"+vendor+"/score")
			wantStatus(t, page, http.StatusOK)
			for _, want := range []string{"<polyline", `id="contributors"`, "Deliveries with defects", "Orders delivered on time", "security_rating"} {
				if !strings.Contains(string(page.Body), want) {
					t.Errorf("vendor score page lacks %q", want)
				}
			}
			page = admin.get(t, "/scores")
			wantStatus(t, page, http.StatusOK)
			if !strings.Contains(string(page.Body), "Globex") || !strings.Contains(string(page.Body), "Band distribution") {
				t.Errorf("portfolio page: %.500s", page.Body)
			}
			page = admin.get(t, "/scores/rejections")
			if !strings.Contains(string(page.Body), "MISSING_VENDOR_REF") || !strings.Contains(string(page.Body), "VALUE_OUT_OF_RANGE") {
				t.Errorf("rejections page lacks the reasons")
			}
			up := admin.upload(t, "/scores/upload", "file", "signals.csv", []byte("event_id,vendor_domain,signal_code,value,observed_at\nui1,globex.example,defect_rate,0.1,"+now+"\n"))
			wantStatus(t, up, http.StatusOK)
			if !strings.Contains(string(up.Body), "1 accepted") {
				t.Errorf("UI upload: %.800s", up.Body)
			}

			// Reports: rendered, downloaded with their digest, verified.
			rep := created(e, e.key, "/api/v1/score-reports", map[string]any{"kind": "portfolio"})
			res = e.do(http.MethodGet, "/api/v1/score-reports/"+rep+"/download", e.key, nil)
			wantStatus(t, res, http.StatusOK)
			if !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") || !strings.Contains(string(res.Body), "Globex") ||
				res.Header.Get("X-Content-SHA256") == "" {
				t.Errorf("report download: %v %s", res.Header, res.Body)
			}
			res = e.do(http.MethodPost, "/api/v1/score-reports/"+rep+"/verify", e.key, nil)
			if res.Status != http.StatusOK || !strings.Contains(string(res.Body), `"identical":true`) {
				t.Errorf("verify: %d %s", res.Status, res.Body)
			}
			wantProblem(t, e.do(http.MethodPost, "/api/v1/score-reports", e.key, map[string]any{"kind": "weekly"}), http.StatusUnprocessableEntity)
			// PDF reports: a vendor's scorecard and the monthly summary.
			card := created(e, e.key, "/api/v1/score-reports", map[string]any{"kind": "scorecard", "vendor_id": vendor})
			res = e.do(http.MethodGet, "/api/v1/score-reports/"+card+"/download", e.key, nil)
			wantStatus(t, res, http.StatusOK)
			if res.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(string(res.Body), "%PDF-") ||
				!strings.Contains(res.Header.Get("Content-Disposition"), ".pdf") {
				t.Errorf("scorecard download: %v %.40q", res.Header, res.Body)
			}
			res = e.do(http.MethodPost, "/api/v1/score-reports/"+card+"/verify", e.key, nil)
			if res.Status != http.StatusOK || !strings.Contains(string(res.Body), `"identical":true`) {
				t.Errorf("verify scorecard: %d %s", res.Status, res.Body)
			}
			created(e, e.key, "/api/v1/score-reports", map[string]any{"kind": "monthly_summary"})
			wantProblem(t, e.do(http.MethodPost, "/api/v1/score-reports", e.key, map[string]any{"kind": "scorecard"}), http.StatusUnprocessableEntity)
			wantProblem(t, e.do(http.MethodPost, "/api/v1/score-reports", e.key, map[string]any{"kind": "monthly_summary", "period": "2999-01"}), http.StatusUnprocessableEntity)
			if page := admin.get(t, "/vendors/"+vendor+"/score"); !strings.Contains(string(page.Body), `id="report-scorecard"`) ||
				!strings.Contains(string(page.Body), "/scores/reports/"+card+"/download") {
				t.Errorf("vendor score page lacks its scorecard")
			}
			if page := admin.get(t, "/scores"); !strings.Contains(string(page.Body), `id="report-monthly"`) || !strings.Contains(string(page.Body), "Monthly summary (PDF)") {
				t.Errorf("portfolio page lacks the monthly summary")
			}
			page = admin.get(t, "/scores/reports/"+rep+"/download")
			if page.Status != http.StatusOK || !strings.Contains(string(page.Body), "Globex") {
				t.Errorf("UI download: %d", page.Status)
			}

			// Rules: a rule that cannot score is refused with the reason; a
			// valid one is versioned and activated.
			bad := score.DefaultRule()
			bad.Bands.High = 1
			wantProblem(t, e.do(http.MethodPost, "/api/v1/score-rules", e.key, map[string]any{"definition": bad}), http.StatusUnprocessableEntity)
			rule := created(e, e.key, "/api/v1/score-rules", map[string]any{"definition": score.DefaultRule(), "note": "first"})
			wantStatus(t, e.do(http.MethodPost, "/api/v1/score-rules/"+rule+"/activate", e.key, nil), http.StatusOK)
			res = e.do(http.MethodGet, "/api/v1/score-rules", e.key, nil)
			if !strings.Contains(string(res.Body), `"is_active":true`) || !strings.Contains(string(res.Body), `"version":1`) {
				t.Errorf("rules: %s", res.Body)
			}
		})
	}
}

// reportBlobs is the blob store the test server keeps reports in.
func reportBlobs(e *env) *blob.Store {
	e.t.Helper()
	b, err := blob.Open(context.Background(), "", e.t.TempDir())
	if err != nil {
		e.t.Fatal(err)
	}
	return b
}

// reportWallFixture renders a portfolio report in a tenant.
func reportWallFixture(e *env, key string) string {
	return created(e, key, "/api/v1/score-reports", map[string]any{"kind": "portfolio"})
}
