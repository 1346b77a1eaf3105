//! Vector pictures (SVG, from the vector models): made inert and bounded before anything of
//! them is stored or served, and drawn to PNG for everything that needs pixels.
//!
//! An SVG on our origin is a document that can run script, so the model's bytes are never kept.
//! They are parsed by usvg into its render tree and written back out of that tree: what survives
//! is only what usvg draws — shapes, paths, gradients, patterns, clip paths, masks, filters and
//! embedded raster images — with text turned into paths (drawn with the bundled fonts, so it looks
//! the same everywhere). Scripts, event-handler attributes, `foreignObject`, animation, links,
//! style sheets (applied, then dropped) and every unknown element or attribute have no place in
//! that tree. Nothing outside the document is ever read: `<image>` keeps only `data:` rasters (PNG,
//! JPEG, GIF, WebP, sniffed from the bytes), and `<use>` and paint references resolve only to
//! elements of the same document.
//!
//! The work is bounded before usvg sees the document: its size, XML entity declarations (refused:
//! their expansion is the "billion laughs" bomb), its depth, and how many elements it would grow
//! to once `<use>` copies and markers are expanded; and after: the picture's size, the drawn
//! tree's nodes and layers, and the pixels of the embedded images.
//!
//! Everything runs on the caller's thread: callers in async code wrap it in `spawn_blocking`.

use super::renditions;
use super::storage::{self, ImageError, MAX_DIMENSION};
use crate::model::layers::FONTS;
use resvg::usvg::{self, fontdb, roxmltree};
use resvg::tiny_skia;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

/// Largest SVG accepted, in bytes: fal's vector pictures are about 2 MB.
pub const MAX_SVG_BYTES: usize = 10 * 1024 * 1024;
/// Largest width or height of a picture, in CSS px.
pub const MAX_SIDE: u32 = 16384;
/// Most elements (and characters of text) a document may grow to with its `<use>` copies and
/// markers expanded.
pub const MAX_ELEMENTS: u64 = 200_000;
/// Long edge of the PNG made of every vector picture: what the downloads, renditions and
/// thumbnails are made from.
pub const RASTER_EDGE: u32 = 2048;
/// XML nodes the parser builds before giving up (text and comments included).
const MAX_XML_NODES: u32 = 1_000_000;
/// Nesting, `<use>` links included (usvg itself stops at 1024; pictures nest a few levels).
const MAX_DEPTH: usize = 256;
/// Style rules × elements: usvg matches every rule against every element.
const MAX_STYLE_WORK: u64 = 20_000_000;
/// Nodes of the drawn tree, clip paths, masks and patterns counted where they are used.
const MAX_TREE_NODES: u64 = 1_000_000;
/// Groups drawn on a layer of their own (opacity, clip path, mask, filter): each can take a
/// canvas-sized pixmap while drawing.
const MAX_LAYERS: u64 = 2_000;
/// Pixels of all embedded raster images together (each is decoded when drawn).
const MAX_EMBEDDED_PIXELS: u64 = 64 * 1024 * 1024;

/// Why an SVG was refused or could not be drawn (recorded on the job, for people).
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum VectorError {
    #[error("the SVG is {0} bytes; at most {MAX_SVG_BYTES} are accepted")]
    TooLarge(usize),
    #[error("the SVG is not UTF-8 text")]
    NotText,
    #[error("the SVG declares XML entities, which are not accepted")]
    Entities,
    #[error("the SVG is not well-formed: {0}")]
    Xml(String),
    #[error("the SVG nests deeper than {MAX_DEPTH} levels")]
    TooDeep,
    #[error("the SVG is too complex: {0}")]
    TooComplex(String),
    #[error("the SVG embeds images larger than {MAX_DIMENSION} px a side or {MAX_EMBEDDED_PIXELS} pixels in all")]
    Images,
    #[error("the SVG could not be read: {0}")]
    Svg(String),
    #[error("the SVG's size {0} × {1} is out of range (1–{MAX_SIDE} px a side)")]
    Dimensions(f32, f32),
    #[error("a PNG edge of {0} px is out of range (1–{MAX_DIMENSION})")]
    RenderSize(u32),
    #[error("cannot encode the PNG: {0}")]
    Encode(String),
}

