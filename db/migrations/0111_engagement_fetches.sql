-- A repeat collection run must not rewrite every engagement row: "last seen"
-- is recorded per post and fetch, not per (post, username) row, and the
-- number of rows held per post is kept beside the post, maintained by the
-- merge from the rows it really inserted (db/engagements.py).

ALTER TABLE engagements DROP COLUMN last_seen_at;

-- `engagement_digest` fingerprints the last listing of likers/commenters that
-- was merged: a fetch that lists exactly the same names again has nothing new
-- and skips the merge.
ALTER TABLE instagram_posts
    ADD COLUMN engagement_fetched_at TIMESTAMPTZ,          -- last time its likers were fetched (any client)
    ADD COLUMN engagement_digest TEXT,
    ADD COLUMN recorded_engagements INTEGER NOT NULL DEFAULT 0;  -- rows in `engagements` for the post
ALTER TABLE tiktok_posts
    ADD COLUMN engagement_fetched_at TIMESTAMPTZ,          -- last time its commenters were fetched
    ADD COLUMN engagement_digest TEXT,
    ADD COLUMN recorded_engagements INTEGER NOT NULL DEFAULT 0;

UPDATE instagram_posts p SET recorded_engagements = e.n
FROM (SELECT post_id, count(*) AS n FROM engagements WHERE platform = 'instagram' GROUP BY post_id) e
WHERE e.post_id = p.shortcode;
UPDATE tiktok_posts p SET recorded_engagements = e.n
FROM (SELECT post_id, count(*) AS n FROM engagements WHERE platform = 'tiktok' GROUP BY post_id) e
WHERE e.post_id = p.video_id;

-- Attendance reads a period's engagement through its posts (the primary key's
-- (platform, post_id) prefix); the per-username index only cost every insert
-- a random b-tree write.
DROP INDEX engagements_username_idx;
