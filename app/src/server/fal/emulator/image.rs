//! The emulator's "generated" image: a PNG of the requested aspect ratio with the prompt's title
//! and the brief's sections in readable text, laid out for the shape, and bars derived from the
//! prompt's seed; an edit keeps its source's colours and shows the instruction. Real PNG bytes,
//! like fal's, so our storage path sniffs, measures and thumbnails real images. To stay cheap it is drawn at most [`MAX_EDGE`] pixels on
//! its long side, whatever resolution was asked for, and the webhook reports the file's true size.
//! The older SVG renderer stays for image URLs minted before (they carry `.svg`).

use super::text::{self, Align, Area, Weight};

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

/// Everything an emulated picture is drawn from. It travels in the image's URL, so images keep
/// rendering after the emulator (an in-memory service) restarts, as fal's media URLs outlive
/// their jobs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Picture {
    pub width: u32,
    pub height: u32,
    pub seed: u64,
    /// The headline (the user's words).
    pub title: String,
    /// What the body lists: the brief's sections or facts, at most [`MAX_LINES`].
    pub lines: Vec<String>,
    /// For an edit: what was asked, and the source image's colours, kept.
    pub edit: Option<Edit>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Edit {
    pub instruction: String,
    pub palette: Palette,
}

/// The top and bottom colours of the background gradient.
pub type Palette = ([u8; 3], [u8; 3]);

pub const MAX_LINES: usize = 6;

fn palette_of_seed(seed: u64) -> Palette {
    let hue = (seed % 360) as u32;
    (hsl(hue, 0.7, 0.22), hsl(hue + 60, 0.7, 0.38))
}

/// The gradient of a picture this emulator drew (the left ends of its first and last rows): how an
/// edit keeps its source's look.
pub fn palette_of_image(bytes: &[u8]) -> Option<Palette> {
    let img = ::image::load_from_memory(bytes).ok()?.to_rgb8();
    let (w, h) = img.dimensions();
    (w > 0 && h > 0).then(|| (img.get_pixel(0, 0).0, img.get_pixel(0, h - 1).0))
}

/// Renders the PNG for a requested size (drawn at [`rendered_size`]) with no text: the landing
/// page's examples and older URLs.
pub fn render_png(width: u32, height: u32, seed: u64) -> Result<Vec<u8>, String> {
    render(&Picture { width, height, seed, ..Picture::default() }).map_err(|e| e.to_string())
}

/// Draws the picture: a gradient, a title card, the body's lines laid out for the aspect ratio
/// (columns beside a chart when wide, a list above it when tall, a grid when square), and for an
/// edit a banner with the instruction.
pub fn render(p: &Picture) -> Result<Vec<u8>, ::image::ImageError> {
    let (w, h) = rendered_size(p.width, p.height);
    let (top, bottom) = p.edit.as_ref().map_or_else(|| palette_of_seed(p.seed), |e| e.palette);
    let mut img = ::image::RgbImage::new(w, h);
    for y in 0..h {
        // Exact at both ends, so an edit that samples them gets the very same gradient.
        let t = y as f32 / (h - 1).max(1) as f32;
        let row = [0, 1, 2].map(|i| (top[i] as f32 * (1.0 - t) + bottom[i] as f32 * t).round() as u8);
        for x in 0..w {
            img.put_pixel(x, y, ::image::Rgb(row));
        }
    }
    let (wf, hf) = (w as f32, h as f32);
    let unit = wf.min(hf);
    let margin = unit * 0.06;
    let hue = (p.seed % 360) as u32;
    // The title card.
    let card = Area { x: margin, y: margin, w: wf - 2.0 * margin, h: hf * 0.18 };
    fill(&mut img, card.x as u32, card.y as u32, card.w as u32, card.h as u32, [248, 249, 252]);
    let title = if p.title.is_empty() { "Infographic" } else { &p.title };
    let inner = Area { x: card.x + margin * 0.6, y: card.y + card.h * 0.12, w: card.w - margin * 1.2, h: card.h * 0.76 };
    text::draw_box(&mut img, Weight::Bold, title, inner, unit * 0.085, unit * 0.03, [24, 28, 48], Align::Centre);
    let mut y = card.y + card.h + margin * 0.5;
    if let Some(edit) = &p.edit {
        let band = Area { x: margin, y, w: wf - 2.0 * margin, h: hf * 0.08 };
        fill(&mut img, band.x as u32, band.y as u32, band.w as u32, band.h as u32, hsl(hue + 180, 0.8, 0.32));
        let label = format!("Edited: {}", edit.instruction);
        let text_area = Area { x: band.x + margin * 0.4, y: band.y + band.h * 0.15, w: band.w - margin * 0.8, h: band.h * 0.7 };
        text::draw_box(&mut img, Weight::Bold, &label, text_area, unit * 0.04, unit * 0.02, [255, 255, 255], Align::Left);
        y += band.h + margin * 0.5;
    }
    let body = Area { x: margin, y, w: wf - 2.0 * margin, h: hf - y - margin * 1.4 };
    draw_body(&mut img, p, body, unit, hue);
    let footer = Area { x: margin, y: hf - margin * 1.1, w: wf - 2.0 * margin, h: margin * 0.8 };
    text::draw_box(&mut img, Weight::Regular, "drawn by the Infograph fal emulator", footer, unit * 0.025, unit * 0.015, [230, 232, 240], Align::Left);
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, ::image::ImageFormat::Png)?;
    Ok(out.into_inner())
}

