//! Drawing a layered picture: its background with each text box over it, as SVG (text as text),
//! PNG (resvg) and PDF (svg2pdf, text kept selectable), with the bundled fonts only.
//!
//! The geometry is the browser editor's CSS box model, so what is saved looks as it was edited:
//! a box is the rectangle (x, y, w, h) turned `angle` degrees clockwise about its centre; its text
//! is wrapped to `w` (see `wrap`), `size` px, `line-height: 1.25`, no padding, aligned within the
//! box, drawn past the bottom when it overflows (CSS `overflow: visible`). As in CSS, each line's
//! glyphs sit centred in their 1.25 × size line: baseline = line top + (1.25 × size − (ascent +
//! descent)) / 2 + ascent, with the font's real ascent and descent (hhea, or OS/2 typo metrics
//! when the font asks), as browsers use them — not a fixed fraction of the size.
//!
//! Everything runs on the caller's thread: callers in async code wrap it in `spawn_blocking`.

mod fonts;
mod wrap;
#[cfg(test)]
mod tests;

pub use fonts::{database as font_database, font_file};

use crate::model::layers::{font, Align, TextBox, BOX_TEXT_MAX_CHARS, FONTS, MAX_BOXES, MAX_SIZE, MIN_SIZE};
use base64::Engine as _;
use resvg::{tiny_skia, usvg};
use std::fmt::Write as _;

/// Largest picture side rendered: bounds memory (a 4096² RGBA pixmap is 64 MiB) and time.
pub const MAX_SIDE: u32 = 4096;
/// CSS `line-height: 1.25`.
const LINE_HEIGHT: f64 = 1.25;

/// The picture's background as bytes (PNG, JPEG or WebP as stored) and its media type.
pub struct Background<'a> {
    pub bytes: &'a [u8],
    pub mime: &'a str,
}

pub struct Scene<'a> {
    pub width: u32,
    pub height: u32,
    pub background: Background<'a>,
    pub boxes: &'a [TextBox],
}

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("the picture is {width} × {height} px; it must be 1–{MAX_SIDE} px a side")]
    Size { width: u32, height: u32 },
    #[error("{0} text boxes; at most {MAX_BOXES}")]
    TooManyBoxes(usize),
    #[error("text box {index}: {reason}")]
    BadBox { index: usize, reason: String },
    #[error("the background is not a PNG, JPEG or WebP image of at most {MAX_SIDE} px a side")]
    Background,
    #[error("the composed SVG did not parse: {0}")]
    Svg(String),
    #[error("PNG encoding failed: {0}")]
    Png(String),
    #[error("PDF conversion failed: {0}")]
    Pdf(String),
}

/// The picture as SVG: the background embedded as a data URI, each box a `<text>` (with `<tspan>`
/// lines) in its font — text stays text. Every user string XML-escaped.
///
/// Never fails: out-of-range input is bounded here (at most `MAX_BOXES` boxes of
/// `BOX_TEXT_MAX_CHARS` characters, sizes clamped) so even unchecked input is safe and cheap;
/// `png` and `pdf` refuse such input instead.
pub fn svg(scene: &Scene) -> String {
    let (w, h) = (scene.width, scene.height);
    let mut out = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="{w}" height="{h}" viewBox="0 0 {w} {h}">"#
    );
    if let Some(mime) = media_type(&scene.background) {
        let data = base64::engine::general_purpose::STANDARD.encode(scene.background.bytes);
        let _ = write!(out, r#"<image x="0" y="0" width="{w}" height="{h}" preserveAspectRatio="none" xlink:href="data:{mime};base64,{data}"/>"#);
    }
    for text_box in scene.boxes.iter().take(MAX_BOXES) {
        write_box(&mut out, text_box);
    }
    out.push_str("</svg>");
    out
}

/// PNG of the scene at its size, through resvg, with the bundled fonts only.
pub fn png(scene: &Scene) -> Result<Vec<u8>, RenderError> {
    let tree = tree(scene)?;
    let mut pixmap = tiny_skia::Pixmap::new(scene.width, scene.height).ok_or(RenderError::Size { width: scene.width, height: scene.height })?;
    resvg::render(&tree, tiny_skia::Transform::identity(), &mut pixmap.as_mut());
    pixmap.encode_png().map_err(|e| RenderError::Png(e.to_string()))
}

/// PDF (one page of the picture's size in pt = px * 0.75), through svg2pdf, the text kept as text
/// (selectable, searchable).
pub fn pdf(scene: &Scene) -> Result<Vec<u8>, RenderError> {
    let tree = tree(scene)?;
    // 96 dpi: one CSS px is 0.75 pt.
    let page = svg2pdf::PageOptions { dpi: 96.0 };
    svg2pdf::to_pdf(&tree, svg2pdf::ConversionOptions::default(), page).map_err(|e| RenderError::Pdf(e.to_string()))
}

/// The scene checked and parsed by usvg, ready to draw.
fn tree(scene: &Scene) -> Result<usvg::Tree, RenderError> {
    check(scene)?;
    usvg::Tree::from_str(&svg(scene), &options()).map_err(|e| RenderError::Svg(e.to_string()))
}

/// usvg's options: the bundled fonts, and images only from data URIs (never a file path).
fn options() -> usvg::Options<'static> {
    usvg::Options {
        font_family: FONTS[0].family.to_string(),
        fontdb: fonts::database(),
        image_href_resolver: usvg::ImageHrefResolver {
            resolve_data: usvg::ImageHrefResolver::default_data_resolver(),
            resolve_string: Box::new(|_, _| None),
        },
        ..Default::default()
    }
}

