package app

import (
	"context"
	"fmt"
	"io"
)

// stdinReader is standard input, bound by Run so commands can be tested.
type stdinReader io.Reader

// SecretsCmd groups keyring commands.
type SecretsCmd struct {
	Rotate SecretsRotateCmd `cmd:"" help:"Add a new encryption key and re-encrypt every stored secret with it."`
}

// SecretsRotateCmd rotates the keyring.
type SecretsRotateCmd struct {
	NoNewKey bool `name:"no-new-key" help:"Only re-encrypt secrets still under older keys (to finish an interrupted rotation)."`
}

// Run adds a key and re-encrypts.
func (c SecretsRotateCmd) Run(ctx context.Context, g *Globals) error {
	e, err := g.open(ctx)
	if err != nil {
		return err
	}
	defer e.close()
	if !c.NoNewKey {
		k, err := e.keys.Rotate(e.keysPath)
		if err != nil {
			return err
		}
		fmt.Fprintf(g.stdout, "new key %s added to %s (copy the file to every replica)\n", k.ID, e.keysPath)
	}
	n, err := e.db.ReencryptSecrets(ctx)
	if err != nil {
		return fmt.Errorf("re-encryption stopped after %d secret(s): %w (finish with: vendorsync secrets rotate --no-new-key)", n, err)
	}
	fmt.Fprintf(g.stdout, "%d secret(s) re-encrypted under key %s\n", n, e.keys.Current())
	return nil
}
