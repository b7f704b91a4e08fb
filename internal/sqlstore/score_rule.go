package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/jobargs"
	"github.com/vendorsync/vendorsync/internal/score"
)

const scoreRuleColumns = `id, tenant_id, version, is_active, definition, note, created_by, created_at, activated_at`

func scanScoreRule(r scanner) (score.ScoringRule, error) {
	var x score.ScoringRule
	var def string
	var at sql.NullTime
	err := r.Scan(&x.ID, &x.TenantID, &x.Version, &x.IsActive, &def, &x.Note, &x.CreatedBy, &x.CreatedAt, &at)
	if err == nil {
		err = json.Unmarshal([]byte(def), &x.Definition)
	}
	x.CreatedAt, x.ActivatedAt = x.CreatedAt.UTC(), nullTime(at)
	return x, err
}

// ActiveScoreRule returns the tenant's active scoring rule.
func (db *DB) ActiveScoreRule(ctx context.Context, tenantID string) (score.ScoringRule, error) {
	r, err := scanScoreRule(db.reader().queryRow(ctx, `SELECT `+scoreRuleColumns+` FROM score_rules WHERE tenant_id = ? AND is_active = ?`,
		tenantID, true))
	return r, translate(err, "active score rule")
}

// ScoreRules lists every version of the tenant's rule, newest first.
func (db *DB) ScoreRules(ctx context.Context, tenantID string) ([]score.ScoringRule, error) {
	return queryAll(ctx, db.reader(), "score rules", scanScoreRule, `SELECT `+scoreRuleColumns+` FROM score_rules
		WHERE tenant_id = ? ORDER BY version DESC`, tenantID)
}

// ScoreRule returns one rule version of the tenant.
func (db *DB) ScoreRule(ctx context.Context, tenantID, id string) (score.ScoringRule, error) {
	r, err := scanScoreRule(db.reader().queryRow(ctx, `SELECT `+scoreRuleColumns+` FROM score_rules WHERE tenant_id = ? AND id = ?`,
		tenantID, id))
	return r, translate(err, "score rule")
}

// CreateScoreRule stores r as the tenant's next version.
func (db *DB) CreateScoreRule(ctx context.Context, r score.ScoringRule, ev audit.Event) (int, error) {
	def, err := json.Marshal(r.Definition)
	if err != nil {
		return 0, err
	}
	var v int
	err = db.inTx(ctx, func(tx *Tx) error {
		if err := tx.queryRow(ctx, `SELECT COALESCE(MAX(version), 0) + 1 FROM score_rules WHERE tenant_id = ?`, r.TenantID).Scan(&v); err != nil {
			return translate(err, "score rule")
		}
		_, err := tx.exec(ctx, `INSERT INTO score_rules (`+scoreRuleColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			r.ID, r.TenantID, v, false, string(def), r.Note, r.CreatedBy, r.CreatedAt.UTC(), nil)
		if err != nil {
			return translate(err, "score rule")
		}
		return tx.Audit(ctx, ev)
	})
	return v, err
}

// ActivateScoreRule makes rule id the tenant's only active rule. The
// deactivation and activation run in one transaction; the unique index on
// the active rule makes concurrent activations serialize, so exactly one
// rule is active whatever order they commit in.
func (db *DB) ActivateScoreRule(ctx context.Context, tenantID, id string, at time.Time, ev audit.Event, jobs []jobargs.Args) error {
	return db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.exec(ctx, `UPDATE score_rules SET is_active = ? WHERE tenant_id = ? AND is_active = ? AND id <> ?`,
			false, tenantID, true, id); err != nil {
			return translate(err, "score rule")
		}
		res, err := tx.exec(ctx, `UPDATE score_rules SET is_active = ?, activated_at = ? WHERE tenant_id = ? AND id = ?`,
			true, at.UTC(), tenantID, id)
		if err := mustAffect(res, err, "score rule"); err != nil {
			return err
		}
		if err := tx.EnqueueAll(ctx, jobs); err != nil {
			return err
		}
		return tx.Audit(ctx, ev)
	})
}

const vendorScoreColumns = `s.vendor_id, v.name, s.score, s.band, s.contributors, s.signals, s.rule_version, s.computed_at`

func scanVendorScore(r scanner) (score.VendorScore, error) {
	var x score.VendorScore
	var sc sql.NullFloat64
	var cs string
	err := r.Scan(&x.VendorID, &x.VendorName, &sc, &x.Band, &cs, &x.Signals, &x.RuleVersion, &x.ComputedAt)
	if sc.Valid {
		x.Score = &sc.Float64
	}
	x.Contributors = []score.Contributor{}
	if err == nil {
		err = json.Unmarshal([]byte(cs), &x.Contributors)
	}
	x.ComputedAt = x.ComputedAt.UTC()
	return x, err
}

