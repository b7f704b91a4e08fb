-- +goose Up
-- One trigger per event keeps both running totals, the block's and then
-- the day's, instead of one trigger per total: each accepted or withdrawn
-- signal runs one trigger program. The totals and their arithmetic are
-- those of 00037 and 00038, with one change in how SQLite runs them: the
-- subqueries that read the signal's block or day and its time x within it
-- end in LIMIT 1, so that SQLite computes them once per signal instead of
-- writing x's whole expression into each of the moments' products (about
-- six times fewer instructions per total).
DROP TRIGGER score_signal_blocks_insert;
DROP TRIGGER score_signal_blocks_accept;
DROP TRIGGER score_signal_blocks_withdraw;
DROP TRIGGER score_signal_days_insert;
DROP TRIGGER score_signal_days_accept;
DROP TRIGGER score_signal_days_withdraw;

-- +goose StatementBegin
CREATE TRIGGER score_signal_totals_insert AFTER INSERT ON score_signals
WHEN NEW.vendor_id IS NOT NULL AND NEW.status IN ('normalized', 'scored')
BEGIN
    INSERT INTO score_signal_blocks (tenant_id, vendor_id, block, code, signals, p1, p2, p3, p4, p5, p6, p7, p8, p9, p10, p11, p12, q0, q1, q2, q3, q4, q5, q6, q7, q8, q9, q10, q11, q12, min_value, max_value)
    SELECT NEW.tenant_id, NEW.vendor_id, block, NEW.code, 1, x, x*x, x*x*x, x*x*x*x, x*x*x*x*x, x*x*x*x*x*x, x*x*x*x*x*x*x, x*x*x*x*x*x*x*x, x*x*x*x*x*x*x*x*x, x*x*x*x*x*x*x*x*x*x, x*x*x*x*x*x*x*x*x*x*x, x*x*x*x*x*x*x*x*x*x*x*x, v, v*x, v*x*x, v*x*x*x, v*x*x*x*x, v*x*x*x*x*x, v*x*x*x*x*x*x, v*x*x*x*x*x*x*x, v*x*x*x*x*x*x*x*x, v*x*x*x*x*x*x*x*x*x, v*x*x*x*x*x*x*x*x*x*x, v*x*x*x*x*x*x*x*x*x*x*x, v*x*x*x*x*x*x*x*x*x*x*x*x, v, v FROM (
        SELECT block, (s - block * 2419200 - 1209600 + f) / 2419200.0 AS x, v FROM (
        SELECT s, (s - ((s % 2419200) + 2419200) % 2419200) / 2419200 AS block, f, v FROM (
            SELECT CAST(strftime('%s', substr(NEW.observed_at, 1, 19)) AS INTEGER) AS s,
                CASE WHEN substr(NEW.observed_at, 20, 1) = '.' THEN CAST('0' || substr(NEW.observed_at, 20) AS REAL) ELSE 0.0 END AS f,
                COALESCE(NEW.value, 0.0) AS v) LIMIT 1) LIMIT 1) WHERE true
    ON CONFLICT (tenant_id, vendor_id, code, block) DO UPDATE SET
        signals = score_signal_blocks.signals + excluded.signals,
        p1 = score_signal_blocks.p1 + excluded.p1,
        p2 = score_signal_blocks.p2 + excluded.p2,
        p3 = score_signal_blocks.p3 + excluded.p3,
        p4 = score_signal_blocks.p4 + excluded.p4,
        p5 = score_signal_blocks.p5 + excluded.p5,
        p6 = score_signal_blocks.p6 + excluded.p6,
        p7 = score_signal_blocks.p7 + excluded.p7,
        p8 = score_signal_blocks.p8 + excluded.p8,
        p9 = score_signal_blocks.p9 + excluded.p9,
        p10 = score_signal_blocks.p10 + excluded.p10,
        p11 = score_signal_blocks.p11 + excluded.p11,
        p12 = score_signal_blocks.p12 + excluded.p12,
        q0 = score_signal_blocks.q0 + excluded.q0,
        q1 = score_signal_blocks.q1 + excluded.q1,
        q2 = score_signal_blocks.q2 + excluded.q2,
        q3 = score_signal_blocks.q3 + excluded.q3,
        q4 = score_signal_blocks.q4 + excluded.q4,
        q5 = score_signal_blocks.q5 + excluded.q5,
        q6 = score_signal_blocks.q6 + excluded.q6,
        q7 = score_signal_blocks.q7 + excluded.q7,
        q8 = score_signal_blocks.q8 + excluded.q8,
        q9 = score_signal_blocks.q9 + excluded.q9,
        q10 = score_signal_blocks.q10 + excluded.q10,
        q11 = score_signal_blocks.q11 + excluded.q11,
        q12 = score_signal_blocks.q12 + excluded.q12,
        min_value = min(score_signal_blocks.min_value, excluded.min_value),
        max_value = max(score_signal_blocks.max_value, excluded.max_value);
    INSERT INTO score_signal_days (tenant_id, vendor_id, day, code, signals, p1, p2, p3, p4, p5, p6, p7, p8, p9, p10, p11, p12, q0, q1, q2, q3, q4, q5, q6, q7, q8, q9, q10, q11, q12, min_value, max_value)
    SELECT NEW.tenant_id, NEW.vendor_id, day, NEW.code, 1, x, x*x, x*x*x, x*x*x*x, x*x*x*x*x, x*x*x*x*x*x, x*x*x*x*x*x*x, x*x*x*x*x*x*x*x, x*x*x*x*x*x*x*x*x, x*x*x*x*x*x*x*x*x*x, x*x*x*x*x*x*x*x*x*x*x, x*x*x*x*x*x*x*x*x*x*x*x, v, v*x, v*x*x, v*x*x*x, v*x*x*x*x, v*x*x*x*x*x, v*x*x*x*x*x*x, v*x*x*x*x*x*x*x, v*x*x*x*x*x*x*x*x, v*x*x*x*x*x*x*x*x*x, v*x*x*x*x*x*x*x*x*x*x, v*x*x*x*x*x*x*x*x*x*x*x, v*x*x*x*x*x*x*x*x*x*x*x*x, v, v FROM (
        SELECT day, (s - day * 86400 - 43200 + f) / 86400.0 AS x, v FROM (
        SELECT s, (s - ((s % 86400) + 86400) % 86400) / 86400 AS day, f, v FROM (
            SELECT CAST(strftime('%s', substr(NEW.observed_at, 1, 19)) AS INTEGER) AS s,
                CASE WHEN substr(NEW.observed_at, 20, 1) = '.' THEN CAST('0' || substr(NEW.observed_at, 20) AS REAL) ELSE 0.0 END AS f,
                COALESCE(NEW.value, 0.0) AS v) LIMIT 1) LIMIT 1) WHERE true
    ON CONFLICT (tenant_id, vendor_id, day, code) DO UPDATE SET
        signals = score_signal_days.signals + excluded.signals,
        p1 = score_signal_days.p1 + excluded.p1,
        p2 = score_signal_days.p2 + excluded.p2,
        p3 = score_signal_days.p3 + excluded.p3,
        p4 = score_signal_days.p4 + excluded.p4,
        p5 = score_signal_days.p5 + excluded.p5,
        p6 = score_signal_days.p6 + excluded.p6,
        p7 = score_signal_days.p7 + excluded.p7,
        p8 = score_signal_days.p8 + excluded.p8,
        p9 = score_signal_days.p9 + excluded.p9,
        p10 = score_signal_days.p10 + excluded.p10,
        p11 = score_signal_days.p11 + excluded.p11,
        p12 = score_signal_days.p12 + excluded.p12,
        q0 = score_signal_days.q0 + excluded.q0,
        q1 = score_signal_days.q1 + excluded.q1,
        q2 = score_signal_days.q2 + excluded.q2,
        q3 = score_signal_days.q3 + excluded.q3,
        q4 = score_signal_days.q4 + excluded.q4,
        q5 = score_signal_days.q5 + excluded.q5,
        q6 = score_signal_days.q6 + excluded.q6,
        q7 = score_signal_days.q7 + excluded.q7,
        q8 = score_signal_days.q8 + excluded.q8,
        q9 = score_signal_days.q9 + excluded.q9,
        q10 = score_signal_days.q10 + excluded.q10,
        q11 = score_signal_days.q11 + excluded.q11,
        q12 = score_signal_days.q12 + excluded.q12,
        min_value = min(score_signal_days.min_value, excluded.min_value),
        max_value = max(score_signal_days.max_value, excluded.max_value);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER score_signal_totals_accept AFTER UPDATE OF status ON score_signals
