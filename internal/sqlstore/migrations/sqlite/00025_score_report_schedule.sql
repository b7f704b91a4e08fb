-- +goose Up
-- A report made by a schedule carries its key (the monthly summary of a
-- month: "monthly_summary:2026-11"); the unique index makes the schedule
-- render each report once, however many replicas try.
ALTER TABLE score_reports ADD COLUMN schedule TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX score_reports_schedule_idx ON score_reports (tenant_id, schedule) WHERE schedule <> '';

-- +goose Down
DROP INDEX score_reports_schedule_idx;
ALTER TABLE score_reports DROP COLUMN schedule;
