use super::input::{for_model, Draw};
use super::*;
use serde_json::json;

fn built_in() -> Catalogue {
    Catalogue::built_in().expect("the built-in catalogue is valid")
}

fn draw(aspect: &str, resolution: &str, image: Option<&str>) -> Draw<'static> {
    static COLORS: [String; 0] = [];
    Draw { prompt: "A brief".into(), aspect: aspect.parse().expect("ratio"), resolution: resolution.parse().expect("size"), colors: &COLORS, image: image.map(str::to_string) }
}

#[test]
fn the_built_in_catalogue_lists_every_model_with_its_prices() {
    let list = built_in().list().clone();
    assert_eq!((list.default.as_str(), list.draft.as_str(), list.final_model.as_str()), ("nano-banana-pro", "nano-banana-2", "nano-banana-pro"));
    let ids: Vec<&str> = list.models.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(ids, ["nano-banana-pro", "nano-banana-2", "ideogram-v3", "recraft-v3", "recraft-v4.1-vector", "seedream-4.5"]);
    let pro = list.get("nano-banana-pro").expect("pro");
    assert_eq!(pro.credits, [("1K".to_string(), 1), ("2K".to_string(), 1), ("4K".to_string(), 2)].into_iter().collect());
    assert_eq!(pro.edit_endpoint.as_deref(), Some("fal-ai/nano-banana-pro/edit"));
    let vector = list.get("recraft-v4.1-vector").expect("vector");
    assert!(vector.vector && vector.edit_endpoint.is_none() && !vector.places_logo);
    assert_eq!(list.get("seedream-4.5").expect("seedream").credits.keys().collect::<Vec<_>>(), ["2K", "4K"]);
    // The JSON the API answers names the final model `final`.
    let value = serde_json::to_value(&list).expect("json");
    assert_eq!(value["final"], "nano-banana-pro");
}

fn refused(text: &str) -> String {
    Catalogue::parse(text, "test.json").expect_err("refused").to_string()
}

fn one_model(patch: serde_json::Value) -> String {
    let mut model = json!({
        "id": "m", "name": "M", "endpoint": "fal-ai/m", "credits": {"1K": 1}, "aspect_ratios": ["1:1"],
        "max_images": 1, "size": "aspect_ratio", "colors": "brief", "logo": "none", "brief_max_chars": 1000
    });
    for (k, v) in patch.as_object().expect("object") {
        model[k] = v.clone();
    }
    json!({"default": "m", "draft": "m", "final": "m", "models": [model]}).to_string()
}

#[test]
fn a_catalogue_that_cannot_be_served_is_refused_naming_the_model_and_field() {
    assert!(Catalogue::parse(&one_model(json!({})), "test.json").is_ok());
    for (patch, says) in [
        (json!({"credits": {"3K": 1}}), "\"credits\" has \"3K\""),
        (json!({"credits": {"1K": 0}}), "at least 1"),
        (json!({"credits": {}}), "offers no size"),
        (json!({"aspect_ratios": ["7:5"]}), "\"aspect_ratios\" has \"7:5\""),
        (json!({"endpoint": "no-slash"}), "\"endpoint\""),
        (json!({"edit_endpoint": "fal-ai/m/edit"}), "edit_image_field"),
        (json!({"max_images": 9}), "max_images"),
        (json!({"logo": "edit"}), "there is no \"edit_endpoint\""),
        (json!({"size": "image_size"}), "\"image_sizes\" has no 1K size for 1:1"),
        (json!({"colors": "rainbow"}), "unknown variant"),
        (json!({"surprise": true}), "unknown field"),
    ] {
        let message = refused(&one_model(patch.clone()));
        assert!(message.contains("test.json") && message.contains(says), "{patch}: {message}");
    }
    let wrong_role = one_model(json!({})).replace("\"final\":\"m\"", "\"final\":\"x\"");
    assert!(refused(&wrong_role).contains("\"final\" names \"x\""));
    assert!(refused("{").contains("is not a valid catalogue"));
}