WHEN NEW.vendor_id IS NOT NULL AND NEW.status IN ('normalized', 'scored') AND OLD.status NOT IN ('normalized', 'scored')
BEGIN
    INSERT INTO score_signal_blocks (tenant_id, vendor_id, block, code, signals, p1, p2, p3, p4, p5, p6, p7, p8, p9, p10, p11, p12, q0, q1, q2, q3, q4, q5, q6, q7, q8, q9, q10, q11, q12, min_value, max_value)
    SELECT NEW.tenant_id, NEW.vendor_id, block, NEW.code, 1, x, x*x, x*x*x, x*x*x*x, x*x*x*x*x, x*x*x*x*x*x, x*x*x*x*x*x*x, x*x*x*x*x*x*x*x, x*x*x*x*x*x*x*x*x, x*x*x*x*x*x*x*x*x*x, x*x*x*x*x*x*x*x*x*x*x, x*x*x*x*x*x*x*x*x*x*x*x, v, v*x, v*x*x, v*x*x*x, v*x*x*x*x, v*x*x*x*x*x, v*x*x*x*x*x*x, v*x*x*x*x*x*x*x, v*x*x*x*x*x*x*x*x, v*x*x*x*x*x*x*x*x*x, v*x*x*x*x*x*x*x*x*x*x, v*x*x*x*x*x*x*x*x*x*x*x, v*x*x*x*x*x*x*x*x*x*x*x*x, v, v FROM (
        SELECT block, (s - block * 2419200 - 1209600 + f) / 2419200.0 AS x, v FROM (
        SELECT s, (s - ((s % 2419200) + 2419200) % 2419200) / 2419200 AS block, f, v FROM (
            SELECT CAST(strftime('%s', substr(NEW.observed_at, 1, 19)) AS INTEGER) AS s,
                CASE WHEN substr(NEW.observed_at, 20, 1) = '.' THEN CAST('0' || substr(NEW.observed_at, 20) AS REAL) ELSE 0.0 END AS f,
                COALESCE(NEW.value, 0.0) AS v) LIMIT 1) LIMIT 1) WHERE true
    ON CONFLICT (tenant_id, vendor_id, code, block) DO UPDATE SET
        signals = score_signal_blocks.signals + excluded.signals,
        p1 = score_signal_blocks.p1 + excluded.p1,
        p2 = score_signal_blocks.p2 + excluded.p2,
        p3 = score_signal_blocks.p3 + excluded.p3,
        p4 = score_signal_blocks.p4 + excluded.p4,
        p5 = score_signal_blocks.p5 + excluded.p5,
        p6 = score_signal_blocks.p6 + excluded.p6,
        p7 = score_signal_blocks.p7 + excluded.p7,
        p8 = score_signal_blocks.p8 + excluded.p8,
        p9 = score_signal_blocks.p9 + excluded.p9,
        p10 = score_signal_blocks.p10 + excluded.p10,
        p11 = score_signal_blocks.p11 + excluded.p11,
        p12 = score_signal_blocks.p12 + excluded.p12,
        q0 = score_signal_blocks.q0 + excluded.q0,
        q1 = score_signal_blocks.q1 + excluded.q1,
        q2 = score_signal_blocks.q2 + excluded.q2,
        q3 = score_signal_blocks.q3 + excluded.q3,
        q4 = score_signal_blocks.q4 + excluded.q4,
        q5 = score_signal_blocks.q5 + excluded.q5,
        q6 = score_signal_blocks.q6 + excluded.q6,
        q7 = score_signal_blocks.q7 + excluded.q7,
        q8 = score_signal_blocks.q8 + excluded.q8,
        q9 = score_signal_blocks.q9 + excluded.q9,
        q10 = score_signal_blocks.q10 + excluded.q10,
        q11 = score_signal_blocks.q11 + excluded.q11,
        q12 = score_signal_blocks.q12 + excluded.q12,
        min_value = min(score_signal_blocks.min_value, excluded.min_value),
        max_value = max(score_signal_blocks.max_value, excluded.max_value);
    INSERT INTO score_signal_days (tenant_id, vendor_id, day, code, signals, p1, p2, p3, p4, p5, p6, p7, p8, p9, p10, p11, p12, q0, q1, q2, q3, q4, q5, q6, q7, q8, q9, q10, q11, q12, min_value, max_value)
    SELECT NEW.tenant_id, NEW.vendor_id, day, NEW.code, 1, x, x*x, x*x*x, x*x*x*x, x*x*x*x*x, x*x*x*x*x*x, x*x*x*x*x*x*x, x*x*x*x*x*x*x*x, x*x*x*x*x*x*x*x*x, x*x*x*x*x*x*x*x*x*x, x*x*x*x*x*x*x*x*x*x*x, x*x*x*x*x*x*x*x*x*x*x*x, v, v*x, v*x*x, v*x*x*x, v*x*x*x*x, v*x*x*x*x*x, v*x*x*x*x*x*x, v*x*x*x*x*x*x*x, v*x*x*x*x*x*x*x*x, v*x*x*x*x*x*x*x*x*x, v*x*x*x*x*x*x*x*x*x*x, v*x*x*x*x*x*x*x*x*x*x*x, v*x*x*x*x*x*x*x*x*x*x*x*x, v, v FROM (
        SELECT day, (s - day * 86400 - 43200 + f) / 86400.0 AS x, v FROM (
        SELECT s, (s - ((s % 86400) + 86400) % 86400) / 86400 AS day, f, v FROM (
            SELECT CAST(strftime('%s', substr(NEW.observed_at, 1, 19)) AS INTEGER) AS s,
                CASE WHEN substr(NEW.observed_at, 20, 1) = '.' THEN CAST('0' || substr(NEW.observed_at, 20) AS REAL) ELSE 0.0 END AS f,
                COALESCE(NEW.value, 0.0) AS v) LIMIT 1) LIMIT 1) WHERE true
    ON CONFLICT (tenant_id, vendor_id, day, code) DO UPDATE SET
        signals = score_signal_days.signals + excluded.signals,
        p1 = score_signal_days.p1 + excluded.p1,
        p2 = score_signal_days.p2 + excluded.p2,
        p3 = score_signal_days.p3 + excluded.p3,
        p4 = score_signal_days.p4 + excluded.p4,
        p5 = score_signal_days.p5 + excluded.p5,
        p6 = score_signal_days.p6 + excluded.p6,
        p7 = score_signal_days.p7 + excluded.p7,
        p8 = score_signal_days.p8 + excluded.p8,
        p9 = score_signal_days.p9 + excluded.p9,
        p10 = score_signal_days.p10 + excluded.p10,
        p11 = score_signal_days.p11 + excluded.p11,
        p12 = score_signal_days.p12 + excluded.p12,
        q0 = score_signal_days.q0 + excluded.q0,
        q1 = score_signal_days.q1 + excluded.q1,
        q2 = score_signal_days.q2 + excluded.q2,
        q3 = score_signal_days.q3 + excluded.q3,
        q4 = score_signal_days.q4 + excluded.q4,
        q5 = score_signal_days.q5 + excluded.q5,
        q6 = score_signal_days.q6 + excluded.q6,
        q7 = score_signal_days.q7 + excluded.q7,
        q8 = score_signal_days.q8 + excluded.q8,
        q9 = score_signal_days.q9 + excluded.q9,
        q10 = score_signal_days.q10 + excluded.q10,
        q11 = score_signal_days.q11 + excluded.q11,
        q12 = score_signal_days.q12 + excluded.q12,
        min_value = min(score_signal_days.min_value, excluded.min_value),
        max_value = max(score_signal_days.max_value, excluded.max_value);
