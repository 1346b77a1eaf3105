//! The emulator's "generated" image: a PNG of the requested aspect ratio that shows what the
//! brief asks for (see `words` for the text and `layout` for the arrangement) in the chosen
//! language, with the brand kit's colours and logo, in colours and details that vary per
//! submission. Real PNG bytes, like fal's, so our storage path sniffs, measures and thumbnails
//! real images; the picture's spec rides inside them (see `picture`). To stay cheap it is drawn
//! at most [`MAX_EDGE`] pixels on its long side, whatever resolution was asked for, and the
//! webhook reports the file's true size. The older SVG renderer stays for image URLs minted
//! before (they carry `.svg`).

use super::layout::{self, Placed, Shape, Theme};
use super::picture;
use super::text::{self, Area};
use super::words;

pub use super::brief::{body_lines, instruction_of, title_of};
pub use super::picture::{Edit, Palette, Picture, Section, MAX_LINES};

/// Longest side of an emulated PNG: a 4K render would cost ~50 MB of pixels per request.
pub const MAX_EDGE: u32 = 1024;

/// The size the emulator actually draws for a requested size: the aspect ratio kept, the long
/// edge at most [`MAX_EDGE`].
pub fn rendered_size(width: u32, height: u32) -> (u32, u32) {
    let (w, h) = (width.max(1), height.max(1));
    let long = w.max(h);
    if long <= MAX_EDGE {
        return (w, h);
    }
    let scale = |v: u32| ((u64::from(v) * u64::from(MAX_EDGE) / u64::from(long)) as u32).max(1);
    (scale(w), scale(h))
}

/// `hue` in degrees, `s` and `l` in 0..=1.
fn hsl(hue: u32, s: f32, l: f32) -> [u8; 3] {
    let h = (hue % 360) as f32 / 60.0;
    let c = (1.0 - (2.0 * l - 1.0).abs()) * s;
    let x = c * (1.0 - (h % 2.0 - 1.0).abs());
    let (r, g, b) = match h as u32 {
        0 => (c, x, 0.0),
        1 => (x, c, 0.0),
        2 => (0.0, c, x),
        3 => (0.0, x, c),
        4 => (x, 0.0, c),
        _ => (c, 0.0, x),
    };
    let m = l - c / 2.0;
    [r, g, b].map(|v| ((v + m) * 255.0).round().clamp(0.0, 255.0) as u8)
}

