// Package trackerdemo gives the demo (serve --demo) two issue trackers of
// different kinds, built in: a Gitea and a Jira Cloud, each an in-process
// server on 127.0.0.1 speaking its REST API (the fakes the tests use,
// giteatest and jiratest), keeping issues in memory only. The demo tenant
// is connected to both through the product's own connection code (tokens
// sealed as any), PaymentService is routed to a Gitea repository while
// the other applications stay on Jira, and the Gitea connection's webhook
// is registered at the fake through "register webhook", so a demo ticket
// about PaymentService and another application opens an issue in each.
// Once the issues are open, Liven works one of them in Gitea (a label, a
// comment) and Gitea delivers the signed webhooks, so the ticket moves to
// in progress as it would with a team at work. After a restart the
// trackers listen on their ports again when free and get the issues back
// from VendorSync's copies of them (the mirrors).
package trackerdemo

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/registry"
	"github.com/vendorsync/vendorsync/internal/tracker"
	"github.com/vendorsync/vendorsync/internal/tracker/forge/forgetest"
	"github.com/vendorsync/vendorsync/internal/tracker/gitea/giteatest"
	"github.com/vendorsync/vendorsync/internal/tracker/jira/jiratest"
	"github.com/vendorsync/vendorsync/internal/tracker/link"
)

// The demo connections' names, which say what they are.
const (
	GiteaName = "Demo Gitea (built-in, in memory)"
	JiraName  = "Demo Jira Cloud (built-in, in memory)"
)

// The application routed to Gitea and its repository; every other demo
// application stays on Jira (the tenant's first connection).
const (
	GiteaApp  = "PaymentService"
	GiteaRepo = "acme/payment-service"
	// giteaAssignee is the Gitea login PaymentService's issues go to.
	giteaAssignee = "maria.lopez"
	// ProgressLabel is the label Liven puts on the Gitea issue: one of the
	// labels that mean "in progress" on a tracker without workflow.
	ProgressLabel = "in progress"
)

// jiraProjects are the demo applications' Jira project keys.
var jiraProjects = []string{"PAY", "DATA", "PLAT", "ID", "GRO"}

// Services are what the demo connects through.
type Services struct {
	Trackers *link.Service
	Registry *registry.Service
}

// Demo is the two running trackers.
type Demo struct {
	Gitea *giteatest.Server
	Jira  *jiratest.Server
	// GiteaID and JiraID are the demo connections' ids.
	GiteaID, JiraID string
	owner           *owner
}

// Result says what Start did.
type Result struct {
	// Skipped says why the trackers were left out, when they were.
	Skipped string
	// Reconnected is true when the connections existed already (a
	// restart); Moved when a tracker could not have its address back and
	// its connection was pointed at the new one.
	Reconnected, Moved bool
	// Restored counts the issues put back into the trackers from
	// VendorSync's copies after a restart; Lost those it had no copy of.
	Restored, Lost int
	GiteaURL       string
	JiraURL        string
	// Webhook is what registering the Gitea webhook said.
	Webhook string
}

func (r Result) String() string {
	if r.Skipped != "" {
		return r.Skipped
	}
	verb := "connected"
	if r.Reconnected {
		verb = fmt.Sprintf("reconnected; %d issues put back from VendorSync's copies of them (their comments are not kept)", r.Restored)
		if r.Lost > 0 {
			verb += fmt.Sprintf(", %d lost (no copy)", r.Lost)
		}
		if r.Moved {
			verb += "; their old ports were taken, so the issue links of earlier tickets no longer open"
		}
	}
	return fmt.Sprintf("built-in Gitea at %s (%s → %s) and Jira Cloud at %s (the other applications), in memory, %s; Gitea webhook: %s",
		r.GiteaURL, GiteaApp, GiteaRepo, r.JiraURL, verb, r.Webhook)
}

