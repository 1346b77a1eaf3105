//! Buying credits against localstripe, a real Stripe API server started here: purchases credit
//! once whatever the webhook does, forged and stale signatures change nothing, declines say why,
//! refunds never overdraw, the price is never the client's, and a lost webhook is made up for by
//! the reconciler. Both databases, like every test here.

use crate::helpers::pyservers::{start_localstripe, ChildGuard};
use crate::helpers::{now_secs, TestApp, WAIT};
use app::server::platform::config::Secret;
use app::server::stripe::signature::header_for;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const SECRET: &str = "whsec_infograph_tests";

/// The app with purchases configured against a fresh localstripe; the webhook registered there
/// unless `register` is false (a webhook that never comes).
struct Shop {
    app: TestApp,
    stripe: String,
    localstripe: ChildGuard,
}

impl Shop {
    async fn open(register: bool) -> Option<Self> {
        let (guard, stripe) = start_localstripe().await?;
        let api = stripe.clone();
        let app = TestApp::spawn_with(move |c| {
            c.billing.secret_key = Some(Secret::new("sk_test_infograph"));
            c.billing.publishable_key = Some("pk_test_infograph".into());
            c.billing.webhook_secret = Some(Secret::new(SECRET));
            c.billing.api_base = api;
            // With a webhook, the reconciler waits long enough never to be the one that credits.
            c.billing.reconcile_after = Duration::from_secs(if register { 600 } else { 1 });
        })
        .await;
        let shop = Self { app, stripe, localstripe: guard };
        if register {
            let hook = shop.app.url("/api/billing/stripe/webhook/");
            let r = shop
                .app
                .http
                .post(format!("{}/_config/webhooks/infograph", shop.stripe))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(crate::helpers::form(&[("url", hook.as_str()), ("secret", SECRET)]))
                .send()
                .await
                .expect("localstripe");
            assert_eq!(r.status(), 200, "the webhook is registered");
        }
        Some(shop)
    }

    async fn stripe_post(&self, path: &str, form: &[(&str, &str)]) -> Value {
        let body = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(form).finish();
        let r = self
            .app
            .http
            .post(format!("{}{path}", self.stripe))
            .basic_auth("sk_test_infograph", Some(""))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .expect("localstripe");
        r.json().await.unwrap_or(Value::Null)
    }

    async fn stripe_get(&self, path: &str) -> Value {
        let r = self.app.http.get(format!("{}{path}", self.stripe)).basic_auth("sk_test_infograph", Some("")).send().await.expect("localstripe");
        r.json().await.expect("json")
    }

    /// A card as a PaymentMethod, as Stripe.js would make it.
    async fn card(&self, number: &str) -> String {
        let pm = self
            .stripe_post(
                "/v1/payment_methods",
                &[("type", "card"), ("card[number]", number), ("card[exp_month]", "12"), ("card[exp_year]", "2030"), ("card[cvc]", "123")],
            )
            .await;
        pm["id"].as_str().unwrap_or_else(|| panic!("a payment method: {pm}")).to_string()
    }

    async fn buy(&self, token: &str, body: Value) -> (u16, Value) {
        self.app.post_json(Some(token), "/api/billing/purchases/", body.to_string().into()).await
    }

    async fn purchase(&self, token: &str, id: &str) -> Value {
        let (status, body) = self.app.get(token, &format!("/api/billing/purchases/{id}/")).await;
        assert_eq!(status, 200, "{body}");
        body
    }

