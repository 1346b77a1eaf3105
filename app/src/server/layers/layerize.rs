//! fal's `fal-ai/ideogram/v3/layerize-text`: a picture in, its words out as text boxes over a
//! background with the text taken out.
//!
//! The schema relied on (fal's published endpoint types, `IdeogramV3LayerizeTextInput` and
//! `IdeogramV3LayerizeTextOutput` in https://github.com/fal-ai/fal-js
//! `libs/client/src/types/endpoints.ts`, the same as
//! https://fal.ai/models/fal-ai/ideogram/v3/layerize-text/llms.txt):
//! - input: `image_url` (required; JPEG, PNG or WebP, at most 10 MB), optional `prompt`, `seed`,
//!   `font_name_{h1,h2,body,small}` / `font_file_{h1,h2,body,small}_url`, `sync_mode`;
//! - output: `image` (a fal File: `url`, `content_type`, `file_name`, `file_size`, `width`,
//!   `height`): the background, text removed; `text_containers` (optional, a JSON array of
//!   objects: "container -> items -> spans"); `text_html` (optional string, overlay HTML);
//!   `image_layers` (optional array); `prompt` (string); `seed` (integer).
//!
//! fal types the containers loosely; their shape is Ideogram's own (`TextContainerV3`,
//! `TextItemV3`, `TextSpanV3` in https://api.ideogram.ai/openapi.json, the layerize-design
//! result whose inputs fal mirrors):
//! - container: `id` (string), `items` (array);
//! - item: `x`, `y`, `width`, `height` (integers, pixels of the image, top-left origin),
//!   `angle` (degrees clockwise, optional), `alignment` (`left` | `center` | `right`),
//!   `style_class` (`h1` | `h2` | `body` | `small`), `glyph_type` (list marker or null),
//!   `font_file` (the matched font file, nullable), `font_candidates` (alternates, nullable),
//!   `font_size` (integer, "points", nullable), `line_height` (a multiplier such as 1.2,
//!   nullable), `spans` (array; their texts concatenated are the item's text);
//! - span: `text` (line breaks as `\n`), `font_fx` (`bold`, `italic`, `underline`, …),
//!   `color` (`#RRGGBB`).
//!
//! Coordinates are the background's pixels, which are the picture's (the endpoint keeps its
//! size); a font size in "points" is taken as pixels, a picture having no other unit. Being
//! loosely typed, every field is read defensively: a JSON string holding the containers is
//! parsed, numbers may come as strings, an item without text or a box is skipped, and the
//! result always passes `TextEditRequest::validate`.

use crate::model::layers::{Align, Role, TextBox, BOX_TEXT_MAX_CHARS, MAX_BOXES, MAX_SIZE, MIN_SIZE};
use serde_json::{json, Value};

pub const ENDPOINT: &str = "fal-ai/ideogram/v3/layerize-text";

/// What `layerize-text` made of a picture, in its pixels.
#[derive(Debug, Clone, PartialEq)]
pub struct Layerized {
    pub background_url: String,
    pub boxes: Vec<TextBox>,
}

/// The endpoint's input for the picture at `image_url`.
pub fn input(image_url: &str) -> Value {
    json!({ "image_url": image_url })
}

/// The boxes and background of an output for a `width` × `height` picture: at most
/// [`MAX_BOXES`] boxes, in reading order, ids `b1`, `b2`, …; an error only when the output has
/// no background or its containers are not a list.
pub fn parse_output(output: &Value, width: u32, height: u32) -> Result<Layerized, String> {
    if width == 0 || height == 0 {
        return Err("the picture has no size".into());
    }
    let image = output.get("image").ok_or("the result has no image (the background)")?;
    let background_url = image
        .get("url")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|u| ["https://", "http://", "data:image/"].iter().any(|s| u.starts_with(s)))
        .ok_or("the result's image has no URL")?
        .to_string();
    let (w, h) = (f64::from(width), f64::from(height));
    let parsed;
    let containers: &[Value] = match output.get("text_containers") {
        None | Some(Value::Null) => &[],
        Some(Value::Array(list)) => list,
        Some(Value::String(text)) => {
            parsed = serde_json::from_str::<Value>(text).map_err(|e| format!("text_containers is not JSON: {e}"))?;
            parsed.as_array().map(Vec::as_slice).ok_or("text_containers is not a list")?
        }
        Some(_) => return Err("text_containers is not a list".into()),
    };
    let found: Vec<Found> = containers.iter().flat_map(items_of).filter_map(|item| found(item, w, h)).take(MAX_BOXES).collect();
    Ok(Layerized { background_url, boxes: boxes_of(found) })
}

