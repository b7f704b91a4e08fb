package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"sort"
	"strconv"
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/jobargs"
	"github.com/vendorsync/vendorsync/internal/score"
)

var _ score.Store = (*DB)(nil)

const signalColumns = `id, tenant_id, event_id, source, vendor_id, vendor_ref, code, category, value, observed_at,
	window_start, window_end, recorded_at, status, rejection_reason, note`

func scanSignal(r scanner) (score.Signal, error) {
	var s score.Signal
	var vendor sql.NullString
	var ref string
	var value sql.NullFloat64
	var ws, we sql.NullTime
	err := r.Scan(&s.ID, &s.TenantID, &s.EventID, &s.Source, &vendor, &ref, &s.Code, &s.Category, &value, &s.ObservedAt,
		&ws, &we, &s.RecordedAt, &s.Status, &s.RejectionReason, &s.Note)
	_ = json.Unmarshal([]byte(ref), &s.VendorRef) // written only by RecordSignals
	s.VendorID, s.WindowStart, s.WindowEnd = vendor.String, nullTime(ws), nullTime(we)
	if value.Valid {
		s.Value = &value.Float64
	}
	s.ObservedAt, s.RecordedAt = s.ObservedAt.UTC(), s.RecordedAt.UTC()
	return s, err
}

func optionalTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UTC()
}

// RecordSignals stores signals, their audit row and jobs in one
// transaction; an accepted signal whose event_id the tenant already has is
// a duplicate: not stored, its copy given the first signal's id.
func (db *DB) RecordSignals(ctx context.Context, tenantID string, sigs []score.Signal, ev audit.Event, jobs []jobargs.Args) ([]bool, error) {
	dup := make([]bool, len(sigs))
	// Signals are written in the order of the day totals they add to, so
	// that two batches for the same vendor lock the totals in one order.
	order := make([]int, len(sigs))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool {
		x, y := &sigs[order[a]], &sigs[order[b]]
		if x.VendorID != y.VendorID {
			return x.VendorID < y.VendorID
		}
		if x.Code != y.Code {
			return x.Code < y.Code
		}
		return dayOf(x.ObservedAt) < dayOf(y.ObservedAt)
	})
	err := db.inTx(ctx, func(tx *Tx) error {
		fresh := false
		for _, i := range order {
			s := &sigs[i]
			if s.Status != score.StatusRejected {
				res, err := tx.exec(ctx, `INSERT INTO score_signal_keys (tenant_id, event_id, signal_id) VALUES (?, ?, ?)
					ON CONFLICT (tenant_id, event_id) DO NOTHING`, tenantID, s.EventID, s.ID)
				if err != nil {
					return translate(err, "signal "+s.EventID)
				}
				if n, err := res.RowsAffected(); err != nil {
					return translate(err, "signal "+s.EventID)
				} else if n == 0 {
					dup[i] = true
					if err := tx.queryRow(ctx, `SELECT signal_id FROM score_signal_keys WHERE tenant_id = ? AND event_id = ?`,
						tenantID, s.EventID).Scan(&s.ID); err != nil {
						return translate(err, "signal "+s.EventID)
					}
					continue
				}
				fresh = true
			}
			ref, _ := json.Marshal(s.VendorRef) // plain strings always marshal
			var value any
			if s.Value != nil {
				value = *s.Value
			}
			_, err := tx.exec(ctx, `INSERT INTO score_signals (`+signalColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				s.ID, tenantID, s.EventID, s.Source, optionalRef(s.VendorID), string(ref), s.Code, string(s.Category), value,
				s.ObservedAt.UTC(), optionalTime(s.WindowStart), optionalTime(s.WindowEnd), s.RecordedAt.UTC(), string(s.Status),
				string(s.RejectionReason), s.Note)
			if err != nil {
				return translate(err, "signal "+s.EventID)
			}
		}
		if fresh {
			if err := tx.EnqueueAll(ctx, jobs); err != nil {
				return err
			}
		}
		return tx.Audit(ctx, ev)
	})
	return dup, err
}

