-- Password reset links go through the account outbox: its kinds gain 'password_reset'. The check
-- cannot be altered in place on SQLite, so the table is rebuilt (as credit_ledger was in 0012).
-- Nothing else is stored: a reset link is signed over the account's current password hash, so
-- setting a new password is what makes it used.
CREATE TABLE account_emails_v2 (
    id          TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('verify', 'signup_attempt', 'password_reset')),
    attempts    BIGINT NOT NULL DEFAULT 0,
    next_at     BIGINT NOT NULL,
    sent_at     BIGINT,
    last_error  TEXT,
    created_at  BIGINT NOT NULL
);
INSERT INTO account_emails_v2 (id, user_id, kind, attempts, next_at, sent_at, last_error, created_at)
    SELECT id, user_id, kind, attempts, next_at, sent_at, last_error, created_at FROM account_emails;
DROP TABLE account_emails;
ALTER TABLE account_emails_v2 RENAME TO account_emails;
CREATE INDEX account_emails_due ON account_emails(sent_at, next_at);
