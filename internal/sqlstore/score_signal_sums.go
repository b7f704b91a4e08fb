package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/vendorsync/vendorsync/internal/score"
)

// dayOf is the UTC day of t as the running day totals number it: days
// since 1970-01-01.
func dayOf(t time.Time) int64 {
	s := t.Unix()
	d := s / 86400
	if s%86400 < 0 {
		d--
	}
	return d
}

func dayStart(day int64) time.Time { return time.Unix(day*86400, 0).UTC() }

// floorDiv divides rounding towards minus infinity.
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// totalsRange is a range of running totals a sum reads: keys [lo, hi) of
// the block totals or of the day totals, added (sign 1) or taken back
// (sign -1).
type totalsRange struct {
	blocks bool
	lo, hi int64
	sign   int
}

// totalsRanges covers the whole days [first, last) with running totals:
// whole blocks from the block totals, the days of a partial block at
// either end from the day totals. A partial block at the start is read
// whole less its days before first when those are fewer than the days
// wanted; the block holding last (today) is read whole less its days from
// last on, which are today's and the rare ones ahead of the clock. Without
// blocks (a half-life too short for them) it reads days only.
func totalsRanges(first, last int64, blocks bool) []totalsRange {
	if first >= last {
		return nil
	}
	if !blocks {
		return []totalsRange{{lo: first, hi: last, sign: 1}}
	}
	const n = score.BlockDays
	lb, rb := floorDiv(first, n), floorDiv(last, n) // rb holds last
	var out []totalsRange
	if lb == rb {
		// Within one block: its days, or the block less the days around.
		if last-first <= first-lb*n+1 {
			return []totalsRange{{lo: first, hi: last, sign: 1}}
		}
		return []totalsRange{{blocks: true, lo: lb, hi: lb + 1, sign: 1},
			{lo: lb * n, hi: first, sign: -1}, {lo: last, hi: (lb + 1) * n, sign: -1}}
	}
	from := lb // first whole block read
	if first > lb*n {
		if first-lb*n < (lb+1)*n-first {
			out = append(out, totalsRange{lo: lb * n, hi: first, sign: -1})
		} else {
			out = append(out, totalsRange{lo: first, hi: (lb + 1) * n, sign: 1})
			from = lb + 1
		}
	}
	to := rb // blocks [from, to) whole
	if last > rb*n {
		to = rb + 1
		out = append(out, totalsRange{lo: last, hi: (rb + 1) * n, sign: -1})
	}
	if from < to {
		out = append(out, totalsRange{blocks: true, lo: from, hi: to, sign: 1})
	}
	return out
}

// catalogCodes lists the catalog's codes as SQL literals: the sums read
// only codes a score counts, one index range per code.
var catalogCodes = func() string {
	q := make([]string, len(score.Catalog))
	for i, d := range score.Catalog {
		q[i] = "'" + strings.ReplaceAll(d.Code, "'", "''") + "'"
	}
	return strings.Join(q, ", ")
}()

// signalSums computes score.CodeSum per vendor and catalog code of the
// accepted signals observed at or after since, decayed to now with
// halfLifeDays: the days wholly between since and the start of now's day
// from the running block and day totals (score_signal_blocks and
// score_signal_days, see totalsRanges) in one query, the signals of the
// partial first day and from now's day on one by one. vendorID "" reads
// every vendor of the tenant.
func (db *DB) signalSums(ctx context.Context, tenantID, vendorID string, since, now time.Time, halfLifeDays float64) (map[string][]score.CodeSum, error) {
	since, now = since.UTC(), now.UTC()
	first := dayOf(since)
	if !dayStart(first).Equal(since) {
		first++
	}
	last := dayOf(now) // days [first, last) are read from the totals
	sums := map[string]map[string]*score.CodeSum{}
	at := func(vendor, code string) *score.CodeSum {
		m := sums[vendor]
		if m == nil {
			m = map[string]*score.CodeSum{}
			sums[vendor] = m
		}
		c := m[code]
		if c == nil {
			c = &score.CodeSum{Code: code, Min: math.Inf(1), Max: math.Inf(-1)}
			m[code] = c
		}
		return c
	}
	vendorCond, vendorArgs := "vendor_id = ?", []any{vendorID}
	if vendorID == "" {
		vendorCond = "vendor_id IN (SELECT DISTINCT vendor_id FROM score_signal_blocks WHERE tenant_id = ?)"
		vendorArgs = []any{tenantID}
	}
	if first < last {
		_, blocks := score.BlockDecay(halfLifeDays)
		rs := totalsRanges(first, last, blocks)
		if err := db.totalSums(ctx, tenantID, vendorCond, vendorArgs, rs, now, halfLifeDays, at); err != nil {
			return nil, err
		}
	}
	// The signals of the partial first day and of now's day on, one by one.
	edge := `SELECT vendor_id, code, value, observed_at FROM score_signals WHERE tenant_id = ? AND ` + vendorCond + `
		AND status IN ('normalized', 'scored') AND observed_at >= ?`
	q, args := edge+` AND observed_at < ? UNION ALL `+edge, []any{tenantID}
	args = append(args, vendorArgs...)
	args = append(args, since, dayStart(first), tenantID)
	args = append(args, vendorArgs...)
	args = append(args, dayStart(last))
	if first >= last {
		q, args = edge, append(append([]any{tenantID}, vendorArgs...), since)
	}
	rows, err := db.reader().query(ctx, q, args...)
	if err != nil {
		return nil, translate(err, "signals")
	}
	defer rows.Close()
	var vendor, code string
	var v sql.NullFloat64
	var observed time.Time
	for rows.Next() {
		if err := rows.Scan(&vendor, &code, &v, &observed); err != nil {
			return nil, translate(err, "signals")
		}
		if _, ok := score.Lookup(code); !ok {
			continue // not scored, as the totals read
		}
		c := at(vendor, code)
		dec := score.Decay(now.Sub(observed), halfLifeDays)
		c.Signals++
		c.Decay += dec
		c.Value += dec * v.Float64
		c.Min, c.Max = math.Min(c.Min, v.Float64), math.Max(c.Max, v.Float64)
	}
	if err := rows.Err(); err != nil {
		return nil, translate(err, "signals")
	}
	out := make(map[string][]score.CodeSum, len(sums))
	for vendor, m := range sums {
		cs := make([]score.CodeSum, 0, len(m))
		for _, c := range m {
			// A code whose totals were all taken back (a block's signals
			// all before the window) has none.
			if c.Signals > 0 {
				cs = append(cs, *c)
			}
		}
		sort.Slice(cs, func(i, j int) bool { return cs[i].Code < cs[j].Code })
		if len(cs) > 0 {
			out[vendor] = cs
		}
	}
	return out, nil
}

