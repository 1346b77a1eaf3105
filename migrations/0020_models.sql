-- The model a picture is drawn with (an id of the model catalogue, server::models). Jobs from
-- before the choice have none: they were drawn with nano-banana-pro (models::LEGACY_MODEL).
ALTER TABLE infographs ADD COLUMN model TEXT;
