//! The editor's arithmetic, in the picture's pixels: keeping boxes inside the picture, the
//! keyboard's moves, pointer moves on the scaled picture, the keyboard shortcuts, and the CSS
//! that draws a box where the server's renderer will.

use crate::model::layers::{font, Align, TextBox};

/// The smallest a box can be made, in the picture's pixels (or the picture, if smaller).
pub(crate) const MIN_BOX: f64 = 8.0;

/// The picture's size, in its pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Picture {
    pub width: f64,
    pub height: f64,
}

/// How much the picture is shrunk on the screen (displayed width ÷ picture width).
pub(crate) fn scale(displayed_width: f64, picture_width: f64) -> f64 {
    if displayed_width > 0.0 && picture_width > 0.0 { displayed_width / picture_width } else { 1.0 }
}

/// `b` moved to lie wholly inside the picture, shrunk first if it is larger.
pub(crate) fn inside(mut b: TextBox, picture: Picture) -> TextBox {
    b.w = b.w.clamp(MIN_BOX.min(picture.width), picture.width);
    b.h = b.h.clamp(MIN_BOX.min(picture.height), picture.height);
    b.x = b.x.clamp(0.0, picture.width - b.w);
    b.y = b.y.clamp(0.0, picture.height - b.h);
    b
}

/// `b` moved by (`dx`, `dy`), its size kept, stopped at the picture's edges.
pub(crate) fn moved(b: &TextBox, dx: f64, dy: f64, picture: Picture) -> TextBox {
    inside(TextBox { x: b.x + dx, y: b.y + dy, ..b.clone() }, picture)
}

/// `b` grown by (`dw`, `dh`) from its top-left corner, which stays, up to the picture's edges.
pub(crate) fn resized(b: &TextBox, dw: f64, dh: f64, picture: Picture) -> TextBox {
    let b = inside(b.clone(), picture);
    let w = (b.w + dw).clamp(MIN_BOX.min(picture.width - b.x), picture.width - b.x);
    let h = (b.h + dh).clamp(MIN_BOX.min(picture.height - b.y), picture.height - b.y);
    TextBox { w, h, ..b }
}

/// A pointer's move on the screen, in the picture's whole pixels.
pub(crate) fn screen_to_picture(dx: f64, dy: f64, scale: f64) -> (f64, f64) {
    ((dx / scale).round(), (dy / scale).round())
}

/// A move on the screen in the axes of a box turned by `angle` degrees (clockwise): dragging a
/// turned box's corner along its own edge makes it wider, not both wider and taller.
pub(crate) fn along_box(dx: f64, dy: f64, angle: f64) -> (f64, f64) {
    let (sin, cos) = angle.to_radians().sin_cos();
    (dx * cos + dy * sin, -dx * sin + dy * cos)
}

/// What an arrow key does to the focused box.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Nudge {
    Move(f64, f64),
    Resize(f64, f64),
}