END;
-- +goose StatementEnd

-- A superseded signal is taken back (its values stay within the bounds).
-- +goose StatementBegin
CREATE TRIGGER score_signal_totals_withdraw AFTER UPDATE OF status ON score_signals
WHEN OLD.vendor_id IS NOT NULL AND OLD.status IN ('normalized', 'scored') AND NEW.status NOT IN ('normalized', 'scored')
BEGIN
    INSERT INTO score_signal_blocks (tenant_id, vendor_id, block, code, signals, p1, p2, p3, p4, p5, p6, p7, p8, p9, p10, p11, p12, q0, q1, q2, q3, q4, q5, q6, q7, q8, q9, q10, q11, q12, min_value, max_value)
    SELECT OLD.tenant_id, OLD.vendor_id, block, OLD.code, -1, -x, -x*x, -x*x*x, -x*x*x*x, -x*x*x*x*x, -x*x*x*x*x*x, -x*x*x*x*x*x*x, -x*x*x*x*x*x*x*x, -x*x*x*x*x*x*x*x*x, -x*x*x*x*x*x*x*x*x*x, -x*x*x*x*x*x*x*x*x*x*x, -x*x*x*x*x*x*x*x*x*x*x*x, -v, -v*x, -v*x*x, -v*x*x*x, -v*x*x*x*x, -v*x*x*x*x*x, -v*x*x*x*x*x*x, -v*x*x*x*x*x*x*x, -v*x*x*x*x*x*x*x*x, -v*x*x*x*x*x*x*x*x*x, -v*x*x*x*x*x*x*x*x*x*x, -v*x*x*x*x*x*x*x*x*x*x*x, -v*x*x*x*x*x*x*x*x*x*x*x*x, v, v FROM (
        SELECT block, (s - block * 2419200 - 1209600 + f) / 2419200.0 AS x, v FROM (
        SELECT s, (s - ((s % 2419200) + 2419200) % 2419200) / 2419200 AS block, f, v FROM (
            SELECT CAST(strftime('%s', substr(OLD.observed_at, 1, 19)) AS INTEGER) AS s,
                CASE WHEN substr(OLD.observed_at, 20, 1) = '.' THEN CAST('0' || substr(OLD.observed_at, 20) AS REAL) ELSE 0.0 END AS f,
                COALESCE(OLD.value, 0.0) AS v) LIMIT 1) LIMIT 1) WHERE true
    ON CONFLICT (tenant_id, vendor_id, code, block) DO UPDATE SET
        signals = score_signal_blocks.signals + excluded.signals,
        p1 = score_signal_blocks.p1 + excluded.p1,
        p2 = score_signal_blocks.p2 + excluded.p2,
        p3 = score_signal_blocks.p3 + excluded.p3,
        p4 = score_signal_blocks.p4 + excluded.p4,
        p5 = score_signal_blocks.p5 + excluded.p5,
        p6 = score_signal_blocks.p6 + excluded.p6,
        p7 = score_signal_blocks.p7 + excluded.p7,
        p8 = score_signal_blocks.p8 + excluded.p8,
        p9 = score_signal_blocks.p9 + excluded.p9,
        p10 = score_signal_blocks.p10 + excluded.p10,
        p11 = score_signal_blocks.p11 + excluded.p11,
        p12 = score_signal_blocks.p12 + excluded.p12,
        q0 = score_signal_blocks.q0 + excluded.q0,
        q1 = score_signal_blocks.q1 + excluded.q1,
        q2 = score_signal_blocks.q2 + excluded.q2,
        q3 = score_signal_blocks.q3 + excluded.q3,
        q4 = score_signal_blocks.q4 + excluded.q4,
        q5 = score_signal_blocks.q5 + excluded.q5,
        q6 = score_signal_blocks.q6 + excluded.q6,
        q7 = score_signal_blocks.q7 + excluded.q7,
        q8 = score_signal_blocks.q8 + excluded.q8,
        q9 = score_signal_blocks.q9 + excluded.q9,
        q10 = score_signal_blocks.q10 + excluded.q10,
        q11 = score_signal_blocks.q11 + excluded.q11,
        q12 = score_signal_blocks.q12 + excluded.q12,
        min_value = min(score_signal_blocks.min_value, excluded.min_value),
        max_value = max(score_signal_blocks.max_value, excluded.max_value);
    DELETE FROM score_signal_blocks WHERE tenant_id = OLD.tenant_id AND vendor_id = OLD.vendor_id AND code = OLD.code
      AND block = (SELECT block FROM (SELECT block, (s - block * 2419200 - 1209600 + f) / 2419200.0 AS x, v FROM (
        SELECT s, (s - ((s % 2419200) + 2419200) % 2419200) / 2419200 AS block, f, v FROM (
            SELECT CAST(strftime('%s', substr(OLD.observed_at, 1, 19)) AS INTEGER) AS s,
                CASE WHEN substr(OLD.observed_at, 20, 1) = '.' THEN CAST('0' || substr(OLD.observed_at, 20) AS REAL) ELSE 0.0 END AS f,
                COALESCE(OLD.value, 0.0) AS v)))) AND signals <= 0;
    INSERT INTO score_signal_days (tenant_id, vendor_id, day, code, signals, p1, p2, p3, p4, p5, p6, p7, p8, p9, p10, p11, p12, q0, q1, q2, q3, q4, q5, q6, q7, q8, q9, q10, q11, q12, min_value, max_value)
    SELECT OLD.tenant_id, OLD.vendor_id, day, OLD.code, -1, -x, -x*x, -x*x*x, -x*x*x*x, -x*x*x*x*x, -x*x*x*x*x*x, -x*x*x*x*x*x*x, -x*x*x*x*x*x*x*x, -x*x*x*x*x*x*x*x*x, -x*x*x*x*x*x*x*x*x*x, -x*x*x*x*x*x*x*x*x*x*x, -x*x*x*x*x*x*x*x*x*x*x*x, -v, -v*x, -v*x*x, -v*x*x*x, -v*x*x*x*x, -v*x*x*x*x*x, -v*x*x*x*x*x*x, -v*x*x*x*x*x*x*x, -v*x*x*x*x*x*x*x*x, -v*x*x*x*x*x*x*x*x*x, -v*x*x*x*x*x*x*x*x*x*x, -v*x*x*x*x*x*x*x*x*x*x*x, -v*x*x*x*x*x*x*x*x*x*x*x*x, v, v FROM (
        SELECT day, (s - day * 86400 - 43200 + f) / 86400.0 AS x, v FROM (
        SELECT s, (s - ((s % 86400) + 86400) % 86400) / 86400 AS day, f, v FROM (
            SELECT CAST(strftime('%s', substr(OLD.observed_at, 1, 19)) AS INTEGER) AS s,
                CASE WHEN substr(OLD.observed_at, 20, 1) = '.' THEN CAST('0' || substr(OLD.observed_at, 20) AS REAL) ELSE 0.0 END AS f,
                COALESCE(OLD.value, 0.0) AS v) LIMIT 1) LIMIT 1) WHERE true
    ON CONFLICT (tenant_id, vendor_id, day, code) DO UPDATE SET
        signals = score_signal_days.signals + excluded.signals,
        p1 = score_signal_days.p1 + excluded.p1,
        p2 = score_signal_days.p2 + excluded.p2,
        p3 = score_signal_days.p3 + excluded.p3,
        p4 = score_signal_days.p4 + excluded.p4,
        p5 = score_signal_days.p5 + excluded.p5,
        p6 = score_signal_days.p6 + excluded.p6,
        p7 = score_signal_days.p7 + excluded.p7,
        p8 = score_signal_days.p8 + excluded.p8,
        p9 = score_signal_days.p9 + excluded.p9,
        p10 = score_signal_days.p10 + excluded.p10,
        p11 = score_signal_days.p11 + excluded.p11,
        p12 = score_signal_days.p12 + excluded.p12,
        q0 = score_signal_days.q0 + excluded.q0,
        q1 = score_signal_days.q1 + excluded.q1,
        q2 = score_signal_days.q2 + excluded.q2,
        q3 = score_signal_days.q3 + excluded.q3,
        q4 = score_signal_days.q4 + excluded.q4,
        q5 = score_signal_days.q5 + excluded.q5,
        q6 = score_signal_days.q6 + excluded.q6,
        q7 = score_signal_days.q7 + excluded.q7,
        q8 = score_signal_days.q8 + excluded.q8,
        q9 = score_signal_days.q9 + excluded.q9,
        q10 = score_signal_days.q10 + excluded.q10,
        q11 = score_signal_days.q11 + excluded.q11,
        q12 = score_signal_days.q12 + excluded.q12,
        min_value = min(score_signal_days.min_value, excluded.min_value),
        max_value = max(score_signal_days.max_value, excluded.max_value);
    DELETE FROM score_signal_days WHERE tenant_id = OLD.tenant_id AND vendor_id = OLD.vendor_id AND code = OLD.code
      AND day = (SELECT day FROM (SELECT day, (s - day * 86400 - 43200 + f) / 86400.0 AS x, v FROM (
        SELECT s, (s - ((s % 86400) + 86400) % 86400) / 86400 AS day, f, v FROM (
            SELECT CAST(strftime('%s', substr(OLD.observed_at, 1, 19)) AS INTEGER) AS s,
                CASE WHEN substr(OLD.observed_at, 20, 1) = '.' THEN CAST('0' || substr(OLD.observed_at, 20) AS REAL) ELSE 0.0 END AS f,
                COALESCE(OLD.value, 0.0) AS v)))) AND signals <= 0;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER score_signal_totals_withdraw;
