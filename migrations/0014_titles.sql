-- An infographic's name, shown everywhere it is named (gallery, viewer, share page, embeds, the
-- downloaded file): the reviewed outline's title, else the article's title once the blog is read,
-- else one written from the prompt. Renaming sets it for the whole family (every version).
-- NULL until one of those is known; the view then writes one from the prompt.
ALTER TABLE infographs ADD COLUMN title TEXT;
