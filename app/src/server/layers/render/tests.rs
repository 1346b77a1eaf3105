use super::*;
use crate::model::layers::Role;
use std::time::Instant;

fn text_box(id: &str, text: &str, x: f64, y: f64, w: f64, h: f64) -> TextBox {
    TextBox {
        id: id.into(),
        text: text.into(),
        x,
        y,
        w,
        h,
        angle: 0.0,
        font: "sans".into(),
        size: 24.0,
        color: "#000000".into(),
        align: Align::Left,
        role: Role::Body,
    }
}

/// A plain white PNG, the background of most tests (dark pixels are then the text).
fn white_png(width: u32, height: u32) -> Vec<u8> {
    let image = image::RgbImage::from_pixel(width, height, image::Rgb([255, 255, 255]));
    let mut bytes = std::io::Cursor::new(Vec::new());
    image.write_to(&mut bytes, image::ImageFormat::Png).expect("encodes");
    bytes.into_inner()
}

fn scene<'a>(width: u32, height: u32, background: &'a [u8], boxes: &'a [TextBox]) -> Scene<'a> {
    Scene { width, height, background: Background { bytes: background, mime: "image/png" }, boxes }
}

/// The drawn picture's dark pixels (the text on white), as (x, y).
fn dark_pixels(png_bytes: &[u8], expected: (u32, u32)) -> Vec<(u32, u32)> {
    let image = image::load_from_memory_with_format(png_bytes, image::ImageFormat::Png).expect("a PNG").to_rgb8();
    assert_eq!(image.dimensions(), expected);
    image.enumerate_pixels().filter(|(_, _, p)| p.0.iter().all(|c| *c < 128)).map(|(x, y, _)| (x, y)).collect()
}

fn bounds(pixels: &[(u32, u32)]) -> (u32, u32, u32, u32) {
    assert!(!pixels.is_empty(), "nothing was drawn");
    let xs = pixels.iter().map(|p| p.0);
    let ys = pixels.iter().map(|p| p.1);
    (xs.clone().min().unwrap(), ys.clone().min().unwrap(), xs.max().unwrap(), ys.max().unwrap())
}

/// Every `<text>`'s characters, as an XML parser reads them back.
fn texts_in(svg_text: &str) -> Vec<String> {
    let doc = usvg::roxmltree::Document::parse(svg_text).expect("the SVG is well-formed XML");
    doc.descendants().filter(|n| n.has_tag_name("text")).map(|n| n.descendants().filter(|d| d.is_text()).filter_map(|d| d.text()).collect::<Vec<_>>().join(" ")).collect()
}

const TRICKY: [&str; 4] = ["Größe & <Maß> \"quoted\" 'single'", "Ελλάδα", "Чтение", "</text><script>alert(1)</script>"];

#[test]
fn every_bundled_font_is_served_and_known_to_the_renderer() {
    let db = fonts::database();
    for font in FONTS {
        let bytes = font_file(font.file).unwrap_or_else(|| panic!("{} is bundled", font.file));
        assert!(bytes.len() > 10_000, "{} is a real font", font.file);
        let weight = usvg::fontdb::Weight(if font.bold { 700 } else { 400 });
        let query = usvg::fontdb::Query { families: &[usvg::fontdb::Family::Name(font.family)], weight, ..Default::default() };
        let id = db.query(&query).unwrap_or_else(|| panic!("{} {weight:?} is in the database", font.family));
        let face = db.face(id).expect("a face");
        assert!(matches!(&face.source, usvg::fontdb::Source::Binary(b) if (**b).as_ref().len() == bytes.len()), "{} resolves to its own file", font.file);
    }
    assert_eq!(font_file("../Cargo.toml"), None);
    assert_eq!(font_file("NotoSans-Italic.ttf"), None);
}

#[test]
fn the_svg_parses_and_holds_every_text_escaped() {
    let boxes: Vec<TextBox> = TRICKY.iter().enumerate().map(|(i, t)| text_box(&format!("b{i}\"'<&"), t, 10.0, 10.0 + 50.0 * i as f64, 900.0, 40.0)).collect();
    let background = white_png(1000, 300);
    let svg_text = svg(&scene(1000, 300, &background, &boxes));
    assert_eq!(texts_in(&svg_text), TRICKY.map(String::from));
    assert!(svg_text.contains("Gr\u{f6}\u{df}e &amp; &lt;Ma\u{df}&gt; &quot;quoted&quot; &apos;single&apos;"), "escaped once, letters kept as they are");
    // usvg accepts it too (the same parse the PNG and PDF go through).
    usvg::Tree::from_str(&svg_text, &options()).expect("usvg parses it");
}

