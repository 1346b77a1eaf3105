//! The emulator's pictures as a whole: what they show, how the typo and the corrections work,
//! and the read-back through the queue. `EMULATOR_PICTURES=<dir>` keeps the pictures drawn.

use super::image::{render, transcript, Picture};
use super::{brief, can_draw, corrections_of, drawn_text, injected_typo, transcription_of_url, words, Emulator};
use crate::model::design::Layout;
use std::time::{Duration, Instant};

const OUTLINE: &str = "Title: Pollination facts [emulator:typo]\n\
    The author's request (what to show; do not print it as text): bees for kids\n\
    Subtitle: Why flowers need bees and how much they give back\n\
    Key sections:\n\
    - Pollination basics: Bees carry pollen between flowers while they feed (key figure: 58 %)\n\
    - Honey harvest: A strong hive makes about 25 kg of honey in a good year (key figure: 25 kg)\n\
    - The waggle dance: Foragers tell their sisters where the flowers are (key figure: 6 km)\n\
    - Winter cluster: The colony keeps its queen warm all winter long\n\n\
    Format: one infographic, aspect ratio 16:9, 2K resolution. Style: clean and modern.\n\
    Layout: a process: numbered steps connected by arrows, in order.\n\
    Language: write every word in the image in English (en).";

fn keep(name: &str, png: &[u8]) {
    if let Ok(dir) = std::env::var("EMULATOR_PICTURES") {
        let _ = std::fs::write(format!("{dir}/emu-{name}.png"), png);
    }
}

fn picture(prompt: &str, variant: u64) -> Picture {
    let (width, height) = super::readback::size_of(prompt);
    Picture { width, height, variant, ..brief::picture_of(prompt) }
}

fn clean(prompt: &str) -> String {
    brief::without_markers(prompt)
}

/// Every word the outline asks for, in reading order.
const OUTLINE_TEXT: &str = "Pollination facts\nWhy flowers need bees and how much they give back\n\
    Pollination basics\nBees carry pollen between flowers while they feed\n58 %\n\
    Honey harvest\nA strong hive makes about 25 kg of honey in a good year\n25 kg\n\
    The waggle dance\nForagers tell their sisters where the flowers are\n6 km\n\
    Winter cluster\nThe colony keeps its queen warm all winter long";

#[test]
fn an_outline_is_drawn_in_full_in_every_layout_and_read_back_as_drawn() {
    let mut seen = Vec::new();
    for layout in Layout::ALL {
        for format in ["16:9, 2K", "9:16, 1K", "1:1, 1K"] {
            let prompt = clean(OUTLINE).replace("16:9, 2K", format);
            let p = Picture { layout, ..picture(&prompt, 3) };
            assert_eq!(transcript(&p), OUTLINE_TEXT, "{layout:?} {format}");
            let png = render(&p).expect("png");
            if format == "16:9, 2K" {
                keep(&format!("layout-{}", layout.as_str()), &png);
                seen.push(png);
            }
        }
    }
    for (i, a) in seen.iter().enumerate() {
        assert!(seen[i + 1..].iter().all(|b| differing(a, b) > 0.05), "every layout looks different");
    }
    let url = format!("http://elsewhere:1/fal-emulator/files/x.png?{}", picture(&clean(OUTLINE), 3).to_query());
    assert_eq!(transcription_of_url(&url).as_deref(), Some(OUTLINE_TEXT));
    assert_eq!(drawn_text(OUTLINE, false), OUTLINE_TEXT);
    assert_eq!(transcription_of_url("https://example.com/photo.png?w=1&h=1&s=1&t=x"), None);
}

/// The share of pixels that differ between two PNGs of the same size.
fn differing(a: &[u8], b: &[u8]) -> f32 {
    let (a, b) = (::image::load_from_memory(a).expect("a").to_rgb8(), ::image::load_from_memory(b).expect("b").to_rgb8());
    let changed = a.pixels().zip(b.pixels()).filter(|(x, y)| x != y).count();
    changed as f32 / (a.width() * a.height()) as f32
}

