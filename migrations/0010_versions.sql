-- Refinements: an infograph made from another one with an instruction is a new version of it.
-- `family_id` is the original's id for the whole family (the original's own id for originals),
-- so the gallery shows a family as one card and the viewer lists its versions in one query.
ALTER TABLE infographs ADD COLUMN parent_id TEXT REFERENCES infographs(id);
ALTER TABLE infographs ADD COLUMN family_id TEXT;
ALTER TABLE infographs ADD COLUMN instruction TEXT;
UPDATE infographs SET family_id = id;
CREATE INDEX infographs_family ON infographs(family_id, created_at);
