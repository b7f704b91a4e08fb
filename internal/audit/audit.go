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
	"strconv"
	"strings"
	"time"
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
	m := hmac.New(sha256.New, k)
	for _, f := range []string{
		e.TenantID, strconv.FormatInt(e.Seq, 10), e.ActorKind, e.ActorID, e.ActorLabel,
		e.Action, e.EntityType, e.EntityID, e.Before, e.After, e.Flags,
		e.CreatedAt.UTC().Format(time.RFC3339Nano), e.KeyID, e.PrevHash,
	} {
		m.Write([]byte(strconv.Itoa(len(f))))
		m.Write([]byte{':'})
		m.Write([]byte(f))
	}
	return hex.EncodeToString(m.Sum(nil))
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
	// WalkAudit streams a tenant's rows in sequence order.
	WalkAudit(ctx context.Context, tenantID string, fn func(Entry) error) error
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
	var prevSeq int64
	prevHash := ""
	err := s.WalkAudit(ctx, tenantID, func(e Entry) error {
		if !res.OK {
			return nil
		}
		res.Checked++
		switch {
		case e.Seq != prevSeq+1:
			fail(prevSeq+1, "row "+strconv.FormatInt(prevSeq+1, 10)+" is missing or out of order (next row found is "+strconv.FormatInt(e.Seq, 10)+")")
		case e.PrevHash != prevHash:
			fail(e.Seq, "previous-hash link does not match the row before it")
		default:
			k, err := keys(e.KeyID)
			if err != nil {
				fail(e.Seq, "unknown key "+e.KeyID)
			} else if Hash(e, k) != e.Hash {
				fail(e.Seq, "row content does not match its hash (edited)")
			} else if c, ok := at[e.Seq]; ok && c.Hash != e.Hash {
				fail(e.Seq, "row differs from the checkpoint of "+c.At.Format(time.RFC3339)+" (the chain was rewritten)")
			}
		}
		prevSeq, prevHash = e.Seq, e.Hash
		return nil
	})
	if err != nil {
		return res, err
	}
	if !res.OK {
		return res, nil
	}
	if last.Rows > prevSeq {
		fail(prevSeq+1, "chain ends at row "+strconv.FormatInt(prevSeq, 10)+" but the checkpoint of "+
			last.At.Format(time.RFC3339)+" recorded "+strconv.FormatInt(last.Rows, 10)+" rows (rows were removed)")
		return res, nil
	}
	headSeq, headHash, err := s.AuditHead(ctx, tenantID)
	if err != nil {
		return res, err
	}
	if headSeq != prevSeq || headHash != prevHash {
		fail(prevSeq+1, "chain ends at row "+strconv.FormatInt(prevSeq, 10)+" but "+strconv.FormatInt(headSeq, 10)+" rows were written (truncated)")
	}
	return res, nil
}
