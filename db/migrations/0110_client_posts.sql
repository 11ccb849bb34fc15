-- A post is a task for every client whose account shows it (an Instagram
-- collaboration post, the same TikTok video on two accounts) and for every
-- client an admin added it to by hand: the (client, post) relation is data.
--
-- The post tables keep the content once per post (caption, counts, media);
-- `client_posts` says whose task it is, since when, and whether it was taken
-- off that client's list (per client: the API listing no longer showed it, or
-- an admin removed it with a reason).
--
-- `posted_at` is carried here on purpose: "a client's tasks of a day" is then
-- one range scan of `client_posts_client_day_idx` for both platforms, without
-- joining a platform table first. It is the post's own `posted_at`, kept equal
-- by the single writer (`db/posts.py: upsert_posts`); a manual task whose post
-- has not been seen yet carries the time it was added until the API tells.
CREATE TABLE client_posts (
    platform        TEXT NOT NULL CHECK (platform IN ('instagram', 'tiktok')),
    post_id         TEXT NOT NULL,                     -- shortcode or video id
    client_id       TEXT NOT NULL REFERENCES clients (id) ON UPDATE CASCADE,
    source          TEXT NOT NULL DEFAULT 'api' CHECK (source IN ('api', 'manual')),
    posted_at       TIMESTAMPTZ NOT NULL,              -- the task's day (see above)
    first_seen_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_seen_at    TIMESTAMPTZ NOT NULL DEFAULT now(), -- last listing of this client that showed it
    removed_at      TIMESTAMPTZ,                       -- off this client's task list since
    removed_reason  TEXT,
    removed_by      TEXT,                              -- NULL: the API listing; else who removed it by hand
    added_by        TEXT,                              -- manual rows: who added it
    PRIMARY KEY (platform, post_id, client_id),
    CHECK ((removed_at IS NULL) = (removed_reason IS NULL))
);
CREATE INDEX client_posts_client_day_idx ON client_posts (client_id, platform, posted_at);

-- Every stored post becomes a task row of the client that stored it.
INSERT INTO client_posts (platform, post_id, client_id, source, posted_at, first_seen_at, last_seen_at,
                          removed_at, removed_reason)
SELECT 'instagram', shortcode, client_id, 'api', posted_at, first_seen_at, last_seen_at, removed_at,
       CASE WHEN removed_at IS NOT NULL THEN 'not listed by the API' END
FROM instagram_posts;
INSERT INTO client_posts (platform, post_id, client_id, source, posted_at, first_seen_at, last_seen_at,
                          removed_at, removed_reason)
SELECT 'tiktok', video_id, client_id, 'api', posted_at, first_seen_at, last_seen_at, removed_at,
       CASE WHEN removed_at IS NOT NULL THEN 'not listed by the API' END
FROM tiktok_posts;

-- Ownership and removal now live in client_posts only (one place to read them).
ALTER TABLE instagram_posts DROP COLUMN client_id, DROP COLUMN removed_at;
ALTER TABLE tiktok_posts DROP COLUMN client_id, DROP COLUMN removed_at;
