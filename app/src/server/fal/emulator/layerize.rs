//! fal's `fal-ai/ideogram/v3/layerize-text` as the emulator answers it, in the endpoint's
//! published output shape (see `server::layers::layerize`): for a picture an emulator drew (its
//! spec read from its image URL, like the read-back), the background is the same picture drawn
//! without its words, a new image URL, and every text block drawn is one container holding one
//! item: the text as drawn (typo included), the area it was fitted into (as tall as its lines)
//! in the picture's pixels, its Noto Sans font, fitted size, line height, alignment and colour.

use super::image::{self, Picture};
use super::text::{Align, Weight};
use super::words::Role;
use super::Emulator;
use serde_json::{json, Value};

/// The endpoint's path under its app (`fal-ai/ideogram`).
pub(super) const PATH: &str = "v3/layerize-text";

impl Emulator {
    /// The background of `picture`: itself without its words, at an image URL of its own.
    pub(super) fn background_url(&self, id: &str, picture: &Picture) -> String {
        let bare = Picture { textless: true, vector: false, ..picture.clone() };
        format!("{}/files/{id}-background.png?{}", self.0.media_url, bare.to_query())
    }
}

/// The endpoint's output for `picture`, its background at `background_url`.
pub(super) fn output(picture: &Picture, background_url: &str, file_name: &str, prompt: &str, seed: u64) -> Value {
    let (width, height) = image::rendered_size(picture.width, picture.height);
    let items = items(picture, width, height);
    let html = html(&items, width, height);
    let containers: Vec<Value> = items.into_iter().enumerate().map(|(i, item)| json!({"id": format!("container_{:02}", i + 1), "items": [item]})).collect();
    json!({
        "image": {"url": background_url, "content_type": "image/png", "file_name": file_name, "width": width, "height": height},
        "image_layers": [],
        "prompt": prompt,
        "seed": seed % (1 << 31),
        "text_containers": containers,
        "text_html": html,
    })
}

/// One item per text block drawn, in reading order, boxes in whole pixels inside the picture.
fn items(picture: &Picture, width: u32, height: u32) -> Vec<Value> {
    let (w, h) = (width as f32, height as f32);
    image::drawn_texts(picture)
        .into_iter()
        .map(|(placed, fitted)| {
            let area = fitted.extent(placed.weight, placed.area, placed.align);
            let (x0, y0) = (area.x.floor().clamp(0.0, w - 1.0), area.y.floor().clamp(0.0, h - 1.0));
            let (x1, y1) = ((area.x + area.w).ceil().clamp(x0 + 1.0, w), (area.y + area.h).ceil().clamp(y0 + 1.0, h));
            let bold = matches!(placed.weight, Weight::Bold);
            let colour = format!("#{}", hex::encode_upper(placed.colour));
            json!({
                "x": x0 as u32, "y": y0 as u32, "width": (x1 - x0) as u32, "height": (y1 - y0) as u32,
                "angle": 0.0,
                "alignment": if placed.align == Align::Centre { "center" } else { "left" },
                "style_class": style_class(placed.role),
                "glyph_type": null,
                "font_file": if bold { "NotoSans-Bold.ttf" } else { "NotoSans-Regular.ttf" },
                "font_candidates": [],
                "font_size": fitted.em_px(placed.weight).round() as u32,
                "line_height": (f64::from(fitted.line_px(placed.weight) / fitted.em_px(placed.weight).max(1.0)) * 100.0).round() / 100.0,
                "spans": [{"text": fitted.text, "font_fx": if bold { vec!["bold"] } else { Vec::new() }, "color": colour}],
            })
        })
        .collect()
}

/// Ideogram's typographic classes: the headline, the larger secondary texts, body, small print.
fn style_class(role: Role) -> &'static str {
    match role {
        Role::Title | Role::Note => "h1",
        Role::Subtitle | Role::Heading(_) | Role::Figure(_) => "h2",
        Role::Line(_) | Role::Body(_) => "body",
        Role::Banner => "small",
    }
}

/// The overlay HTML: each item absolutely positioned over a picture-sized box.
fn html(items: &[Value], width: u32, height: u32) -> String {
    let mut out = format!(r#"<div style="position:relative;width:{width}px;height:{height}px">"#);
    for item in items {
        let span = &item["spans"][0];
        let weight = if span["font_fx"].as_array().is_some_and(|fx| !fx.is_empty()) { 700 } else { 400 };
        out.push_str(&format!(
            r#"<div style="position:absolute;left:{}px;top:{}px;width:{}px;height:{}px;font-family:'Noto Sans';font-weight:{weight};font-size:{}px;line-height:{};color:{};text-align:{}">{}</div>"#,
            item["x"], item["y"], item["width"], item["height"], item["font_size"], item["line_height"],
            span["color"].as_str().unwrap_or_default(), item["alignment"].as_str().unwrap_or_default(),
            image::escape(span["text"].as_str().unwrap_or_default()),
        ));
    }
    out.push_str("</div>");
    out
}