// totalSums adds running totals to the sums in one query: the database
// decays each day's or block's moments to now by its middle, and the
// series of score.DayDecay or score.BlockDecay finishes the decay within
// it.
func (db *DB) totalSums(ctx context.Context, tenantID, vendorCond string, vendorArgs []any, rs []totalsRange, now time.Time,
	halfLifeDays float64, at func(vendor, code string) *score.CodeSum) error {
	t, half := decayArgs(now, halfLifeDays)
	var q strings.Builder
	var args []any
	q.WriteString(`SELECT vendor_id, code, CAST(SUM(n) AS BIGINT), SUM(d), SUM(v), MIN(lo), MAX(hi) FROM (`)
	for i, r := range rs {
		table, key, span, coef := "score_signal_days", "day", 86400, score.DayDecay(halfLifeDays)
		if r.blocks {
			table, key, span = "score_signal_blocks", "block", score.BlockDays*86400
			coef, _ = score.BlockDecay(halfLifeDays)
		}
		// The series, smallest terms first: Σ_k c[k]·pk and Σ_k c[k]·qk.
		var dec, val strings.Builder
		var decArgs, valArgs []any
		for k := len(coef) - 1; k >= 1; k-- {
			fmt.Fprintf(&dec, "? * p%d + ", k)
			decArgs = append(decArgs, coef[k])
		}
		dec.WriteString("signals")
		for k := len(coef) - 1; k >= 0; k-- {
			if k < len(coef)-1 {
				val.WriteString(" + ")
			}
			fmt.Fprintf(&val, "? * q%d", k)
			valArgs = append(valArgs, coef[k])
		}
		// f: 2^((middle - now)/half-life), in seconds.
		mid := fmt.Sprintf("(CAST(%s AS DOUBLE PRECISION) * %d + %d - ?) / ?", key, span, span/2)
		f := `pow(2.0, ` + mid + `)`
		if db.Dialect == Postgres {
			f = `exp(0.6931471805599453::float8 * ` + mid + `)`
		}
		args = append(append(args, t, half), decArgs...)
		args = append(append(args, t, half), valArgs...)
		args = append(append(args, tenantID), vendorArgs...)
		args = append(args, r.lo, r.hi)
		if i > 0 {
			q.WriteString(" UNION ALL ")
		}
		fmt.Fprintf(&q, `SELECT vendor_id, code, %d * signals AS n, %d * %s * (%s) AS d, %d * %s * (%s) AS v, min_value AS lo, max_value AS hi
			FROM %s WHERE tenant_id = ? AND %s AND code IN (%s) AND %s >= ? AND %s < ?`,
			r.sign, r.sign, f, dec.String(), r.sign, f, val.String(), table, vendorCond, catalogCodes, key, key)
	}
	q.WriteString(`) t GROUP BY vendor_id, code`)
	rows, err := db.reader().query(ctx, q.String(), args...)
	if err != nil {
		return translate(err, "signal totals")
	}
	defer rows.Close()
	var vendor, code string
	var count int
	var dec, val, lo, hi float64
	for rows.Next() {
		if err := rows.Scan(&vendor, &code, &count, &dec, &val, &lo, &hi); err != nil {
			return translate(err, "signal totals")
		}
		c := at(vendor, code)
		c.Signals += count
		c.Decay += dec
		c.Value += val
		c.Min, c.Max = math.Min(c.Min, lo), math.Max(c.Max, hi)
	}
	return translate(rows.Err(), "signal totals")
}

func decayArgs(now time.Time, halfLifeDays float64) (float64, float64) {
	return float64(now.UnixMicro()) / 1e6, halfLifeDays * 86400
}
