package setting_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/setting"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

func TestDefaultsMatchTheSeed(t *testing.T) {
	want := setting.Settings{
		Timezone:                 "UTC",
		WorkingHours:             setting.WorkingHours{Start: "09:00", End: "18:00"},
		EscalationThresholdsDays: []int{7, 3, 1},
		SLADaysByTier:            setting.SLADays{Tier1: 14, Tier2: 30, Tier3: 60},
		AuditRetentionDays:       1825,
		AutoProvision:            true,
		DefaultRole:              auth.RoleViewer,
		MinConfidencePercent:     50,
		Locale:                   "en-US",
		Currency:                 "USD",
	}
	if diff := cmp.Diff(want, setting.Defaults()); diff != "" {
		t.Errorf("defaults (-want +got):\n%s", diff)
	}
	if err := setting.Defaults().Validate(); err != nil {
		t.Errorf("defaults do not validate: %v", err)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(*setting.Settings)
		fields []string // fields reported invalid; none means valid
	}{
		{"berlin time zone", func(s *setting.Settings) { s.Timezone = "Europe/Berlin" }, nil},
		{"unknown time zone", func(s *setting.Settings) { s.Timezone = "Mars/Olympus" }, []string{"defaults.timezone"}},
		{"empty time zone", func(s *setting.Settings) { s.Timezone = "" }, []string{"defaults.timezone"}},
		{"Local is not a tenant zone", func(s *setting.Settings) { s.Timezone = "Local" }, []string{"defaults.timezone"}},
		{"end before start", func(s *setting.Settings) { s.WorkingHours = setting.WorkingHours{Start: "18:00", End: "09:00"} },
			[]string{"defaults.working_hours.end"}},
		{"malformed start", func(s *setting.Settings) { s.WorkingHours.Start = "9am" }, []string{"defaults.working_hours.start"}},
		{"single-digit hour", func(s *setting.Settings) { s.WorkingHours.Start = "9:00" }, []string{"defaults.working_hours.start"}},
		{"no thresholds", func(s *setting.Settings) { s.EscalationThresholdsDays = []int{} }, nil},
		{"ascending thresholds", func(s *setting.Settings) { s.EscalationThresholdsDays = []int{1, 3, 7} }, []string{"escalation.thresholds_days"}},
		{"repeated threshold", func(s *setting.Settings) { s.EscalationThresholdsDays = []int{7, 7, 1} }, []string{"escalation.thresholds_days"}},
		{"zero threshold", func(s *setting.Settings) { s.EscalationThresholdsDays = []int{3, 0} }, []string{"escalation.thresholds_days"}},
		{"negative threshold", func(s *setting.Settings) { s.EscalationThresholdsDays = []int{-1} }, []string{"escalation.thresholds_days"}},
		{"zero SLA", func(s *setting.Settings) { s.SLADaysByTier.Tier2 = 0 }, []string{"defaults.sla_days_by_tier.tier_2"}},
		{"short retention", func(s *setting.Settings) { s.AuditRetentionDays = 7 }, []string{"audit.retention_days"}},
		{"admin default role", func(s *setting.Settings) { s.DefaultRole = auth.RoleAdmin }, []string{"auth.default_role"}},
		{"unknown default role", func(s *setting.Settings) { s.DefaultRole = "boss" }, []string{"auth.default_role"}},
		{"owner default role", func(s *setting.Settings) { s.DefaultRole = auth.RoleOwner }, nil},
		{"german reports", func(s *setting.Settings) { s.Locale, s.Currency, s.LegalName = "de-DE", "EUR", "Müller GmbH" }, nil},
		{"unknown locale", func(s *setting.Settings) { s.Locale = "xx-XX" }, []string{"reports.locale"}},
		{"lower-case currency", func(s *setting.Settings) { s.Currency = "eur" }, []string{"reports.currency"}},
		{"two-line legal name", func(s *setting.Settings) { s.LegalName = "A\nB" }, []string{"reports.legal_name"}},
		{"several problems at once", func(s *setting.Settings) { s.Timezone = "x"; s.AuditRetentionDays = 0 },
			[]string{"defaults.timezone", "audit.retention_days"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := setting.Defaults()
			tt.change(&s)
			err := s.Validate()
			var got []string
			for _, f := range apperr.FieldsOf(err) {
				got = append(got, f.Field)
			}
			if diff := cmp.Diff(tt.fields, got); diff != "" {
				t.Errorf("invalid fields (-want +got):\n%s\nerr: %v", diff, err)
			}
			if len(tt.fields) > 0 && !apperr.Is(err, apperr.Invalid) {
				t.Errorf("code = %s, want invalid", apperr.CodeOf(err))
			}
		})
	}
}

func newTenant(t *testing.T, db *sqlstore.DB, slug string) auth.Tenant {
	t.Helper()
	svc := &auth.Service{Store: db, Keys: db.Keys}
	b, err := svc.CreateTenant(context.Background(), slug, slug, "admin@"+slug+".test")
	if err != nil {
		t.Fatal(err)
	}
	return b.Tenant
}