/// A container's items; a container that is itself an item (text and a box) counts as one.
fn items_of(container: &Value) -> &[Value] {
    match container.get("items") {
        Some(Value::Array(items)) => items,
        _ if container.get("spans").is_some() || container.get("text").is_some() => std::slice::from_ref(container),
        _ => &[],
    }
}

/// An item read, before its role and font are settled (they depend on the others).
struct Found {
    text: String,
    x: f64,
    y: f64,
    w: f64,
    h: f64,
    angle: f64,
    size: f64,
    color: String,
    align: Align,
    bold: bool,
    font_name: String,
    role: Option<Role>,
}

/// A number, or a string holding one ("12", "12.5px"); finite only.
fn number(value: Option<&Value>) -> Option<f64> {
    let n = match value? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().trim_end_matches("px").trim().parse().ok(),
        _ => None,
    };
    n.filter(|v: &f64| v.is_finite())
}

fn text_field<'a>(value: &'a Value, key: &str) -> Option<&'a str> {
    value.get(key).and_then(Value::as_str)
}

fn found(item: &Value, w: f64, h: f64) -> Option<Found> {
    let spans: &[Value] = item.get("spans").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    let raw = if spans.is_empty() { text_field(item, "text").unwrap_or_default().to_string() } else { joined(spans) };
    let text = clean_text(&raw);
    if text.is_empty() {
        return None;
    }
    let (x, y) = (number(item.get("x"))?, number(item.get("y"))?);
    let (bw, bh) = (number(item.get("width"))?, number(item.get("height"))?);
    if !(bw > 0.0 && bh > 0.0) {
        return None;
    }
    let (x0, y0) = (x.clamp(0.0, w), y.clamp(0.0, h));
    let (x1, y1) = ((x + bw).clamp(0.0, w), (y + bh).clamp(0.0, h));
    if !(x1 - x0 >= 1.0 && y1 - y0 >= 1.0) {
        return None;
    }
    let angle = number(item.get("angle")).map_or(0.0, |a| a % 360.0);
    let line_height = number(item.get("line_height")).filter(|l| (0.5..=4.0).contains(l)).unwrap_or(1.2);
    let lines = text.lines().count().max(1) as f64;
    let size = number(item.get("font_size")).filter(|s| *s > 0.0).unwrap_or((y1 - y0) / (lines * line_height));
    let fx_bold = dominant(spans, |span| span.get("font_fx").and_then(Value::as_array).is_some_and(|fx| fx.iter().any(|f| f.as_str() == Some("bold"))));
    let font_name = font_name(item);
    Some(Found {
        text,
        x: x0,
        y: y0,
        w: x1 - x0,
        h: y1 - y0,
        angle,
        size: size.clamp(MIN_SIZE, MAX_SIZE),
        color: colour_of(item, spans),
        align: match text_field(item, "alignment").map(str::to_ascii_lowercase).as_deref() {
            Some("center" | "centre" | "middle") => Align::Center,
            Some("right" | "end") => Align::Right,
            _ => Align::Left,
        },
        bold: fx_bold || is_heavy(&font_name),
        role: match text_field(item, "style_class") {
            Some("h1") => Some(Role::Title),
            Some("h2") => Some(Role::Heading),
            Some("body") => Some(Role::Body),
            Some("small") => Some(Role::Other),
            _ => None,
        },
        font_name,
    })
}

