-- Monthly totals of the attendance ledger, so a month (or a year, or "all data") reads one row per person
-- instead of thirty. Kept by triggers from every change of `attendance_ledger` (set-based, per
-- statement), so no writer has to know about it; derived from the ledger like the ledger is derived
-- from raw engagement, and rebuilt with it.
CREATE TABLE attendance_ledger_monthly (
    client_id  TEXT NOT NULL,                       -- no foreign keys: the triggers follow the ledger's own
    platform   TEXT NOT NULL,                       -- cascades (a renamed client moves its totals, a deleted
    month      DATE NOT NULL,                       -- person's fall to 0); first day of the month
    nrp        TEXT NOT NULL,
    done       INTEGER NOT NULL,                    -- sum of cardinality(post_ids) of the month's ledger rows
    PRIMARY KEY (client_id, platform, month, nrp)
);

-- One statement per event, reading only the transition tables the event has. A total that falls to 0
-- keeps its row (a sum of 0 changes no figure; deleting it in the same statement is not possible).
CREATE FUNCTION attendance_ledger_monthly_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO attendance_ledger_monthly AS m (client_id, platform, month, nrp, done)
            SELECT client_id, platform, date_trunc('month', day)::date, nrp, sum(cardinality(post_ids))::int
            FROM new_rows GROUP BY 1, 2, 3, 4
            ON CONFLICT (client_id, platform, month, nrp) DO UPDATE SET done = m.done + EXCLUDED.done;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO attendance_ledger_monthly AS m (client_id, platform, month, nrp, done)
            SELECT client_id, platform, date_trunc('month', day)::date, nrp, sum(n)::int
            FROM (SELECT client_id, platform, day, nrp, cardinality(post_ids) AS n FROM new_rows
                  UNION ALL
                  SELECT client_id, platform, day, nrp, -cardinality(post_ids) FROM old_rows) d
            GROUP BY 1, 2, 3, 4 HAVING sum(n) <> 0
            ON CONFLICT (client_id, platform, month, nrp) DO UPDATE SET done = m.done + EXCLUDED.done;
    ELSE
        UPDATE attendance_ledger_monthly m SET done = m.done - d.n
            FROM (SELECT client_id, platform, date_trunc('month', day)::date AS month, nrp,
                         sum(cardinality(post_ids))::int AS n
                  FROM old_rows GROUP BY 1, 2, 3, 4) d
            WHERE m.client_id = d.client_id AND m.platform = d.platform AND m.month = d.month AND m.nrp = d.nrp;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER attendance_ledger_monthly_insert AFTER INSERT ON attendance_ledger
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION attendance_ledger_monthly_apply();
CREATE TRIGGER attendance_ledger_monthly_update AFTER UPDATE ON attendance_ledger
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION attendance_ledger_monthly_apply();
CREATE TRIGGER attendance_ledger_monthly_delete AFTER DELETE ON attendance_ledger
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION attendance_ledger_monthly_apply();

INSERT INTO attendance_ledger_monthly (client_id, platform, month, nrp, done)
SELECT client_id, platform, date_trunc('month', day)::date, nrp, sum(cardinality(post_ids))::int
FROM attendance_ledger GROUP BY 1, 2, 3, 4;
