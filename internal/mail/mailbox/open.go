package mailbox

import (
	"context"
	"fmt"
	"strings"

	"golang.org/x/oauth2"

	"github.com/vendorsync/vendorsync/internal/mail"
	"github.com/vendorsync/vendorsync/internal/mail/gmail"
	"github.com/vendorsync/vendorsync/internal/mail/graph"
	"github.com/vendorsync/vendorsync/internal/mail/imap"
	"github.com/vendorsync/vendorsync/internal/mail/internal/restclient"
)

// open builds the adapter for m with its credentials, which stay in memory
// inside the adapter for this one use. ctx carries OAuth2 token requests,
// so it must last as long as the returned Source is used.
func (s *Service) open(ctx context.Context, m Mailbox, c Credentials) (mail.Source, error) {
	httpClient, tel := s.HTTPClient, s.Telemetry
	ctx = context.WithValue(ctx, oauth2.HTTPClient, restclient.TokenClient(httpClient, tel))
	var (
		src mail.Source
		err error
	)
	switch {
	case m.Kind == KindIMAP && m.IMAP != nil:
		s := m.IMAP
		cfg := imap.Config{Host: s.Host, Port: s.Port, Security: imap.Security(s.Security), Username: s.Username,
			Folder: s.Folder, MoveTo: s.MoveTo, MarkSeen: s.MarkSeen}
		if s.Auth == AuthXOAUTH2 {
			oc := &oauth2.Config{ClientID: s.ClientID, ClientSecret: c.ClientSecret, Scopes: strings.Fields(s.Scope),
				Endpoint: oauth2.Endpoint{TokenURL: s.TokenURL, AuthStyle: oauth2.AuthStyleInParams}}
			cfg.TokenSource = oc.TokenSource(ctx, &oauth2.Token{RefreshToken: c.RefreshToken})
		} else {
			cfg.Password = c.Password
		}
		src, err = imap.New(cfg)
	case m.Kind == KindGraph && m.Graph != nil:
		s := m.Graph
		src, err = graph.New(graph.Config{TenantID: s.TenantID, ClientID: s.ClientID, ClientSecret: c.ClientSecret,
			Mailbox: s.Mailbox, Folder: s.Folder, MarkRead: s.MarkRead, MoveTo: s.MoveTo,
			BaseURL: s.BaseURL, TokenURL: s.TokenURL, HTTPClient: httpClient, Telemetry: tel})
	case m.Kind == KindGmail && m.Gmail != nil:
		s := m.Gmail
		var ts oauth2.TokenSource
		if s.Auth == AuthRefreshToken {
			ts = gmail.RefreshTokenSource(ctx, s.ClientID, c.ClientSecret, c.RefreshToken, s.TokenURL)
		} else {
			subject := s.Subject
			if subject == "" {
				subject = s.User
			}
			ts, err = gmail.ServiceAccountTokenSource(ctx, []byte(c.ServiceAccountKey), subject)
			if err != nil {
				return nil, fmt.Errorf("mailbox %s: service account: %w", m.ID, err)
			}
		}
		src, err = gmail.New(gmail.Config{UserID: s.User, TokenSource: ts, LabelID: s.Label, Query: s.Query,
			MarkRead: s.MarkRead, BaseURL: s.BaseURL, HTTPClient: httpClient, Telemetry: tel})
	default:
		return nil, fmt.Errorf("mailbox %s: kind %q has no settings", m.ID, m.Kind)
	}
	if err != nil {
		return nil, fmt.Errorf("mailbox %s: %w", m.ID, err)
	}
	return src, nil
}