// Start runs the two trackers and connects p's tenant to them: on the
// first run it adds the connections (Jira first, so it is the tenant's
// default), routes GiteaApp to GiteaRepo and registers the webhook; on a
// later run (the connections exist, by name) the trackers listen where
// they did when they can, the connections are saved at their addresses,
// the issues are put back (restore) and the webhook is registered again. A tenant with
// tracker connections of its own is left alone. baseURL is where
// VendorSync answers, for the webhook. Close stops the trackers.
func Start(ctx context.Context, svc Services, p auth.Principal, baseURL string, log *slog.Logger) (*Demo, Result, error) {
	conns, err := svc.Trackers.Connections(ctx, p)
	if err != nil {
		return nil, Result{}, fmt.Errorf("trackerdemo: %w", err)
	}
	var gitea, jira *link.Connection
	for i, c := range conns {
		switch c.Name {
		case GiteaName:
			gitea = &conns[i]
		case JiraName:
			jira = &conns[i]
		}
	}
	if len(conns) > 0 && (gitea == nil || jira == nil) {
		return nil, Result{Skipped: "the organisation has tracker connections of its own; the built-in demo trackers are left out"}, nil
	}
	d := &Demo{owner: &owner{log: log}}
	// Back on the addresses they had when the port is still free, so the
	// issue links of the tickets keep pointing at the trackers.
	if d.Gitea, err = giteatest.NewAt(d.owner, listenAddr(gitea)); err != nil {
		d.Gitea, err = giteatest.NewAt(d.owner, "")
	}
	if err == nil {
		if d.Jira, err = jiratest.NewAt(d.owner, listenAddr(jira)); err != nil {
			d.Jira, err = jiratest.NewAt(d.owner, "")
		}
	}
	if err != nil {
		d.Close()
		return nil, Result{}, fmt.Errorf("trackerdemo: %w", err)
	}
	for _, key := range jiraProjects {
		if key != "PAY" {
			d.Jira.AddProject(key, "Task")
		}
	}
	d.Jira.AddUser(jiratest.User{AccountID: "712020:0d1f5c7e-3a2b-4c5d-8e9f-0a1b2c3d4e5f", Name: "dev.patel",
		Email: "dev.patel@example.com", DisplayName: "Dev Patel", Active: true})
	res := Result{GiteaURL: d.Gitea.URL, JiraURL: d.Jira.URL, Reconnected: gitea != nil,
		Moved: gitea != nil && (gitea.BaseURL != d.Gitea.URL || jira.BaseURL != d.Jira.URL)}
	if err := d.connect(ctx, svc, p, jira, gitea); err != nil {
		d.Close()
		return nil, Result{}, err
	}
	if gitea == nil {
		err = route(ctx, svc.Registry, p, d.GiteaID)
	} else {
		res.Restored, res.Lost, err = d.restore(ctx, svc.Trackers, p)
	}
	if err != nil {
		d.Close()
		return nil, Result{}, err
	}
	reg, err := svc.Trackers.RegisterWebhook(ctx, p, d.GiteaID, link.HookURL(baseURL, d.GiteaID))
	if err != nil {
		d.Close()
		return nil, Result{}, fmt.Errorf("trackerdemo: register the Gitea webhook: %w", err)
	}
	res.Webhook = reg.Message
	for _, t := range reg.Targets {
		res.Webhook += fmt.Sprintf(" %s: %s.", t.Target, t.Outcome)
	}
	return d, res, nil
}

// connect saves both connections, new or at the trackers' new addresses
// (the token is given again: a stored token is never sent to another
// address). A connection someone switched off stays off.
func (d *Demo) connect(ctx context.Context, svc Services, p auth.Principal, jira, gitea *link.Connection) error {
	save := func(old *link.Connection, in link.Input) (string, error) {
		if old == nil {
			c, err := svc.Trackers.AddConnection(ctx, p, in)
			return c.ID, err
		}
		in.ID, in.Enabled = old.ID, &old.Enabled
		c, err := svc.Trackers.SaveConnection(ctx, p, in)
		return c.ID, err
	}
	var err error
	if d.JiraID, err = save(jira, link.Input{Name: JiraName, Kind: "jira_cloud", BaseURL: d.Jira.URL,
		Username: jiratest.Email, Token: jiratest.APIToken}); err != nil {
		return fmt.Errorf("trackerdemo: connect Jira: %w", err)
	}
	if d.GiteaID, err = save(gitea, link.Input{Name: GiteaName, Kind: "gitea", BaseURL: d.Gitea.URL,
		Token: giteatest.Token}); err != nil {
		return fmt.Errorf("trackerdemo: connect Gitea: %w", err)
	}
	return nil
}