func ptr[T any](v T) *T { return &v }

func TestServiceGetAndUpdate(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		svc := &setting.Service{Store: db}
		a, b := newTenant(t, db, "acme"), newTenant(t, db, "beta")
		admin := auth.System(a.ID)

		t.Run("nothing stored reads as defaults", func(t *testing.T) {
			got, err := svc.Get(ctx, a.ID)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(setting.Defaults(), got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})

		t.Run("a patch changes only its keys and is audited", func(t *testing.T) {
			got, err := svc.Update(ctx, admin, setting.Patch{
				Timezone:                 ptr("Europe/Berlin"),
				EscalationThresholdsDays: ptr([]int{10, 5, 2, 1}),
				AutoProvision:            ptr(false),
				DefaultRole:              ptr(auth.RoleViewer), // unchanged: not stored, not audited
			})
			if err != nil {
				t.Fatal(err)
			}
			want := setting.Defaults()
			want.Timezone, want.EscalationThresholdsDays, want.AutoProvision = "Europe/Berlin", []int{10, 5, 2, 1}, false
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("update result (-want +got):\n%s", diff)
			}
			again, err := svc.Get(ctx, a.ID)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, again); diff != "" {
				t.Errorf("read back (-want +got):\n%s", diff)
			}
			stored, err := db.Settings(ctx, a.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(stored) != 3 {
				t.Errorf("stored keys = %v, want the 3 that changed", stored)
			}
			rows, _, err := db.ListAudit(ctx, a.ID, audit.Filter{Action: "settings.update"})
			if err != nil || len(rows) != 1 {
				t.Fatalf("audit rows = %v, %v; want 1", rows, err)
			}
			if rows[0].Before != `{"auth.auto_provision":true,"defaults.timezone":"UTC","escalation.thresholds_days":[7,3,1]}` {
				t.Errorf("audit before = %s", rows[0].Before)
			}
		})

		t.Run("other tenants keep their own settings", func(t *testing.T) {
			got, err := svc.Get(ctx, b.ID)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(setting.Defaults(), got); diff != "" {
				t.Errorf("tenant b (-want +got):\n%s", diff)
			}
		})

		t.Run("an invalid patch stores nothing", func(t *testing.T) {
			_, err := svc.Update(ctx, admin, setting.Patch{Timezone: ptr("Nowhere/City"), AuditRetentionDays: ptr(3650)})
			if !apperr.Is(err, apperr.Invalid) {
				t.Fatalf("err = %v, want invalid", err)
			}
			got, err := svc.Get(ctx, a.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Timezone != "Europe/Berlin" || got.AuditRetentionDays != 1825 {
				t.Errorf("settings changed by a rejected patch: %+v", got)
			}
		})

		t.Run("only admins may change settings", func(t *testing.T) {
			viewer := auth.Principal{Kind: auth.KindUser, TenantID: a.ID, UserID: "u", Label: "v@acme.test", Role: auth.RoleViewer}
			if _, err := svc.Update(ctx, viewer, setting.Patch{Timezone: ptr("UTC")}); !apperr.Is(err, apperr.Forbidden) {
				t.Errorf("err = %v, want forbidden", err)
			}
		})

		t.Run("unknown stored keys are ignored", func(t *testing.T) {
			ev := audit.Record(admin, "settings.update", "settings", a.ID, nil, nil)
			if err := db.SaveSettings(ctx, a.ID, map[string]string{"future.key": `{"x":1}`}, "test", ev); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.Get(ctx, a.ID); err != nil {
				t.Errorf("Get with an unknown key: %v", err)
			}
		})
	})
}

func TestSecrets(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		a := newTenant(t, db, "acme")
		admin := auth.System(a.ID)
		svc := &setting.Secrets{Store: db}
		info, err := svc.Put(ctx, admin, "jira-token", "s3cr3t-value")
		if err != nil {
			t.Fatal(err)
		}
		if info.Name != "jira-token" || info.KeyID == "" {
			t.Errorf("info = %+v", info)
		}
		if got, err := db.Secret(ctx, a.ID, "jira-token"); err != nil || string(got) != "s3cr3t-value" {
			t.Errorf("Secret = %q, %v", got, err)
		}
		for _, bad := range []struct{ name, value string }{{"Bad Name", "x"}, {"ok", ""}, {"-lead", "x"}} {
			if _, err := svc.Put(ctx, admin, bad.name, bad.value); !apperr.Is(err, apperr.Invalid) {
				t.Errorf("Put(%q, %q) err = %v, want invalid", bad.name, bad.value, err)
			}
		}
		if err := svc.Delete(ctx, admin, "jira-token"); err != nil {
			t.Fatal(err)
		}
		if err := svc.Delete(ctx, admin, "jira-token"); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("second delete err = %v, want not found", err)
		}
	})
}
