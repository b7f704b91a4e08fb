package app_test

import (
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vendorsync/vendorsync/internal/tracker/gitea/giteatest"
	"github.com/vendorsync/vendorsync/internal/tracker/trackerdemo"
)

// demoLink is a tracker issue of a ticket as the API shows it.
type demoLink struct {
	ID             string `json:"id"`
	Provider       string `json:"provider"`
	ConnectionID   string `json:"connection_id"`
	IssueKey       string `json:"issue_key"`
	IssueURL       string `json:"issue_url"`
	SyncStatus     string `json:"sync_status"`
	StatusCategory string `json:"status_category"`
}

// demoConn is a tracker connection as the API shows it.
type demoConn struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Kind    string `json:"kind"`
	BaseURL string `json:"base_url"`
	Enabled bool   `json:"enabled"`
}

// demoConnections lists the tenant's tracker connections.
func demoConnections(t *testing.T, s *server, key string) []demoConn {
	t.Helper()
	var list struct {
		Items []demoConn `json:"items"`
	}
	api(t, http.MethodGet, s.URL+"/api/v1/tracker/connections", key, nil, &list)
	return list.Items
}

// demoWorked is the line the demo logs when it has worked a ticket's
// Gitea issue, naming the ticket.
var demoWorked = regexp.MustCompile(`"msg":"demo trackers: a Gitea issue was labelled in progress and its webhook delivered".*?"ticket":"(VS-\d+)"`)

// demoTicketInBothTrackers waits until the demo served by s has worked the
// Gitea issue of a ticket with a Gitea issue and a Jira issue (it logs
// which), both created, and that ticket is in progress (Gitea's webhook
// told VendorSync); it returns the ticket's key and its Gitea and Jira
// issues. Other demo tickets may have issues in both trackers and be in
// progress for other reasons: only the worked one is taken.
func demoTicketInBothTrackers(t *testing.T, s *server, key string) (string, demoLink, demoLink) {
	t.Helper()
	var seen []string
	for deadline := time.Now().Add(90 * time.Second); time.Now().Before(deadline); time.Sleep(300 * time.Millisecond) {
		worked := demoWorked.FindStringSubmatch(s.Stderr.String())
		if worked == nil {
			seen = append(seen[:0], "the demo has not logged the ticket whose Gitea issue it worked")
			continue
		}
		var list struct {
			Items []struct {
				Number int64 `json:"number"`
			} `json:"items"`
		}
		api(t, http.MethodGet, s.URL+"/api/v1/tickets?limit=100", key, nil, &list)
		seen = seen[:0]
		for _, it := range list.Items {
			tk := fmt.Sprintf("VS-%04d", it.Number)
			var d struct {
				Status       string     `json:"status"`
				TrackerLinks []demoLink `json:"tracker_links"`
			}
			api(t, http.MethodGet, s.URL+"/api/v1/tickets/"+tk, key, nil, &d)
			var gitea, jira demoLink
			for _, l := range d.TrackerLinks {
				if l.SyncStatus != "created" {
					continue
				}
				switch l.Provider {
				case "gitea":
					gitea = l
				case "jira":
					jira = l
				}
			}
			seen = append(seen, fmt.Sprintf("%s %s %+v", tk, d.Status, d.TrackerLinks))
			if tk == worked[1] && gitea.IssueKey != "" && jira.IssueKey != "" && d.Status == "in_progress" {
				return tk, gitea, jira
			}
		}
	}
	t.Fatalf("no demo ticket is in progress with a Gitea and a Jira issue:\n%s\nstdout:\n%s\nstderr:\n%s",
		strings.Join(seen, "\n"), s.Stdout.String(), s.Stderr.String())
	return "", demoLink{}, demoLink{}
}