// VendorScore returns a vendor's current score.
func (db *DB) VendorScore(ctx context.Context, tenantID, vendorID string) (score.VendorScore, error) {
	x, err := scanVendorScore(db.reader().queryRow(ctx, `SELECT `+vendorScoreColumns+` FROM vendor_scores s
		JOIN vendors v ON v.tenant_id = s.tenant_id AND v.id = s.vendor_id WHERE s.tenant_id = ? AND s.vendor_id = ?`, tenantID, vendorID))
	x.TenantID = tenantID
	return x, translate(err, "vendor score")
}

// ListVendorScores lists every scored vendor of the tenant, riskiest
// first, vendors without data last.
func (db *DB) ListVendorScores(ctx context.Context, tenantID string) ([]score.VendorScore, error) {
	return queryAll(ctx, db.reader(), "vendor scores", scanVendorScore, `SELECT `+vendorScoreColumns+` FROM vendor_scores s
		JOIN vendors v ON v.tenant_id = s.tenant_id AND v.id = s.vendor_id WHERE s.tenant_id = ?
		ORDER BY CASE WHEN s.score IS NULL THEN 1 ELSE 0 END, s.score DESC, v.name, s.vendor_id`, tenantID)
}

// ScoreHistory returns a vendor's scores since a time, oldest first.
func (db *DB) ScoreHistory(ctx context.Context, tenantID, vendorID string, since time.Time) ([]score.HistoryPoint, error) {
	out, err := queryAll(ctx, db.reader(), "score history", func(r scanner) (score.HistoryPoint, error) {
		var h score.HistoryPoint
		var sc sql.NullFloat64
		err := r.Scan(&sc, &h.Band, &h.ComputedAt)
		if sc.Valid {
			h.Score = &sc.Float64
		}
		h.ComputedAt = h.ComputedAt.UTC()
		return h, err
	}, `SELECT score, band, computed_at FROM score_history WHERE tenant_id = ? AND vendor_id = ? AND computed_at >= ?
		ORDER BY computed_at, id`, tenantID, vendorID, since.UTC())
	if out == nil {
		out = []score.HistoryPoint{}
	}
	return out, err
}

// ScoresAsOf returns each vendor's latest score computed at or before at,
// in one query.
func (db *DB) ScoresAsOf(ctx context.Context, tenantID string, at time.Time) (map[string]*float64, error) {
	type past struct {
		vendor string
		score  *float64
	}
	rows, err := queryAll(ctx, db.reader(), "score history", func(r scanner) (past, error) {
		var p past
		var sc sql.NullFloat64
		err := r.Scan(&p.vendor, &sc)
		if sc.Valid {
			p.score = &sc.Float64
		}
		return p, err
	}, `SELECT h.vendor_id, h.score FROM score_history h JOIN (SELECT vendor_id, MAX(computed_at) AS at FROM score_history
		WHERE tenant_id = ? AND computed_at <= ? GROUP BY vendor_id) m ON m.vendor_id = h.vendor_id AND m.at = h.computed_at
		WHERE h.tenant_id = ? ORDER BY h.vendor_id, h.id`, tenantID, at.UTC(), tenantID)
	out := make(map[string]*float64, len(rows))
	for _, p := range rows {
		out[p.vendor] = p.score
	}
	return out, err
}

func nullScore(s *float64) any {
	if s == nil {
		return nil
	}
	return *s
}

// SaveScores writes vendors' new scores, each with its history point, band
// event and jobs, and marks their scored signals, in one transaction.
func (db *DB) SaveScores(ctx context.Context, cs []score.ScoreChange) error {
	return db.inTx(ctx, func(tx *Tx) error {
		if tx.db.Dialect == Postgres && !announces(cs) {
			// Everything such a transaction writes is computed again from
			// the signals, which commit durably, by the next rescore: it
			// need not wait for its log to reach the disk. A crash loses at
			// most the latest rescores, never a band event or its
			// notifications.
			if _, err := tx.exec(ctx, `SET LOCAL synchronous_commit = off`); err != nil {
				return translate(err, "vendor score")
			}
		}
		for _, c := range cs {
			if err := saveScore(ctx, tx, c); err != nil {
				return err
			}
		}
		return nil
	})
}

// announces reports whether a change crosses a band or causes jobs.
func announces(cs []score.ScoreChange) bool {
	for _, c := range cs {
		if c.Crossed != nil || len(c.Jobs) > 0 {
			return true
		}
	}
	return false
}

