-- A dashboard account's password generation: raised by every password change
-- (admin set, self-service reset), never by the silent re-hash at login. A
-- token carries the generation it was issued under (claim `pwe`); an API
-- request whose token is of an older generation is refused, so a reset ends
-- every session opened with the old password.
ALTER TABLE dashboard_accounts ADD COLUMN password_epoch INTEGER NOT NULL DEFAULT 0;
