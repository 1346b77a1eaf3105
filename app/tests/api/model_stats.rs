//! The admin dashboard's figures per model: jobs drawn with different models (some failing, one
//! from before the choice of model, one with a model the catalogue no longer has, one cancelled,
//! one older than the recent period), a layered version and a text edit; the server function's
//! counts, failures, mean times and list-price costs, the page's section, and a 404 to
//! non-admins.

use crate::helpers::*;
use app::model::admin::{ModelFigures, ModelStats, ModelStatsRow, MODEL_STATS_DAYS};
use app::server::platform::db::now_ms;
use serde_json::{json, Value};

const DAY_MS: i64 = 86_400_000;

fn ids(created: &Value) -> Vec<String> {
    created["infographs"].as_array().expect("infographs").iter().map(|j| j["id"].as_str().expect("id").to_string()).collect()
}

async fn create(app: &TestApp, token: &str, body: Value) -> Vec<String> {
    let (status, created) = app.create(token, body).await;
    assert_eq!(status, 201, "{created}");
    ids(&created)
}

async fn wait_status(app: &TestApp, token: &str, id: &str, expected: &str) {
    let done = app.wait_final(token, id, WAIT).await;
    assert_eq!(done["status"], expected, "{done}");
}

/// Runs a statement binding `id` after the `extra` value, on the writer.
async fn update(app: &TestApp, sql: &str, extra: Option<i64>, id: &str) {
    let db = app.running.state.db.write().await;
    let query = sqlx::query(sql);
    let query = match extra {
        Some(value) => query.bind(value),
        None => query,
    };
    query.bind(id).execute(db.pool()).await.expect(sql);
}


/// The mean submission → completion of completed jobs, read from the rows themselves.
async fn mean_ms(app: &TestApp, ids: &[&str]) -> i64 {
    let mut total = 0;
    for id in ids {
        let ms: i64 = sqlx::query_scalar("SELECT completed_at - submitted_at FROM infographs WHERE id = $1")
            .bind(id)
            .fetch_one(app.running.state.db.read())
            .await
            .expect("duration");
        total += ms;
    }
    (total as f64 / ids.len() as f64).round() as i64
}

async fn call(app: &TestApp, cookie: Option<&str>, origin: &str) -> reqwest::Response {
    let mut request = app.http.post(app.url("/sfn/admin_model_stats")).header("origin", origin);
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    request.send().await.expect("sfn")
}

fn row<'a>(stats: &'a ModelStats, id: &str) -> &'a ModelStatsRow {
    stats.models.iter().find(|r| r.id == id).unwrap_or_else(|| panic!("no row {id}: {stats:#?}"))
}

/// Jobs, completed, failed, and the cost in cents (list prices are whole cents).
fn counts(f: &ModelFigures) -> (i64, i64, i64, i64, i64) {
    (f.jobs, f.completed, f.failed, (f.usd * 100.0).round() as i64, f.unpriced)
}