/// The colours: the brand kit's when it has some (its first colour at the top), else hues from
/// the prompt mixed with the submission's variant; an edit keeps its source's gradient.
pub fn theme(p: &Picture) -> Theme {
    let mixed = p.seed.wrapping_add(p.variant.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let hue = (mixed % 360) as u32;
    let shade = |c: [u8; 3]| c.map(|v| (v as f32 * 0.62) as u8);
    let (top, bottom) = match (&p.edit, p.brand.as_slice()) {
        (Some(edit), _) => edit.palette,
        (None, []) => (hsl(hue, 0.7, 0.22), hsl(hue + 60, 0.7, 0.38)),
        (None, [only]) => (*only, shade(*only)),
        (None, [first, second, ..]) => (*first, if p.variant.is_multiple_of(2) { *second } else { shade(*first) }),
    };
    let accents = match p.brand.len() {
        0 => (0..6).map(|i| hsl(hue + 30 * i, 0.8, 0.7)).collect(),
        n => (0..n).map(|i| p.brand[(i + 1 + (p.variant as usize % n)) % n]).collect(),
    };
    let luminance = |c: [u8; 3]| (0.2126 * c[0] as f32 + 0.7152 * c[1] as f32 + 0.0722 * c[2] as f32) / 255.0;
    let mix = |a: [u8; 3], b: [u8; 3], t: f32| [0, 1, 2].map(|i| (a[i] as f32 * (1.0 - t) + b[i] as f32 * t).round() as u8);
    let panel = if luminance(top) > 0.8 { mix(top, [0, 0, 0], 0.07) } else { mix(top, [255, 255, 255], 0.9) };
    let average = mix(top, bottom, 0.5);
    let on_bg = if luminance(average) > 0.55 { [24, 28, 48] } else { [245, 247, 252] };
    Theme { top, bottom, accents, panel, ink: [24, 28, 48], on_bg, banner: hsl(hue + 180, 0.8, 0.32) }
}

/// Draws the picture: the background gradient, the layout's shapes and the logo, then its
/// words; the PNG carries the picture's spec.
pub fn render(p: &Picture) -> Result<Vec<u8>, ::image::ImageError> {
    let (w, h) = rendered_size(p.width, p.height);
    let theme = theme(p);
    let mut img = ::image::RgbImage::new(w, h);
    for y in 0..h {
        // Exact at both ends, so an edit that samples them gets the very same gradient.
        let t = y as f32 / (h - 1).max(1) as f32;
        let row = [0, 1, 2].map(|i| (theme.top[i] as f32 * (1.0 - t) + theme.bottom[i] as f32 * t).round() as u8);
        for x in 0..w {
            img.put_pixel(x, y, ::image::Rgb(row));
        }
    }
    let blocks = words::blocks(p);
    let scene = layout::compose(p, &blocks, w as f32, h as f32, &theme);
    for shape in &scene.shapes {
        paint(&mut img, shape, p.logo.as_deref());
    }
    // A background keeps every shape where the words' places left it, without the words.
    for placed in scene.texts.iter().filter(|_| !p.textless) {
        let fitted = fit(placed);
        text::draw_fitted(&mut img, placed.weight, &fitted, placed.area, placed.colour, placed.align);
    }
    // Kept on a picture without its words too: it is the model's mark, not one of the words.
    if let Some(label) = label(p, w as f32, h as f32) {
        fill(&mut img, label.band.x as u32, label.band.y as u32, label.band.w.round() as u32, label.band.h.round() as u32, theme.panel);
        text::draw_fitted(&mut img, LABEL_WEIGHT, &label.fitted, label.area, theme.ink, text::Align::Left);
    }
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, ::image::ImageFormat::Png)?;
    Ok(picture::with_spec(out.into_inner(), p))
}

/// The "drawn by <endpoint>" label of a picture with a model.
pub(super) struct Label {
    /// The card behind the words.
    pub band: Area,
    pub fitted: text::Fitted,
    /// Where the words go.
    pub area: Area,
}

pub(super) const LABEL_WEIGHT: text::Weight = text::Weight::Regular;

/// The label's place: a small card at the right of the bottom margin, below everything the
/// layout places, clear of the bottom row and the left column (an edit samples their ends for
/// its source's colours). It is no part of the transcript: a read-back compares the brief's
/// words with what is drawn.
pub(super) fn label(p: &Picture, w: f32, h: f32) -> Option<Label> {
    if p.model.is_empty() {
        return None;
    }
    let margin = w.min(h) * 0.05;
    let band_h = (margin * 0.7).max(layout::MIN_PX + 3.0);
    let pad = band_h * 0.3;
    let y = (h - margin * 0.85).min(h - band_h - 2.0).max(0.0);
    let room = Area { x: margin + pad, y: y + band_h * 0.1, w: (w - 2.0 * margin - 2.0 * pad).max(1.0), h: band_h * 0.8 };
    let fitted = text::fit(LABEL_WEIGHT, &format!("drawn by {}", p.model), room, band_h * 0.75, layout::MIN_PX);
    let width = fitted.width(LABEL_WEIGHT).ceil() + 1.0;
    let band = Area { x: (w - margin - width - 2.0 * pad).max(1.0), y, w: width + 2.0 * pad, h: band_h };
    Some(Label { band, area: Area { x: band.x + pad, w: width, ..room }, fitted })
}

fn fit(placed: &Placed) -> text::Fitted {
    text::fit(placed.weight, &placed.text, placed.area, placed.max_px, layout::MIN_PX)
}

/// The picture's text as drawn, one block a line in reading order (what a read-back returns):
/// the same layout and fitting as [`render`], without the pixels.
pub fn transcript(p: &Picture) -> String {
    drawn_texts(p).iter().map(|(_, fitted)| fitted.text.as_str()).collect::<Vec<_>>().join("\n")
}

