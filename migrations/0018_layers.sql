-- What made a version: generated (an original or regenerated), refined (an instruction or a
-- proofread's fix), layers (fal's layerize-text: the picture's words as text boxes over its
-- background) or text_edit (boxes edited in the browser, rendered by us).
ALTER TABLE infographs ADD COLUMN kind TEXT NOT NULL DEFAULT 'generated' CHECK (kind IN ('generated', 'refined', 'layers', 'text_edit'));
UPDATE infographs SET kind = 'refined' WHERE parent_id IS NOT NULL;
-- A layered or text-edited version's layers (`server::layers::StoredLayers` as JSON): its
-- background (our stored copy) and its text boxes, in the picture's pixels.
ALTER TABLE infographs ADD COLUMN layers TEXT;