fn outline() -> Value {
    json!({
        "title": "Urban bees by the numbers",
        "layout": "list",
        "sections": [{"heading": "City hives", "line": "Rooftop hives grew fast in ten years.", "figure": "1200 hives"}]
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_dashboard_counts_jobs_failures_time_and_cost_per_model() {
    let app = TestApp::spawn().await;
    let state = &app.running.state;
    let token = app.register("customer@example.com").await;
    let boss = app::server::accounts::users::register(&state.db, "boss@example.com", PASSWORD, 0, true).await.expect("admin");
    let customer = app.user_id("customer@example.com").await;
    app::server::admin::adjust_credits(state, &boss, &customer, 10).await.expect("grant");

    let ideogram = create(&app, &token, json!({"prompt": "Coffee in numbers", "model": "ideogram-v3", "aspect_ratio": "16:9", "number_of_infographs": 2})).await;
    let ideogram_failed = create(&app, &token, json!({"prompt": "[emulator:fail] Tea", "model": "ideogram-v3"})).await;
    let seedream = create(&app, &token, json!({"prompt": "Rain in numbers", "model": "seedream-4.5", "resolution": "4K"})).await;
    let draft_failed = create(&app, &token, json!({"prompt": "[emulator:fail] Snow", "model": "nano-banana-2", "resolution": "4K"})).await;
    let legacy = create(&app, &token, json!({"prompt": "Wind in numbers", "model": "nano-banana-2", "resolution": "2K"})).await;
    let retired = create(&app, &token, json!({"prompt": "Fog in numbers", "model": "nano-banana-2"})).await;
    let cancelled = create(&app, &token, json!({"prompt": "[emulator:fail] Hail", "model": "recraft-v3"})).await;
    let old = create(&app, &token, json!({"prompt": "Ice in numbers"})).await;
    let source = create(&app, &token, json!({"prompt": "Bees", "outline": outline()})).await;
    for id in ideogram.iter().chain(&seedream).chain(&legacy).chain(&retired).chain(&old).chain(&source) {
        wait_status(&app, &token, id, "completed").await;
    }
    for id in ideogram_failed.iter().chain(&draft_failed).chain(&cancelled) {
        wait_status(&app, &token, id, "failed").await;
    }

    // What the table may hold but the API no longer makes: a job from before the choice of model,
    // one drawn by a model since taken out of the catalogue, a cancelled one (as a cancel leaves
    // it; a real cancel would race the emulator), and one made long ago.
    update(&app, "UPDATE infographs SET model = NULL WHERE id = $1", None, &legacy[0]).await;
    update(&app, "UPDATE infographs SET model = 'retired-model' WHERE id = $1", None, &retired[0]).await;
    update(&app, "UPDATE infographs SET cancelled_at = completed_at WHERE id = $1", None, &cancelled[0]).await;
    update(&app, "UPDATE infographs SET created_at = $1 WHERE id = $2", Some(now_ms() - (MODEL_STATS_DAYS + 10) * DAY_MS), &old[0]).await;

    // "Make the text editable" (fal's layerize-text, counted apart), then a text edit (drawn by no model).
    let (status, created) = app.post_json(Some(&token), &format!("/api/infographs/{}/layers/", source[0]), "".into()).await;
    assert_eq!(status, 201, "{created}");
    let layered = ids(&created).remove(0);
    wait_status(&app, &token, &layered, "completed").await;
    let mut boxes = wait_layers(&app, &token, &layered).await["boxes"].as_array().expect("boxes").clone();
    boxes[0]["text"] = json!("Honey bees by the numbers");
    let (status, created) = app.post_json(Some(&token), &format!("/api/infographs/{layered}/text-edit/"), json!({"boxes": boxes}).to_string().into()).await;
    assert_eq!(status, 201, "{created}");

    // Non-admins are told there is nothing here; another site's page is refused.
    assert_eq!(call(&app, None, &app.base).await.status(), 404);
    let plain = sign_in_cookie(&app, "customer@example.com").await;
    assert_eq!(call(&app, Some(&plain), &app.base).await.status(), 404);
    let admin = sign_in_cookie(&app, "boss@example.com").await;
    assert_eq!(call(&app, Some(&admin), "https://evil.example").await.status(), 403);

    let r = call(&app, Some(&admin), &app.base).await;
    assert_eq!(r.status(), 200);
    let stats: ModelStats = r.json().await.expect("stats");
    assert_eq!(stats.days, MODEL_STATS_DAYS);
    let listed: Vec<&str> = stats.models.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(
        listed,
        ["nano-banana-pro", "nano-banana-2", "ideogram-v3", "recraft-v3", "recraft-v4.1-vector", "seedream-4.5", "retired-model"],
        "every catalogue model, then the one it no longer has"
    );

    // Ideogram: 2 of 3 completed at $0.06; the failure is a third of the finished ones.
    let ideo = row(&stats, "ideogram-v3");
    assert_eq!(counts(&ideo.all_time), (3, 2, 1, 12, 0));
    assert_eq!(ideo.recent, ideo.all_time);
    let rate = ideo.all_time.failure_rate.expect("rate");
    assert!((rate - 1.0 / 3.0).abs() < 1e-9, "{rate}");
    let ideogram_ids: Vec<&str> = ideogram.iter().map(String::as_str).collect();
    assert_eq!(ideo.all_time.mean_ms, Some(mean_ms(&app, &ideogram_ids).await));

    assert_eq!(counts(&row(&stats, "seedream-4.5").all_time), (1, 1, 0, 4, 0), "4K at $0.04");
    // A failure is not priced.
    let draft = row(&stats, "nano-banana-2");
    assert_eq!((counts(&draft.all_time), draft.all_time.failure_rate, draft.all_time.mean_ms), ((1, 0, 1, 0, 0), Some(1.0), None));

    // Nano Banana Pro: the layers' source at 1K, the legacy job at its 2K price, and the old job
    // only in all time; neither the layered version nor the text edit.
    let pro = row(&stats, "nano-banana-pro");
    assert_eq!(counts(&pro.recent), (2, 2, 0, 30, 0));
    assert_eq!(counts(&pro.all_time), (3, 3, 0, 45, 0));
    assert_eq!(pro.all_time.mean_ms, Some(mean_ms(&app, &[&source[0], &legacy[0], &old[0]]).await));

    // A cancel is no failure of the model's.
    let recraft = row(&stats, "recraft-v3");
    assert_eq!((counts(&recraft.all_time), recraft.all_time.failure_rate), ((1, 0, 0, 0, 0), None));
    assert_eq!(counts(&row(&stats, "recraft-v4.1-vector").all_time), (0, 0, 0, 0, 0));

    let gone = row(&stats, "retired-model");
    assert_eq!((gone.name.as_deref(), counts(&gone.all_time)), (None, (1, 1, 0, 0, 1)), "no price to apply");
    assert_eq!(counts(&stats.layers.all_time), (1, 1, 0, 0, 1), "layerize-text, unpriced");

    // The page shows them, in captioned tables.
    let r = app.http.get(app.url("/admin")).header("cookie", &admin).send().await.expect("page");
    assert_eq!(r.status(), 200);
    let html = r.text().await.expect("html");
    let section = html.split("data-testid=\"model-stats\"").nth(1).expect("the Models section");
    for text in ["<caption>", &format!("Last {MODEL_STATS_DAYS} days"), "All time", "data-model=\"retired-model\"", "$0.12", "list price"] {
        assert!(section.contains(text), "{text} missing from the Models section");
    }
}
