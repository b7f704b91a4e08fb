package jira_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/httpx"
	"github.com/vendorsync/vendorsync/internal/tracker"
	"github.com/vendorsync/vendorsync/internal/tracker/jira"
)

func TestKindsAndFlavors(t *testing.T) {
	for _, f := range flavors {
		got, ok := jira.FlavorOf(f.Kind())
		if !ok || got != f {
			t.Errorf("FlavorOf(%s.Kind()) = %q, %v", f, got, ok)
		}
	}
	if _, ok := jira.FlavorOf("github"); ok {
		t.Error("github is a Jira flavor")
	}
	if k := jira.Flavor("bogus").Kind(); k != "" {
		t.Errorf("an unknown flavor has kind %q", k)
	}
}

// TestFactoryCheckNamesSettingsFields: the settings are checked by Jira's
// own rules, the fields named as the connection names them (the account
// email is the username); the base URL and the token are the caller's.
func TestFactoryCheckNamesSettingsFields(t *testing.T) {
	cloud, server := jira.Factories(jira.Options{})[0], jira.Factories(jira.Options{})[1]
	cases := []struct {
		name string
		f    tracker.Factory
		s    tracker.Settings
		want []string
	}{
		{"cloud complete", cloud, tracker.Settings{BaseURL: "https://acme.atlassian.net", Username: "a@b.c"}, nil},
		{"cloud without email", cloud, tracker.Settings{BaseURL: "https://acme.atlassian.net"}, []string{"username"}},
		{"server needs no username", server, tracker.Settings{BaseURL: "https://jira.example.com/jira"}, nil},
		{"the base URL is the caller's", server, tracker.Settings{BaseURL: "https://u:p@jira.example.com"}, nil},
		{"nothing", cloud, tracker.Settings{}, []string{"username"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, fe := range apperr.FieldsOf(tc.f.Check(tc.s)) {
				got = append(got, fe.Field)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
		})
	}
	if a := cloud.Advice(httpx.Permission, "PAY"); a != "the Jira account needs Browse Projects and Create Issues on PAY" {
		t.Errorf("permission advice %q", a)
	}
	if a := cloud.Advice(httpx.NotFound, "PAY"); a != "" {
		t.Errorf("not-found advice %q, want the general one", a)
	}
}
