//! The shipped reverse-proxy configuration (`deploy/nginx.conf`) in Debian's nginx, in front of
//! a server set up as the operating guide says (TRUSTED_PROXY_HEADER=X-Forwarded-For, an https
//! PUBLIC_BASE_URL), over TLS with a self-signed certificate: live updates arrive unbuffered, the
//! rate limits count the address nginx saw (never one the client wrote), cookies are `Secure`,
//! the largest logo passes and a larger body is a 413, and plain http is sent to https.
//! Each client connects from an address of its own on the loopback network (127.0.0.2, …), so
//! that the client's address differs from the proxy's (nginx reaches the app from 127.0.0.1).

use crate::helpers::nginx::{Nginx, HOST};
use crate::helpers::{form, TestApp, PASSWORD, WAIT};
use app::model::design::LOGO_MAX_BYTES;
use futures::StreamExt;
use serde_json::{json, Value};
use std::net::IpAddr;
use std::time::{Duration, Instant};

/// The site's address, as the operating guide sets PUBLIC_BASE_URL (no port: 443).
fn public_base() -> String {
    format!("https://{HOST}")
}

/// A test server configured as behind nginx, with `tweak` on top, and the nginx in front of it;
/// `None` when nginx is missing outside CI.
async fn behind_nginx(tweak: impl FnOnce(&mut app::server::platform::config::Config)) -> Option<(TestApp, Nginx)> {
    let app = TestApp::spawn_with(|c| {
        c.trusted_proxy_header = Some("x-forwarded-for".into());
        c.public_base_url = Some(public_base());
        tweak(c);
    })
    .await;
    let nginx = Nginx::start(app.running.addr).await?;
    Some((app, nginx))
}

fn client_address(last: u8) -> IpAddr {
    IpAddr::from([127, 0, 0, last])
}

/// Events read off one `text/event-stream` body.
struct Events {
    body: std::pin::Pin<Box<dyn futures::Stream<Item = reqwest::Result<bytes::Bytes>> + Send>>,
    buffer: String,
}

impl Events {
    /// The next event with data, as `(name, data)`, or `None` after `within`.
    async fn next(&mut self, within: Duration) -> Option<(String, String)> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            while let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let name = block.lines().find_map(|l| l.strip_prefix("event:")).map_or("message", str::trim).to_string();
                let data: String = block.lines().filter_map(|l| l.strip_prefix("data:")).map(str::trim_start).collect();
                if block.lines().any(|l| l.starts_with("data:")) {
                    return Some((name, data));
                }
            }
            let chunk = tokio::time::timeout_at(deadline, self.body.next()).await.ok()??.ok()?;
            self.buffer.push_str(&String::from_utf8_lossy(&chunk));
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_live_update_comes_through_the_proxy_within_a_second() {
    // Jobs end by polling fal (the public address is not this test's), so start that soon.
    let Some((app, nginx)) = behind_nginx(|c| c.reconcile_after = Duration::from_secs(1)).await else { return };
    let token = app.register("live@example.com").await;
    let (status, created) = app.create(&token, json!({"prompt": "Tides of the Tagus"})).await;
    assert_eq!(status, 201, "{created}");
    let id = created["infographs"][0]["id"].as_str().expect("id").to_string();
    app.wait_final(&token, &id, WAIT).await;

    let client = nginx.client(client_address(2));
    let response = client
        .get(nginx.https_url("/api/events/"))
        .header("Authorization", format!("Token {token}"))
        // As a browser's EventSource asks: a proxy that compressed the stream would hold events.
        .header("Accept-Encoding", "gzip, deflate, br")
        .timeout(Duration::from_secs(600))
        .send()
        .await
        .expect("open the event stream through nginx");
    assert_eq!(response.status(), 200);
    let mut events = Events { body: Box::pin(response.bytes_stream()), buffer: String::new() };
    let ready = events.next(Duration::from_secs(10)).await.expect("the ready event through nginx");
    assert_eq!(ready.0, "ready");

    // Events of the job's own last steps (its copy, its proofreading) may still come: they
    // carry the old title. The first with the new one is the rename's.
    let renamed = "Renamed behind nginx";
    let changed_at = Instant::now();
    let patch = client
        .patch(nginx.https_url(&format!("/api/infographs/{id}/")))
        .header("Authorization", format!("Token {token}"))
        .json(&json!({"title": renamed}))
        .send()
        .await
        .expect("rename through nginx");
    assert_eq!(patch.status(), 200);
    let mut seen = Vec::new();
    let arrived_after = loop {
        let left = Duration::from_secs(10).saturating_sub(changed_at.elapsed());
        let (name, data) = events.next(left).await.unwrap_or_else(|| panic!("no event with the new title through nginx; saw {seen:?}"));
        let view: Value = if name == "job" { serde_json::from_str(&data).expect("a job event is JSON") } else { Value::Null };
        if view["id"] == id.as_str() && view["title"] == renamed {
            break changed_at.elapsed();
        }
        seen.push((name, data));
    };
    assert!(arrived_after < Duration::from_secs(1), "the event took {arrived_after:?} through nginx: held in a buffer?");
}

