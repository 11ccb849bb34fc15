-- The attendance ledger: who did which of a client's tasks, per day, kept on write.
--
-- Raw engagement (`engagements`, one row per post × username) stays the source
-- of truth; `attendance_ledger` is derived from it and may be dropped and rebuilt
-- at any time (`cicero attendance rebuild`). One row per (task client, platform,
-- day, person) that did at least one of that client's tasks of the day: the ids
-- of those tasks. A recap reads the rows of its client and days instead of
-- joining posts × engagements × personnel (db/README.md explains the shape).

-- The normalised username (trim, one leading @, lower-case; NULL when empty), stored
-- once so that matching a username is an index lookup and every query agrees.
ALTER TABLE personnel
    ADD COLUMN instagram_handle TEXT
        GENERATED ALWAYS AS (NULLIF(lower(regexp_replace(btrim(instagram), '^@', '')), '')) STORED,
    ADD COLUMN tiktok_handle TEXT
        GENERATED ALWAYS AS (NULLIF(lower(regexp_replace(btrim(tiktok), '^@', '')), '')) STORED;
CREATE INDEX personnel_instagram_handle_idx ON personnel (instagram_handle) WHERE instagram_handle IS NOT NULL;
CREATE INDEX personnel_tiktok_handle_idx ON personnel (tiktok_handle) WHERE tiktok_handle IS NOT NULL;

-- The zone the ledger's days are in (a rebuild sets it to the configured one).
CREATE TABLE attendance_ledger_state (
    only_row    BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (only_row),
    zone        TEXT NOT NULL DEFAULT 'Asia/Jakarta',
    rebuilt_at  TIMESTAMPTZ
);
INSERT INTO attendance_ledger_state DEFAULT VALUES;

CREATE TABLE attendance_ledger (
    client_id  TEXT NOT NULL REFERENCES clients (id) ON DELETE CASCADE ON UPDATE CASCADE,  -- whose tasks
    platform   TEXT NOT NULL CHECK (platform IN ('instagram', 'tiktok')),
    day        DATE NOT NULL,                        -- the tasks' day in attendance_ledger_state.zone
    nrp        TEXT NOT NULL REFERENCES personnel (nrp) ON DELETE CASCADE ON UPDATE CASCADE,
    post_ids   TEXT[] NOT NULL,                      -- the day's tasks of the client done, sorted, distinct
    PRIMARY KEY (client_id, platform, day, nrp)
);
CREATE INDEX attendance_ledger_nrp_idx ON attendance_ledger (nrp);

-- Fill it from what is stored (the post tables still carry client_id/removed_at here;
-- migration 0110 turns exactly those into client_posts rows).
INSERT INTO attendance_ledger (client_id, platform, day, nrp, post_ids)
SELECT t.client_id, t.platform, (t.posted_at AT TIME ZONE 'Asia/Jakarta')::date, p.nrp,
       array_agg(DISTINCT t.post_id ORDER BY t.post_id)
FROM (
    SELECT 'instagram' AS platform, shortcode AS post_id, client_id, posted_at FROM instagram_posts
    WHERE removed_at IS NULL
    UNION ALL
    SELECT 'tiktok', video_id, client_id, posted_at FROM tiktok_posts WHERE removed_at IS NULL
) t
JOIN engagements e ON e.platform = t.platform AND e.post_id = t.post_id
JOIN personnel p ON (t.platform = 'instagram' AND p.instagram_handle = e.username)
                 OR (t.platform = 'tiktok' AND p.tiktok_handle = e.username)
GROUP BY 1, 2, 3, 4;
