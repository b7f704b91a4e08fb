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
// score_signal_days, see totalsRanges), the signals of the partial first
// day and from now's day on one by one, all in one query. vendorID ""
// reads every vendor of the tenant.
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
	// On SQLite the arguments the index ranges take are written +?: with
	// an argument plain in a range or an equality, SQLite's planner reads
	// its value against the statistics that ANALYZE keeps and so prepares
	// the whole statement again each time it runs with new arguments,
	// about a quarter of a rescore's CPU. The plan does not depend on them.
	arg := "?"
	if db.Dialect != Postgres {
		arg = "+?"
	}
	vendorCond, vendorArgs := "vendor_id = "+arg, []any{vendorID}
	if vendorID == "" {
		vendorCond = "vendor_id IN (SELECT DISTINCT vendor_id FROM score_signal_blocks WHERE tenant_id = " + arg + ")"
		vendorArgs = []any{tenantID}
	}
	// One query: the signals of the partial first day and of now's day on,
	// one by one (raw 1), then the running totals of the days between,
	// summed per vendor and code (raw 0).
	edge := `SELECT 1 AS raw, vendor_id, code, 1 AS n, CAST(0 AS DOUBLE PRECISION) AS d, value AS v, value AS lo, value AS hi,
		observed_at FROM score_signals WHERE tenant_id = ` + arg + ` AND ` + vendorCond + ` AND status IN ('normalized', 'scored') AND observed_at >= ` + arg
	var q strings.Builder
	var args []any
	if first < last {
		q.WriteString(edge + ` AND observed_at < ` + arg + ` UNION ALL ` + edge)
		args = append(append(args, tenantID), vendorArgs...)
		args = append(args, since, dayStart(first), tenantID)
		args = append(append(args, vendorArgs...), dayStart(last))
		_, blocks := score.BlockDecay(halfLifeDays)
		none := "NULL"
		if db.Dialect == Postgres {
			none = "CAST(NULL AS TIMESTAMPTZ)"
		}
		q.WriteString(` UNION ALL SELECT 0, vendor_id, code, CAST(SUM(n) AS BIGINT), SUM(d), SUM(v), MIN(lo), MAX(hi), ` + none + ` FROM (`)
		args = db.totalsQuery(&q, args, arg, tenantID, vendorCond, vendorArgs, totalsRanges(first, last, blocks), now, halfLifeDays)
		q.WriteString(`) t GROUP BY vendor_id, code`)
	} else {
		q.WriteString(edge)
		args = append(append(append(args, tenantID), vendorArgs...), since)
	}
	rows, err := db.reader().query(ctx, q.String(), args...)
	if err != nil {
		return nil, translate(err, "signals")
	}
	defer rows.Close()
	var raw bool
	var vendor, code string
	var n int
	var d float64
	var v, lo, hi sql.NullFloat64
	var observed sql.NullTime
	for rows.Next() {
		if err := rows.Scan(&raw, &vendor, &code, &n, &d, &v, &lo, &hi, &observed); err != nil {
			return nil, translate(err, "signals")
		}
		if _, ok := score.Lookup(code); !ok {
			continue // not scored; the totals read only the catalog's codes
		}
		c := at(vendor, code)
		if raw {
			dec := score.Decay(now.Sub(observed.Time), halfLifeDays)
			c.Signals++
			c.Decay += dec
			c.Value += dec * v.Float64
			c.Min, c.Max = math.Min(c.Min, v.Float64), math.Max(c.Max, v.Float64)
			continue
		}
		c.Signals += n
		c.Decay += d
		c.Value += v.Float64
		c.Min, c.Max = math.Min(c.Min, lo.Float64), math.Max(c.Max, hi.Float64)
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

// totalsQuery writes the rows of running totals that the ranges read,
// each as vendor_id, code, n, d, v, lo, hi (see totalsRange), and returns
// args with their arguments (arg is how an index range's argument is
// written, see signalSums): the database decays each day's or block's
// moments to now by its middle, and the series of score.DayDecay or
// score.BlockDecay finishes the decay within it.
func (db *DB) totalsQuery(q *strings.Builder, args []any, arg, tenantID, vendorCond string, vendorArgs []any, rs []totalsRange, now time.Time,
	halfLifeDays float64) []any {
	t, half := decayArgs(now, halfLifeDays)
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
		fmt.Fprintf(q, `SELECT vendor_id, code, %d * signals AS n, %d * %s * (%s) AS d, %d * %s * (%s) AS v, min_value AS lo, max_value AS hi
			FROM %s WHERE tenant_id = %s AND %s AND code IN (%s) AND %s >= %s AND %s < %s`,
			r.sign, r.sign, f, dec.String(), r.sign, f, val.String(), table, arg, vendorCond, catalogCodes, key, arg, key, arg)
	}
	return args
}

func decayArgs(now time.Time, halfLifeDays float64) (float64, float64) {
	return float64(now.UnixMicro()) / 1e6, halfLifeDays * 86400
}