/// The lines and a bar per line, arranged for the picture's shape.
fn draw_body(img: &mut ::image::RgbImage, p: &Picture, body: Area, unit: f32, hue: u32) {
    let lines: Vec<&str> = p.lines.iter().map(String::as_str).take(MAX_LINES).collect();
    let count = lines.len().max(3);
    let gap = unit * 0.02;
    let wide = body.w > body.h * 1.6;
    let tall = body.h > body.w * 1.3;
    let (columns, text_w) = match (wide, tall) {
        (true, _) => (1, body.w * 0.55),
        (_, true) => (1, body.w),
        _ => (2, body.w),
    };
    let rows = count.div_ceil(columns);
    let chart_h = if tall { body.h * 0.35 } else { 0.0 };
    let cell_h = ((body.h - chart_h) / rows as f32 - gap).max(1.0);
    let cell_w = text_w / columns as f32 - gap;
    for (i, line) in lines.iter().enumerate() {
        let (col, row) = (i % columns, i / columns);
        let cell = Area { x: body.x + col as f32 * (cell_w + gap), y: body.y + row as f32 * (cell_h + gap), w: cell_w, h: cell_h };
        let dot = (cell.h * 0.3).min(unit * 0.05);
        fill(img, cell.x as u32, (cell.y + cell.h * 0.2) as u32, dot as u32, dot as u32, hsl(hue + 30 * i as u32, 0.8, 0.7));
        let text_area = Area { x: cell.x + dot * 1.6, y: cell.y + cell.h * 0.1, w: cell.w - dot * 1.6, h: cell.h * 0.8 };
        text::draw_box(img, Weight::Regular, line, text_area, unit * 0.045, unit * 0.02, [245, 247, 252], Align::Left);
    }
    // The chart: beside the list when wide, under it when tall, under the grid otherwise.
    let chart = match (wide, tall) {
        (true, _) => Area { x: body.x + text_w + gap * 2.0, y: body.y, w: body.w - text_w - gap * 2.0, h: body.h },
        (_, true) => Area { x: body.x, y: body.y + body.h - chart_h, w: body.w, h: chart_h },
        _ => return,
    };
    let bars = count as u32;
    let bw = (chart.w / (bars as f32 * 1.5)).max(1.0);
    for i in 0..bars {
        let v = 30 + ((p.seed >> (i * 7)) % 70) as u32;
        let bh = (chart.h * v as f32 / 100.0).max(1.0);
        fill(img, (chart.x + i as f32 * bw * 1.5) as u32, (chart.y + chart.h - bh) as u32, bw as u32, bh as u32, hsl(hue + 30 * i, 0.8, 0.7));
    }
}

