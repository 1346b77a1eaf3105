-- One migration set for SQLite and PostgreSQL: TEXT ids (UUIDs), BIGINT unix-millisecond times,
-- 0/1 flags and partial unique indexes are valid, with the same meaning, on both.

CREATE TABLE users (
    id             TEXT PRIMARY KEY,
    email          TEXT NOT NULL UNIQUE,
    password_hash  TEXT NOT NULL,
    -- 0/1 rather than BOOLEAN: sqlx's Any driver cannot decode SQLite's BOOLEAN
    is_admin       BIGINT NOT NULL DEFAULT 0 CHECK (is_admin IN (0, 1)),
    credit_balance BIGINT NOT NULL DEFAULT 0 CHECK (credit_balance >= 0),
    created_at     BIGINT NOT NULL
);

-- Only a SHA-256 of each token is stored; the token itself is shown once.
CREATE TABLE api_tokens (
    token_hash   TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at   BIGINT NOT NULL
);
CREATE INDEX api_tokens_user ON api_tokens(user_id);

CREATE TABLE sessions (
    token_hash  TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE infographs (
    id               TEXT PRIMARY KEY,
    user_id          TEXT NOT NULL REFERENCES users(id),
    batch_id         TEXT NOT NULL,
    user_prompt      TEXT NOT NULL,
    built_prompt     TEXT,
    blog_url         TEXT,
    aspect_ratio     TEXT NOT NULL,
    resolution       TEXT NOT NULL,
    cost             BIGINT NOT NULL CHECK (cost > 0),
    status           TEXT NOT NULL CHECK (status IN ('queued', 'processing', 'completed', 'failed')),
    -- bumped on every status change, so a late response can never move a card backwards
    version          BIGINT NOT NULL DEFAULT 0,
    attempts         BIGINT NOT NULL DEFAULT 0,
    lease_until      BIGINT,
    next_poll_at     BIGINT,
    fal_request_id   TEXT UNIQUE,
    fal_status_url   TEXT,
    fal_response_url TEXT,
    fal_cancel_url   TEXT,
    image_url        TEXT,
    width            BIGINT,
    height           BIGINT,
    error_message    TEXT,
    refunded_at      BIGINT,
    created_at       BIGINT NOT NULL,
    submitted_at     BIGINT,
    completed_at     BIGINT,
    updated_at       BIGINT NOT NULL
);
CREATE INDEX infographs_user_created ON infographs(user_id, created_at);
CREATE INDEX infographs_status ON infographs(status, lease_until);

-- Append-only. The balance on users is a cache of SUM(amount) per user, updated in the same
-- transaction as each row here.
CREATE TABLE credit_ledger (
    id            TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES users(id),
    amount        BIGINT NOT NULL CHECK (amount <> 0),
    reason        TEXT NOT NULL CHECK (reason IN ('signup', 'grant', 'debit', 'refund')),
    infograph_id  TEXT,
    batch_id      TEXT,
    actor         TEXT,
    created_at    BIGINT NOT NULL
);
CREATE INDEX credit_ledger_user ON credit_ledger(user_id, created_at);
-- A second refund for the same infograph cannot be written.
CREATE UNIQUE INDEX credit_ledger_one_refund ON credit_ledger(infograph_id) WHERE reason = 'refund';
