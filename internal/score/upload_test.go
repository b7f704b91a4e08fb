package score

import (
	"testing"
)

func TestParseUploadCSV(t *testing.T) {
	csv := "\ufeffevent_id,vendor_domain,signal_code,value,observed_at,extra\n" +
		"e1,acme.example,defect_rate,0.25,2027-05-01T10:00:00Z,x\n" +
		"e2,acme.example,defect_rate,lots,2027-05-01,\n" +
		"e3,acme.example,defect_rate,0.5,yesterday,\n" +
		"e4,acme.example,defect_rate,0.5,2027-05-01\n"
	rows, err := ParseUpload([]byte(csv), false)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 4 {
		t.Fatalf("%d rows", len(rows))
	}
	if rows[0].Problem != "" || *rows[0].Submission.Value != 0.25 || rows[0].Submission.VendorRef.Domain != "acme.example" {
		t.Errorf("row 1: %+v", rows[0])
	}
	if rows[1].Problem == "" || rows[2].Problem == "" || rows[3].Problem != "" || rows[3].Line != 4 {
		t.Errorf("rows: %+v", rows)
	}
	for name, in := range map[string]string{"empty": "", "no header columns": "a,b\n1,2\n", "header only": "event_id,signal_code,value,observed_at\n"} {
		if _, err := ParseUpload([]byte(in), false); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestParseUploadJSON(t *testing.T) {
	rows, err := ParseUpload([]byte(`[{"event_id":"a","signal_code":"defect_rate","value":0.1,"observed_at":"2027-05-01T00:00:00Z","vendor_ref":{"name":"Acme"}},{"event_id":"b","bogus":1}]`), true)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Problem != "" || rows[1].Problem == "" {
		t.Errorf("rows: %+v", rows)
	}
	for _, in := range []string{`{}`, `"x"`, `[`, `[]`} {
		if _, err := ParseUpload([]byte(in), true); err == nil {
			t.Errorf("%s: accepted", in)
		}
	}
}

func FuzzParseUpload(f *testing.F) {
	f.Add([]byte("event_id,signal_code,value,observed_at\ne,defect_rate,0.1,2027-01-01\n"), false)
	f.Add([]byte(`[{"event_id":"a","value":1}]`), true)
	f.Fuzz(func(t *testing.T, b []byte, isJSON bool) {
		rows, err := ParseUpload(b, isJSON)
		if err == nil && (len(rows) == 0 || len(rows) > MaxUploadRows) {
			t.Fatalf("%d rows without an error", len(rows))
		}
	})
}
