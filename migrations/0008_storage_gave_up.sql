-- When the copier stopped trying (after STORAGE_MAX_ATTEMPTS failures): the job keeps fal's URL
-- for good and its card leaves the "storing" phase. Recorded on the row, not inferred from the
-- attempt count, because the limit is configuration and may change between deploys.
ALTER TABLE infographs ADD COLUMN storage_gave_up_at BIGINT;
