package web

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/ingest"
)

// The ingest API: vendors push events (with an ingest key, or signed per
// Standard Webhooks to /hooks/ingest/{tenant}?source=<vendor key>), admins
// set vendors up, everyone reads the events.

type ingestVendorIn struct {
	IDPath
	Body strictBody[ingest.VendorSettings]
}

type ingestVendorOut struct {
	Body ingest.VendorSetup
}

type ingestVendorsOut struct {
	Body []ingest.VendorSetup `nullable:"false"`
}

type ingestVendorDetailOut struct {
	Body ingest.VendorDetail
}

func (s *Server) apiListIngestVendors(ctx context.Context, _ *struct{}) (*ingestVendorsOut, error) {
	vs, err := s.Ingest.Vendors(ctx, principal(ctx))
	if err != nil {
		return nil, err
	}
	if vs == nil {
		vs = []ingest.VendorSetup{}
	}
	return &ingestVendorsOut{Body: vs}, nil
}

func (s *Server) apiGetIngestVendor(ctx context.Context, in *IDPath) (*ingestVendorDetailOut, error) {
	d, err := s.Ingest.Vendor(ctx, principal(ctx), in.ID)
	if err != nil {
		return nil, err
	}
	return &ingestVendorDetailOut{Body: d}, nil
}

func (s *Server) apiPutIngestVendor(ctx context.Context, in *ingestVendorIn) (*ingestVendorOut, error) {
	v, err := s.Ingest.Configure(ctx, principal(ctx), in.ID, in.Body.Value)
	if err != nil {
		return nil, err
	}
	return &ingestVendorOut{Body: v}, nil
}

// ingestKeyBody names a new ingest key.
type ingestKeyBody struct {
	Name      string     `json:"name" maxLength:"100" doc:"What the key is for, e.g. \"Acme production push\"."`
	ExpiresAt *time.Time `json:"expires_at,omitempty" doc:"When the key stops working (default: never)."`
}

type ingestKeyIn struct {
	IDPath
	Body strictBody[ingestKeyBody]
}

// ingestKeyCreated is a new ingest key: its full secret is shown once.
type ingestKeyCreated struct {
	APIKey auth.APIKey `json:"api_key"`
	Key    string      `json:"key" doc:"The full key: send it as Authorization: Bearer <key>. Shown once."`
}

type ingestKeyOut struct {
	Status int
	Body   ingestKeyCreated
}

func (s *Server) apiCreateIngestKey(ctx context.Context, in *ingestKeyIn) (*ingestKeyOut, error) {
	k, full, err := s.Ingest.CreateKey(ctx, principal(ctx), in.ID, in.Body.Value.Name, in.Body.Value.ExpiresAt)
	if err != nil {
		return nil, err
	}
	return &ingestKeyOut{Status: http.StatusCreated, Body: ingestKeyCreated{APIKey: k, Key: full}}, nil
}

// ingestSecretCreated is a new signing secret: its value is shown once.
type ingestSecretCreated struct {
	Secret ingest.SigningSecret `json:"secret"`
	Value  string               `json:"value" doc:"The whsec_… secret the vendor signs with. Shown once."`
}

type ingestSecretOut struct {
	Status int
	Body   ingestSecretCreated
}

func (s *Server) apiCreateIngestSecret(ctx context.Context, in *IDPath) (*ingestSecretOut, error) {
	sec, value, err := s.Ingest.CreateSecret(ctx, principal(ctx), in.ID)
	if err != nil {
		return nil, err
	}
	return &ingestSecretOut{Status: http.StatusCreated, Body: ingestSecretCreated{Secret: sec, Value: value}}, nil
}

type ingestSecretPath struct {
	ID       string `path:"id" doc:"The vendor."`
	SecretID string `path:"secret_id" doc:"The signing secret."`
}

