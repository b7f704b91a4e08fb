package ingest

import "testing"

// FuzzProfileLearn: whatever payloads a vendor sends, learning them never
// panics, keeps the window and the paths within their bounds, and the
// stored form decodes back to the same profile.
func FuzzProfileLearn(f *testing.F) {
	for _, s := range []string{`{"sku":"A","qty":1}`, `{"a":{"b":[{"c":null}]}}`, `[1,"x",{"y":true}]`, `"str"`,
		`{"~/":{"/~":1}}`, `[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]`} {
		f.Add([]byte(s), []byte(`{"sku":"A","qty":"1","new":[1]}`))
	}
	f.Fuzz(func(t *testing.T, first, second []byte) {
		p := &Profile{}
		for i := range ProfileWindow + 3 {
			payload := first
			if i%5 == 4 {
				payload = second
			}
			shape, err := payloadShape(payload)
			if err != nil {
				continue
			}
			if len(shape) > maxProfilePaths {
				t.Fatalf("%d paths, bound %d", len(shape), maxProfilePaths)
			}
			_ = p.detect(shape)
			p.add(shape)
		}
		p.encode()
		if len(p.Seen) > ProfileWindow {
			t.Fatalf("window of %d events, bound %d", len(p.Seen), ProfileWindow)
		}
		q := &Profile{Keys: p.Keys, Seen: p.Seen}
		if got, want := len(q.Fields()), len(p.Fields()); got != want {
			t.Fatalf("decoded profile has %d fields, want %d", got, want)
		}
	})
}
