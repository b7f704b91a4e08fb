package gmail

import (
	"context"
	"encoding/base64"
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

// Checkpoint is the Gmail position. While the first full listing runs,
// ListHistoryID (the mailbox historyId taken before it started) and
// PageToken mark how far it got; afterwards HistoryID is where the next
// users.history.list starts. Mail arriving during the listing is found again
// through history from ListHistoryID; such repeats, and the full relisting
// after an expired historyId (HTTP 404), are removed downstream by
// Message-ID dedup.
type Checkpoint struct {
	HistoryID     string `json:"history_id,omitempty"`
	ListHistoryID string `json:"list_history_id,omitempty"`
	PageToken     string `json:"page_token,omitempty"`
}

// historyPageSize is the maxResults of history.list (the API's maximum).
const historyPageSize = 500

// Fetch returns up to max new messages: a page of the full listing until it
// is complete, then the messages added to the label since HistoryID. A
// history record is never split, so a batch may exceed max by the few
// messages one record adds.
func (s *Source) Fetch(ctx context.Context, cp mail.Checkpoint, max int) ([]mail.Fetched, mail.Checkpoint, error) {
	var pos Checkpoint
	if err := mail.DecodeCheckpoint(cp, &pos); err != nil {
		return nil, nil, fmt.Errorf("gmail.Fetch %s: %w", s.cfg.UserID, err)
	}
	if max <= 0 {
		return nil, nil, apperr.Invalidf("gmail.Fetch: max must be positive, got %d", max)
	}
	var (
		ids  []string
		next Checkpoint
		err  error
	)
	if pos.HistoryID != "" {
		ids, next, err = s.history(ctx, pos.HistoryID, max)
		if httpx.KindOf(err) == httpx.NotFound {
			// The historyId expired (kept about a week): list everything
			// again; dedup by Message-ID drops what was stored before.
			pos, err = Checkpoint{}, nil
		}
	}
	if pos.HistoryID == "" && err == nil {
		ids, next, err = s.list(ctx, pos, max)
	}
	if err != nil {
		return nil, nil, annotate(err, "gmail.Fetch "+s.cfg.UserID)
	}
	msgs, err := s.download(ctx, ids)
	if err != nil {
		return nil, nil, err
	}
	cpNext, err := mail.EncodeCheckpoint(next)
	if err != nil {
		return nil, nil, err
	}
	return msgs, cpNext, nil
}

// list returns one page of users.messages.list and the checkpoint after it.
func (s *Source) list(ctx context.Context, pos Checkpoint, max int) ([]string, Checkpoint, error) {
	if pos.ListHistoryID == "" {
		p, err := s.getProfile(ctx)
		if err != nil {
			return nil, pos, err
		}
		pos.ListHistoryID = p.HistoryID
	}
	q := url.Values{"labelIds": {s.cfg.LabelID}, "maxResults": {strconv.Itoa(min(max, 500))}}
	if s.cfg.Query != "" {
		q.Set("q", s.cfg.Query)
	}
	if pos.PageToken != "" {
		q.Set("pageToken", pos.PageToken)
	}
	var page struct {
		Messages []struct {
			ID string `json:"id"`
		} `json:"messages"`
		NextPageToken string `json:"nextPageToken"`
	}
	if err := s.api.JSON(ctx, http.MethodGet, s.userURL("messages")+"?"+q.Encode(), nil, &page); err != nil {
		return nil, pos, err
	}
	ids := make([]string, 0, len(page.Messages))
	for _, m := range page.Messages {
		ids = append(ids, m.ID)
	}
	if page.NextPageToken != "" {
		return ids, Checkpoint{ListHistoryID: pos.ListHistoryID, PageToken: page.NextPageToken}, nil
	}
	return ids, Checkpoint{HistoryID: pos.ListHistoryID}, nil
}

// historyPage is one page of users.history.list.
type historyPage struct {
	History []struct {
		ID            string `json:"id"`
		MessagesAdded []struct {
			Message struct {
				ID       string   `json:"id"`
				LabelIDs []string `json:"labelIds"`
			} `json:"message"`
		} `json:"messagesAdded"`
	} `json:"history"`
	NextPageToken string `json:"nextPageToken"`
	HistoryID     string `json:"historyId"`
}

// history returns the messages added to the label after startID, stopping
// after the record that reaches max, and the checkpoint after them.
func (s *Source) history(ctx context.Context, startID string, max int) ([]string, Checkpoint, error) {
	var ids []string
	seen := map[string]bool{}
	pageToken := ""
	for {
		q := url.Values{
			"startHistoryId": {startID}, "historyTypes": {"messageAdded"},
			"labelId": {s.cfg.LabelID}, "maxResults": {strconv.Itoa(historyPageSize)},
		}
		if pageToken != "" {
			q.Set("pageToken", pageToken)
		}
		var page historyPage
		if err := s.api.JSON(ctx, http.MethodGet, s.userURL("history")+"?"+q.Encode(), nil, &page); err != nil {
			return nil, Checkpoint{}, err
		}
		for _, rec := range page.History {
			if len(ids) >= max {
				// Records after this point are left for the next poll,
				// which starts after the last record delivered.
				return ids, Checkpoint{HistoryID: startID}, nil
			}
			for _, added := range rec.MessagesAdded {
				m := added.Message
				if m.ID == "" || seen[m.ID] || (m.LabelIDs != nil && !slices.Contains(m.LabelIDs, s.cfg.LabelID)) {
					continue
				}
				seen[m.ID] = true
				ids = append(ids, m.ID)
			}
			startID = rec.ID // the last record consumed
		}
		if page.NextPageToken == "" {
			if page.HistoryID != "" {
				startID = page.HistoryID // the mailbox's current history record
			}
			return ids, Checkpoint{HistoryID: startID}, nil
		}
		pageToken = page.NextPageToken
	}
}

// rawMessage is users.messages.get with format=raw.
type rawMessage struct {
	ID           string `json:"id"`
	InternalDate string `json:"internalDate"`
	Raw          string `json:"raw"`
}

// download fetches each message as raw MIME, skipping ones deleted since
// they were listed, and orders them by internalDate.
func (s *Source) download(ctx context.Context, ids []string) ([]mail.Fetched, error) {
	msgs := make([]mail.Fetched, 0, len(ids))
	for _, id := range ids {
		var m rawMessage
		err := s.api.JSON(ctx, http.MethodGet, s.userURL("messages", id)+"?format=raw", nil, &m)
		if httpx.KindOf(err) == httpx.NotFound {
			continue // deleted since it was listed: nothing left to deliver
		}
		if err != nil {
			return nil, annotate(err, "gmail.Fetch message "+id)
		}
		raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(m.Raw, "="))
		if err != nil {
			e := httpx.BadResponse(upstream, "get message "+id, http.StatusOK, "decode raw: %w", err)
			e.Message = "Gmail API returned an undecodable message"
			return nil, fmt.Errorf("gmail.Fetch message %s: %w", id, e)
		}
		f := mail.Fetched{ID: id, Raw: raw}
		if ms, err := strconv.ParseInt(m.InternalDate, 10, 64); err == nil {
			f.ReceivedAt = time.UnixMilli(ms).UTC()
		} // a missing internalDate leaves ReceivedAt zero, as documented
		msgs = append(msgs, f)
	}
	slices.SortStableFunc(msgs, func(a, b mail.Fetched) int { return a.ReceivedAt.Compare(b.ReceivedAt) })
	return msgs, nil
}

// annotate says what was being done when err happened.
func annotate(err error, doing string) error {
	return fmt.Errorf("%s: %w", doing, err)
}
