-- +goose Up
-- A sync rewrites the status columns of every changed link and its mirror,
-- none of them indexed. Space left free in each page lets PostgreSQL write
-- the new row version beside the old one without touching any index (a
-- heap-only update); a full page moves the row and adds an entry to every
-- index. Pages written from now on keep the space free.
ALTER TABLE ticket_tracker_links SET (fillfactor = 70);
ALTER TABLE tracker_issue_mirrors SET (fillfactor = 70);

-- +goose Down
ALTER TABLE tracker_issue_mirrors RESET (fillfactor);
ALTER TABLE ticket_tracker_links RESET (fillfactor);
