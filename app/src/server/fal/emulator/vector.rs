//! A vector model's picture (`fal-ai/recraft/v4.1/text-to-vector`) as an SVG: the same scene the
//! PNG draws (`layout`), its shapes as SVG shapes and its words as `<text>`, placed and fitted as
//! the PNG has them, with the "drawn by" label. `[emulator:hostile-svg]` adds what a sanitiser
//! must take out: a `<script>`, an `onload` handler and an external `<image>`.

use super::image::{escape, label, rendered_size, theme, Picture, LABEL_WEIGHT};
use super::layout::{self, Shape};
use super::text::{self, Align, Area, Weight};
use super::words;
use std::fmt::Write;

/// Where the hostile SVG's external image points.
pub const HOSTILE_IMAGE_URL: &str = "http://emulator.invalid/tracker.png";

fn hex(c: [u8; 3]) -> String {
    format!("#{:02x}{:02x}{:02x}", c[0], c[1], c[2])
}

/// The picture as an SVG document, at the size its PNG would be drawn.
pub fn render(p: &Picture) -> String {
    let (w, h) = rendered_size(p.width, p.height);
    let theme = theme(p);
    let scene = layout::compose(p, &words::blocks(p), w as f32, h as f32, &theme);
    let onload = if p.hostile { r#" onload="alert(document.domain)""# } else { "" };
    let mut svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}"{onload}>
<defs><linearGradient id="bg" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="{top}"/><stop offset="1" stop-color="{bottom}"/></linearGradient></defs>
<rect width="{w}" height="{h}" fill="url(#bg)"/>
"#,
        top = hex(theme.top),
        bottom = hex(theme.bottom),
    );
    for shape in &scene.shapes {
        push_shape(&mut svg, shape);
    }
    for placed in scene.texts.iter().filter(|_| !p.textless) {
        let fitted = text::fit(placed.weight, &placed.text, placed.area, placed.max_px, layout::MIN_PX);
        push_text(&mut svg, &fitted, placed.weight, placed.area, placed.align, placed.colour);
    }
    if let Some(label) = label(p, w as f32, h as f32) {
        let b = label.band;
        let _ = writeln!(svg, r#"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="{}"/>"#, b.x, b.y, b.w, b.h, hex(theme.panel));
        push_text(&mut svg, &label.fitted, LABEL_WEIGHT, label.area, Align::Left, theme.ink);
    }
    if p.hostile {
        let _ = writeln!(svg, r#"<script>alert(document.cookie)</script>"#);
        let _ = writeln!(svg, r#"<image href="{HOSTILE_IMAGE_URL}" x="0" y="0" width="8" height="8"/>"#);
    }
    svg.push_str("</svg>\n");
    svg
}

fn push_shape(svg: &mut String, shape: &Shape) {
    let _ = match *shape {
        Shape::Rect(a, c) => writeln!(svg, r#"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="{}"/>"#, a.x, a.y, a.w, a.h, hex(c)),
        Shape::Disc { cx, cy, r, colour } => writeln!(svg, r#"<circle cx="{cx:.1}" cy="{cy:.1}" r="{r:.1}" fill="{}"/>"#, hex(colour)),
        Shape::Ring { cx, cy, rx, ry, thickness, colour } => {
            writeln!(svg, r#"<ellipse cx="{cx:.1}" cy="{cy:.1}" rx="{rx:.1}" ry="{ry:.1}" fill="none" stroke="{}" stroke-width="{thickness:.1}"/>"#, hex(colour))
        }
        Shape::Arrow { area: Area { x, y, w, h }, down, colour } => {
            let points = if down { [(x, y), (x + w, y), (x + w / 2.0, y + h)] } else { [(x, y), (x, y + h), (x + w, y + h / 2.0)] };
            let points: Vec<String> = points.iter().map(|(px, py)| format!("{px:.1},{py:.1}")).collect();
            writeln!(svg, r#"<polygon points="{}" fill="{}"/>"#, points.join(" "), hex(colour))
        }
        // A vector model takes no logo.
        Shape::Logo(_) => Ok(()),
    };
}

/// Each line of fitted text as a `<text>`, where the PNG draws it.
fn push_text(svg: &mut String, fitted: &text::Fitted, weight: Weight, area: Area, align: Align, colour: [u8; 3]) {
    let bold = match weight {
        Weight::Bold => r#" font-weight="700""#,
        Weight::Regular => "",
    };
    let size = fitted.em_px(weight);
    for (x, baseline, line) in fitted.baselines(weight, area, align) {
        let _ = writeln!(
            svg,
            r#"<text x="{x:.1}" y="{baseline:.1}" font-family="Noto Sans, sans-serif" font-size="{size:.1}"{bold} fill="{}">{}</text>"#,
            hex(colour),
            escape(line)
        );
    }
}

/// The words of a vector picture's SVG, one `<text>` a line, in order (what a test reads).
#[cfg(test)]
pub fn texts_of(svg: &str) -> Vec<String> {
    svg.split("<text ").skip(1).filter_map(|t| Some(t.split_once('>')?.1.split_once("</text>")?.0.to_string())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_vector_picture_has_its_words_as_text_and_is_hostile_only_when_asked() {
        let p = Picture { width: 1024, height: 576, seed: 3, title: "Bees & <flowers>".into(), lines: vec!["Pollen".into()], model: "fal-ai/recraft/v4.1/text-to-vector".into(), vector: true, ..Picture::default() };
        let svg = render(&p);
        assert!(svg.starts_with("<svg ") && svg.contains(r#"width="1024" height="576""#), "{svg}");
        let texts = texts_of(&svg);
        assert_eq!(texts, vec!["Bees &amp; &lt;flowers&gt;", "Pollen", "drawn by fal-ai/recraft/v4.1/text-to-vector"]);
        assert_eq!(super::super::image::transcript(&p), "Bees & <flowers>\nPollen", "the label is no part of the words");
        assert!(svg.contains("<rect ") && !svg.contains("<script") && !svg.contains("onload") && !svg.contains("<image"));
        let hostile = render(&Picture { hostile: true, ..p });
        assert!(hostile.contains("<script>") && hostile.contains(" onload=\"") && hostile.contains(&format!(r#"<image href="{HOSTILE_IMAGE_URL}""#)));
        assert!(::image::load_from_memory(svg.as_bytes()).is_err(), "an SVG, not a raster");
    }
}
