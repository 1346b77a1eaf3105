-- Our own copy of every completed image (app/src/server/storage.rs). A completed job with an
-- image_url and no stored_at is the durable "copy me" marker, so nothing separate can be lost
-- between the job completing and the copy being queued. storage_next_at is both the retry time
-- and the lease of the instance copying it; storage_attempts bounds the retries.
ALTER TABLE infographs ADD COLUMN source_image_url TEXT;
ALTER TABLE infographs ADD COLUMN thumbnail_url TEXT;
ALTER TABLE infographs ADD COLUMN stored_image_key TEXT;
ALTER TABLE infographs ADD COLUMN stored_thumb_key TEXT;
ALTER TABLE infographs ADD COLUMN stored_at BIGINT;
ALTER TABLE infographs ADD COLUMN storage_attempts BIGINT NOT NULL DEFAULT 0;
ALTER TABLE infographs ADD COLUMN storage_next_at BIGINT;
ALTER TABLE infographs ADD COLUMN storage_error TEXT;
CREATE INDEX infographs_storage_due ON infographs(status, stored_at, storage_next_at);
