package audit

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/vendorsync/vendorsync/internal/blob"
)

// Checkpoint is a signed statement, kept write-once outside the database,
// of how many rows a tenant's chain held and the hash of its last row at a
// moment. Rows removed from the database together with the head that
// counts them (or a chain wiped whole) still contradict the checkpoints
// written before: `audit verify` reads them. With S3 Object Lock on the
// bucket, no one who reaches the database can reach them.
type Checkpoint struct {
	TenantID string    `json:"tenant_id"`
	Rows     int64     `json:"rows"`
	Hash     string    `json:"hash"`
	At       time.Time `json:"at"`
	KeyID    string    `json:"key_id"`
	MAC      string    `json:"mac"`
}

// Signer returns the current MAC key and its id.
type Signer func() (id string, key []byte)

// checkpointFolder is where a tenant's checkpoints live in the blob store.
func checkpointFolder(tenantID string) string { return "audit/checkpoints/" + tenantID + "/" }

// mac computes a checkpoint's signature under key k.
func (c Checkpoint) mac(k []byte) string {
	m := hmac.New(sha256.New, k)
	for _, f := range []string{"vendorsync audit checkpoint", c.TenantID, strconv.FormatInt(c.Rows, 10), c.Hash,
		c.At.UTC().Format(time.RFC3339Nano), c.KeyID} {
		m.Write([]byte(strconv.Itoa(len(f))))
		m.Write([]byte{':'})
		m.Write([]byte(f))
	}
	return hex.EncodeToString(m.Sum(nil))
}

// WriteCheckpoint records the tenant's current head in the vault, once per
// head: it does nothing when the chain is empty or the head was recorded
// already. It reports whether it wrote one.
func WriteCheckpoint(ctx context.Context, s Store, vault *blob.Store, tenantID string, sign Signer, now time.Time) (bool, error) {
	rows, hash, err := s.AuditHead(ctx, tenantID)
	if err != nil || rows == 0 {
		return false, err
	}
	key := fmt.Sprintf("%s%020d.json", checkpointFolder(tenantID), rows)
	if ok, err := vault.Exists(ctx, key); err != nil || ok {
		return false, err
	}
	c := Checkpoint{TenantID: tenantID, Rows: rows, Hash: hash, At: now.UTC().Truncate(time.Microsecond)}
	var k []byte
	c.KeyID, k = sign()
	c.MAC = c.mac(k)
	body, err := json.Marshal(c)
	if err != nil {
		return false, err
	}
	if _, err := vault.Put(ctx, key, bytes.NewReader(body)); err != nil {
		return false, fmt.Errorf("audit.WriteCheckpoint %s: %w", tenantID, err)
	}
	return true, nil
}

// Checkpoints reads a tenant's checkpoints from the vault. One that cannot
// be read, names another tenant or whose signature does not verify is
// returned in forged, by key.
func Checkpoints(ctx context.Context, vault *blob.Store, tenantID string, keys KeyFunc) (cps []Checkpoint, forged []string, err error) {
	names, err := vault.List(ctx, checkpointFolder(tenantID))
	if err != nil {
		return nil, nil, fmt.Errorf("audit.Checkpoints: %w", err)
	}
	for _, name := range names {
		c, err := readCheckpoint(ctx, vault, name)
		if err != nil {
			return nil, nil, fmt.Errorf("audit.Checkpoints: %w", err)
		}
		k, kerr := keys(c.KeyID)
		if kerr != nil || c.TenantID != tenantID || !hmac.Equal([]byte(c.mac(k)), []byte(c.MAC)) {
			forged = append(forged, name)
			continue
		}
		cps = append(cps, c)
	}
	return cps, forged, nil
}

// readCheckpoint reads one checkpoint; a body that is not one reads as an
// empty checkpoint, which fails its signature.
func readCheckpoint(ctx context.Context, vault *blob.Store, key string) (Checkpoint, error) {
	rc, err := vault.Get(ctx, key)
	if err != nil {
		return Checkpoint{}, err
	}
	defer rc.Close()
	body, err := io.ReadAll(io.LimitReader(rc, 64<<10))
	if err != nil {
		return Checkpoint{}, err
	}
	var c Checkpoint
	_ = json.Unmarshal(body, &c) // not a checkpoint: its empty MAC never verifies
	return c, nil
}