func (s *Server) apiRevokeIngestSecret(ctx context.Context, in *ingestSecretPath) (*struct{}, error) {
	return nil, s.Ingest.RevokeSecret(ctx, principal(ctx), in.ID, in.SecretID)
}

// acceptIn is one envelope, read as the exact bytes sent.
type acceptIn struct {
	RawBody []byte `contentType:"application/json"`
}

type acceptOut struct {
	Status int
	Body   ingest.AcceptResult
}

type ingestVendorKey struct{}

// ingestGate runs before an accept reads its body: the key's vendor, its
// rate limit (429 with Retry-After) and a declared body size over its
// payload limit (413).
func (s *Server) ingestGate(batch bool) func(huma.Context, func(huma.Context)) {
	return func(ctx huma.Context, next func(huma.Context)) {
		v, err := s.Ingest.KeyVendor(ctx.Context(), principal(ctx.Context()))
		if err == nil {
			logAttrs(ctx.Context(), "vendorId", v.VendorKey)
			n, perr := strconv.ParseInt(ctx.Header("Content-Length"), 10, 64)
			if perr != nil {
				n = -1
			}
			err = s.Ingest.Admit(v, n, batch)
		}
		if err != nil {
			if after, ok := apperr.RetryAfterOf(err); ok {
				ctx.SetHeader("Retry-After", retryAfterSeconds(after))
			}
			_ = huma.WriteErr(s.api, ctx, Status(err), apperr.MessageOf(err)) // the sender may be gone; it retries
			return
		}
		next(huma.WithValue(ctx, ingestVendorKey{}, v))
	}
}

func gatedVendor(ctx context.Context) ingest.VendorSetup {
	v, ok := ctx.Value(ingestVendorKey{}).(ingest.VendorSetup)
	if !ok {
		panic("web: accept reached without the ingest gate")
	}
	return v
}

func (s *Server) acceptDoc() huma.Operation {
	o := docAcceptEvent
	o.Middlewares = huma.Middlewares{s.ingestGate(false)}
	o.MaxBodyBytes = ingest.MaxPayloadCap
	return o
}

func (s *Server) batchDoc() huma.Operation {
	o := docAcceptBatch
	o.Middlewares = huma.Middlewares{s.ingestGate(true)}
	o.MaxBodyBytes = ingest.MaxBatchBytes
	return o
}

func (s *Server) apiAcceptEvent(ctx context.Context, in *acceptIn) (*acceptOut, error) {
	r, err := s.Ingest.Accept(ctx, gatedVendor(ctx), in.RawBody, ingest.ChannelAPI)
	if err != nil {
		return nil, err
	}
	logAttrs(ctx, "ingestId", r.IngestID, "externalEventId", r.ExternalEventID)
	return &acceptOut{Status: acceptStatus(r), Body: r}, nil
}

// acceptStatus is 202 for a new event, 200 for a duplicate.
func acceptStatus(r ingest.AcceptResult) int {
	if r.Status == ingest.Duplicate {
		return http.StatusOK
	}
	return http.StatusAccepted
}

// batchAnswer is a batch's results in order, with totals.
type batchAnswer struct {
	Results    []ingest.AcceptResult `json:"results" nullable:"false"`
	Received   int                   `json:"received"`
	Duplicates int                   `json:"duplicates"`
	Failed     int                   `json:"failed"`
}

type batchOut struct {
	Body batchAnswer
}

func (s *Server) apiAcceptBatch(ctx context.Context, in *acceptIn) (*batchOut, error) {
	rs, err := s.Ingest.AcceptBatch(ctx, gatedVendor(ctx), in.RawBody)
	if err != nil {
		return nil, err
	}
	a := batchAnswer{Results: rs}
	for _, r := range rs {
		switch {
		case r.Status == ingest.Received:
			a.Received++
		case r.Status == ingest.Duplicate:
			a.Duplicates++
		default:
			a.Failed++
		}
	}
	return &batchOut{Body: a}, nil
}

