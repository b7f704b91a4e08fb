package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

// ruleFormValues is the editor's form as the page fills it from the
// default rule, with changes applied.
func ruleFormValues(changes map[string]string) url.Values {
	v := url.Values{"cw_financial": {"20"}, "cw_delivery": {"25"}, "cw_quality": {"20"}, "cw_compliance": {"15"},
		"cw_security": {"15"}, "cw_relationship": {"5"}, "medium": {"25"}, "high": {"50"}, "critical": {"75"},
		"window_days": {"365"}, "half_life_days": {"90"}}
	for k, x := range changes {
		v.Set(k, x)
	}
	return v
}

// TestScoreRulesEditor clones the active rule, edits it in the form,
// saves and activates it; a rule whose weights cannot produce a score,
// or with bands out of order, is refused with the reason shown; only
// people who may edit scoring can save or activate.
func TestScoreRulesEditor(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, d)
			admin := e.signInAs(e.admin.Email, e.password)
			page := admin.get(t, "/scores/rules")
			wantStatus(t, page, http.StatusOK)
			for _, want := range []string{`id="active-version">default<`, `id="rule-form"`, `name="sw_defect_rate"`, "No version saved yet"} {
				if !strings.Contains(string(page.Body), want) {
					t.Errorf("rules page lacks %q", want)
				}
			}

			// Every category at 0: no signal could count.
			zero := ruleFormValues(map[string]string{"cw_financial": "0", "cw_delivery": "0", "cw_quality": "0", "cw_compliance": "0",
				"cw_security": "0", "cw_relationship": "0"})
			res := admin.post(t, "/scores/rules", zero)
			wantStatus(t, res, http.StatusUnprocessableEntity)
			if !strings.Contains(string(res.Body), "The rule was not saved") || !strings.Contains(string(res.Body), "at least one category needs a weight above 0") {
				t.Errorf("refusal without its reason: %.2000s", res.Body)
			}
			// Bands out of order, and a weight that is not a number.
			res = admin.post(t, "/scores/rules", ruleFormValues(map[string]string{"high": "90", "critical": "80", "sw_defect_rate": "lots"}))
			wantStatus(t, res, http.StatusUnprocessableEntity)
			if !strings.Contains(string(res.Body), "must be a number") || !strings.Contains(string(res.Body), `value="lots"`) {
				t.Errorf("a typo is not shown back: %.2000s", res.Body)
			}
			res = admin.post(t, "/scores/rules", ruleFormValues(map[string]string{"high": "90", "critical": "80"}))
			wantStatus(t, res, http.StatusUnprocessableEntity)
			if !strings.Contains(string(res.Body), "thresholds must rise strictly") {
				t.Errorf("bands out of order without the reason: %.2000s", res.Body)
			}
			if got := e.do(http.MethodGet, "/api/v1/score-rules", e.key, nil); strings.TrimSpace(string(got.Body)) != "[]" {
				t.Errorf("refused rules were saved: %s", got.Body)
			}

			// A valid edit: saved inactive, then activated.
			res = admin.post(t, "/scores/rules", ruleFormValues(map[string]string{"cw_security": "40", "sw_defect_rate": "2",
				"window_days": "180", "note": "security counts more"}))
			if res.Status != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/scores/rules/") {
				t.Fatalf("save: %d %s %.500s", res.Status, res.Header.Get("Location"), res.Body)
			}
			loc, _ := url.Parse(res.Header.Get("Location"))
			id := strings.TrimPrefix(loc.Path, "/scores/rules/")
			page = admin.get(t, loc.String())
			wantStatus(t, page, http.StatusOK)
			for _, want := range []string{"Saved as version 1", "Version 1", "inactive", `id="activate"`, "Deliveries with defects: 2", "security counts more"} {
				if !strings.Contains(string(page.Body), want) {
					t.Errorf("saved version page lacks %q", want)
				}
			}
			// Cloning prefills the form from the version.
			page = admin.get(t, "/scores/rules?from="+id)
			if !strings.Contains(string(page.Body), `name="cw_security" value="40"`) || !strings.Contains(string(page.Body), "cloned from v1") {
				t.Errorf("clone does not prefill the form: %.3000s", page.Body)
			}

			viewer := e.signIn(auth.RoleViewer)
			wantStatus(t, viewer.get(t, "/scores/rules"), http.StatusOK)
			if strings.Contains(string(viewer.get(t, "/scores/rules").Body), `id="rule-form"`) {
				t.Error("a viewer is offered the editor")
			}
			wantStatus(t, viewer.post(t, "/scores/rules/"+id+"/activate", nil), http.StatusForbidden)
			wantStatus(t, viewer.post(t, "/scores/rules", ruleFormValues(nil)), http.StatusForbidden)

			res = admin.post(t, "/scores/rules/"+id+"/activate", nil)
			wantStatus(t, res, http.StatusSeeOther)
			page = admin.get(t, "/scores/rules")
			if !strings.Contains(string(page.Body), `id="active-version">v1<`) || !strings.Contains(string(page.Body), ">180<") {
				t.Errorf("active rule not shown as v1: %.1500s", page.Body)
			}
			got := e.do(http.MethodGet, "/api/v1/score-rules/"+id, e.key, nil)
			if !strings.Contains(string(got.Body), `"is_active":true`) || !strings.Contains(string(got.Body), `"security":40`) {
				t.Errorf("activated rule: %s", got.Body)
			}
		})
	}
}
