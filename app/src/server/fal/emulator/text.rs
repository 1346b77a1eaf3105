//! Readable text for the emulator's pictures: Noto Sans (embedded by the `notosans` crate, SIL
//! Open Font License) rasterised with `ab_glyph`. Word wrapping and blending are written here:
//! the crates that would do them (imageproc, resvg) bring far larger dependency trees for the
//! few lines they would save. No shaping and no right-to-left layout: Latin, Greek and Cyrillic
//! render (see `words::can_draw`); other scripts are replaced by a note before they get here.

use ab_glyph::{point, Font, FontRef, PxScale, ScaleFont};
use image::RgbImage;
use std::sync::LazyLock;

static BOLD: LazyLock<Option<FontRef<'static>>> = LazyLock::new(|| FontRef::try_from_slice(notosans::BOLD_TTF).ok());
static REGULAR: LazyLock<Option<FontRef<'static>>> = LazyLock::new(|| FontRef::try_from_slice(notosans::REGULAR_TTF).ok());

#[derive(Clone, Copy)]
pub enum Weight {
    Regular,
    Bold,
}

fn font(weight: Weight) -> Option<&'static FontRef<'static>> {
    match weight {
        Weight::Regular => REGULAR.as_ref(),
        Weight::Bold => BOLD.as_ref(),
    }
}

/// A box on the picture, in pixels.
#[derive(Clone, Copy, Debug)]
pub struct Area {
    pub x: f32,
    pub y: f32,
    pub w: f32,
    pub h: f32,
}

fn blend(img: &mut RgbImage, x: i32, y: i32, colour: [u8; 3], coverage: f32) {
    if x < 0 || y < 0 || x as u32 >= img.width() || y as u32 >= img.height() || coverage <= 0.0 {
        return;
    }
    let pixel = img.get_pixel_mut(x as u32, y as u32);
    let a = coverage.min(1.0);
    for (channel, target) in pixel.0.iter_mut().zip(colour) {
        *channel = (*channel as f32 * (1.0 - a) + target as f32 * a).round() as u8;
    }
}

fn width_of(font: &FontRef<'_>, scale: PxScale, text: &str) -> f32 {
    let scaled = font.as_scaled(scale);
    let (mut width, mut previous) = (0.0, None);
    for ch in text.chars() {
        let id = scaled.glyph_id(ch);
        if let Some(p) = previous {
            width += scaled.kern(p, id);
        }
        width += scaled.h_advance(id);
        previous = Some(id);
    }
    width
}

/// Greedy word wrap to `max_width`; a word wider than the box is broken between characters.
/// Each line says whether it ends inside a word (then no space joins it to the next).
fn wrap(font: &FontRef<'_>, scale: PxScale, text: &str, max_width: f32) -> Vec<(String, bool)> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let candidate = if line.is_empty() { word.to_string() } else { format!("{line} {word}") };
        if width_of(font, scale, &candidate) <= max_width {
            line = candidate;
            continue;
        }
        if !line.is_empty() {
            lines.push((std::mem::take(&mut line), false));
        }
        for ch in word.chars() {
            let mut next = line.clone();
            next.push(ch);
            if !line.is_empty() && width_of(font, scale, &next) > max_width {
                lines.push((std::mem::take(&mut line), true));
                line.push(ch);
            } else {
                line = next;
            }
        }
    }
    if !line.is_empty() {
        lines.push((line, false));
    }
    lines
}

fn line_height(font: &FontRef<'_>, scale: PxScale) -> f32 {
    let scaled = font.as_scaled(scale);
    scaled.height() + scaled.line_gap()
}

fn draw_line(img: &mut RgbImage, font: &FontRef<'_>, scale: PxScale, x: f32, top: f32, text: &str, colour: [u8; 3]) {
    let scaled = font.as_scaled(scale);
    let baseline = top + scaled.ascent();
    let (mut caret, mut previous) = (x, None);
    for ch in text.chars() {
        let id = scaled.glyph_id(ch);
        if let Some(p) = previous {
            caret += scaled.kern(p, id);
        }
        let glyph = id.with_scale_and_position(scale, point(caret, baseline));
        caret += scaled.h_advance(id);
        previous = Some(id);
        if let Some(outlined) = font.outline_glyph(glyph) {
            let bounds = outlined.px_bounds();
            outlined.draw(|gx, gy, coverage| {
                blend(img, bounds.min.x as i32 + gx as i32, bounds.min.y as i32 + gy as i32, colour, coverage)
            });
        }
    }
}

