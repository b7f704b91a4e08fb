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
    p1         DOUBLE PRECISION NOT NULL,
    p2         DOUBLE PRECISION NOT NULL,
    p3         DOUBLE PRECISION NOT NULL,
    p4         DOUBLE PRECISION NOT NULL,
    p5         DOUBLE PRECISION NOT NULL,
    p6         DOUBLE PRECISION NOT NULL,
    p7         DOUBLE PRECISION NOT NULL,
    p8         DOUBLE PRECISION NOT NULL,
    p9         DOUBLE PRECISION NOT NULL,
    p10        DOUBLE PRECISION NOT NULL,
    p11        DOUBLE PRECISION NOT NULL,
    p12        DOUBLE PRECISION NOT NULL,
    q0         DOUBLE PRECISION NOT NULL,
    q1         DOUBLE PRECISION NOT NULL,
    q2         DOUBLE PRECISION NOT NULL,
    q3         DOUBLE PRECISION NOT NULL,
    q4         DOUBLE PRECISION NOT NULL,
    q5         DOUBLE PRECISION NOT NULL,
    q6         DOUBLE PRECISION NOT NULL,
    q7         DOUBLE PRECISION NOT NULL,
    q8         DOUBLE PRECISION NOT NULL,
    q9         DOUBLE PRECISION NOT NULL,
    q10        DOUBLE PRECISION NOT NULL,
    q11        DOUBLE PRECISION NOT NULL,
    q12        DOUBLE PRECISION NOT NULL,
    min_value  DOUBLE PRECISION NOT NULL,
    max_value  DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (tenant_id, vendor_id, code, block)
);

-- +goose StatementBegin
CREATE FUNCTION score_signal_blocks_keep() RETURNS trigger AS $$
DECLARE
    r score_signals%ROWTYPE;
    s DOUBLE PRECISION;
    b BIGINT;
    x DOUBLE PRECISION;
    v DOUBLE PRECISION;
    g INTEGER;
    accepted BOOLEAN := TG_OP = 'INSERT' OR OLD.status NOT IN ('normalized', 'scored');
BEGIN
    -- g is 1 for a signal accepted, -1 for one taken back.
    IF accepted THEN
        r := NEW;
        g := 1;
    ELSE
        r := OLD;
        g := -1;
    END IF;
    s := date_part('epoch', r.observed_at);
    b := floor(s / 2419200);
    x := (s - b * 2419200 - 1209600) / 2419200;
    v := COALESCE(r.value, 0);
    INSERT INTO score_signal_blocks (tenant_id, vendor_id, block, code, signals, p1, p2, p3, p4, p5, p6, p7, p8, p9, p10, p11, p12, q0, q1, q2, q3, q4, q5, q6, q7, q8, q9, q10, q11, q12, min_value, max_value)
    VALUES (r.tenant_id, r.vendor_id, b, r.code, g, g*x, g*x*x, g*x*x*x, g*x*x*x*x, g*x*x*x*x*x, g*x*x*x*x*x*x, g*x*x*x*x*x*x*x, g*x*x*x*x*x*x*x*x, g*x*x*x*x*x*x*x*x*x, g*x*x*x*x*x*x*x*x*x*x, g*x*x*x*x*x*x*x*x*x*x*x, g*x*x*x*x*x*x*x*x*x*x*x*x, g*v, g*v*x, g*v*x*x, g*v*x*x*x, g*v*x*x*x*x, g*v*x*x*x*x*x, g*v*x*x*x*x*x*x, g*v*x*x*x*x*x*x*x, g*v*x*x*x*x*x*x*x*x, g*v*x*x*x*x*x*x*x*x*x, g*v*x*x*x*x*x*x*x*x*x*x, g*v*x*x*x*x*x*x*x*x*x*x*x, g*v*x*x*x*x*x*x*x*x*x*x*x*x, v, v)
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
        min_value = LEAST(score_signal_blocks.min_value, excluded.min_value),
        max_value = GREATEST(score_signal_blocks.max_value, excluded.max_value);
    IF NOT accepted THEN
        DELETE FROM score_signal_blocks WHERE tenant_id = r.tenant_id AND vendor_id = r.vendor_id AND code = r.code AND block = b
            AND signals <= 0;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd

-- Triggers fire by name, these before the day totals': writers that
-- sort their signals by code and day take a block's row before its days'.
CREATE TRIGGER score_signal_blocks_insert AFTER INSERT ON score_signals
    FOR EACH ROW WHEN (NEW.vendor_id IS NOT NULL AND NEW.status IN ('normalized', 'scored'))
    EXECUTE FUNCTION score_signal_blocks_keep();
CREATE TRIGGER score_signal_blocks_accept AFTER UPDATE OF status ON score_signals
    FOR EACH ROW WHEN (NEW.vendor_id IS NOT NULL AND NEW.status IN ('normalized', 'scored') AND OLD.status NOT IN ('normalized', 'scored'))
    EXECUTE FUNCTION score_signal_blocks_keep();
CREATE TRIGGER score_signal_blocks_withdraw AFTER UPDATE OF status ON score_signals
    FOR EACH ROW WHEN (OLD.vendor_id IS NOT NULL AND OLD.status IN ('normalized', 'scored') AND NEW.status NOT IN ('normalized', 'scored'))
    EXECUTE FUNCTION score_signal_blocks_keep();

INSERT INTO score_signal_blocks (tenant_id, vendor_id, block, code, signals, p1, p2, p3, p4, p5, p6, p7, p8, p9, p10, p11, p12, q0, q1, q2, q3, q4, q5, q6, q7, q8, q9, q10, q11, q12, min_value, max_value)
SELECT tenant_id, vendor_id, block, code, COUNT(*), SUM(x), SUM(x*x), SUM(x*x*x), SUM(x*x*x*x), SUM(x*x*x*x*x), SUM(x*x*x*x*x*x), SUM(x*x*x*x*x*x*x), SUM(x*x*x*x*x*x*x*x), SUM(x*x*x*x*x*x*x*x*x), SUM(x*x*x*x*x*x*x*x*x*x), SUM(x*x*x*x*x*x*x*x*x*x*x), SUM(x*x*x*x*x*x*x*x*x*x*x*x), SUM(v), SUM(v*x), SUM(v*x*x), SUM(v*x*x*x), SUM(v*x*x*x*x), SUM(v*x*x*x*x*x), SUM(v*x*x*x*x*x*x), SUM(v*x*x*x*x*x*x*x), SUM(v*x*x*x*x*x*x*x*x), SUM(v*x*x*x*x*x*x*x*x*x), SUM(v*x*x*x*x*x*x*x*x*x*x), SUM(v*x*x*x*x*x*x*x*x*x*x*x), SUM(v*x*x*x*x*x*x*x*x*x*x*x*x), MIN(v), MAX(v) FROM (
    SELECT tenant_id, vendor_id, code, block, (s - block * 2419200 - 1209600) / 2419200 AS x, v FROM (
        SELECT tenant_id, vendor_id, code, s, floor(s / 2419200)::bigint AS block, v FROM (
            SELECT tenant_id, vendor_id, code, date_part('epoch', observed_at) AS s, COALESCE(value, 0) AS v
            FROM score_signals WHERE vendor_id IS NOT NULL AND status IN ('normalized', 'scored')) a) b) c
GROUP BY tenant_id, vendor_id, block, code;

-- +goose Down
DROP TRIGGER score_signal_blocks_withdraw ON score_signals;
DROP TRIGGER score_signal_blocks_accept ON score_signals;
DROP TRIGGER score_signal_blocks_insert ON score_signals;
DROP FUNCTION score_signal_blocks_keep();
DROP TABLE score_signal_blocks;