impl From<VectorError> for ImageError {
    fn from(e: VectorError) -> Self {
        ImageError::Decode(e.to_string())
    }
}

/// An SVG made inert and checked: its text holds only what usvg draws.
pub struct SanitizedSvg {
    text: String,
    width: u32,
    height: u32,
    tree: usvg::Tree,
}

impl SanitizedSvg {
    /// The SVG document to store and serve.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The picture's size in CSS px, rounded up.
    pub fn width(&self) -> u32 {
        self.width
    }

    pub fn height(&self) -> u32 {
        self.height
    }
}

impl std::fmt::Debug for SanitizedSvg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SanitizedSvg").field("width", &self.width).field("height", &self.height).field("bytes", &self.text.len()).finish()
    }
}

/// Whether `bytes` are meant as an SVG: not a raster format, and text that starts like XML or
/// SVG. Whether they are one is for [`sanitize_svg`] to say.
pub fn looks_like_svg(bytes: &[u8]) -> bool {
    if image::guess_format(bytes).is_ok() {
        return false;
    }
    let text = strip_bom(bytes);
    let start = text.iter().position(|b| !b.is_ascii_whitespace()).map_or(&[][..], |i| &text[i..]);
    let head = start[..start.len().min(16)].to_ascii_lowercase();
    [&b"<?xml"[..], b"<svg", b"<!doctype svg", b"<!--"].iter().any(|prefix| head.starts_with(prefix))
}

fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

/// Parses `bytes` with usvg and writes the drawn tree back out (see the module's description),
/// refusing what is too large or too costly to draw.
pub fn sanitize_svg(bytes: &[u8]) -> Result<SanitizedSvg, VectorError> {
    if bytes.len() > MAX_SVG_BYTES {
        return Err(VectorError::TooLarge(bytes.len()));
    }
    // Plain text only: usvg would also inflate gzip (an SVGZ), a decompression bomb.
    let text = std::str::from_utf8(strip_bom(bytes)).map_err(|_| VectorError::NotText)?;
    // roxmltree bounds entity references per reference, not in all: many references to one
    // large entity still expand without limit. A picture has no use for entities.
    if text.contains("<!ENTITY") {
        return Err(VectorError::Entities);
    }
    let xml_options = roxmltree::ParsingOptions { allow_dtd: true, nodes_limit: MAX_XML_NODES };
    let xml = roxmltree::Document::parse_with_options(text, xml_options).map_err(|e| VectorError::Xml(e.to_string()))?;
    check_document(&xml)?;
    let images = ImageBudget::default();
    let tree = usvg::Tree::from_xmltree(&xml, &options(&images)).map_err(|e| VectorError::Svg(e.to_string()))?;
    if images.refused.load(Ordering::Relaxed) {
        return Err(VectorError::Images);
    }
    let (width, height) = checked_size(tree.size())?;
    check_tree(&tree)?;
    let text = tree.to_string(&usvg::WriteOptions { indent: usvg::Indent::None, ..Default::default() });
    // usvg's writer escapes only `"` in attributes: an id kept from the source with `&` or `<`
    // would be written as broken XML. Nothing can run from it, but a browser would show an error.
    roxmltree::Document::parse(&text).map_err(|e| VectorError::Xml(format!("the cleaned SVG is not well-formed: {e}")))?;
    Ok(SanitizedSvg { text, width, height, tree })
}

/// The picture as PNG, scaled so that its long edge is `max_edge` px, on white (infographics are
/// opaque, and the JPEG and WebP made from it have no alpha).
pub fn render_png(svg: &SanitizedSvg, max_edge: u32) -> Result<Vec<u8>, VectorError> {
    if max_edge == 0 || max_edge > MAX_DIMENSION {
        return Err(VectorError::RenderSize(max_edge));
    }
    let size = svg.tree.size();
    let (width, height) = raster_size(size.width(), size.height(), max_edge);
    let mut pixmap = tiny_skia::Pixmap::new(width, height).ok_or(VectorError::RenderSize(max_edge))?;
    pixmap.fill(tiny_skia::Color::WHITE);
    let transform = tiny_skia::Transform::from_scale(width as f32 / size.width(), height as f32 / size.height());
    resvg::render(&svg.tree, transform, &mut pixmap.as_mut());
    pixmap.encode_png().map_err(|e| VectorError::Encode(e.to_string()))
}

