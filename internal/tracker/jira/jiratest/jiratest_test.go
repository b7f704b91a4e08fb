package jiratest

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// post sends body to path with the flavor's credentials and decodes the
// answer.
func post(t *testing.T, s *Server, version, path, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.URL+"/rest/api/"+version+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if version == "3" {
		req.SetBasicAuth(Email, APIToken)
	} else {
		req.Header.Set("Authorization", "Bearer "+PAT)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatalf("answer is not JSON: %s", data)
	}
	return resp.StatusCode, out
}

func TestCreateValidation(t *testing.T) {
	s := New(t)
	status, body := post(t, s, "3", "/issue", `{"fields":{"project":{"key":"NOPE"},"summary":"a\nb",
		"description":"plain text","labels":["has space"],"assignee":{"name":"bob"},"priority":{"name":"High"}}}`)
	want := map[string]any{"errorMessages": []any{}, "errors": map[string]any{
		"project":     "Specify a valid project ID or key",
		"issuetype":   "Specify an issue type",
		"summary":     "The summary is invalid because it contains newline characters.",
		"description": "Operation value must be an Atlassian Document (see the Atlassian Document Format)",
		"labels":      "The label 'has space' contains spaces which is invalid.",
		"assignee":    "Specify the user by accountId",
		"priority":    "Field 'priority' cannot be set. It is not on the appropriate screen, or unknown.",
	}}
	if status != http.StatusBadRequest {
		t.Errorf("status %d, want 400", status)
	}
	if diff := cmp.Diff(want, body); diff != "" {
		t.Errorf("error body (-want +got):\n%s", diff)
	}
	if len(s.Issues()) != 0 {
		t.Error("an invalid create stored an issue")
	}
	status, body = post(t, s, "2", "/issue", `{"fields":{"project":{"key":"PAY"},"issuetype":{"name":"Task"},"summary":"ok","description":"h3. x"}}`)
	if status != http.StatusCreated || body["key"] != "PAY-1" {
		t.Errorf("v2 create: %d %v", status, body)
	}
}

func TestValidADF(t *testing.T) {
	cases := map[string]bool{
		`{"type":"doc","version":1,"content":[]}`:                     true,
		`{"type":"doc","version":1,"content":[{"type":"paragraph"}]}`: true,
		`{"type":"doc","version":1,"content":[{"type":"paragraph","content":[{"type":"text","text":"a","marks":[{"type":"link","attrs":{"href":"https://x"}}]}]}]}`: true,
		`{"type":"doc","version":1,"content":[{"type":"heading","attrs":{"level":3},"content":[{"type":"text","text":"T"}]},{"type":"rule"}]}`:                      true,
		`{"type":"doc","version":1}`:                    false,
		`{"type":"doc","version":"1","content":[]}`:     false,
		`{"type":"doc","version":2,"content":[]}`:       false,
		`{"type":"paragraph","version":1,"content":[]}`: false,
		`"text"`: false,
		`{"type":"doc","version":1,"content":[{"type":"text","text":"loose"}]}`:                                                               false,
		`{"type":"doc","version":1,"content":[{"type":"paragraph","content":[{"type":"text","text":""}]}]}`:                                   false,
		`{"type":"doc","version":1,"content":[{"type":"heading","content":[{"type":"text","text":"T"}]}]}`:                                    false,
		`{"type":"doc","version":1,"content":[{"type":"paragraph","content":[{"type":"text","text":"a","marks":[{"type":"link"}]}]}]}`:        false,
		`{"type":"doc","version":1,"content":[{"type":"paragraph","content":[{"type":"text","text":"a","marks":[{"type":"blink"}]}]}]}`:       false,
		`{"type":"doc","version":1,"content":[{"type":"rule","content":[{"type":"text","text":"a"}]}]}`:                                       false,
		`{"type":"doc","version":1,"content":[{"type":"paragraph","content":[{"type":"paragraph","content":[{"type":"text","text":"a"}]}]}]}`: false,
	}
	for in, ok := range cases {
		if err := validADF(json.RawMessage(in)); (err == nil) != ok {
			t.Errorf("validADF(%s) = %v, want valid=%v", in, err, ok)
		}
	}
}

func TestParseJQL(t *testing.T) {
	q, err := parseJQL(`key in ("PAY-1", PAY-2,'OPS-3') ORDER BY key DESC`)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"PAY-1", "PAY-2", "OPS-3"}, q.keys); diff != "" || !q.desc || q.orderBy != "key" {
		t.Errorf("keys (-want +got):\n%s desc=%v order=%s", diff, q.desc, q.orderBy)
	}
	q, err = parseJQL(`project = "PAY" AND labels = "vsid-a\"b" ORDER BY created ASC`)
	if err != nil || q.project != "PAY" || q.label != `vsid-a"b` || q.orderBy != "created" {
		t.Errorf("label query = %+v, %v", q, err)
	}
	for _, bad := range []string{`assignee = x`, `key in (PAY-1`, `key = PAY-1`, `project = PAY OR labels = x`, `project = "PAY`, `key in (A-1) ORDER BY key ASC extra`} {
		if _, err := parseJQL(bad); err == nil {
			t.Errorf("parseJQL(%q) accepted", bad)
		}
	}
}

func TestSearchRejectsWrongShapes(t *testing.T) {
	s := New(t)
	s.Seed("PAY", 1)
	cases := []struct {
		name, version, path, body string
		want                      int
	}{
		{"startAt on v3", "3", "/search/jql", `{"jql":"key in (PAY-1)","startAt":0}`, 400},
		{"token on v2", "2", "/search", `{"jql":"key in (PAY-1)","nextPageToken":"x"}`, 400},
		{"bad token", "3", "/search/jql", `{"jql":"key in (PAY-1)","nextPageToken":"eyJqIjoiIn0"}`, 400},
		{"unbounded", "3", "/search/jql", `{"jql":""}`, 400},
		{"removed endpoint", "3", "/search", `{"jql":"key in (PAY-1)"}`, 410},
		{"ok v3", "3", "/search/jql", `{"jql":"key in (PAY-1)","fields":["status"]}`, 200},
		{"ok v2", "2", "/search", `{"jql":"key in (PAY-1)","startAt":0}`, 200},
	}
	for _, tc := range cases {
		if status, body := post(t, s, tc.version, tc.path, tc.body); status != tc.want {
			t.Errorf("%s: status %d (%v), want %d", tc.name, status, body, tc.want)
		}
	}
}

func TestAuth(t *testing.T) {
	s := New(t)
	for _, tc := range []struct {
		version, header string
		want            int
	}{
		{"3", "Bearer " + PAT, 401},
		{"2", "Basic dmVuZG9yc3luY0BleGFtcGxlLmNvbTpjbG91ZC1hcGktdG9rZW4=", 401},
		{"3", "Basic dmVuZG9yc3luY0BleGFtcGxlLmNvbTpjbG91ZC1hcGktdG9rZW4=", 200},
		{"2", "Bearer " + PAT, 200},
	} {
		req, err := http.NewRequest(http.MethodGet, s.URL+"/rest/api/"+tc.version+"/myself", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", tc.header)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("v%s with %.12s…: %d, want %d", tc.version, tc.header, resp.StatusCode, tc.want)
		}
	}
}