/// Arrow keys move the box 1 picture pixel (10 with Shift); with Alt they resize it.
pub(crate) fn nudge(key: &str, shift: bool, alt: bool) -> Option<Nudge> {
    let step = if shift { 10.0 } else { 1.0 };
    let (dx, dy) = match key {
        "ArrowLeft" => (-step, 0.0),
        "ArrowRight" => (step, 0.0),
        "ArrowUp" => (0.0, -step),
        "ArrowDown" => (0.0, step),
        _ => return None,
    };
    Some(if alt { Nudge::Resize(dx, dy) } else { Nudge::Move(dx, dy) })
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Shortcut {
    Undo,
    Redo,
}

/// Ctrl/Cmd+Z undoes; Ctrl/Cmd+Shift+Z and Ctrl+Y redo.
pub(crate) fn shortcut(key: &str, ctrl: bool, meta: bool, shift: bool, alt: bool) -> Option<Shortcut> {
    if !(ctrl || meta) || alt {
        return None;
    }
    match key.to_ascii_lowercase().as_str() {
        "z" if shift => Some(Shortcut::Redo),
        "z" => Some(Shortcut::Undo),
        "y" if ctrl && !shift => Some(Shortcut::Redo),
        _ => None,
    }
}

/// A number for a CSS declaration: no exponent, no noise digits.
fn css_number(value: f64) -> String {
    let rounded = (value * 10_000.0).round() / 10_000.0;
    if rounded == 0.0 { "0".into() } else { format!("{rounded}") }
}

/// A number as an input shows it: at most two decimals.
pub(crate) fn shown_number(value: f64) -> String {
    let rounded = (value * 100.0).round() / 100.0;
    format!("{rounded}")
}

/// The CSS family list and weight of a box's font (an unknown one falls back to the sans).
pub(crate) fn font_css(id: &str) -> (String, u16) {
    let f = font(id).or_else(|| font("sans")).expect("the sans font is offered");
    let generic = if f.id == "mono" {
        "monospace"
    } else if f.id.starts_with("serif") {
        "serif"
    } else {
        "sans-serif"
    };
    (format!("\"{}\", {generic}", f.family), if f.bold { 700 } else { 400 })
}

pub(crate) fn align_css(align: Align) -> &'static str {
    match align {
        Align::Left => "left",
        Align::Center => "center",
        Align::Right => "right",
    }
}

/// Where and how a box is drawn over the picture. Places are in percent of the picture and the
/// text size in `cqw` (percent of the picture's displayed width, the stage being a size
/// container), so the browser keeps the scale itself when the page is resized, even before the
/// wasm runs. The rest of a box's look (line height 1.25, no padding, wrapping) is the stylesheet's.
pub(crate) fn box_style(b: &TextBox, picture: Picture) -> String {
    let percent = |value: f64, of: f64| css_number(value / of * 100.0);
    let (family, weight) = font_css(&b.font);
    format!(
        "left:{}%;top:{}%;width:{}%;height:{}%;transform:rotate({}deg);font-size:{}cqw;color:{};text-align:{};font-family:{};font-weight:{}",
        percent(b.x, picture.width),
        percent(b.y, picture.height),
        percent(b.w, picture.width),
        percent(b.h, picture.height),
        css_number(b.angle),
        percent(b.size, picture.width),
        safe_colour(&b.color),
        align_css(b.align),
        family,
        weight,
    )
}

