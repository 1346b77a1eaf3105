-- The landing page's featured infographics: shares an admin chose, newest featured first. Kept on
-- the share, so revoking the link ends it (a link shared again is a new row, not featured) and a
-- deleted picture is never shown (the landing page reads only live links to stored pictures).
ALTER TABLE shares ADD COLUMN featured_at BIGINT;
CREATE INDEX shares_featured ON shares(featured_at) WHERE featured_at IS NOT NULL;
