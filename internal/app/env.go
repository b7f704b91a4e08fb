package app

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/blob"
	"github.com/vendorsync/vendorsync/internal/httpx"
	"github.com/vendorsync/vendorsync/internal/obs"
	"github.com/vendorsync/vendorsync/internal/secret"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
)

// env is what every command works with: logger, keyring, migrated store and
// the domain services on top of it.
type env struct {
	g          *Globals
	log        *slog.Logger
	keys       *secret.Keyring
	keysPath   string
	keyCreated bool
	db         *sqlstore.DB
	auth       *auth.Service
}

func (g *Globals) logger() *slog.Logger {
	var lvl slog.Level
	_ = lvl.UnmarshalText([]byte(g.LogLevel)) // validated by kong's enum
	return obs.NewLogger(g.stderr, lvl)
}

// open prepares the data dir, the keyring and the store, and migrates.
func (g *Globals) open(ctx context.Context) (*env, error) {
	e := &env{g: g, log: g.logger()}
	if err := g.outboundPolicy(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(g.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("create data dir %s: %w", g.DataDir, err)
	}
	e.keysPath = g.KeyFile
	if e.keysPath == "" {
		e.keysPath = filepath.Join(g.DataDir, "secret.key")
	}
	var err error
	if e.keys, e.keyCreated, err = secret.LoadOrCreate(e.keysPath); err != nil {
		return nil, err
	}
	if e.db, err = sqlstore.Open(ctx, g.DatabaseURL, g.DataDir); err != nil {
		return nil, err
	}
	e.db.Keys = e.keys
	res, err := e.db.Migrate(ctx)
	if err != nil {
		e.db.Close()
		return nil, err
	}
	if len(res.Applied) > 0 || res.River > 0 {
		e.log.InfoContext(ctx, "database migrated", "engine", string(e.db.Dialect), "version", res.Version,
			"applied", len(res.Applied), "queue_migrations", res.River)
	}
	e.auth = &auth.Service{Store: e.db, Keys: e.keys, BootstrapAdmins: splitList(g.getenv("VENDORSYNC_BOOTSTRAP_ADMINS"))}
	return e, nil
}

func (e *env) close() { e.db.Close() }

// openBlobs opens the blob store (VENDORSYNC_BLOB_URL, or the data dir).
func (e *env) openBlobs(ctx context.Context) (*blob.Store, error) {
	blobs, err := blob.Open(ctx, e.g.BlobURL, e.g.DataDir)
	if err != nil {
		return nil, err
	}
	e.log.InfoContext(ctx, "blob store opened", "location", blobs.String())
	return blobs, nil
}

// closeBlobs closes the blob store; a failure is only worth a warning
// when the process is stopping anyway.
func (e *env) closeBlobs(ctx context.Context, blobs *blob.Store) {
	if err := blobs.Close(); err != nil {
		e.log.WarnContext(ctx, "close blob store", "err", err.Error())
	}
}

// openWithBlobs opens the store and the blob store; done closes both.
func (g *Globals) openWithBlobs(ctx context.Context) (e *env, blobs *blob.Store, done func(), err error) {
	if e, err = g.open(ctx); err != nil {
		return nil, nil, nil, err
	}
	if blobs, err = e.openBlobs(ctx); err != nil {
		e.close()
		return nil, nil, nil, err
	}
	return e, blobs, func() { e.closeBlobs(ctx, blobs); e.close() }, nil
}

// tenantID resolves a tenant slug.
func (e *env) tenant(ctx context.Context, slug string) (auth.Tenant, error) {
	return e.db.TenantBySlug(ctx, slug)
}

// quieter returns a logger that drops records below min; the job queue's
// own info lines are too chatty for an operator's log.
func quieter(l *slog.Logger, min slog.Level) *slog.Logger {
	return slog.New(levelHandler{l.Handler(), min})
}

type levelHandler struct {
	slog.Handler
	min slog.Level
}

func (h levelHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.Handler.Enabled(ctx, l)
}

func (h levelHandler) WithAttrs(a []slog.Attr) slog.Handler {
	return levelHandler{h.Handler.WithAttrs(a), h.min}
}
func (h levelHandler) WithGroup(n string) slog.Handler {
	return levelHandler{h.Handler.WithGroup(n), h.min}
}

// outboundPolicy sets which addresses integrations may connect to, from
// --outbound-allow and --outbound-deny.
func (g *Globals) outboundPolicy() error {
	allow, err := httpx.ParsePrefixes(g.OutboundAllow)
	if err != nil {
		return fmt.Errorf("--outbound-allow: %w", err)
	}
	deny, err := httpx.ParsePrefixes(g.OutboundDeny)
	if err != nil {
		return fmt.Errorf("--outbound-deny: %w", err)
	}
	httpx.SetAddressPolicy(httpx.AddressPolicy{Allow: allow, Deny: deny})
	return nil
}