DROP TRIGGER score_signal_totals_accept;
DROP TRIGGER score_signal_totals_insert;

-- +goose StatementBegin
CREATE TRIGGER score_signal_blocks_insert AFTER INSERT ON score_signals
WHEN NEW.vendor_id IS NOT NULL AND NEW.status IN ('normalized', 'scored')
BEGIN
    INSERT INTO score_signal_blocks (tenant_id, vendor_id, block, code, signals, p1, p2, p3, p4, p5, p6, p7, p8, p9, p10, p11, p12, q0, q1, q2, q3, q4, q5, q6, q7, q8, q9, q10, q11, q12, min_value, max_value)
    SELECT NEW.tenant_id, NEW.vendor_id, block, NEW.code, 1, x, x*x, x*x*x, x*x*x*x, x*x*x*x*x, x*x*x*x*x*x, x*x*x*x*x*x*x, x*x*x*x*x*x*x*x, x*x*x*x*x*x*x*x*x, x*x*x*x*x*x*x*x*x*x, x*x*x*x*x*x*x*x*x*x*x, x*x*x*x*x*x*x*x*x*x*x*x, v, v*x, v*x*x, v*x*x*x, v*x*x*x*x, v*x*x*x*x*x, v*x*x*x*x*x*x, v*x*x*x*x*x*x*x, v*x*x*x*x*x*x*x*x, v*x*x*x*x*x*x*x*x*x, v*x*x*x*x*x*x*x*x*x*x, v*x*x*x*x*x*x*x*x*x*x*x, v*x*x*x*x*x*x*x*x*x*x*x*x, v, v FROM (
        SELECT block, (s - block * 2419200 - 1209600 + f) / 2419200.0 AS x, v FROM (
        SELECT s, (s - ((s % 2419200) + 2419200) % 2419200) / 2419200 AS block, f, v FROM (
            SELECT CAST(strftime('%s', substr(NEW.observed_at, 1, 19)) AS INTEGER) AS s,
                CASE WHEN substr(NEW.observed_at, 20, 1) = '.' THEN CAST('0' || substr(NEW.observed_at, 20) AS REAL) ELSE 0.0 END AS f,
                COALESCE(NEW.value, 0.0) AS v))) WHERE true
    ON CONFLICT (tenant_id, vendor_id, code, block) DO UPDATE SET
        signals = score_signal_blocks.signals + excluded.signals,
        p1 = score_signal_blocks.p1 + excluded.p1,
        p2 = score_signal_blocks.p2 + excluded.p2,
        p3 = score_signal_blocks.p3 + excluded.p3,
        p4 = score_signal_blocks.p4 + excluded.p4,
        p5 = score_signal_blocks.p5 + excluded.p5,
        p6 = score_signal_blocks.p6 + excluded.p6,
        p7 = score_signal_blocks.p7 + excluded.p7,
        p8 = score_signal_blocks.p8 + excluded.p8,
        p9 = score_signal_blocks.p9 + excluded.p9,
        p10 = score_signal_blocks.p10 + excluded.p10,
        p11 = score_signal_blocks.p11 + excluded.p11,
        p12 = score_signal_blocks.p12 + excluded.p12,
        q0 = score_signal_blocks.q0 + excluded.q0,
        q1 = score_signal_blocks.q1 + excluded.q1,
        q2 = score_signal_blocks.q2 + excluded.q2,
        q3 = score_signal_blocks.q3 + excluded.q3,
        q4 = score_signal_blocks.q4 + excluded.q4,
        q5 = score_signal_blocks.q5 + excluded.q5,
        q6 = score_signal_blocks.q6 + excluded.q6,
        q7 = score_signal_blocks.q7 + excluded.q7,
        q8 = score_signal_blocks.q8 + excluded.q8,
        q9 = score_signal_blocks.q9 + excluded.q9,
        q10 = score_signal_blocks.q10 + excluded.q10,
        q11 = score_signal_blocks.q11 + excluded.q11,
        q12 = score_signal_blocks.q12 + excluded.q12,
        min_value = min(score_signal_blocks.min_value, excluded.min_value),
        max_value = max(score_signal_blocks.max_value, excluded.max_value);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER score_signal_blocks_accept AFTER UPDATE OF status ON score_signals
