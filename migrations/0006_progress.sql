-- Live progress. What fal last said about a processing job (`IN_QUEUE` / `IN_PROGRESS`; no CHECK:
-- fal may add statuses and SQLite cannot alter a CHECK later), its queue position, and when the
-- progress poller may ask fal again (claimed by pushing it forward, so instances share the work).
ALTER TABLE infographs ADD COLUMN fal_phase TEXT;
ALTER TABLE infographs ADD COLUMN queue_position BIGINT;
ALTER TABLE infographs ADD COLUMN progress_poll_at BIGINT;
-- Bumped on a phase change that is not a status change (claimed, submitting, fal's queue
-- position, in progress). `version` keeps counting status transitions only; the browser orders
-- updates by (version, progress_version), so a late answer can never move a card backwards.
ALTER TABLE infographs ADD COLUMN progress_version BIGINT NOT NULL DEFAULT 0;
-- The ETA is the median of recent durations per resolution.
CREATE INDEX infographs_completed ON infographs(status, resolution, completed_at);
