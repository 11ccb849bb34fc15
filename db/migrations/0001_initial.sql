-- Cicero initial schema: the whole product's tables.
-- Names are English; db/README.md maps them to the original system's names.
-- Every timestamp is TIMESTAMPTZ; "today" is computed in Asia/Jakarta by the
-- application and passed in as a [start, end) range.

CREATE TABLE clients (
    id                 TEXT PRIMARY KEY,               -- DITBINMAS, POLRES_BLITAR (upper-case)
    name               TEXT NOT NULL,
    type               TEXT NOT NULL CHECK (type IN ('org', 'direktorat')),
    active             BOOLEAN NOT NULL DEFAULT TRUE,
    instagram          TEXT,                           -- account username, lower-case, no @
    instagram_active   BOOLEAN NOT NULL DEFAULT TRUE,
    tiktok             TEXT,
    tiktok_active      BOOLEAN NOT NULL DEFAULT TRUE,
    tiktok_secuid      TEXT,
    group_ids          TEXT[] NOT NULL DEFAULT '{}',   -- normalised <digits>@g.us
    operator_phone     TEXT,                           -- 62… digits
    super_phones       TEXT[] NOT NULL DEFAULT '{}',
    regional_id        TEXT,
    parent_id          TEXT REFERENCES clients (id) ON DELETE SET NULL,
    created_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at         TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX clients_parent_idx ON clients (parent_id);
CREATE INDEX clients_regional_idx ON clients (regional_id);
CREATE INDEX clients_operator_idx ON clients (operator_phone);

CREATE TABLE personnel (
    nrp          TEXT PRIMARY KEY,                     -- NRP/NIP, digits
    name         TEXT NOT NULL,
    rank         TEXT,                                 -- pangkat (original: title)
    division     TEXT,                                 -- satfung (original: divisi)
    position     TEXT,                                 -- jabatan
    instagram    TEXT,                                 -- lower-case, no @
    tiktok       TEXT,                                 -- lower-case, no @
    whatsapp     TEXT,                                 -- 62… digits
    client_id    TEXT NOT NULL REFERENCES clients (id) ON UPDATE CASCADE,
    active       BOOLEAN NOT NULL DEFAULT TRUE,
    exception    BOOLEAN NOT NULL DEFAULT FALSE,       -- counts as done in attendance
    roles        TEXT[] NOT NULL DEFAULT '{}',         -- e.g. {operator, ditbinmas}
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX personnel_client_idx ON personnel (client_id) WHERE active;
CREATE INDEX personnel_instagram_idx ON personnel (instagram) WHERE instagram IS NOT NULL;
CREATE INDEX personnel_tiktok_idx ON personnel (tiktok) WHERE tiktok IS NOT NULL;
CREATE INDEX personnel_whatsapp_idx ON personnel (whatsapp) WHERE whatsapp IS NOT NULL;
CREATE INDEX personnel_roles_idx ON personnel USING GIN (roles);

CREATE TABLE dashboard_accounts (
    id             BIGSERIAL PRIMARY KEY,
    username       TEXT NOT NULL,
    password_hash  TEXT NOT NULL,
    role           TEXT NOT NULL,                      -- admin, operator, ditbinmas, …
    whatsapp       TEXT,
    active         BOOLEAN NOT NULL DEFAULT TRUE,
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at     TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX dashboard_accounts_username_idx ON dashboard_accounts (lower(username));
CREATE INDEX dashboard_accounts_whatsapp_idx ON dashboard_accounts (whatsapp) WHERE whatsapp IS NOT NULL;

CREATE TABLE dashboard_account_clients (
    account_id  BIGINT NOT NULL REFERENCES dashboard_accounts (id) ON DELETE CASCADE,
    client_id   TEXT NOT NULL REFERENCES clients (id) ON DELETE CASCADE ON UPDATE CASCADE,
    PRIMARY KEY (account_id, client_id)
);

CREATE TABLE instagram_posts (
    shortcode      TEXT PRIMARY KEY,
    client_id      TEXT NOT NULL REFERENCES clients (id) ON UPDATE CASCADE,
    caption        TEXT,
    posted_at      TIMESTAMPTZ NOT NULL,
    like_count     INTEGER NOT NULL DEFAULT 0,
    comment_count  INTEGER NOT NULL DEFAULT 0,
    is_video       BOOLEAN NOT NULL DEFAULT FALSE,
    is_carousel    BOOLEAN NOT NULL DEFAULT FALSE,
    thumbnail_url  TEXT,
    image_url      TEXT,
    video_url      TEXT,
    first_seen_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_seen_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    removed_at     TIMESTAMPTZ,                        -- set when a complete answer no longer lists it
    updated_at     TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX instagram_posts_client_day_idx ON instagram_posts (client_id, posted_at);

CREATE TABLE tiktok_posts (
    video_id       TEXT PRIMARY KEY,
    client_id      TEXT NOT NULL REFERENCES clients (id) ON UPDATE CASCADE,
    caption        TEXT,
    posted_at      TIMESTAMPTZ NOT NULL,
    like_count     INTEGER NOT NULL DEFAULT 0,
    comment_count  INTEGER NOT NULL DEFAULT 0,
    share_count    INTEGER NOT NULL DEFAULT 0,
    view_count     BIGINT NOT NULL DEFAULT 0,
    cover_url      TEXT,
    first_seen_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_seen_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    removed_at     TIMESTAMPTZ,
    updated_at     TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX tiktok_posts_client_day_idx ON tiktok_posts (client_id, posted_at);

-- One row per (post, username): an Instagram like or a TikTok comment.
-- Rows are only ever added or touched (last_seen_at), so a partial API answer
-- never shrinks attendance.
CREATE TABLE engagements (
    platform       TEXT NOT NULL CHECK (platform IN ('instagram', 'tiktok')),
    post_id        TEXT NOT NULL,                      -- shortcode or video_id
    username       TEXT NOT NULL,                      -- lower-case, no @
    first_seen_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_seen_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (platform, post_id, username)
);
CREATE INDEX engagements_username_idx ON engagements (platform, username);

-- Per-client notification state (original: wa_notification_scheduler_state).
CREATE TABLE notification_state (
    client_id             TEXT PRIMARY KEY REFERENCES clients (id) ON DELETE CASCADE ON UPDATE CASCADE,
    last_instagram_count  INTEGER NOT NULL DEFAULT 0,
    last_tiktok_count     INTEGER NOT NULL DEFAULT 0,
    notified_instagram    TEXT[] NOT NULL DEFAULT '{}',   -- post ids last notified
    notified_tiktok       TEXT[] NOT NULL DEFAULT '{}',
    state_day             DATE,                            -- Jakarta day the ids above belong to
    last_notified_slot    TEXT,                            -- YYYY-MM-DD-HH@05
    last_notified_at      TIMESTAMPTZ,
    updated_at            TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Every automatic WhatsApp message, written before it is sent.
CREATE TABLE outbox (
    id               BIGSERIAL PRIMARY KEY,
    idempotency_key  TEXT NOT NULL UNIQUE,
    recipient        TEXT NOT NULL,                    -- 62… or …@g.us
    kind             TEXT NOT NULL,                    -- task_scheduled, task_change, admin_log, …
    client_id        TEXT REFERENCES clients (id) ON DELETE SET NULL ON UPDATE CASCADE,
    body             TEXT NOT NULL,
    document         BYTEA,
    filename         TEXT,
    mimetype         TEXT,
    status           TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'dead')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    max_attempts     INTEGER NOT NULL DEFAULT 5,
    next_attempt_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    claimed_at       TIMESTAMPTZ,
    claimed_by       TEXT,
    wa_message_id    TEXT,
    last_error       TEXT,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    sent_at          TIMESTAMPTZ
);
CREATE INDEX outbox_due_idx ON outbox (status, next_attempt_at, id);
CREATE INDEX outbox_client_idx ON outbox (client_id, status);

-- Admin-log deduplication: the same error at most once per window.
CREATE TABLE admin_alerts (
    fingerprint      TEXT PRIMARY KEY,
    level            TEXT NOT NULL,
    last_text        TEXT NOT NULL,
    first_seen_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_sent_at     TIMESTAMPTZ,
    suppressed_count INTEGER NOT NULL DEFAULT 0
);

-- Conversation state per (chat, sender); survives restarts.
CREATE TABLE conversation_sessions (
    chat_id     TEXT NOT NULL,
    sender      TEXT NOT NULL,
    state       JSONB NOT NULL DEFAULT '{}',
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (chat_id, sender)
);

-- One row per collection run (scheduled, manual or queued).
CREATE TABLE job_runs (
    id           BIGSERIAL PRIMARY KEY,
    job          TEXT NOT NULL,                        -- fetch_posts, fetch_engagement, …
    phase        TEXT,                                 -- post_fetch | engagement_only
    trigger      TEXT NOT NULL DEFAULT 'schedule',     -- schedule | manual | admin | queue
    status       TEXT NOT NULL DEFAULT 'running'
                 CHECK (status IN ('running', 'ok', 'partial', 'failed', 'skipped')),
    started_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    finished_at  TIMESTAMPTZ,
    clients      JSONB NOT NULL DEFAULT '{}',          -- per client: counts before/after, duration
    errors       JSONB NOT NULL DEFAULT '[]',
    note         TEXT
);
CREATE INDEX job_runs_job_started_idx ON job_runs (job, started_at DESC);

-- Units of work that may run on a worker (queue issue); one row per task id.
CREATE TABLE tasks (
    id           UUID PRIMARY KEY,
    kind         TEXT NOT NULL,
    payload      JSONB NOT NULL DEFAULT '{}',
    job_run_id   BIGINT REFERENCES job_runs (id) ON DELETE SET NULL,
    status       TEXT NOT NULL DEFAULT 'queued'
                 CHECK (status IN ('queued', 'running', 'done', 'failed', 'dead')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    result       JSONB,
    error        TEXT,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    started_at   TIMESTAMPTZ,
    finished_at  TIMESTAMPTZ
);
CREATE INDEX tasks_run_idx ON tasks (job_run_id);
CREATE INDEX tasks_status_idx ON tasks (status, created_at);

CREATE TABLE login_log (
    id          BIGSERIAL PRIMARY KEY,
    login_type  TEXT NOT NULL,                         -- client_operator | dashboard
    actor       TEXT NOT NULL,                         -- username or client id + number
    success     BOOLEAN NOT NULL,
    reason      TEXT,
    ip          TEXT,
    user_agent  TEXT,
    logged_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX login_log_actor_idx ON login_log (actor, logged_at DESC);
CREATE INDEX login_log_ip_idx ON login_log (ip, logged_at DESC);
