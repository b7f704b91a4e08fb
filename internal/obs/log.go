// Package obs is VendorSync's observability: structured JSON logs that carry
// correlation ids (request, tenant, ticket, ingest) from the context, and the
// Prometheus registry every component reports to.
package obs

import (
	"context"
	"io"
	"log/slog"
)

type attrsKey struct{}

// With returns a context whose log lines carry the extra attributes, e.g.
// obs.With(ctx, "tenant_id", t) in a job or a request.
func With(ctx context.Context, args ...any) context.Context {
	prev, _ := ctx.Value(attrsKey{}).([]slog.Attr)
	r := slog.Record{}
	r.Add(args...)
	attrs := make([]slog.Attr, 0, len(prev)+r.NumAttrs())
	attrs = append(attrs, prev...)
	r.Attrs(func(a slog.Attr) bool { attrs = append(attrs, a); return true })
	return context.WithValue(ctx, attrsKey{}, attrs)
}

// Attr returns a correlation attribute stored in ctx, if present.
func Attr(ctx context.Context, key string) string {
	attrs, _ := ctx.Value(attrsKey{}).([]slog.Attr)
	for i := len(attrs) - 1; i >= 0; i-- {
		if attrs[i].Key == key {
			return attrs[i].Value.String()
		}
	}
	return ""
}

// contextHandler adds the context's correlation attributes to every record.
type contextHandler struct{ slog.Handler }

func (h contextHandler) Handle(ctx context.Context, r slog.Record) error {
	if attrs, ok := ctx.Value(attrsKey{}).([]slog.Attr); ok {
		r.AddAttrs(attrs...)
	}
	return h.Handler.Handle(ctx, r)
}

func (h contextHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return contextHandler{h.Handler.WithAttrs(attrs)}
}

func (h contextHandler) WithGroup(name string) slog.Handler {
	return contextHandler{h.Handler.WithGroup(name)}
}

// NewLogger returns a JSON logger on w that includes context attributes;
// log calls must use the *Context variants to pick them up.
func NewLogger(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(contextHandler{slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level})})
}