#[test]
fn text_cannot_inject_markup() {
    let hostile = "</text><script>alert(1)</script><text>";
    let boxes = [TextBox { id: "\"><script>x</script>".into(), color: "#000\"/><script>".into(), ..text_box("a", hostile, 0.0, 0.0, 2000.0, 50.0) }];
    let background = white_png(100, 100);
    let svg_text = svg(&scene(100, 100, &background, &boxes));
    let doc = usvg::roxmltree::Document::parse(&svg_text).expect("well-formed");
    let elements: Vec<&str> = doc.descendants().filter(|n| n.is_element()).map(|n| n.tag_name().name()).collect();
    assert_eq!(elements, ["svg", "image", "text", "tspan"]);
    assert_eq!(texts_in(&svg_text), [hostile]);
    assert!(svg_text.contains(r##"fill="#000000""##), "an invalid colour falls back to black");
}

#[test]
fn lines_wrap_at_spaces_like_css_pre_line() {
    let font = fonts::measure(&FONTS[0]);
    let lines = |text: &str, width: f64| wrap::lines(text, font, 20.0, width);
    assert_eq!(lines("a  b\t c", 1000.0), ["a b c"], "spaces collapse");
    assert_eq!(lines("one\n\ntwo\n", 1000.0), ["one", "", "two"], "line breaks kept, one final break adds nothing");
    assert!(lines("", 100.0).is_empty());
    let words = "the quick brown fox jumps over the lazy dog ".repeat(5);
    let wrapped = lines(&words, 150.0);
    assert!(wrapped.len() > 5, "{wrapped:?}");
    for line in &wrapped {
        assert!(wrap::advance(font, line, 20.0) <= 150.0 + 0.02, "{line:?} fits");
        assert_eq!(line.trim(), line, "no space at a line's ends");
    }
    assert_eq!(wrapped.join(" "), words.trim_end(), "no word lost or split");
    // Greedy: the next line's first word would not have fitted on the line before.
    for pair in wrapped.windows(2) {
        let first = pair[1].split(' ').next().unwrap();
        assert!(wrap::advance(font, &format!("{} {first}", pair[0]), 20.0) > 150.0, "{pair:?}");
    }
    let hyphenated = wrap::advance(font, "year-over-", 20.0) + 1.0;
    assert_eq!(lines("year-over-year", hyphenated), ["year-over-", "year"], "a line may break after a hyphen");
    let unbroken = wrap::advance(font, "-500 10-", 20.0) + 1.0;
    assert_eq!(lines("-500 10-20", unbroken), ["-500", "10-20"], "not after a leading hyphen nor before a digit");
    let long = lines("x Pneumonoultramicroscopicsilicovolcanoconiosis y", 100.0);
    assert_eq!(long.first().map(String::as_str), Some("x"), "a long word first moves to its own line");
    assert!(long.len() >= 3 && long.iter().all(|l| wrap::advance(font, l, 20.0) <= 100.02), "then is broken: {long:?}");
    assert_eq!(long.concat().replace(' ', ""), "xPneumonoultramicroscopicsilicovolcanoconiosisy");
}

#[test]
fn the_png_has_the_scene_size_and_draws_text_inside_its_box() {
    let background = white_png(400, 200);
    let boxes = [text_box("a", "Hello world", 20.0, 20.0, 360.0, 100.0)];
    let dark = dark_pixels(&png(&scene(400, 200, &background, &boxes)).expect("renders"), (400, 200));
    assert!(dark.len() > 100, "text drawn: {} dark pixels", dark.len());
    let (left, top, right, bottom) = bounds(&dark);
    assert!(left >= 20 && top >= 20 && right < 380 && bottom < 120, "inside the box: {:?}", (left, top, right, bottom));
    assert!(left <= 24, "left-aligned at the box's edge: {left}");
}

#[test]
fn the_first_baseline_follows_the_css_line_box() {
    // 100 px Noto Sans: line box 125 px, content area (ascent + descent) centred in it, so the
    // baseline is at top + (125 − 136.2) / 2 + 106.9 ≈ 101.3 and a capital H (714 units high)
    // starts ≈ 30 px below the box top.
    let background = white_png(300, 200);
    let boxes = [TextBox { size: 100.0, ..text_box("a", "H", 0.0, 0.0, 300.0, 200.0) }];
    let (_, top, _, bottom) = bounds(&dark_pixels(&png(&scene(300, 200, &background, &boxes)).unwrap(), (300, 200)));
    assert!((28..=32).contains(&top), "cap top at {top}");
    assert!((99..=102).contains(&bottom), "baseline at {bottom}");
}

#[test]
fn alignment_and_rotation_place_the_text() {
    let background = white_png(400, 400);
    let draw = |b: TextBox| bounds(&dark_pixels(&png(&scene(400, 400, &background, &[b])).unwrap(), (400, 400)));
    let base = text_box("a", "Hi", 0.0, 100.0, 400.0, 40.0);
    assert!(draw(base.clone()).2 < 100, "left");
    let (l, _, r, _) = draw(TextBox { align: Align::Center, ..base.clone() });
    assert!(l > 150 && r < 250, "centre: {l}–{r}");
    assert!(draw(TextBox { align: Align::Right, ..base.clone() }).0 > 300, "right");
    // A wide box turned 90° about its centre (200, 200) draws tall, not wide.
    let turned = TextBox { text: "Rotated words".into(), angle: 90.0, ..text_box("a", "", 50.0, 180.0, 300.0, 40.0) };
    let (l, t, r, b) = draw(turned);
    assert!(b - t > 3 * (r - l), "tall: {:?}", (l, t, r, b));
    for angle in [-360.0, -45.0, 33.3, 360.0] {
        for align in [Align::Left, Align::Center, Align::Right] {
            png(&scene(400, 400, &background, &[TextBox { angle, align, ..base.clone() }])).expect("renders");
        }
    }
}

#[test]
fn the_pdf_keeps_the_words_as_text_on_a_page_of_the_picture_size() {
    let background = white_png(1024, 768);
    let mut boxes: Vec<TextBox> = TRICKY.iter().enumerate().map(|(i, t)| text_box(&format!("b{i}"), t, 10.0, 10.0 + 60.0 * i as f64, 1000.0, 50.0)).collect();
    boxes.push(TextBox { font: "serif-bold".into(), angle: 15.0, align: Align::Center, ..text_box("e", "Edited honeybee census", 100.0, 400.0, 300.0, 100.0) });
    let bytes = pdf(&scene(1024, 768, &background, &boxes)).expect("converts");
    assert!(bytes.starts_with(b"%PDF-"));
    // svg2pdf places every glyph on its own, which pdf-extract reads as letters spaced apart
    // (viewers join them by position); the letters, in order, are what is checked.
    let text = pdf_extract::extract_text_from_mem(&bytes).expect("text extracts");
    let letters: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    for expected in ["Größe", "&<Maß>", "\"quoted\"", "Ελλάδα", "Чтение", "</text><script>alert(1)</script>", "Editedhoneybeecensus"] {
        assert!(letters.contains(expected), "{expected:?} in {letters:?}");
    }
    assert!(!letters.contains("Urban"), "only the boxes' words");
    let doc = pdf_extract::Document::load_mem(&bytes).expect("parses");
    let pages = doc.get_pages();
    assert_eq!(pages.len(), 1);
    let page = doc.get_dictionary(pages[&1]).expect("a page");
    let media_box: Vec<f32> = page.get(b"MediaBox").and_then(|m| m.as_array()).expect("MediaBox").iter().map(|v| v.as_float().expect("number")).collect();
    assert_eq!(media_box, [0.0, 0.0, 768.0, 576.0], "px × 0.75 pt");
}

#[test]
fn oversized_or_broken_scenes_are_refused() {
    let background = white_png(10, 10);
    let boxes = [text_box("a", "x", 0.0, 0.0, 5.0, 5.0)];
    for (w, h) in [(MAX_SIDE + 1, 10), (10, MAX_SIDE + 1), (0, 10)] {
        assert!(matches!(png(&scene(w, h, &background, &boxes)), Err(RenderError::Size { .. })), "{w}×{h}");
        assert!(matches!(pdf(&scene(w, h, &background, &boxes)), Err(RenderError::Size { .. })), "{w}×{h}");
    }
    let many = vec![boxes[0].clone(); MAX_BOXES + 1];
    assert!(matches!(png(&scene(10, 10, &background, &many)), Err(RenderError::TooManyBoxes(_))));
    let bad = [TextBox { w: f64::NAN, ..boxes[0].clone() }, TextBox { text: "x".repeat(BOX_TEXT_MAX_CHARS + 1), ..boxes[0].clone() }];
    for b in bad {
        assert!(matches!(pdf(&scene(10, 10, &background, &[b])), Err(RenderError::BadBox { index: 0, .. })));
    }
    assert!(matches!(png(&scene(10, 10, b"<html>", &boxes)), Err(RenderError::Background)));
    let huge = white_png(MAX_SIDE + 1, 1);
    assert!(matches!(png(&scene(10, 10, &huge, &boxes)), Err(RenderError::Background)), "a background bigger than a picture may be");
    // svg() never fails: unchecked input is still bounded and well-formed.
    let svg_text = svg(&scene(10, 10, b"not an image", &many));
    assert_eq!(texts_in(&svg_text).len(), MAX_BOXES);
}

#[test]
fn webp_and_jpeg_backgrounds_are_drawn() {
    let image = image::RgbImage::from_pixel(64, 32, image::Rgb([200, 30, 30]));
    for format in [image::ImageFormat::WebP, image::ImageFormat::Jpeg] {
        let mut bytes = std::io::Cursor::new(Vec::new());
        image.write_to(&mut bytes, format).expect("encodes");
        let bytes = bytes.into_inner();
        let scene = Scene { width: 64, height: 32, background: Background { bytes: &bytes, mime: "image/png" }, boxes: &[] };
        let drawn = image::load_from_memory(&png(&scene).expect("renders")).unwrap().to_rgb8();
        let p = drawn.get_pixel(32, 16).0;
        assert!(p[0] > 150 && p[1] < 80, "{format:?} background shows: {p:?}");
        pdf(&scene).expect("converts");
    }
}

/// Not a check: how long a full-size render takes (`-- --ignored --nocapture` to see it).
#[test]
#[ignore]
fn timing_of_a_1024_square_with_20_boxes() {
    let background = white_png(1024, 1024);
    let boxes: Vec<TextBox> = (0..20).map(|i| TextBox { size: 18.0 + i as f64, angle: (i * 7) as f64, font: FONTS[i % 6].id.into(), ..text_box(&i.to_string(), &"Urban bees pollinate city gardens. ".repeat(4), 20.0, 20.0 + 48.0 * i as f64, 480.0, 44.0) }).collect();
    let scene = scene(1024, 1024, &background, &boxes);
    let _ = png(&scene).unwrap(); // warm the font caches
    let started = Instant::now();
    let png_bytes = png(&scene).unwrap();
    let png_time = started.elapsed();
    let started = Instant::now();
    let pdf_bytes = pdf(&scene).unwrap();
    let pdf_time = started.elapsed();
    std::fs::write(std::env::temp_dir().join("layers-render-timing.pdf"), &pdf_bytes).unwrap();
    std::fs::write(std::env::temp_dir().join("layers-render-timing.png"), &png_bytes).unwrap();
    println!("PNG {png_time:?} ({} bytes), PDF {pdf_time:?} ({} bytes)", png_bytes.len(), pdf_bytes.len());
}

/// Not a check: the slowest scene the limits allow, roughly (`-- --ignored --nocapture`).
#[test]
#[ignore]
fn timing_of_the_largest_allowed_scene() {
    let background = white_png(MAX_SIDE, MAX_SIDE);
    let text = "Wide words overlap ".repeat(30)[..BOX_TEXT_MAX_CHARS].to_string();
    let boxes: Vec<TextBox> = (0..MAX_BOXES).map(|i| TextBox { size: MAX_SIZE, ..text_box(&i.to_string(), &text, 0.0, 0.0, 4096.0, 4096.0) }).collect();
    let scene = scene(MAX_SIDE, MAX_SIDE, &background, &boxes);
    for (name, render) in [("svg", (|s: &Scene| Ok(svg(s).into_bytes())) as fn(&Scene) -> Result<Vec<u8>, RenderError>), ("png", png), ("pdf", pdf)] {
        let started = Instant::now();
        let bytes = render(&scene).unwrap();
        println!("{name}: {:?}, {} bytes", started.elapsed(), bytes.len());
    }
}
