-- Cancel: a job cancelled before fal started it ends `failed` with a refund, like any failure;
-- `cancelled_at` says why (SQLite cannot widen the status CHECK without rebuilding the table, and
-- a cancelled job obeys exactly the failed state's rules: final, refunded once).
ALTER TABLE infographs ADD COLUMN cancel_requested_at BIGINT;
ALTER TABLE infographs ADD COLUMN cancelled_at BIGINT;
-- Delete hides an infograph from its owner's gallery and API; the ledger keeps its rows.
ALTER TABLE infographs ADD COLUMN deleted_at BIGINT;
-- Who started the job when it was not its owner (an admin's retry), and what it regenerates.
ALTER TABLE infographs ADD COLUMN regenerated_from TEXT;
CREATE INDEX infographs_created ON infographs(created_at);

-- `Idempotency-Key` on create: the first answer, stored in the same transaction as the charge, so
-- a retry (however concurrent) gets that answer and is never charged again. Kept 24 h.
CREATE TABLE idempotency_keys (
    user_id       TEXT NOT NULL REFERENCES users(id),
    idem_key      TEXT NOT NULL,
    request_hash  TEXT NOT NULL,
    status_code   BIGINT NOT NULL,
    response      TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    PRIMARY KEY (user_id, idem_key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys(created_at);