/// `width` × `height` scaled to a long edge of `max_edge`, each side at least 1 px.
fn raster_size(width: f32, height: f32, max_edge: u32) -> (u32, u32) {
    let scale = max_edge as f32 / width.max(height);
    (((width * scale).round() as u32).clamp(1, max_edge), ((height * scale).round() as u32).clamp(1, max_edge))
}

/// What the copier stores for a vector picture: the sanitised SVG as the image, its PNG (the
/// source of every other format and size) and the gallery thumbnails made from that PNG.
pub struct VectorCopy {
    pub svg: Vec<u8>,
    pub png: Vec<u8>,
    pub thumb_jpeg: Vec<u8>,
    pub thumb_webp: Vec<u8>,
    /// The PNG's size: the sizes of renditions are reckoned from it.
    pub width: u32,
    pub height: u32,
}

/// Sanitises, draws and thumbnails a vector picture (CPU work: off the async runtime).
pub fn prepare_copy(bytes: &[u8], thumb_edge: u32) -> Result<VectorCopy, ImageError> {
    let svg = sanitize_svg(bytes)?;
    let png = render_png(&svg, RASTER_EDGE)?;
    let inspected = storage::inspect(&png)?;
    let (thumb_jpeg, thumb_webp) = renditions::thumbnails(&png, &inspected, thumb_edge)?;
    Ok(VectorCopy { svg: svg.text.into_bytes(), png, thumb_jpeg, thumb_webp, width: inspected.width, height: inspected.height })
}

/// The stored file other formats and sizes of `original` are made from: a vector picture's PNG
/// beside it (`<hash>.svg` → `<hash>.png`), any other image itself.
pub fn raster_source(original: &str) -> String {
    match original.strip_suffix(".svg") {
        Some(stem) => format!("{stem}.png"),
        None => original.to_string(),
    }
}

/// usvg's options: the bundled fonts, and images only from `data:` URLs holding a raster image
/// within `images`' budget (never a file, a URL, or a nested SVG).
fn options(images: &ImageBudget) -> usvg::Options<'_> {
    usvg::Options {
        resources_dir: None,
        font_family: FONTS[0].family.to_string(),
        fontdb: font_database(),
        font_resolver: usvg::FontResolver { select_font: Box::new(select_font), select_fallback: usvg::FontResolver::default_fallback_selector() },
        image_href_resolver: usvg::ImageHrefResolver {
            resolve_data: Box::new(move |_mime, data, _| images.admit(data)),
            resolve_string: Box::new(|_, _| None),
        },
        style_sheet: None,
        ..Default::default()
    }
}

/// The bundled fonts, with CSS's generic families mapped onto them (fontdb's defaults name
/// system fonts we do not have).
fn font_database() -> Arc<fontdb::Database> {
    static DB: OnceLock<Arc<fontdb::Database>> = OnceLock::new();
    DB.get_or_init(|| {
        let mut db = (*crate::server::layers::render::font_database()).clone();
        db.set_serif_family("Noto Serif");
        db.set_sans_serif_family("Noto Sans");
        db.set_monospace_family("Noto Sans Mono");
        db.set_cursive_family("Noto Sans");
        db.set_fantasy_family("Noto Sans");
        Arc::new(db)
    })
    .clone()
}

/// The font for a text's `font-family` list; a family we do not have falls back to sans-serif
/// (usvg's own fallback is serif), what infographics mostly use.
fn select_font(font: &usvg::Font, db: &mut Arc<fontdb::Database>) -> Option<fontdb::ID> {
    let named: Vec<fontdb::Family> = font
        .families()
        .iter()
        .map(|family| match family {
            usvg::FontFamily::Serif => fontdb::Family::Serif,
            usvg::FontFamily::SansSerif => fontdb::Family::SansSerif,
            usvg::FontFamily::Cursive => fontdb::Family::Cursive,
            usvg::FontFamily::Fantasy => fontdb::Family::Fantasy,
            usvg::FontFamily::Monospace => fontdb::Family::Monospace,
            usvg::FontFamily::Named(name) => fontdb::Family::Name(name),
        })
        .chain(std::iter::once(fontdb::Family::SansSerif))
        .collect();
    let style = match font.style() {
        usvg::FontStyle::Normal => fontdb::Style::Normal,
        usvg::FontStyle::Italic => fontdb::Style::Italic,
        usvg::FontStyle::Oblique => fontdb::Style::Oblique,
    };
    db.query(&fontdb::Query { families: &named, weight: fontdb::Weight(font.weight()), style, ..Default::default() })
}

