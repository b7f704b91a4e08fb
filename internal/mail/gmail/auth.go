package gmail

import (
	"context"
	"encoding/json"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/jwt"

	"github.com/vendorsync/vendorsync/internal/apperr"
)

// OAuth2 defaults for Google.
const (
	DefaultTokenURL = "https://oauth2.googleapis.com/token"
	// ScopeModify allows reading and relabelling (Done); ScopeReadOnly is
	// enough when Done is not configured.
	ScopeModify   = "https://www.googleapis.com/auth/gmail.modify"
	ScopeReadOnly = "https://www.googleapis.com/auth/gmail.readonly"
)

// serviceAccountKey is the JSON key file of a Google service account.
type serviceAccountKey struct {
	Type         string `json:"type"`
	ClientEmail  string `json:"client_email"`
	PrivateKey   string `json:"private_key"`
	PrivateKeyID string `json:"private_key_id"`
	TokenURI     string `json:"token_uri"`
}

// ServiceAccountTokenSource returns tokens for a Google Workspace mailbox
// through domain-wide delegation: the service account in keyJSON signs a
// JWT that impersonates subject (the mailbox address). Scopes default to
// ScopeModify. ctx is kept for token refreshes (and may carry an
// oauth2.HTTPClient), so it must outlive the Source, not one request.
func ServiceAccountTokenSource(ctx context.Context, keyJSON []byte, subject string, scopes ...string) (oauth2.TokenSource, error) {
	var key serviceAccountKey
	if err := json.Unmarshal(keyJSON, &key); err != nil {
		return nil, apperr.Wrap(apperr.Invalid, err, "service account key is not valid JSON")
	}
	var v apperr.Validation
	v.Check(key.Type == "service_account", "service_account_key", "must be a service account key (type service_account)")
	v.Check(key.ClientEmail != "" && key.PrivateKey != "", "service_account_key", "must hold client_email and private_key")
	v.Check(subject != "", "mailbox", "is required for domain-wide delegation")
	if err := v.Err(); err != nil {
		return nil, err
	}
	if len(scopes) == 0 {
		scopes = []string{ScopeModify}
	}
	if key.TokenURI == "" {
		key.TokenURI = DefaultTokenURL
	}
	cfg := &jwt.Config{
		Email:        key.ClientEmail,
		PrivateKey:   []byte(key.PrivateKey),
		PrivateKeyID: key.PrivateKeyID,
		Subject:      subject,
		Scopes:       scopes,
		TokenURL:     key.TokenURI,
	}
	return cfg.TokenSource(ctx), nil
}

// RefreshTokenSource returns tokens from a refresh token a user granted to
// an OAuth2 client (consumer Gmail, or Workspace without delegation).
// tokenURL defaults to DefaultTokenURL. ctx is kept for token refreshes, as
// for ServiceAccountTokenSource.
func RefreshTokenSource(ctx context.Context, clientID, clientSecret, refreshToken, tokenURL string) oauth2.TokenSource {
	if tokenURL == "" {
		tokenURL = DefaultTokenURL
	}
	cfg := &oauth2.Config{
		ClientID:     clientID,
		ClientSecret: clientSecret,
		Endpoint:     oauth2.Endpoint{TokenURL: tokenURL, AuthStyle: oauth2.AuthStyleInParams},
	}
	return cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: refreshToken})
}
