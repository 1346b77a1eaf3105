//! The emulator's "generated" image: a PNG of the requested aspect ratio (colour bands and bars
//! derived from the prompt's seed), like the PNGs real fal returns, so our storage path sniffs,
//! measures and thumbnails real bytes. To stay cheap it is drawn at most [`MAX_EDGE`] pixels on
//! its long side, whatever resolution was asked for, and the webhook reports the file's true size.
//! The older SVG renderer stays for image URLs minted before (they carry `.svg`).

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

/// Renders the PNG for a requested size (drawn at [`rendered_size`]).
pub fn render_png(width: u32, height: u32, seed: u64) -> Result<Vec<u8>, String> {
    let (w, h) = rendered_size(width, height);
    let hue = (seed % 360) as u32;
    let (top, bottom) = (hsl(hue, 0.7, 0.22), hsl(hue + 60, 0.7, 0.38));
    let mut img = ::image::RgbImage::new(w, h);
    // A vertical gradient background.
    for y in 0..h {
        let t = y as f32 / h.max(2) as f32;
        let row = [0, 1, 2].map(|i| (top[i] as f32 * (1.0 - t) + bottom[i] as f32 * t) as u8);
        for x in 0..w {
            img.put_pixel(x, y, ::image::Rgb(row));
        }
    }
    // A title band, then a few deterministic bars so it reads as a chart.
    fill(&mut img, w * 3 / 40, h * 12 / 100, w * 34 / 40, (h / 10).max(1), hsl(hue + 180, 0.2, 0.92));
    let bars = 5u32;
    let (base, area) = (h * 92 / 100, h * 35 / 100);
    let bw = (w * 85 / 100 / (bars * 3 / 2).max(1)).max(1);
    for i in 0..bars {
        let v = 30 + ((seed >> (i * 7)) % 70) as u32;
        let bh = (area * v / 100).max(1);
        fill(&mut img, w * 3 / 40 + i * bw * 3 / 2, base - bh, bw, bh, hsl(hue + 30 * i, 0.8, 0.7));
    }
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, ::image::ImageFormat::Png).map_err(|e| e.to_string())?;
    Ok(out.into_inner())
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

/// The first line of the prompt without emulator markers, shortened for a headline.
pub fn title_of(prompt: &str) -> String {
    let line = prompt
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
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
