package imap

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	goimap "github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/mail"
)

// Checkpoint is the IMAP position: the folder's UIDVALIDITY and the highest
// UID already delivered. UIDs only grow within one UIDVALIDITY, so "UID >
// LastUID" is exactly the new mail.
//
// When the server reports a different UIDVALIDITY (the folder was recreated
// or the server rebuilt its index), old UIDs mean nothing any more: Fetch
// starts over from UID 1 and delivers the whole folder again. The repeats
// are removed downstream by Message-ID dedup, which is why a resync is safe.
type Checkpoint struct {
	UIDValidity uint32 `json:"uid_validity"`
	LastUID     uint32 `json:"last_uid"`
}

// bodySection is BODY.PEEK[]: the whole message, without setting \Seen.
var bodySection = &goimap.FetchItemBodySection{Peek: true}

// Fetch returns up to max messages with a UID above the checkpoint, in UID
// order, and the checkpoint covering them. It opens the folder read-only
// and changes nothing on the server.
func (s *Source) Fetch(ctx context.Context, cp mail.Checkpoint, max int) ([]mail.Fetched, mail.Checkpoint, error) {
	var pos Checkpoint
	if err := mail.DecodeCheckpoint(cp, &pos); err != nil {
		return nil, nil, fmt.Errorf("imap.Fetch %s: %w", s.cfg.Host, err)
	}
	if max <= 0 {
		return nil, nil, apperr.Invalidf("imap.Fetch: max must be positive, got %d", max)
	}
	c, closeFn, err := s.connect(ctx)
	if err != nil {
		return nil, nil, err
	}
	defer closeFn()

	sel, err := c.Select(s.cfg.Folder, &goimap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil {
		return nil, nil, s.folderErr(ctx, err, s.cfg.Folder)
	}
	if pos.UIDValidity != sel.UIDValidity {
		pos = Checkpoint{UIDValidity: sel.UIDValidity} // first poll or resync from UID 1
	}
	if sel.NumMessages == 0 || (sel.UIDNext != 0 && uint32(sel.UIDNext) <= pos.LastUID+1) {
		next, err := mail.EncodeCheckpoint(pos)
		return nil, next, err
	}

	// "UID n:*" always matches the highest UID, even one below n, so the
	// result is filtered again.
	criteria := &goimap.SearchCriteria{UID: []goimap.UIDSet{{{Start: goimap.UID(pos.LastUID + 1), Stop: 0}}}}
	found, err := c.UIDSearch(criteria, nil).Wait()
	if err != nil {
		return nil, nil, s.netErr(ctx, err, "UID SEARCH in "+s.cfg.Folder)
	}
	var uids []goimap.UID
	for _, uid := range found.AllUIDs() {
		if uint32(uid) > pos.LastUID {
			uids = append(uids, uid)
		}
	}
	slices.Sort(uids)
	if len(uids) > max {
		uids = uids[:max]
	}
	if len(uids) == 0 {
		next, err := mail.EncodeCheckpoint(pos)
		return nil, next, err
	}

	bufs, err := c.Fetch(goimap.UIDSetNum(uids...), &goimap.FetchOptions{
		UID:          true,
		InternalDate: true,
		BodySection:  []*goimap.FetchItemBodySection{bodySection},
	}).Collect()
	if err != nil {
		return nil, nil, s.netErr(ctx, err, "UID FETCH in "+s.cfg.Folder)
	}
	slices.SortFunc(bufs, func(a, b *imapclient.FetchMessageBuffer) int { return cmp.Compare(a.UID, b.UID) })
	msgs := make([]mail.Fetched, 0, len(bufs))
	for _, b := range bufs {
		raw := b.FindBodySection(bodySection)
		if raw == nil {
			continue // expunged between SEARCH and FETCH: nothing left to deliver
		}
		msgs = append(msgs, mail.Fetched{
			ID:         fetchedID(sel.UIDValidity, b.UID),
			Raw:        raw,
			ReceivedAt: b.InternalDate.UTC(),
		})
	}
	// The checkpoint covers every UID asked for, delivered or expunged.
	pos.LastUID = uint32(uids[len(uids)-1])
	next, err := mail.EncodeCheckpoint(pos)
	if err != nil {
		return nil, nil, err
	}
	return msgs, next, nil
}

// fetchedID is the Fetched.ID of a message: "uidvalidity:uid", so Done can
// refuse to act on UIDs from an older UIDVALIDITY.
func fetchedID(validity uint32, uid goimap.UID) string {
	return strconv.FormatUint(uint64(validity), 10) + ":" + strconv.FormatUint(uint64(uid), 10)
}

// parseFetchedID splits a Fetched.ID.
func parseFetchedID(id string) (validity uint32, uid goimap.UID, err error) {
	v, u, ok := strings.Cut(id, ":")
	if !ok {
		return 0, 0, apperr.Invalidf("IMAP message id %q is not uidvalidity:uid", id)
	}
	vn, err1 := strconv.ParseUint(v, 10, 32)
	un, err2 := strconv.ParseUint(u, 10, 32)
	if err1 != nil || err2 != nil || un == 0 {
		return 0, 0, apperr.Invalidf("IMAP message id %q is not uidvalidity:uid", id)
	}
	return uint32(vn), goimap.UID(un), nil
}
