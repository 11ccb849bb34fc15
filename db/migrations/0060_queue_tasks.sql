-- Queue issue: what a worker needs beyond the `tasks` table of 0001.
-- backend     which queue ran the task (in-process recovery only picks its own);
-- not_after   a deadline after which a worker skips the task instead of running it;
-- worker      the process that last claimed it (host:pid);
-- updated_at  last state change.
ALTER TABLE tasks ADD COLUMN backend    TEXT NOT NULL DEFAULT 'in-process';
ALTER TABLE tasks ADD COLUMN not_after  TIMESTAMPTZ;
ALTER TABLE tasks ADD COLUMN worker     TEXT;
ALTER TABLE tasks ADD COLUMN updated_at TIMESTAMPTZ NOT NULL DEFAULT now();

-- Heavy report results (Excel exports) built by a worker, kept for the bot and the API to send.
CREATE TABLE report_results (
    task_id      UUID PRIMARY KEY REFERENCES tasks (id) ON DELETE CASCADE,
    report       TEXT NOT NULL,                      -- builder name, e.g. attendance_excel
    filename     TEXT NOT NULL,
    mimetype     TEXT NOT NULL,
    data         BYTEA NOT NULL,
    requested_by TEXT,                               -- chat or account that asked
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX report_results_created_idx ON report_results (created_at);
