-- The WhatsApp admin console (issue 17).

-- Groups registered from WhatsApp (`grup log` in the group) that receive the
-- admin log besides `[whatsapp] admins` and `admin_groups` (db/admin_log_groups.py).
CREATE TABLE admin_log_groups (
    group_id   TEXT PRIMARY KEY,                       -- <digits>@g.us
    name       TEXT,                                   -- the group's subject when it was registered
    added_by   TEXT NOT NULL,
    added_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- A personnel import checked from WhatsApp (dry run) and waiting for the
-- sender's `ya`: the rows exactly as read, so what is applied is what was
-- previewed (db/import_previews.py). Removed when applied, cancelled or expired.
CREATE TABLE import_previews (
    id            BIGSERIAL PRIMARY KEY,
    client_id     TEXT NOT NULL REFERENCES clients (id) ON DELETE CASCADE ON UPDATE CASCADE,
    requested_by  TEXT NOT NULL,                       -- 62… number of the sender
    source        TEXT NOT NULL,                       -- sheet URL or document file name
    sheet         JSONB NOT NULL,                      -- {"headers": [...], "rows": [[line, {header: cell}], ...]}
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX import_previews_created_idx ON import_previews (created_at);
