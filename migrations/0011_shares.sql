-- Publishing: an owner may share an infograph through an unguessable link, revocable at any
-- time. One live link per infograph (the partial unique index); a revoked link stays as a row so
-- its page can answer 410 Gone rather than 404.
CREATE TABLE shares (
    token         TEXT PRIMARY KEY,
    infograph_id  TEXT NOT NULL REFERENCES infographs(id),
    user_id       TEXT NOT NULL REFERENCES users(id),
    indexable     BIGINT NOT NULL DEFAULT 0 CHECK (indexable IN (0, 1)),
    views         BIGINT NOT NULL DEFAULT 0,
    created_at    BIGINT NOT NULL,
    revoked_at    BIGINT
);
CREATE UNIQUE INDEX shares_one_live ON shares(infograph_id) WHERE revoked_at IS NULL;
CREATE INDEX shares_infograph ON shares(infograph_id);

-- What the picture shows, in words, for people who cannot see it: written by the owner, or
-- (when empty) from the infograph's brief.
ALTER TABLE infographs ADD COLUMN alt_text TEXT;