/// Embedded images admitted so far; over the budget, the document is refused.
#[derive(Default)]
struct ImageBudget {
    pixels: AtomicU64,
    refused: AtomicBool,
}

impl ImageBudget {
    /// A `data:` image as usvg keeps it, if it is a raster image within the budget. The format is
    /// sniffed from the bytes, never taken from the URL's media type.
    fn admit(&self, data: Arc<Vec<u8>>) -> Option<usvg::ImageKind> {
        use image::ImageFormat::{Gif, Jpeg, Png, WebP};
        let format = image::guess_format(&data).ok()?;
        let (width, height) = image::ImageReader::with_format(std::io::Cursor::new(data.as_slice()), format).into_dimensions().ok()?;
        let pixels = u64::from(width) * u64::from(height);
        let total = self.pixels.fetch_add(pixels, Ordering::Relaxed) + pixels;
        if width > MAX_DIMENSION || height > MAX_DIMENSION || total > MAX_EMBEDDED_PIXELS {
            self.refused.store(true, Ordering::Relaxed);
            return None;
        }
        match format {
            Png => Some(usvg::ImageKind::PNG(data)),
            Jpeg => Some(usvg::ImageKind::JPEG(data)),
            Gif => Some(usvg::ImageKind::GIF(data)),
            WebP => Some(usvg::ImageKind::WEBP(data)),
            _ => None,
        }
    }
}

fn checked_size(size: usvg::Size) -> Result<(u32, u32), VectorError> {
    let (w, h) = (size.width(), size.height());
    let fits = |side: f32| side.is_finite() && side > 0.0 && side <= MAX_SIDE as f32;
    if !fits(w) || !fits(h) {
        return Err(VectorError::Dimensions(w, h));
    }
    Ok((w.ceil() as u32, h.ceil() as u32))
}

/// Bounds what usvg would build from the document, before it builds it: nesting, style work, and
/// the elements it grows to once every `<use>` is a copy of what it names and every vertex of a
/// shape carries a marker (an upper bound: markers are counted only if the document has any).
fn check_document(xml: &roxmltree::Document) -> Result<(), VectorError> {
    let elements = xml.descendants().filter(|n| n.is_element()).count() as u64;
    let rules: u64 = xml
        .descendants()
        .filter(|n| n.has_tag_name((SVG_NS, "style")) || n.has_tag_name("style"))
        .flat_map(|n| n.children())
        .filter_map(|n| n.text())
        .map(|css| css.matches('{').count() as u64)
        .sum();
    if rules.saturating_mul(elements) > MAX_STYLE_WORK {
        return Err(VectorError::TooComplex(format!("{rules} style rules over {elements} elements")));
    }
    let mut weigher = Weigher::new(xml);
    let markers: Vec<_> = xml.descendants().filter(|n| n.is_element() && n.tag_name().name() == "marker").collect();
    for marker in markers {
        let weight = weigher.weight(marker, 0)?;
        weigher.marker_cost = weigher.marker_cost.max(weight);
    }
    // Marker contents were weighed without markers of their own; everything else is weighed anew.
    weigher.memo.clear();
    let total = weigher.weight(xml.root(), 0)?;
    if total > MAX_ELEMENTS {
        return Err(VectorError::TooComplex(format!("it expands to more than {MAX_ELEMENTS} elements")));
    }
    Ok(())
}

const SVG_NS: &str = "http://www.w3.org/2000/svg";
const XLINK_NS: &str = "http://www.w3.org/1999/xlink";

/// Weighs nodes: an element 1, a character of text 1, a `<use>` what it names.
struct Weigher<'a, 'input> {
    ids: HashMap<&'a str, roxmltree::Node<'a, 'input>>,
    memo: HashMap<roxmltree::NodeId, u64>,
    /// Nodes being weighed: a `<use>` back into one of them is a loop, which usvg skips.
    open: HashSet<roxmltree::NodeId>,
    /// The heaviest marker: what each vertex of a shape may carry.
    marker_cost: u64,
}

