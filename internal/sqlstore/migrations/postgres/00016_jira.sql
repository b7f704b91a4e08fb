-- +goose Up
-- A create whose outcome is unknown (it timed out, its connection dropped,
-- the tracker answered 5xx, or its worker died mid-call) may have stored an
-- issue that the tracker's search does not show yet. create_unknown_since
-- is when the latest such create ended (or was sent): no other create is
-- sent for the link until the search has had time to show it.
-- creates_sent counts the create requests sent for the link that the
-- tracker did not refuse; when more than one was, verify_after is when
-- every issue carrying the link's marker is listed again, so a duplicate
-- is reported to the admins.
ALTER TABLE ticket_tracker_links ADD COLUMN create_unknown_since TIMESTAMPTZ;
ALTER TABLE ticket_tracker_links ADD COLUMN creates_sent INTEGER NOT NULL DEFAULT 0;
ALTER TABLE ticket_tracker_links ADD COLUMN verify_after TIMESTAMPTZ;

-- +goose Down
ALTER TABLE ticket_tracker_links DROP COLUMN verify_after;
ALTER TABLE ticket_tracker_links DROP COLUMN creates_sent;
ALTER TABLE ticket_tracker_links DROP COLUMN create_unknown_since;
