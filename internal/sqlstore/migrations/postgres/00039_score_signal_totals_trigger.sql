-- +goose Up
-- One trigger per event keeps both running totals instead of one trigger
-- per total: each accepted or withdrawn signal runs one function, which
-- takes the block's row before the day's (the order writers that sort
-- their signals by code and day rely on to not deadlock). The totals and
-- their arithmetic are those of 00037 and 00038, to the bit: the powers
-- x^K and value·x^K are multiplied in the same order, but once into
-- variables, so each upsert's VALUES are plain parameters (PostgreSQL
-- builds a statement's expressions again on every execution; this takes
-- about a third off a signal's cost).
DROP TRIGGER score_signal_blocks_withdraw ON score_signals;
DROP TRIGGER score_signal_blocks_accept ON score_signals;
DROP TRIGGER score_signal_blocks_insert ON score_signals;
DROP TRIGGER score_signal_days_withdraw ON score_signals;
DROP TRIGGER score_signal_days_accept ON score_signals;
DROP TRIGGER score_signal_days_insert ON score_signals;
DROP FUNCTION score_signal_blocks_keep();
DROP FUNCTION score_signal_days_keep();

-- +goose StatementBegin
CREATE FUNCTION score_signal_totals_keep() RETURNS trigger AS $$
DECLARE
    r score_signals%ROWTYPE;
    s DOUBLE PRECISION;
    b BIGINT;
    d BIGINT;
    x DOUBLE PRECISION;
    v DOUBLE PRECISION;
    g INTEGER;
    x2 DOUBLE PRECISION;
    x3 DOUBLE PRECISION;
    x4 DOUBLE PRECISION;
    x5 DOUBLE PRECISION;
    x6 DOUBLE PRECISION;
    x7 DOUBLE PRECISION;
    x8 DOUBLE PRECISION;
    x9 DOUBLE PRECISION;
    x10 DOUBLE PRECISION;
    x11 DOUBLE PRECISION;
    x12 DOUBLE PRECISION;
    w0 DOUBLE PRECISION;
    w1 DOUBLE PRECISION;
    w2 DOUBLE PRECISION;
    w3 DOUBLE PRECISION;
    w4 DOUBLE PRECISION;
    w5 DOUBLE PRECISION;
    w6 DOUBLE PRECISION;
    w7 DOUBLE PRECISION;
    w8 DOUBLE PRECISION;
    w9 DOUBLE PRECISION;
    w10 DOUBLE PRECISION;
    w11 DOUBLE PRECISION;
    w12 DOUBLE PRECISION;
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
    v := COALESCE(r.value, 0);
    -- The block's totals first: x is the time after the block's middle.
    b := floor(s / 2419200);
    x := (s - b * 2419200 - 1209600) / 2419200;
    x2 := x*x;
    x3 := x2*x;
    x4 := x3*x;
    x5 := x4*x;
    x6 := x5*x;
    x7 := x6*x;
    x8 := x7*x;
    x9 := x8*x;
    x10 := x9*x;
    x11 := x10*x;
    x12 := x11*x;
    w0 := g*v;
    w1 := g*v*x;
    w2 := w1*x;
    w3 := w2*x;
    w4 := w3*x;
    w5 := w4*x;
    w6 := w5*x;
    w7 := w6*x;
    w8 := w7*x;
    w9 := w8*x;
    w10 := w9*x;
    w11 := w10*x;
    w12 := w11*x;
    INSERT INTO score_signal_blocks (tenant_id, vendor_id, block, code, signals, p1, p2, p3, p4, p5, p6, p7, p8, p9, p10, p11, p12, q0, q1, q2, q3, q4, q5, q6, q7, q8, q9, q10, q11, q12, min_value, max_value)
    VALUES (r.tenant_id, r.vendor_id, b, r.code, g, g*x, g*x2, g*x3, g*x4, g*x5, g*x6, g*x7, g*x8, g*x9, g*x10, g*x11, g*x12, w0, w1, w2, w3, w4, w5, w6, w7, w8, w9, w10, w11, w12, v, v)
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
    -- Then the day's: x is the time after the day's noon.
    d := floor(s / 86400);
    x := (s - d * 86400 - 43200) / 86400;
    x2 := x*x;
    x3 := x2*x;
    x4 := x3*x;
    x5 := x4*x;
    x6 := x5*x;
    x7 := x6*x;
    x8 := x7*x;
    x9 := x8*x;
    x10 := x9*x;
    x11 := x10*x;
    x12 := x11*x;
    w0 := g*v;
    w1 := g*v*x;
    w2 := w1*x;
    w3 := w2*x;
    w4 := w3*x;
    w5 := w4*x;
    w6 := w5*x;
    w7 := w6*x;
    w8 := w7*x;
    w9 := w8*x;
    w10 := w9*x;
    w11 := w10*x;
    w12 := w11*x;
    INSERT INTO score_signal_days (tenant_id, vendor_id, day, code, signals, p1, p2, p3, p4, p5, p6, p7, p8, p9, p10, p11, p12, q0, q1, q2, q3, q4, q5, q6, q7, q8, q9, q10, q11, q12, min_value, max_value)
    VALUES (r.tenant_id, r.vendor_id, d, r.code, g, g*x, g*x2, g*x3, g*x4, g*x5, g*x6, g*x7, g*x8, g*x9, g*x10, g*x11, g*x12, w0, w1, w2, w3, w4, w5, w6, w7, w8, w9, w10, w11, w12, v, v)
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