func saveScore(ctx context.Context, tx *Tx, c score.ScoreChange) error {
	s := c.Score
	cs, err := json.Marshal(s.Contributors)
	if err != nil {
		return err
	}
	// The vendor's score is the one the change was computed from, or the
	// change is refused: a first score is inserted only while there is
	// none, a later one replaces only the score it was computed from. A
	// concurrent writer of the same vendor waits for the row (or the
	// inserted key) and then finds it changed.
	var res sql.Result
	if c.From.ComputedAt.IsZero() {
		res, err = tx.exec(ctx, `INSERT INTO vendor_scores (tenant_id, vendor_id, score, band, contributors, signals, rule_version, computed_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tenant_id, vendor_id) DO NOTHING`,
			s.TenantID, s.VendorID, nullScore(s.Score), string(s.Band), string(cs), s.Signals, s.RuleVersion, s.ComputedAt.UTC())
	} else {
		res, err = tx.exec(ctx, `UPDATE vendor_scores SET score = ?, band = ?, contributors = ?, signals = ?, rule_version = ?, computed_at = ?
			WHERE tenant_id = ? AND vendor_id = ? AND band = ? AND computed_at = ?`,
			nullScore(s.Score), string(s.Band), string(cs), s.Signals, s.RuleVersion, s.ComputedAt.UTC(),
			s.TenantID, s.VendorID, string(c.From.Band), c.From.ComputedAt.UTC())
	}
	if err != nil {
		return translate(err, "vendor score")
	}
	if n, err := res.RowsAffected(); err != nil {
		return translate(err, "vendor score")
	} else if n == 0 {
		return apperr.E(apperr.Conflict, "the score of vendor %s changed meanwhile", s.VendorID)
	}
	if _, err := tx.exec(ctx, `INSERT INTO score_history (id, tenant_id, vendor_id, score, band, computed_at) VALUES (?, ?, ?, ?, ?, ?)`,
		c.HistoryID, s.TenantID, s.VendorID, nullScore(c.History.Score), string(c.History.Band), c.History.ComputedAt.UTC()); err != nil {
		return translate(err, "score history")
	}
	if e := c.Crossed; e != nil {
		p, err := json.Marshal(e.Payload)
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `INSERT INTO score_band_events (id, tenant_id, vendor_id, from_band, to_band, score, delivery_payload, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, e.ID, e.TenantID, e.VendorID, string(e.From), string(e.To), nullScore(e.Score), string(p),
			e.CreatedAt.UTC()); err != nil {
			return translate(err, "band event")
		}
	}
	if err := markScored(ctx, tx, s.TenantID, s.VendorID, c.Through); err != nil {
		return err
	}
	return tx.EnqueueAll(ctx, c.Jobs)
}

// markScored marks the vendor's normalized signals recorded up to through
// as scored. SQLite prepares this update again each time it runs (with its
// triggers, some milliseconds), so it first asks the pending index whether
// there is any.
func markScored(ctx context.Context, tx *Tx, tenantID, vendorID string, through time.Time) error {
	if tx.db.Dialect != Postgres {
		var pending bool
		if err := tx.queryRow(ctx, `SELECT EXISTS (SELECT 1 FROM score_signals WHERE tenant_id = ? AND vendor_id = ? AND status = 'normalized'
			AND recorded_at <= ?)`, tenantID, vendorID, through.UTC()).Scan(&pending); err != nil {
			return translate(err, "signals")
		}
		if !pending {
			return nil
		}
	}
	_, err := tx.exec(ctx, `UPDATE score_signals SET status = 'scored' WHERE tenant_id = ? AND vendor_id = ? AND status = 'normalized'
		AND recorded_at <= ?`, tenantID, vendorID, through.UTC())
	return translate(err, "signals")
}

// BandEvents returns a vendor's latest band changes, newest first.
func (db *DB) BandEvents(ctx context.Context, tenantID, vendorID string, limit int) ([]score.BandEvent, error) {
	out, err := queryAll(ctx, db.reader(), "band events", func(r scanner) (score.BandEvent, error) {
		var e score.BandEvent
		var sc sql.NullFloat64
		var p string
		err := r.Scan(&e.ID, &e.TenantID, &e.VendorID, &e.From, &e.To, &sc, &p, &e.CreatedAt)
		if sc.Valid {
			e.Score = &sc.Float64
		}
		if err == nil {
			err = json.Unmarshal([]byte(p), &e.Payload)
		}
		e.CreatedAt = e.CreatedAt.UTC()
		return e, err
	}, `SELECT id, tenant_id, vendor_id, from_band, to_band, score, delivery_payload, created_at FROM score_band_events
		WHERE tenant_id = ? AND vendor_id = ? ORDER BY created_at DESC, id DESC LIMIT ?`, tenantID, vendorID, clampLimit(limit))
	if out == nil {
		out = []score.BandEvent{}
	}
	return out, err
}

// TenantName names a tenant.
func (db *DB) TenantName(ctx context.Context, tenantID string) (string, error) {
	var n string
	err := db.reader().queryRow(ctx, `SELECT name FROM tenants WHERE id = ?`, tenantID).Scan(&n)
	return n, translate(err, "tenant")
}