/// The spans' texts, concatenated, no longer than a box holds (a runaway output stops early).
fn joined(spans: &[Value]) -> String {
    let mut out = String::new();
    for span in spans {
        if out.chars().count() > BOX_TEXT_MAX_CHARS {
            break;
        }
        out.push_str(text_field(span, "text").unwrap_or_default());
    }
    out
}

/// Text a box may hold: line breaks kept (as `\n`), tabs as spaces, other control characters
/// dropped, trimmed, at most [`BOX_TEXT_MAX_CHARS`].
fn clean_text(raw: &str) -> String {
    let unified = raw.replace("\r\n", "\n").replace('\r', "\n");
    let kept: String = unified.chars().filter_map(|c| match c {
        '\n' => Some('\n'),
        '\t' => Some(' '),
        c if c.is_control() => None,
        c => Some(c),
    }).collect();
    kept.trim().chars().take(BOX_TEXT_MAX_CHARS).collect::<String>().trim_end().to_string()
}

/// Whether the spans holding most of the text have `test`.
fn dominant(spans: &[Value], test: impl Fn(&Value) -> bool) -> bool {
    let weight = |span: &Value| text_field(span, "text").map_or(0, |t| t.chars().filter(|c| !c.is_whitespace()).count());
    let (with, total) = spans.iter().fold((0, 0), |(with, total), span| (with + if test(span) { weight(span) } else { 0 }, total + weight(span)));
    total > 0 && with * 2 >= total
}

/// The matched font's name: its file's name without folders, query or extension, else the
/// first candidate's.
fn font_name(item: &Value) -> String {
    let file = text_field(item, "font_file")
        .or_else(|| item.get("font_candidates").and_then(Value::as_array).and_then(|c| c.first()).and_then(Value::as_str))
        .or_else(|| text_field(item, "font_name"))
        .unwrap_or_default();
    let base = file.split(['?', '#']).next().unwrap_or_default();
    let base = base.rsplit(['/', '\\']).next().unwrap_or_default();
    let stem = base.rsplit_once('.').filter(|(_, ext)| ["ttf", "otf", "woff", "woff2"].contains(&ext.to_ascii_lowercase().as_str())).map_or(base, |(stem, _)| stem);
    stem.chars().take(120).collect()
}

fn is_heavy(font_name: &str) -> bool {
    let n = font_name.to_ascii_lowercase();
    ["bold", "black", "heavy", "ultra"].iter().any(|w| n.contains(w))
}

/// The colour of most of the text, `#rrggbb`; black when none reads as a colour.
fn colour_of(item: &Value, spans: &[Value]) -> String {
    let mut tally: Vec<(String, usize)> = Vec::new();
    for span in spans.iter().take(1000) {
        let Some(colour) = text_field(span, "color").and_then(normalised_colour) else { continue };
        let chars = text_field(span, "text").map_or(0, |t| t.chars().count()).max(1);
        match tally.iter_mut().find(|(c, _)| *c == colour) {
            Some((_, n)) => *n += chars,
            None => tally.push((colour, chars)),
        }
    }
    let most = tally.into_iter().fold(None::<(String, usize)>, |best, (c, n)| match best {
        Some((_, m)) if m >= n => best,
        _ => Some((c, n)),
    });
    most.map(|(c, _)| c).or_else(|| text_field(item, "color").and_then(normalised_colour)).unwrap_or_else(|| "#000000".into())
}

