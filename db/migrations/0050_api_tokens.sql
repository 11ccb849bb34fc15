-- HTTP API (issue 7): tokens revoked by POST /api/auth/logout.
-- A JWT is otherwise stateless; its `jti` lands here until it would have expired
-- anyway, and every authenticated request checks this table.
CREATE TABLE api_revoked_tokens (
    jti         TEXT PRIMARY KEY,
    actor       TEXT NOT NULL,
    revoked_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX api_revoked_tokens_expiry_idx ON api_revoked_tokens (expires_at);

-- Login throttling counts recent failures per actor and per address.
CREATE INDEX login_log_failures_idx ON login_log (actor, logged_at DESC) WHERE NOT success;
