-- When a worker is about to send the job to fal. A job with an intent but no fal request id may
-- already be at fal (its worker died between fal's answer and our write): it is never submitted
-- again; its webhook is adopted, or the hard timeout refunds it.
ALTER TABLE infographs ADD COLUMN submit_started_at BIGINT;