type ingestEventListIn struct {
	PageQuery
	VendorID string    `query:"vendor_id" maxLength:"100" doc:"Only this registry vendor's events."`
	Status   string    `query:"status" enum:"RECEIVED,NORMALIZED,FAILED_NORMALIZE,QUARANTINED" doc:"Only events in this status."`
	Since    time.Time `query:"since" doc:"Received at or after (RFC 3339)."`
	Until    time.Time `query:"until" doc:"Received before (RFC 3339)."`
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func (s *Server) apiListIngestEvents(ctx context.Context, in *ingestEventListIn) (*PageOut[ingest.Event], error) {
	evs, next, err := s.Ingest.Events(ctx, principal(ctx), ingest.Filter{VendorID: in.VendorID, Status: ingest.Status(in.Status),
		Since: timePtr(in.Since), Until: timePtr(in.Until), Cursor: in.Cursor, Limit: in.Limit})
	if err != nil {
		return nil, err
	}
	return pageOf(evs, next), nil
}

type ingestEventOut struct {
	Body ingest.Event
}

func (s *Server) apiGetIngestEvent(ctx context.Context, in *IDPath) (*ingestEventOut, error) {
	e, err := s.Ingest.Event(ctx, principal(ctx), in.ID)
	if err != nil {
		return nil, err
	}
	return &ingestEventOut{Body: e}, nil
}

type rawEventOut struct {
	ContentType string `header:"Content-Type"`
	Digest      string `header:"X-Content-SHA256"`
	Body        []byte
}

func (s *Server) apiGetIngestEventRaw(ctx context.Context, in *IDPath) (*rawEventOut, error) {
	e, err := s.Ingest.Event(ctx, principal(ctx), in.ID)
	if err != nil {
		return nil, err
	}
	return &rawEventOut{ContentType: "application/json", Digest: e.RawRef.SHA256, Body: e.Raw}, nil
}

// hookIngest is the signed endpoint: a Standard Webhooks delivery to
// /hooks/ingest/{tenant}?source=<vendor key> whose body is one envelope.
// The vendor's limits apply before the body is read; the signature is
// verified on the raw bytes before they are parsed.
func (s *Server) hookIngest(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	fail := func(err error) {
		status := Status(err)
		if status >= 500 {
			s.log.ErrorContext(ctx, "ingest delivery failed", "err", err.Error())
		}
		if after, ok := apperr.RetryAfterOf(err); ok {
			w.Header().Set("Retry-After", retryAfterSeconds(after))
		}
		writeErrProblem(w, status, err)
	}
	v, err := s.Ingest.HookVendor(ctx, r.PathValue("tenant"), r.URL.Query().Get("source"))
	if err == nil {
		logAttrs(ctx, "vendorId", v.VendorKey, "webhookId", r.Header.Get("webhook-id"))
		err = s.Ingest.Admit(v, r.ContentLength, false)
	}
	if err != nil {
		fail(err)
		return
	}
	body, err := readBody(w, r, ingest.BodyLimit(v, false))
	if err != nil {
		fail(apperr.E(apperr.TooLarge, "the body is larger than this vendor's limit of %d bytes", ingest.BodyLimit(v, false)))
		return
	}
	res, err := s.Ingest.Hook(ctx, v, ingest.Delivery{ID: r.Header.Get("webhook-id"), Timestamp: r.Header.Get("webhook-timestamp"),
		Signature: r.Header.Get("webhook-signature"), Body: body})
	if err != nil {
		fail(err)
		return
	}
	logAttrs(ctx, "ingestId", res.IngestID, "externalEventId", res.ExternalEventID)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(acceptStatus(res))
	_ = json.NewEncoder(w).Encode(res) // the sender may be gone; it retries and hears DUPLICATE
}

// readBody reads a request body of at most limit bytes into a buffer of
// the size the request declares, when it declares one within limit, so
// that a small body is read without growing buffers.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	body := http.MaxBytesReader(w, r.Body, limit)
	if n := r.ContentLength; n > 0 && n <= limit {
		b := make([]byte, n)
		if _, err := io.ReadFull(body, b); err != nil {
			return nil, fmt.Errorf("read body: %w", err)
		}
		return b, nil
	}
	return io.ReadAll(body)
}

