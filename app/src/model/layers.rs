//! A picture's words as layers: its background (the picture with the text taken out) and each
//! text box over it, in the picture's pixels. What the editor edits, the REST API carries
//! (`GET …/layers/`, `POST …/text-edit/`) and the server renders (SVG, PDF, PNG).

use super::field::FieldErrors;
use serde::{Deserialize, Serialize};

/// Longest text of one box.
pub const BOX_TEXT_MAX_CHARS: usize = 500;
/// Most boxes a picture may have.
pub const MAX_BOXES: usize = 200;
/// Text sizes offered, in the picture's pixels.
pub const MIN_SIZE: f64 = 4.0;
pub const MAX_SIZE: f64 = 400.0;

/// A font offered for text boxes: open fonts shipped with the app (SIL OFL, `public/fonts/`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Font {
    /// What boxes name it by.
    pub id: &'static str,
    /// Its CSS / SVG family name (the `@font-face` and the renderer's font database use it).
    pub family: &'static str,
    pub bold: bool,
    /// Its file under `public/fonts/`.
    pub file: &'static str,
    pub label: &'static str,
}

pub const FONTS: [Font; 6] = [
    Font { id: "sans", family: "Noto Sans", bold: false, file: "NotoSans-Regular.ttf", label: "Sans" },
    Font { id: "sans-bold", family: "Noto Sans", bold: true, file: "NotoSans-Bold.ttf", label: "Sans bold" },
    Font { id: "serif", family: "Noto Serif", bold: false, file: "NotoSerif-Regular.ttf", label: "Serif" },
    Font { id: "serif-bold", family: "Noto Serif", bold: true, file: "NotoSerif-Bold.ttf", label: "Serif bold" },
    Font { id: "mono", family: "Noto Sans Mono", bold: false, file: "NotoSansMono-Regular.ttf", label: "Mono" },
    Font { id: "display", family: "Noto Sans Display", bold: true, file: "NotoSansDisplay-Bold.ttf", label: "Display" },
];

pub fn font(id: &str) -> Option<&'static Font> {
    FONTS.iter().find(|f| f.id == id)
}

/// How a box's lines are aligned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Align {
    #[default]
    Left,
    Center,
    Right,
}

/// What a box is on the picture (chooses its default font).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Title,
    Subtitle,
    Heading,
    #[default]
    Body,
    Figure,
    Other,
}

/// One text box, in the picture's pixels: its top-left corner, size and rotation (degrees,
/// clockwise, about its centre).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TextBox {
    pub id: String,
    /// 0–500 characters; line breaks are kept.
    pub text: String,
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
    #[serde(default)]
    pub angle: f64,
    /// One of `sans`, `sans-bold`, `serif`, `serif-bold`, `mono`, `display`.
    pub font: String,
    /// Text size in the picture's pixels, 4–400.
    pub size: f64,
    /// `#rrggbb`.
    pub color: String,
    #[serde(default)]
    pub align: Align,
    #[serde(default)]
    pub role: Role,
}

/// A layered picture as the editor and `GET …/layers/` see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct LayersView {
    pub width: u32,
    pub height: u32,
    /// The picture without its text.
    pub background_url: String,
    pub boxes: Vec<TextBox>,
}

/// `POST /api/infographs/{id}/text-edit/`: the boxes, as the editor left them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TextEditRequest {
    pub boxes: Vec<TextBox>,
}

fn is_colour(text: &str) -> bool {
    text.len() == 7 && text.starts_with('#') && text[1..].chars().all(|c| c.is_ascii_hexdigit())
}

