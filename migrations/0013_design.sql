-- Keeping it on brand and in the reader's language: brand kits, and what an infograph was asked
-- to look like. `brand` is a snapshot of the kit when the infograph was created (colours, font
-- mood, tone, logo): regenerating it later looks the same even if the kit changed or went.
CREATE TABLE brand_kits (
    id          TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users(id),
    name        TEXT NOT NULL,
    -- `#RRGGBB` values, comma-separated, 1 to 6.
    colors      TEXT NOT NULL,
    font_mood   TEXT NOT NULL CHECK (font_mood IN ('modern_sans', 'classic_serif', 'rounded', 'handwritten', 'condensed')),
    tone        TEXT NOT NULL DEFAULT '',
    -- Our re-encoded PNG of the logo, in storage.
    logo_key    TEXT,
    is_default  BIGINT NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)),
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX brand_kits_user ON brand_kits(user_id, created_at);
CREATE UNIQUE INDEX brand_kits_one_default ON brand_kits(user_id) WHERE is_default = 1;

ALTER TABLE infographs ADD COLUMN layout TEXT;
ALTER TABLE infographs ADD COLUMN style TEXT;
ALTER TABLE infographs ADD COLUMN language TEXT;
ALTER TABLE infographs ADD COLUMN brand_kit_id TEXT;
-- JSON: the brand snapshot, and the outline the user reviewed (used instead of reading the blog).
ALTER TABLE infographs ADD COLUMN brand TEXT;
ALTER TABLE infographs ADD COLUMN outline TEXT;