// route sends GiteaApp's issues to GiteaRepo on the Gitea connection.
func route(ctx context.Context, reg *registry.Service, p auth.Principal, giteaID string) error {
	apps, _, err := reg.ListApplications(ctx, p, registry.ApplicationFilter{Query: GiteaApp, Limit: 10})
	if err != nil {
		return fmt.Errorf("trackerdemo: %w", err)
	}
	for _, a := range apps {
		if a.Name != GiteaApp {
			continue
		}
		_, err := reg.UpdateApplication(ctx, p, a.ID, func(a *registry.Application) {
			a.TrackerConnectionID, a.TrackerProjectKey, a.TrackerIssueType = giteaID, GiteaRepo, "Issue"
			a.TrackerDefaultAssignee = giteaAssignee
		})
		if err != nil {
			return fmt.Errorf("trackerdemo: route %s to Gitea: %w", GiteaApp, err)
		}
		return nil
	}
	return fmt.Errorf("trackerdemo: the demo has no application %s", GiteaApp)
}

// restore puts back into the trackers, which keep issues in memory only,
// the issues the tenant's tickets have there, from VendorSync's copies of
// them (the mirrors), so the tickets' issue links and the sync keep
// working after a restart. An issue without a copy stays lost.
func (d *Demo) restore(ctx context.Context, svc *link.Service, p auth.Principal) (restored, lost int, err error) {
	cursor := ""
	for {
		links, next, err := svc.Links(ctx, p, link.Filter{Statuses: []link.SyncStatus{link.Created}, Cursor: cursor, Limit: 100})
		if err != nil {
			return restored, lost, fmt.Errorf("trackerdemo: restore: %w", err)
		}
		for _, l := range links {
			if l.ConnectionID != d.GiteaID && l.ConnectionID != d.JiraID {
				continue
			}
			m, err := svc.Mirror(ctx, p, l.ID)
			if apperr.Is(err, apperr.NotFound) {
				lost++
				continue
			}
			if err != nil {
				return restored, lost, fmt.Errorf("trackerdemo: restore %s: %w", l.IssueKey, err)
			}
			if d.put(l.ConnectionID, m) {
				restored++
			} else {
				lost++
			}
		}
		if next == "" {
			return restored, lost, nil
		}
		cursor = next
	}
}

// put stores the copy m in the tracker of connection id.
func (d *Demo) put(id string, m link.Mirror) bool {
	var updated time.Time
	if m.ExternalUpdatedAt != nil {
		updated = m.ExternalUpdatedAt.UTC()
	}
	if id == d.GiteaID {
		project, num, ok := strings.Cut(m.IssueKey, "#")
		n, err := strconv.ParseInt(num, 10, 64)
		if !ok || err != nil {
			return false
		}
		d.Gitea.Restore(forgetest.Issue{Project: project, Number: n, Title: m.Title, Body: m.Body, State: m.State,
			Labels: m.Labels, Assignees: m.Assignees, DueDate: m.DueDate, Created: updated, Updated: updated})
		return true
	}
	iss := jiratest.Issue{Key: m.IssueKey, Summary: m.Title, DescriptionADF: adf(m.Body), Labels: m.Labels,
		DueDate: m.DueDate, StatusName: m.StatusName, Created: updated, Updated: updated}
	switch m.StatusCategory {
	case tracker.InProgress:
		iss.StatusCategory = jiratest.CategoryInProgress
	case tracker.Done:
		iss.StatusCategory = jiratest.CategoryDone
	default:
		iss.StatusCategory = jiratest.CategoryToDo
	}
	if len(m.Assignees) > 0 {
		iss.Assignee = m.Assignees[0]
	}
	return d.Jira.Restore(iss)
}

