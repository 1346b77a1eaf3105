-- Proofreading: a vision model reads each completed picture back (fal's queue, like images) and
-- the words it read are compared with what the picture should say. One row per picture, written
-- only by `server::proofread::repo`: the fal request it is waiting for, then the result.
CREATE TABLE proofreads (
    infograph_id TEXT PRIMARY KEY,
    -- pending | done | not_proofread
    status TEXT NOT NULL,
    fal_request_id TEXT,
    fal_status_url TEXT,
    fal_response_url TEXT,
    -- A claimed submission: another instance leaves it alone until then.
    lease_until BIGINT,
    attempts BIGINT NOT NULL DEFAULT 0,
    -- The reconciler's last poll of fal's status URL.
    polled_at BIGINT,
    -- What the model read, and the comparison (`model::proofread::Problem`s as JSON).
    transcription TEXT,
    problems TEXT,
    words_expected BIGINT NOT NULL DEFAULT 0,
    words_found BIGINT NOT NULL DEFAULT 0,
    -- Why it ended "not proofread" (a timeout, fal's error).
    error_message TEXT,
    created_at BIGINT NOT NULL,
    submitted_at BIGINT,
    finished_at BIGINT
);
CREATE INDEX proofreads_by_status ON proofreads (status, created_at);

-- Pictures made before proofreading existed are not proofread (they are not read back later).
INSERT INTO proofreads (infograph_id, status, created_at, finished_at, error_message)
    SELECT id, 'not_proofread', updated_at, updated_at, 'made before proofreading' FROM infographs WHERE status = 'completed';

-- The summary every view of a picture shows (the card, the status JSON, the versions list),
-- kept on the picture's row with the proofread's result. NULL: no proofread yet.
ALTER TABLE infographs ADD COLUMN proofread_status TEXT;
ALTER TABLE infographs ADD COLUMN proofread_problems BIGINT;
ALTER TABLE infographs ADD COLUMN proofread_words_expected BIGINT;
ALTER TABLE infographs ADD COLUMN proofread_words_found BIGINT;
UPDATE infographs SET proofread_status = 'not_proofread' WHERE status = 'completed';

-- A version made by "Fix these words": 1 a paid fix, 2 the family's free one (its `cost` is the
-- price it would have had; nothing is debited, so nothing is refunded if it fails). At most one
-- free fix per family, which also settles two fixes asked at once.
ALTER TABLE infographs ADD COLUMN proofread_fix BIGINT NOT NULL DEFAULT 0 CHECK (proofread_fix IN (0, 1, 2));
CREATE UNIQUE INDEX infographs_one_free_fix ON infographs (family_id) WHERE proofread_fix = 2;

-- "Fix automatically": when a proofread finds problems, the free fix is asked for on its own.
ALTER TABLE users ADD COLUMN auto_fix BIGINT NOT NULL DEFAULT 0 CHECK (auto_fix IN (0, 1));
