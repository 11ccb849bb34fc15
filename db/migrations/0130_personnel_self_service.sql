-- Personnel self-service over WhatsApp (issue 16): binding a number by NRP, its
-- lockout, and the personal task reminders.

-- Every attempt of an unregistered number to bind itself to an NRP (db/binding.py).
-- `outcome` other than 'bound' is a failure: five in `[personnel] bind_window_minutes`
-- lock the number (personnel_binding_locks).
CREATE TABLE personnel_binding_attempts (
    id       BIGSERIAL PRIMARY KEY,
    phone    TEXT NOT NULL,                           -- 62… digits of the number that tried
    nrp      TEXT,                                    -- as typed, normalised (no FK: unknown NRPs too)
    outcome  TEXT NOT NULL CHECK (outcome IN ('bound', 'unknown_nrp', 'inactive', 'already_bound', 'declined')),
    at       TIMESTAMPTZ NOT NULL
);
CREATE INDEX personnel_binding_attempts_phone_idx ON personnel_binding_attempts (phone, at DESC);

-- A number locked out of binding until `locked_until`; failures before `locked_at` no longer count.
CREATE TABLE personnel_binding_locks (
    phone         TEXT PRIMARY KEY,
    locked_at     TIMESTAMPTZ NOT NULL,
    locked_until  TIMESTAMPTZ NOT NULL
);

-- `notifwa on|off`: whether a person gets the personal reminders at [personnel] reminder_times.
-- No row = off (reminders are opt-in, as in the original).
CREATE TABLE personnel_reminder_settings (
    nrp         TEXT PRIMARY KEY REFERENCES personnel (nrp) ON UPDATE CASCADE ON DELETE CASCADE,
    enabled     BOOLEAN NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX personnel_reminder_settings_enabled_idx ON personnel_reminder_settings (nrp) WHERE enabled;