// ListSignals pages through a tenant's signals, newest recorded first.
func (db *DB) ListSignals(ctx context.Context, tenantID string, f score.SignalFilter) ([]score.Signal, string, error) {
	keys, err := decodeCursor(f.Cursor, 2)
	if err != nil {
		return nil, "", err
	}
	c := tenantScoped(tenantID)
	if f.Rejected {
		c.add("status = ?", string(score.StatusRejected))
		c.eq("rejection_reason", string(f.Reason))
	} else {
		c.add("status <> ?", string(score.StatusRejected))
	}
	c.eq("vendor_id", f.VendorID)
	if keys != nil {
		at, err := time.Parse(time.RFC3339Nano, keys[0])
		if err != nil {
			return nil, "", apperr.Invalidf("cursor is not valid")
		}
		c.add("(recorded_at < ? OR (recorded_at = ? AND id < ?))", at, at, keys[1])
	}
	limit := clampLimit(f.Limit)
	out, err := queryAll(ctx, db.reader(), "signals", scanSignal, `SELECT `+signalColumns+` FROM score_signals WHERE `+c.sql()+
		` ORDER BY recorded_at DESC, id DESC LIMIT `+strconv.Itoa(limit+1), c.args...)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(out) > limit {
		out = out[:limit]
		last := out[limit-1]
		next = encodeCursor(last.RecordedAt.Format(time.RFC3339Nano), last.ID)
	}
	return out, next, nil
}

// VendorObservations returns the vendor's accepted signals observed at or
// after since.
func (db *DB) VendorObservations(ctx context.Context, tenantID, vendorID string, since time.Time) ([]score.Observation, error) {
	rows, err := db.reader().query(ctx, `SELECT code, value, observed_at FROM score_signals
		WHERE tenant_id = ? AND vendor_id = ? AND observed_at >= ? AND status IN ('normalized', 'scored')`,
		tenantID, vendorID, since.UTC())
	if err != nil {
		return nil, translate(err, "signals")
	}
	defer rows.Close()
	var out []score.Observation
	for rows.Next() {
		var o score.Observation
		var v sql.NullFloat64
		if err := rows.Scan(&o.Code, &v, &o.ObservedAt); err != nil {
			return nil, translate(err, "signals")
		}
		o.Value = v.Float64
		out = append(out, o)
	}
	return out, translate(rows.Err(), "signals")
}

// VendorSignalSums sums the vendor's accepted signals since a time per
// code, decayed to now, from the running day totals and the signals of
// the window's partial days.
func (db *DB) VendorSignalSums(ctx context.Context, tenantID, vendorID string, since, now time.Time, halfLifeDays float64) ([]score.CodeSum, error) {
	if vendorID == "" {
		return nil, nil
	}
	m, err := db.signalSums(ctx, tenantID, vendorID, since, now, halfLifeDays)
	return m[vendorID], err
}

// TenantSignalSums is VendorSignalSums for every vendor of the tenant. On
// PostgreSQL one aggregating query over the signals themselves is faster
// for a whole tenant (a parallel scan) than the day totals, whose rows
// outnumber its signals' codes and days only a little for a tenant's many
// vendors.
func (db *DB) TenantSignalSums(ctx context.Context, tenantID string, since, now time.Time, halfLifeDays float64) (map[string][]score.CodeSum, error) {
	if db.Dialect != Postgres {
		return db.signalSums(ctx, tenantID, "", since, now, halfLifeDays)
	}
	at, half := decayArgs(now, halfLifeDays)
	rows, err := db.reader().query(ctx, `SELECT vendor_id, code, COUNT(*), SUM(d), SUM(d * v), MIN(v), MAX(v) FROM (
		SELECT vendor_id, code, COALESCE(value, 0) AS v,
			exp(0.6931471805599453::float8 * LEAST(0::float8, (date_part('epoch', observed_at) - ?) / ?)) AS d
		FROM score_signals WHERE tenant_id = ? AND vendor_id IS NOT NULL AND observed_at >= ? AND status IN ('normalized', 'scored')) s
		GROUP BY vendor_id, code ORDER BY vendor_id, code`, at, half, tenantID, since.UTC())
	if err != nil {
		return nil, translate(err, "signals")
	}
	defer rows.Close()
	out := map[string][]score.CodeSum{}
	for rows.Next() {
		var vendor string
		var c score.CodeSum
		if err := rows.Scan(&vendor, &c.Code, &c.Signals, &c.Decay, &c.Value, &c.Min, &c.Max); err != nil {
			return nil, translate(err, "signals")
		}
		out[vendor] = append(out[vendor], c)
	}
	return out, translate(rows.Err(), "signals")
}

