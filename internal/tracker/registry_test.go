package tracker_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vendorsync/vendorsync/internal/tracker"
	"github.com/vendorsync/vendorsync/internal/tracker/jira"
	"github.com/vendorsync/vendorsync/internal/tracker/jira/jiratest"
)

func TestRegistryBuildsProvidersByKind(t *testing.T) {
	srv := jiratest.New(t)
	reg := tracker.NewRegistry(jira.Factories(jira.Options{Timeout: 2 * time.Second})...)
	if diff := cmp.Diff([]tracker.Kind{jira.KindCloud, jira.KindServer}, reg.Kinds()); diff != "" {
		t.Errorf("kinds (-want +got):\n%s", diff)
	}
	if got := reg.KindNames(); got != "jira_cloud, jira_server" {
		t.Errorf("KindNames = %q", got)
	}
	settings := map[tracker.Kind]tracker.Settings{
		jira.KindCloud:  {BaseURL: srv.URL, Username: jiratest.Email, Token: jiratest.APIToken},
		jira.KindServer: {BaseURL: srv.URL, Token: jiratest.PAT},
	}
	for kind, s := range settings {
		t.Run(string(kind), func(t *testing.T) {
			f, ok := reg.Lookup(kind)
			if !ok || f.Provider != "jira" || f.Name != "Jira" || f.SignsInWithUsername != (kind == jira.KindCloud) {
				t.Fatalf("Lookup(%s) = %+v, %v", kind, f, ok)
			}
			p, err := reg.New(kind, s)
			if err != nil {
				t.Fatal(err)
			}
			if account, err := p.Test(context.Background()); err != nil || account != "VendorSync Bot" {
				t.Errorf("Test() = %q, %v", account, err)
			}
		})
	}
	if _, err := reg.New("github", tracker.Settings{BaseURL: "https://api.github.com"}); err == nil ||
		!strings.Contains(err.Error(), "jira_cloud, jira_server") {
		t.Errorf("New of an unregistered kind: %v", err)
	}
	var none *tracker.Registry
	if _, ok := none.Lookup(jira.KindCloud); ok || none.Kinds() != nil || none.KindNames() != "none" {
		t.Error("a nil registry knows a kind")
	}
}

func TestRegistryRefusesBadWiring(t *testing.T) {
	cloud := jira.Factories(jira.Options{})[0]
	cases := map[string][]tracker.Factory{
		"a kind twice":     {cloud, cloud},
		"no constructor":   {{Kind: "gitea", Provider: "gitea", Name: "Gitea"}},
		"no name":          {{Kind: "gitea", Provider: "gitea", New: cloud.New}},
		"no kind":          {{Provider: "gitea", Name: "Gitea", New: cloud.New}},
		"no provider name": {{Kind: "gitea", Name: "Gitea", New: cloud.New}},
	}
	for name, fs := range cases {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("NewRegistry did not panic")
				}
			}()
			tracker.NewRegistry(fs...)
		})
	}
}

func TestBaseURLProblem(t *testing.T) {
	for raw, want := range map[string]string{
		"https://acme.atlassian.net":        "",
		"http://jira.example.com/jira":      "",
		" ":                                 "is required",
		"ftp://jira.example.com":            "must be an absolute http(s) URL",
		"/jira":                             "must be an absolute http(s) URL",
		"https://bot:secret@jira.example":   "must not contain credentials",
		"https://jira.example/?os_auth=1":   "must not contain a query or fragment",
		"https://jira.example/#/dashboards": "must not contain a query or fragment",
	} {
		if got := tracker.BaseURLProblem(raw); got != want {
			t.Errorf("BaseURLProblem(%q) = %q, want %q", raw, got, want)
		}
	}
}