var (
	docListIngestVendors = huma.Operation{Summary: "List ingest vendors", Description: "Registry vendors set up to send events, with their vendor key and limits."}
	docGetIngestVendor   = huma.Operation{Summary: "Get an ingest vendor", Description: "A vendor's ingest set-up, its signing secrets and ingest keys (never their values), and its events counted by status."}
	docPutIngestVendor   = huma.Operation{Summary: "Set up a vendor for ingest", SkipValidateBody: true, Description: "Sets the vendor key " +
		"(the vendorId its envelopes carry; editable) and its limits: requests per second and burst (beyond them 429 with Retry-After) " +
		"and the largest body (beyond it 413, default 256 KiB)."}
	docCreateIngestKey = huma.Operation{Summary: "Create an ingest key", SkipValidateBody: true, DefaultStatus: http.StatusCreated,
		Description: "An API key that may only send this vendor's events (role ingest). The full key is in the answer, once. Revoke it under /api/v1/apikeys."}
	docCreateIngestSecret = huma.Operation{Summary: "Create a signing secret", DefaultStatus: http.StatusCreated,
		Description: "A Standard Webhooks secret (whsec_…) the vendor signs deliveries to /hooks/ingest/{organisation}?source={vendor key} with. " +
			"Earlier secrets stay active until revoked, so a vendor rotates without a gap. The value is in the answer, once."}
	docRevokeIngestSecret = huma.Operation{Summary: "Revoke a signing secret", DefaultStatus: http.StatusNoContent,
		Description: "Deliveries signed with it fail from now on."}
	docAcceptEvent = huma.Operation{Summary: "Send an event", SkipValidateBody: true, DefaultStatus: http.StatusAccepted,
		Description: "One envelope {vendorId, externalEventId, eventType, occurredAt, payload, schemaVersion?}, with an ingest key of the vendor. " +
			"202 RECEIVED with a new ingestId the first time; 200 DUPLICATE with the original ingestId when the same externalEventId comes again " +
			"with the same payload (for ever); 409 when it comes with another payload (nothing stored), naming the original in " +
			"the problem's ingestId member. The answer comes " +
			"only after the event and its exact bytes are committed; 503 with Retry-After when they cannot be. 422 names each bad field, " +
			"403 when vendorId is not the key's vendor, 413 over the payload limit, 429 over the rate limit.",
		Errors: []int{http.StatusConflict, http.StatusRequestEntityTooLarge, http.StatusUnprocessableEntity, http.StatusTooManyRequests, http.StatusServiceUnavailable}}
	docAcceptBatch = huma.Operation{Summary: "Send a batch of events", SkipValidateBody: true,
		Description: "{\"events\": [envelope, …]} with up to 500 envelopes, committed together and answered item by item in order: " +
			"RECEIVED, DUPLICATE, or an error (invalid with the fields, forbidden, conflict naming the original, too_large). One bad item never stops the rest.",
		Errors: []int{http.StatusRequestEntityTooLarge, http.StatusUnprocessableEntity, http.StatusTooManyRequests, http.StatusServiceUnavailable}}
	docListIngestEvents  = huma.Operation{Summary: "List events", Description: "Accepted events, newest first, by vendor, status and time received."}
	docGetIngestEvent    = huma.Operation{Summary: "Get an event", Description: "One accepted event: its keys, status, digests and where its raw bytes are archived."}
	docGetIngestEventRaw = huma.Operation{Summary: "Get an event's raw bytes", Description: "Exactly the bytes received, with their SHA-256 in X-Content-SHA256."}
)