WHEN NEW.vendor_id IS NOT NULL AND NEW.status IN ('normalized', 'scored') AND OLD.status NOT IN ('normalized', 'scored')
BEGIN
    INSERT INTO score_signal_blocks (tenant_id, vendor_id, block, code, signals, p1, p2, p3, p4, p5, p6, p7, p8, p9, p10, p11, p12, q0, q1, q2, q3, q4, q5, q6, q7, q8, q9, q10, q11, q12, min_value, max_value)
    SELECT NEW.tenant_id, NEW.vendor_id, block, NEW.code, 1, x, x*x, x*x*x, x*x*x*x, x*x*x*x*x, x*x*x*x*x*x, x*x*x*x*x*x*x, x*x*x*x*x*x*x*x, x*x*x*x*x*x*x*x*x, x*x*x*x*x*x*x*x*x*x, x*x*x*x*x*x*x*x*x*x*x, x*x*x*x*x*x*x*x*x*x*x*x, v, v*x, v*x*x, v*x*x*x, v*x*x*x*x, v*x*x*x*x*x, v*x*x*x*x*x*x, v*x*x*x*x*x*x*x, v*x*x*x*x*x*x*x*x, v*x*x*x*x*x*x*x*x*x, v*x*x*x*x*x*x*x*x*x*x, v*x*x*x*x*x*x*x*x*x*x*x, v*x*x*x*x*x*x*x*x*x*x*x*x, v, v FROM (
        SELECT block, (s - block * 2419200 - 1209600 + f) / 2419200.0 AS x, v FROM (
        SELECT s, (s - ((s % 2419200) + 2419200) % 2419200) / 2419200 AS block, f, v FROM (
            SELECT CAST(strftime('%s', substr(NEW.observed_at, 1, 19)) AS INTEGER) AS s,
                CASE WHEN substr(NEW.observed_at, 20, 1) = '.' THEN CAST('0' || substr(NEW.observed_at, 20) AS REAL) ELSE 0.0 END AS f,
                COALESCE(NEW.value, 0.0) AS v))) WHERE true
    ON CONFLICT (tenant_id, vendor_id, code, block) DO UPDATE SET
        signals = score_signal_blocks.signals + excluded.signals,
        p1 = score_signal_blocks.p1 + excluded.p1,
        p2 = score_signal_blocks.p2 + excluded.p2,
        p3 = score_signal_blocks.p3 + excluded.p3,
        p4 = score_signal_blocks.p4 + excluded.p4,
        p5 = score_signal_blocks.p5 + excluded.p5,
        p6 = score_signal_blocks.p6 + excluded.p6,
        p7 = score_signal_blocks.p7 + excluded.p7,
        p8 = score_signal_blocks.p8 + excluded.p8,
        p9 = score_signal_blocks.p9 + excluded.p9,
        p10 = score_signal_blocks.p10 + excluded.p10,
        p11 = score_signal_blocks.p11 + excluded.p11,
        p12 = score_signal_blocks.p12 + excluded.p12,
        q0 = score_signal_blocks.q0 + excluded.q0,
        q1 = score_signal_blocks.q1 + excluded.q1,
        q2 = score_signal_blocks.q2 + excluded.q2,
        q3 = score_signal_blocks.q3 + excluded.q3,
        q4 = score_signal_blocks.q4 + excluded.q4,
        q5 = score_signal_blocks.q5 + excluded.q5,
        q6 = score_signal_blocks.q6 + excluded.q6,
        q7 = score_signal_blocks.q7 + excluded.q7,
        q8 = score_signal_blocks.q8 + excluded.q8,
        q9 = score_signal_blocks.q9 + excluded.q9,
        q10 = score_signal_blocks.q10 + excluded.q10,
        q11 = score_signal_blocks.q11 + excluded.q11,
        q12 = score_signal_blocks.q12 + excluded.q12,
        min_value = min(score_signal_blocks.min_value, excluded.min_value),
        max_value = max(score_signal_blocks.max_value, excluded.max_value);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER score_signal_blocks_withdraw AFTER UPDATE OF status ON score_signals
