package score

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/auth"
)

// Row is one item of an uploaded file: its submission, or the problem that
// kept it from being read.
type Row struct {
	// Line numbers rows from 1 after the header (items of a JSON array
	// from 1).
	Line       int
	Submission Submission
	Problem    string
}

// MaxUploadRows bounds a file.
const MaxUploadRows = 20000

// UploadColumns are the CSV columns read (others are ignored).
var UploadColumns = []string{"event_id", "vendor_id", "vendor_external_id", "vendor_domain", "vendor_name", "signal_code", "value",
	"observed_at", "window_start", "window_end", "note"}

// ParseUpload reads a CSV file with a header row, or a JSON array of
// signals. A row that cannot be read becomes a Row with its Problem; a file
// that cannot be read at all is invalid.
func ParseUpload(b []byte, isJSON bool) ([]Row, error) {
	var rows []Row
	var err error
	if isJSON {
		rows, err = parseJSON(b)
	} else {
		rows, err = parseCSV(b)
	}
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, apperr.Invalidf("the file has no signals")
	}
	if len(rows) > MaxUploadRows {
		return nil, apperr.Invalidf("the file has more than %d signals; split it", MaxUploadRows)
	}
	return rows, nil
}

func parseJSON(b []byte) ([]Row, error) {
	var items []json.RawMessage
	if err := json.Unmarshal(b, &items); err != nil {
		return nil, apperr.Invalidf("the file must be a JSON array of signals: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	rows := make([]Row, 0, len(items))
	for i, it := range items {
		r := Row{Line: i + 1}
		dec := json.NewDecoder(bytes.NewReader(it))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&r.Submission); err != nil {
			r.Problem = strings.TrimPrefix(err.Error(), "json: ")
		}
		rows = append(rows, r)
	}
	return rows, nil
}

func parseCSV(b []byte) ([]Row, error) {
	rd := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\ufeff"))))
	rd.FieldsPerRecord = -1
	rd.ReuseRecord = true
	head, err := rd.Read()
	if err != nil {
		return nil, apperr.Invalidf("the file must be CSV with a header row: %v", err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[strings.ToLower(strings.TrimSpace(h))] = i
	}
	for _, need := range []string{"event_id", "signal_code", "value", "observed_at"} {
		if _, ok := col[need]; !ok {
			return nil, apperr.Invalidf("the header row lacks the column %s (columns: %s)", need, strings.Join(UploadColumns, ", "))
		}
	}
	var rows []Row
	for line := 1; ; line++ {
		rec, err := rd.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		r := Row{Line: line}
		if err != nil {
			var pe *csv.ParseError
			if !errors.As(err, &pe) || pe.Err != csv.ErrFieldCount {
				return nil, apperr.Invalidf("row %d: %v", line, err)
			}
		}
		if len(rows) >= MaxUploadRows {
			return nil, apperr.Invalidf("the file has more than %d signals; split it", MaxUploadRows)
		}
		get := func(name string) string {
			if i, ok := col[name]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		r.Submission, r.Problem = csvSubmission(get)
		rows = append(rows, r)
	}
	return rows, nil
}

// csvSubmission reads one CSV row.
func csvSubmission(get func(string) string) (Submission, string) {
	s := Submission{EventID: get("event_id"), Code: get("signal_code"), Note: get("note"),
		VendorRef: VendorRef{ID: get("vendor_id"), ExternalID: get("vendor_external_id"), Domain: get("vendor_domain"), Name: get("vendor_name")}}
	if v := get("value"); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return s, fmt.Sprintf("value %q is not a number", clip(v))
		}
		s.Value = &f
	}
	var err error
	if s.ObservedAt, err = parseTime(get("observed_at")); err != nil {
		return s, "observed_at: " + err.Error()
	}
	for _, w := range []struct {
		name string
		dst  **time.Time
	}{{"window_start", &s.WindowStart}, {"window_end", &s.WindowEnd}} {
		if v := get(w.name); v != "" {
			t, err := parseTime(v)
			if err != nil {
				return s, w.name + ": " + err.Error()
			}
			*w.dst = &t
		}
	}
	return s, ""
}

// parseTime reads an RFC 3339 time or a date (midnight UTC).
func parseTime(v string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t, nil
	}
	if t, err := time.Parse("2006-01-02", v); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%q is not an RFC 3339 time or a YYYY-MM-DD date", clip(v))
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// SubmitRows submits the readable rows of an upload (in batches) and
// answers every row, numbered by its Line.
func (s *Service) SubmitRows(ctx context.Context, p auth.Principal, source string, rows []Row) ([]ItemResult, error) {
	if err := p.Require(auth.PermSubmitSignals); err != nil {
		return nil, err
	}
	out := make([]ItemResult, len(rows))
	var batch []Submission
	var at []int
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		rs, err := s.Submit(ctx, p, source, batch)
		if err != nil {
			return err
		}
		for k, i := range at {
			rs[k].Index = rows[i].Line
			out[i] = rs[k]
		}
		batch, at = batch[:0], at[:0]
		return nil
	}
	for i, r := range rows {
		if r.Problem != "" {
			out[i] = ItemResult{Index: r.Line, EventID: r.Submission.EventID, Outcome: Invalid, Message: r.Problem}
			continue
		}
		batch, at = append(batch, r.Submission), append(at, i)
		if len(batch) == MaxBatch {
			if err := flush(); err != nil {
				return nil, err
			}
		}
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return out, nil
}
