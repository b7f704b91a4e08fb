package ingest

import (
	"fmt"
	"testing"
)

// BenchmarkProfileLearn is the cost per event of learning a payload of 20
// fields (one in an array) against a full window: shape, detect and add.
func BenchmarkProfileLearn(b *testing.B) {
	payload := []byte(`{"sku":"ABC-001","qty":12,"warehouse":"ROA","lines":[{"n":1,"p":2.5}],` +
		`"a":1,"b":"x","c":true,"d":null,"e":{"f":1,"g":"h"},"i":1,"j":2,"k":3,"l":4,"m":5}`)
	p := &Profile{}
	for range ProfileWindow {
		s, _ := payloadShape(payload)
		p.add(s)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		s, err := payloadShape(payload)
		if err != nil {
			b.Fatal(err)
		}
		if ds := p.detect(s); len(ds) != 0 {
			b.Fatal(fmt.Sprint(ds))
		}
		p.add(s)
		if i%500 == 499 {
			p.encode() // once per normalize batch
		}
	}
}
