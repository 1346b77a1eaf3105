//! Accounts as an attacker would try them: sign-up credits only for confirmed addresses, a
//! sign-up form that does not tell who has an account, sign-up limits per address.

use reqwest::Method;
use crate::helpers::{outbox_messages, unfold_quoted_printable, TestApp, PASSWORD, WAIT};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

fn header<'a>(message: &'a str, name: &str) -> Option<&'a str> {
    message.lines().find_map(|l| l.strip_prefix(name).and_then(|rest| rest.strip_prefix(": ")))
}

/// Waits for an email to `to` whose subject contains `subject`, in the outbox folder.
async fn email_to(app: &TestApp, to: &str, subject: &str) -> String {
    let outbox = app.running.state.config.data_dir().join("outbox");
    let deadline = Instant::now() + WAIT;
    loop {
        let found = outbox_messages(&outbox)
            .into_iter()
            .find(|m| header(m, "To") == Some(to) && header(m, "Subject").is_some_and(|s| s.contains(subject)));
        if let Some(message) = found {
            return unfold_quoted_printable(&message);
        }
        assert!(Instant::now() < deadline, "no email to {to} about {subject:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn link_in(message: &str) -> String {
    let start = message.find("http").expect("a link");
    message[start..].split_whitespace().next().expect("link").to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sign_up_credits_come_only_with_a_confirmed_address_and_once() {
    let app = TestApp::spawn().await;
    let r = app
        .http
        .post(app.url("/api/auth/register/"))
        .json(&json!({"email": "New@Example.com", "password": PASSWORD}))
        .send()
        .await
        .expect("register");
    assert_eq!(r.status(), 201);
    let registered: Value = r.json().await.expect("json");
    assert_eq!((registered["email_verified"].clone(), registered["credit_balance"].clone()), (json!(false), json!(0)), "{registered}");
    let token = registered["token"].as_str().expect("token").to_string();

    // The account works, with nothing to spend.
    let (status, account) = app.get(&token, "/api/account/").await;
    assert_eq!((status, account["email_verified"].clone()), (200, json!(false)), "{account}");
    let (status, body) = app.create(&token, json!({"prompt": "Free lunch"})).await;
    assert_eq!(status, 402, "{body}");

    let message = email_to(&app, "new@example.com", "Confirm your email").await;
    let link = link_in(&message);
    assert!(link.starts_with(&format!("{}/verify-email?token=", app.base)), "{link}");
    assert_eq!(app.follow_verification(&link).await, "confirmed");
    assert_eq!(app.balance(&token).await, 10);
    let (_, account) = app.get(&token, "/api/account/").await;
    assert_eq!(account["email_verified"], json!(true));

    // Good once: a second click, or two at once, grant nothing more.
    let (again, twice) = tokio::join!(app.follow_verification(&link), app.follow_verification(&link));
    assert_eq!((again.as_str(), twice.as_str()), ("already-confirmed", "already-confirmed"));
    assert_eq!(app.balance(&token).await, 10);
    app.assert_ledger_matches("new@example.com", &token).await;
    assert_eq!(app.count("SELECT COUNT(*) FROM credit_ledger WHERE reason = 'signup' AND user_id = $1", &app.user_id("new@example.com").await).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn expired_forged_and_foreign_links_confirm_nothing() {
    let app = TestApp::spawn().await;
    let token = app.register_unverified("late@example.com").await;
    app.register("other@example.com").await;
    let now = app::server::platform::db::now_ms();

    let expired = app.verification_link("late@example.com", now - 1000).await;
    assert_eq!(app.follow_verification(&expired).await, "expired");

    let good = app.verification_link("late@example.com", now + 3_600_000).await;
    let token_part = good.split("token=").nth(1).expect("token");
    let (user_id, rest) = token_part.split_once('.').expect("parts");
    let (_, signature) = rest.split_once('.').expect("parts");
    // A later expiry with the old signature, another user's id with this signature, garbage.
    let stretched = format!("{}/verify-email?token={user_id}.{}.{signature}", app.base, now + 999_999_999);
    let other_id = app.user_id("other@example.com").await;
    let foreign = format!("{}/verify-email?token={other_id}.{}", app.base, rest);
    for link in [stretched, foreign, format!("{}/verify-email?token=nonsense", app.base), format!("{}/verify-email", app.base)] {
        assert_eq!(app.follow_verification(&link).await, "invalid", "{link}");
    }
    assert_eq!(app.balance(&token).await, 0, "nothing confirmed, nothing granted");
    assert_eq!(app.follow_verification(&good).await, "confirmed");
    assert_eq!(app.balance(&token).await, 10);
}

/// Posts a server-function form the way the browser's form does, from our own page.
async fn sign_up_form(app: &TestApp, email: &str) -> (u16, String, bool) {
    let r = app
        .http
        .post(app.url("/sfn/sign_up"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("origin", &app.base)
        .body(format!("email={}&password={PASSWORD}", email.replace('@', "%40")))
        .send()
        .await
        .expect("sign up");
    let status = r.status().as_u16();
    let cookies: Vec<String> = r.headers().get_all("set-cookie").iter().filter_map(|v| v.to_str().ok()).map(str::to_string).collect();
    // Only the sign-up's own browser cookie (the same whether or not the address was taken).
    assert!(cookies.iter().all(|c| c.starts_with("infograph_signup=")), "{cookies:?}");
    let session = cookies.iter().any(|c| c.starts_with("infograph_session="));
    (status, r.text().await.expect("text"), session)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_sign_up_form_does_not_tell_whether_an_address_has_an_account() {
    let app = TestApp::spawn().await;
    let owner = app.register("taken@example.com").await;
    let (new_status, new_body, new_cookie) = sign_up_form(&app, "fresh@example.com").await;
    let (taken_status, taken_body, taken_cookie) = sign_up_form(&app, "taken@example.com").await;
    assert_eq!(new_status, 200, "{new_body}");
    assert_eq!(taken_status, new_status);
    assert_eq!(new_body.replace("fresh", "taken"), taken_body, "the same answer either way");
    assert!(!new_cookie && !taken_cookie, "signing up signs nobody in");
    // The owner hears about it; their account is untouched, and nobody else got in.
    let warning = email_to(&app, "taken@example.com", "tried to sign up").await;
    assert!(warning.contains("/signin"), "{warning}");
    assert_eq!(app.balance(&owner).await, 10);
    assert_eq!(app.count("SELECT COUNT(*) FROM users WHERE email = $1", "taken@example.com").await, 1);
    email_to(&app, "fresh@example.com", "Confirm your email").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sign_ups_are_limited_per_address_per_hour() {
    let app = TestApp::spawn_with(|c| {
        c.signup_per_hour = 2;
        c.auth_per_minute = 0;
    })
    .await;
    let mut statuses = Vec::new();
    for i in 0..4 {
        let r = app
            .http
            .post(app.url("/api/auth/register/"))
            .json(&json!({"email": format!("farm{i}@example.com"), "password": PASSWORD}))
            .send()
            .await
            .expect("register");
        statuses.push(r.status().as_u16());
        if r.status() == 429 {
            assert!(r.headers().get("retry-after").is_some());
        }
    }
    assert_eq!(statuses, vec![201, 201, 429, 429]);
    let (status, _, _) = sign_up_form(&app, "farm9@example.com").await;
    assert_eq!(status, 429, "the form counts too");
    assert_eq!(app.count("SELECT COUNT(*) FROM users WHERE email LIKE $1", "farm%").await, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_new_link_can_be_asked_for_a_few_times_and_not_once_confirmed() {
    let app = TestApp::spawn().await;
    let token = app.register_unverified("again@example.com").await;
    let resend = || async {
        let r = app.send(Method::POST, &token, "/api/account/verification/").await;
        r.status().as_u16()
    };
    let mut statuses = Vec::new();
    for _ in 0..4 {
        statuses.push(resend().await);
    }
    assert_eq!(statuses, vec![202, 202, 202, 429]);
    let uid = app.user_id("again@example.com").await;
    assert_eq!(app.count("SELECT COUNT(*) FROM account_emails WHERE kind = 'verify' AND user_id = $1", &uid).await, 4);
    app.confirm_email("again@example.com").await;
    let r = app.http.post(app.url("/api/account/verification/")).header("Authorization", format!("Token {token}")).send().await.expect("resend");
    assert_eq!(r.status(), 409);
    let r = app.http.post(app.url("/api/account/verification/")).send().await.expect("anonymous");
    assert_eq!(r.status(), 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn job_emails_go_to_confirmed_addresses_only() {
    let app = TestApp::spawn().await;
    let token = app.register_unverified("unsure@example.com").await;
    let uid = app.user_id("unsure@example.com").await;
    app::server::billing::ledger::adjust(&app.running.state.db, &uid, 2, "test").await.expect("grant");
    let r = app
        .http
        .patch(app.url("/api/account/"))
        .header("Authorization", format!("Token {token}"))
        .header("content-type", "application/json")
        .body(r#"{"notify_email": true}"#)
        .send()
        .await
        .expect("patch");
    assert_eq!(r.status(), 200);
    let (status, created) = app.create(&token, json!({"prompt": "Quiet chart"})).await;
    assert_eq!(status, 201, "{created}");
    let id = created["infographs"][0]["id"].as_str().expect("id").to_string();
    app.wait_final(&token, &id, WAIT).await;
    app::server::delivery::email::queue_missed_emails(&app.running.state.db).await.expect("backstop");
    assert_eq!(app.count("SELECT COUNT(*) FROM email_outbox WHERE infograph_id = $1", &id).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn api_tokens_are_named_listed_and_revoked_one_by_one() {
    let app = TestApp::spawn().await;
    let first = app.register("keys@example.com").await;
    let r = app
        .http
        .post(app.url("/api/auth/token/"))
        .json(&json!({"email": "keys@example.com", "password": PASSWORD, "name": "Build script"}))
        .send()
        .await
        .expect("token");
    assert_eq!(r.status(), 200);
    let second: Value = r.json().await.expect("json");
    assert_eq!(second["name"], "Build script");
    let second_token = second["token"].as_str().expect("token").to_string();
    assert_ne!(second_token, first, "a new token each call");

    let (status, list) = app.get(&second_token, "/api/account/tokens/").await;
    assert_eq!(status, 200, "{list}");
    let tokens = list["tokens"].as_array().expect("tokens");
    assert_eq!(tokens.len(), 2, "{list}");
    assert_eq!(tokens[0]["name"], "Build script", "newest first");
    assert!(tokens[0]["last_used_at"].is_i64(), "used just now: {list}");
    assert!(!list.to_string().contains(&second_token) && !list.to_string().contains(&first), "secrets never listed");

    // Revoke the first one: it stops working at once; the second still works.
    let first_id = tokens[1]["id"].as_str().expect("id");
    let r = app.send(Method::DELETE, &second_token, &format!("/api/account/tokens/{first_id}/")).await;
    assert_eq!(r.status(), 204);
    let (status, _) = app.get(&first, "/api/account/").await;
    assert_eq!(status, 401, "a revoked token is refused");
    assert_eq!(app.get(&second_token, "/api/account/").await.0, 200);

    // Someone else's token id is not found and stays alive.
    let other = app.register("other-keys@example.com").await;
    let (_, theirs) = app.get(&other, "/api/account/tokens/").await;
    let their_id = theirs["tokens"][0]["id"].as_str().expect("id").to_string();
    let r = app.send(Method::DELETE, &second_token, &format!("/api/account/tokens/{their_id}/")).await;
    assert_eq!(r.status(), 404);
    assert_eq!(app.get(&other, "/api/account/").await.0, 200);
    let too_long = app
        .http
        .post(app.url("/api/auth/token/"))
        .json(&json!({"email": "keys@example.com", "password": PASSWORD, "name": "x".repeat(61)}))
        .send()
        .await
        .expect("token");
    assert_eq!(too_long.status(), 400);
    assert!(too_long.json::<Value>().await.expect("json")["fields"]["name"].is_string());
}

/// What the page's "who am I" server function answers for a session cookie.
async fn account_of(app: &TestApp, cookie: &str) -> String {
    let r = app
        .http
        .post(app.url("/sfn/get_account"))
        .header("cookie", cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .send()
        .await
        .expect("account");
    r.text().await.expect("text")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn signing_out_everywhere_ends_every_session_and_expired_ones_are_purged() {
    let app = TestApp::spawn().await;
    app.register("many@example.com").await;
    let laptop = crate::helpers::sign_in_cookie(&app, "many@example.com").await;
    let phone = crate::helpers::sign_in_cookie(&app, "many@example.com").await;
    assert!(account_of(&app, &phone).await.contains("many@example.com"));
    let r = app
        .http
        .post(app.url("/sfn/sign_out_everywhere"))
        .header("cookie", &laptop)
        .header("origin", &app.base)
        .send()
        .await
        .expect("everywhere");
    assert_eq!(r.status(), 200);
    assert_eq!(account_of(&app, &phone).await, "null", "the other browser is signed out");
    assert_eq!(account_of(&app, &laptop).await, "null");

    let uid = app.user_id("many@example.com").await;
    let db = &app.running.state.db;
    sqlx::query("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ('old', $1, 1, 2)")
        .bind(&uid)
        .execute(db.write().await.pool())
        .await
        .expect("insert");
    assert_eq!(app::server::accounts::sessions::purge_expired(db).await.expect("purge"), 1);
}

/// A client that does not follow redirects, so a response's own cookie and `Location` are seen.
fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client")
}

fn session_cookie(r: &reqwest::Response) -> Option<String> {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("infograph_session=") && !c.contains("Max-Age=0"))
        .and_then(|c| c.split(';').next())
        .map(str::to_string)
}

/// Signs up through the form's server function, as a browser does: the cookie it leaves.
async fn sign_up_in_browser(app: &TestApp, email: &str) -> String {
    let r = app
        .http
        .post(app.url("/sfn/sign_up"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("origin", &app.base)
        .body(crate::helpers::form(&[("email", email), ("password", crate::helpers::PASSWORD)]))
        .send()
        .await
        .expect("sign up");
    assert!(r.status().is_success(), "{}", r.status());
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("infograph_signup="))
        .and_then(|c| c.split(';').next())
        .map(str::to_string)
        .expect("the sign-up leaves its browser a cookie")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_confirmation_link_signs_in_only_the_browser_that_signed_up() {
    let app = TestApp::spawn().await;
    let now = app::server::platform::db::now_ms;
    let client = no_redirects();
    // Followed in the browser the sign-up was made in: signed in, on the gallery.
    let here = sign_up_in_browser(&app, "here@example.com").await;
    let link = app.verification_link("here@example.com", now() + 3_600_000).await;
    let first = client.get(&link).header("cookie", &here).send().await.expect("follow");
    assert_eq!(first.headers()["location"], "/?email=confirmed");
    let cookie = session_cookie(&first).expect("the first use signs in its own browser");
    let account = account_of(&app, &cookie).await;
    assert!(account.contains("here@example.com") && account.contains(r#""email_verified":true"#), "{account}");
    let cleared = first.headers().get_all("set-cookie").iter().filter_map(|v| v.to_str().ok()).any(|c| c.starts_with("infograph_signup=;") && c.contains("Max-Age=0"));
    assert!(cleared, "the sign-up's cookie has done its job");
    // Used: nobody gets in with it, even with the cookie.
    let again = client.get(&link).header("cookie", &here).send().await.expect("follow");
    assert_eq!(again.headers()["location"], "/?email=already-confirmed");
    assert_eq!(session_cookie(&again), None);

    // Followed in another browser (another device, or a stranger sent someone's own link):
    // the address is confirmed, and the sign-in page asks for the password.
    app.register_unverified("elsewhere@example.com").await;
    let link = app.verification_link("elsewhere@example.com", now() + 3_600_000).await;
    let other_cookie = sign_up_in_browser(&app, "someone-else@example.com").await;
    for cookie in [None, Some(other_cookie.as_str())] {
        let mut request = client.get(&link);
        if let Some(cookie) = cookie {
            request = request.header("cookie", cookie);
        }
        let r = request.send().await.expect("follow");
        assert_eq!(session_cookie(&r), None, "a link alone signs nobody in ({cookie:?})");
        assert!(matches!(r.headers()["location"].to_str(), Ok("/signin?email=confirmed" | "/?email=already-confirmed")), "{:?}", r.headers()["location"]);
    }
    let verified: Option<i64> = sqlx::query_scalar("SELECT email_verified_at FROM users WHERE email = $1")
        .bind("elsewhere@example.com")
        .fetch_one(app.running.state.db.read())
        .await
        .expect("user");
    assert!(verified.is_some(), "confirmed all the same");
    let signin = app.http.get(app.url("/signin?email=confirmed")).send().await.expect("page").text().await.expect("html");
    assert!(signin.contains("Email confirmed — 10 credits added."), "{signin}");

    // Followed in a browser signed in to another account: it stays with that account.
    app.register_unverified("tricked@example.com").await;
    app.register("someone@example.com").await;
    let earlier = crate::helpers::sign_in_cookie(&app, "someone@example.com").await;
    let trick = app.verification_link("tricked@example.com", now() + 3_600_000).await;
    let kept = client.get(&trick).header("cookie", &earlier).send().await.expect("follow");
    assert_eq!(kept.headers()["location"], "/?email=confirmed-elsewhere");
    assert_eq!(session_cookie(&kept), None, "no session for the link's account");
    assert!(account_of(&app, &earlier).await.contains("someone@example.com"), "the browser's own session goes on");
    let expired = app.verification_link("here@example.com", now() - 1000).await;
    assert_eq!(session_cookie(&client.get(&expired).header("cookie", &here).send().await.expect("follow")), None);
}

/// Asks for a reset link through the REST API: the status and body.
async fn ask_for_reset(app: &TestApp, email: &str) -> (u16, String) {
    let r = app.http.post(app.url("/api/auth/password-reset/")).json(&json!({ "email": email })).send().await.expect("reset");
    (r.status().as_u16(), r.text().await.expect("text"))
}

/// Asks for a reset link through the page's form.
async fn ask_for_reset_form(app: &TestApp, email: &str) -> (u16, String) {
    let r = app
        .http
        .post(app.url("/sfn/request_password_reset"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("origin", &app.base)
        .body(crate::helpers::form(&[("email", email)]))
        .send()
        .await
        .expect("reset form");
    (r.status().as_u16(), r.text().await.expect("text"))
}

/// Sets a new password through the page's form: the status, body and new session cookie.
async fn reset_form(app: &TestApp, token: &str, password: &str) -> (u16, String, Option<String>) {
    let r = app
        .http
        .post(app.url("/sfn/reset_password"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("origin", &app.base)
        .body(crate::helpers::form(&[("token", token), ("password", password)]))
        .send()
        .await
        .expect("reset");
    let cookie = session_cookie(&r);
    (r.status().as_u16(), r.text().await.expect("text"), cookie)
}

/// Whether `password` gets an API key for `email`.
async fn password_works(app: &TestApp, email: &str, password: &str) -> bool {
    app.post_json(None, "/api/auth/token/", json!({"email": email, "password": password}).to_string().into()).await.0 == 200
}

fn token_of(link: &str) -> String {
    link.split("token=").nth(1).expect("token").to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_reset_link_is_mailed_for_a_known_address_only_and_the_answer_does_not_tell() {
    let app = TestApp::spawn().await;
    app.register("known@example.com").await;
    let unknown = ask_for_reset(&app, "nobody@example.com").await;
    let known = ask_for_reset(&app, "Known@Example.com").await;
    assert_eq!(unknown.0, 202, "{}", unknown.1);
    assert_eq!(known, unknown, "the same status and body either way");
    let (form_unknown, form_known) = (ask_for_reset_form(&app, "nobody2@example.com").await, ask_for_reset_form(&app, "known@example.com").await);
    assert_eq!(form_unknown.0, 200, "{}", form_unknown.1);
    assert_eq!((form_unknown.0, form_unknown.1.replace("nobody2", "known")), form_known, "the form's answer names only the address typed");

    let message = email_to(&app, "known@example.com", "Reset your Infograph password").await;
    let link = link_in(&message);
    assert!(link.starts_with(&format!("{}/reset-password?token=", app.base)), "{link}");
    assert!(message.contains("30 minutes"), "{message}");
    // Both known requests were mailed; the unknown addresses got nothing (their lookups were
    // queued before the known ones).
    let uid = app.user_id("known@example.com").await;
    let deadline = Instant::now() + WAIT;
    while app.count("SELECT COUNT(*) FROM account_emails WHERE kind = 'password_reset' AND user_id = $1", &uid).await < 2 {
        assert!(Instant::now() < deadline, "the second reset email was not queued");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM account_emails WHERE kind = $1", "password_reset").await, 2);
    let outbox = app.running.state.config.data_dir().join("outbox");
    assert!(!outbox_messages(&outbox).iter().any(|m| m.contains("nobody")), "no email to an address without an account");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_reset_link_works_once_and_ends_every_session_of_the_account() {
    let app = TestApp::spawn().await;
    let api_token = app.register("forgetful@example.com").await;
    let laptop = crate::helpers::sign_in_cookie(&app, "forgetful@example.com").await;
    let phone = crate::helpers::sign_in_cookie(&app, "forgetful@example.com").await;
    assert_eq!(ask_for_reset(&app, "forgetful@example.com").await.0, 202);
    let link = link_in(&email_to(&app, "forgetful@example.com", "Reset your Infograph password").await);
    let token = token_of(&link);

    // The page behind the link offers the form for that account.
    let page = app.http.get(&link).send().await.expect("page").text().await.expect("html");
    assert!(page.contains("Choose a new password") && page.contains("forgetful@example.com"), "{page}");
    assert!(!page.contains("reset-link-error"), "{page}");

    // From another site, the form is refused and changes nothing.
    let r = app
        .http
        .post(app.url("/sfn/reset_password"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("origin", "https://evil.example")
        .body(crate::helpers::form(&[("token", &token), ("password", "stolen password")]))
        .send()
        .await
        .expect("cross-site");
    assert_eq!(r.status(), 403);
    assert!(password_works(&app, "forgetful@example.com", PASSWORD).await);

    let (status, body, cookie) = reset_form(&app, &token, "a brand new password").await;
    assert_eq!(status, 200, "{body}");
    let cookie = cookie.expect("signed in afresh");
    assert!(account_of(&app, &cookie).await.contains("forgetful@example.com"));
    assert_eq!(account_of(&app, &laptop).await, "null", "every earlier session is signed out");
    assert_eq!(account_of(&app, &phone).await, "null");
    assert!(!password_works(&app, "forgetful@example.com", PASSWORD).await, "the old password stops working");
    assert!(password_works(&app, "forgetful@example.com", "a brand new password").await);
    assert_eq!(app.get(&api_token, "/api/account/").await.0, 401, "API tokens made before the reset are revoked");

    // Used: refused on either door, naming the token, signing nobody in, changing nothing.
    let (status, body, again) = reset_form(&app, &token, "yet another password").await;
    assert_eq!((status, again), (400, None), "{body}");
    assert!(body.contains("used already"), "{body}");
    let r = app
        .http
        .post(app.url("/api/auth/password-reset/confirm/"))
        .json(&json!({"token": token, "password": "yet another password"}))
        .send()
        .await
        .expect("confirm");
    assert_eq!(r.status(), 400);
    assert!(r.json::<Value>().await.expect("json")["fields"]["token"].is_string());
    assert!(password_works(&app, "forgetful@example.com", "a brand new password").await);
    let page = app.http.get(&link).send().await.expect("page").text().await.expect("html");
    assert!(page.contains("reset-link-error") && page.contains("Ask for a new link"), "{page}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn expired_forged_and_weak_resets_change_nothing() {
    use app::server::accounts::{reset, users};
    let app = TestApp::spawn().await;
    app.register("careful@example.com").await;
    let user = users::by_email(&app.running.state.db, "careful@example.com").await.expect("db").expect("user");
    let now = app::server::platform::db::now_ms();
    let signer = &app.running.state.signer;
    let app = &app;
    let confirm = |token: String, password: &'static str| async move {
        app.post_json(None, "/api/auth/password-reset/confirm/", json!({"token": token, "password": password}).to_string().into()).await
    };

    let expired = reset::token(signer, &user, now - 1000);
    let (status, body) = confirm(expired.clone(), "a brand new password").await;
    assert_eq!(status, 400, "{body}");
    assert!(body["fields"]["token"].as_str().is_some_and(|m| m.contains("expired")), "{body}");
    let page = app.http.get(app.url(&format!("/reset-password?token={expired}"))).send().await.expect("page").text().await.expect("html");
    assert!(page.contains("has expired") && page.contains("Ask for a new link"), "{page}");

    let good = reset::token(signer, &user, now + 600_000);
    let signature = good.rsplit('.').next().expect("signature");
    let stretched = format!("{}.{}.{signature}", user.id, now + 999_999_999);
    for forged in [stretched, "nonsense".to_string(), format!("{}.{}.AAAA", user.id, now + 600_000)] {
        let (status, body) = confirm(forged.clone(), "a brand new password").await;
        assert_eq!(status, 400, "{forged}: {body}");
        assert!(body["fields"]["token"].is_string(), "{body}");
    }
    let (status, body) = confirm(good.clone(), "short").await;
    assert_eq!(status, 400, "{body}");
    assert!(body["fields"]["password"].is_string(), "{body}");
    let (status, body) = confirm(String::new(), "").await;
    assert_eq!(status, 400);
    assert!(body["fields"]["token"].is_string() && body["fields"]["password"].is_string(), "both named: {body}");
    assert!(password_works(app, "careful@example.com", PASSWORD).await, "nothing changed");

    // The link refused for a weak password still works for a good one.
    assert_eq!(confirm(good, "a brand new password").await.0, 204);
    assert!(password_works(app, "careful@example.com", "a brand new password").await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn password_reset_requests_are_limited_per_address_and_per_client() {
    use app::server::accounts::reset::{PER_CLIENT_PER_HOUR, PER_EMAIL_PER_HOUR};
    let app = TestApp::spawn_with(|c| c.auth_per_minute = 0).await;
    app.register("popular@example.com").await;
    let mut known = Vec::new();
    let mut unknown = Vec::new();
    for _ in 0..=PER_EMAIL_PER_HOUR {
        known.push(ask_for_reset(&app, "popular@example.com").await);
        unknown.push(ask_for_reset(&app, "ghost@example.com").await);
    }
    let statuses = |answers: &[(u16, String)]| answers.iter().map(|a| a.0).collect::<Vec<_>>();
    let mut expected = vec![202; PER_EMAIL_PER_HOUR as usize];
    expected.push(429);
    assert_eq!(statuses(&known), expected);
    assert_eq!(statuses(&unknown), expected, "an address without an account is limited alike");
    assert_eq!(known[0], unknown[0]);
    let limited: Value = serde_json::from_str(&known[PER_EMAIL_PER_HOUR as usize].1).expect("json");
    assert_eq!(limited["error"], "rate_limited", "{limited}");

    // Per client, whatever the addresses.
    let used = 2 * (PER_EMAIL_PER_HOUR + 1);
    for i in used..PER_CLIENT_PER_HOUR {
        assert_eq!(ask_for_reset(&app, &format!("other{i}@example.com")).await.0, 202);
    }
    assert_eq!(ask_for_reset(&app, "one-more@example.com").await.0, 429);
    let (status, body) = ask_for_reset_form(&app, "one-more@example.com").await;
    assert_eq!(status, 429, "the form counts too: {body}");
    let uid = app.user_id("popular@example.com").await;
    assert!(app.count("SELECT COUNT(*) FROM account_emails WHERE kind = 'password_reset' AND user_id = $1", &uid).await <= i64::from(PER_EMAIL_PER_HOUR));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn unnamed_api_tokens_get_numbered_names_and_the_form_shows_the_next() {
    let app = TestApp::spawn().await;
    app.register("numbered@example.com").await;
    let mut names = Vec::new();
    for body in [json!({"email": "numbered@example.com", "password": PASSWORD}), json!({"email": "numbered@example.com", "password": PASSWORD, "name": "  "})] {
        let r = app.http.post(app.url("/api/auth/token/")).json(&body).send().await.expect("token");
        assert_eq!(r.status(), 200, "a missing name is still accepted");
        names.push(r.json::<Value>().await.expect("json")["name"].as_str().expect("name").to_string());
    }
    assert_eq!(names, ["Token 2", "Token 3"], "the sign-up token is the first");
    let cookie = crate::helpers::sign_in_cookie(&app, "numbered@example.com").await;
    let r = app
        .http
        .post(app.url("/sfn/create_api_token"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("origin", &app.base)
        .header("cookie", &cookie)
        .body("name=")
        .send()
        .await
        .expect("create");
    let created: Value = r.json().await.expect("json");
    assert_eq!(created["view"]["name"], "Token 4", "{created}");
    let settings = app.http.get(app.url("/settings")).header("cookie", &cookie).send().await.expect("settings").text().await.expect("html");
    assert!(settings.contains(r#"placeholder="Token 5""#), "the form shows what the next will be called");
}

#[tokio::test]
async fn signing_out_clears_what_the_browser_kept_of_the_form() {
    let app = TestApp::spawn().await;
    app.register("shared-computer@example.com").await;
    let cookie = crate::helpers::sign_in_cookie(&app, "shared-computer@example.com").await;
    let r = no_redirects()
        .post(app.url("/sfn/sign_out"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("origin", &app.base)
        .header("cookie", &cookie)
        .send()
        .await
        .expect("sign out");
    assert!(r.status().is_redirection() || r.status().is_success(), "{}", r.status());
    assert_eq!(r.headers().get("clear-site-data").and_then(|v| v.to_str().ok()), Some("\"storage\""), "drafts go with the session");
    assert_eq!(account_of(&app, &cookie).await, "null");
}
