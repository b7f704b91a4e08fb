package app_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// TestKillDuringBurst runs the real binary as its own process and kills it
// with SIGKILL in the middle of a burst of 10,000 ingest events and a
// stream of vendor emails. After a restart: every email that was answered
// 2xx reaches a final status (its job, left "running" by the dead process,
// is rescued when that process's lease ends), and re-sending all 10,000
// events answers DUPLICATE with the original ingestId for each one that
// got a 2xx, stores the rest, and leaves exactly 10,000 events.
func TestKillDuringBurst(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the binary")
	}
	bin := buildBinary(t)
	eachEngine(t, func(t *testing.T, dbURL string) {
		env := envOf("VENDORSYNC_DATABASE_URL", dbURL)
		dir := t.TempDir()
		p := startProcess(t, bin, dir, dbURL)
		admin, ingestKey, _ := ingestVendor(t, dir, env, p.url)

		const events = 10000
		const killAfter = events / 3
		var (
			mu        sync.Mutex
			accepted  = map[int]string{} // event → ingestId, for 2xx answers
			mails     []string           // Message-IDs answered 2xx
			okEvents  atomic.Int64
			killed    atomic.Bool
			wg        sync.WaitGroup
			otherCode = map[int]int{}
		)
		for w := range 8 {
			wg.Go(func() {
				for i := w; i < events && !killed.Load(); i += 8 {
					code, id, err := sendEvent(p.url, ingestKey, i)
					if err != nil {
						return // the server is gone
					}
					mu.Lock()
					if code == http.StatusAccepted || code == http.StatusOK {
						accepted[i] = id
					} else {
						otherCode[code]++
					}
					mu.Unlock()
					if okEvents.Add(1) == killAfter {
						killed.Store(true)
						_ = p.cmd.Process.Signal(syscall.SIGKILL)
					}
				}
			})
		}
		for w := range 2 {
			wg.Go(func() {
				for i := 0; !killed.Load(); i++ {
					mid := fmt.Sprintf("crash-%d-%d@vendora.example", w, i)
					code, err := sendEmail(p.url, admin, mid)
					if err != nil {
						return
					}
					if code/100 == 2 {
						mu.Lock()
						mails = append(mails, mid)
						mu.Unlock()
					}
				}
			})
		}
		wg.Wait()
		_ = p.cmd.Wait()
		if !killed.Load() {
			t.Fatalf("the burst ended before the kill (%d events answered)", okEvents.Load())
		}
		if len(otherCode) > 0 {
			t.Fatalf("answers other than 2xx before the kill: %v", otherCode)
		}
		t.Logf("killed after %d events and %d emails were answered 2xx", len(accepted), len(mails))

		p = startProcess(t, bin, dir, dbURL)
		// Every email answered 2xx reaches a final status.
		eventually(t, "every email in a final status", func() bool {
			left := 0
			st := emailStatuses(t, p.url, admin)
			for _, mid := range mails {
				if s, ok := st[mid]; !ok {
					t.Fatalf("email %s was answered 2xx but is not stored", mid)
				} else if s == "received" {
					left++
				}
			}
			return left == 0
		})
		// Resend every event: the 2xx'd ones are duplicates of themselves.
		resent := map[int]int{}
		var rmu sync.Mutex
		for w := range 8 {
			wg.Go(func() {
				for i := w; i < events; i += 8 {
					code, id, err := sendEvent(p.url, ingestKey, i)
					if err != nil {
						t.Error(err)
						return
					}
					rmu.Lock()
					resent[code]++
					if orig, ok := accepted[i]; ok && (code != http.StatusOK || id != orig) {
						t.Errorf("event %d was answered 2xx as %s before the kill; resent: %d %s", i, orig, code, id)
					}
					rmu.Unlock()
				}
			})
		}
		wg.Wait()
		if t.Failed() {
			return
		}
		if n, _ := countEvents(t, p.url, admin); n != events {
			t.Fatalf("%d events stored after the resend, want exactly %d (answers %v)", n, events, resent)
		}
		// Nothing stays stuck: every event's archive job finishes,
		// including those the dead process was working.
		eventually(t, "every event archived", func() bool {
			_, archived := countEvents(t, p.url, admin)
			return archived == events
		})
		// And every archived copy is the bytes received: re-hashed by the
		// command, run beside the server as an operator would.
		var verify bytes.Buffer
		if err := runCLI(dir, env, &verify, "ingest", "verify", "--since", "1h"); err != nil ||
			!strings.Contains(verify.String(), fmt.Sprintf("(%d archived), 0 mismatches", events)) {
			t.Fatalf("ingest verify after the restart: %v\n%s", err, verify.String())
		}
		// Resent emails are duplicates.
		for _, mid := range mails[:min(len(mails), 20)] {
			code, err := sendEmail(p.url, admin, mid)
			if err != nil || code/100 != 2 {
				t.Fatalf("resend %s: %d %v", mid, code, err)
			}
		}
		t.Logf("after restart: %s; resend answers %v", p.rescued(), resent)
	})
}