/// What the body of a picture for this prompt lists: the brief's key sections, else its key
/// facts, else the prompt's own further lines (an edit's prompt has none of these).
pub fn body_lines(prompt: &str) -> Vec<String> {
    let bullets = |heading: &str| -> Vec<String> {
        let Some(start) = prompt.find(heading) else { return Vec::new() };
        prompt[start + heading.len()..]
            .lines()
            .skip(1)
            .take_while(|l| l.starts_with("- "))
            .map(|l| short(l.trim_start_matches("- "), 80))
            .take(MAX_LINES)
            .collect()
    };
    let sections = bullets("Key sections:");
    if !sections.is_empty() {
        return sections;
    }
    let facts = bullets("Key facts and numbers:");
    if !facts.is_empty() {
        return facts;
    }
    prompt
        .lines()
        .map(str::trim)
        .skip_while(|l| l.is_empty())
        .skip(1)
        .take_while(|l| !l.starts_with("Format:"))
        .filter(|l| !l.is_empty() && !l.starts_with("Source article:"))
        .map(|l| short(l.strip_prefix(REQUEST_LABEL).unwrap_or(l), 80))
        .take(MAX_LINES)
        .collect()
}

/// The line of an edit's prompt that says what to change (see `blog::brief::refinement`), else
/// its first line.
pub fn instruction_of(prompt: &str) -> String {
    let line = prompt.lines().find_map(|l| l.trim().strip_prefix(EDIT_PREFIX)).unwrap_or_else(|| prompt.lines().next().unwrap_or(""));
    short(line.trim(), 160)
}

use crate::server::blog::brief::{ORIGINAL_TITLE, REFINE_PREFIX as EDIT_PREFIX, REQUEST_LABEL, TITLE_LABEL};

fn short(text: &str, max: usize) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() > max {
        format!("{}…", text.chars().take(max - 1).collect::<String>())
    } else {
        text
    }
}

fn fill(img: &mut ::image::RgbImage, x0: u32, y0: u32, w: u32, h: u32, colour: [u8; 3]) {
    let (iw, ih) = img.dimensions();
    for y in y0.min(ih)..(y0 + h).min(ih) {
        for x in x0.min(iw)..(x0 + w).min(iw) {
            img.put_pixel(x, y, ::image::Rgb(colour));
        }
    }
}

fn escape(text: &str) -> String {
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

/// The brief's title (its first line, without its label and emulator markers), shortened for a
/// headline.
pub fn title_of(prompt: &str) -> String {
    let line = original_title(prompt)
        .or_else(|| prompt.lines().map(str::trim).find(|l| !l.is_empty()))
        .map(|l| l.strip_prefix(TITLE_LABEL).map_or(l, str::trim))
        .unwrap_or("Infographic");
    let mut title = line.to_string();
    while let Some(start) = title.find("[emulator:") {
        let end = title[start..].find(']').map_or(title.len(), |e| start + e + 1);
        title.replace_range(start..end, "");
    }
    let title = title.split_whitespace().collect::<Vec<_>>().join(" ");
    let title = if title.is_empty() { "Infographic".to_string() } else { title };
    if title.chars().count() > 90 {
        format!("{}…", title.chars().take(89).collect::<String>())
    } else {
        title
    }
}

/// An edit keeps its source's headline: the refinement prompt names it (see
/// `blog::brief::refinement`).
fn original_title(prompt: &str) -> Option<&str> {
    let first = prompt.lines().map(str::trim).find(|l| !l.is_empty())?;
    if !first.starts_with(EDIT_PREFIX) {
        return None;
    }
    prompt.lines().find_map(|l| l.trim().strip_prefix(ORIGINAL_TITLE)).map(str::trim).filter(|t| !t.is_empty())
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
        assert_eq!(body_lines("Just a title\nand a second line\n\nFormat: x"), vec!["and a second line".to_string()]);
        for (w, h) in [(1024, 576), (576, 1024), (800, 800)] {
            let picture = Picture { width: w, height: h, seed: 9, title: "Coffee".into(), lines: body_lines(brief), edit: None };
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
        assert_eq!(body_lines(&briefed), vec!["An infographic for my blog post on urban beekeeping".to_string()]);
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
