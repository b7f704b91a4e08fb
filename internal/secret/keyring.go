// Package secret encrypts secrets at rest (mail passwords, API tokens, LLM
// keys) with AES-256-GCM under a keyring of versioned keys, and derives the
// MAC keys that the audit chain and API keys use. New writes use the newest
// key; old keys stay so that older data can still be read and re-encrypted.
package secret

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
)

// Key is one master key of the keyring.
type Key struct {
	ID      string    `json:"id"`
	Created time.Time `json:"created"`
	Secret  []byte    `json:"key"` // 32 bytes, base64 in the file
}

// Keyring holds the master keys, oldest first.
type Keyring struct {
	keys []Key
	// macKeys holds the MAC keys derived so far, by purpose and key id: a
	// key id always names the same master key, and every API request
	// needs one.
	macKeys sync.Map // macKeyOf → []byte
}

// macKeyOf names a derived MAC key.
type macKeyOf struct{ purpose, id string }

type keyFile struct {
	Keys []Key `json:"keys"`
}

// LoadOrCreate reads the key file at path, creating it (mode 0600) with one
// fresh key when it does not exist. created reports whether it was created.
func LoadOrCreate(path string) (kr *Keyring, created bool, err error) {
	kr, err = Load(path)
	if err == nil {
		return kr, false, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, false, err
	}
	kr = &Keyring{}
	kr.add(time.Now())
	if err := kr.write(path, true); err != nil {
		return nil, false, err
	}
	return kr, true, nil
}

// Load reads an existing key file.
func Load(path string) (*Keyring, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read key file: %w", err)
	}
	var f keyFile
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("key file %s: %w", path, err)
	}
	if len(f.Keys) == 0 {
		return nil, fmt.Errorf("key file %s has no keys", path)
	}
	for _, k := range f.Keys {
		if len(k.Secret) != 32 || k.ID == "" {
			return nil, fmt.Errorf("key file %s: key %q must have an id and 32 bytes", path, k.ID)
		}
	}
	return &Keyring{keys: f.Keys}, nil
}

// NewForTest returns a keyring with one random key that is never written.
func NewForTest() *Keyring {
	kr := &Keyring{}
	kr.add(time.Now())
	return kr
}

func (kr *Keyring) add(now time.Time) Key {
	k := Key{ID: fmt.Sprintf("k%d", len(kr.keys)+1), Created: now.UTC().Truncate(time.Second), Secret: make([]byte, 32)}
	if _, err := rand.Read(k.Secret); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	kr.keys = append(kr.keys, k)
	return k
}

func (kr *Keyring) write(path string, exclusive bool) error {
	b, err := json.MarshalIndent(keyFile{Keys: kr.keys}, "", "  ")
	if err != nil {
		return err
	}
	flags := os.O_WRONLY | os.O_CREATE
	if exclusive {
		flags |= os.O_EXCL
	}
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, flags|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("write key file: %w", err)
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return fmt.Errorf("write key file: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("write key file: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write key file: %w", err)
	}
	return os.Rename(tmp, path)
}

// Rotate adds a new key, makes it the one new writes use, and saves the file.
func (kr *Keyring) Rotate(path string) (Key, error) {
	k := kr.add(time.Now())
	if err := kr.write(path, false); err != nil {
		kr.keys = kr.keys[:len(kr.keys)-1]
		return Key{}, err
	}
	return k, nil
}

// Current is the id of the key new writes use.
func (kr *Keyring) Current() string { return kr.keys[len(kr.keys)-1].ID }

func (kr *Keyring) key(id string) (Key, bool) {
	for _, k := range kr.keys {
		if k.ID == id {
			return k, true
		}
	}
	return Key{}, false
}

func derive(master []byte, purpose string) []byte {
	k, err := hkdf.Key(sha256.New, master, nil, "vendorsync "+purpose, 32)
	if err != nil {
		panic(err) // only fails for absurd lengths
	}
	return k
}

// AD builds the associated data that binds a ciphertext to its place, so a
// secret copied to another tenant, table, column or row does not decrypt.
func AD(tenantID, table, column, rowID string) string {
	return tenantID + "/" + table + "/" + column + "/" + rowID
}

const envelopeVersion = "v1"

// Seal encrypts plaintext under the newest key; the envelope names the key.
func (kr *Keyring) Seal(plaintext []byte, ad string) (string, error) {
	k := kr.keys[len(kr.keys)-1]
	aead, err := gcm(k)
	if err != nil {
		return "", err
	}
	ct := aead.Seal(nil, nil, plaintext, []byte(ad))
	return envelopeVersion + ":" + k.ID + ":" + base64.RawStdEncoding.EncodeToString(ct), nil
}

// Open decrypts an envelope made by Seal with the same associated data.
func (kr *Keyring) Open(envelope, ad string) ([]byte, error) {
	parts := strings.SplitN(envelope, ":", 3)
	if len(parts) != 3 || parts[0] != envelopeVersion {
		return nil, apperr.E(apperr.Internal, "secret envelope is malformed")
	}
	k, ok := kr.key(parts[1])
	if !ok {
		return nil, apperr.E(apperr.Internal, "secret was sealed with key %q, which is not in the keyring", parts[1])
	}
	ct, err := base64.RawStdEncoding.DecodeString(parts[2])
	if err != nil {
		return nil, apperr.Wrap(apperr.Internal, err, "secret envelope is malformed")
	}
	aead, err := gcm(k)
	if err != nil {
		return nil, err
	}
	pt, err := aead.Open(nil, nil, ct, []byte(ad))
	if err != nil {
		return nil, apperr.Wrap(apperr.Internal, err, "secret does not decrypt (wrong key or moved)")
	}
	return pt, nil
}

// KeyIDOf returns the key id named in an envelope.
func KeyIDOf(envelope string) string {
	parts := strings.SplitN(envelope, ":", 3)
	if len(parts) != 3 {
		return ""
	}
	return parts[1]
}

func gcm(k Key) (cipher.AEAD, error) {
	block, err := aes.NewCipher(derive(k.Secret, "secrets v1"))
	if err != nil {
		return nil, err
	}
	return cipher.NewGCMWithRandomNonce(block)
}

// MACKey returns the newest key's MAC key for purpose ("audit", "apikey").
// The caller must not change the key's bytes.
func (kr *Keyring) MACKey(purpose string) (id string, key []byte) {
	k := kr.keys[len(kr.keys)-1]
	return k.ID, kr.macKey(purpose, k)
}

// MACKeyByID returns the MAC key for purpose under key id, for verifying
// values written before a rotation. The caller must not change the key's
// bytes.
func (kr *Keyring) MACKeyByID(purpose, id string) ([]byte, error) {
	k, ok := kr.key(id)
	if !ok {
		return nil, fmt.Errorf("key %q is not in the keyring", id)
	}
	return kr.macKey(purpose, k), nil
}

// macKey derives k's MAC key for purpose once and remembers it.
func (kr *Keyring) macKey(purpose string, k Key) []byte {
	at := macKeyOf{purpose, k.ID}
	if m, ok := kr.macKeys.Load(at); ok {
		return m.([]byte)
	}
	m, _ := kr.macKeys.LoadOrStore(at, derive(k.Secret, "mac "+purpose))
	return m.([]byte)
}
