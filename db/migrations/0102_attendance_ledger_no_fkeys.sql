-- The attendance ledger is derived data: its foreign keys cost two lookups per written row in every
-- collection run (a third of the ledger's write time) and protect nothing a recap relies on — a recap
-- reads only the rows of the people it counts, and `cicero attendance rebuild` drops rows of deleted
-- people or clients (and re-dates a renamed client's).
ALTER TABLE attendance_ledger DROP CONSTRAINT attendance_ledger_client_id_fkey;
ALTER TABLE attendance_ledger DROP CONSTRAINT attendance_ledger_nrp_fkey;