// getPage fetches url and returns its status and body.
func getPage(t *testing.T, url string) (int, string) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// TestDemoTrackersOpenIssuesInBothKinds runs plain `serve --demo`: the
// tenant is connected to the built-in Gitea and Jira Cloud, a ticket gets
// an issue in each (PaymentService's in the Gitea repository), both issue
// links open a page, the Gitea issue worked by the demo arrives by a
// signed webhook (an inbound sync-log entry whose source is the delivery)
// and puts the ticket in progress. Restarted on the same data, the demo
// keeps its two connections, its trackers back on their ports (or the
// connections pointed at new ones) with the issues put back from
// VendorSync's copies.
func TestDemoTrackersOpenIssuesInBothKinds(t *testing.T) {
	eachEngine(t, func(t *testing.T, dbURL string) {
		dir := t.TempDir()
		env := envOf("VENDORSYNC_DATABASE_URL", dbURL)
		s := startServe(t, env, "--data-dir", dir, "--demo")
		key := demoAPIKey(t, dir, dbURL)
		conns := demoConnections(t, s, key)
		if len(conns) != 2 || conns[0].Name != trackerdemo.JiraName || conns[0].Kind != "jira_cloud" ||
			conns[1].Name != trackerdemo.GiteaName || conns[1].Kind != "gitea" {
			t.Fatalf("connections %+v, want the demo's Jira Cloud then Gitea", conns)
		}
		tk, gitea, jira := demoTicketInBothTrackers(t, s, key)
		if !strings.HasPrefix(gitea.IssueKey, trackerdemo.GiteaRepo+"#") || gitea.ConnectionID != conns[1].ID {
			t.Errorf("%s's Gitea issue %+v, want one in %s on %s", tk, gitea, trackerdemo.GiteaRepo, conns[1].ID)
		}
		for _, l := range []demoLink{gitea, jira} {
			status, body := getPage(t, l.IssueURL)
			if status != http.StatusOK || !strings.Contains(body, "["+tk+"]") || !strings.Contains(body, "in memory") {
				t.Errorf("%s's issue page %s answered %d:\n%s", l.IssueKey, l.IssueURL, status, body)
			}
		}
		var log struct {
			Items []struct {
				Direction string   `json:"direction"`
				Source    string   `json:"source"`
				Fields    []string `json:"fields"`
			} `json:"items"`
		}
		api(t, http.MethodGet, s.URL+"/api/v1/tracker/links/"+gitea.ID+"/sync-log", key, nil, &log)
		hooked := false
		for _, e := range log.Items {
			hooked = hooked || e.Direction == "inbound" && e.Source != "poll" && strings.Contains(strings.Join(e.Fields, ","), "labels")
		}
		if !hooked {
			t.Errorf("%s's sync log has no inbound label change from a webhook: %+v", gitea.IssueKey, log.Items)
		}

		if err := s.stop(); err != nil {
			t.Fatal(err)
		}
		s = startServe(t, env, "--data-dir", dir, "--demo")
		again := demoConnections(t, s, key)
		if len(again) != 2 || again[0].ID != conns[0].ID || again[1].ID != conns[1].ID {
			t.Fatalf("after a restart the connections are %+v, want %+v", again, conns)
		}
		for i, c := range again {
			if !c.Enabled || c.Kind != conns[i].Kind {
				t.Errorf("after a restart %+v, was %+v", c, conns[i])
			}
		}
		req, _ := http.NewRequest(http.MethodGet, again[1].BaseURL+"/api/v1/user", nil)
		req.Header.Set("Authorization", "token "+giteatest.Token)
		res, err := http.DefaultClient.Do(req)
		if err != nil || res.StatusCode != http.StatusOK {
			t.Fatalf("the restarted Gitea at %s: %v %v", again[1].BaseURL, res, err)
		}
		// The Gitea issue (its copy kept since its webhook) is back in
		// the restarted Gitea, its page where the ticket links to.
		if !strings.Contains(s.Stdout.String(), "issues put back from VendorSync's copies") {
			t.Errorf("the restart does not say the issues were put back:\n%s", s.Stdout.String())
		}
		issue := strings.Replace(strings.TrimPrefix(gitea.IssueKey, trackerdemo.GiteaRepo+"#"), "#", "", 1)
		if again[1].BaseURL == conns[1].BaseURL {
			status, body := getPage(t, gitea.IssueURL)
			if status != http.StatusOK || !strings.Contains(body, "["+tk+"]") || !strings.Contains(body, trackerdemo.ProgressLabel) {
				t.Errorf("after a restart %s answered %d:\n%s", gitea.IssueURL, status, body)
			}
		}
		req, _ = http.NewRequest(http.MethodGet, again[1].BaseURL+"/api/v1/repos/"+trackerdemo.GiteaRepo+"/issues/"+issue, nil)
		req.Header.Set("Authorization", "token "+giteatest.Token)
		got, err := http.DefaultClient.Do(req)
		if err != nil || got.StatusCode != http.StatusOK {
			t.Fatalf("after a restart Gitea's %s: %v %v", gitea.IssueKey, got, err)
		}
		got.Body.Close()
		res.Body.Close()
	})
}

// demoAPIKey creates an admin API key with the CLI on the server's data.
func demoAPIKey(t *testing.T, dir, dbURL string) string {
	t.Helper()
	args := []string{"apikey", "create", "e2e", "--role", "admin"}
	if dbURL != "" {
		args = append(args, "--database-url", dbURL)
	}
	m := apiKeyLine.FindStringSubmatch(cli(t, dir, "", args...))
	if m == nil {
		t.Fatal("apikey create printed no key")
	}
	return m[1]
}
