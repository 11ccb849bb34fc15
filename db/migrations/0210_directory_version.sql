-- The version of the report directory: the personnel and client columns an attendance report shows or
-- selects by. A recap keeps the people of a scope grouped and ordered between requests and re-reads them
-- only when this version differs from the one they were read at (handlers/reports/attendance/directory.py).
--
-- One row. Every statement that may change those columns sets a new random version in the writer's own
-- transaction (a statement-level BEFORE trigger: it takes the row's lock before the statement locks any
-- person, so writers queue on it in one order). A reader that sees the version in its snapshot therefore
-- sees exactly the data of that version. Random, not a counter: a restored dump brings back its version
-- together with the data of that version, and no later write can produce a version seen before.
CREATE TABLE directory_version (
    singleton  BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (singleton),
    version    UUID NOT NULL DEFAULT gen_random_uuid()
);
INSERT INTO directory_version DEFAULT VALUES;

CREATE FUNCTION directory_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE directory_version SET version = gen_random_uuid();
    RETURN NULL;
END
$$;

-- personnel: every column a report shows or counts by (upsert_personnel sets them all, so in practice
-- every write of a person raises the version)
CREATE TRIGGER personnel_directory_version
    BEFORE INSERT OR DELETE OR UPDATE OF nrp, name, rank, division, position, instagram, tiktok, client_id,
        active, exception, roles
    ON personnel FOR EACH STATEMENT EXECUTE FUNCTION directory_version_bump();
CREATE TRIGGER personnel_directory_version_truncate BEFORE TRUNCATE ON personnel
    FOR EACH STATEMENT EXECUTE FUNCTION directory_version_bump();

-- clients: names, kinds, the directorate tree, state and region (not the collector's tiktok_secuid)
CREATE TRIGGER clients_directory_version
    BEFORE INSERT OR DELETE OR UPDATE OF id, name, type, parent_id, active, regional_id
    ON clients FOR EACH STATEMENT EXECUTE FUNCTION directory_version_bump();
CREATE TRIGGER clients_directory_version_truncate BEFORE TRUNCATE ON clients
    FOR EACH STATEMENT EXECUTE FUNCTION directory_version_bump();