/// The problems of one box in a `width` × `height` picture, each named `boxes[i].field`.
fn box_problems(i: usize, b: &TextBox, width: f64, height: f64, errors: &mut FieldErrors) {
    let mut say = |field: &str, message: &str| {
        errors.insert(format!("boxes[{i}].{field}"), message.to_string());
    };
    if b.id.trim().is_empty() || b.id.chars().count() > 64 {
        say("id", "must be 1–64 characters");
    }
    if b.text.chars().count() > BOX_TEXT_MAX_CHARS {
        say("text", &format!("must be at most {BOX_TEXT_MAX_CHARS} characters"));
    }
    if b.text.chars().any(|c| c.is_control() && c != '\n') {
        say("text", "must not contain control characters other than line breaks");
    }
    let finite = [b.x, b.y, b.w, b.h, b.angle, b.size].iter().all(|v| v.is_finite());
    if !finite || b.x < 0.0 || b.y < 0.0 || b.w <= 0.0 || b.h <= 0.0 || b.x + b.w > width + 0.5 || b.y + b.h > height + 0.5 {
        say("x", &format!("the box must lie within the {width} × {height} picture"));
    }
    if !(-360.0..=360.0).contains(&b.angle) {
        say("angle", "must be between -360 and 360 degrees");
    }
    if font(&b.font).is_none() {
        say("font", &format!("must be one of {}", FONTS.map(|f| f.id).join(", ")));
    }
    if !(MIN_SIZE..=MAX_SIZE).contains(&b.size) {
        say("size", &format!("must be between {MIN_SIZE} and {MAX_SIZE}"));
    }
    if !is_colour(&b.color) {
        say("color", "must be a colour like #1a2b3c");
    }
}

impl TextEditRequest {
    /// Every problem at once, keyed by field (`boxes[3].color`); the boxes when there is none.
    pub fn validate(self, width: u32, height: u32) -> Result<Vec<TextBox>, FieldErrors> {
        let mut errors = FieldErrors::new();
        if self.boxes.len() > MAX_BOXES {
            errors.insert("boxes".into(), format!("at most {MAX_BOXES} boxes"));
            return Err(errors);
        }
        let mut ids = std::collections::HashSet::new();
        for (i, b) in self.boxes.iter().enumerate() {
            box_problems(i, b, f64::from(width), f64::from(height), &mut errors);
            if !ids.insert(b.id.as_str()) {
                errors.insert(format!("boxes[{i}].id"), "is used by another box".into());
            }
        }
        if errors.is_empty() { Ok(self.boxes) } else { Err(errors) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(id: &str) -> TextBox {
        TextBox {
            id: id.into(),
            text: "Urban bees".into(),
            x: 10.0,
            y: 20.0,
            w: 300.0,
            h: 60.0,
            angle: 0.0,
            font: "sans-bold".into(),
            size: 40.0,
            color: "#112233".into(),
            align: Align::Center,
            role: Role::Title,
        }
    }

    #[test]
    fn boxes_within_the_picture_with_offered_fonts_and_colours_pass() {
        let ok = TextEditRequest { boxes: vec![sample("a"), TextBox { text: String::new(), ..sample("b") }] };
        assert_eq!(ok.validate(800, 600).map(|b| b.len()), Ok(2));
    }

    #[test]
    fn every_problem_is_named_by_its_box_and_field() {
        let bad = TextBox { x: 700.0, font: "comic".into(), color: "red".into(), size: 1.0, text: "x".repeat(501), ..sample("a") };
        let errors = TextEditRequest { boxes: vec![bad, sample("a")] }.validate(800, 600).expect_err("refused");
        for field in ["boxes[0].x", "boxes[0].font", "boxes[0].color", "boxes[0].size", "boxes[0].text", "boxes[1].id"] {
            assert!(errors.contains_key(field), "{field}: {errors:?}");
        }
        let nan = TextBox { w: f64::NAN, ..sample("a") };
        assert!(TextEditRequest { boxes: vec![nan] }.validate(800, 600).is_err());
        let many = TextEditRequest { boxes: (0..=MAX_BOXES).map(|i| sample(&i.to_string())).collect() };
        assert!(many.validate(800, 600).expect_err("too many").contains_key("boxes"));
    }
}
