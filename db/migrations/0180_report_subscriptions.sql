-- Report subscriptions (issue 15): which report goes to whom, when, as data.

-- One row per scheduled report. Recipients are specs resolved at send time from
-- the client record (`group`, `super_admins`, `operators`, `admins`,
-- `group:<id>@g.us`, `number:<62…>`), never numbers copied from it.
-- `times` are local HH:MM in the configured zone. A default seeded from
-- `[reports]` carries its `default_key` (seeded once, see report_subscription_defaults)
-- and, while no admin has set its times, `times_setting` (the `[reports]` key its
-- times follow); an admin's `set --times` clears it, so settings never overwrite an edit.
CREATE TABLE report_subscriptions (
    id             BIGSERIAL PRIMARY KEY,                -- the ID admins type
    report         TEXT NOT NULL,                        -- an action id of handlers/reports/catalog.REPORTS
    client_id      TEXT NOT NULL,                        -- no FK: a removed client shows as inactive with the reason
    recipients     TEXT[] NOT NULL,
    times          TEXT[] NOT NULL,
    period         TEXT NOT NULL,
    active         BOOLEAN NOT NULL DEFAULT true,
    skip_if_empty  BOOLEAN NOT NULL DEFAULT false,
    default_key    TEXT UNIQUE,
    times_setting  TEXT,
    created_by     TEXT NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL,
    changed_by     TEXT NOT NULL,
    changed_at     TIMESTAMPTZ NOT NULL,                 -- no slot before this is fired (catch-up starts here)
    CHECK (cardinality(recipients) BETWEEN 1 AND 20),
    CHECK (cardinality(times) <= 24)
);
CREATE INDEX report_subscriptions_client_idx ON report_subscriptions (client_id);

-- Every default ever seeded, kept when its subscription is removed: a default
-- an admin deleted is never seeded again.
CREATE TABLE report_subscription_defaults (
    default_key    TEXT PRIMARY KEY,
    seeded_at      TIMESTAMPTZ NOT NULL
);

-- One row per fired slot (subscription × scheduled instant), written in the
-- transaction that queues its messages: a restart or a second process skips a
-- slot that has a row; a crash before commit leaves none, so catch-up fires it.
CREATE TABLE report_fires (
    subscription_id BIGINT NOT NULL REFERENCES report_subscriptions (id) ON DELETE CASCADE,
    slot_at         TIMESTAMPTZ NOT NULL,
    fired_at        TIMESTAMPTZ NOT NULL,
    outcome         TEXT NOT NULL CHECK (outcome IN ('queued', 'empty', 'failed', 'no_recipients')),
    queued          INTEGER NOT NULL DEFAULT 0,
    error           TEXT,
    PRIMARY KEY (subscription_id, slot_at)
);
CREATE INDEX report_fires_slot_idx ON report_fires (slot_at);
