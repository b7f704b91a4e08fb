package app

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/inbox"
	"github.com/vendorsync/vendorsync/internal/jobs"
	"github.com/vendorsync/vendorsync/internal/mail"
	"github.com/vendorsync/vendorsync/internal/obs"
	"github.com/vendorsync/vendorsync/internal/ticket"
)

// EmailCmd groups email commands.
type EmailCmd struct {
	Import EmailImportCmd `cmd:"" help:"Import vendor emails from .eml and mbox files and triage them now."`
}

// EmailImportCmd imports emails as if they had arrived in a mailbox.
type EmailImportCmd struct {
	Files   []string `arg:"" type:"existingfile" help:"Files to import: .eml (one message) or mbox (many; detected by a leading \"From \" line or the .mbox extension)."`
	Tenant  string   `default:"default" help:"Tenant slug."`
	BaseURL string   `name:"base-url" env:"VENDORSYNC_BASE_URL" help:"External URL of the server, for the links in the notifications the emails cause."`
}

// Run imports every file, then processes what it stored in arrival order
// (no worker may be running), and reports per file.
func (c EmailImportCmd) Run(ctx context.Context, g *Globals) error {
	e, err := g.open(ctx)
	if err != nil {
		return err
	}
	defer e.close()
	t, err := e.tenant(ctx, c.Tenant)
	if err != nil {
		return fmt.Errorf("tenant %q: %w", c.Tenant, err)
	}
	blobs, err := e.openBlobs(ctx)
	if err != nil {
		return err
	}
	defer e.closeBlobs(ctx, blobs)
	prog := build(e, blobs, strings.TrimRight(c.BaseURL, "/"), obs.NewMetrics())
	// An insert-only queue: the jobs the emails cause are enqueued as
	// always (a worker later finds the process jobs done), but processing
	// happens here.
	if _, err := jobs.New(e.db, jobs.Config{}); err != nil {
		return err
	}
	p := auth.System(t.ID)
	p.Label = "email import"
	for _, f := range c.Files {
		if err := importFile(ctx, prog.inbox, prog.tickets, p, f, g.stdout); err != nil {
			return err
		}
	}
	return nil
}

// importFile imports and processes one file's messages.
func importFile(ctx context.Context, svc *inbox.Service, tickets *ticket.Service, p auth.Principal, path string, out io.Writer) error {
	raws, err := readMessages(path)
	if err != nil {
		return err
	}
	var news, dups, unreadable int
	statuses := map[inbox.Status]int{}
	var keys []string
	for _, raw := range raws {
		em, err := svc.Receive(ctx, p, raw, mail.SourceRef{Kind: mail.SourceImport})
		if apperr.Is(err, apperr.Invalid) {
			unreadable++
			continue
		}
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if em.Status == inbox.Duplicate {
			dups++
			continue
		}
		news++
		if em.Status == inbox.Received {
			if em, err = svc.Process(ctx, p.TenantID, em.ID, 1, 1); err != nil {
				return fmt.Errorf("%s: process %s: %w", path, em.MessageID, err)
			}
		}
		statuses[em.Status]++
		if em.TicketID != "" {
			if tk, err := tickets.ByID(ctx, p, em.TicketID); err == nil {
				keys = append(keys, tk.Key())
			}
		}
	}
	fmt.Fprintf(out, "%s: %d messages, %d new, %d duplicate", path, len(raws), news, dups)
	if unreadable > 0 {
		fmt.Fprintf(out, ", %d not readable as email (skipped)", unreadable)
	}
	var parts []string
	for _, s := range inbox.Statuses {
		if n := statuses[s]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, strings.ToLower(s.Label())))
		}
	}
	if len(parts) > 0 {
		fmt.Fprintf(out, " → %s", strings.Join(parts, ", "))
	}
	if len(keys) > 0 {
		fmt.Fprintf(out, " (%s)", strings.Join(keys, ", "))
	}
	fmt.Fprintln(out)
	return nil
}

// readMessages reads the raw messages of an .eml or mbox file.
func readMessages(path string) ([][]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	// An mbox starts with a "From " envelope line, which no header is.
	isMbox := strings.EqualFold(filepath.Ext(path), ".mbox") || bytes.HasPrefix(bytes.TrimLeft(data, "\r\n"), []byte("From "))
	if !isMbox {
		return [][]byte{data}, nil
	}
	var raws [][]byte
	for raw, err := range mail.SplitMbox(bytes.NewReader(data)) {
		if err != nil {
			return nil, fmt.Errorf("read mbox %s: %w", path, err)
		}
		raws = append(raws, raw)
	}
	return raws, nil
}
