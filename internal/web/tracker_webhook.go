package web

import (
	"context"
	"encoding/json"
	"io"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/tracker"
	"github.com/vendorsync/vendorsync/internal/tracker/link"
)

// hookTracker receives a tracker's webhook delivery. The size is checked
// before anything else (413 without hashing a byte), the signature on the
// raw bytes before anything parses them (401, only counted), and the
// delivery is recorded with its job in one transaction before the answer:
// 202 the first time, 200 for a redelivery of the same delivery id.
func (s *Server) hookTracker(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	fail := func(err error) {
		status := Status(err)
		if status >= 500 {
			s.log.ErrorContext(ctx, "tracker webhook delivery failed", "err", err.Error())
		}
		writeProblem(w, status, apperr.MessageOf(err))
	}
	tooLarge := apperr.E(apperr.TooLarge, "the body is larger than %d bytes", tracker.MaxWebhookBody)
	if r.ContentLength > tracker.MaxWebhookBody {
		fail(tooLarge)
		return
	}
	svc, err := s.trackers()
	if err != nil {
		fail(err)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, tracker.MaxWebhookBody))
	if err != nil {
		fail(tooLarge)
		return
	}
	res, err := svc.ReceiveWebhook(ctx, r.PathValue("connection_id"), r.Header, body)
	if err != nil {
		fail(err)
		return
	}
	status, word := http.StatusAccepted, "accepted"
	if res.Duplicate {
		status, word = http.StatusOK, "duplicate"
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	// The tracker may be gone already; it redelivers and hears duplicate.
	_ = json.NewEncoder(w).Encode(map[string]string{"status": word, "delivery_id": res.Delivery.DeliveryID})
}

// hookURL is where a connection's tracker delivers webhooks.
func (s *Server) hookURL(connectionID string) string {
	return link.HookURL(s.BaseURL, connectionID)
}

type deliveriesOut struct {
	Body struct {
		URL      string                 `json:"url" doc:"The address to give the tracker's webhook settings."`
		Rejected int64                  `json:"rejected" doc:"Deliveries rejected (bad or missing signature) since the server started; never stored."`
		Items    []link.WebhookDelivery `json:"items" nullable:"false"`
	}
}

func (s *Server) apiListDeliveries(ctx context.Context, in *IDPath) (*deliveriesOut, error) {
	svc, err := s.trackers()
	if err != nil {
		return nil, err
	}
	ds, err := svc.Deliveries(ctx, principal(ctx), in.ID, 100)
	if err != nil {
		return nil, err
	}
	out := &deliveriesOut{}
	out.Body.URL, out.Body.Rejected, out.Body.Items = s.hookURL(in.ID), svc.Rejected(in.ID), ds
	if out.Body.Items == nil {
		out.Body.Items = []link.WebhookDelivery{}
	}
	return out, nil
}

type webhookSecretOut struct {
	Body struct {
		URL    string `json:"url"`
		Secret string `json:"secret" doc:"Shown this once: paste it into the tracker's webhook settings (GitLab: Secret token)."`
	}
}

func (s *Server) apiNewWebhookSecret(ctx context.Context, in *IDPath) (*webhookSecretOut, error) {
	svc, err := s.trackers()
	if err != nil {
		return nil, err
	}
	secret, err := svc.NewWebhookSecret(ctx, principal(ctx), in.ID)
	if err != nil {
		return nil, err
	}
	out := &webhookSecretOut{}
	out.Body.URL, out.Body.Secret = s.hookURL(in.ID), secret
	return out, nil
}

type redeliverIn struct {
	IDPath
	Delivery string `path:"delivery" doc:"The delivery's id in the log."`
}

type redeliverOut struct {
	Body link.WebhookDelivery
}

func (s *Server) apiRedeliver(ctx context.Context, in *redeliverIn) (*redeliverOut, error) {
	svc, err := s.trackers()
	if err != nil {
		return nil, err
	}
	d, err := svc.Redeliver(ctx, principal(ctx), in.ID, in.Delivery)
	if err != nil {
		return nil, err
	}
	return &redeliverOut{Body: d}, nil
}

// webhooksPage is the data of a connection's webhook page.
type webhooksPage struct {
	Conn       link.Connection
	URL        string
	SecretSet  bool
	NewSecret  string
	Rejected   int64
	Deliveries []link.WebhookDelivery
	Headers    string
	// Registration is what "Register webhook" just did.
	Registration *link.HookRegistration
}