impl<'a, 'input> Weigher<'a, 'input> {
    fn new(xml: &'a roxmltree::Document<'input>) -> Self {
        let ids = xml.descendants().filter_map(|n| n.attribute("id").map(|id| (id, n))).collect();
        Self { ids, memo: HashMap::new(), open: HashSet::new(), marker_cost: 0 }
    }

    fn weight(&mut self, node: roxmltree::Node<'a, 'input>, depth: usize) -> Result<u64, VectorError> {
        if depth > MAX_DEPTH {
            return Err(VectorError::TooDeep);
        }
        if let Some(weight) = self.memo.get(&node.id()) {
            return Ok(*weight);
        }
        if node.is_text() {
            return Ok(if in_text(node) { node.text().map_or(0, |t| t.chars().count() as u64) } else { 0 });
        }
        if !self.open.insert(node.id()) {
            return Ok(0);
        }
        let mut weight = u64::from(node.is_element());
        for child in node.children() {
            weight = weight.saturating_add(self.weight(child, depth + 1)?);
        }
        if node.tag_name().name() == "use" {
            if let Some(target) = self.target(node) {
                weight = weight.saturating_add(self.weight(target, depth + 1)?);
            }
        }
        if self.marker_cost > 0 {
            weight = weight.saturating_add(vertices(node).saturating_mul(self.marker_cost));
        }
        self.open.remove(&node.id());
        // Short-circuit a bomb: everything after this only adds.
        if weight > MAX_ELEMENTS {
            return Err(VectorError::TooComplex(format!("it expands to more than {MAX_ELEMENTS} elements")));
        }
        self.memo.insert(node.id(), weight);
        Ok(weight)
    }

    /// The element a `<use>` names (`#id` in this document; anything else names nothing).
    fn target(&self, node: roxmltree::Node) -> Option<roxmltree::Node<'a, 'input>> {
        let href = node.attribute((XLINK_NS, "href")).or_else(|| node.attribute("href"))?;
        self.ids.get(href.trim().strip_prefix('#')?).copied()
    }
}

/// Whether a text node is drawn as glyphs (in `<text>`), rather than whitespace between tags.
fn in_text(node: roxmltree::Node) -> bool {
    node.parent().is_some_and(|p| matches!(p.tag_name().name(), "text" | "tspan" | "textPath" | "a"))
}

/// At least as many vertices as the shape has, for the shapes markers attach to.
fn vertices(node: roxmltree::Node) -> u64 {
    // A vertex takes at least two characters of path data ("1-1" is one point).
    let of_data = |data: Option<&str>| data.map_or(0, |d| d.len() as u64 / 2 + 2);
    match node.tag_name().name() {
        "path" => of_data(node.attribute("d")),
        "polyline" | "polygon" => of_data(node.attribute("points")),
        "line" => 2,
        _ => 0,
    }
}

/// Bounds what drawing the tree takes: its nodes (clip paths, masks and patterns counted at each
/// use, as each use draws them) and its layers.
fn check_tree(tree: &usvg::Tree) -> Result<(), VectorError> {
    let mut count = TreeCount::default();
    count.group(tree.root(), 0);
    if count.nodes > MAX_TREE_NODES {
        return Err(VectorError::TooComplex(format!("more than {MAX_TREE_NODES} shapes to draw")));
    }
    if count.layers > MAX_LAYERS {
        return Err(VectorError::TooComplex(format!("more than {MAX_LAYERS} layers to draw")));
    }
    Ok(())
}

#[derive(Default)]
struct TreeCount {
    nodes: u64,
    layers: u64,
}

impl TreeCount {
    fn group(&mut self, group: &usvg::Group, depth: usize) {
        // Counting stops once over (or nested past what usvg builds): the answer is known.
        if self.nodes > MAX_TREE_NODES || depth > MAX_DEPTH {
            self.nodes = self.nodes.max(MAX_TREE_NODES + 1);
            return;
        }
        self.layers += u64::from(group.should_isolate());
        for node in group.children() {
            self.nodes += 1;
            if let usvg::Node::Group(child) = node {
                self.group(child, depth + 1);
            }
            if let usvg::Node::Text(text) = node {
                self.group(text.flattened(), depth + 1);
            }
            node.subroots(|root| self.group(root, depth + 1));
        }
    }
}

#[cfg(test)]
mod tests;