/// The box's colour if it is one (`#rrggbb`), so nothing else can reach the style attribute.
pub(crate) fn safe_colour(color: &str) -> &str {
    let valid = color.len() == 7 && color.starts_with('#') && color[1..].chars().all(|c| c.is_ascii_hexdigit());
    if valid { color } else { "#000000" }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::layers::Role;

    const PICTURE: Picture = Picture { width: 800.0, height: 600.0 };

    fn sample() -> TextBox {
        TextBox {
            id: "a".into(),
            text: "Urban bees".into(),
            x: 100.0,
            y: 50.0,
            w: 200.0,
            h: 40.0,
            angle: 0.0,
            font: "serif-bold".into(),
            size: 32.0,
            color: "#112233".into(),
            align: Align::Center,
            role: Role::Title,
        }
    }

    fn place(b: &TextBox) -> (f64, f64, f64, f64) {
        (b.x, b.y, b.w, b.h)
    }

    #[test]
    fn the_scale_is_the_displayed_width_over_the_picture_width() {
        assert_eq!(scale(400.0, 800.0), 0.5);
        assert_eq!(scale(0.0, 800.0), 1.0);
        assert_eq!(screen_to_picture(10.0, -3.0, 0.5), (20.0, -6.0));
    }

    #[test]
    fn moves_stop_at_the_picture_edges() {
        assert_eq!(place(&moved(&sample(), 10.0, -5.0, PICTURE)), (110.0, 45.0, 200.0, 40.0));
        assert_eq!(place(&moved(&sample(), -500.0, -500.0, PICTURE)), (0.0, 0.0, 200.0, 40.0));
        assert_eq!(place(&moved(&sample(), 5000.0, 5000.0, PICTURE)), (600.0, 560.0, 200.0, 40.0));
    }

    #[test]
    fn resizes_keep_the_corner_and_stay_inside_and_above_the_minimum() {
        assert_eq!(place(&resized(&sample(), 10.0, 5.0, PICTURE)), (100.0, 50.0, 210.0, 45.0));
        assert_eq!(place(&resized(&sample(), 5000.0, 5000.0, PICTURE)), (100.0, 50.0, 700.0, 550.0));
        assert_eq!(place(&resized(&sample(), -5000.0, -5000.0, PICTURE)), (100.0, 50.0, MIN_BOX, MIN_BOX));
    }

    #[test]
    fn a_box_larger_than_the_picture_is_fitted_into_it() {
        let huge = TextBox { x: -10.0, y: 590.0, w: 900.0, h: 30.0, ..sample() };
        assert_eq!(place(&inside(huge, PICTURE)), (0.0, 570.0, 800.0, 30.0));
        let tiny_picture = Picture { width: 5.0, height: 5.0 };
        assert_eq!(place(&resized(&sample(), -5000.0, 0.0, tiny_picture)), (0.0, 0.0, 5.0, 5.0));
    }

    #[test]
    fn arrow_keys_move_one_or_ten_pixels_and_resize_with_alt() {
        assert_eq!(nudge("ArrowLeft", false, false), Some(Nudge::Move(-1.0, 0.0)));
        assert_eq!(nudge("ArrowDown", true, false), Some(Nudge::Move(0.0, 10.0)));
        assert_eq!(nudge("ArrowRight", false, true), Some(Nudge::Resize(1.0, 0.0)));
        assert_eq!(nudge("ArrowUp", true, true), Some(Nudge::Resize(0.0, -10.0)));
        assert_eq!(nudge("a", false, false), None);
    }

    #[test]
    fn undo_and_redo_shortcuts_on_every_platform() {
        assert_eq!(shortcut("z", true, false, false, false), Some(Shortcut::Undo));
        assert_eq!(shortcut("z", false, true, false, false), Some(Shortcut::Undo));
        assert_eq!(shortcut("Z", true, false, true, false), Some(Shortcut::Redo));
        assert_eq!(shortcut("Z", false, true, true, false), Some(Shortcut::Redo));
        assert_eq!(shortcut("y", true, false, false, false), Some(Shortcut::Redo));
        assert_eq!(shortcut("z", false, false, false, false), None);
        assert_eq!(shortcut("z", true, false, false, true), None);
    }

    #[test]
    fn dragging_a_turned_corner_follows_the_box() {
        let (w, h) = along_box(10.0, 0.0, 90.0);
        assert!((w - 0.0).abs() < 1e-9 && (h + 10.0).abs() < 1e-9, "{w} {h}");
        assert_eq!(along_box(3.0, 4.0, 0.0), (3.0, 4.0));
    }

    #[test]
    fn a_box_is_drawn_in_percent_of_the_picture_with_its_font() {
        let style = box_style(&TextBox { angle: -2.5, ..sample() }, PICTURE);
        assert_eq!(
            style,
            "left:12.5%;top:8.3333%;width:25%;height:6.6667%;transform:rotate(-2.5deg);font-size:4cqw;color:#112233;\
             text-align:center;font-family:\"Noto Serif\", serif;font-weight:700"
        );
        let odd = box_style(&TextBox { color: "red;background:url(x)".into(), font: "comic".into(), ..sample() }, PICTURE);
        assert!(odd.contains("color:#000000;") && odd.contains("\"Noto Sans\", sans-serif;font-weight:400"), "{odd}");
        assert_eq!(font_css("mono").0, "\"Noto Sans Mono\", monospace");
        assert_eq!(shown_number(37.333_333), "37.33");
        assert_eq!(shown_number(40.0), "40");
    }
}