// signatureHeaders says which header carries each kind's proof, for the
// page's instructions.
var signatureHeaders = map[string]string{
	"github": "GitHub signs with the secret (X-Hub-Signature-256). Content type: application/json; events: Issues.",
	"gitea":  "Gitea signs with the secret (X-Gitea-Signature). Content type: application/json; trigger on: Issues.",
	"gitlab": "GitLab sends the secret token as is (X-Gitlab-Token). Trigger: Issues events.",
	"jira":   "Jira signs with the secret (X-Hub-Signature). Events: Issue created and updated.",
}

func (s *Server) renderWebhooks(w http.ResponseWriter, r *http.Request, p auth.Principal, newSecret string) error {
	return s.renderWebhooksWith(w, r, p, newSecret, nil)
}

func (s *Server) renderWebhooksWith(w http.ResponseWriter, r *http.Request, p auth.Principal, newSecret string, reg *link.HookRegistration) error {
	svc, err := s.trackers()
	if err != nil {
		return err
	}
	ctx := r.Context()
	id := r.PathValue("id")
	c, err := svc.ConnectionByID(ctx, p, id)
	if err != nil {
		return err
	}
	data := webhooksPage{Conn: c, URL: s.hookURL(c.ID), NewSecret: newSecret, Rejected: svc.Rejected(c.ID),
		Headers: signatureHeaders[c.Provider], Registration: reg}
	if data.SecretSet, err = svc.WebhookSecretSet(ctx, p, c.ID); err != nil {
		return err
	}
	if data.Deliveries, err = svc.Deliveries(ctx, p, c.ID, 100); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "tracker_webhooks.html", View{Title: "Webhooks of " + c.Name, Nav: "jira", Data: data})
	return nil
}

func (s *Server) uiWebhooks(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	return s.renderWebhooks(w, r, p, "")
}

func (s *Server) uiNewWebhookSecret(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	svc, err := s.trackers()
	if err != nil {
		return err
	}
	secret, err := svc.NewWebhookSecret(r.Context(), p, r.PathValue("id"))
	if err != nil {
		return err
	}
	return s.renderWebhooks(w, r, p, secret)
}

func (s *Server) uiRedeliver(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	svc, err := s.trackers()
	if err != nil {
		return err
	}
	d, err := svc.Redeliver(r.Context(), p, r.PathValue("id"), r.PathValue("delivery"))
	if err != nil {
		return err
	}
	s.flash(r, "Delivery "+d.DeliveryID+" queued to be processed again.")
	redirect(w, r, "/settings/trackers/"+d.ConnectionID+"/webhooks")
	return nil
}

type mirrorOut struct {
	Body link.Mirror
}

func (s *Server) apiGetMirror(ctx context.Context, in *IDPath) (*mirrorOut, error) {
	svc, err := s.trackers()
	if err != nil {
		return nil, err
	}
	m, err := svc.Mirror(ctx, principal(ctx), in.ID)
	if err != nil {
		return nil, err
	}
	return &mirrorOut{Body: m}, nil
}

// Operations of the tracker webhook API; routes.go registers them.
var (
	docGetMirror = huma.Operation{Summary: "Get the local copy of a linked issue",
		Description: "The linked issue's canonical fields (title, body, open or closed with the tracker's status name and " +
			"category, labels, assignees, due date) as the tracker last told them, when it last changed them " +
			"(external_updated_at), the snapshot of the last sync and the sync status. 404 until a webhook delivery or a " +
			"status change has filled it."}
	docListDeliveries = huma.Operation{Summary: "List a connection's webhook deliveries",
		Description: "The latest 100 deliveries that passed their signature check, newest first, with their status " +
			"(verified: recorded and queued; processed; failed), how many redeliveries repeated each, the webhook URL, " +
			"and how many deliveries were rejected since the server started."}
	docNewWebhookSecret = huma.Operation{Summary: "Make a new webhook secret",
		Description: "Generates the connection's webhook secret and returns it this once, with the URL to give the " +
			"tracker; the previous secret stops verifying at once."}
	docRedeliver = huma.Operation{Summary: "Process a webhook delivery again",
		Description: "Queues the recorded delivery to be processed again, as when it arrived."}
)