/// `#RGB`, `#RRGGBB`, `#RRGGBBAA` (with or without `#`) or `rgb(r, g, b)` as `#rrggbb`.
fn normalised_colour(text: &str) -> Option<String> {
    let text = text.trim();
    if let Some(inner) = text.strip_prefix("rgba(").or_else(|| text.strip_prefix("rgb(")).and_then(|t| t.strip_suffix(')')) {
        let parts: Vec<u8> = inner.split(',').take(3).filter_map(|p| p.trim().parse::<f64>().ok()).map(|v| v.clamp(0.0, 255.0).round() as u8).collect();
        return (parts.len() == 3).then(|| format!("#{}", hex::encode(parts)));
    }
    let hex = text.strip_prefix('#').unwrap_or(text);
    if !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let hex = hex.to_ascii_lowercase();
    match hex.len() {
        3 => Some(format!("#{}", hex.chars().flat_map(|c| [c, c]).collect::<String>())),
        6 | 8 => Some(format!("#{}", &hex[..6])),
        _ => None,
    }
}

/// A number or a measure ("58 %", "25 kg", "2024"): short, with digits, hardly any letters.
fn is_figure(text: &str) -> bool {
    let letters = text.chars().filter(|c| c.is_alphabetic()).count();
    text.chars().count() <= 16 && text.chars().any(|c| c.is_ascii_digit()) && letters <= 4
}

/// The boxes, their roles settled (the item's class, else its size's rank: the largest is the
/// title, the next headings, the rest body; numbers are figures) and their fonts chosen.
fn boxes_of(found: Vec<Found>) -> Vec<TextBox> {
    let mut sizes: Vec<f64> = found.iter().map(|f| (f.size * 2.0).round() / 2.0).collect();
    sizes.sort_by(|a, b| b.total_cmp(a));
    sizes.dedup();
    let mut title_given = found.iter().any(|f| f.role == Some(Role::Title));
    found
        .into_iter()
        .enumerate()
        .map(|(i, f)| {
            let rank = sizes.iter().position(|s| *s == (f.size * 2.0).round() / 2.0).unwrap_or(usize::MAX);
            let guessed = match rank {
                _ if sizes.len() < 2 => Role::Body,
                0 if !title_given => {
                    title_given = true;
                    Role::Title
                }
                0 | 1 => Role::Heading,
                _ => Role::Body,
            };
            let role = match f.role.unwrap_or(guessed) {
                Role::Title => Role::Title,
                _ if is_figure(&f.text) => Role::Figure,
                role => role,
            };
            TextBox {
                id: format!("b{}", i + 1),
                font: font_id(&f.font_name, f.bold, role).to_string(),
                text: f.text,
                x: f.x,
                y: f.y,
                w: f.w,
                h: f.h,
                angle: f.angle,
                size: f.size,
                color: f.color,
                align: f.align,
                role,
            }
        })
        .collect()
}

