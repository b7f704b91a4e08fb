-- +goose Up
-- How a forge connection (GitHub, GitLab, Gitea) tells an open issue in
-- progress: the labels that say so (a JSON array; NULL until an admin saves
-- a list, meaning the built-in list), and whether an assignee says so too.
ALTER TABLE tracker_sync_settings ADD COLUMN in_progress_labels TEXT;
ALTER TABLE tracker_sync_settings ADD COLUMN in_progress_when_assigned BOOLEAN NOT NULL DEFAULT FALSE;

-- +goose Down
ALTER TABLE tracker_sync_settings DROP COLUMN in_progress_when_assigned;
ALTER TABLE tracker_sync_settings DROP COLUMN in_progress_labels;