#[test]
fn each_model_gets_its_own_inputs() {
    let catalogue = built_in();
    let get = |id: &str| catalogue.get(id).expect(id);
    let (endpoint, input) = for_model(get("nano-banana-pro"), &draw("16:9", "2K", None)).expect("pro");
    assert_eq!(endpoint, "fal-ai/nano-banana-pro");
    assert_eq!(input, json!({"prompt": "A brief", "num_images": 1, "aspect_ratio": "16:9", "resolution": "2K", "output_format": "png"}));
    let (endpoint, input) = for_model(get("nano-banana-pro"), &draw("16:9", "2K", Some("https://x/logo.png"))).expect("pro edit");
    assert_eq!((endpoint.as_str(), &input["image_urls"]), ("fal-ai/nano-banana-pro/edit", &json!(["https://x/logo.png"])));

    let colors = ["#ff0000".to_string(), "#00FF80".to_string(), "not a colour".to_string()];
    let ideogram = Draw { colors: &colors, ..draw("16:9", "1K", None) };
    let (endpoint, input) = for_model(get("ideogram-v3"), &ideogram).expect("ideogram");
    assert_eq!(endpoint, "fal-ai/ideogram/v3");
    assert_eq!(input["image_size"], "landscape_16_9");
    assert!(input.get("aspect_ratio").is_none() && input.get("resolution").is_none());
    assert_eq!(input["rendering_speed"], "BALANCED");
    assert_eq!(input["color_palette"]["members"], json!([
        {"rgb": {"r": 255, "g": 0, "b": 0}, "color_weight": 1.0},
        {"rgb": {"r": 0, "g": 255, "b": 128}, "color_weight": 0.8},
    ]));
    let (endpoint, input) = for_model(get("ideogram-v3"), &draw("2:3", "1K", Some("https://x/src.png"))).expect("remix");
    assert_eq!((endpoint.as_str(), &input["image_url"], &input["strength"]), ("fal-ai/ideogram/v3/remix", &json!("https://x/src.png"), &json!(0.6)));
    assert_eq!(input["image_size"], json!({"width": 768, "height": 1152}));

    let recraft = Draw { colors: &colors, ..draw("1:1", "1K", None) };
    let (endpoint, input) = for_model(get("recraft-v4.1-vector"), &recraft).expect("vector");
    assert_eq!(endpoint, "fal-ai/recraft/v4.1/text-to-vector");
    assert_eq!(input["colors"], json!([{"r": 255, "g": 0, "b": 0}, {"r": 0, "g": 255, "b": 128}]));
    assert!(input.get("num_images").is_none() && input.get("output_format").is_none());
    assert!(for_model(get("recraft-v4.1-vector"), &draw("1:1", "1K", Some("https://x/s.png"))).is_err(), "no edit endpoint");

    let (endpoint, input) = for_model(get("seedream-4.5"), &draw("9:16", "4K", None)).expect("seedream");
    assert_eq!(endpoint, "fal-ai/bytedance/seedream/v4.5/text-to-image");
    assert_eq!(input["image_size"], json!({"width": 2160, "height": 3840}));
}

#[test]
fn what_a_model_cannot_draw_is_said_in_a_sentence() {
    let catalogue = built_in();
    let refusal = |id: &str, ratio: &str, size: &str, count: u32, logo: bool| {
        catalogue.get(id).expect(id).refusal(ratio.parse().expect("ratio"), size.parse().expect("size"), count, logo)
    };
    assert_eq!(refusal("nano-banana-pro", "21:9", "4K", 4, true), None);
    assert!(refusal("ideogram-v3", "21:9", "1K", 1, false).expect("ratio").contains("does not draw 21:9"));
    assert!(refusal("seedream-4.5", "1:1", "1K", 1, false).expect("size").contains("does not draw at 1K; it offers 2K, 4K"));
    assert!(refusal("recraft-v3", "1:1", "1K", 2, false).expect("count").contains("at most 1 image at a time"));
    assert!(refusal("ideogram-v3", "1:1", "1K", 1, true).expect("logo").contains("cannot place a logo"));
}

#[test]
fn jobs_from_before_the_choice_are_the_legacy_models() {
    let catalogue = built_in();
    assert_eq!(catalogue.of_job(None).id, LEGACY_MODEL);
    assert_eq!(catalogue.of_job(Some("gone-model")).id, LEGACY_MODEL);
    assert_eq!(catalogue.of_job(Some("ideogram-v3")).id, "ideogram-v3");
    let moved = built_in().with_default_endpoint("fal-ai/other");
    assert_eq!(moved.default_model().endpoint, "fal-ai/other");
    assert_eq!(moved.list().get("nano-banana-pro").expect("pro").edit_endpoint.as_deref(), Some("fal-ai/other/edit"));
}
