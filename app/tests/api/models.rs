//! Choosing the model: the catalogue as the API lists it, a create drawn and priced by the model
//! it names (what reached the emulator checked per model), refusals that name `model` and charge
//! nothing, regenerate and refine with a model, and "make this the final".

use crate::helpers::*;
use serde_json::{json, Value};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(30);

/// What the emulator was asked for `job`: its endpoint and input.
async fn submitted(app: &TestApp, job: &str) -> Value {
    let url = format!("{}/fal-emulator/_emulator/submissions", app.base);
    let list = app.running.state.fal.result(&url).await.expect("submissions");
    list["submissions"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|s| s["webhook"].as_str().is_some_and(|w| w.ends_with(&format!("/webhook/{job}/"))))
        .cloned()
        .unwrap_or_else(|| panic!("{job} was never submitted: {list}"))
}

fn first_id(created: &Value) -> String {
    created["infographs"][0]["id"].as_str().expect("id").to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_catalogue_is_listed_with_prices_per_size() {
    let app = TestApp::spawn().await;
    let r = app.http.get(app.url("/api/models/")).send().await.expect("models");
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.expect("json");
    assert_eq!((body["default"].as_str(), body["draft"].as_str(), body["final"].as_str()), (Some("nano-banana-pro"), Some("nano-banana-2"), Some("nano-banana-pro")));
    let models = body["models"].as_array().expect("models");
    for model in models {
        for field in ["id", "name", "endpoint", "edit_endpoint", "vector", "credits", "aspect_ratios", "max_images"] {
            assert!(model.get(field).is_some(), "{field} missing from {model}");
        }
    }
    let by_id = |id: &str| models.iter().find(|m| m["id"] == id).cloned().expect(id);
    assert_eq!(by_id("nano-banana-pro")["credits"], json!({"1K": 1, "2K": 1, "4K": 2}));
    assert_eq!(by_id("seedream-4.5")["credits"], json!({"2K": 1, "4K": 1}), "sizes a model does not offer are absent");
    let vector = by_id("recraft-v4.1-vector");
    assert_eq!((vector["vector"].as_bool(), vector["edit_endpoint"].is_null()), (Some(true), true));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_create_is_drawn_and_priced_by_the_model_it_names() {
    let app = TestApp::spawn().await;
    let token = app.register("models@example.com").await;
    let (status, created) = app.create(&token, json!({"prompt": "Coffee in numbers", "model": "ideogram-v3", "aspect_ratio": "16:9", "number_of_infographs": 2})).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["credits_used"], 2);
    let id = first_id(&created);
    let done = app.wait_final(&token, &id, WAIT).await;
    assert_eq!((done["status"].as_str(), done["model"].as_str()), (Some("completed"), Some("ideogram-v3")), "{done}");
    let asked = submitted(&app, &id).await;
    assert_eq!(asked["endpoint"], "fal-ai/ideogram/v3");
    assert_eq!(asked["input"]["image_size"], "landscape_16_9");
    assert!(asked["input"].get("aspect_ratio").is_none(), "{asked}");

    // Seedream at 4K: its own size table, its own price.
    let (status, created) = app.create(&token, json!({"prompt": "Tea in numbers", "model": "seedream-4.5", "aspect_ratio": "9:16", "resolution": "4K"})).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["credits_used"], 1);
    let id = first_id(&created);
    app.wait_final(&token, &id, WAIT).await;
    assert_eq!(submitted(&app, &id).await["input"]["image_size"], json!({"width": 2160, "height": 3840}));
    // No model named: the default, as before there was a choice.
    let (_, created) = app.create(&token, json!({"prompt": "Water in numbers"})).await;
    let id = first_id(&created);
    let done = app.wait_final(&token, &id, WAIT).await;
    assert_eq!(done["model"], "nano-banana-pro");
    assert_eq!(submitted(&app, &id).await["endpoint"], "fal-ai/nano-banana-pro");
    assert_eq!(app.balance(&token).await, 10 - 2 - 1 - 1);
    app.assert_ledger_matches("models@example.com", &token).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_model_that_cannot_honour_the_choice_is_a_400_naming_model_and_charges_nothing() {
    let app = TestApp::spawn().await;
    let token = app.register("refuse@example.com").await;
    for (body, says) in [
        (json!({"prompt": "x", "model": "no-such-model"}), "There is no model \"no-such-model\""),
        (json!({"prompt": "x", "model": "ideogram-v3", "aspect_ratio": "21:9"}), "does not draw 21:9"),
        (json!({"prompt": "x", "model": "seedream-4.5", "resolution": "1K"}), "does not draw at 1K"),
        (json!({"prompt": "x", "model": "recraft-v3", "number_of_infographs": 3}), "at most 1 image"),
        (json!({"prompt": "x", "model": "bad id!"}), "one of the ids"),
    ] {
        let (status, answer) = app.create(&token, body.clone()).await;
        assert_eq!(status, 400, "{body}: {answer}");
        let message = answer["fields"]["model"].as_str().unwrap_or_else(|| panic!("no model field in {answer}"));
        assert!(message.contains(says), "{body}: {message}");
    }
    assert_eq!(app.balance(&token).await, 10);
    assert_eq!(app.count("SELECT COUNT(*) FROM infographs WHERE user_id = $1", &app.user_id("refuse@example.com").await).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_failed_picture_is_refunded_its_models_price() {
    let app = TestApp::spawn().await;
    let token = app.register("refund@example.com").await;
    let (status, created) = app.create(&token, json!({"prompt": "[emulator:fail] x", "model": "nano-banana-2", "resolution": "4K"})).await;
    assert_eq!((status, created["credits_used"].as_i64()), (201, Some(2)), "{created}");
    let done = app.wait_final(&token, &first_id(&created), WAIT).await;
    assert_eq!((done["status"].as_str(), done["refunded"].as_bool()), (Some("failed"), Some(true)), "{done}");
    assert_eq!(app.balance(&token).await, 10);
    app.assert_ledger_matches("refund@example.com", &token).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_draft_is_made_the_final_with_the_final_model_and_the_same_settings() {
    let app = TestApp::spawn().await;
    let token = app.register("final@example.com").await;
    let (_, created) = app.create(&token, json!({"prompt": "Bees in numbers", "model": "nano-banana-2", "aspect_ratio": "4:5", "resolution": "2K", "style": "isometric"})).await;
    let draft = first_id(&created);
    app.wait_final(&token, &draft, WAIT).await;

    // Regenerate keeps the model.
    let (status, again) = app.post_json(Some(&token), &format!("/api/infographs/{draft}/regenerate/"), "".into()).await;
    assert_eq!(status, 201, "{again}");
    assert_eq!(app.wait_final(&token, &first_id(&again), WAIT).await["model"], "nano-banana-2");

    let (status, finalized) = app.post_json(Some(&token), &format!("/api/infographs/{draft}/finalize/"), "".into()).await;
    assert_eq!(status, 201, "{finalized}");
    let final_id = first_id(&finalized);
    let done = app.wait_final(&token, &final_id, WAIT).await;
    assert_eq!(done["model"], "nano-banana-pro");
    assert_eq!((done["aspect_ratio"].as_str(), done["resolution"].as_str(), done["style"].as_str()), (Some("4:5"), Some("2K"), Some("isometric")));
    assert_eq!(done["prompt"], "Bees in numbers");
    let asked = submitted(&app, &final_id).await;
    assert_eq!((asked["endpoint"].as_str(), asked["input"]["aspect_ratio"].as_str()), (Some("fal-ai/nano-banana-pro"), Some("4:5")));
    // The final is final: finalizing it again is a conflict that charges nothing.
    let before = app.balance(&token).await;
    let (status, answer) = app.post_json(Some(&token), &format!("/api/infographs/{final_id}/finalize/"), "".into()).await;
    assert_eq!(status, 409, "{answer}");
    assert_eq!(app.balance(&token).await, before);
    // Someone else's draft is not found.
    let other = app.register("other@example.com").await;
    let (status, _) = app.post_json(Some(&other), &format!("/api/infographs/{draft}/finalize/"), "".into()).await;
    assert_eq!(status, 404);
    // Regenerate with another model, at its price.
    let (status, redrawn) = app.post_json(Some(&token), &format!("/api/infographs/{draft}/regenerate/"), json!({"model": "ideogram-v3"}).to_string().into()).await;
    assert_eq!(status, 400, "ideogram does not draw 2K: {redrawn}");
    assert!(redrawn["fields"]["model"].as_str().expect("model").contains("does not draw"));
    app.assert_ledger_matches("final@example.com", &token).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn refine_goes_to_the_models_edit_endpoint_or_says_which_models_can() {
    let app = TestApp::spawn().await;
    let token = app.register("refine-model@example.com").await;
    let (_, created) = app.create(&token, json!({"prompt": "Owls", "model": "recraft-v3", "aspect_ratio": "1:1"})).await;
    let source = first_id(&created);
    app.wait_final(&token, &source, WAIT).await;
    let (status, refined) = app.post_json(Some(&token), &format!("/api/infographs/{source}/refine/"), json!({"instruction": "Bigger title"}).to_string().into()).await;
    assert_eq!(status, 201, "{refined}");
    let id = first_id(&refined);
    app.wait_final(&token, &id, WAIT).await;
    let asked = submitted(&app, &id).await;
    assert_eq!(asked["endpoint"], "fal-ai/recraft/v3/image-to-image");
    assert!(asked["input"]["image_url"].is_string(), "{asked}");

    // A model without an edit endpoint: refused with the models that can, until one is chosen.
    let (_, created) = app.create(&token, json!({"prompt": "Owls as vectors", "model": "recraft-v4.1-vector", "aspect_ratio": "1:1"})).await;
    let vector = first_id(&created);
    app.wait_final(&token, &vector, WAIT).await;
    let before = app.balance(&token).await;
    let (status, answer) = app.post_json(Some(&token), &format!("/api/infographs/{vector}/refine/"), json!({"instruction": "Bigger title"}).to_string().into()).await;
    assert_eq!(status, 400, "{answer}");
    let message = answer["fields"]["model"].as_str().expect("model");
    assert!(message.contains("cannot refine") && message.contains("nano-banana-pro (1)"), "{message}");
    assert_eq!(app.balance(&token).await, before);
    let (status, refined) = app
        .post_json(Some(&token), &format!("/api/infographs/{vector}/refine/"), json!({"instruction": "Bigger title", "model": "nano-banana-pro"}).to_string().into())
        .await;
    assert_eq!(status, 201, "{refined}");
    let id = first_id(&refined);
    let done = app.wait_final(&token, &id, WAIT).await;
    assert_eq!(done["model"], "nano-banana-pro");
    assert_eq!(submitted(&app, &id).await["endpoint"], "fal-ai/nano-banana-pro/edit");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_refinement_by_a_model_that_cannot_draw_the_pictures_ratio_is_refused_before_charging() {
    let app = TestApp::spawn().await;
    let token = app.register("refine-ratio@example.com").await;
    let (_, created) = app.create(&token, json!({"prompt": "Tides", "aspect_ratio": "21:9"})).await;
    let source = first_id(&created);
    app.wait_final(&token, &source, WAIT).await;
    let before = app.balance(&token).await;
    let (status, answer) = app
        .post_json(Some(&token), &format!("/api/infographs/{source}/refine/"), json!({"instruction": "Bigger title", "model": "ideogram-v3"}).to_string().into())
        .await;
    assert_eq!(status, 400, "{answer}");
    let message = answer["fields"]["model"].as_str().expect("model");
    assert!(message.contains("does not draw 21:9") && message.contains("nano-banana-pro (1)") && !message.contains("ideogram-v3 ("), "{message}");
    assert_eq!(app.balance(&token).await, before);
}
