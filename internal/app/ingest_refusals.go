package app

import (
	"context"
	"log/slog"
	"time"

	"github.com/vendorsync/vendorsync/internal/ingest"
)

// refusalFlushEvery is how often a server adds the ingest refusals it
// tallied to the vendors' hourly counts.
const refusalFlushEvery = 5 * time.Second

// flushRefusals adds the ingest refusals this process tallies to the
// database every refusalFlushEvery, and once more when stop is called
// (after the HTTP server has stopped), so a clean stop loses none and a
// crash at most the last few seconds'.
func flushRefusals(s *ingest.Service, log *slog.Logger) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(refusalFlushEvery)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if err := s.FlushRefusals(ctx); err != nil && ctx.Err() == nil {
					log.WarnContext(ctx, "ingest refusals not added yet; kept for the next try", "err", err.Error())
				}
			}
		}
	}()
	return func() {
		cancel()
		<-done
		fctx, cancelFlush := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancelFlush()
		if err := s.FlushRefusals(fctx); err != nil {
			log.Error("the last ingest refusals were not added to the vendors' counts", "err", err.Error())
		}
	}
}
