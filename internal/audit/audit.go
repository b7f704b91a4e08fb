// Package audit is the append-only, hash-chained record of every state change.
// Each tenant's rows form one chain: a row's hash is an HMAC over its fields
// and the previous row's hash, so an edited, deleted, reordered or truncated
// row breaks the chain and Verify names the first broken row.
package audit

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"hash"
	"runtime"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"
)

// Entry is one audit row.
type Entry struct {
	ID         string    `json:"id"`
	TenantID   string    `json:"-"`
	Seq        int64     `json:"seq"`
	ActorKind  string    `json:"actor_kind"`
	ActorID    string    `json:"actor_id"`
	ActorLabel string    `json:"actor"`
	Action     string    `json:"action"`
	EntityType string    `json:"entity_type"`
	EntityID   string    `json:"entity_id"`
	Before     string    `json:"before,omitempty"`
	After      string    `json:"after,omitempty"`
	Flags      string    `json:"flags,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
	KeyID      string    `json:"-"`
	PrevHash   string    `json:"prev_hash"`
	Hash       string    `json:"hash"`
}

// Actor is who made a change; auth.Principal implements it.
type Actor interface {
	AuditActor() (tenantID, kind, id, label string)
}

// Event is what domain code records; the store adds sequence, time and hash.
type Event struct {
	Actor      Actor
	Action     string // entity.verb, e.g. "vendor.update"
	EntityType string
	EntityID   string
	Before     any // marshalled to JSON; nil for creations
	After      any // nil for deletions
	Flags      []string
}

// Record describes a change by p to an entity, before and after.
func Record(p Actor, action, entityType, entityID string, before, after any, flags ...string) Event {
	return Event{Actor: p, Action: action, EntityType: entityType, EntityID: entityID, Before: before, After: after, Flags: flags}
}

// Entry turns the event into an unsealed row for tenant at time now.
func (e Event) Entry(now time.Time) (Entry, error) {
	before, err := marshal(e.Before)
	if err != nil {
		return Entry{}, err
	}
	after, err := marshal(e.After)
	if err != nil {
		return Entry{}, err
	}
	if e.Actor == nil {
		return Entry{}, errors.New("audit event without actor")
	}
	tenant, kind, id, label := e.Actor.AuditActor()
	return Entry{
		TenantID:   tenant,
		ActorKind:  kind,
		ActorID:    id,
		ActorLabel: label,
		Action:     e.Action,
		EntityType: e.EntityType,
		EntityID:   e.EntityID,
		Before:     before,
		After:      after,
		Flags:      strings.Join(e.Flags, ","),
		CreatedAt:  now.UTC(),
	}, nil
}

func marshal(v any) (string, error) {
	if v == nil {
		return "", nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// Hash computes the row's chain hash under MAC key k.
func Hash(e Entry, k []byte) string {
	return newHasher(k).hash(e)
}

// Seal chains entries after the row with hash prevHash: the first gets
// sequence firstSeq, each links to the one before it, and each is hashed
// under MAC key k with one reused MAC state.
func Seal(entries []Entry, firstSeq int64, prevHash string, k []byte) {
	h := newHasher(k)
	for i := range entries {
		entries[i].Seq, entries[i].PrevHash = firstSeq+int64(i), prevHash
		entries[i].Hash = h.hash(entries[i])
		prevHash = entries[i].Hash
	}
}

// hasher computes chain hashes under one key, reusing its MAC state and
// buffer from row to row: verifying a chain allocates little per row.
type hasher struct {
	state hash.Hash
	buf   []byte
	sum   []byte
	hex   []byte
}

func newHasher(k []byte) *hasher { return &hasher{state: hmac.New(sha256.New, k)} }

// hash is Hash.
func (h *hasher) hash(e Entry) string { return string(h.digest(e)) }

// digest is the row's hash as hex digits in the hasher's own buffer, valid
// until its next use: the MAC of every field, length-prefixed, in a fixed
// order.
func (h *hasher) digest(e Entry) []byte {
	b := h.head(e.TenantID, e.Seq)
	for _, f := range [...]string{e.ActorKind, e.ActorID, e.ActorLabel, e.Action, e.EntityType, e.EntityID, e.Before, e.After, e.Flags} {
		b = appendField(b, f)
	}
	b = appendField(appendTime(b, e.CreatedAt), e.KeyID)
	return h.mac(appendField(b, e.PrevHash))
}

// digestLink is digest for a row read as a Link.
func (h *hasher) digestLink(tenantID string, l *Link) []byte {
	b := appendTime(append(h.head(tenantID, l.Seq), l.Body...), l.CreatedAt)
	return h.mac(appendField(appendField(b, l.KeyID), l.PrevHash))
}

// head starts the MAC input in the hasher's buffer: tenant and sequence.
func (h *hasher) head(tenantID string, seq int64) []byte {
	b := appendField(h.buf[:0], tenantID)
	var num [20]byte
	return appendField(b, strconv.AppendInt(num[:0], seq, 10))
}

// mac keeps the MAC input b as the hasher's buffer and returns its MAC as
// hex digits in the hasher's own buffer.
func (h *hasher) mac(b []byte) []byte {
	h.buf = b
	h.state.Reset()
	h.state.Write(b)
	h.sum = h.state.Sum(h.sum[:0])
	h.hex = hex.AppendEncode(h.hex[:0], h.sum)
	return h.hex
}

func appendTime(b []byte, t time.Time) []byte {
	var ts [40]byte
	return appendField(b, t.UTC().AppendFormat(ts[:0], time.RFC3339Nano))
}

// appendField appends one field of the MAC input: its length in bytes, a
// colon and its bytes. PackedColumns spells the same in SQL.
func appendField[T string | []byte](b []byte, f T) []byte {
	b = strconv.AppendInt(b, int64(len(f)), 10)
	b = append(b, ':')
	return append(b, f...)
}

// PackedColumns are the columns a Link's Body packs, in order: each as its
// length in bytes, a colon and its bytes, as the hash takes them.
var PackedColumns = []string{"actor_kind", "actor_id", "actor_label", "action", "entity_type", "entity_id", "before_json", "after_json", "flags"}

// Link is one row of a chain as verification reads it: what the hash covers
// and links, with the text fields between the sequence and the time packed
// into Body (see PackedColumns) so a store reads a handful of columns per
// row instead of fourteen. A store may reuse a Link and its slices from
// one row to the next.
type Link struct {
	Seq       int64
	Body      []byte
	CreatedAt time.Time
	KeyID     []byte
	PrevHash  []byte
	Hash      []byte
}

// Filter selects audit rows for the viewer.
type Filter struct {
	EntityType string
	EntityID   string
	ActorID    string
	Action     string
	From, To   time.Time
	Cursor     string
	Limit      int
}

// Store is what the audit log needs from storage.
type Store interface {
	ListAudit(ctx context.Context, tenantID string, f Filter) ([]Entry, string, error)
	// WalkChain streams a tenant's rows with from ≤ seq < to (to 0: no
	// upper bound) in sequence order as Links, which it may reuse from row
	// to row; an error from fn ends the walk and is returned.
	WalkChain(ctx context.Context, tenantID string, from, to int64, fn func(*Link) error) error
	AuditHead(ctx context.Context, tenantID string) (seq int64, hash string, err error)
}

// KeyFunc returns the MAC key with the given id.
type KeyFunc func(id string) ([]byte, error)

// Result is what Verify found for one tenant.
type Result struct {
	TenantID  string
	Checked   int64
	OK        bool
	BrokenSeq int64  // first row that does not verify (0 when OK)
	Reason    string // why it does not
}

// Verify walks a tenant's chain and reports the first broken row: a changed
// field (hash mismatch), a missing or reordered row (sequence gap or wrong
// previous hash) or a truncated tail (chain ends before the recorded head).
func Verify(ctx context.Context, s Store, tenantID string, keys KeyFunc) (Result, error) {
	return VerifyAgainst(ctx, s, tenantID, keys, nil)
}

// VerifyAgainst is Verify that also holds the chain to checkpoints written
// before (see Checkpoint): every checkpoint's row must still be there with
// the hash it had, so rows removed together with the head that counts
// them are found.
func VerifyAgainst(ctx context.Context, s Store, tenantID string, keys KeyFunc, cps []Checkpoint) (Result, error) {
	res := Result{TenantID: tenantID, OK: true}
	at := map[int64]Checkpoint{}
	var last Checkpoint
	for _, c := range cps {
		at[c.Rows] = c
		if c.Rows > last.Rows {
			last = c
		}
	}
	fail := func(seq int64, reason string) {
		if res.OK {
			res.OK, res.BrokenSeq, res.Reason = false, seq, reason
		}
	}
	headSeq, headHash, err := s.AuditHead(ctx, tenantID)
	if err != nil {
		return res, err
	}
	// The chain is walked in ranges, one per CPU, each on its own
	// connection; the ranges are then joined in order, so the first broken
	// row is the one reported, as a single walk would.
	parts := int64(min(runtime.GOMAXPROCS(0), max(1, int(headSeq/minSegment))))
	segs := make([]segment, parts)
	g, gctx := errgroup.WithContext(ctx)
	for i := range segs {
		from := 1 + int64(i)*headSeq/parts
		to := 1 + int64(i+1)*headSeq/parts
		if int64(i) == parts-1 {
			to = 0 // the last range runs to the end: rows past the head are walked too
		}
		g.Go(func() error { return segs[i].walk(gctx, s, tenantID, from, to, keys, at) })
	}
	if err := g.Wait(); err != nil {
		return res, err
	}
	var prevSeq int64
	var prevHash []byte
	for _, sg := range segs {
		if sg.checked == 0 {
			continue
		}
		res.Checked += sg.checked
		switch {
		case sg.firstSeq != prevSeq+1:
			fail(prevSeq+1, "row "+strconv.FormatInt(prevSeq+1, 10)+" is missing or out of order (next row found is "+strconv.FormatInt(sg.firstSeq, 10)+")")
		case sg.firstPrev != string(prevHash):
			fail(sg.firstSeq, "previous-hash link does not match the row before it")
		case sg.brokenSeq != 0:
			fail(sg.brokenSeq, sg.reason)
		}
		if !res.OK {
			return res, nil
		}
		prevSeq, prevHash = sg.lastSeq, sg.lastHash
	}
	if !res.OK {
		return res, nil
	}
	if last.Rows > prevSeq {
		fail(prevSeq+1, "chain ends at row "+strconv.FormatInt(prevSeq, 10)+" but the checkpoint of "+
			last.At.Format(time.RFC3339)+" recorded "+strconv.FormatInt(last.Rows, 10)+" rows (rows were removed)")
		return res, nil
	}
	if headSeq != prevSeq || headHash != string(prevHash) {
		fail(prevSeq+1, "chain ends at row "+strconv.FormatInt(prevSeq, 10)+" but "+strconv.FormatInt(headSeq, 10)+" rows were written (truncated)")
	}
	return res, nil
}

// minSegment is the fewest rows worth a range of their own.
const minSegment = 5000

// segment is what the walk of one range of a chain found: its first row's
// sequence and previous-hash link, its last row, and the first row inside
// it that does not verify.
type segment struct {
	checked           int64
	firstSeq, lastSeq int64
	firstPrev         string
	lastHash          []byte
	brokenSeq         int64
	reason            string
}

// errStop ends a range's walk at its first broken row.
var errStop = errors.New("audit: stop walking")

// walk verifies the rows from ≤ seq < to (to 0: to the end) of a chain.
func (sg *segment) walk(ctx context.Context, s Store, tenantID string, from, to int64, keys KeyFunc, at map[int64]Checkpoint) error {
	hashers := hasherCache{keys: keys, by: map[string]*hasher{}}
	fail := func(seq int64, reason string) error {
		sg.brokenSeq, sg.reason = seq, reason
		return errStop
	}
	err := s.WalkChain(ctx, tenantID, from, to, func(l *Link) error {
		sg.checked++
		if sg.checked == 1 {
			sg.firstSeq, sg.firstPrev = l.Seq, string(l.PrevHash)
		} else {
			switch {
			case l.Seq != sg.lastSeq+1:
				return fail(sg.lastSeq+1, "row "+strconv.FormatInt(sg.lastSeq+1, 10)+" is missing or out of order (next row found is "+strconv.FormatInt(l.Seq, 10)+")")
			case string(l.PrevHash) != string(sg.lastHash):
				return fail(l.Seq, "previous-hash link does not match the row before it")
			}
		}
		h, err := hashers.of(l.KeyID)
		switch {
		case err != nil:
			return fail(l.Seq, "unknown key "+string(l.KeyID))
		case string(h.digestLink(tenantID, l)) != string(l.Hash):
			return fail(l.Seq, "row content does not match its hash (edited)")
		}
		if len(at) > 0 {
			if c, ok := at[l.Seq]; ok && c.Hash != string(l.Hash) {
				return fail(l.Seq, "row differs from the checkpoint of "+c.At.Format(time.RFC3339)+" (the chain was rewritten)")
			}
		}
		sg.lastSeq, sg.lastHash = l.Seq, append(sg.lastHash[:0], l.Hash...)
		return nil
	})
	if errors.Is(err, errStop) {
		return nil
	}
	return err
}

// hasherCache keeps one hasher per key id for a verification.
type hasherCache struct {
	keys KeyFunc
	by   map[string]*hasher
}

func (c hasherCache) of(id []byte) (*hasher, error) {
	if h, ok := c.by[string(id)]; ok {
		return h, nil
	}
	k, err := c.keys(string(id))
	if err != nil {
		return nil, err
	}
	h := newHasher(k)
	c.by[string(id)] = h
	return h, nil
}