/// Where text goes in its box.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Centre,
}

/// Text fitted into a box: its size, its lines, and the text as it reads once drawn (the
/// whole text unless it could not fit even at the smallest size, then cut with "…").
pub struct Fitted {
    scale: PxScale,
    lines: Vec<String>,
    pub text: String,
}

/// Fits `text` into `area` as large as it goes from `max_px` down to `min_px`, breaking no word
/// while a smaller size avoids it; what still does not fit at `min_px` ends in "…".
pub fn fit(weight: Weight, text: &str, area: Area, max_px: f32, min_px: f32) -> Fitted {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let Some(font) = font(weight) else { return Fitted { scale: PxScale::from(min_px), lines: Vec::new(), text: String::new() } };
    let mut px = max_px.max(min_px);
    let (scale, mut lines) = loop {
        let scale = PxScale::from(px);
        let lines = wrap(font, scale, &text, area.w);
        let fits = lines.len() as f32 * line_height(font, scale) <= area.h && !lines.iter().any(|(_, broken)| *broken);
        if fits || px <= min_px {
            break (scale, lines);
        }
        px = (px * 0.92).max(min_px);
    };
    let fit = ((area.h / line_height(font, scale)).floor() as usize).max(1);
    let cut = lines.len() > fit;
    if cut {
        lines.truncate(fit);
        if let Some((last, broken)) = lines.last_mut() {
            while !last.is_empty() && width_of(font, scale, &format!("{last}…")) > area.w {
                last.pop();
            }
            last.push('…');
            *broken = false;
        }
    }
    let mut drawn = String::new();
    for (i, (line, broken)) in lines.iter().enumerate() {
        drawn.push_str(line);
        if !broken && i + 1 < lines.len() {
            drawn.push(' ');
        }
    }
    Fitted { scale, lines: lines.into_iter().map(|(l, _)| l).collect(), text: drawn }
}

impl Fitted {
    /// The height its lines take.
    pub fn height(&self, weight: Weight) -> f32 {
        self.lines.len() as f32 * self.line_px(weight)
    }

    /// The size it was fitted at, in pixels.
    pub fn px(&self) -> f32 {
        self.scale.y
    }

    /// Its size as CSS and SVG mean it (the em), in pixels: ab_glyph's scale is the font's
    /// ascent-to-descent height, which for Noto Sans is 1.36 em.
    pub fn em_px(&self, weight: Weight) -> f32 {
        font(weight).map_or(self.scale.y, |f| self.scale.y * f.units_per_em().unwrap_or(1000.0) / f.height_unscaled().max(1.0))
    }

    /// The distance from one of its lines to the next, in pixels.
    pub fn line_px(&self, weight: Weight) -> f32 {
        font(weight).map_or(0.0, |f| line_height(f, self.scale))
    }

    /// Where its lines go in `area` (as [`draw_fitted`] puts them): the area's width, as tall as
    /// the lines, at the top or centred.
    pub fn extent(&self, weight: Weight, area: Area, align: Align) -> Area {
        let h = self.height(weight);
        let y = match align {
            Align::Left => area.y,
            Align::Centre => area.y + (area.h - h).max(0.0) / 2.0,
        };
        Area { y, h, ..area }
    }
}

impl Fitted {
    /// How wide its widest line is, in pixels.
    pub fn width(&self, weight: Weight) -> f32 {
        font(weight).map_or(0.0, |f| self.lines.iter().map(|l| width_of(f, self.scale, l)).fold(0.0, f32::max))
    }

