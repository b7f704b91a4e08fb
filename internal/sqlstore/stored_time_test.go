package sqlstore

import (
	"context"
	"database/sql"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"
)

// A timestamp read as text through storedTime is the time the SQLite
// driver reads from the declared column: for what the driver writes (UTC
// and other zones, any fraction, whole seconds) and for text in each of
// the other forms the driver accepts. Text in no such form is an error
// both ways.
func TestStoredTimeReadsWhatTheDriverReads(t *testing.T) {
	ctx := context.Background()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `CREATE TABLE probe (n INTEGER PRIMARY KEY, ts TIMESTAMP)`); err != nil {
		t.Fatal(err)
	}
	var values []any
	rnd := rand.New(rand.NewPCG(1, 2))
	for range 500 {
		at := time.Unix(rnd.Int64N(4_000_000_000), rnd.Int64N(1_000_000_000)).UTC()
		switch rnd.IntN(4) {
		case 0:
			at = at.Truncate(time.Second)
		case 1:
			at = at.Truncate(time.Microsecond)
		case 2:
			at = at.Truncate(time.Millisecond)
		}
		values = append(values, at)
	}
	values = append(values,
		time.Date(2024, 2, 29, 23, 59, 59, 100, time.UTC),
		time.Date(2026, 12, 7, 5, 19, 6, 442164000, time.FixedZone("CET", 3600)),
		time.Date(2026, 12, 7, 5, 19, 6, 0, time.FixedZone("", -5*3600)),
		time.Now(), // carries a monotonic reading
		"2026-12-07 05:19:06.442164+01:00", "2026-12-07T05:19:06.442164-07:00", "2026-12-07 05:19:06.5",
		"2026-12-07T05:19:06", "2026-12-07T05:19:06Z", "2026-12-07 05:19", "2026-12-07T05:19", "2026-12-07",
		"2026-12-07 05:19:06 +0000 UTC", "2026-12-07 05:19:06.000000001 +0000 UTC",
		"2026-02-30 05:19:06 +0000 UTC", "2026-12-07 25:19:06 +0000 UTC", "2026-12-07 05:19:06.1234567890 +0000 UTC",
		"2026-12-07 05:19:06. +0000 UTC", "2026-12-07 05:19:06 +0100 UTC", "yesterday", "",
	)
	for i, v := range values {
		if _, err := db.ExecContext(ctx, `INSERT INTO probe (n, ts) VALUES (?, ?)`, i, v); err != nil {
			t.Fatalf("insert %v: %v", v, err)
		}
	}
	rows, err := db.QueryContext(ctx, `SELECT n, ts, `+timeText(SQLite, "ts")+` FROM probe ORDER BY n`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	fast := 0
	for rows.Next() {
		var n int
		var declared any
		var text string
		if err := rows.Scan(&n, &declared, &text); err != nil {
			t.Fatal(err)
		}
		var got time.Time
		gotErr := storedTime{&got}.Scan(text)
		want, isTime := declared.(time.Time)
		switch {
		case !isTime && gotErr == nil:
			t.Errorf("%q: read as %v, the driver could not read it", text, got)
		case isTime && gotErr != nil:
			t.Errorf("%q: %v, the driver read %v", text, gotErr, want)
		case isTime && (!got.Equal(want) || got.UTC() != want.UTC()):
			t.Errorf("%q: read as %v, the driver read %v", text, got, want)
		}
		if _, ok := parseUTCString(text); ok {
			fast++
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if fast < 500 {
		t.Errorf("only %d of the driver's UTC times were read without time.Parse", fast)
	}
}