/// Registers `email` through nginx from `client`, claiming to be `claimed` in X-Forwarded-For.
async fn register_through(nginx: &Nginx, client: &reqwest::Client, email: &str, claimed: &[&str]) -> (u16, Value) {
    let mut request = client.post(nginx.https_url("/api/auth/register/")).json(&json!({"email": email, "password": PASSWORD}));
    for value in claimed {
        request = request.header("X-Forwarded-For", *value);
    }
    let response = request.send().await.expect("register through nginx");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn rate_limits_count_the_address_nginx_saw_not_the_one_a_client_claims() {
    let Some((app, nginx)) = behind_nginx(|c| c.signup_per_hour = 2).await else { return };
    let (client, other) = (nginx.client(client_address(2)), nginx.client(client_address(3)));
    // Each sign-up claims another address (one of them not an address at all, which the app
    // would refuse if it ever saw it); they all count as 127.0.0.2, which has two sign-ups an hour.
    let claims: [&[&str]; 4] = [&["203.0.113.1"], &["203.0.113.2, 198.51.100.7"], &["203.0.113.3", "198.51.100.8"], &["not-an-address"]];
    let mut answers = Vec::new();
    for (i, claimed) in claims.iter().enumerate() {
        answers.push(register_through(&nginx, &client, &format!("spoof{i}@example.com"), claimed).await);
    }
    let statuses: Vec<u16> = answers.iter().map(|(s, _)| *s).collect();
    assert_eq!(statuses, [201, 201, 429, 429], "{answers:?}");
    // The limit is the client's, not the proxy's: another client still signs up.
    let (status, body) = register_through(&nginx, &other, "other@example.com", &["203.0.113.1"]).await;
    assert_eq!(status, 201, "{body}");

    let buckets: Vec<String> = sqlx::query_scalar("SELECT bucket FROM rate_buckets WHERE bucket LIKE 'signup:%' ORDER BY bucket")
        .fetch_all(app.running.state.db.read())
        .await
        .expect("buckets");
    assert_eq!(buckets, ["signup:127.0.0.2", "signup:127.0.0.3"], "the app must count the address nginx saw");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sessions_made_through_the_proxy_are_secure_and_http_goes_to_https() {
    let Some((app, nginx)) = behind_nginx(|_| {}).await else { return };
    app.register("tls@example.com").await;
    let client = nginx.client(client_address(2));
    let signed_in = client
        .post(nginx.https_url("/sfn/sign_in"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("origin", public_base())
        .body(form(&[("email", "tls@example.com"), ("password", PASSWORD)]))
        .send()
        .await
        .expect("sign in through nginx");
    assert_eq!(signed_in.status(), 200);
    let cookie = signed_in.headers()["set-cookie"].to_str().expect("ascii").to_string();
    assert!(cookie.starts_with("infograph_session=") && cookie.contains("; Secure"), "{cookie}");
    // The app's HSTS header, once: nginx adds none of its own.
    let hsts: Vec<_> = signed_in.headers().get_all("strict-transport-security").iter().collect();
    assert_eq!(hsts.len(), 1, "{hsts:?}");

    let plain = client.get(nginx.http_url("/signin?next=%2Fsettings")).send().await.expect("http through nginx");
    assert_eq!(plain.status(), 301);
    assert_eq!(plain.headers()["location"], format!("https://{HOST}/signin?next=%2Fsettings").as_str());
}

/// A PNG of exactly `size` bytes (a tiny picture, then bytes a PNG reader stops before).
fn png_of_size(size: usize) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    image::RgbImage::from_pixel(16, 16, image::Rgb([20, 80, 200])).write_to(&mut out, image::ImageFormat::Png).expect("png");
    let mut bytes = out.into_inner();
    bytes.resize(size, 0);
    bytes
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_largest_logo_passes_the_proxy_and_a_larger_body_is_a_413() {
    let Some((app, nginx)) = behind_nginx(|_| {}).await else { return };
    let token = app.register("logo@example.com").await;
    let (status, kit) = app.post_json(Some(&token), "/api/brand-kits/", json!({"name": "Brand", "colors": ["#123456"]}).to_string().into()).await;
    assert_eq!(status, 201, "{kit}");
    let logo_url = nginx.https_url(&format!("/api/brand-kits/{}/logo/", kit["id"].as_str().expect("id")));
    let client = nginx.client(client_address(2));
    let put = |bytes: Vec<u8>| client.put(&logo_url).header("Authorization", format!("Token {token}")).header("content-type", "image/png").body(bytes).send();

    let largest = put(png_of_size(LOGO_MAX_BYTES)).await.expect("upload the largest logo");
    let status = largest.status();
    let stored: Value = largest.json().await.unwrap_or(Value::Null);
    assert_eq!(status, 200, "{stored}");
    assert!(stored["logo_url"].as_str().is_some(), "{stored}");

    let larger = put(png_of_size(LOGO_MAX_BYTES + 1)).await.expect("upload a larger one");
    assert_eq!(larger.status(), 413);
    assert!(larger.headers()["content-type"].to_str().is_ok_and(|t| t.starts_with("application/json")));
    let refused: Value = larger.json().await.expect("a JSON error");
    assert!(refused["message"].as_str().is_some_and(|m| m.contains("2 MB")), "{refused}");
    // nginx writes its error line as it refuses; the reader thread may not have it yet.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !nginx.stderr_text().contains("client intended to send too large body") && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(nginx.stderr_text().contains("client intended to send too large body"), "nginx refused it, not the app:\n{}", nginx.stderr_text());
}
