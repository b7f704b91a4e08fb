package mail

import (
	"regexp"
	"strings"

	"github.com/emersion/go-msgauth/authres"
	"github.com/jhillyerd/enmime/v2"
)

// AuthResult is one authentication check a receiving server recorded in an
// Authentication-Results or ARC-Authentication-Results header (RFC 8601,
// RFC 8617): SPF, DKIM, DMARC and the like.
type AuthResult struct {
	// Header is the field it came from; Position counts those fields from
	// the top (0 = added last, by the server nearest to us).
	Header   string `json:"header"`
	Position int    `json:"position"`
	// Server is the authserv-id of the server that checked.
	Server string `json:"server"`
	Method string `json:"method"`
	// Result is pass, fail, softfail, neutral, none, temperror, permerror…
	Result string `json:"result"`
	// Domain is what was checked: header.from for DMARC, header.d (or the
	// identity's domain) for DKIM, the smtp.mailfrom domain for SPF.
	Domain string `json:"domain,omitempty"`
}

// maxAuthResults bounds what one message may record.
const maxAuthResults = 50

// arcInstance is the "i=1;" that starts an ARC-Authentication-Results value.
var arcInstance = regexp.MustCompile(`^\s*i\s*=\s*\d+\s*;`)

// comments are RFC 5322 comments, "(google.com: domain of … designates …)",
// which the parser would otherwise read as parameters.
var comments = regexp.MustCompile(`\([^()]*\)`)

// fillAuthResults reads the authentication results of the message's own
// header, top first. An unreadable field is noted and skipped.
func (e *SourceEmail) fillAuthResults(env *enmime.Envelope) {
	for _, h := range []string{"Authentication-Results", "ARC-Authentication-Results"} {
		for pos, v := range env.GetHeaderValues(h) {
			if h == "ARC-Authentication-Results" {
				v = arcInstance.ReplaceAllString(v, "")
			}
			v = comments.ReplaceAllString(clean(v), " ")
			id, results, err := authres.Parse(v)
			if err != nil && len(results) == 0 {
				e.note("unreadable %s header %q: %v", h, clean(v), err)
				continue
			}
			for _, r := range results {
				if len(e.AuthResults) == maxAuthResults {
					return
				}
				ar := AuthResult{Header: h, Position: pos, Server: strings.ToLower(id)}
				switch r := r.(type) {
				case *authres.SPFResult:
					ar.Method, ar.Result, ar.Domain = "spf", string(r.Value), domainPart(r.From)
					if ar.Domain == "" {
						ar.Domain = domainPart(r.Helo)
					}
				case *authres.DKIMResult:
					ar.Method, ar.Result, ar.Domain = "dkim", string(r.Value), strings.ToLower(r.Domain)
					if ar.Domain == "" {
						ar.Domain = domainPart(r.Identifier)
					}
				case *authres.DMARCResult:
					ar.Method, ar.Result, ar.Domain = "dmarc", string(r.Value), domainPart(r.From)
				case *authres.ARCResult:
					ar.Method, ar.Result = "arc", string(r.Value)
				case *authres.AuthResult:
					ar.Method, ar.Result = "auth", string(r.Value)
				case *authres.DomainKeysResult:
					ar.Method, ar.Result, ar.Domain = "domainkeys", string(r.Value), strings.ToLower(r.Domain)
				case *authres.IPRevResult:
					ar.Method, ar.Result = "iprev", string(r.Value)
				case *authres.SenderIDResult:
					ar.Method, ar.Result = "sender-id", string(r.Value)
				case *authres.GenericResult:
					ar.Method, ar.Result = strings.ToLower(r.Method), string(r.Value)
				default:
					continue
				}
				e.AuthResults = append(e.AuthResults, ar)
			}
		}
	}
}

// domainPart is the lower-case domain of "user@domain", "@domain" or
// "domain".
func domainPart(s string) string {
	s = strings.Trim(strings.TrimSpace(s), "<>\"")
	if at := strings.LastIndexByte(s, '@'); at >= 0 {
		s = s[at+1:]
	}
	return strings.ToLower(strings.TrimSuffix(s, "."))
}
