//! Everything an emulated picture is drawn from, and how it travels: as the query of the
//! image's URL (so images keep rendering after the emulator, an in-memory service, restarts, as
//! fal's media URLs outlive their jobs) and as a `tEXt` chunk inside the PNG itself (so an edit
//! of the app's stored copy, whose URL is the app's, still knows what it shows).

use crate::model::design::Layout;
use base64::Engine;

/// The top and bottom colours of the background gradient.
pub type Palette = ([u8; 3], [u8; 3]);

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Picture {
    pub width: u32,
    pub height: u32,
    /// The prompt's hash: the same prompt, the same colours.
    pub seed: u64,
    /// Per submission (from the request id): the pictures of a batch differ in look, not words.
    pub variant: u64,
    /// The headline (the user's words).
    pub title: String,
    pub subtitle: Option<String>,
    /// A reviewed outline's sections; empty without one (then `lines` is the body).
    pub sections: Vec<Section>,
    /// Without an outline: what the body lists (the brief's sections or facts), at most
    /// [`MAX_LINES`].
    pub lines: Vec<String>,
    pub layout: Layout,
    /// The language code every word is to be written in (empty: English).
    pub language: String,
    /// The brand kit's colours, the palette when set.
    pub brand: Vec<[u8; 3]>,
    /// The brand logo, a small PNG, drawn in a corner.
    pub logo: Option<Vec<u8>>,
    /// `[emulator:typo]`: one word misspelled and one number changed in what is drawn.
    pub typo: bool,
    /// `[emulator:noreadback]`: a read-back of this picture never finishes.
    pub noreadback: bool,
    /// The picture without its words (a layerize-text background): everything else as drawn.
    pub textless: bool,
    /// For an edit: what was asked (drawn in a banner unless empty), the source's colours, kept.
    pub edit: Option<Edit>,
    /// The endpoint that drew it (`fal-ai/ideogram/v3`), labelled on the picture; empty: none.
    pub model: String,
    /// Drawn as an SVG (a vector model's output) rather than a PNG.
    pub vector: bool,
    /// `[emulator:hostile-svg]`: the SVG carries a script, an event handler and an external image.
    pub hostile: bool,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Section {
    pub heading: String,
    pub line: String,
    pub figure: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Edit {
    pub instruction: String,
    pub palette: Palette,
}

pub const MAX_LINES: usize = 6;
const MAX_SECTIONS: usize = 12;
/// Largest logo a spec carries (PNG bytes); a larger one is drawn smaller.
const MAX_LOGO_BYTES: usize = 24 * 1024;
/// The `tEXt` keyword of the spec inside the PNG.
const CHUNK_KEYWORD: &str = "infograph-emulator";

fn hex_colours(colours: &[[u8; 3]]) -> String {
    hex::encode(colours.concat())
}

fn colours_of_hex(text: &str) -> Option<Vec<[u8; 3]>> {
    let bytes = hex::decode(text).ok()?;
    (bytes.len() % 3 == 0).then(|| bytes.chunks(3).map(|c| [c[0], c[1], c[2]]).collect())
}

impl Picture {
    /// The spec as a URL query (the keys of URLs minted before outlines still mean the same).
    pub fn to_query(&self) -> String {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        q.append_pair("w", &self.width.to_string()).append_pair("h", &self.height.to_string()).append_pair("s", &self.seed.to_string()).append_pair("t", &self.title);
        if self.variant != 0 {
            q.append_pair("v", &self.variant.to_string());
        }
        if !self.lines.is_empty() {
            q.append_pair("l", &self.lines.join("\n"));
        }
        if let Some(edit) = &self.edit {
            q.append_pair("i", &edit.instruction).append_pair("p", &hex_colours(&[edit.palette.0, edit.palette.1]));
        }
        if let Some(subtitle) = &self.subtitle {
            q.append_pair("u", subtitle);
        }
        if !self.sections.is_empty() {
            let rows: Vec<String> = self.sections.iter().map(|s| format!("{}\t{}\t{}", s.heading, s.line, s.figure.as_deref().unwrap_or(""))).collect();
            q.append_pair("o", &rows.join("\n"));
        }
        if self.layout != Layout::Auto {
            q.append_pair("y", self.layout.as_str());
        }
        if !self.language.is_empty() {
            q.append_pair("g", &self.language);
        }
        if !self.brand.is_empty() {
            q.append_pair("c", &hex_colours(&self.brand));
        }
        if let Some(logo) = &self.logo {
            q.append_pair("k", &base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(logo));
        }
        if !self.model.is_empty() {
            q.append_pair("m", &self.model);
        }
        let flags: String = [(self.typo, 't'), (self.noreadback, 'n'), (self.textless, 'b'), (self.vector, 'v'), (self.hostile, 'h')].iter().filter(|(on, _)| *on).map(|(_, c)| c).collect();
        if !flags.is_empty() {
            q.append_pair("x", &flags);
        }
        q.finish()
    }

    /// The spec a query describes, its text bounded (a URL is anybody's to write); `None` without
    /// a sane size.
    pub fn from_query(query: &str) -> Option<Self> {
        let mut p = Picture::default();
        let (mut instruction, mut palette) = (None, None);
        let bounded = |text: &str, max: usize| text.split_whitespace().collect::<Vec<_>>().join(" ").chars().take(max).collect::<String>();
        let (mut width, mut height, mut seed) = (None, None, None);
        for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
            match key.as_ref() {
                "w" => width = value.parse().ok(),
                "h" => height = value.parse().ok(),
                "s" => seed = value.parse().ok(),
                "v" => p.variant = value.parse().unwrap_or(0),
                "t" => p.title = bounded(&value, 200),
                "l" => p.lines = value.lines().take(MAX_LINES).map(|l| bounded(l, 120)).collect(),
                "i" => instruction = Some(bounded(&value, 300)),
                "p" => palette = colours_of_hex(&value).filter(|c| c.len() == 2).map(|c| (c[0], c[1])),
                "u" => p.subtitle = Some(bounded(&value, 300)).filter(|s| !s.is_empty()),
                "o" => p.sections = value.lines().take(MAX_SECTIONS).map(section_of_row).collect(),
                "y" => p.layout = Layout::parse(&value).unwrap_or_default(),
                "g" => p.language = bounded(&value, 16),
                "c" => p.brand = colours_of_hex(&value).unwrap_or_default().into_iter().take(8).collect(),
                "k" => p.logo = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(value.as_bytes()).ok().filter(|l| l.len() <= MAX_LOGO_BYTES * 2),
                "m" => p.model = bounded(&value, 120),
                "x" => {
                    (p.typo, p.noreadback, p.textless) = (value.contains('t'), value.contains('n'), value.contains('b'));
                    (p.vector, p.hostile) = (value.contains('v'), value.contains('h'));
                }
                _ => {}
            }
        }
        (p.width, p.height, p.seed) = (width?, height?, seed?);
        if !(1..=8192).contains(&p.width) || !(1..=8192).contains(&p.height) {
            return None;
        }
        if let (Some(instruction), Some(palette)) = (instruction, palette) {
            p.edit = Some(Edit { instruction, palette });
        }
        Some(p)
    }

    /// The spec of an emulator image URL (`…/files/<id>.png?<spec>`, or `….svg` for a vector
    /// picture), whoever minted it.
    pub fn from_url(url: &str) -> Option<Self> {
        let parsed = url::Url::parse(url).ok()?;
        let path = parsed.path();
        path.contains("/files/").then_some(())?;
        let picture = Self::from_query(parsed.query()?)?;
        let drawn = if picture.vector { path.ends_with(".svg") } else { path.ends_with(".png") };
        drawn.then_some(picture)
    }

    /// The spec carried inside a PNG the emulator drew.
    pub fn from_png(bytes: &[u8]) -> Option<Self> {
        let text = png_text(bytes, CHUNK_KEYWORD)?;
        Self::from_query(&text)
    }
}

fn section_of_row(row: &str) -> Section {
    let mut cells = row.split('\t').map(|c| c.split_whitespace().collect::<Vec<_>>().join(" "));
    let mut cell = |max: usize| cells.next().unwrap_or_default().chars().take(max).collect::<String>();
    let (heading, line, figure) = (cell(200), cell(400), cell(80));
    Section { heading, line, figure: Some(figure).filter(|f| !f.is_empty()) }
}

/// A logo as the spec carries it: decoded, at most `edge` pixels on its long side, PNG again;
/// smaller until it is small enough. `None` when it is not an image.
pub fn logo_thumbnail(bytes: &[u8]) -> Option<Vec<u8>> {
    let img = ::image::load_from_memory(bytes).ok()?;
    for edge in [96, 64, 40, 24] {
        let small = img.thumbnail(edge, edge);
        let mut out = std::io::Cursor::new(Vec::new());
        small.write_to(&mut out, ::image::ImageFormat::Png).ok()?;
        if out.get_ref().len() <= MAX_LOGO_BYTES {
            return Some(out.into_inner());
        }
    }
    None
}

/// PNG's CRC-32 (ISO 3309), bit by bit: a few hundred bytes per picture.
fn crc32(parts: &[&[u8]]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for byte in parts.iter().flat_map(|p| p.iter()) {
        crc ^= u32::from(*byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xedb8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

/// `png` with the spec in a `tEXt` chunk right after its header (the `image` crate writes none).
pub fn with_spec(png: Vec<u8>, picture: &Picture) -> Vec<u8> {
    // Signature (8) + IHDR (4 length + 4 type + 13 data + 4 CRC).
    const AFTER_HEADER: usize = 8 + 25;
    if png.len() < AFTER_HEADER || &png[12..16] != b"IHDR" {
        return png;
    }
    let data = [CHUNK_KEYWORD.as_bytes(), &[0], picture.to_query().as_bytes()].concat();
    let mut out = Vec::with_capacity(png.len() + data.len() + 12);
    out.extend_from_slice(&png[..AFTER_HEADER]);
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    out.extend_from_slice(b"tEXt");
    out.extend_from_slice(&data);
    out.extend_from_slice(&crc32(&[b"tEXt", &data]).to_be_bytes());
    out.extend_from_slice(&png[AFTER_HEADER..]);
    out
}

/// The text of the PNG's `tEXt` chunk named `keyword`.
fn png_text(bytes: &[u8], keyword: &str) -> Option<String> {
    let mut at = 8;
    (bytes.get(..8)? == b"\x89PNG\r\n\x1a\n").then_some(())?;
    while at + 8 <= bytes.len() {
        let length = u32::from_be_bytes(bytes[at..at + 4].try_into().ok()?) as usize;
        let kind = &bytes[at + 4..at + 8];
        let data = bytes.get(at + 8..at + 8 + length)?;
        if kind == b"tEXt" {
            if let Some(text) = data.strip_prefix(keyword.as_bytes()).and_then(|d| d.strip_prefix(&[0])) {
                return String::from_utf8(text.to_vec()).ok();
            }
        }
        if kind == b"IDAT" || kind == b"IEND" {
            return None;
        }
        at += 12 + length;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spec_survives_its_url_and_its_png() {
        let picture = Picture {
            width: 1024,
            height: 576,
            seed: 7,
            variant: 99,
            title: "Bienen & Honig".into(),
            subtitle: Some("Wie ein Volk arbeitet".into()),
            sections: vec![Section { heading: "Späher".into(), line: "fliegen 6 km".into(), figure: Some("6 km".into()) }, Section { heading: "Tanz".into(), ..Section::default() }],
            layout: Layout::Statistics,
            language: "de".into(),
            brand: vec![[0x11, 0x22, 0x33], [0x44, 0x55, 0x66]],
            logo: Some(vec![1, 2, 3]),
            typo: true,
            noreadback: true,
            textless: true,
            edit: Some(Edit { instruction: String::new(), palette: ([1, 2, 3], [4, 5, 6]) }),
            model: "fal-ai/ideogram/v3".into(),
            ..Picture::default()
        };
        let url = format!("http://x/fal-emulator/files/a.png?{}", picture.to_query());
        assert_eq!(Picture::from_url(&url), Some(picture.clone()));
        assert_eq!(Picture::from_url("http://x/elsewhere/a.png?w=1&h=1&s=1&t=x"), None);
        let png = crate::server::fal::emulator::image::render_png(64, 48, 1).expect("png");
        let tagged = with_spec(png, &picture);
        assert_eq!(Picture::from_png(&tagged), Some(picture.clone()));
        assert!(::image::load_from_memory(&tagged).is_ok(), "still a valid PNG");
        let vector = Picture { vector: true, hostile: true, ..picture.clone() };
        assert_eq!(Picture::from_url(&format!("http://x/fal-emulator/files/a.svg?{}", vector.to_query())), Some(vector.clone()));
        assert_eq!(Picture::from_url(&format!("http://x/fal-emulator/files/a.png?{}", vector.to_query())), None, "a vector picture is an SVG");
        assert_eq!(Picture::from_url(&format!("http://x/fal-emulator/files/a.svg?{}", picture.to_query())), None, "an older SVG is no picture spec");
        // URLs minted before outlines (no v, u, o, …) still describe their pictures.
        let old = Picture::from_query("w=800&h=600&s=3&t=Rain&l=a%0Ab").expect("old");
        assert_eq!((old.title.as_str(), old.lines.len(), old.layout, old.typo), ("Rain", 2, Layout::Auto, false));
    }
}