/// Refuses what would make rendering slow, huge or wrong, instead of drawing it.
fn check(scene: &Scene) -> Result<(), RenderError> {
    let (width, height) = (scene.width, scene.height);
    if width == 0 || height == 0 || width > MAX_SIDE || height > MAX_SIDE {
        return Err(RenderError::Size { width, height });
    }
    if scene.boxes.len() > MAX_BOXES {
        return Err(RenderError::TooManyBoxes(scene.boxes.len()));
    }
    for (index, text_box) in scene.boxes.iter().enumerate() {
        if let Some(reason) = box_problem(text_box) {
            return Err(RenderError::BadBox { index, reason: reason.into() });
        }
    }
    if !background_fits(&scene.background) {
        return Err(RenderError::Background);
    }
    Ok(())
}

fn box_problem(b: &TextBox) -> Option<&'static str> {
    if b.text.chars().count() > BOX_TEXT_MAX_CHARS {
        return Some("the text is too long");
    }
    if ![b.x, b.y, b.w, b.h, b.angle, b.size].iter().all(|v| v.is_finite()) || b.w <= 0.0 || b.h <= 0.0 {
        return Some("its position and size must be finite, its width and height positive");
    }
    (!(MIN_SIZE..=MAX_SIZE).contains(&b.size)).then_some("the text size is out of range")
}

/// The background is an image we can embed, no larger than a picture may be: its header is read
/// (not the pixels), so an image that would decode to gigabytes is refused before it is decoded.
fn background_fits(background: &Background) -> bool {
    let reader = image::ImageReader::new(std::io::Cursor::new(background.bytes));
    let dimensions = reader.with_guessed_format().ok().and_then(|r| r.into_dimensions().ok());
    media_type(background).is_some() && dimensions.is_some_and(|(w, h)| w <= MAX_SIDE && h <= MAX_SIDE)
}

/// The background's media type, from its bytes (a mislabelled file still shows) or else its
/// label; only the image types the renderers draw.
fn media_type(background: &Background) -> Option<&'static str> {
    match image::guess_format(background.bytes) {
        Ok(image::ImageFormat::Png) => Some("image/png"),
        Ok(image::ImageFormat::Jpeg) => Some("image/jpeg"),
        Ok(image::ImageFormat::WebP) => Some("image/webp"),
        _ => ["image/png", "image/jpeg", "image/webp"].into_iter().find(|m| *m == background.mime),
    }
}

/// One box as a `<text>`: one `<tspan>` per line, each placed absolutely (x at the alignment edge,
/// y at its baseline), the whole turned about the box's centre.
fn write_box(out: &mut String, b: &TextBox) {
    let font = font(&b.font).unwrap_or(&FONTS[0]);
    let metrics = fonts::measure(font);
    let size = finite(b.size, MIN_SIZE).clamp(MIN_SIZE, MAX_SIZE);
    let (x, y, w, h) = (finite(b.x, 0.0), finite(b.y, 0.0), finite(b.w, 0.0).max(0.0), finite(b.h, 0.0).max(0.0));
    let text = clean(&b.text);
    let lines = wrap::lines(&text, metrics, size, w);
    let (anchor, line_x) = match b.align {
        Align::Left => ("start", x),
        Align::Center => ("middle", x + w / 2.0),
        Align::Right => ("end", x + w),
    };
    let line_height = LINE_HEIGHT * size;
    let first_baseline = y + (line_height - (metrics.ascent + metrics.descent) * size) / 2.0 + metrics.ascent * size;
    let _ = write!(
        out,
        r#"<text data-box-id="{id}" font-family="'{family}'" font-weight="{weight}" font-size="{size}" fill="{fill}" text-anchor="{anchor}" transform="rotate({angle} {cx} {cy})">"#,
        id = escape(&b.id),
        family = font.family,
        weight = if font.bold { 700 } else { 400 },
        size = num(size),
        fill = colour(&b.color),
        angle = num(finite(b.angle, 0.0)),
        cx = num(x + w / 2.0),
        cy = num(y + h / 2.0),
    );
    // No whitespace between the tspans: SVG would draw it as a space.
    for (i, line) in lines.iter().enumerate().filter(|(_, line)| !line.is_empty()) {
        let baseline = first_baseline + i as f64 * line_height;
        let _ = write!(out, r#"<tspan x="{}" y="{}">{}</tspan>"#, num(line_x), num(baseline), escape(line));
    }
    out.push_str("</text>");
}

/// The text as the editor shows it: tabs and carriage returns are spaces (then collapsed), other
/// control characters and non-characters (not allowed in XML) are dropped.
fn clean(text: &str) -> String {
    text.chars().take(BOX_TEXT_MAX_CHARS).filter(|c| *c == '\n' || *c == '\t' || *c == '\r' || !(c.is_control() || matches!(c, '\u{FFFE}' | '\u{FFFF}'))).map(|c| if c == '\t' || c == '\r' { ' ' } else { c }).collect()
}

/// `#rrggbb` as given, else black: the colour lands in an attribute, so nothing else may.
fn colour(color: &str) -> &str {
    let valid = color.len() == 7 && color.starts_with('#') && color[1..].chars().all(|c| c.is_ascii_hexdigit());
    if valid { color } else { "#000000" }
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Not allowed in XML at all: the document would not parse.
            c if c.is_control() || matches!(c, '\u{FFFE}' | '\u{FFFF}') => {}
            c => out.push(c),
        }
    }
    out
}

fn finite(value: f64, otherwise: f64) -> f64 {
    if value.is_finite() { value } else { otherwise }
}

/// A coordinate with at most 3 decimals (plenty at 1/64 px layout precision), never exponent form.
fn num(value: f64) -> String {
    let text = format!("{:.3}", finite(value, 0.0));
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" { "0".into() } else { text.into() }
}
