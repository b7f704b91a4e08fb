package sqlstore

import (
	"context"
	"database/sql"

	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/registry"
)

const ruleColumns = `id, tenant_id, name, text, vendor_id, severity, sla_days, owner_team_id, alert_channel, is_active,
	created_at, updated_at`

func scanRule(r interface{ Scan(...any) error }) (registry.Rule, error) {
	var ru registry.Rule
	var vendor, team sql.NullString
	var sla sql.NullInt64
	err := r.Scan(&ru.ID, &ru.TenantID, &ru.Name, &ru.Text, &vendor, &ru.Severity, &sla, &team, &ru.AlertChannel,
		&ru.IsActive, &ru.CreatedAt, &ru.UpdatedAt)
	ru.VendorID, ru.OwnerTeamID = vendor.String, team.String
	if sla.Valid {
		d := int(sla.Int64)
		ru.SLADays = &d
	}
	ru.CreatedAt, ru.UpdatedAt = ru.CreatedAt.UTC(), ru.UpdatedAt.UTC()
	return ru, err
}

// slaArg stores an absent SLA as NULL.
func slaArg(d *int) any {
	if d == nil {
		return nil
	}
	return int64(*d)
}

// checkRuleRefs makes sure, inside the transaction, that the rule's vendor
// and owner team belong to its tenant.
func (tx *Tx) checkRuleRefs(ctx context.Context, r registry.Rule) error {
	if err := tx.requireRef(ctx, refVendors, "vendor_id", r.TenantID, r.VendorID); err != nil {
		return err
	}
	return tx.requireRef(ctx, refTeams, "owner_team_id", r.TenantID, r.OwnerTeamID)
}

// CreateRule adds a rule with its audit row.
func (db *DB) CreateRule(ctx context.Context, r registry.Rule, ev audit.Event) error {
	return db.inTx(ctx, func(tx *Tx) error {
		if err := tx.checkRuleRefs(ctx, r); err != nil {
			return err
		}
		_, err := tx.exec(ctx, `INSERT INTO rules (`+ruleColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			r.ID, r.TenantID, r.Name, r.Text, optionalRef(r.VendorID), string(r.Severity), slaArg(r.SLADays),
			optionalRef(r.OwnerTeamID), r.AlertChannel, r.IsActive, r.CreatedAt, r.UpdatedAt)
		if err != nil {
			return translate(err, "rule "+r.Name)
		}
		return tx.Audit(ctx, ev)
	})
}

// UpdateRule saves a rule, including (de)activation, with its audit row.
func (db *DB) UpdateRule(ctx context.Context, r registry.Rule, ev audit.Event) error {
	return db.inTx(ctx, func(tx *Tx) error {
		if err := tx.checkRuleRefs(ctx, r); err != nil {
			return err
		}
		res, err := tx.exec(ctx, `UPDATE rules SET name = ?, text = ?, vendor_id = ?, severity = ?, sla_days = ?, owner_team_id = ?,
			alert_channel = ?, is_active = ?, updated_at = ? WHERE tenant_id = ? AND id = ?`,
			r.Name, r.Text, optionalRef(r.VendorID), string(r.Severity), slaArg(r.SLADays), optionalRef(r.OwnerTeamID),
			r.AlertChannel, r.IsActive, r.UpdatedAt, r.TenantID, r.ID)
		if err := mustAffect(res, err, "rule "+r.Name); err != nil {
			return err
		}
		return tx.Audit(ctx, ev)
	})
}

// Rule returns one rule of a tenant.
func (db *DB) Rule(ctx context.Context, tenantID, id string) (registry.Rule, error) {
	r, err := scanRule(db.reader().queryRow(ctx, `SELECT `+ruleColumns+` FROM rules WHERE tenant_id = ? AND id = ?`, tenantID, id))
	return r, translate(err, "rule")
}

// ListRules pages through a tenant's rules by name.
func (db *DB) ListRules(ctx context.Context, tenantID string, f registry.RuleFilter) ([]registry.Rule, string, error) {
	keys, err := decodeCursor(f.Cursor, 2)
	if err != nil {
		return nil, "", err
	}
	c := tenantScoped(tenantID)
	c.activeOnly(f.IncludeInactive)
	if f.Severity != "" {
		c.add("severity = ?", string(f.Severity))
	}
	if f.VendorID != "" {
		c.add("vendor_id = ?", f.VendorID)
	}
	if f.OwnerTeamID != "" {
		c.add("owner_team_id = ?", f.OwnerTeamID)
	}
	c.search(f.Query, "name", "text")
	c.after(keys, "name")
	return listByName(ctx, db, "rules", ruleColumns, "rules", "name", c, f.Limit, scanRule,
		func(r registry.Rule) (string, string) { return r.Name, r.ID })
}
