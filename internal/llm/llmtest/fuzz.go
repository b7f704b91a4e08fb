package llmtest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vendorsync/vendorsync/internal/llm"
)

// FuzzDecoder fuzzes a provider's answer decoder, seeded with the calling
// package's testdata file seedFile and the bodies in seeds. An answer is
// untrusted input: the decoder must never panic, a failure returns no
// answer, and an accepted answer has text that is not only space. check,
// when set, adds the provider's own invariants. Error bodies go through
// llm.ErrorBody on the same bytes.
func FuzzDecoder(f *testing.F, seedFile string, seeds []string, decode func([]byte) (llm.Response, error), check func(*testing.T, llm.Response)) {
	f.Helper()
	seed, err := os.ReadFile(filepath.Join("testdata", seedFile))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		llm.ErrorBody(body)
		resp, err := decode(body)
		if err != nil {
			if resp != (llm.Response{}) {
				t.Errorf("failed decode returned %+v", resp)
			}
			return
		}
		if strings.TrimSpace(resp.Text) == "" {
			t.Errorf("accepted an empty answer: %+v", resp)
		}
		if check != nil {
			check(t, resp)
		}
	})
}
