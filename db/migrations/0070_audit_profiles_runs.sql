-- Shared tables that several capabilities write: one audit log, the accounts'
-- profile figures per day, and the end states of a collection run that did
-- not finish on its own.

-- Every change to clients, personnel, usernames, exceptions, accounts and
-- subscriptions, from WhatsApp, the CLI or the API (db/audit.py).
CREATE TABLE audit_log (
    id          BIGSERIAL PRIMARY KEY,
    at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    actor       TEXT NOT NULL,                         -- 62… number, dashboard username, cli user, "system"
    channel     TEXT NOT NULL CHECK (channel IN ('whatsapp', 'cli', 'api', 'system')),
    action      TEXT NOT NULL,                         -- e.g. personnel.update, client.create
    entity      TEXT NOT NULL,                         -- client | personnel | dashboard_account | …
    entity_id   TEXT NOT NULL,
    client_id   TEXT,                                  -- the client the change belongs to (no FK: history outlives rows)
    before      JSONB,
    after       JSONB,
    note        TEXT
);
CREATE INDEX audit_log_at_idx ON audit_log (at DESC);
CREATE INDEX audit_log_client_at_idx ON audit_log (client_id, at DESC);
CREATE INDEX audit_log_entity_idx ON audit_log (entity, entity_id, at DESC);

-- The profile figures RapidAPI returns for a client's account, one row per
-- (client, platform, Jakarta day): the last figures seen that day (db/profiles.py).
CREATE TABLE account_profiles (
    client_id     TEXT NOT NULL REFERENCES clients (id) ON DELETE CASCADE ON UPDATE CASCADE,
    platform      TEXT NOT NULL CHECK (platform IN ('instagram', 'tiktok')),
    day           DATE NOT NULL,
    username      TEXT NOT NULL,
    display_name  TEXT,
    followers     BIGINT,
    following     BIGINT,
    post_count    BIGINT,
    bio           TEXT,
    avatar_url    TEXT,
    fetched_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (client_id, platform, day)
);

-- A run cut short by a shutdown is `cancelled`; one left `running` by a process
-- that died is `abandoned` at the next start-up. `owner` names the process.
ALTER TABLE job_runs DROP CONSTRAINT job_runs_status_check;
ALTER TABLE job_runs ADD CONSTRAINT job_runs_status_check
    CHECK (status IN ('running', 'ok', 'partial', 'failed', 'skipped', 'cancelled', 'abandoned'));
ALTER TABLE job_runs ADD COLUMN owner TEXT;
