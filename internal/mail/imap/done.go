package imap

import (
	"context"
	"errors"
	"fmt"

	goimap "github.com/emersion/go-imap/v2"

	"github.com/vendorsync/vendorsync/internal/apperr"
)

// Done applies the configured post-processing to stored messages: MarkSeen
// sets \Seen, MoveTo moves them (MOVE, or COPY+STORE+EXPUNGE on servers
// without it). Without either it does nothing and does not connect. UIDs that
// no longer exist are ignored by the server, so Done is idempotent. Ids from
// an older UIDVALIDITY are skipped and reported as an apperr.Conflict after
// the others are processed, since acting on them could touch other messages.
func (s *Source) Done(ctx context.Context, ids []string) error {
	if len(ids) == 0 || (!s.cfg.MarkSeen && s.cfg.MoveTo == "") {
		return nil
	}
	byValidity := map[uint32][]goimap.UID{}
	for _, id := range ids {
		v, uid, err := parseFetchedID(id)
		if err != nil {
			return fmt.Errorf("imap.Done: %w", err)
		}
		byValidity[v] = append(byValidity[v], uid)
	}

	c, closeFn, err := s.connect(ctx)
	if err != nil {
		return err
	}
	defer closeFn()
	sel, err := c.Select(s.cfg.Folder, nil).Wait()
	if err != nil {
		return s.folderErr(ctx, err, s.cfg.Folder)
	}
	var stale error
	for v, uids := range byValidity {
		if v != sel.UIDValidity {
			stale = errors.Join(stale, apperr.E(apperr.Conflict,
				"%d messages of %q were fetched under UIDVALIDITY %d, now %d: not post-processed", len(uids), s.cfg.Folder, v, sel.UIDValidity))
		}
	}
	uids := byValidity[sel.UIDValidity]
	if len(uids) > 0 {
		// Act only on UIDs still in the folder: a repeated Done finds none,
		// and no server sees a MOVE of nothing.
		found, err := c.UIDSearch(&goimap.SearchCriteria{UID: []goimap.UIDSet{goimap.UIDSetNum(uids...)}}, nil).Wait()
		if err != nil {
			return s.netErr(ctx, err, "UID SEARCH in "+s.cfg.Folder)
		}
		uids = found.AllUIDs()
	}
	if len(uids) > 0 {
		set := goimap.UIDSetNum(uids...)
		if s.cfg.MarkSeen {
			flags := &goimap.StoreFlags{Op: goimap.StoreFlagsAdd, Silent: true, Flags: []goimap.Flag{goimap.FlagSeen}}
			if err := c.Store(set, flags, nil).Close(); err != nil {
				return s.netErr(ctx, err, "mark messages seen in "+s.cfg.Folder)
			}
		}
		if s.cfg.MoveTo != "" {
			if _, err := c.Move(set, s.cfg.MoveTo).Wait(); err != nil {
				var imapErr *goimap.Error
				if errors.As(err, &imapErr) && imapErr.Code == goimap.ResponseCodeTryCreate {
					return apperr.Wrap(apperr.NotFound, err, "IMAP folder %q not found on %s", s.cfg.MoveTo, s.cfg.Host)
				}
				return s.netErr(ctx, err, "move messages to "+s.cfg.MoveTo)
			}
		}
	}
	if stale != nil {
		return fmt.Errorf("imap.Done: %w", stale)
	}
	return nil
}