// process is `vendorsync serve` running as a child process.
type process struct {
	cmd    *exec.Cmd
	url    string
	stderr *syncBuffer
}

func (p *process) rescued() string {
	for _, l := range strings.Split(p.stderr.String(), "\n") {
		if strings.Contains(l, "jobs of a stopped process rescued") {
			return strings.TrimSpace(l)
		}
	}
	return "no rescue logged"
}

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// buildBinary builds cmd/vendorsync once per test run.
func buildBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "vendorsync-bin")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "vendorsync")
		out, err := exec.Command("go", "build", "-o", binPath, "github.com/vendorsync/vendorsync/cmd/vendorsync").CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// startProcess runs the binary's serve on dir and waits for its URL.
func startProcess(t *testing.T, bin, dir, dbURL string) *process {
	t.Helper()
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--data-dir", dir)
	cmd.Env = append(os.Environ(), "VENDORSYNC_DATABASE_URL="+dbURL)
	p := &process{cmd: cmd, stderr: &syncBuffer{}}
	cmd.Stderr = p.stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if m := urlLine.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
	}()
	select {
	case p.url = <-found:
		return p
	case <-time.After(90 * time.Second):
		t.Fatalf("serve did not print its URL\nstderr:\n%s", p.stderr.String())
	}
	return nil
}

func sendEvent(base, key string, i int) (int, string, error) {
	body := fmt.Sprintf(`{"vendorId":"vendorA","externalEventId":"e-%d","eventType":"inventory_update",`+
		`"occurredAt":"2026-01-30T20:15:12Z","payload":{"sku":"S-%d","qty":%d,"note":%q}}`, i, i, i, strings.Repeat("x", 900))
	req, _ := http.NewRequest(http.MethodPost, base+"/api/v1/ingest/events", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer res.Body.Close()
	var r struct {
		IngestID string `json:"ingestId"`
	}
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return 0, "", err // cut off by the kill: no answer
	}
	_ = json.Unmarshal(b, &r)
	return res.StatusCode, r.IngestID, nil
}

func sendEmail(base, key, messageID string) (int, error) {
	msg := "From: Vendor A <notices@vendora.example>\r\nTo: ops@example.com\r\nMessage-ID: <" + messageID + ">\r\n" +
		"Date: Mon, 30 Nov 2026 09:00:00 +0000\r\nSubject: API version 1 retirement\r\nContent-Type: text/plain\r\n\r\n" +
		"We will retire API version 1 on March 15, 2027. Move to version 2 before then; calls to version 1 will fail.\r\n"
	req, _ := http.NewRequest(http.MethodPost, base+"/api/v1/emails", strings.NewReader(msg))
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "message/rfc822")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	if _, err := io.Copy(io.Discard, res.Body); err != nil {
		return 0, err
	}
	return res.StatusCode, nil
}

// emailStatuses maps each stored email's Message-ID to its status.
func emailStatuses(t *testing.T, base, key string) map[string]string {
	t.Helper()
	out := map[string]string{}
	cursor := ""
	for {
		var page struct {
			Items []struct {
				MessageID string `json:"message_id"`
				Status    string `json:"status"`
			} `json:"items"`
			Next string `json:"next_cursor"`
		}
		api(t, http.MethodGet, base+"/api/v1/emails?limit=500&cursor="+cursor, key, nil, &page)
		for _, e := range page.Items {
			out[strings.Trim(e.MessageID, "<>")] = e.Status
		}
		if page.Next == "" {
			return out
		}
		cursor = page.Next
	}
}

// countEvents counts the stored ingest events, and those archived.
func countEvents(t *testing.T, base, key string) (n, archived int) {
	t.Helper()
	cursor := ""
	for {
		var page struct {
			Items []struct {
				ArchivedAt *time.Time `json:"archivedAt"`
			} `json:"items"`
			Next string `json:"next_cursor"`
		}
		api(t, http.MethodGet, base+"/api/v1/ingest/events?limit=500&cursor="+cursor, key, nil, &page)
		n += len(page.Items)
		for _, e := range page.Items {
			if e.ArchivedAt != nil {
				archived++
			}
		}
		if page.Next == "" {
			return n, archived
		}
		cursor = page.Next
	}
}
