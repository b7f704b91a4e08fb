-- +goose Up
-- An API key with the owner role acts for the teams it names, as an owner
-- user does; a JSON array of team ids.
ALTER TABLE api_keys ADD COLUMN team_ids TEXT NOT NULL DEFAULT '[]';

-- +goose Down
ALTER TABLE api_keys DROP COLUMN team_ids;
