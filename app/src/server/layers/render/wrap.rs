//! Breaking a box's text into lines the way the browser editor's CSS does:
//! `white-space: pre-line` (runs of spaces and tabs collapse to one space, spaces around a line
//! break vanish, `\n` breaks the line, one final `\n` adds no line) and
//! `overflow-wrap: anywhere` (a word wider than the box, alone on its line, is broken between
//! characters). Lines break greedily, as long as the line fits the box width, at spaces and after
//! a hyphen inside a word ("year-over-|year"), as browsers' line breaking does (Unicode UAX #14:
//! not after a word-initial hyphen, nor before a digit, so "-5" and "10-20" stay whole).

use super::fonts::Measure;

/// Slack for rounding: browsers lay text out in 1/64 px, so a line this much too wide still fits.
const FIT_SLACK: f64 = 1.0 / 64.0;
/// Hyphen-minus, hyphen, en dash: a line may break after them.
const HYPHENS: [char; 3] = ['-', '\u{2010}', '\u{2013}'];

/// The lines of `text` in a box `width` px wide, at `size` px in `font`. An empty line stays
/// (it still takes a line's height).
pub fn lines(text: &str, font: &Measure, size: f64, width: f64) -> Vec<String> {
    let text = text.strip_suffix('\n').unwrap_or(text);
    if text.is_empty() {
        return Vec::new();
    }
    let fit = Fit { font, size, width, space: advance(font, " ", size) };
    let mut out = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = Line::default();
        for word in paragraph.split([' ', '\t', '\r']).filter(|w| !w.is_empty()) {
            for (i, piece) in pieces(word).into_iter().enumerate() {
                let (glue, glue_width) = if i == 0 { (" ", fit.space) } else { ("", 0.0) };
                line.add(piece, glue, glue_width, &fit, &mut out);
            }
        }
        out.push(line.text);
    }
    out
}

/// `word` cut after each hyphen a line may break at.
fn pieces(word: &str) -> Vec<&str> {
    let mut cuts = vec![0];
    let mut chars = word.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let next = chars.peek().map(|(_, n)| *n);
        if i > 0 && HYPHENS.contains(&c) && next.is_some_and(|n| !n.is_ascii_digit()) {
            cuts.push(i + c.len_utf8());
        }
    }
    cuts.push(word.len());
    cuts.windows(2).map(|w| &word[w[0]..w[1]]).collect()
}

/// What lines are fitted to: the font at its size, the box width.
struct Fit<'f> {
    font: &'f Measure,
    size: f64,
    width: f64,
    space: f64,
}

/// The line being filled and its width so far.
#[derive(Default)]
struct Line {
    text: String,
    width: f64,
}

impl Line {
    /// Puts `piece` on this line after `glue` (a space between words, nothing after a hyphen) if it
    /// fits, else starts the next line with it, breaking it when it is wider than the box on its
    /// own; full lines go to `out`.
    fn add(&mut self, piece: &str, glue: &str, glue_width: f64, fit: &Fit, out: &mut Vec<String>) {
        let piece_width = advance(fit.font, piece, fit.size);
        if self.text.is_empty() || self.width + glue_width + piece_width <= fit.width + FIT_SLACK {
            if !self.text.is_empty() {
                self.text.push_str(glue);
                self.width += glue_width;
            }
            self.text.push_str(piece);
            self.width += piece_width;
            return;
        }
        out.push(std::mem::take(&mut self.text));
        self.width = 0.0;
        self.add(piece, "", 0.0, fit, out);
        if self.width > fit.width + FIT_SLACK {
            self.break_word(fit, out);
        }
    }

    /// This line holds one word too wide for the box: it is cut at character clusters into pieces
    /// that fit (at least one cluster each), the last piece staying as the open line.
    fn break_word(&mut self, fit: &Fit, out: &mut Vec<String>) {
        let word = std::mem::take(&mut self.text);
        self.width = 0.0;
        for (cluster, cluster_width) in clusters(fit.font, &word, fit.size) {
            if !self.text.is_empty() && self.width + cluster_width > fit.width + FIT_SLACK {
                out.push(std::mem::take(&mut self.text));
                self.width = 0.0;
            }
            self.text.push_str(cluster);
            self.width += cluster_width;
        }
    }
}

/// How far `text` advances at `size` px, shaped (kerning and ligatures included).
pub fn advance(font: &Measure, text: &str, size: f64) -> f64 {
    clusters(font, text, size).iter().map(|(_, w)| w).sum()
}

/// `text` cut into the shaper's clusters (a letter with its marks, a ligature), each with its width.
fn clusters<'t>(font: &Measure, text: &'t str, size: f64) -> Vec<(&'t str, f64)> {
    let mut buffer = rustybuzz::UnicodeBuffer::new();
    buffer.push_str(text);
    let shaped = rustybuzz::shape(&font.face, &[], buffer);
    let scale = size / font.units_per_em;
    // Clusters are byte offsets into `text`; ordering them keeps the cut points valid for
    // right-to-left runs too, whose glyphs come out in visual order.
    let mut widths = std::collections::BTreeMap::<usize, f64>::new();
    for (info, pos) in shaped.glyph_infos().iter().zip(shaped.glyph_positions()) {
        *widths.entry(info.cluster as usize).or_default() += f64::from(pos.x_advance) * scale;
    }
    let starts: Vec<(usize, f64)> = widths.into_iter().collect();
    let ends = starts.iter().skip(1).map(|(s, _)| *s).chain(std::iter::once(text.len()));
    starts.iter().zip(ends).filter(|((s, _), e)| s < e && text.is_char_boundary(*s) && text.is_char_boundary(*e)).map(|((s, w), e)| (&text[*s..e], *w)).collect()
}
