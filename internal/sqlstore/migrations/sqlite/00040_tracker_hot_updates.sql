-- +goose Up
-- PostgreSQL leaves space free in the pages of tracker links and mirrors
-- for updates in place; SQLite updates rows in place anyway.
SELECT 1;

-- +goose Down
SELECT 1;