/// Every text block [`render`] draws, in reading order, with how it was fitted (an empty block,
/// drawn as nothing, left out); none on a picture drawn without its words.
pub(super) fn drawn_texts(p: &Picture) -> Vec<(Placed, text::Fitted)> {
    if p.textless {
        return Vec::new();
    }
    let (w, h) = rendered_size(p.width, p.height);
    let scene = layout::compose(p, &words::blocks(p), w as f32, h as f32, &theme(p));
    scene.texts.into_iter().map(|placed| (fit(&placed), placed)).filter(|(fitted, _)| !fitted.text.is_empty()).map(|(fitted, placed)| (placed, fitted)).collect()
}

fn paint(img: &mut ::image::RgbImage, shape: &Shape, logo: Option<&[u8]>) {
    match *shape {
        Shape::Rect(a, colour) => fill(img, a.x as u32, a.y as u32, a.w.round() as u32, a.h.round() as u32, colour),
        Shape::Disc { cx, cy, r, colour } => each_pixel(img, Area { x: cx - r, y: cy - r, w: 2.0 * r, h: 2.0 * r }, colour, |x, y| (x - cx).powi(2) + (y - cy).powi(2) <= r * r),
        Shape::Ring { cx, cy, rx, ry, thickness, colour } => {
            let bounds = Area { x: cx - rx - thickness, y: cy - ry - thickness, w: 2.0 * (rx + thickness), h: 2.0 * (ry + thickness) };
            each_pixel(img, bounds, colour, |x, y| {
                let d = (((x - cx) / rx).powi(2) + ((y - cy) / ry).powi(2)).sqrt();
                (d - 1.0).abs() * rx.min(ry) <= thickness / 2.0
            })
        }
        Shape::Arrow { area: a, down, colour } => each_pixel(img, a, colour, |x, y| {
            let (along, across, length, breadth) = if down { (y - a.y, x - a.x, a.h, a.w) } else { (x - a.x, y - a.y, a.w, a.h) };
            let half = breadth / 2.0 * (1.0 - along / length.max(1.0));
            (across - breadth / 2.0).abs() <= half
        }),
        Shape::Logo(area) => {
            if let Some(bytes) = logo {
                draw_logo(img, bytes, area);
            }
        }
    }
}

fn each_pixel(img: &mut ::image::RgbImage, bounds: Area, colour: [u8; 3], inside: impl Fn(f32, f32) -> bool) {
    let (iw, ih) = img.dimensions();
    let (x0, y0) = (bounds.x.max(0.0) as u32, bounds.y.max(0.0) as u32);
    let (x1, y1) = (((bounds.x + bounds.w).ceil().max(0.0) as u32).min(iw), ((bounds.y + bounds.h).ceil().max(0.0) as u32).min(ih));
    for y in y0..y1 {
        for x in x0..x1 {
            if inside(x as f32 + 0.5, y as f32 + 0.5) {
                img.put_pixel(x, y, ::image::Rgb(colour));
            }
        }
    }
}

/// The logo scaled into `area` (its shape kept), blended by its alpha.
fn draw_logo(img: &mut ::image::RgbImage, bytes: &[u8], area: Area) {
    let Ok(logo) = ::image::load_from_memory(bytes) else { return };
    let side = area.w.min(area.h).max(1.0) as u32;
    let logo = logo.resize(side, side, ::image::imageops::FilterType::Triangle).to_rgba8();
    let (x0, y0) = ((area.x + (area.w - logo.width() as f32) / 2.0) as u32, (area.y + (area.h - logo.height() as f32) / 2.0) as u32);
    for (x, y, pixel) in logo.enumerate_pixels() {
        let (tx, ty) = (x0 + x, y0 + y);
        if tx >= img.width() || ty >= img.height() {
            continue;
        }
        let a = pixel.0[3] as f32 / 255.0;
        let target = img.get_pixel_mut(tx, ty);
        for i in 0..3 {
            target.0[i] = (target.0[i] as f32 * (1.0 - a) + pixel.0[i] as f32 * a).round() as u8;
        }
    }
}

/// The gradient of a picture this emulator drew (the left ends of its first and last rows): how an
/// edit keeps its source's look.
pub fn palette_of_image(bytes: &[u8]) -> Option<Palette> {
    let img = ::image::load_from_memory(bytes).ok()?.to_rgb8();
    let (w, h) = img.dimensions();
    (w > 0 && h > 0).then(|| (img.get_pixel(0, 0).0, img.get_pixel(0, h - 1).0))
}