WHEN OLD.vendor_id IS NOT NULL AND OLD.status IN ('normalized', 'scored') AND NEW.status NOT IN ('normalized', 'scored')
BEGIN
    INSERT INTO score_signal_blocks (tenant_id, vendor_id, block, code, signals, p1, p2, p3, p4, p5, p6, p7, p8, p9, p10, p11, p12, q0, q1, q2, q3, q4, q5, q6, q7, q8, q9, q10, q11, q12, min_value, max_value)
    SELECT OLD.tenant_id, OLD.vendor_id, block, OLD.code, -1, -x, -x*x, -x*x*x, -x*x*x*x, -x*x*x*x*x, -x*x*x*x*x*x, -x*x*x*x*x*x*x, -x*x*x*x*x*x*x*x, -x*x*x*x*x*x*x*x*x, -x*x*x*x*x*x*x*x*x*x, -x*x*x*x*x*x*x*x*x*x*x, -x*x*x*x*x*x*x*x*x*x*x*x, -v, -v*x, -v*x*x, -v*x*x*x, -v*x*x*x*x, -v*x*x*x*x*x, -v*x*x*x*x*x*x, -v*x*x*x*x*x*x*x, -v*x*x*x*x*x*x*x*x, -v*x*x*x*x*x*x*x*x*x, -v*x*x*x*x*x*x*x*x*x*x, -v*x*x*x*x*x*x*x*x*x*x*x, -v*x*x*x*x*x*x*x*x*x*x*x*x, v, v FROM (
        SELECT block, (s - block * 2419200 - 1209600 + f) / 2419200.0 AS x, v FROM (
        SELECT s, (s - ((s % 2419200) + 2419200) % 2419200) / 2419200 AS block, f, v FROM (
            SELECT CAST(strftime('%s', substr(OLD.observed_at, 1, 19)) AS INTEGER) AS s,
                CASE WHEN substr(OLD.observed_at, 20, 1) = '.' THEN CAST('0' || substr(OLD.observed_at, 20) AS REAL) ELSE 0.0 END AS f,
                COALESCE(OLD.value, 0.0) AS v))) WHERE true
    ON CONFLICT (tenant_id, vendor_id, code, block) DO UPDATE SET
        signals = score_signal_blocks.signals + excluded.signals,
        p1 = score_signal_blocks.p1 + excluded.p1,
        p2 = score_signal_blocks.p2 + excluded.p2,
        p3 = score_signal_blocks.p3 + excluded.p3,
        p4 = score_signal_blocks.p4 + excluded.p4,
        p5 = score_signal_blocks.p5 + excluded.p5,
        p6 = score_signal_blocks.p6 + excluded.p6,
        p7 = score_signal_blocks.p7 + excluded.p7,
        p8 = score_signal_blocks.p8 + excluded.p8,
        p9 = score_signal_blocks.p9 + excluded.p9,
        p10 = score_signal_blocks.p10 + excluded.p10,
        p11 = score_signal_blocks.p11 + excluded.p11,
        p12 = score_signal_blocks.p12 + excluded.p12,
        q0 = score_signal_blocks.q0 + excluded.q0,
        q1 = score_signal_blocks.q1 + excluded.q1,
        q2 = score_signal_blocks.q2 + excluded.q2,
        q3 = score_signal_blocks.q3 + excluded.q3,
        q4 = score_signal_blocks.q4 + excluded.q4,
        q5 = score_signal_blocks.q5 + excluded.q5,
        q6 = score_signal_blocks.q6 + excluded.q6,
        q7 = score_signal_blocks.q7 + excluded.q7,
        q8 = score_signal_blocks.q8 + excluded.q8,
        q9 = score_signal_blocks.q9 + excluded.q9,
        q10 = score_signal_blocks.q10 + excluded.q10,
        q11 = score_signal_blocks.q11 + excluded.q11,
        q12 = score_signal_blocks.q12 + excluded.q12,
        min_value = min(score_signal_blocks.min_value, excluded.min_value),
        max_value = max(score_signal_blocks.max_value, excluded.max_value);
    DELETE FROM score_signal_blocks WHERE tenant_id = OLD.tenant_id AND vendor_id = OLD.vendor_id AND code = OLD.code
      AND block = (SELECT block FROM (SELECT block, (s - block * 2419200 - 1209600 + f) / 2419200.0 AS x, v FROM (
        SELECT s, (s - ((s % 2419200) + 2419200) % 2419200) / 2419200 AS block, f, v FROM (
            SELECT CAST(strftime('%s', substr(OLD.observed_at, 1, 19)) AS INTEGER) AS s,
                CASE WHEN substr(OLD.observed_at, 20, 1) = '.' THEN CAST('0' || substr(OLD.observed_at, 20) AS REAL) ELSE 0.0 END AS f,
                COALESCE(OLD.value, 0.0) AS v)))) AND signals <= 0;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER score_signal_days_insert AFTER INSERT ON score_signals
