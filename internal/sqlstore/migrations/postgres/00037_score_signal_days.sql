-- +goose Up
-- Running totals of each vendor's accepted signals per code and UTC day,
-- kept by triggers in the transaction that accepts a signal (inserted
-- normalized or scored, or moved raw → normalized) and taken back when it
-- is superseded. A score reads at most a row per code and day of its
-- window instead of every signal.
--
-- Exponential decay stays exact for any half-life h of at least a day
-- (the least a rule allows): with x the signal's time after the day's noon
-- in days (-½ ≤ x < ½), its decay at now is
--   2^((noon - now)/h) · e^(a·x),  a = ln 2 / h ≤ ln 2,
-- and e^(a·x) = Σ_k (a·x)^k / k!, whose terms past k = 12 are below 2e-16
-- of the first. So a day keeps, besides its count, pK = Σ x^K (K = 1…12)
-- and qK = Σ value · x^K (K = 0…12), whatever the rule; the decayed sums
-- of any half-life follow from them. min_value and max_value bound the
-- values summed (a superseded signal does not narrow them), so a value
-- outside its code's range sends the score to the signals one by one.
CREATE TABLE score_signal_days (
    tenant_id  TEXT NOT NULL,
    vendor_id  TEXT NOT NULL,
    day        BIGINT NOT NULL,
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
    PRIMARY KEY (tenant_id, vendor_id, code, day)
);

-- +goose StatementBegin
CREATE FUNCTION score_signal_days_keep() RETURNS trigger AS $$
DECLARE
    r score_signals%ROWTYPE;
    s DOUBLE PRECISION;
    d BIGINT;
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
    d := floor(s / 86400);
    x := (s - d * 86400 - 43200) / 86400;
    v := COALESCE(r.value, 0);
    INSERT INTO score_signal_days (tenant_id, vendor_id, day, code, signals, p1, p2, p3, p4, p5, p6, p7, p8, p9, p10, p11, p12, q0, q1, q2, q3, q4, q5, q6, q7, q8, q9, q10, q11, q12, min_value, max_value)
    VALUES (r.tenant_id, r.vendor_id, d, r.code, g, g*x, g*x*x, g*x*x*x, g*x*x*x*x, g*x*x*x*x*x, g*x*x*x*x*x*x, g*x*x*x*x*x*x*x, g*x*x*x*x*x*x*x*x, g*x*x*x*x*x*x*x*x*x, g*x*x*x*x*x*x*x*x*x*x, g*x*x*x*x*x*x*x*x*x*x*x, g*x*x*x*x*x*x*x*x*x*x*x*x, g*v, g*v*x, g*v*x*x, g*v*x*x*x, g*v*x*x*x*x, g*v*x*x*x*x*x, g*v*x*x*x*x*x*x, g*v*x*x*x*x*x*x*x, g*v*x*x*x*x*x*x*x*x, g*v*x*x*x*x*x*x*x*x*x, g*v*x*x*x*x*x*x*x*x*x*x, g*v*x*x*x*x*x*x*x*x*x*x*x, g*v*x*x*x*x*x*x*x*x*x*x*x*x, v, v)
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
        min_value = LEAST(score_signal_days.min_value, excluded.min_value),
        max_value = GREATEST(score_signal_days.max_value, excluded.max_value);
    IF NOT accepted THEN
        DELETE FROM score_signal_days WHERE tenant_id = r.tenant_id AND vendor_id = r.vendor_id AND day = d AND code = r.code
            AND signals <= 0;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd

CREATE TRIGGER score_signal_days_insert AFTER INSERT ON score_signals
    FOR EACH ROW WHEN (NEW.vendor_id IS NOT NULL AND NEW.status IN ('normalized', 'scored'))
    EXECUTE FUNCTION score_signal_days_keep();
CREATE TRIGGER score_signal_days_accept AFTER UPDATE OF status ON score_signals
    FOR EACH ROW WHEN (NEW.vendor_id IS NOT NULL AND NEW.status IN ('normalized', 'scored') AND OLD.status NOT IN ('normalized', 'scored'))
    EXECUTE FUNCTION score_signal_days_keep();
CREATE TRIGGER score_signal_days_withdraw AFTER UPDATE OF status ON score_signals
    FOR EACH ROW WHEN (OLD.vendor_id IS NOT NULL AND OLD.status IN ('normalized', 'scored') AND NEW.status NOT IN ('normalized', 'scored'))
    EXECUTE FUNCTION score_signal_days_keep();

INSERT INTO score_signal_days (tenant_id, vendor_id, day, code, signals, p1, p2, p3, p4, p5, p6, p7, p8, p9, p10, p11, p12, q0, q1, q2, q3, q4, q5, q6, q7, q8, q9, q10, q11, q12, min_value, max_value)
SELECT tenant_id, vendor_id, day, code, COUNT(*), SUM(x), SUM(x*x), SUM(x*x*x), SUM(x*x*x*x), SUM(x*x*x*x*x), SUM(x*x*x*x*x*x), SUM(x*x*x*x*x*x*x), SUM(x*x*x*x*x*x*x*x), SUM(x*x*x*x*x*x*x*x*x), SUM(x*x*x*x*x*x*x*x*x*x), SUM(x*x*x*x*x*x*x*x*x*x*x), SUM(x*x*x*x*x*x*x*x*x*x*x*x), SUM(v), SUM(v*x), SUM(v*x*x), SUM(v*x*x*x), SUM(v*x*x*x*x), SUM(v*x*x*x*x*x), SUM(v*x*x*x*x*x*x), SUM(v*x*x*x*x*x*x*x), SUM(v*x*x*x*x*x*x*x*x), SUM(v*x*x*x*x*x*x*x*x*x), SUM(v*x*x*x*x*x*x*x*x*x*x), SUM(v*x*x*x*x*x*x*x*x*x*x*x), SUM(v*x*x*x*x*x*x*x*x*x*x*x*x), MIN(v), MAX(v) FROM (
    SELECT tenant_id, vendor_id, code, day, (s - day * 86400 - 43200) / 86400 AS x, v FROM (
        SELECT tenant_id, vendor_id, code, s, floor(s / 86400)::bigint AS day, v FROM (
            SELECT tenant_id, vendor_id, code, date_part('epoch', observed_at) AS s, COALESCE(value, 0) AS v
            FROM score_signals WHERE vendor_id IS NOT NULL AND status IN ('normalized', 'scored')) a) b) c
GROUP BY tenant_id, vendor_id, day, code;

-- The score reads a vendor's signals of the window's first and last day
-- one by one, by time.
DROP INDEX score_signals_vendor_idx;
CREATE INDEX score_signals_vendor_idx ON score_signals (tenant_id, vendor_id, observed_at, status, code, value);

-- +goose Down
DROP INDEX score_signals_vendor_idx;
CREATE INDEX score_signals_vendor_idx ON score_signals (tenant_id, vendor_id, code, observed_at, status, value);
DROP TRIGGER score_signal_days_withdraw ON score_signals;
DROP TRIGGER score_signal_days_accept ON score_signals;
DROP TRIGGER score_signal_days_insert ON score_signals;
DROP FUNCTION score_signal_days_keep();
DROP TABLE score_signal_days;