/// Our closest font (`model::layers::FONTS`) to a matched font's name and weight.
fn font_id(name: &str, bold: bool, role: Role) -> &'static str {
    let n = name.to_ascii_lowercase().replace(['-', '_'], " ");
    let any = |words: &[&str]| words.iter().any(|w| n.contains(w));
    const MONO: [&str; 7] = ["mono", "code", "courier", "consol", "menlo", "typewriter", "inconsolata"];
    const SERIF: [&str; 18] = [
        "times", "georgia", "garamond", "baskerville", "bodoni", "didot", "playfair", "merriweather", "lora", "caslon", "cormorant", "crimson",
        "minion", "palatino", "cambria", "spectral", "slab", "bitter",
    ];
    const POSTER: [&str; 6] = ["display", "poster", "impact", "bebas", "anton", "black"];
    if any(&MONO) {
        "mono"
    } else if (n.contains("serif") && !n.contains("sans")) || any(&SERIF) {
        if bold { "serif-bold" } else { "serif" }
    } else if n.contains("display") || (role == Role::Title && bold && any(&POSTER)) {
        "display"
    } else if bold {
        "sans-bold"
    } else {
        "sans"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::layers::TextEditRequest;

    /// An output in the published shape: a title container, a card with a heading, a line and a
    /// figure, and a footnote in a mono font; coordinates in the background's pixels.
    fn sample() -> Value {
        json!({
            "image": {"url": "https://v3.fal.media/files/lion/bg.png", "content_type": "image/png", "file_name": "bg.png",
                      "file_size": 123456, "width": 1024, "height": 576},
            "prompt": "",
            "seed": 42,
            "image_layers": [],
            "text_html": "<div style=\"position:absolute\">Urban bees</div>",
            "text_containers": [
                {"id": "container_01", "items": [
                    {"x": 60, "y": 40, "width": 904, "height": 80, "angle": 0, "alignment": "center", "style_class": "h1",
                     "glyph_type": null, "font_file": "https://fonts.example/PlayfairDisplay-Bold.ttf?v=2", "font_candidates": ["Lora-Bold.ttf"],
                     "font_size": 64, "line_height": 1.2,
                     "spans": [{"text": "Urban ", "font_fx": ["bold"], "color": "#1A2B3C"}, {"text": "bees", "font_fx": ["bold", "italic"], "color": "#1A2B3C"}]}
                ]},
                {"id": "container_02", "items": [
                    {"x": 80, "y": 200, "width": 400, "height": 40, "alignment": "left", "style_class": "h2", "font_file": "Inter-SemiBold.ttf",
                     "font_size": 30, "line_height": 1.25, "spans": [{"text": "Pollination", "font_fx": [], "color": "#FFF"}]},
                    {"x": 80, "y": 250, "width": 400, "height": 60, "alignment": "left", "style_class": "body", "font_file": "Inter-Regular.ttf",
                     "font_size": 20, "line_height": 1.4,
                     "spans": [{"text": "Bees carry pollen\r\nbetween flowers", "font_fx": [], "color": "#333333"}, {"text": "!", "font_fx": ["bold"], "color": "#ff0000"}]},
                    {"x": 500, "y": 200, "width": 120, "height": 70, "alignment": "right", "style_class": "h2", "font_file": "Inter-Bold.ttf",
                     "font_size": 56, "line_height": 1.1, "angle": -5.5, "spans": [{"text": "58 %", "font_fx": ["bold"], "color": "#e8a33d"}]}
                ]},
                {"id": "container_03", "items": [
                    {"x": 60, "y": 540, "width": 300, "height": 20, "alignment": "left", "style_class": "small", "font_file": "JetBrainsMono-Regular.ttf",
                     "font_size": 12, "line_height": 1.2, "spans": [{"text": "Source: a blog", "font_fx": [], "color": "rgb(10, 20, 30)"}]}
                ]}
            ]
        })
    }

    fn valid(layerized: &Layerized, width: u32, height: u32) {
        let boxes = TextEditRequest { boxes: layerized.boxes.clone() }.validate(width, height);
        assert!(boxes.is_ok(), "{boxes:?}");
    }

    #[test]
    fn a_published_output_becomes_our_boxes() {
        let out = parse_output(&sample(), 1024, 576).expect("parsed");
        valid(&out, 1024, 576);
        assert_eq!(out.background_url, "https://v3.fal.media/files/lion/bg.png");
        let summary: Vec<(&str, &str, &str, Role, Align, &str)> = out.boxes.iter().map(|b| (b.id.as_str(), b.text.as_str(), b.font.as_str(), b.role, b.align, b.color.as_str())).collect();
        assert_eq!(
            summary,
            vec![
                ("b1", "Urban bees", "serif-bold", Role::Title, Align::Center, "#1a2b3c"),
                ("b2", "Pollination", "sans-bold", Role::Heading, Align::Left, "#ffffff"),
                ("b3", "Bees carry pollen\nbetween flowers!", "sans", Role::Body, Align::Left, "#333333"),
                ("b4", "58 %", "sans-bold", Role::Figure, Align::Right, "#e8a33d"),
                ("b5", "Source: a blog", "mono", Role::Other, Align::Left, "#0a141e"),
            ]
        );
        let title = &out.boxes[0];
        assert_eq!((title.x, title.y, title.w, title.h, title.size, title.angle), (60.0, 40.0, 904.0, 80.0, 64.0, 0.0));
        assert_eq!(out.boxes[3].angle, -5.5);
        // The same containers as a JSON string, as fal's schema also allows.
        let mut as_string = sample();
        as_string["text_containers"] = Value::String(sample()["text_containers"].to_string());
        assert_eq!(parse_output(&as_string, 1024, 576), Ok(out));
    }

    #[test]
    fn coordinates_are_the_backgrounds_pixels_kept_inside_the_bounds_given() {
        let roomy = parse_output(&sample(), 4096, 4096).expect("parsed");
        valid(&roomy, 4096, 4096);
        let title = &roomy.boxes[0];
        assert_eq!((title.x, title.y, title.w, title.h, title.size), (60.0, 40.0, 904.0, 80.0, 64.0));
        let small = parse_output(&sample(), 512, 288).expect("parsed");
        valid(&small, 512, 288);
        assert_eq!((small.boxes[0].x, small.boxes[0].w), (60.0, 452.0), "cut at the picture's edge");
        assert!(small.boxes.iter().all(|b| b.text != "Source: a blog"), "a box wholly outside is dropped");
    }

    #[test]
    fn without_classes_the_largest_text_is_the_title() {
        let mut output = sample();
        for container in output["text_containers"].as_array_mut().expect("list") {
            for item in container["items"].as_array_mut().expect("items") {
                item.as_object_mut().expect("item").remove("style_class");
            }
        }
        let roles: Vec<Role> = parse_output(&output, 1024, 576).expect("parsed").boxes.iter().map(|b| b.role).collect();
        assert_eq!(roles, vec![Role::Title, Role::Body, Role::Body, Role::Figure, Role::Body]);
    }

    #[test]
    fn a_picture_without_words_has_no_boxes_and_an_output_without_a_background_is_refused() {
        let bare = json!({"image": {"url": "https://v3.fal.media/files/x.png"}, "seed": 1, "prompt": ""});
        assert_eq!(parse_output(&bare, 10, 10).map(|l| l.boxes.len()), Ok(0));
        for broken in [json!({}), json!({"image": {}}), json!({"image": {"url": "javascript:alert(1)"}}), json!({"image": {"url": 7}}), json!(null), json!("x")] {
            assert!(parse_output(&broken, 10, 10).is_err(), "{broken}");
        }
        let mut not_a_list = sample();
        not_a_list["text_containers"] = json!(12);
        assert!(parse_output(&not_a_list, 1024, 576).is_err());
        not_a_list["text_containers"] = json!("{oops");
        assert!(parse_output(&not_a_list, 1024, 576).is_err());
        assert!(parse_output(&sample(), 0, 576).is_err());
    }

    #[test]
    fn malformed_items_are_skipped_or_mended_never_a_panic() {
        let item = |extra: Value| {
            let mut base = json!({"x": 10, "y": 10, "width": 100, "height": 30, "spans": [{"text": "Hi", "font_fx": [], "color": "#000000"}]});
            for (k, v) in extra.as_object().expect("object") {
                base[k] = v.clone();
            }
            base
        };
        let items = vec![
            item(json!({"x": null})),                                        // no box: skipped
            item(json!({"spans": []})),                                      // no text: skipped
            item(json!({"spans": [{"text": "  \u{7}\t "}]})),                // only control characters: skipped
            item(json!({"width": -5})),                                      // no area: skipped
            item(json!({"x": 5000, "y": 5000})),                             // outside the picture: skipped
            item(json!({"x": "12", "y": "8.5px", "font_size": "40"})),       // numbers as strings
            item(json!({"x": "left", "y": 3})),                              // not a number: skipped
            item(json!({"x": -50, "y": -1e300, "width": 1e308, "height": 1e308, "font_size": 1e9, "angle": 7e5})), // huge
            item(json!({"font_size": null, "line_height": null, "height": 60, "spans": [{"text": "Two\nlines", "color": "blue"}]})),
            item(json!({"spans": "nope", "text": "from text", "alignment": 3, "font_file": 9, "style_class": ["h1"], "angle": "x"})),
            item(json!({"spans": [{"text": "x".repeat(2000), "color": "#12345"}]})),
            json!({"text": "A flat item", "x": 1, "y": 1, "width": 20, "height": 20}), // a container that is an item
            json!(null),
            json!([1, 2, 3]),
            json!({"items": "nope"}),
        ];
        let output = json!({"image": {"url": "https://v3.fal.media/files/x.png"}, "text_containers": [{"id": "c", "items": items.clone()}, items[11].clone()]});
        let out = parse_output(&output, 400, 300).expect("parsed");
        valid(&out, 400, 300);
        let texts: Vec<&str> = out.boxes.iter().map(|b| b.text.as_str()).collect();
        assert_eq!(texts, vec!["Hi", "Hi", "Two\nlines", "from text", &"x".repeat(BOX_TEXT_MAX_CHARS), "A flat item", "A flat item"]);
        let strings = &out.boxes[0];
        assert_eq!((strings.x, strings.y, strings.size), (12.0, 8.5, 40.0));
        let huge = &out.boxes[1];
        assert_eq!((huge.x, huge.y, huge.w, huge.h, huge.size), (0.0, 0.0, 400.0, 300.0, MAX_SIZE));
        assert!(huge.angle.abs() < 360.0);
        // Without a size, it is what the box holds: 60 px for two lines of 1.2.
        assert_eq!((out.boxes[2].size, out.boxes[2].color.as_str()), (25.0, "#000000"));
    }

    #[test]
    fn ten_thousand_containers_give_at_most_the_boxes_a_picture_may_have() {
        let container = |i: usize| json!({"id": format!("c{i}"), "items": [{"x": i % 300, "y": i % 200, "width": 50, "height": 20, "style_class": "body",
            "font_size": 14, "spans": [{"text": format!("Item {i} text"), "font_fx": [], "color": "#101010"}]}]});
        let output = json!({"image": {"url": "https://v3.fal.media/files/x.png"}, "text_containers": (0..10_000).map(container).collect::<Vec<_>>()});
        let out = parse_output(&output, 400, 300).expect("parsed");
        assert_eq!(out.boxes.len(), MAX_BOXES);
        assert_eq!((out.boxes[0].id.as_str(), out.boxes[MAX_BOXES - 1].id.as_str()), ("b1", "b200"));
        valid(&out, 400, 300);
    }

    #[test]
    fn fonts_map_to_ours_by_family_and_weight() {
        for (name, bold, role, ours) in [
            ("NotoSans-Regular", false, Role::Body, "sans"),
            ("NotoSans-Bold", false, Role::Body, "sans-bold"),
            ("Roboto", true, Role::Heading, "sans-bold"),
            ("NotoSerif-Regular", false, Role::Body, "serif"),
            ("Merriweather Black", true, Role::Title, "serif-bold"),
            ("Fira Code", false, Role::Body, "mono"),
            ("Noto Sans Display", true, Role::Title, "display"),
            ("Anton", true, Role::Title, "display"),
            ("Anton", true, Role::Heading, "sans-bold"),
            ("", false, Role::Other, "sans"),
        ] {
            let bold = bold || is_heavy(name);
            assert_eq!(font_id(name, bold, role), ours, "{name}");
        }
        assert_eq!(normalised_colour("#AbC"), Some("#aabbcc".into()));
        assert_eq!(normalised_colour("11223344"), Some("#112233".into()));
        assert_eq!(normalised_colour("rgba(300, -2, 7.4, 0.5)"), Some("#ff0007".into()));
        assert_eq!(normalised_colour("red"), None);
        assert_eq!(input("https://x/y.png"), json!({"image_url": "https://x/y.png"}));
    }
}