    /// Waits (bounded) until the purchase is no longer pending.
    async fn settled(&self, token: &str, id: &str) -> Value {
        let deadline = Instant::now() + WAIT;
        loop {
            let p = self.purchase(token, id).await;
            if p["status"] != "pending" {
                return p;
            }
            assert!(Instant::now() < deadline, "purchase {id} still pending: {p}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Posts `event` to our webhook signed at `at` (unix seconds) with `secret`.
    async fn deliver(&self, event: &Value, at: i64, secret: &str) -> (u16, Value) {
        let body = event.to_string();
        let r = self
            .app
            .http
            .post(self.app.url("/api/billing/stripe/webhook/"))
            .header("content-type", "application/json")
            .header("stripe-signature", header_for(secret, at, body.as_bytes()))
            .body(body)
            .send()
            .await
            .expect("webhook");
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    /// localstripe's event of `kind` about PaymentIntent `pi`.
    async fn event(&self, kind: &str, pi: &str) -> Value {
        let events = self.stripe_get(&format!("/v1/events?type={kind}")).await;
        events["data"]
            .as_array()
            .and_then(|all| all.iter().find(|e| e["data"]["object"]["id"] == pi).cloned())
            .unwrap_or_else(|| panic!("no {kind} event for {pi}: {events}"))
    }

    async fn payment_intent_of(&self, purchase: &str) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            let pi: Option<String> = sqlx::query_scalar("SELECT payment_intent_id FROM purchases WHERE id = $1")
                .bind(purchase)
                .fetch_one(self.app.running.state.db.read())
                .await
                .expect("purchase row");
            if let Some(pi) = pi {
                return pi;
            }
            assert!(Instant::now() < deadline, "no PaymentIntent recorded for {purchase}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn ledger_rows(&self, purchase: &str, reason: &str) -> i64 {
        self.app.count(&format!("SELECT COUNT(*) FROM credit_ledger WHERE purchase_id = $1 AND reason = '{reason}'"), purchase).await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_purchase_credits_once_even_when_the_webhook_is_repeated_and_replayed() {
    let Some(shop) = Shop::open(true).await else { return };
    let token = shop.app.register("buyer@example.com").await;
    let card = shop.card("4242424242424242").await;
    let (status, started) = shop.buy(&token, json!({"pack": "50", "payment_method": card})).await;
    assert_eq!(status, 201, "{started}");
    assert_eq!((started["amount"].as_i64(), started["currency"].as_str(), started["credits"].as_i64()), (Some(2000), Some("usd"), Some(50)));
    assert_eq!(started["status"], "pending", "the answer never credits");
    let id = started["purchase_id"].as_str().expect("id").to_string();
    assert!(started["client_secret"].as_str().is_some_and(|s| s.contains("_secret_")), "{started}");

    // localstripe's signed webhook credits it.
    let done = shop.settled(&token, &id).await;
    assert_eq!(done["status"], "succeeded", "{done}");
    assert_eq!(shop.app.balance(&token).await, 60);

    // The same event, delivered three times at once: 200 each, credited once.
    let pi = shop.payment_intent_of(&id).await;
    let event = shop.event("payment_intent.succeeded", &pi).await;
    let repeats = (0..3).map(|_| shop.deliver(&event, now_secs(), SECRET));
    for (status, body) in futures::future::join_all(repeats).await {
        assert_eq!((status, body["applied"].as_str()), (200, Some("nothing")), "{body}");
    }
    assert_eq!(shop.app.balance(&token).await, 60);
    // Replayed later with its old signature: stale, refused, nothing changes.
    let (status, body) = shop.deliver(&event, now_secs() - 600, SECRET).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_signature")), "{body}");
    assert_eq!(shop.app.balance(&token).await, 60);
    assert_eq!(shop.ledger_rows(&id, "purchase").await, 1);
    shop.app.assert_ledger_matches("buyer@example.com", &token).await;
    // The buyer's receipts.
    let (_, list) = shop.app.get(&token, "/api/billing/purchases/").await;
    assert_eq!(list["count"], 1);
    assert_eq!(list["purchases"][0]["status"], "succeeded");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn forged_stale_or_missing_signatures_change_nothing() {
    let Some(shop) = Shop::open(false).await else { return };
    let token = shop.app.register("buyer@example.com").await;
    // A purchase left for the client to confirm: pending, with a PaymentIntent.
    let (status, started) = shop.buy(&token, json!({"pack": "10"})).await;
    assert_eq!(status, 201, "{started}");
    let id = started["purchase_id"].as_str().expect("id").to_string();
    let pi = shop.payment_intent_of(&id).await;
    let uid = shop.app.user_id("buyer@example.com").await;
    let forged = json!({"id": "evt_forged", "type": "payment_intent.succeeded", "data": {"object": {
        "id": pi, "status": "succeeded", "amount": 500, "currency": "usd",
        "metadata": {"purchase_id": id, "user_id": uid, "pack": "10"}}}});
    let (status, _) = shop.deliver(&forged, now_secs(), "whsec_someone_else").await;
    assert_eq!(status, 400, "another secret");
    let (status, _) = shop.deliver(&forged, now_secs() - 301, SECRET).await;
    assert_eq!(status, 400, "stale");
    // Well past the 300 s tolerance: the server reads its clock a moment after ours, which can
    // already be the next second and would bring `+ 301` back within it.
    let (status, _) = shop.deliver(&forged, now_secs() + 360, SECRET).await;
    assert_eq!(status, 400, "from the future");
    // A body that is not the one signed.
    let signed = header_for(SECRET, now_secs(), b"{}");
    let r = shop.app.http.post(shop.app.url("/api/billing/stripe/webhook/")).header("stripe-signature", signed).body(forged.to_string()).send().await.expect("post");
    assert_eq!(r.status(), 400, "tampered");
    let r = shop.app.http.post(shop.app.url("/api/billing/stripe/webhook/")).body(forged.to_string()).send().await.expect("post");
    assert_eq!(r.status(), 400, "unsigned");
    assert_eq!(shop.purchase(&token, &id).await["status"], "pending");
    assert_eq!(shop.app.balance(&token).await, 10);
    assert_eq!(shop.ledger_rows(&id, "purchase").await, 0);
    // A refund that comes before its payment was credited is not dropped: Stripe is asked to
    // deliver it again (a 5xx), and nothing changes meanwhile.
    let early = json!({"id": "evt_early_refund", "type": "charge.refunded", "data": {"object": {
        "id": "ch_early", "payment_intent": pi, "amount": 500, "amount_refunded": 500}}});
    let (status, _) = shop.deliver(&early, now_secs(), SECRET).await;
    assert_eq!(status, 500, "retried later");
    assert_eq!(shop.purchase(&token, &id).await["refunded_amount"], 0);
    // Correctly signed, but the amount is not the pack's: not credited either (and failed).
    let cheap = json!({"id": "evt_cheap", "type": "payment_intent.succeeded", "data": {"object": {
        "id": pi, "status": "succeeded", "amount": 1, "currency": "usd", "metadata": {"purchase_id": id, "user_id": uid}}}});
    let (status, body) = shop.deliver(&cheap, now_secs(), SECRET).await;
    assert_eq!((status, body["applied"].as_str()), (200, Some("nothing")));
    assert_eq!(shop.app.balance(&token).await, 10);
    assert_eq!(shop.purchase(&token, &id).await["status"], "failed");
    // That payment refunded (by support): nothing was credited, so nothing is taken back, and
    // Stripe is not asked to retry for ever.
    let (status, body) = shop.deliver(&early, now_secs(), SECRET).await;
    assert_eq!((status, body["applied"].as_str()), (200, Some("nothing")));
    assert_eq!(shop.app.balance(&token).await, 10);
    assert_eq!(shop.purchase(&token, &id).await["refunded_amount"], 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_declined_card_credits_nothing_and_says_why() {
    let Some(shop) = Shop::open(true).await else { return };
    let token = shop.app.register("buyer@example.com").await;
    let card = shop.card("4000000000000341").await;
    let (status, body) = shop.buy(&token, json!({"pack": "50", "payment_method": card})).await;
    assert_eq!((status, body["error"].as_str()), (402, Some("payment_declined")), "{body}");
    assert!(body["message"].as_str().is_some_and(|m| m.contains("declined")), "{body}");
    let (_, list) = shop.app.get(&token, "/api/billing/purchases/").await;
    let failed = &list["purchases"][0];
    assert_eq!(failed["status"], "failed", "{list}");
    assert!(failed["failure_reason"].as_str().is_some_and(|r| r.contains("declined")), "{list}");
    // localstripe's payment_failed webhook follows: once our endpoint has answered it (localstripe
    // logs the delivery), still nothing is credited.
    shop.localstripe.wait_for_log(r#"webhook "payment_intent.payment_failed" successfully delivered"#, WAIT).await;
    assert_eq!(shop.app.balance(&token).await, 10);
    assert_eq!(shop.app.count("SELECT COUNT(*) FROM credit_ledger WHERE reason = 'purchase' AND user_id = $1", &shop.app.user_id("buyer@example.com").await).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_concurrent_purchases_both_credit() {
    let Some(shop) = Shop::open(true).await else { return };
    let token = shop.app.register("buyer@example.com").await;
    let (a, b) = (shop.card("4242424242424242").await, shop.card("4242424242424242").await);
    let (first, second) = tokio::join!(shop.buy(&token, json!({"pack": "10", "payment_method": a})), shop.buy(&token, json!({"pack": "50", "payment_method": b})));
    assert_eq!((first.0, second.0), (201, 201), "{first:?} {second:?}");
    for started in [&first.1, &second.1] {
        let done = shop.settled(&token, started["purchase_id"].as_str().expect("id")).await;
        assert_eq!(done["status"], "succeeded", "{done}");
    }
    assert_eq!(shop.app.balance(&token).await, 10 + 10 + 50);
    shop.app.assert_ledger_matches("buyer@example.com", &token).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_refund_takes_back_unspent_credits_and_never_overdraws() {
    let Some(shop) = Shop::open(true).await else { return };
    let token = shop.app.register("buyer@example.com").await;
    let card = shop.card("4242424242424242").await;
    let (_, started) = shop.buy(&token, json!({"pack": "10", "payment_method": card})).await;
    let id = started["purchase_id"].as_str().expect("id").to_string();
    assert_eq!(shop.settled(&token, &id).await["status"], "succeeded");
    assert_eq!(shop.app.balance(&token).await, 20);
    // Spend 16 of the 20: two creates of four 4K images.
    for _ in 0..2 {
        let (status, body) = shop.app.create(&token, json!({"prompt": "Spend", "resolution": "4K", "number_of_infographs": 4})).await;
        assert_eq!(status, 201, "{body}");
    }
    assert_eq!(shop.app.balance(&token).await, 4);
    // Refunded in full at Stripe: its charge, as Stripe's `charge.refunded` event carries it.
    let pi = shop.payment_intent_of(&id).await;
    let refund = shop.stripe_post("/v1/refunds", &[("payment_intent", pi.as_str())]).await;
    assert_eq!(refund["status"], "succeeded", "{refund}");
    let charge_id = shop.stripe_get(&format!("/v1/payment_intents/{pi}")).await["latest_charge"]["id"].as_str().expect("charge").to_string();
    let mut charge = shop.stripe_get(&format!("/v1/charges/{charge_id}")).await;
    assert_eq!(charge["amount_refunded"], 500, "{charge}");
    charge["payment_intent"] = json!(pi);
    let event = json!({"id": "evt_refund", "type": "charge.refunded", "created": now_secs(), "data": {"object": charge}});
    let (status, body) = shop.deliver(&event, now_secs(), SECRET).await;
    assert_eq!((status, body["applied"].as_str()), (200, Some("refunded")), "{body}");
    // The 4 unspent are taken back; the 6 spent are recorded; the balance is 0, not -6.
    assert_eq!(shop.app.balance(&token).await, 0);
    let receipt = shop.purchase(&token, &id).await;
    assert_eq!((receipt["refunded_amount"].as_i64(), receipt["refunded_credits"].as_i64()), (Some(500), Some(10)), "{receipt}");
    let note: Option<String> = sqlx::query_scalar("SELECT note FROM credit_ledger WHERE purchase_id = $1 AND reason = 'purchase_refund'")
        .bind(&id)
        .fetch_one(shop.app.running.state.db.read())
        .await
        .expect("refund row");
    assert_eq!(note.as_deref(), Some("6 refunded credits were already spent"));
    // The same event again: nothing more.
    let (status, body) = shop.deliver(&event, now_secs(), SECRET).await;
    assert_eq!((status, body["applied"].as_str()), (200, Some("nothing")));
    assert_eq!(shop.ledger_rows(&id, "purchase_refund").await, 1);
    shop.app.assert_ledger_matches("buyer@example.com", &token).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_amount_cannot_be_chosen_by_the_client() {
    let Some(shop) = Shop::open(true).await else { return };
    let token = shop.app.register("buyer@example.com").await;
    for (body, field) in [
        (json!({"pack": "50", "amount": 1}), "amount"),
        (json!({"pack": "50", "currency": "jpy"}), "currency"),
        (json!({"pack": "51"}), "pack"),
        (json!({}), "pack"),
        (json!({"pack": "50", "payment_method": "pm/../x"}), "payment_method"),
    ] {
        let (status, answer) = shop.buy(&token, body.clone()).await;
        assert_eq!(status, 400, "{body}: {answer}");
        assert!(answer["fields"].get(field).is_some(), "{body}: {answer}");
    }
    let uid = shop.app.user_id("buyer@example.com").await;
    assert_eq!(shop.app.count("SELECT COUNT(*) FROM purchases WHERE user_id = $1", &uid).await, 0, "nothing recorded");
    // What Stripe is asked for is the pack's price.
    let (status, started) = shop.buy(&token, json!({"pack": 200})).await;
    assert_eq!(status, 201, "{started}");
    let pi = shop.payment_intent_of(started["purchase_id"].as_str().expect("id")).await;
    let intent = shop.stripe_get(&format!("/v1/payment_intents/{pi}")).await;
    assert_eq!((intent["amount"].as_i64(), intent["currency"].as_str()), (Some(6000), Some("usd")), "{intent}");
    assert_eq!(intent["metadata"]["user_id"], uid);
    // Someone else's purchase is not found; the list is one's own.
    let other = shop.app.register("other@example.com").await;
    let (status, _) = shop.app.get(&other, &format!("/api/billing/purchases/{}/", started["purchase_id"].as_str().expect("id"))).await;
    assert_eq!(status, 404);
    let (_, list) = shop.app.get(&other, "/api/billing/purchases/").await;
    assert_eq!(list["count"], 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_lost_webhook_is_made_up_for_by_the_reconciler() {
    // No webhook registered at localstripe: only the reconciler can learn of the payment.
    let Some(shop) = Shop::open(false).await else { return };
    let token = shop.app.register("buyer@example.com").await;
    let card = shop.card("4242424242424242").await;
    let (_, started) = shop.buy(&token, json!({"pack": "50", "payment_method": card})).await;
    let id = started["purchase_id"].as_str().expect("id").to_string();
    let done = shop.settled(&token, &id).await;
    assert_eq!(done["status"], "succeeded", "{done}");
    assert_eq!(shop.app.balance(&token).await, 60);
    // A late webhook after the reconciler: nothing more.
    let pi = shop.payment_intent_of(&id).await;
    let event = shop.event("payment_intent.succeeded", &pi).await;
    let (status, body) = shop.deliver(&event, now_secs(), SECRET).await;
    assert_eq!((status, body["applied"].as_str()), (200, Some("nothing")));
    assert_eq!(shop.app.balance(&token).await, 60);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn without_stripe_keys_nothing_can_be_bought_and_nothing_else_changes() {
    let app = TestApp::spawn().await;
    let r = app.http.get(app.url("/api/billing/packs/")).send().await.expect("packs");
    assert_eq!(r.status(), 200);
    let packs: Value = r.json().await.expect("json");
    assert_eq!(packs["configured"], false);
    assert_eq!(packs["packs"][1], json!({"id": "50", "credits": 50, "amount": 2000, "currency": "usd", "price": "$20.00", "per_credit": "$0.40 a credit"}));
    let token = app.register("buyer@example.com").await;
    let (status, body) = app.post_json(Some(&token), "/api/billing/purchases/", json!({"pack": "50"}).to_string().into()).await;
    assert_eq!((status, body["error"].as_str()), (409, Some("unavailable")), "{body}");
    let (status, _) = app.post_json(None, "/api/billing/stripe/webhook/", "{}".into()).await;
    assert_eq!(status, 409);
    // Running out points at where credits are bought.
    let (status, body) = app.create(&token, json!({"prompt": "Too much", "resolution": "4K", "number_of_infographs": 4})).await;
    let (status2, body2) = app.create(&token, json!({"prompt": "Too much", "resolution": "4K", "number_of_infographs": 4})).await;
    assert_eq!((status, status2), (201, 402), "{body} {body2}");
    assert_eq!(body2["buy_url"], "/billing");
}
