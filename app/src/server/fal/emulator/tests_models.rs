//! Every catalogued endpoint through the queue: a valid input is drawn at its size in its
//! output's shape and labelled with its endpoint, a refused one is fal's 422 naming the field
//! (and never becomes a job), and the vector model answers an SVG.

use super::models::{find, ENDPOINTS};
use super::tests::{finished, serve, submit};
use super::{image, schema, vector};
use serde_json::{json, Value};

const PROMPT: &str = "Title: Honey bees\nKey sections:\n- Pollination: bees carry pollen (key figure: 58 %)\n\nFormat: one infographic.";

/// A valid input for each endpoint (`source` is an emulator picture for the edits) and the
/// size its picture is drawn at.
fn valid(path: &str, source: &str) -> (Value, (u32, u32)) {
    let palette = json!({"members": [{"rgb": {"r": 17, "g": 34, "b": 51}, "color_weight": 1.0}, {"rgb": {"r": 232, "g": 163, "b": 61}, "color_weight": 0.8}]});
    let colours = json!([{"r": 17, "g": 34, "b": 51}, {"r": 232, "g": 163, "b": 61}]);
    match path {
        "fal-ai/nano-banana-pro" => (json!({"prompt": PROMPT, "aspect_ratio": "16:9", "resolution": "2K", "num_images": 1, "output_format": "png"}), (1024, 576)),
        "fal-ai/nano-banana-pro/edit" => (json!({"prompt": PROMPT, "image_urls": [source], "aspect_ratio": "9:16", "resolution": "1K", "num_images": 1}), (576, 1024)),
        "fal-ai/nano-banana-2" => (json!({"prompt": PROMPT, "aspect_ratio": "4:1", "resolution": "0.5K", "thinking_level": "minimal"}), (512, 128)),
        // `auto`: the source's shape (16:9) at the resolution's edge.
        "fal-ai/nano-banana-2/edit" => (json!({"prompt": PROMPT, "image_urls": [source], "aspect_ratio": "auto", "resolution": "0.5K"}), (512, 288)),
        "fal-ai/ideogram/v3" => (
            json!({"prompt": PROMPT, "image_size": "landscape_16_9", "rendering_speed": "BALANCED", "style": "DESIGN", "color_palette": palette, "expand_prompt": false, "num_images": 1}),
            (1024, 576),
        ),
        "fal-ai/ideogram/v3/remix" => (json!({"prompt": PROMPT, "image_url": source, "strength": 0.6, "image_size": {"width": 1152, "height": 768}, "color_palette": {"name": "EMBER"}}), (1024, 682)),
        "fal-ai/recraft/v3/text-to-image" => (json!({"prompt": PROMPT, "image_size": {"width": 1344, "height": 576}, "style": "vector_illustration/infographical", "colors": colours}), (1024, 438)),
        // No size input: the source's.
        "fal-ai/recraft/v3/image-to-image" => (json!({"prompt": PROMPT, "image_url": source, "strength": 0.5, "style": "digital_illustration"}), (1024, 576)),
        "fal-ai/recraft/v4.1/text-to-vector" => (json!({"prompt": PROMPT, "image_size": "portrait_4_3", "colors": colours, "background_color": {"r": 250, "g": 250, "b": 245}}), (768, 1024)),
        "fal-ai/bytedance/seedream/v4.5/text-to-image" => (json!({"prompt": PROMPT, "image_size": {"width": 2736, "height": 1536}, "num_images": 1, "enable_safety_checker": true}), (1024, 574)),
        "fal-ai/bytedance/seedream/v4.5/edit" => (json!({"prompt": PROMPT, "image_urls": [source], "image_size": "auto_4K"}), (1024, 1024)),
        other => panic!("no valid input for {other}"),
    }
}

/// The fields each endpoint's output has beside `images` and each image's beside its url.
fn shape(path: &str) -> (&'static [&'static str], &'static [&'static str]) {
    const SIZED: &[&str] = &["content_type", "file_name", "height", "url", "width"];
    const UNSIZED: &[&str] = &["content_type", "file_name", "url"];
    match path {
        p if p.starts_with("fal-ai/nano-banana") => (&["description", "images"], SIZED),
        p if p.starts_with("fal-ai/ideogram") => (&["images", "seed"], UNSIZED),
        "fal-ai/recraft/v4.1/text-to-vector" => (&["images"], &["content_type", "file_name", "file_size", "url"]),
        p if p.starts_with("fal-ai/recraft") => (&["images"], UNSIZED),
        "fal-ai/bytedance/seedream/v4.5/text-to-image" => (&["images", "seed"], SIZED),
        _ => (&["images"], SIZED),
    }
}