#[test]
fn the_typo_changes_exactly_one_word_and_one_number() {
    let (right, wrong) = (drawn_text(OUTLINE, false), drawn_text(OUTLINE, true));
    let tokens = |t: &str| t.split_whitespace().map(str::to_string).collect::<Vec<_>>();
    let (right_tokens, wrong_tokens) = (tokens(&right), tokens(&wrong));
    assert_eq!(right_tokens.len(), wrong_tokens.len());
    let changed: Vec<(&String, &String)> = right_tokens.iter().zip(&wrong_tokens).filter(|(a, b)| a != b).collect();
    assert_eq!(changed, vec![(&"Pollination".to_string(), &"Polination".to_string()), (&"58".to_string(), &"68".to_string())], "{wrong}");
    let injected = injected_typo(OUTLINE).expect("typo");
    assert_eq!(injected.word, Some(("Pollination".into(), "Polination".into())));
    assert_eq!(injected.number, Some(("58".into(), "68".into())));
    // The marker in the prompt draws the typo; it is never drawn itself.
    let p = picture(OUTLINE, 0);
    assert!(p.typo && transcript(&p) == wrong && !wrong.contains("emulator"));
    keep("typo", &render(&p).expect("png"));
    // A word without a doubled letter gets one; a 9 becomes a 0, a 95 a 15.
    let plain = "Title: Rain\nKey sections:\n- Drought: dry (key figure: 95 mm)\n\nFormat: x";
    let injected = injected_typo(plain).expect("typo");
    assert_eq!((injected.word, injected.number), (Some(("Drought".into(), "Drouught".into())), Some(("95".into(), "15".into()))));
}

#[test]
fn an_edit_draws_its_sources_words_with_the_corrections_applied() {
    let source = picture(OUTLINE, 5);
    let instruction = "Change this infographic: Change \"Polination basics\" to \"Pollination basics\".\nChange \"68 %\" to \"58 %\".\nKeep everything else exactly as it is.";
    let fixed = words::corrected(&source, &corrections_of(instruction));
    assert!(!fixed.typo);
    assert_eq!(transcript(&fixed), OUTLINE_TEXT);
    assert_eq!(fixed.variant, source.variant, "the look is kept");
}

#[test]
fn a_brand_kit_gives_the_palette_and_the_logo() {
    let prompt = format!("{}\nBrand \"Acme\": use the colours #112233, #E8A33D as the palette; modern sans typeface. Place the brand logo from the attached image, unchanged and small, in a corner.", clean(OUTLINE));
    let mut logo = ::image::RgbaImage::from_pixel(300, 150, ::image::Rgba([0, 0, 0, 0]));
    for (x, _, px) in logo.enumerate_pixels_mut() {
        if x < 150 {
            *px = ::image::Rgba([255, 0, 200, 255]);
        }
    }
    let mut bytes = std::io::Cursor::new(Vec::new());
    logo.write_to(&mut bytes, ::image::ImageFormat::Png).expect("logo");
    let p = Picture { logo: super::picture::logo_thumbnail(bytes.get_ref()), ..picture(&prompt, 2) };
    assert!(p.logo.as_ref().is_some_and(|l| l.len() < 24 * 1024));
    let png = render(&p).expect("png");
    keep("brand", &png);
    let img = ::image::load_from_memory(&png).expect("png").to_rgb8();
    assert_eq!(img.get_pixel(0, 0).0, [0x11, 0x22, 0x33], "the kit's first colour is the background");
    let count = |c: [u8; 3]| img.pixels().filter(|p| p.0 == c).count();
    assert!(count([0xE8, 0xA3, 0x3D]) > 500, "the kit's other colour is used");
    let (w, h) = img.dimensions();
    let logo_pixels = (w / 2..w).flat_map(|x| (0..h / 4).map(move |y| (x, y))).filter(|&(x, y)| img.get_pixel(x, y).0 == [255, 0, 200]).count();
    assert!(logo_pixels > 100, "the logo is in the top right corner: {logo_pixels}");
    assert_eq!(transcript(&p), drawn_text(&prompt, false), "the logo's place is kept when predicting the text");
}

