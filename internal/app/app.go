// Package app wires VendorSync together: configuration, the store, the job
// queue, the web server and the command line. It is the only package that
// imports everything.
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/alecthomas/kong"
)

// Version is set at build time with -ldflags "-X …/internal/app.Version=…".
var Version = "dev"

// CLI is the command line. Every flag can also come from a VENDORSYNC_*
// environment variable.
type CLI struct {
	Globals

	Serve   ServeCmd   `cmd:"" help:"Run the API, UI, workers and schedules."`
	Migrate MigrateCmd `cmd:"" help:"Apply database migrations and exit."`
	Tenant  TenantCmd  `cmd:"" help:"Manage tenants."`
	User    UserCmd    `cmd:"" help:"Manage users."`
	Apikey  APIKeyCmd  `cmd:"" name:"apikey" help:"Manage API keys."`
	Audit   AuditCmd   `cmd:"" help:"Inspect the audit log."`
	Email   EmailCmd   `cmd:"" help:"Import vendor emails."`
	Ingest  IngestCmd  `cmd:"" help:"Check vendor events."`
	Report  ReportCmd  `cmd:"" help:"Check score reports."`
	Secrets SecretsCmd `cmd:"" help:"Manage the encryption keyring."`
	Bench   BenchCmd   `cmd:"" help:"Load tools: measure a running server."`
	Version VersionCmd `cmd:"" help:"Print the version."`
}

// Globals are the flags every command shares.
type Globals struct {
	DataDir             string `name:"data-dir" default:"./data" env:"VENDORSYNC_DATA_DIR" help:"Directory for the SQLite database, blobs and the key file."`
	DatabaseURL         string `name:"database-url" env:"VENDORSYNC_DATABASE_URL" help:"postgres://… to use PostgreSQL; empty for the embedded SQLite file in the data dir."`
	KeyFile             string `name:"key-file" env:"VENDORSYNC_KEY_FILE" help:"Encryption keyring file (default: <data-dir>/secret.key). Share it between replicas."`
	LogLevel            string `name:"log-level" default:"info" enum:"debug,info,warn,error" env:"VENDORSYNC_LOG_LEVEL" help:"Log level (${enum})."`
	OutboundAllow       string `name:"outbound-allow" env:"VENDORSYNC_OUTBOUND_ALLOW" help:"Comma-separated addresses or CIDR prefixes integrations may connect to (default: any but link-local and cloud metadata)."`
	WebhookAllowPrivate bool   `name:"webhook-allow-private" env:"VENDORSYNC_WEBHOOK_ALLOW_PRIVATE" help:"Let ingest subscriptions deliver to loopback and private addresses (refused by default; link-local and cloud metadata addresses are always refused)."`
	OutboundDeny        string `name:"outbound-deny" env:"VENDORSYNC_OUTBOUND_DENY" help:"Comma-separated addresses or CIDR prefixes integrations may never connect to (e.g. 10.0.0.0/8)."`
	BlobURL             string `name:"blob-url" env:"VENDORSYNC_BLOB_URL" help:"Object storage for raw inputs and reports: empty for <data-dir>/blobs, file:///dir, or s3://bucket?region=…[&endpoint=…&use_path_style=true]."`

	getenv func(string) string
	stdout io.Writer
	stderr io.Writer
}

// Run parses args and runs the chosen command until it finishes or ctx ends.
func Run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var cli CLI
	cli.getenv, cli.stdout, cli.stderr = getenv, stdout, stderr
	exited := false
	parser, err := kong.New(&cli,
		kong.Name("vendorsync"),
		kong.Description("VendorSync takes over the work vendors push onto an organisation: change emails triaged into tickets with SLAs, tracker sync, vendor event ingestion, contract reconciliation and vendor risk scores."),
		kong.Writers(stdout, stderr),
		kong.Exit(func(int) { exited = true }),
		kong.Resolvers(envResolver{getenv}),
		kong.ConfigureHelp(kong.HelpOptions{Compact: true}),
		kong.UsageOnError(),
		kong.BindTo(ctx, (*context.Context)(nil)),
		kong.BindTo(stdinReader(os.Stdin), (*stdinReader)(nil)),
	)
	if err != nil {
		return err
	}
	kctx, err := parser.Parse(args)
	if exited {
		return nil // --help was printed
	}
	if err != nil {
		var pe *kong.ParseError
		if errors.As(err, &pe) {
			fmt.Fprintln(stderr, "vendorsync:", err)
			_ = pe.Context.PrintUsage(true)
			return fmt.Errorf("invalid arguments")
		}
		return err
	}
	return kctx.Run(&cli.Globals)
}

// envResolver reads flag values from the injected environment, so that tests
// can run the binary's Run with their own variables.
type envResolver struct{ getenv func(string) string }

func (r envResolver) Validate(*kong.Application) error { return nil }

func (r envResolver) Resolve(_ *kong.Context, _ *kong.Path, flag *kong.Flag) (any, error) {
	for _, name := range flag.Envs {
		if v := r.getenv(name); v != "" {
			return v, nil
		}
	}
	return nil, nil
}

// VersionCmd prints the version.
type VersionCmd struct{}

// Run prints the version.
func (VersionCmd) Run(g *Globals) error {
	fmt.Fprintln(g.stdout, "vendorsync", Version)
	return nil
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}
