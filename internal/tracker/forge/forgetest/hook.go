package forgetest

import (
	"net/http"
	"slices"
	"strings"
)

// RouteHook lists, creates and edits repository webhooks.
const RouteHook Route = "hook"

// Hook is a repository webhook as a fake forge stores it.
type Hook struct {
	ID          int64
	Project     string
	Type        string // Gitea's hook type (gitea, slack…); "" elsewhere
	URL         string
	ContentType string
	Secret      string // GitLab's secret token, or the signing secret
	Events      []string
	Active      bool
	// Edits counts the changes made after the hook was created.
	Edits int
}

// AddHook stores a new hook and returns it with its id.
func (c *Core) AddHook(h Hook) Hook {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.nextID++
	h.ID = c.nextID
	h.Events = slices.Clone(h.Events)
	c.hooks = append(c.hooks, &h)
	return h
}

// EditHook changes hook id of project; false when there is none.
func (c *Core) EditHook(project string, id int64, fn func(*Hook)) (Hook, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, h := range c.hooks {
		if h.ID == id && strings.EqualFold(h.Project, project) {
			fn(h)
			h.Edits++
			return cloneHook(h), true
		}
	}
	return Hook{}, false
}

// Hooks returns the hooks of project, oldest first.
func (c *Core) Hooks(project string) []Hook {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []Hook
	for _, h := range c.hooks {
		if strings.EqualFold(h.Project, project) {
			out = append(out, cloneHook(h))
		}
	}
	return out
}

func cloneHook(h *Hook) Hook { c := *h; c.Events = slices.Clone(h.Events); return c }

// ForbidHooks makes the account unable to manage webhooks (not an
// admin or maintainer of the repository, or a token without the scope),
// as the forge answers then.
func (c *Core) ForbidHooks(forbidden bool) { c.mu.Lock(); c.noHooks = forbidden; c.mu.Unlock() }

// HooksForbidden says whether ForbidHooks is in force.
func (c *Core) HooksForbidden() bool { c.mu.Lock(); defer c.mu.Unlock(); return c.noHooks }

// WriteHooks answers a listing of project's hooks, each rendered in the
// forge's shape.
func (c *Core) WriteHooks(w http.ResponseWriter, project string, render func(Hook) map[string]any) {
	out := []map[string]any{}
	for _, h := range c.Hooks(project) {
		out = append(out, render(h))
	}
	WriteJSON(w, http.StatusOK, out)
}
