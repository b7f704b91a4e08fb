package tracker

import "context"

// HookRegistrar is a Provider that creates the tracker's webhook for a
// project itself, when its token may manage the project's webhooks.
// Trackers that need an app or an administrator for that (Jira) do not
// implement it: their webhook is pasted by a person.
type HookRegistrar interface {
	// RegisterHook makes project's webhook deliver issue and comment
	// events to url as JSON, signed (or tokened) with secret. A webhook
	// already delivering to url is updated, never duplicated, so
	// registering again is safe; created is false then. A token that may
	// not manage webhooks fails with httpx.Permission or httpx.NotFound.
	RegisterHook(ctx context.Context, project, url, secret string) (created bool, err error)
}