// adf is text as an Atlassian document, a paragraph per block.
func adf(text string) json.RawMessage {
	content := []any{}
	for _, para := range strings.Split(text, "\n\n") {
		if para = strings.TrimSpace(para); para != "" {
			content = append(content, map[string]any{"type": "paragraph",
				"content": []any{map[string]any{"type": "text", "text": para}}})
		}
	}
	b, err := json.Marshal(map[string]any{"type": "doc", "version": 1, "content": content})
	if err != nil {
		panic(err) // strings only
	}
	return b
}

// listenAddr is the 127.0.0.1 host:port of a demo connection's base URL,
// for its tracker to listen there again; "" for a new connection.
func listenAddr(c *link.Connection) string {
	if c == nil {
		return ""
	}
	u, err := url.Parse(c.BaseURL)
	if err != nil || u.Hostname() != "127.0.0.1" || u.Port() == "" {
		return ""
	}
	return u.Host
}

// ticketTag is the ticket key VendorSync puts at the end of an issue's
// title.
var ticketTag = regexp.MustCompile(`\[(VS-\d+)\]$`)

// Liven waits (up to wait) for a demo ticket to have an issue in both
// trackers, then works its Gitea issue as a person would in Gitea: the
// "in progress" label added, then a comment; Gitea delivers one signed
// issues webhook per change to the hook registered at start, and
// VendorSync moves the ticket to in progress. It returns the ticket's key,
// "" when no such ticket came in time (a restart: the trackers start
// empty and the issues were opened before).
func (d *Demo) Liven(ctx context.Context, wait time.Duration) (string, error) {
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	deadline := time.Now().Add(wait)
	for {
		if is, key, ok := d.bothKinds(); ok {
			return key, d.work(ctx, is)
		}
		if time.Now().After(deadline) {
			return "", nil
		}
		select {
		case <-ctx.Done():
			return "", nil
		case <-tick.C:
		}
	}
}

// bothKinds finds an open Gitea issue whose ticket has a Jira issue too.
func (d *Demo) bothKinds() (forgetest.Issue, string, bool) {
	inJira := map[string]bool{}
	for _, iss := range d.Jira.Issues() {
		if m := ticketTag.FindStringSubmatch(iss.Summary); m != nil {
			inJira[m[1]] = true
		}
	}
	for _, is := range d.Gitea.Issues() {
		if m := ticketTag.FindStringSubmatch(is.Title); m != nil && inJira[m[1]] && is.State == "open" && is.Project == GiteaRepo {
			return is, m[1], true
		}
	}
	return forgetest.Issue{}, "", false
}

// work labels is in progress and comments on it, delivering the label
// change as Gitea does.
func (d *Demo) work(ctx context.Context, is forgetest.Issue) error {
	client := &http.Client{Timeout: 10 * time.Second}
	if _, ok := d.Gitea.Update(is.Project, is.Number, func(i *forgetest.Issue) {
		if !slices.Contains(i.Labels, ProgressLabel) {
			i.Labels = append(i.Labels, ProgressLabel)
		}
		i.Comments = append(i.Comments, "On it: the payment keys rotate in this sprint, tests first in staging.")
	}); !ok {
		return fmt.Errorf("trackerdemo: Gitea issue %s#%d is gone", is.Project, is.Number)
	}
	if _, err := d.Gitea.Deliver(ctx, client, "label_updated", is.Project, is.Number); err != nil {
		return fmt.Errorf("trackerdemo: deliver the label change: %w", err)
	}
	return nil
}

// Close stops both trackers.
func (d *Demo) Close() { d.owner.close() }

// owner runs the fakes outside a test: cleanups run at Close, and a
// misuse of a fake's helper is logged.
type owner struct {
	log      *slog.Logger
	mu       sync.Mutex
	cleanups []func()
}

func (o *owner) Helper() {}

func (o *owner) Cleanup(f func()) { o.mu.Lock(); o.cleanups = append(o.cleanups, f); o.mu.Unlock() }

func (o *owner) Fatalf(format string, args ...any) {
	o.log.Error("demo tracker: " + strings.TrimPrefix(fmt.Sprintf(format, args...), "jiratest: "))
}

func (o *owner) close() {
	o.mu.Lock()
	fs := o.cleanups
	o.cleanups = nil
	o.mu.Unlock()
	for i := len(fs) - 1; i >= 0; i-- {
		fs[i]()
	}
}
