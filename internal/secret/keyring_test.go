package secret

import (
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
