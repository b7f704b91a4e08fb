-- +goose Up
-- Scoring sums a vendor's signals per code: with the code before the time
-- in the index, the aggregating query reads each vendor's codes in order
-- and groups them without sorting.
DROP INDEX score_signals_vendor_idx;
CREATE INDEX score_signals_vendor_idx ON score_signals (tenant_id, vendor_id, code, observed_at, status, value);

-- +goose Down
DROP INDEX score_signals_vendor_idx;
CREATE INDEX score_signals_vendor_idx ON score_signals (tenant_id, vendor_id, observed_at, status, code, value);