fn keys(value: &Value) -> Vec<&str> {
    let mut keys: Vec<&str> = value.as_object().map(|o| o.keys().map(String::as_str).collect()).unwrap_or_default();
    keys.sort_unstable();
    keys
}

async fn submissions(base: &str) -> Vec<Value> {
    let http = reqwest::Client::new();
    let listed: Value = http.get(format!("{base}/_emulator/submissions")).header("Authorization", "Key k").send().await.expect("list").json().await.expect("json");
    listed["submissions"].as_array().expect("list").clone()
}

#[tokio::test]
async fn every_catalogued_endpoint_draws_its_picture_in_its_own_shape() {
    let (_emu, base) = serve().await;
    let http = reqwest::Client::new();
    let source = finished(&submit(&base, "fal-ai/nano-banana-pro", json!({"prompt": PROMPT, "aspect_ratio": "16:9"})).await).await.1;
    let source = source["images"][0]["url"].as_str().expect("url").to_string();
    for endpoint in ENDPOINTS {
        let (input, size) = valid(endpoint.path, &source);
        let submitted = submit(&base, endpoint.path, input.clone()).await;
        let app = endpoint.path.splitn(3, '/').take(2).collect::<Vec<_>>().join("/");
        assert!(submitted["status_url"].as_str().is_some_and(|u| u.contains(&format!("/queue/{app}/requests/"))), "{}: {submitted}", endpoint.path);
        let (status, output) = finished(&submitted).await;
        assert!(status.get("error").is_none(), "{}: {status}", endpoint.path);
        let (top, file) = shape(endpoint.path);
        assert_eq!((keys(&output), keys(&output["images"][0])), (top.to_vec(), file.to_vec()), "{}: {output}", endpoint.path);
        let url = output["images"][0]["url"].as_str().expect("url");
        let served = http.get(url).send().await.expect("file");
        let content_type = served.headers()["content-type"].to_str().expect("type").to_string();
        let bytes = served.bytes().await.expect("bytes");
        assert_eq!(output["images"][0]["content_type"].as_str(), Some(content_type.as_str()), "{}", endpoint.path);
        let drawn = image::Picture::from_url(url).expect("ours");
        assert_eq!(drawn.model, endpoint.path, "the picture says which model drew it");
        if endpoint.path.ends_with("text-to-vector") {
            assert_eq!((content_type.as_str(), output["images"][0]["file_name"].as_str()), ("image/svg+xml", Some("image.svg")));
            let svg = String::from_utf8(bytes.to_vec()).expect("utf-8");
            assert!(svg.contains(&format!(r#"width="{}" height="{}""#, size.0, size.1)), "{svg}");
            let texts = vector::texts_of(&svg);
            assert!(texts.iter().any(|t| t == "Honey bees") && texts.iter().any(|t| t.contains("58 %")), "{texts:?}");
            assert!(texts.contains(&format!("drawn by {}", endpoint.path)));
            assert_eq!(output["images"][0]["file_size"].as_u64(), Some(bytes.len() as u64));
            continue;
        }
        let png = ::image::load_from_memory(&bytes).expect("a PNG").to_rgb8();
        assert_eq!(png.dimensions(), size, "{}", endpoint.path);
        if output["images"][0].get("width").is_some() {
            assert_eq!((output["images"][0]["width"].as_u64(), output["images"][0]["height"].as_u64()), (Some(u64::from(size.0)), Some(u64::from(size.1))));
        }
        if matches!(endpoint.path, "fal-ai/ideogram/v3" | "fal-ai/recraft/v3/text-to-image") {
            keep_picture(endpoint.path.split('/').nth(1).unwrap_or("model"), &bytes);
            assert_eq!(png.get_pixel(0, 0).0, [17, 34, 51], "{}: drawn in the palette it was given", endpoint.path);
        }
    }
    // Each submission is listed with its endpoint and its input, as submitted.
    let listed = submissions(&base).await;
    for endpoint in ENDPOINTS {
        let input = valid(endpoint.path, &source).0;
        assert!(listed.iter().any(|s| s["endpoint"] == endpoint.path && s["input"] == input), "{} listed with its input", endpoint.path);
    }
}

#[test]
fn the_label_names_the_model_in_the_bottom_margin_only() {
    for (w, h) in [(1024, 576), (576, 1024), (512, 128)] {
        let plain = image::Picture { width: w, height: h, seed: 4, title: "Honey bees".into(), lines: vec!["Pollen".into()], ..image::Picture::default() };
        let labelled = image::Picture { model: "fal-ai/bytedance/seedream/v4.5/text-to-image".into(), ..plain.clone() };
        let (a, b) = (image::render(&plain).expect("png"), image::render(&labelled).expect("png"));
        keep_picture(&format!("label-{w}x{h}"), &b);
        let (a, b) = (::image::load_from_memory(&a).expect("a").to_rgb8(), ::image::load_from_memory(&b).expect("b").to_rgb8());
        let band = image::label(&labelled, w as f32, h as f32).expect("a label").band;
        let changed: Vec<(u32, u32)> = a.enumerate_pixels().filter(|&(x, y, p)| b.get_pixel(x, y) != p).map(|(x, y, _)| (x, y)).collect();
        let inside = |&(x, y): &(u32, u32)| x as f32 >= band.x - 1.0 && x as f32 <= band.x + band.w + 1.0 && y as f32 >= band.y - 1.0 && y as f32 <= band.y + band.h + 1.0;
        assert!(changed.len() > 200 && changed.iter().all(inside), "{w}x{h}: {} changed, band {band:?}", changed.len());
        assert!(changed.iter().all(|&(x, y)| x > 0 && y < h - 1), "{w}x{h}: an edit's colour samples are untouched");
        let card = b.get_pixel(band.x.ceil() as u32, band.y.ceil() as u32).0;
        let ink = changed.iter().filter(|&&(x, y)| i32::from(b.get_pixel(x, y).0[0]) < i32::from(card[0]) - 60).count();
        assert!(ink > 50, "{w}x{h}: the words are drawn ({ink})");
        assert_eq!(image::transcript(&labelled), image::transcript(&plain), "the label is not one of the picture's words");
    }
}

fn keep_picture(name: &str, png: &[u8]) {
    if let Ok(dir) = std::env::var("EMULATOR_PICTURES") {
        let _ = std::fs::write(format!("{dir}/model-{name}.png"), png);
    }
}

/// What each endpoint refuses: (endpoint, a change to its valid input, the field named, the kind).
fn refused_cases() -> Vec<(&'static str, Value, Vec<Value>, &'static str)> {
    let long = "x".repeat(1001);
    vec![
        ("fal-ai/nano-banana-pro", json!({"aspect_ratio": "7:5"}), vec![json!("aspect_ratio")], "literal_error"),
        ("fal-ai/nano-banana-pro", json!({"num_images": 5}), vec![json!("num_images")], "less_than_equal"),
        ("fal-ai/nano-banana-pro", json!({"resolution": "0.5K"}), vec![json!("resolution")], "literal_error"),
        ("fal-ai/nano-banana-pro", json!({"prompt": "hi"}), vec![json!("prompt")], "string_too_short"),
        ("fal-ai/nano-banana-pro/edit", json!({"image_urls": null}), vec![json!("image_urls")], "missing"),
        ("fal-ai/nano-banana-2", json!({"resolution": "8K"}), vec![json!("resolution")], "literal_error"),
        ("fal-ai/nano-banana-2/edit", json!({"thinking_level": "max"}), vec![json!("thinking_level")], "literal_error"),
        ("fal-ai/ideogram/v3", json!({"rendering_speed": "FAST"}), vec![json!("rendering_speed")], "literal_error"),
        ("fal-ai/ideogram/v3", json!({"color_palette": {"members": [{"rgb": {"r": 300, "g": 0, "b": 0}}]}}), vec![json!("color_palette"), json!("members"), json!(0), json!("rgb"), json!("r")], "less_than_equal"),
        ("fal-ai/ideogram/v3", json!({"color_palette": {"members": [{"rgb": {"r": 1}, "color_weight": 0.01}]}}), vec![json!("color_palette"), json!("members"), json!(0), json!("color_weight")], "greater_than_equal"),
        ("fal-ai/ideogram/v3", json!({"color_palette": {"members": ["#112233"]}}), vec![json!("color_palette"), json!("members"), json!(0)], "dict_type"),
        ("fal-ai/ideogram/v3", json!({"color_palette": {"name": "NEON"}}), vec![json!("color_palette"), json!("name")], "literal_error"),
        ("fal-ai/ideogram/v3", json!({"style_codes": ["AB12CD34"]}), vec![json!("style_codes")], "value_error"),
        ("fal-ai/ideogram/v3", json!({"aspect_ratio": "16:9", "image_size": "wide"}), vec![json!("image_size")], "literal_error"),
        ("fal-ai/ideogram/v3/remix", json!({"image_url": null}), vec![json!("image_url")], "missing"),
        ("fal-ai/ideogram/v3/remix", json!({"strength": 0}), vec![json!("strength")], "greater_than_equal"),
        ("fal-ai/recraft/v3/text-to-image", json!({"prompt": long}), vec![json!("prompt")], "string_too_long"),
        ("fal-ai/recraft/v3/text-to-image", json!({"colors": ["#ff0000"]}), vec![json!("colors"), json!(0)], "dict_type"),
        ("fal-ai/recraft/v3/text-to-image", json!({"style": "photo"}), vec![json!("style")], "literal_error"),
        ("fal-ai/recraft/v3/text-to-image", json!({"image_size": {"width": 20000, "height": 512}}), vec![json!("image_size"), json!("width")], "less_than_equal"),
        ("fal-ai/recraft/v3/image-to-image", json!({"negative_prompt": long}), vec![json!("negative_prompt")], "string_too_long"),
        ("fal-ai/recraft/v4.1/text-to-vector", json!({"prompt": long}), vec![json!("prompt")], "string_too_long"),
        ("fal-ai/recraft/v4.1/text-to-vector", json!({"background_color": {"r": -1}}), vec![json!("background_color"), json!("r")], "greater_than_equal"),
        ("fal-ai/recraft/v4.1/text-to-vector", json!({"colors": {"r": 1}}), vec![json!("colors")], "list_type"),
        ("fal-ai/bytedance/seedream/v4.5/text-to-image", json!({"image_size": {"width": 1024, "height": 1024}}), vec![json!("image_size")], "value_error"),
        ("fal-ai/bytedance/seedream/v4.5/text-to-image", json!({"num_images": 7}), vec![json!("num_images")], "less_than_equal"),
        ("fal-ai/bytedance/seedream/v4.5/edit", json!({"image_urls": "http://x/a.png"}), vec![json!("image_urls")], "list_type"),
        ("fal-ai/bytedance/seedream/v4.5/edit", json!({"enable_safety_checker": "yes"}), vec![json!("enable_safety_checker")], "bool_type"),
    ]
}

/// `base` with `change`'s fields replaced (a null one removed).
fn changed(mut base: Value, change: &Value) -> Value {
    for (key, value) in change.as_object().expect("object") {
        match value {
            Value::Null => base.as_object_mut().expect("object").remove(key),
            value => base.as_object_mut().expect("object").insert(key.clone(), value.clone()),
        };
    }
    base
}

#[test]
fn each_endpoint_refuses_what_its_model_refuses_naming_the_field() {
    for endpoint in ENDPOINTS {
        let (input, _) = valid(endpoint.path, "http://x/fal-emulator/files/a.png");
        assert_eq!(endpoint.check(&input), Vec::new(), "{} takes its valid input", endpoint.path);
        let extra = changed(input, &json!({"brand_new_field": {"anything": 1}, "output_format": "png"}));
        assert_eq!(endpoint.check(&extra), Vec::new(), "{}: unknown fields are ignored, like fal", endpoint.path);
    }
    for (path, change, field, kind) in refused_cases() {
        let endpoint = find(path).expect("catalogued");
        let input = changed(valid(path, "http://x/fal-emulator/files/a.png").0, &change);
        let refusals = endpoint.check(&input);
        let loc: Vec<Value> = std::iter::once(json!("body")).chain(field).collect();
        assert!(refusals.iter().any(|r| r.loc == loc && r.kind == kind), "{path} {change}: {refusals:?}");
        assert!(refusals.iter().all(|r| !r.msg.is_empty()));
    }
    // NBP's aspect ratios are NB2's but for NB2's four extreme ones.
    let wide = json!({"prompt": PROMPT, "aspect_ratio": "8:1"});
    assert!(find("fal-ai/nano-banana-2").expect("nb2").check(&wide).is_empty());
    assert_eq!(find("fal-ai/nano-banana-pro").expect("nbp").check(&wide).len(), 1);
}

#[tokio::test]
async fn a_refused_input_is_fals_422_and_never_a_job() {
    let (_emu, base) = serve().await;
    let http = reqwest::Client::new();
    let post = |path: &str, body: Value| http.post(format!("{base}/queue/{path}")).header("Authorization", "Key k").json(&body).send();
    let r = post("fal-ai/recraft/v3/text-to-image", json!({"prompt": "x".repeat(1001), "style": "photo"})).await.expect("post");
    assert_eq!(r.status(), 422);
    let body: Value = r.json().await.expect("json");
    let detail = body["detail"].as_array().expect("a list");
    assert_eq!(detail.len(), 2, "every refusal at once: {body}");
    assert_eq!(detail[0]["loc"], json!(["body", "prompt"]));
    assert_eq!((detail[0]["type"].as_str(), detail[0]["msg"].as_str()), (Some("string_too_long"), Some("String should have at most 1000 characters")));
    assert_eq!(detail[0]["ctx"], json!({"max_length": 1000}));
    assert_eq!(detail[1]["loc"], json!(["body", "style"]));
    assert!(detail[1]["msg"].as_str().is_some_and(|m| m.starts_with("Input should be 'any', 'realistic_image'")), "{body}");
    let r = post("fal-ai/ideogram/v3", json!({"prompt": PROMPT, "color_palette": {"members": [{"rgb": {"r": 256, "g": 0, "b": 0}, "color_weight": 0.5}]}})).await.expect("post");
    assert_eq!(r.status(), 422);
    let body: Value = r.json().await.expect("json");
    assert_eq!(body["detail"][0]["loc"], json!(["body", "color_palette", "members", 0, "rgb", "r"]), "{body}");
    assert!(submissions(&base).await.is_empty(), "nothing was queued");

    // An unknown model of a known owner is not found, like fal; any other app is drawn as before.
    let r = post("fal-ai/recraft/v9/text-to-image", json!({"prompt": PROMPT})).await.expect("post");
    assert_eq!(r.status(), 404);
    let drawn = finished(&submit(&base, "someone/some-model", json!({"prompt": PROMPT, "aspect_ratio": "3:2"})).await).await.1;
    assert_eq!((drawn["images"][0]["width"].as_u64(), drawn["images"][0]["height"].as_u64()), (Some(1024), Some(682)));
    let listed = submissions(&base).await;
    assert_eq!((listed.len(), listed[0]["endpoint"].as_str()), (1, Some("someone/some-model")));
}

#[tokio::test]
async fn a_hostile_svg_marker_makes_the_vector_model_answer_an_svg_a_sanitiser_must_clean() {
    let (_emu, base) = serve().await;
    let prompt = format!("{PROMPT} [emulator:hostile-svg]");
    let output = finished(&submit(&base, "fal-ai/recraft/v4.1/text-to-vector", json!({"prompt": prompt})).await).await.1;
    let served = reqwest::get(output["images"][0]["url"].as_str().expect("url")).await.expect("svg");
    let policy = served.headers().get("content-security-policy").and_then(|v| v.to_str().ok()).map(str::to_string);
    assert_eq!(policy.as_deref(), Some("default-src 'none'; style-src 'unsafe-inline'; sandbox"), "served so that nothing runs");
    let svg = served.text().await.expect("text");
    assert!(svg.contains("<script>") && svg.contains(" onload=\"") && svg.contains(r#"<image href="http://"#), "{svg}");
    assert!(!svg.contains("emulator:"), "the marker is never drawn");
    assert!(vector::texts_of(&svg).iter().any(|t| t == "Honey bees"));
}
