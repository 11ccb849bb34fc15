-- The RapidAPI quota meter: requests per key and Jakarta day, and the latest
-- x-ratelimit-* figures the API sent for each key (db/quota.py). A key is
-- never stored: `key_id` is the first 12 hex digits of its SHA-256.
CREATE TABLE rapidapi_usage (
    platform  TEXT NOT NULL CHECK (platform IN ('instagram', 'tiktok')),
    key_id    TEXT NOT NULL,
    day       DATE NOT NULL,
    requests  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (platform, key_id, day)
);

CREATE TABLE rapidapi_quota (
    platform             TEXT NOT NULL CHECK (platform IN ('instagram', 'tiktok')),
    key_id               TEXT NOT NULL,
    limit_requests       BIGINT,                 -- x-ratelimit-requests-limit
    remaining            BIGINT,                 -- x-ratelimit-requests-remaining
    reset_seconds        BIGINT,                 -- x-ratelimit-requests-reset
    observed_at          TIMESTAMPTZ NOT NULL,
    low_warned_at        TIMESTAMPTZ,            -- the admins were told it fell under the share (cleared on recovery)
    exhausted_warned_at  TIMESTAMPTZ,            -- the admins were told it ran out (cleared on recovery)
    PRIMARY KEY (platform, key_id)
);
