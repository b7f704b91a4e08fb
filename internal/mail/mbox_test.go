package mail

import (
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"
)

func collectMbox(t *testing.T, r io.Reader) ([]string, error) {
	t.Helper()
	var msgs []string
	for raw, err := range SplitMbox(r) {
		if err != nil {
			return msgs, err
		}
		msgs = append(msgs, string(raw))
	}
	return msgs, nil
}

func TestSplitMbox(t *testing.T) {
	mbox := "From notices@visa.com Mon Mar  3 14:02:11 2025\n" +
		"Subject: one\n\nBody one\n>From the desk of Visa\n>>From quoted\n\n" +
		"From stripe@stripe.com Tue Apr 15 16:45:00 2025\r\n" +
		"Subject: two\r\n\r\nFrom here on, lines are fine\r\n\r\n" +
		"From x@y Wed Apr 16 00:00:00 2025\n" +
		"Subject: three\n\nlast"
	got, err := collectMbox(t, strings.NewReader(mbox))
	if err != nil {
		t.Fatalf("SplitMbox: %v", err)
	}
	want := []string{
		"Subject: one\n\nBody one\nFrom the desk of Visa\n>From quoted\n",
		"Subject: two\r\n\r\nFrom here on, lines are fine\r\n",
		"Subject: three\n\nlast",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("messages (-want +got):\n%s", diff)
	}

	for _, raw := range got {
		if _, err := Parse([]byte(raw), Limits{}); err != nil {
			t.Errorf("Parse(%q): %v", raw, err)
		}
	}
}

func TestSplitMboxErrors(t *testing.T) {
	t.Run("not an mbox", func(t *testing.T) {
		_, err := collectMbox(t, strings.NewReader("Subject: hi\n\nbody\n"))
		if err == nil || !strings.Contains(err.Error(), `expected a "From " separator`) {
			t.Errorf("err = %v, want a separator error", err)
		}
	})
	t.Run("read error", func(t *testing.T) {
		boom := errors.New("disk gone")
		r := io.MultiReader(strings.NewReader("From a@b Mon Jan  1 00:00:00 2025\nSubject: x\n"), iotest.ErrReader(boom))
		msgs, err := collectMbox(t, r)
		if !errors.Is(err, boom) || len(msgs) != 0 {
			t.Errorf("msgs, err = %q, %v; want no message and %v", msgs, err, boom)
		}
	})
	t.Run("empty", func(t *testing.T) {
		msgs, err := collectMbox(t, strings.NewReader("\n\n"))
		if err != nil || len(msgs) != 0 {
			t.Errorf("msgs, err = %q, %v; want none", msgs, err)
		}
	})
	t.Run("stop early", func(t *testing.T) {
		n := 0
		for range SplitMbox(strings.NewReader("From a Mon Jan  1 00:00:00 2025\nS: 1\n\nFrom b Mon Jan  1 00:00:00 2025\nS: 2\n")) {
			n++
			break
		}
		if n != 1 {
			t.Errorf("iterations = %d, want 1", n)
		}
	})
}