CREATE TRIGGER score_signal_totals_insert AFTER INSERT ON score_signals
    FOR EACH ROW WHEN (NEW.vendor_id IS NOT NULL AND NEW.status IN ('normalized', 'scored'))
    EXECUTE FUNCTION score_signal_totals_keep();
CREATE TRIGGER score_signal_totals_accept AFTER UPDATE OF status ON score_signals
    FOR EACH ROW WHEN (NEW.vendor_id IS NOT NULL AND NEW.status IN ('normalized', 'scored') AND OLD.status NOT IN ('normalized', 'scored'))
    EXECUTE FUNCTION score_signal_totals_keep();
CREATE TRIGGER score_signal_totals_withdraw AFTER UPDATE OF status ON score_signals
    FOR EACH ROW WHEN (OLD.vendor_id IS NOT NULL AND OLD.status IN ('normalized', 'scored') AND NEW.status NOT IN ('normalized', 'scored'))
    EXECUTE FUNCTION score_signal_totals_keep();

-- +goose Down
DROP TRIGGER score_signal_totals_withdraw ON score_signals;
DROP TRIGGER score_signal_totals_accept ON score_signals;
DROP TRIGGER score_signal_totals_insert ON score_signals;
DROP FUNCTION score_signal_totals_keep();

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

CREATE TRIGGER score_signal_blocks_insert AFTER INSERT ON score_signals
    FOR EACH ROW WHEN (NEW.vendor_id IS NOT NULL AND NEW.status IN ('normalized', 'scored'))
    EXECUTE FUNCTION score_signal_blocks_keep();
CREATE TRIGGER score_signal_blocks_accept AFTER UPDATE OF status ON score_signals
    FOR EACH ROW WHEN (NEW.vendor_id IS NOT NULL AND NEW.status IN ('normalized', 'scored') AND OLD.status NOT IN ('normalized', 'scored'))
    EXECUTE FUNCTION score_signal_blocks_keep();
CREATE TRIGGER score_signal_blocks_withdraw AFTER UPDATE OF status ON score_signals
    FOR EACH ROW WHEN (OLD.vendor_id IS NOT NULL AND OLD.status IN ('normalized', 'scored') AND NEW.status NOT IN ('normalized', 'scored'))
    EXECUTE FUNCTION score_signal_blocks_keep();
CREATE TRIGGER score_signal_days_insert AFTER INSERT ON score_signals
    FOR EACH ROW WHEN (NEW.vendor_id IS NOT NULL AND NEW.status IN ('normalized', 'scored'))
    EXECUTE FUNCTION score_signal_days_keep();
CREATE TRIGGER score_signal_days_accept AFTER UPDATE OF status ON score_signals
    FOR EACH ROW WHEN (NEW.vendor_id IS NOT NULL AND NEW.status IN ('normalized', 'scored') AND OLD.status NOT IN ('normalized', 'scored'))
    EXECUTE FUNCTION score_signal_days_keep();
CREATE TRIGGER score_signal_days_withdraw AFTER UPDATE OF status ON score_signals
    FOR EACH ROW WHEN (OLD.vendor_id IS NOT NULL AND OLD.status IN ('normalized', 'scored') AND NEW.status NOT IN ('normalized', 'scored'))
    EXECUTE FUNCTION score_signal_days_keep();
