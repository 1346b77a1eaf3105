-- Buying credits through Stripe. A purchase is pending until Stripe's signed webhook (or the
-- reconciler asking Stripe) says it was paid; its credits are one `purchase` ledger row, unique
-- per purchase, so a webhook repeated, replayed or racing the reconciler credits once.
CREATE TABLE purchases (
    id                 TEXT PRIMARY KEY,
    user_id            TEXT NOT NULL REFERENCES users(id),
    pack               TEXT NOT NULL,
    credits            BIGINT NOT NULL CHECK (credits > 0),
    amount             BIGINT NOT NULL CHECK (amount > 0),
    currency           TEXT NOT NULL,
    status             TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
    payment_intent_id  TEXT UNIQUE,
    failure_reason     TEXT,
    -- Cumulative, as Stripe reports refunds: money, the credits it stands for, and of those the
    -- ones taken back from the balance (the rest had been spent).
    refunded_amount    BIGINT NOT NULL DEFAULT 0,
    refunded_credits   BIGINT NOT NULL DEFAULT 0,
    clawed_back        BIGINT NOT NULL DEFAULT 0,
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL,
    completed_at       BIGINT,
    -- When the reconciler next asks Stripe about a pending purchase.
    reconcile_at       BIGINT NOT NULL
);
CREATE INDEX purchases_user ON purchases(user_id, created_at);
CREATE INDEX purchases_due ON purchases(status, reconcile_at);

-- The ledger learns two reasons: a purchase's credits and what a refund took back. A refund of
-- credits that were all spent takes nothing back yet is recorded: a zero-amount row, only then.
-- SQLite cannot change a CHECK in place, so the table is rebuilt (the same statements work on
-- PostgreSQL). The first statement takes PostgreSQL's exclusive lock on the old table for the
-- whole migration, so an instance still running the old code cannot write a row between the copy
-- and the drop (its write waits, then fails, and is never lost silently).
ALTER TABLE credit_ledger ADD COLUMN purchase_id TEXT;
CREATE TABLE credit_ledger_v2 (
    id            TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES users(id),
    amount        BIGINT NOT NULL,
    reason        TEXT NOT NULL CHECK (reason IN ('signup', 'grant', 'debit', 'refund', 'purchase', 'purchase_refund')),
    infograph_id  TEXT,
    batch_id      TEXT,
    actor         TEXT,
    created_at    BIGINT NOT NULL,
    purchase_id   TEXT,
    note          TEXT,
    CHECK (amount <> 0 OR reason = 'purchase_refund')
);
INSERT INTO credit_ledger_v2 (id, user_id, amount, reason, infograph_id, batch_id, actor, created_at)
    SELECT id, user_id, amount, reason, infograph_id, batch_id, actor, created_at FROM credit_ledger;
DROP TABLE credit_ledger;
ALTER TABLE credit_ledger_v2 RENAME TO credit_ledger;
CREATE INDEX credit_ledger_user ON credit_ledger(user_id, created_at);
CREATE UNIQUE INDEX credit_ledger_one_refund ON credit_ledger(infograph_id) WHERE reason = 'refund';
CREATE UNIQUE INDEX credit_ledger_one_purchase ON credit_ledger(purchase_id) WHERE reason = 'purchase';
