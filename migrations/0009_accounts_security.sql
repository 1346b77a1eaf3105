-- Email verification: sign-up credits are granted when the address is confirmed, not before.
-- Accounts that existed before were let in under the old rules and keep their standing.
ALTER TABLE users ADD COLUMN email_verified_at BIGINT;
UPDATE users SET email_verified_at = created_at;

-- Account emails (verification links, "someone tried to sign up with your address"): a durable
-- outbox like the job notifications', sent by the same sender.
CREATE TABLE account_emails (
    id          TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('verify', 'signup_attempt')),
    attempts    BIGINT NOT NULL DEFAULT 0,
    next_at     BIGINT NOT NULL,
    sent_at     BIGINT,
    last_error  TEXT,
    created_at  BIGINT NOT NULL
);
CREATE INDEX account_emails_due ON account_emails(sent_at, next_at);

-- API tokens get a public id (to list and revoke them by), a name and a last-used time.
ALTER TABLE api_tokens ADD COLUMN id TEXT;
ALTER TABLE api_tokens ADD COLUMN name TEXT;
ALTER TABLE api_tokens ADD COLUMN last_used_at BIGINT;
UPDATE api_tokens SET id = substr(token_hash, 1, 32), name = 'API token';
CREATE UNIQUE INDEX api_tokens_id ON api_tokens(id);
CREATE INDEX sessions_expires ON sessions(expires_at);

-- Secrets the server makes for itself on first start and every instance shares (the key that
-- signs verification links), unless configured.
CREATE TABLE app_secrets (
    name        TEXT PRIMARY KEY,
    value       TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
