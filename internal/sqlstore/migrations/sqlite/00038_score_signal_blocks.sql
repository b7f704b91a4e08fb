-- +goose Up
-- Running totals of each vendor's accepted signals per code and block of
-- 28 UTC days (days since 1970-01-01 divided by 28), kept by triggers beside
-- the day totals and in the same way, so a score reads a row per code and
-- block for the whole blocks of its window, and day totals only at its
-- ends.
--
-- With u the signal's time after its block's middle in blocks
-- (-½ ≤ u < ½), its decay at now under a half-life of h days is
--   2^((middle - now)/h) · e^(b·u),  b = 28 · ln 2 / h,
-- and e^(b·u) = Σ_k (b·u)^k / k!. A block keeps pK = Σ u^K (K = 1…12) and
-- qK = Σ value · u^K (K = 0…12); the series is exact to a float64 (its
-- terms past k = 12 below 2e-16 of the first) for half-lives of about
-- 28 days and more. A rule with a shorter half-life reads the day totals
-- alone.
CREATE TABLE score_signal_blocks (
    tenant_id  TEXT NOT NULL,
    vendor_id  TEXT NOT NULL,
    block      BIGINT NOT NULL,
    code       TEXT NOT NULL,
    signals    BIGINT NOT NULL,
    p1         REAL NOT NULL,
    p2         REAL NOT NULL,
    p3         REAL NOT NULL,
    p4         REAL NOT NULL,
    p5         REAL NOT NULL,
    p6         REAL NOT NULL,
    p7         REAL NOT NULL,
    p8         REAL NOT NULL,
    p9         REAL NOT NULL,
    p10        REAL NOT NULL,
    p11        REAL NOT NULL,
    p12        REAL NOT NULL,
    q0         REAL NOT NULL,
    q1         REAL NOT NULL,
    q2         REAL NOT NULL,
    q3         REAL NOT NULL,
    q4         REAL NOT NULL,
    q5         REAL NOT NULL,
    q6         REAL NOT NULL,
    q7         REAL NOT NULL,
    q8         REAL NOT NULL,
    q9         REAL NOT NULL,
    q10        REAL NOT NULL,
    q11        REAL NOT NULL,
    q12        REAL NOT NULL,
    min_value  REAL NOT NULL,
    max_value  REAL NOT NULL,
    PRIMARY KEY (tenant_id, vendor_id, code, block)
) WITHOUT ROWID;

-- The block and time of a signal are read from SQLite's text of it as the
-- day totals read them.
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

-- A superseded signal is taken back (its values stay within the bounds).
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

INSERT INTO score_signal_blocks (tenant_id, vendor_id, block, code, signals, p1, p2, p3, p4, p5, p6, p7, p8, p9, p10, p11, p12, q0, q1, q2, q3, q4, q5, q6, q7, q8, q9, q10, q11, q12, min_value, max_value)
SELECT tenant_id, vendor_id, block, code, COUNT(*), SUM(x), SUM(x*x), SUM(x*x*x), SUM(x*x*x*x), SUM(x*x*x*x*x), SUM(x*x*x*x*x*x), SUM(x*x*x*x*x*x*x), SUM(x*x*x*x*x*x*x*x), SUM(x*x*x*x*x*x*x*x*x), SUM(x*x*x*x*x*x*x*x*x*x), SUM(x*x*x*x*x*x*x*x*x*x*x), SUM(x*x*x*x*x*x*x*x*x*x*x*x), SUM(v), SUM(v*x), SUM(v*x*x), SUM(v*x*x*x), SUM(v*x*x*x*x), SUM(v*x*x*x*x*x), SUM(v*x*x*x*x*x*x), SUM(v*x*x*x*x*x*x*x), SUM(v*x*x*x*x*x*x*x*x), SUM(v*x*x*x*x*x*x*x*x*x), SUM(v*x*x*x*x*x*x*x*x*x*x), SUM(v*x*x*x*x*x*x*x*x*x*x*x), SUM(v*x*x*x*x*x*x*x*x*x*x*x*x), MIN(v), MAX(v) FROM (
    SELECT tenant_id, vendor_id, code, block, (s - block * 2419200 - 1209600 + f) / 2419200.0 AS x, v FROM (
        SELECT tenant_id, vendor_id, code, s, (s - ((s % 2419200) + 2419200) % 2419200) / 2419200 AS block, f, v FROM (
            SELECT tenant_id, vendor_id, code, CAST(strftime('%s', substr(observed_at, 1, 19)) AS INTEGER) AS s,
                CASE WHEN substr(observed_at, 20, 1) = '.' THEN CAST('0' || substr(observed_at, 20) AS REAL) ELSE 0.0 END AS f,
                COALESCE(value, 0.0) AS v
            FROM score_signals WHERE vendor_id IS NOT NULL AND status IN ('normalized', 'scored'))))
GROUP BY tenant_id, vendor_id, block, code;

-- +goose Down
DROP TRIGGER score_signal_blocks_withdraw;
DROP TRIGGER score_signal_blocks_accept;
DROP TRIGGER score_signal_blocks_insert;
DROP TABLE score_signal_blocks;