WHEN NEW.vendor_id IS NOT NULL AND NEW.status IN ('normalized', 'scored')
BEGIN
    INSERT INTO score_signal_days (tenant_id, vendor_id, day, code, signals, p1, p2, p3, p4, p5, p6, p7, p8, p9, p10, p11, p12, q0, q1, q2, q3, q4, q5, q6, q7, q8, q9, q10, q11, q12, min_value, max_value)
    SELECT NEW.tenant_id, NEW.vendor_id, day, NEW.code, 1, x, x*x, x*x*x, x*x*x*x, x*x*x*x*x, x*x*x*x*x*x, x*x*x*x*x*x*x, x*x*x*x*x*x*x*x, x*x*x*x*x*x*x*x*x, x*x*x*x*x*x*x*x*x*x, x*x*x*x*x*x*x*x*x*x*x, x*x*x*x*x*x*x*x*x*x*x*x, v, v*x, v*x*x, v*x*x*x, v*x*x*x*x, v*x*x*x*x*x, v*x*x*x*x*x*x, v*x*x*x*x*x*x*x, v*x*x*x*x*x*x*x*x, v*x*x*x*x*x*x*x*x*x, v*x*x*x*x*x*x*x*x*x*x, v*x*x*x*x*x*x*x*x*x*x*x, v*x*x*x*x*x*x*x*x*x*x*x*x, v, v FROM (
        SELECT day, (s - day * 86400 - 43200 + f) / 86400.0 AS x, v FROM (
        SELECT s, (s - ((s % 86400) + 86400) % 86400) / 86400 AS day, f, v FROM (
            SELECT CAST(strftime('%s', substr(NEW.observed_at, 1, 19)) AS INTEGER) AS s,
                CASE WHEN substr(NEW.observed_at, 20, 1) = '.' THEN CAST('0' || substr(NEW.observed_at, 20) AS REAL) ELSE 0.0 END AS f,
                COALESCE(NEW.value, 0.0) AS v))) WHERE true
    ON CONFLICT (tenant_id, vendor_id, day, code) DO UPDATE SET
        signals = score_signal_days.signals + excluded.signals,
        p1 = score_signal_days.p1 + excluded.p1,
        p2 = score_signal_days.p2 + excluded.p2,
        p3 = score_signal_days.p3 + excluded.p3,
        p4 = score_signal_days.p4 + excluded.p4,
        p5 = score_signal_days.p5 + excluded.p5,
        p6 = score_signal_days.p6 + excluded.p6,
        p7 = score_signal_days.p7 + excluded.p7,
        p8 = score_signal_days.p8 + excluded.p8,
        p9 = score_signal_days.p9 + excluded.p9,
        p10 = score_signal_days.p10 + excluded.p10,
        p11 = score_signal_days.p11 + excluded.p11,
        p12 = score_signal_days.p12 + excluded.p12,
        q0 = score_signal_days.q0 + excluded.q0,
        q1 = score_signal_days.q1 + excluded.q1,
        q2 = score_signal_days.q2 + excluded.q2,
        q3 = score_signal_days.q3 + excluded.q3,
        q4 = score_signal_days.q4 + excluded.q4,
        q5 = score_signal_days.q5 + excluded.q5,
        q6 = score_signal_days.q6 + excluded.q6,
        q7 = score_signal_days.q7 + excluded.q7,
        q8 = score_signal_days.q8 + excluded.q8,
        q9 = score_signal_days.q9 + excluded.q9,
        q10 = score_signal_days.q10 + excluded.q10,
        q11 = score_signal_days.q11 + excluded.q11,
        q12 = score_signal_days.q12 + excluded.q12,
        min_value = min(score_signal_days.min_value, excluded.min_value),
        max_value = max(score_signal_days.max_value, excluded.max_value);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER score_signal_days_accept AFTER UPDATE OF status ON score_signals
WHEN NEW.vendor_id IS NOT NULL AND NEW.status IN ('normalized', 'scored') AND OLD.status NOT IN ('normalized', 'scored')
BEGIN
    INSERT INTO score_signal_days (tenant_id, vendor_id, day, code, signals, p1, p2, p3, p4, p5, p6, p7, p8, p9, p10, p11, p12, q0, q1, q2, q3, q4, q5, q6, q7, q8, q9, q10, q11, q12, min_value, max_value)
    SELECT NEW.tenant_id, NEW.vendor_id, day, NEW.code, 1, x, x*x, x*x*x, x*x*x*x, x*x*x*x*x, x*x*x*x*x*x, x*x*x*x*x*x*x, x*x*x*x*x*x*x*x, x*x*x*x*x*x*x*x*x, x*x*x*x*x*x*x*x*x*x, x*x*x*x*x*x*x*x*x*x*x, x*x*x*x*x*x*x*x*x*x*x*x, v, v*x, v*x*x, v*x*x*x, v*x*x*x*x, v*x*x*x*x*x, v*x*x*x*x*x*x, v*x*x*x*x*x*x*x, v*x*x*x*x*x*x*x*x, v*x*x*x*x*x*x*x*x*x, v*x*x*x*x*x*x*x*x*x*x, v*x*x*x*x*x*x*x*x*x*x*x, v*x*x*x*x*x*x*x*x*x*x*x*x, v, v FROM (
        SELECT day, (s - day * 86400 - 43200 + f) / 86400.0 AS x, v FROM (
        SELECT s, (s - ((s % 86400) + 86400) % 86400) / 86400 AS day, f, v FROM (
            SELECT CAST(strftime('%s', substr(NEW.observed_at, 1, 19)) AS INTEGER) AS s,
                CASE WHEN substr(NEW.observed_at, 20, 1) = '.' THEN CAST('0' || substr(NEW.observed_at, 20) AS REAL) ELSE 0.0 END AS f,
                COALESCE(NEW.value, 0.0) AS v))) WHERE true
    ON CONFLICT (tenant_id, vendor_id, day, code) DO UPDATE SET
        signals = score_signal_days.signals + excluded.signals,
        p1 = score_signal_days.p1 + excluded.p1,
        p2 = score_signal_days.p2 + excluded.p2,
        p3 = score_signal_days.p3 + excluded.p3,
        p4 = score_signal_days.p4 + excluded.p4,
        p5 = score_signal_days.p5 + excluded.p5,
        p6 = score_signal_days.p6 + excluded.p6,
        p7 = score_signal_days.p7 + excluded.p7,
        p8 = score_signal_days.p8 + excluded.p8,
        p9 = score_signal_days.p9 + excluded.p9,
        p10 = score_signal_days.p10 + excluded.p10,
        p11 = score_signal_days.p11 + excluded.p11,
        p12 = score_signal_days.p12 + excluded.p12,
        q0 = score_signal_days.q0 + excluded.q0,
        q1 = score_signal_days.q1 + excluded.q1,
        q2 = score_signal_days.q2 + excluded.q2,
        q3 = score_signal_days.q3 + excluded.q3,
        q4 = score_signal_days.q4 + excluded.q4,
        q5 = score_signal_days.q5 + excluded.q5,
        q6 = score_signal_days.q6 + excluded.q6,
        q7 = score_signal_days.q7 + excluded.q7,
        q8 = score_signal_days.q8 + excluded.q8,
        q9 = score_signal_days.q9 + excluded.q9,
        q10 = score_signal_days.q10 + excluded.q10,
        q11 = score_signal_days.q11 + excluded.q11,
        q12 = score_signal_days.q12 + excluded.q12,
        min_value = min(score_signal_days.min_value, excluded.min_value),
        max_value = max(score_signal_days.max_value, excluded.max_value);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER score_signal_days_withdraw AFTER UPDATE OF status ON score_signals
