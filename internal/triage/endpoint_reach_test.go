package triage

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/vendorsync/vendorsync/internal/registry"
)

// TestEndpointsNameWhatIsUsed: an API sunset whose subject names one
// product of the vendor ("Gateway API") and whose body lists the endpoints
// it covers reaches the application whose description says it uses the
// vendor's product those endpoints belong to ("Coinmoor recurring
// payments API" for /v1/recurring/charges), and not one that uses another
// product of the vendor the email leaves alone.
func TestEndpointsNameWhatIsUsed(t *testing.T) {
	snap := registry.Snapshot{
		Vendors: []registry.Vendor{{ID: "v-pay", Name: "Coinmoor", Tier: registry.Tier2, EmailDomains: []string{"coinmoor.example"},
			Aliases: []string{"Coinmoor Gateway"}, IsActive: true}},
		Applications: []registry.Application{
			{ID: "app-shop", Name: "Storefront", IsCritical: true, VendorIDs: []string{"v-pay"}, IsActive: true,
				Description: "Online store. Card payments go through the Coinmoor Gateway API with a secret API key."},
			{ID: "app-billing", Name: "Invoicer", IsCritical: true, VendorIDs: []string{"v-pay"}, IsActive: true,
				Description: "Subscription billing. Invoice card payments and direct debits are collected through the Coinmoor recurring payments API."},
			{ID: "app-topup", Name: "TopUp", VendorIDs: []string{"v-pay"}, IsActive: true,
				Description: "Prepaid top-ups are paid on the Coinmoor hosted payment page."},
		},
	}
	e := Email{MessageID: "sunset@coinmoor.example", FromAddress: "developers@coinmoor.example", Date: time.Date(2027, 4, 22, 8, 0, 0, 0, time.UTC),
		Subject: "Gateway API v1 will be sunset on 30 July 2027",
		Body: "Coinmoor Gateway API v1 (/v1/payments, /v1/refunds and /v1/recurring/charges) is deprecated.\n" +
			"After the sunset, v1 requests will be rejected with HTTP 410. Migrate to API v2.\n" +
			"The hosted payment page is not affected."}
	d, err := (&Agent{}).Decide(context.Background(), e, snap, testSettings())
	if err != nil {
		t.Fatal(err)
	}
	got := slices.Sorted(slices.Values(d.AffectedApplicationIDs))
	if want := []string{"app-billing", "app-shop"}; !slices.Equal(got, want) {
		t.Errorf("applications %v, want %v\n%s", got, want, d.Reasoning)
	}
}
