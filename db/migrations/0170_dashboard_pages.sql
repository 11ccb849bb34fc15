-- The dashboard's own account and complaint flows (issue 20).

-- A self-registered dashboard account waits here for an admin's `ya ID` / `tidak ID`
-- in WhatsApp (db/signups.py). The account row exists from the start, inactive.
CREATE TABLE dashboard_registrations (
    id            BIGSERIAL PRIMARY KEY,                 -- the ID the admins type
    account_id    BIGINT NOT NULL REFERENCES dashboard_accounts (id) ON DELETE CASCADE,
    requested_at  TIMESTAMPTZ NOT NULL,
    ip            TEXT,
    decision      TEXT CHECK (decision IN ('approved', 'refused')),
    decided_by    TEXT,                                  -- the admin's number
    decided_at    TIMESTAMPTZ,
    CHECK ((decision IS NULL) = (decided_at IS NULL))
);
-- one open registration per account
CREATE UNIQUE INDEX dashboard_registrations_open_idx ON dashboard_registrations (account_id) WHERE decision IS NULL;

-- Every password-reset request (db/password_resets.py): one that matched an account
-- carries the one-time code sent to its WhatsApp number (only an HMAC of it is
-- kept); one that matched nothing is kept too (account_id NULL), so the limit
-- per address counts every request.
CREATE TABLE dashboard_password_resets (
    id            BIGSERIAL PRIMARY KEY,
    account_id    BIGINT REFERENCES dashboard_accounts (id) ON DELETE CASCADE,
    code_hash     TEXT,
    requested_at  TIMESTAMPTZ NOT NULL,
    expires_at    TIMESTAMPTZ NOT NULL,
    attempts      INTEGER NOT NULL DEFAULT 0,            -- wrong codes typed
    used_at       TIMESTAMPTZ,
    ip            TEXT,
    CHECK ((account_id IS NULL) = (code_hash IS NULL))
);
CREATE INDEX dashboard_password_resets_account_idx ON dashboard_password_resets (account_id, requested_at DESC);
CREATE INDEX dashboard_password_resets_ip_idx ON dashboard_password_resets (ip, requested_at DESC);

-- "Sudah melaksanakan tetapi belum terdata": a complaint from the dashboard, what the
-- stored engagement said at that moment, and whether it went to the operator (db/complaints.py).
CREATE TABLE complaints (
    id              BIGSERIAL PRIMARY KEY,
    platform        TEXT NOT NULL CHECK (platform IN ('instagram', 'tiktok')),
    nrp             TEXT NOT NULL,                       -- no FK: the record outlives renames and deletions
    client_id       TEXT NOT NULL,
    username        TEXT,                                -- as reported (normalised)
    issue           TEXT NOT NULL,
    reported_by     TEXT NOT NULL,                       -- dashboard username or operator login
    reported_at     TIMESTAMPTZ NOT NULL,
    tasks           INTEGER NOT NULL,                    -- the day's tasks of the person
    done            INTEGER NOT NULL,                    -- of those, recorded as done
    last_fetch_at   TIMESTAMPTZ,                         -- the client's last collection when checked
    forwarded_to    TEXT                                 -- the operator's number, when forwarded
);
CREATE INDEX complaints_client_idx ON complaints (client_id, reported_at DESC);