    /// Each line as [`draw_fitted`] places it: where it starts and its baseline.
    pub fn baselines(&self, weight: Weight, area: Area, align: Align) -> Vec<(f32, f32, &str)> {
        let Some(font) = font(weight) else { return Vec::new() };
        let (height, ascent) = (line_height(font, self.scale), font.as_scaled(self.scale).ascent());
        let top = self.extent(weight, area, align).y;
        let start = |line: &str| match align {
            Align::Left => area.x,
            Align::Centre => area.x + (area.w - width_of(font, self.scale, line)).max(0.0) / 2.0,
        };
        self.lines.iter().enumerate().map(|(i, line)| (start(line), top + i as f32 * height + ascent, line.as_str())).collect()
    }
}

/// Draws fitted text in its box; returns the height used.
pub fn draw_fitted(img: &mut RgbImage, weight: Weight, fitted: &Fitted, area: Area, colour: [u8; 3], align: Align) -> f32 {
    let Some(font) = font(weight) else { return 0.0 };
    let height = line_height(font, fitted.scale);
    // Centred text is centred both ways; left-aligned text starts at the top.
    let mut top = fitted.extent(weight, area, align).y;
    for line in &fitted.lines {
        let x = match align {
            Align::Left => area.x,
            Align::Centre => area.x + (area.w - width_of(font, fitted.scale, line)).max(0.0) / 2.0,
        };
        draw_line(img, font, fitted.scale, x, top, line, colour);
        top += height;
    }
    fitted.lines.len() as f32 * height
}

/// Draws `text` wrapped into `area` (see [`fit`]). Returns the height used.
pub fn draw_box(img: &mut RgbImage, weight: Weight, text: &str, area: Area, max_px: f32, min_px: f32, colour: [u8; 3], align: Align) -> f32 {
    let fitted = fit(weight, text, area, max_px, min_px);
    draw_fitted(img, weight, &fitted, area, colour, align)
}

/// Whether every letter of `text` has a glyph in both weights.
pub fn covers(text: &str) -> bool {
    [Weight::Regular, Weight::Bold].into_iter().filter_map(font).all(|f| text.chars().filter(|c| !c.is_whitespace()).all(|c| f.glyph_id(c).0 != 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_drawn_inside_its_box_and_wraps() {
        let mut img = RgbImage::from_pixel(400, 200, image::Rgb([0, 0, 0]));
        let area = Area { x: 20.0, y: 20.0, w: 200.0, h: 100.0 };
        let used = draw_box(&mut img, Weight::Bold, "Rainfall in Lisbon across the seasons", area, 40.0, 12.0, [255, 255, 255], Align::Left);
        assert!(used > 0.0 && used <= 100.0 + 1.0, "{used}");
        let lit = |x0: u32, x1: u32, y0: u32, y1: u32| {
            (y0..y1).flat_map(|y| (x0..x1).map(move |x| (x, y))).filter(|&(x, y)| img.get_pixel(x, y).0[0] > 128).count()
        };
        assert!(lit(20, 220, 20, 120) > 200, "ink inside the box");
        assert_eq!(lit(230, 400, 0, 200), 0, "nothing right of the box");
        assert_eq!(lit(0, 400, 130, 200), 0, "nothing below the box");
    }

    #[test]
    fn fitting_keeps_every_word_unless_it_truly_cannot() {
        let area = Area { x: 0.0, y: 0.0, w: 120.0, h: 40.0 };
        let text = "Pollination   basics and more words than fit at first";
        assert_eq!(fit(Weight::Regular, text, area, 30.0, 6.0).text, "Pollination basics and more words than fit at first");
        let cut = fit(Weight::Regular, &"word ".repeat(200), area, 30.0, 12.0).text;
        assert!(cut.ends_with('…') && cut.len() < 400, "{cut}");
        for sample in ["Größe, Straße, Ä Ö Ü", "Ελληνικά γράμματα", "Русский текст, українська ї", "Zażółć gęślą jaźń, čeština, Türkçe ğ ş ı"] {
            assert!(covers(sample), "{sample}");
        }
        assert!(!covers("日本語") && !covers("العربية") && !covers("हिन्दी"));
    }
}
