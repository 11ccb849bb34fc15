-- Per-phase on/off switch of the collection schedule (issue 15, item 3).

-- One row per phase an admin has switched (`cicero schedule on|off PHASE`,
-- WhatsApp `jadwal on|off PHASE`); a phase without a row is on. The scheduler
-- reads this at every fire time: a phase that is off is skipped (a `skipped`
-- job run says why), its cron entries stay registered and listed.
CREATE TABLE schedule_switches (
    phase       TEXT PRIMARY KEY CHECK (phase IN ('post_fetch', 'engagement_only', 'late_sweep')),
    enabled     BOOLEAN NOT NULL,
    changed_by  TEXT NOT NULL,                           -- the audit actor's name
    changed_at  TIMESTAMPTZ NOT NULL
);
