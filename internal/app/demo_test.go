package app_test

import (
	"io"
	"strings"
	"testing"
)

func TestServeDemoLoadsRegistry(t *testing.T) {
	s := startServe(t, envOf(), "--demo")
	if out := s.Stdout.String(); !strings.Contains(out, `Demo data (organisation "default"): loaded 5 teams, 11 vendors, 11 applications and 9 rules`) {
		t.Fatalf("serve --demo did not say what it loaded:\n%s", out)
	}
	if out := s.Stdout.String(); !strings.Contains(out, `Demo contracts (organisation "default"): loaded 16 ERP items, 2 contracts with 18 lines`) {
		t.Fatalf("serve --demo did not load the contracts demo:\n%s", out)
	}
	c := browser(t)
	login(t, c, s.URL, s.Email, s.Password)
	for path, want := range map[string]string{
		"/":             "Active applications",
		"/vendors":      "Thomson Reuters",
		"/applications": "PaymentService",
		"/rules":        "Card network authorization changes",
		"/contracts/exceptions?rule=INACTIVE_ITEM": "MFS-30500",
	} {
		res, err := c.Get(s.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || !strings.Contains(string(body), want) {
			t.Errorf("GET %s = %d, want a page mentioning %q", path, res.StatusCode, want)
		}
	}
}