#[test]
fn the_pictures_of_a_batch_differ_but_say_the_same() {
    let prompt = clean(OUTLINE);
    let (a, b) = (picture(&prompt, super::job::seed_of("request-1")), picture(&prompt, super::job::seed_of("request-2")));
    let (png_a, png_b) = (render(&a).expect("a"), render(&b).expect("b"));
    keep("batch-a", &png_a);
    keep("batch-b", &png_b);
    assert!(differing(&png_a, &png_b) > 0.3, "{}", differing(&png_a, &png_b));
    assert_eq!(transcript(&a), transcript(&b));
    let branded = format!("{prompt}\nBrand \"Acme\": use the colours #112233, #445566 as the palette; modern sans typeface.");
    let (c, d) = (picture(&branded, 1), picture(&branded, 2));
    assert!(differing(&render(&c).expect("c"), &render(&d).expect("d")) > 0.05, "a brand kit's batch varies too");
}

#[test]
fn latin_greek_and_cyrillic_are_drawn_and_other_scripts_are_noted() {
    for (code, title, heading) in [("de", "Größe der Bienenvölker", "Über den Winter"), ("el", "Μέλισσες και λουλούδια", "Η επικονίαση"), ("ru", "Пчёлы и цветы", "Опыление")] {
        assert!(can_draw(code) && super::text::covers(&format!("{title}{heading}")), "{code}");
        let prompt = format!("Title: {title}\nKey sections:\n- {heading}: 58 %\n\nFormat: one infographic, aspect ratio 1:1, 1K resolution.\nLanguage: write every word in the image in X ({code}).");
        let p = picture(&prompt, 1);
        assert_eq!(transcript(&p), format!("{title}\n{heading}\n58 %"));
        keep(&format!("language-{code}"), &render(&p).expect("png"));
    }
    for code in ["ja", "ar", "fa", "hi", "he", "ko", "zh-Hans"] {
        assert!(!can_draw(code), "{code}");
    }
    let prompt = "Title: Bees\nKey sections:\n- Scouts: fly 6 km\n\nFormat: x\nLanguage: write every word in the image in Japanese (ja).";
    let p = picture(prompt, 1);
    assert_eq!(transcript(&p), "The offline demo cannot draw Japanese text");
    assert_eq!(drawn_text(prompt, true), "The offline demo cannot draw Japanese text", "nothing to misspell");
    let png = render(&p).expect("png");
    keep("language-ja", &png);
    let img = ::image::load_from_memory(&png).expect("png").to_rgb8();
    let ink = img.pixels().filter(|p| p.0[0] < 80 && p.0[2] < 100).count();
    assert!(ink > 300, "the note is drawn: {ink}");
}

/// A running emulator on its own listener, with a short delay.
pub(super) async fn serve() -> (Emulator, String) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let emu = Emulator::new(base.clone(), base.clone(), "k".into(), Duration::from_millis(40), reqwest::Client::new());
    let router = emu.router();
    tokio::spawn(async move { axum::serve(listener, router).await });
    (emu, base)
}

pub(super) async fn submit(base: &str, path: &str, body: serde_json::Value) -> serde_json::Value {
    let r = reqwest::Client::new().post(format!("{base}/queue/{path}")).header("Authorization", "Key k").json(&body).send().await.expect("submit");
    assert_eq!(r.status(), 200);
    r.json().await.expect("json")
}

