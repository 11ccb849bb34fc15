-- An operator asks for a person to be marked (or unmarked) as exception; an admin
-- (or the client's super-admin) confirms or refuses. db/exception_requests.py.
CREATE TABLE exception_requests (
    id            BIGSERIAL PRIMARY KEY,
    nrp           TEXT NOT NULL REFERENCES personnel (nrp) ON UPDATE CASCADE ON DELETE CASCADE,
    client_id     TEXT NOT NULL,
    exception     BOOLEAN NOT NULL,                    -- TRUE: mark as exception, FALSE: unmark
    reason        TEXT NOT NULL,
    requested_by  TEXT NOT NULL,                       -- who asked (62… number or dashboard username)
    requested_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    decision      TEXT CHECK (decision IN ('approved', 'refused')),
    decided_by    TEXT,
    decided_at    TIMESTAMPTZ,
    CHECK ((decision IS NULL) = (decided_at IS NULL))
);
-- one open request per person at a time
CREATE UNIQUE INDEX exception_requests_open_idx ON exception_requests (nrp) WHERE decision IS NULL;
CREATE INDEX exception_requests_client_idx ON exception_requests (client_id, requested_at DESC);
