//! The model choice as the pages use it: the list through `list_models`, a create through the
//! form's server function priced by the model it names (and refused beside `model`, uncharged),
//! and "Make this the final" through `finalize_infograph`.

use crate::helpers::*;
use app::errors::AppError;
use serde_json::Value;

/// A server function called as the page's own script does (same origin, signed in).
async fn call(app: &TestApp, cookie: &str, endpoint: &str, fields: &[(&str, &str)]) -> (u16, String) {
    let r = app
        .http
        .post(app.url(&format!("/sfn/{endpoint}")))
        .header("cookie", cookie)
        .header("origin", &app.base)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form(fields))
        .send()
        .await
        .expect("server function");
    (r.status().as_u16(), r.text().await.expect("body"))
}

fn json_of(body: &str) -> Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"))
}

fn first_id(created: &Value) -> String {
    created["infographs"][0]["id"].as_str().unwrap_or_else(|| panic!("no id in {created}")).to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_form_lists_the_models_and_a_create_is_charged_the_models_price() {
    let app = TestApp::spawn().await;
    let token = app.register("form-models@example.com").await;
    let cookie = sign_in_cookie(&app, "form-models@example.com").await;

    let (status, body) = call(&app, &cookie, "list_models", &[]).await;
    assert_eq!(status, 200, "{body}");
    let list = json_of(&body);
    assert_eq!((list["draft"].as_str(), list["final"].as_str()), (Some("nano-banana-2"), Some("nano-banana-pro")), "{list}");
    assert!(list["models"].as_array().is_some_and(|m| m.iter().any(|m| m["id"] == "seedream-4.5")), "{list}");

    // Two images at 4K: Seedream's price is 1 a picture there, the default model's 2.
    let fields = [("prompt", "Rivers in numbers"), ("resolution", "4K"), ("number_of_infographs", "2"), ("model", "seedream-4.5")];
    let (status, body) = call(&app, &cookie, "create_infographs", &fields).await;
    assert_eq!(status, 200, "{body}");
    let created = json_of(&body);
    assert_eq!(created["credits_used"], 2, "{created}");
    let done = app.wait_final(&token, &first_id(&created), WAIT).await;
    assert_eq!((done["status"].as_str(), done["model"].as_str()), (Some("completed"), Some("seedream-4.5")), "{done}");
    assert_eq!(app.balance(&token).await, 8);

    // The same at 4K with the default model costs its own price.
    let (status, body) = call(&app, &cookie, "create_infographs", &[("prompt", "Lakes in numbers"), ("resolution", "4K"), ("model", "nano-banana-pro")]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(json_of(&body)["credits_used"], 2);
    assert_eq!(app.balance(&token).await, 6);

    // A size the model does not draw: refused beside `model`, in the sentence the form shows, and
    // nothing charged.
    let (status, body) = call(&app, &cookie, "create_infographs", &[("prompt", "Seas in numbers"), ("resolution", "4K"), ("model", "ideogram-v3")]).await;
    assert_eq!(status, 400, "{body}");
    let error: AppError = serde_json::from_str(&body).unwrap_or_else(|e| panic!("{e}: {body}"));
    assert_eq!(error.field("model").as_deref(), Some("Ideogram 3 (typography) does not draw at 4K; it offers 1K."), "{body}");
    assert_eq!(app.balance(&token).await, 6);
    app.assert_ledger_matches("form-models@example.com", &token).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn make_this_the_final_through_the_server_function() {
    let app = TestApp::spawn().await;
    let token = app.register("finalize@example.com").await;
    let cookie = sign_in_cookie(&app, "finalize@example.com").await;
    let (status, body) = call(&app, &cookie, "create_infographs", &[("prompt", "Bridges in numbers"), ("model", "nano-banana-2")]).await;
    assert_eq!(status, 200, "{body}");
    let draft = first_id(&json_of(&body));
    app.wait_final(&token, &draft, WAIT).await;

    // Twice with one key (a double press): one final, charged once.
    let key = "finalize-key-1";
    let (status, body) = call(&app, &cookie, "finalize_infograph", &[("id", &draft), ("idempotency_key", key)]).await;
    assert_eq!(status, 200, "{body}");
    let created = json_of(&body);
    assert_eq!(created["credits_used"], 1, "{created}");
    let final_id = first_id(&created);
    let (status, again) = call(&app, &cookie, "finalize_infograph", &[("id", &draft), ("idempotency_key", key)]).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(first_id(&json_of(&again)), final_id, "the same final, not a second one");

    let done = app.wait_final(&token, &final_id, WAIT).await;
    assert_eq!((done["status"].as_str(), done["model"].as_str()), (Some("completed"), Some("nano-banana-pro")), "{done}");
    assert_eq!(app.balance(&token).await, 10 - 1 - 1);

    // The final itself is already the final model's: refused, nothing charged.
    let (status, body) = call(&app, &cookie, "finalize_infograph", &[("id", &final_id)]).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(app.balance(&token).await, 8);
    // Someone else's picture is not found.
    app.register("other@example.com").await;
    let other = sign_in_cookie(&app, "other@example.com").await;
    let (status, _) = call(&app, &other, "finalize_infograph", &[("id", &draft)]).await;
    assert_eq!(status, 404);
    app.assert_ledger_matches("finalize@example.com", &token).await;
}
