package imap

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"time"

	goimap "github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"golang.org/x/oauth2"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/httpx"
	"github.com/vendorsync/vendorsync/internal/mail"
)

// logoutTimeout bounds the polite LOGOUT at the end of each call.
const logoutTimeout = 5 * time.Second

// Source polls one IMAP folder. It holds no connection: each call dials,
// authenticates, works and logs out, which suits polling every minute and
// never leaves a broken connection behind.
type Source struct {
	cfg Config
}

var _ mail.Source = (*Source)(nil)

// New validates cfg and returns its Source; an invalid cfg is an
// apperr.Invalid listing every bad field.
func New(cfg Config) (*Source, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("imap.New %s: %w", cfg.Host, err)
	}
	return &Source{cfg: cfg}, nil
}

// Test connects, authenticates and opens the folder (and checks MoveTo
// exists when set).
func (s *Source) Test(ctx context.Context) error {
	c, closeFn, err := s.connect(ctx)
	if err != nil {
		return err
	}
	defer closeFn()
	if _, err := c.Select(s.cfg.Folder, &goimap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		return s.folderErr(ctx, err, s.cfg.Folder)
	}
	if s.cfg.MoveTo != "" {
		if _, err := c.Status(s.cfg.MoveTo, &goimap.StatusOptions{NumMessages: true}).Wait(); err != nil {
			return s.folderErr(ctx, err, s.cfg.MoveTo)
		}
	}
	return nil
}

// connect dials, waits for the greeting and authenticates. closeFn logs out
// and closes; cancelling ctx closes the connection, which aborts any
// command in flight.
func (s *Source) connect(ctx context.Context) (*imapclient.Client, func(), error) {
	dialer := httpx.Dialer(s.cfg.DialTimeout) // the outbound address policy applies
	opts := &imapclient.Options{TLSConfig: s.cfg.tlsConfig()}
	var (
		c   *imapclient.Client
		err error
	)
	switch s.cfg.Security {
	case SecurityTLS:
		var conn net.Conn
		td := &tls.Dialer{NetDialer: dialer, Config: opts.TLSConfig}
		if conn, err = td.DialContext(ctx, "tcp", s.cfg.addr()); err == nil {
			c = imapclient.New(conn, opts)
		}
	default:
		var conn net.Conn
		if conn, err = dialer.DialContext(ctx, "tcp", s.cfg.addr()); err == nil {
			if s.cfg.Security == SecuritySTARTTLS {
				c, err = imapclient.NewStartTLS(conn, opts)
			} else {
				c = imapclient.New(conn, opts)
			}
		}
	}
	if err != nil {
		return nil, nil, apperr.Wrap(apperr.Unavailable, err, "cannot connect to IMAP server %s", s.cfg.addr())
	}
	stop := context.AfterFunc(ctx, func() {
		// Closing is how a blocked command is aborted; its error surfaces
		// from that command.
		_ = c.Close()
	})
	abort := func() {
		stop()
		// The connection is unusable or mid-exchange (a failed AUTHENTICATE
		// still waits for a response): close without LOGOUT. The close
		// error cannot change the outcome already being reported.
		_ = c.Close()
	}
	if err := c.WaitGreeting(); err != nil {
		abort()
		return nil, nil, s.netErr(ctx, err, "read IMAP greeting")
	}
	if err := s.authenticate(c); err != nil {
		abort()
		if ctx.Err() != nil {
			return nil, nil, s.netErr(ctx, err, "authenticate")
		}
		return nil, nil, err
	}
	closeFn := func() {
		// The work is done (or failed) by now; a failing or slow LOGOUT
		// cannot change the result, so it is bounded and its error dropped.
		timer := time.AfterFunc(logoutTimeout, func() { _ = c.Close() })
		_ = c.Logout().Wait()
		timer.Stop()
		abort()
	}
	return c, closeFn, nil
}

// authenticate logs in with the password or an XOAUTH2 token.
func (s *Source) authenticate(c *imapclient.Client) error {
	if s.cfg.TokenSource != nil {
		tok, err := s.cfg.TokenSource.Token()
		if err != nil {
			var re *oauth2.RetrieveError
			if errors.As(err, &re) {
				return apperr.Wrap(apperr.Unauthorized, err, "OAuth2 token for %s was refused", s.cfg.Username)
			}
			return apperr.Wrap(apperr.Unavailable, err, "cannot get an OAuth2 token for %s", s.cfg.Username)
		}
		err = c.Authenticate(&xoauth2{username: s.cfg.Username, token: tok.AccessToken})
		return s.authErr(err)
	}
	return s.authErr(c.Login(s.cfg.Username, s.cfg.Password).Wait())
}

// authErr classifies a LOGIN/AUTHENTICATE failure: a server refusal is
// Unauthorized, anything else a connection problem.
func (s *Source) authErr(err error) error {
	if err == nil {
		return nil
	}
	var imapErr *goimap.Error
	var xerr *xoauth2Error
	if errors.As(err, &imapErr) || errors.As(err, &xerr) {
		return apperr.Wrap(apperr.Unauthorized, err, "IMAP server %s refused the credentials of %s", s.cfg.Host, s.cfg.Username)
	}
	return apperr.Wrap(apperr.Unavailable, err, "IMAP login to %s failed", s.cfg.Host)
}

// folderErr classifies a SELECT/STATUS failure: a server refusal means the
// folder does not exist (or cannot be opened).
func (s *Source) folderErr(ctx context.Context, err error, folder string) error {
	var imapErr *goimap.Error
	if errors.As(err, &imapErr) {
		return apperr.Wrap(apperr.NotFound, err, "IMAP folder %q not found on %s", folder, s.cfg.Host)
	}
	return s.netErr(ctx, err, "open folder "+folder)
}

// netErr wraps a failed command as Unavailable, keeping ctx's error in the
// chain when the call was cancelled.
func (s *Source) netErr(ctx context.Context, err error, doing string) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		err = errors.Join(ctxErr, err)
	}
	return apperr.Wrap(apperr.Unavailable, err, "IMAP %s on %s failed", doing, s.cfg.Host)
}