/// The job's final status and result, waiting at most a few seconds.
pub(super) async fn finished(submitted: &serde_json::Value) -> (serde_json::Value, serde_json::Value) {
    let http = reqwest::Client::new();
    let get = |url: &str| http.get(url).header("Authorization", "Key k").send();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let status: serde_json::Value = get(submitted["status_url"].as_str().expect("status")).await.expect("status").json().await.expect("json");
        if status["status"] == "COMPLETED" {
            let result = get(submitted["response_url"].as_str().expect("result")).await.expect("result").json().await.expect("json");
            return (status, result);
        }
        assert!(Instant::now() < deadline, "{status}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_read_back_goes_through_the_queue_and_a_fix_reads_clean() {
    let (_emu, base) = serve().await;
    let drawn = finished(&submit(&base, "fal-ai/nano-banana-pro", serde_json::json!({"prompt": OUTLINE, "aspect_ratio": "16:9"})).await).await.1;
    let url = drawn["images"][0]["url"].as_str().expect("url").to_string();
    let read = |urls: Vec<String>| serde_json::json!({"prompt": "Transcribe", "model": "google/gemini-2.5-flash", "image_urls": urls});
    let (_, result) = finished(&submit(&base, "openrouter/router/vision", read(vec![url.clone()])).await).await;
    assert_eq!(result["output"], drawn_text(OUTLINE, true), "{result}");
    assert_eq!((result["partial"].clone(), result["error"].clone()), (serde_json::json!(false), serde_json::Value::Null));

    let fix = "Change this infographic: Change \"Polination basics\" to \"Pollination basics\".\nChange \"68 %\" to \"58 %\".\nKeep everything else exactly as it is.\nOriginal title: Pollination facts";
    let fixed = finished(&submit(&base, "fal-ai/nano-banana-pro/edit", serde_json::json!({"prompt": fix, "image_urls": [url], "aspect_ratio": "16:9"})).await).await.1;
    let fixed_url = fixed["images"][0]["url"].as_str().expect("url").to_string();
    let (_, result) = finished(&submit(&base, "openrouter/router/vision", read(vec![fixed_url.clone()])).await).await;
    assert_eq!(result["output"], OUTLINE_TEXT, "{result}");
    // The PNG itself says what it shows, whatever URL it is served from.
    let png = reqwest::get(&fixed_url).await.expect("png").bytes().await.expect("bytes");
    assert_eq!(Picture::from_png(&png).map(|p| transcript(&p)).as_deref(), Some(OUTLINE_TEXT));

    let (status, result) = finished(&submit(&base, "openrouter/router/vision", read(vec![format!("{base}/nothing.png")])).await).await;
    assert!(status["error"].is_string() && result["detail"][0]["msg"].as_str().is_some_and(|m| m.contains("could not read the image")), "{result}");
    let r = reqwest::Client::new().post(format!("{base}/queue/openrouter/router/vision")).header("Authorization", "Key k").json(&serde_json::json!({"prompt": "x", "image_urls": ["u"]})).send().await.expect("post");
    assert_eq!(r.status(), 422, "a model is required");
}

#[tokio::test]
async fn a_picture_marked_noreadback_is_never_read_back() {
    let (emu, base) = serve().await;
    let drawn = finished(&submit(&base, "fal-ai/nano-banana-pro", serde_json::json!({"prompt": "Title: Bees [emulator:noreadback]"})).await).await.1;
    let url = drawn["images"][0]["url"].as_str().expect("url");
    let submitted = submit(&base, "openrouter/router/vision", serde_json::json!({"prompt": "Transcribe", "model": "m", "image_urls": [url]})).await;
    let id = submitted["request_id"].as_str().expect("id");
    // As if a minute had passed: far beyond its duration.
    if let Some(job) = emu.0.jobs.lock().expect("jobs").get_mut(id) {
        job.started = Instant::now().checked_sub(Duration::from_secs(60)).expect("a minute ago");
    }
    let http = reqwest::Client::new();
    let status: serde_json::Value = http.get(submitted["status_url"].as_str().expect("url")).header("Authorization", "Key k").send().await.expect("status").json().await.expect("json");
    assert_eq!(status["status"], "IN_PROGRESS", "{status}");
    let result = http.get(submitted["response_url"].as_str().expect("url")).header("Authorization", "Key k").send().await.expect("result");
    assert_eq!(result.status(), 400, "no result, ever");
}

#[tokio::test]
async fn layerize_text_gives_the_words_as_drawn_over_the_picture_without_them() {
    let (_emu, base) = serve().await;
    let drawn = finished(&submit(&base, "fal-ai/nano-banana-pro", serde_json::json!({"prompt": OUTLINE, "aspect_ratio": "16:9", "resolution": "2K"})).await).await.1;
    let url = drawn["images"][0]["url"].as_str().expect("url").to_string();
    let submitted = submit(&base, "fal-ai/ideogram/v3/layerize-text", serde_json::json!({"image_url": url})).await;
    assert!(submitted["status_url"].as_str().is_some_and(|u| u.contains("/queue/fal-ai/ideogram/requests/")), "{submitted}");
    let (_, output) = finished(&submitted).await;
    let (width, height) = (drawn["images"][0]["width"].as_u64().expect("w") as u32, drawn["images"][0]["height"].as_u64().expect("h") as u32);
    assert_eq!((output["image"]["width"].as_u64(), output["image"]["height"].as_u64()), (Some(u64::from(width)), Some(u64::from(height))));
    assert!(output["text_html"].as_str().is_some_and(|h| h.contains("Polination basics")), "the typo is in the words as drawn");

    let layered = crate::server::layers::layerize::parse_output(&output, width, height).expect("parsed");
    let read_back = transcription_of_url(&url).expect("ours");
    assert_eq!(layered.boxes.iter().map(|b| b.text.as_str()).collect::<Vec<_>>(), read_back.lines().collect::<Vec<_>>());
    let checked = crate::model::layers::TextEditRequest { boxes: layered.boxes.clone() }.validate(width, height);
    assert!(checked.is_ok(), "every box lies within the picture: {checked:?}");
    let title = &layered.boxes[0];
    assert_eq!((title.role, title.font.as_str(), title.align), (crate::model::layers::Role::Title, "sans-bold", crate::model::layers::Align::Center));

    // The background is the same picture without its words: it differs only inside the boxes.
    assert_eq!(transcription_of_url(&layered.background_url).as_deref(), Some(""));
    let http = reqwest::Client::new();
    let fetch = |u: String| {
        let request = http.get(u);
        async move { request.send().await.expect("get").bytes().await.expect("bytes") }
    };
    let background_png = fetch(layered.background_url.clone()).await;
    keep("layerize-background", &background_png);
    let background = ::image::load_from_memory(&background_png).expect("png").to_rgb8();
    let picture = ::image::load_from_memory(&fetch(url.clone()).await).expect("png").to_rgb8();
    assert_eq!(picture.dimensions(), background.dimensions());
    let slack = 2.0;
    let inside = |x: u32, y: u32| {
        let (x, y) = (f64::from(x), f64::from(y));
        layered.boxes.iter().any(|b| x >= b.x - slack && x < b.x + b.w + slack && y >= b.y - slack && y < b.y + b.h + slack)
    };
    let changed: Vec<(u32, u32)> = picture.enumerate_pixels().filter(|&(x, y, p)| background.get_pixel(x, y) != p).map(|(x, y, _)| (x, y)).collect();
    assert!(changed.len() > 1000, "the words are gone: {}", changed.len());
    let outside: Vec<&(u32, u32)> = changed.iter().filter(|&&(x, y)| !inside(x, y)).collect();
    assert!(outside.is_empty(), "{} changed pixels outside every box, e.g. {:?}", outside.len(), outside.first());

    let listed: serde_json::Value = http.get(format!("{base}/_emulator/submissions")).header("Authorization", "Key k").send().await.expect("list").json().await.expect("json");
    let ours = listed["submissions"].as_array().expect("list").iter().find(|s| s["request_id"] == submitted["request_id"]).expect("listed").clone();
    assert_eq!((ours["endpoint"].as_str(), ours["model"].as_str()), (Some("fal-ai/ideogram/v3/layerize-text"), Some("fal-ai/ideogram")));
}

#[tokio::test]
async fn layerize_text_of_a_picture_the_emulator_did_not_draw_fails() {
    let (_emu, base) = serve().await;
    let (status, result) = finished(&submit(&base, "fal-ai/ideogram/v3/layerize-text", serde_json::json!({"image_url": format!("{base}/photo.png")})).await).await;
    assert!(status["error"].is_string(), "{status}");
    assert_eq!(result["detail"][0]["loc"], serde_json::json!(["body", "image_url"]), "{result}");
    let r = reqwest::Client::new().post(format!("{base}/queue/fal-ai/ideogram/v3/layerize-text")).header("Authorization", "Key k").json(&serde_json::json!({"prompt": "x"})).send().await.expect("post");
    assert_eq!(r.status(), 422, "an image_url is required");
}
