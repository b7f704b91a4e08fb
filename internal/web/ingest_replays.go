package web

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/ingest"
)

var (
	docListReplays = huma.Operation{Summary: "List background replays",
		Description: "Replays of more than 20,000 events, run in the background, newest first (the last 100)."}
	docGetReplay = huma.Operation{Summary: "Get a background replay",
		Description: "Its status (queued, running, completed, failed, cancelled), the events selected when it was asked for (total), " +
			"those replayed so far (done) and what became of them."}
	docCancelReplay = huma.Operation{Summary: "Cancel a background replay",
		Description: "The replay stops after the page it is on; what it replayed stays replayed. 409 when it has finished."}
)

type replaysOut struct {
	Body []ingest.ReplayJob
}

type replayOut struct {
	Body ingest.ReplayJob
}

func (s *Server) apiListReplays(ctx context.Context, _ *struct{}) (*replaysOut, error) {
	rs, err := s.Ingest.ReplayJobs(ctx, principal(ctx))
	if err != nil {
		return nil, err
	}
	if rs == nil {
		rs = []ingest.ReplayJob{}
	}
	return &replaysOut{Body: rs}, nil
}

func (s *Server) apiGetReplay(ctx context.Context, in *IDPath) (*replayOut, error) {
	r, err := s.Ingest.ReplayJobByID(ctx, principal(ctx), in.ID)
	if err != nil {
		return nil, err
	}
	return &replayOut{Body: r}, nil
}

func (s *Server) apiCancelReplay(ctx context.Context, in *IDPath) (*replayOut, error) {
	r, err := s.Ingest.CancelReplay(ctx, principal(ctx), in.ID)
	if err != nil {
		return nil, err
	}
	return &replayOut{Body: r}, nil
}

// replayPage is a background replay's page.
type replayPage struct {
	Replay  ingest.ReplayJob
	Running bool
	Percent int
}

// uiReplay shows a background replay's progress; the page refreshes until
// it has finished.
func (s *Server) uiReplay(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	rp, err := s.Ingest.ReplayJobByID(r.Context(), p, r.PathValue("id"))
	if err != nil {
		return err
	}
	data := replayPage{Replay: rp, Running: rp.Status == ingest.ReplayQueued || rp.Status == ingest.ReplayRunning, Percent: 100}
	if rp.Total > 0 {
		data.Percent = min(100, 100*rp.Done/rp.Total)
	}
	s.render(w, r, http.StatusOK, "ingest_replay.html", View{Title: "Replay", Nav: "ingest", Data: data})
	return nil
}

// uiCancelReplay asks a background replay to stop.
func (s *Server) uiCancelReplay(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	rp, err := s.Ingest.CancelReplay(r.Context(), p, r.PathValue("id"))
	if err != nil {
		return err
	}
	s.flash(r, "The replay stops after the page it is on.")
	redirect(w, r, "/ingest/replays/"+rp.ID)
	return nil
}
