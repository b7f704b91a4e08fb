package secret

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

func TestSealOpenAndRotate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "secret.key")
	kr, created, err := LoadOrCreate(path)
	if err != nil || !created {
		t.Fatalf("create: %v created=%v", err, created)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode = %v, want 0600", fi.Mode().Perm())
	}
	ad := AD("t1", "secrets", "value", "r1")
	env, err := kr.Seal([]byte("hunter2"), ad)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := kr.Open(env, ad); err != nil || string(got) != "hunter2" {
		t.Fatalf("open = %q, %v", got, err)
	}
	if _, err := kr.Open(env, AD("t2", "secrets", "value", "r1")); err == nil {
		t.Error("a secret moved to another tenant must not decrypt")
	}

	if _, err := kr.Rotate(path); err != nil {
		t.Fatal(err)
	}
	reloaded, created, err := LoadOrCreate(path)
	if err != nil || created {
		t.Fatalf("reload: %v created=%v", err, created)
	}
	if reloaded.Current() != "k2" {
		t.Errorf("current = %s, want k2", reloaded.Current())
	}
	if got, err := reloaded.Open(env, ad); err != nil || string(got) != "hunter2" {
		t.Fatalf("old envelope after rotation = %q, %v", got, err)
	}
	env2, _ := reloaded.Seal([]byte("x"), ad)
	if KeyIDOf(env2) != "k2" {
		t.Errorf("new writes use %s, want k2", KeyIDOf(env2))
	}
}

// TestMACKeysDerivedFromTheirKey: a MAC key is the HKDF of its own master
// key and purpose, the same on every call, and stays that key's after a
// rotation adds a newer one.
func TestMACKeysDerivedFromTheirKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "secret.key")
	kr, _, err := LoadOrCreate(path)
	if err != nil {
		t.Fatal(err)
	}
	first := kr.Current()
	id, audit := kr.MACKey("audit")
	if id != first || !bytes.Equal(audit, derive(kr.keys[0].Secret, "mac audit")) {
		t.Fatalf("MACKey(audit) = %s %x, want the HKDF of key %s", id, audit, first)
	}
	apikey, err := kr.MACKeyByID("apikey", first)
	if err != nil || !bytes.Equal(apikey, derive(kr.keys[0].Secret, "mac apikey")) || bytes.Equal(apikey, audit) {
		t.Fatalf("MACKeyByID(apikey) = %x, %v; want its own purpose's key", apikey, err)
	}
	if _, err := kr.Rotate(path); err != nil {
		t.Fatal(err)
	}
	id2, audit2 := kr.MACKey("audit")
	if id2 == first || !bytes.Equal(audit2, derive(kr.keys[1].Secret, "mac audit")) {
		t.Fatalf("after rotation MACKey(audit) = %s %x, want the new key's", id2, audit2)
	}
	if again, err := kr.MACKeyByID("audit", first); err != nil || !bytes.Equal(again, audit) {
		t.Fatalf("MACKeyByID(audit, first) after rotation = %x, %v; want %x", again, err, audit)
	}
	if _, err := kr.MACKeyByID("audit", "nope"); err == nil {
		t.Fatal("a key id not in the keyring gave a MAC key")
	}
}

// BenchmarkMACKeyByID measures what checking an API key costs to find its
// MAC key, on every request.
func BenchmarkMACKeyByID(b *testing.B) {
	kr, _, err := LoadOrCreate(filepath.Join(b.TempDir(), "secret.key"))
	if err != nil {
		b.Fatal(err)
	}
	id := kr.Current()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := kr.MACKeyByID("apikey", id); err != nil {
			b.Fatal(err)
		}
	}
}