/// The pixel size of an image (from its header), whatever its format.
pub fn size_of_image(bytes: &[u8]) -> Option<(u32, u32)> {
    ::image::ImageReader::new(std::io::Cursor::new(bytes)).with_guessed_format().ok()?.into_dimensions().ok()
}

/// Renders the PNG for a requested size (drawn at [`rendered_size`]) with no text (the tests'
/// plain picture).
pub fn render_png(width: u32, height: u32, seed: u64) -> Result<Vec<u8>, String> {
    render(&Picture { width, height, seed, ..Picture::default() }).map_err(|e| e.to_string())
}

fn fill(img: &mut ::image::RgbImage, x0: u32, y0: u32, w: u32, h: u32, colour: [u8; 3]) {
    let (iw, ih) = img.dimensions();
    for y in y0.min(ih)..(y0 + h).min(ih) {
        for x in x0.min(iw)..(x0 + w).min(iw) {
            img.put_pixel(x, y, ::image::Rgb(colour));
        }
    }
}

pub(super) fn escape(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '<' => "&lt;".to_string(),
            '>' => "&gt;".to_string(),
            '&' => "&amp;".to_string(),
            '"' => "&quot;".to_string(),
            '\'' => "&apos;".to_string(),
            c if c.is_control() => " ".to_string(),
            c => c.to_string(),
        })
        .collect()
}

/// Splits a title into lines of about `width` characters.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = vec![String::new()];
    for word in text.split_whitespace() {
        let Some(last) = lines.last_mut() else { break };
        if !last.is_empty() && last.chars().count() + word.chars().count() + 1 > width {
            lines.push(word.to_string());
        } else {
            if !last.is_empty() {
                last.push(' ');
            }
            last.push_str(word);
        }
    }
    lines
}

pub fn render_svg(prompt: &str, width: u32, height: u32, seed: u64) -> String {
    let title = title_of(prompt);
    let (w, h) = (width as f64, height as f64);
    let font = (w.min(h) / 12.0).max(12.0);
    let chars_per_line = ((w * 0.85) / (font * 0.55)).max(8.0) as usize;
    let lines = wrap(&title, chars_per_line);
    let hue = (seed % 360) as u32;
    let mut svg = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}">
