package graph

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/httpx"
	"github.com/vendorsync/vendorsync/internal/mail"
)

// Checkpoint is the Graph position: the receivedDateTime of the newest
// delivered message and the ids delivered with exactly that timestamp. The
// next listing asks for "receivedDateTime ge Since" and skips those ids, so
// messages sharing a timestamp are neither skipped nor repeated.
//
// A message that enters the folder with an older receivedDateTime (moved in
// by a rule or a person after the checkpoint passed its time) is not seen.
type Checkpoint struct {
	Since       time.Time `json:"since"`
	SeenAtSince []string  `json:"seen_at_since,omitempty"`
}

// message is one entry of a messages listing.
type message struct {
	ID                string    `json:"id"`
	ReceivedDateTime  time.Time `json:"receivedDateTime"`
	InternetMessageID string    `json:"internetMessageId"`
}

// messagePage is one page of a messages listing.
type messagePage struct {
	Value    []message `json:"value"`
	NextLink string    `json:"@odata.nextLink"`
}

// Fetch lists the folder by receivedDateTime from the checkpoint on and
// downloads up to max new messages as MIME ($value). A message deleted
// between listing and download is skipped (and covered by the checkpoint).
func (s *Source) Fetch(ctx context.Context, cp mail.Checkpoint, max int) ([]mail.Fetched, mail.Checkpoint, error) {
	var pos Checkpoint
	if err := mail.DecodeCheckpoint(cp, &pos); err != nil {
		return nil, nil, fmt.Errorf("graph.Fetch %s: %w", s.cfg.Mailbox, err)
	}
	if max <= 0 {
		return nil, nil, apperr.Invalidf("graph.Fetch: max must be positive, got %d", max)
	}
	picks, err := s.list(ctx, pos, max)
	if err != nil {
		return nil, nil, annotate(err, "graph.Fetch list "+s.cfg.Mailbox)
	}
	msgs := make([]mail.Fetched, 0, len(picks))
	for _, m := range picks {
		raw, err := s.api.Raw(ctx, s.userURL("messages", m.ID, "$value"))
		if httpx.KindOf(err) == httpx.NotFound {
			continue // deleted since it was listed: nothing left to deliver
		}
		if err != nil {
			return nil, nil, annotate(err, "graph.Fetch message "+m.ID)
		}
		msgs = append(msgs, mail.Fetched{ID: m.ID, Raw: raw, ReceivedAt: m.ReceivedDateTime.UTC()})
	}
	next, err := mail.EncodeCheckpoint(advance(pos, picks))
	if err != nil {
		return nil, nil, err
	}
	return msgs, next, nil
}

// list returns up to max messages after pos, oldest first, following
// @odata.nextLink.
func (s *Source) list(ctx context.Context, pos Checkpoint, max int) ([]message, error) {
	seen := make(map[string]bool, len(pos.SeenAtSince))
	for _, id := range pos.SeenAtSince {
		seen[id] = true
	}
	query := "?$select=id,receivedDateTime,internetMessageId" +
		"&$orderby=" + escape("receivedDateTime asc") +
		"&$top=" + strconv.Itoa(min(s.cfg.PageSize, max+len(seen)))
	if !pos.Since.IsZero() {
		query += "&$filter=" + escape("receivedDateTime ge "+pos.Since.UTC().Format(time.RFC3339Nano))
	}
	next := s.userURL("mailFolders", s.cfg.Folder, "messages") + query
	var picks []message
	for next != "" {
		var page messagePage
		if err := s.api.JSON(ctx, http.MethodGet, next, nil, &page); err != nil {
			return nil, err
		}
		for _, m := range page.Value {
			if m.ID == "" || m.ReceivedDateTime.Before(pos.Since) ||
				(m.ReceivedDateTime.Equal(pos.Since) && seen[m.ID]) {
				continue // covered by the checkpoint
			}
			picks = append(picks, m)
			if len(picks) == max {
				return picks, nil
			}
		}
		next = page.NextLink
		if next != "" && !strings.HasPrefix(next, s.origin+"/") {
			// Following it would send the access token to another host.
			return nil, &httpx.Error{Upstream: upstream, Op: "list messages", Kind: httpx.Transient, Status: http.StatusOK,
				Message: "Microsoft Graph returned a next link outside " + s.origin}
		}
	}
	return picks, nil
}

// advance returns the checkpoint after delivering picks.
func advance(pos Checkpoint, picks []message) Checkpoint {
	if len(picks) == 0 {
		return pos
	}
	last := pos.Since
	for _, m := range picks {
		if m.ReceivedDateTime.After(last) {
			last = m.ReceivedDateTime
		}
	}
	next := Checkpoint{Since: last.UTC()}
	if last.Equal(pos.Since) {
		next.SeenAtSince = slices.Clone(pos.SeenAtSince)
	}
	for _, m := range picks {
		if m.ReceivedDateTime.Equal(last) {
			next.SeenAtSince = append(next.SeenAtSince, m.ID)
		}
	}
	return next
}

// escape encodes an OData query value (spaces as %20, not +).
func escape(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}

// annotate says what was being done when err happened.
func annotate(err error, doing string) error {
	return fmt.Errorf("%s: %w", doing, err)
}