WHEN OLD.vendor_id IS NOT NULL AND OLD.status IN ('normalized', 'scored') AND NEW.status NOT IN ('normalized', 'scored')
BEGIN
    INSERT INTO score_signal_days (tenant_id, vendor_id, day, code, signals, p1, p2, p3, p4, p5, p6, p7, p8, p9, p10, p11, p12, q0, q1, q2, q3, q4, q5, q6, q7, q8, q9, q10, q11, q12, min_value, max_value)
    SELECT OLD.tenant_id, OLD.vendor_id, day, OLD.code, -1, -x, -x*x, -x*x*x, -x*x*x*x, -x*x*x*x*x, -x*x*x*x*x*x, -x*x*x*x*x*x*x, -x*x*x*x*x*x*x*x, -x*x*x*x*x*x*x*x*x, -x*x*x*x*x*x*x*x*x*x, -x*x*x*x*x*x*x*x*x*x*x, -x*x*x*x*x*x*x*x*x*x*x*x, -v, -v*x, -v*x*x, -v*x*x*x, -v*x*x*x*x, -v*x*x*x*x*x, -v*x*x*x*x*x*x, -v*x*x*x*x*x*x*x, -v*x*x*x*x*x*x*x*x, -v*x*x*x*x*x*x*x*x*x, -v*x*x*x*x*x*x*x*x*x*x, -v*x*x*x*x*x*x*x*x*x*x*x, -v*x*x*x*x*x*x*x*x*x*x*x*x, v, v FROM (
        SELECT day, (s - day * 86400 - 43200 + f) / 86400.0 AS x, v FROM (
        SELECT s, (s - ((s % 86400) + 86400) % 86400) / 86400 AS day, f, v FROM (
            SELECT CAST(strftime('%s', substr(OLD.observed_at, 1, 19)) AS INTEGER) AS s,
                CASE WHEN substr(OLD.observed_at, 20, 1) = '.' THEN CAST('0' || substr(OLD.observed_at, 20) AS REAL) ELSE 0.0 END AS f,
                COALESCE(OLD.value, 0.0) AS v))) WHERE true
    ON CONFLICT (tenant_id, vendor_id, day, code) DO UPDATE SET
        signals = score_signal_days.signals + excluded.signals,
        p1 = score_signal_days.p1 + excluded.p1,
        p2 = score_signal_days.p2 + excluded.p2,
        p3 = score_signal_days.p3 + excluded.p3,
        p4 = score_signal_days.p4 + excluded.p4,
        p5 = score_signal_days.p5 + excluded.p5,
        p6 = score_signal_days.p6 + excluded.p6,
        p7 = score_signal_days.p7 + excluded.p7,
        p8 = score_signal_days.p8 + excluded.p8,
        p9 = score_signal_days.p9 + excluded.p9,
        p10 = score_signal_days.p10 + excluded.p10,
        p11 = score_signal_days.p11 + excluded.p11,
        p12 = score_signal_days.p12 + excluded.p12,
        q0 = score_signal_days.q0 + excluded.q0,
        q1 = score_signal_days.q1 + excluded.q1,
        q2 = score_signal_days.q2 + excluded.q2,
        q3 = score_signal_days.q3 + excluded.q3,
        q4 = score_signal_days.q4 + excluded.q4,
        q5 = score_signal_days.q5 + excluded.q5,
        q6 = score_signal_days.q6 + excluded.q6,
        q7 = score_signal_days.q7 + excluded.q7,
        q8 = score_signal_days.q8 + excluded.q8,
        q9 = score_signal_days.q9 + excluded.q9,
        q10 = score_signal_days.q10 + excluded.q10,
        q11 = score_signal_days.q11 + excluded.q11,
        q12 = score_signal_days.q12 + excluded.q12,
        min_value = min(score_signal_days.min_value, excluded.min_value),
        max_value = max(score_signal_days.max_value, excluded.max_value);
    DELETE FROM score_signal_days WHERE tenant_id = OLD.tenant_id AND vendor_id = OLD.vendor_id AND code = OLD.code
      AND day = (SELECT day FROM (SELECT day, (s - day * 86400 - 43200 + f) / 86400.0 AS x, v FROM (
        SELECT s, (s - ((s % 86400) + 86400) % 86400) / 86400 AS day, f, v FROM (
            SELECT CAST(strftime('%s', substr(OLD.observed_at, 1, 19)) AS INTEGER) AS s,
                CASE WHEN substr(OLD.observed_at, 20, 1) = '.' THEN CAST('0' || substr(OLD.observed_at, 20) AS REAL) ELSE 0.0 END AS f,
                COALESCE(OLD.value, 0.0) AS v)))) AND signals <= 0;
END;
-- +goose StatementEnd