<defs><linearGradient id="bg" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="hsl({hue},70%,22%)"/><stop offset="1" stop-color="hsl({hue2},70%,38%)"/></linearGradient></defs>
<rect width="100%" height="100%" fill="url(#bg)"/>
"##,
        hue2 = (hue + 60) % 360
    );
    let top = h * 0.18;
    for (i, line) in lines.iter().enumerate() {
        svg.push_str(&format!(
            r##"<text x="{x}" y="{y}" font-family="sans-serif" font-weight="700" font-size="{font:.0}" fill="#ffffff">{t}</text>
"##,
            x = w * 0.075,
            y = top + font * 1.2 * (i as f64 + 1.0),
            t = escape(line)
        ));
    }
    // A few deterministic bars so it reads as a chart.
    let bars = 5;
    let base = h * 0.92;
    let area = h * 0.35;
    let bw = w * 0.85 / (bars as f64 * 1.5);
    for i in 0..bars {
        let v = 0.3 + ((seed >> (i * 7)) % 70) as f64 / 100.0;
        svg.push_str(&format!(
            r##"<rect x="{x:.1}" y="{y:.1}" width="{bw:.1}" height="{bh:.1}" rx="6" fill="hsl({hb},80%,70%)" opacity="0.9"/>
"##,
            x = w * 0.075 + i as f64 * bw * 1.5,
            y = base - area * v,
            bh = area * v,
            hb = (hue + 30 * i as u32) % 360
        ));
    }
    svg.push_str(&format!(
        r##"<text x="{x:.0}" y="{y:.0}" font-family="sans-serif" font-size="{s:.0}" fill="#ffffffaa">generated by the Infograph fal emulator</text>
</svg>
"##,
        x = w * 0.075,
        y = h * 0.97,
        s = (font / 3.0).max(10.0)
    ));
    svg
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::blog::brief::{ORIGINAL_TITLE, REFINE_PREFIX as EDIT_PREFIX, REQUEST_LABEL, TITLE_LABEL};

    #[test]
    fn title_drops_markers_and_escapes() {
        assert_eq!(title_of("  \n[emulator:fail] Rain <in> Spain\nmore"), "Rain <in> Spain");
        let svg = render_svg("Rain <in> Spain & more", 1024, 576, 7);
        assert!(svg.contains("Rain &lt;in&gt;"));
        assert!(svg.contains(r#"width="1024" height="576""#));
    }

    #[test]
    fn pictures_carry_their_text_and_edits_keep_their_colours() {
        let brief = "Coffee around the world\n\nSource article: Beans (Blog)\nKey sections:\n- Where it grows\n- Who drinks most\n\nFormat: one infographic";
        assert_eq!(body_lines(brief), vec!["Where it grows".to_string(), "Who drinks most".to_string()]);
        // The author's request is what to show, not text to print.
        assert!(body_lines("Title: Just a title\nThe author's request (what to show; do not print it as text): bees\n\nFormat: x").is_empty());
        for (w, h) in [(1024, 576), (576, 1024), (800, 800)] {
            let picture = Picture { width: w, height: h, seed: 9, title: "Coffee".into(), lines: body_lines(brief), ..Picture::default() };
            let png = render(&picture).expect("png");
            if let Ok(dir) = std::env::var("EMULATOR_PICTURES") {
                let _ = std::fs::write(format!("{dir}/picture-{w}x{h}.png"), &png);
            }
            let decoded = ::image::load_from_memory(&png).expect("decodes").to_rgb8();
            assert_eq!(decoded.dimensions(), (w, h));
            // The title card is light, with dark text in it.
            let dark_in_card = (0..w).flat_map(|x| (h / 10..h / 5).map(move |y| (x, y))).filter(|&(x, y)| decoded.get_pixel(x, y).0[0] < 80).count();
            assert!(dark_in_card > 50, "{w}x{h}: {dark_in_card}");
        }
        let source = render(&Picture { width: 800, height: 600, seed: 1, title: "A".into(), ..Picture::default() }).expect("png");
        let palette = palette_of_image(&source).expect("palette");
        let edited = Picture {
            width: 800,
            height: 600,
            seed: 2,
            title: "A".into(),
            lines: vec![],
            edit: Some(Edit { instruction: "make the title larger".into(), palette }),
            ..Picture::default()
        };
        let png = render(&edited).expect("png");
        if let Ok(dir) = std::env::var("EMULATOR_PICTURES") {
            let _ = std::fs::write(format!("{dir}/picture-edit.png"), &png);
        }
        assert_eq!(palette_of_image(&png), Some(palette), "an edit keeps its source's colours");
        assert_ne!(png, source);
        assert_eq!(instruction_of(&format!("{EDIT_PREFIX} make it blue\nOriginal: x")), "make it blue");
        let refined = format!("{EDIT_PREFIX} make it blue\nKeep everything else.\n{ORIGINAL_TITLE} Rainfall in Lisbon\nFormat: 16:9");
        assert_eq!(title_of(&refined), "Rainfall in Lisbon", "an edit keeps its source's headline");
        assert_eq!(title_of("Plain prompt\nOriginal title: not this"), "Plain prompt");
        let briefed = format!("{TITLE_LABEL} Urban bees\n{REQUEST_LABEL} An infographic for my blog post on urban beekeeping\n\nFormat: x");
        assert_eq!(title_of(&briefed), "Urban bees", "the brief's title is the headline, never the request");
        assert!(body_lines(&briefed).is_empty(), "nor is the request printed in the body");
    }

    #[test]
    fn png_is_real_and_bounded() {
        assert_eq!(rendered_size(4096, 2304), (1024, 576));
        assert_eq!(rendered_size(1152, 2048), (576, 1024));
        assert_eq!(rendered_size(800, 600), (800, 600));
        let png = render_png(2048, 1152, 42).expect("png");
        assert_eq!(::image::guess_format(&png).ok(), Some(::image::ImageFormat::Png));
        let decoded = ::image::load_from_memory(&png).expect("decodes");
        assert_eq!((decoded.width(), decoded.height()), (1024, 576));
    }
}
