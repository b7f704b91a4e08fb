package llm

import (
	"context"
	"fmt"
)

// Fallback asks Primary first and, when it fails, Secondary. Response.Provider
// says which one answered. Any failure of the primary except the caller's
// own cancellation hands over: a rate limit or outage is the obvious case,
// but a rejected key or request on a misconfigured primary is better
// answered by a working secondary than by nobody.
type Fallback struct {
	Primary   Client
	Secondary Client
	// OnFallback, when set, is told why the primary was passed over (for
	// logs and metrics).
	OnFallback func(primary string, err error)
}

// Name lists both providers.
func (f *Fallback) Name() string {
	return f.Primary.Name() + "|" + f.Secondary.Name()
}

// Complete implements Client.
func (f *Fallback) Complete(ctx context.Context, req Request) (Response, error) {
	resp, err := f.Primary.Complete(ctx, req)
	if err == nil {
		if resp.Provider == "" {
			resp.Provider = f.Primary.Name()
		}
		return resp, nil
	}
	if ctx.Err() != nil {
		return Response{}, fmt.Errorf("llm.Fallback %s: %w", f.Primary.Name(), err)
	}
	if f.OnFallback != nil {
		f.OnFallback(f.Primary.Name(), err)
	}
	resp2, err2 := f.Secondary.Complete(ctx, req)
	if err2 != nil {
		// The secondary's error decides the kind; the primary's is kept as text.
		return Response{}, fmt.Errorf("llm.Fallback: %w (after primary failed: %v)", err2, err)
	}
	if resp2.Provider == "" {
		resp2.Provider = f.Secondary.Name()
	}
	return resp2, nil
}