// ScoredVendors lists the tenant's vendors with a score or an accepted
// signal.
func (db *DB) ScoredVendors(ctx context.Context, tenantID string) ([]string, error) {
	return queryAll(ctx, db.reader(), "vendors", scanString, `SELECT vendor_id FROM vendor_scores WHERE tenant_id = ?
		UNION SELECT DISTINCT vendor_id FROM score_signals WHERE tenant_id = ? AND vendor_id IS NOT NULL AND status <> 'rejected'
		ORDER BY 1`, tenantID, tenantID)
}

// TenantsWithSignals lists every tenant with a signal or a score.
func (db *DB) TenantsWithSignals(ctx context.Context) ([]string, error) {
	return queryAll(ctx, db.reader(), "tenants", scanString, `SELECT tenant_id FROM vendor_scores
		UNION SELECT DISTINCT tenant_id FROM score_signal_keys ORDER BY 1`)
}

func scanString(r scanner) (string, error) {
	var s string
	err := r.Scan(&s)
	return s, err
}

// ScoreVendors lists the tenant's vendors for vendor_ref resolution.
func (db *DB) ScoreVendors(ctx context.Context, tenantID string) ([]score.VendorEntry, error) {
	return queryAll(ctx, db.reader(), "vendors", func(r scanner) (score.VendorEntry, error) {
		var v score.VendorEntry
		var domains, aliases string
		err := r.Scan(&v.ID, &v.Name, &domains, &aliases, &v.IsActive)
		v.Domains, v.Aliases = parseList(domains), parseList(aliases)
		return v, err
	}, `SELECT id, name, email_domains, aliases, is_active FROM vendors WHERE tenant_id = ? ORDER BY name, id`, tenantID)
}

// VendorByExternalID resolves a source's own vendor id.
func (db *DB) VendorByExternalID(ctx context.Context, tenantID, source, externalID string) (string, error) {
	var id string
	err := db.reader().queryRow(ctx, `SELECT vendor_id FROM score_vendor_refs WHERE tenant_id = ? AND source = ? AND external_id = ?`,
		tenantID, source, externalID).Scan(&id)
	return id, translate(err, "vendor ref")
}

// MapExternalID records (or moves) a source's id of a vendor.
func (db *DB) MapExternalID(ctx context.Context, tenantID, source, externalID, vendorID string, at time.Time, ev audit.Event) error {
	return db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `INSERT INTO score_vendor_refs (tenant_id, source, external_id, vendor_id, created_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (tenant_id, source, external_id) DO UPDATE SET vendor_id = excluded.vendor_id`,
			tenantID, source, externalID, vendorID, at.UTC())
		if err != nil {
			return translate(err, "vendor ref")
		}
		return tx.Audit(ctx, ev)
	})
}

// EnsureSignalPartitions creates the signal table's monthly partitions
// for the months ahead on PostgreSQL and returns how many it created; on
// SQLite, which has one table, it does nothing.
func (db *DB) EnsureSignalPartitions(ctx context.Context, ahead int) (int, error) {
	if db.Dialect != Postgres {
		return 0, nil
	}
	var n int
	err := db.write.QueryRowContext(ctx, `SELECT score_signal_partitions($1)`, ahead).Scan(&n)
	return n, translate(err, "signal partitions")
}
