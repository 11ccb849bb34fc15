-- Monthly totals hold the closed days only. `attendance_ledger_monthly` used to follow every write of the
-- ledger, so every collection run paid a second upsert per person it marked (a fifth of the ledger's cost in
-- a run). Now a total covers the days up to `attendance_ledger_state.folded_through`; a period's later days
-- are read from the daily rows. A collection run first folds the days before today in
-- (`db/attendance_ledger.py: fold_days`), so the runs of the day write only daily rows, and a month's
-- recap adds at most a day or two of daily rows to its totals.
--
-- 'infinity' (the start): every day is folded, as before this migration.
ALTER TABLE attendance_ledger_state ADD COLUMN folded_through DATE NOT NULL DEFAULT 'infinity';

-- The triggers apply only the rows of folded days. A writer of the ledger holds its ROW EXCLUSIVE lock
-- until it commits and `fold_days` takes SHARE ROW EXCLUSIVE, so the edge never moves while a writer that
-- has applied (or left out) rows by it is still open.
CREATE OR REPLACE FUNCTION attendance_ledger_monthly_apply() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    folded DATE := (SELECT coalesce(max(folded_through), 'infinity') FROM attendance_ledger_state);
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO attendance_ledger_monthly AS m (client_id, platform, month, nrp, done)
            SELECT client_id, platform, date_trunc('month', day)::date, nrp, sum(cardinality(post_ids))::int
            FROM new_rows WHERE day <= folded GROUP BY 1, 2, 3, 4
            ON CONFLICT (client_id, platform, month, nrp) DO UPDATE SET done = m.done + EXCLUDED.done;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO attendance_ledger_monthly AS m (client_id, platform, month, nrp, done)
            SELECT client_id, platform, date_trunc('month', day)::date, nrp, sum(n)::int
            FROM (SELECT client_id, platform, day, nrp, cardinality(post_ids) AS n FROM new_rows WHERE day <= folded
                  UNION ALL
                  SELECT client_id, platform, day, nrp, -cardinality(post_ids) FROM old_rows WHERE day <= folded) d
            GROUP BY 1, 2, 3, 4 HAVING sum(n) <> 0
            ON CONFLICT (client_id, platform, month, nrp) DO UPDATE SET done = m.done + EXCLUDED.done;
    ELSE
        UPDATE attendance_ledger_monthly m SET done = m.done - d.n
            FROM (SELECT client_id, platform, date_trunc('month', day)::date AS month, nrp,
                         sum(cardinality(post_ids))::int AS n
                  FROM old_rows WHERE day <= folded GROUP BY 1, 2, 3, 4) d
            WHERE m.client_id = d.client_id AND m.platform = d.platform AND m.month = d.month AND m.nrp = d.nrp;
    END IF;
    RETURN NULL;
END
$$;
