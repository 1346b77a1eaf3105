-- Email notifications (app/src/server/notify.rs): an opt-in per user, off by default, and a
-- durable outbox with one row per final job (the unique index makes a second one impossible).
ALTER TABLE users ADD COLUMN notify_email BIGINT NOT NULL DEFAULT 0 CHECK (notify_email IN (0, 1));
-- When the opt-in was last switched on: the crash backstop never mails jobs that ended before.
ALTER TABLE users ADD COLUMN notify_email_since BIGINT;

CREATE TABLE email_outbox (
    id            TEXT PRIMARY KEY,
    infograph_id  TEXT NOT NULL REFERENCES infographs(id),
    user_id       TEXT NOT NULL REFERENCES users(id),
    kind          TEXT NOT NULL CHECK (kind IN ('completed', 'failed')),
    attempts      BIGINT NOT NULL DEFAULT 0,
    -- retry time, and the lease of the instance sending it
    next_at       BIGINT NOT NULL,
    sent_at       BIGINT,
    last_error    TEXT,
    created_at    BIGINT NOT NULL
);
CREATE UNIQUE INDEX email_outbox_one_per_job ON email_outbox(infograph_id);
CREATE INDEX email_outbox_due ON email_outbox(sent_at, next_at);
