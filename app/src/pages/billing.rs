//! `/billing`: the credit packs and their prices (anyone may look), the checkout (an island: the
//! card form is Stripe.js), and the buyer's purchases. The page never credits anything: it shows
//! the purchase's state until Stripe's webhook has credited it.

use crate::api::server_fns::billing::billing_page_data;
use crate::components::format::when;
use crate::errors::AppError;
use crate::model::billing::{money, BillingInfo, PackView, PurchaseStatus, PurchaseView};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn BillingPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| billing_page_data());
    view! {
        <Title text="Buy credits — Infograph"/>
        <section class="billing" data-testid="billing">
            <h1>"Buy credits"</h1>
            <p class="lead">"Credits pay for pictures: 1 credit an image at 1K or 2K, 2 at 4K. A failed generation gives its credits back. Credits do not expire."</p>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || data.get().map(|result| match result {
                    Ok((info, purchases)) => page(info, purchases).into_any(),
                    Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                })}
            </Suspense>
        </section>
    }
}

fn page(info: BillingInfo, purchases: Option<Vec<PurchaseView>>) -> impl IntoView {
    let packs = pack_list(&info.packs);
    let buying = match (&purchases, info.configured) {
        (None, _) => view! { <p class="notice"><a href="/signin">"Sign in"</a> " to buy credits."</p> }.into_any(),
        (Some(_), false) => view! {
            <p class="notice" data-testid="billing-off">"Purchases are not configured on this server: ask its administrator for credits."</p>
        }
        .into_any(),
        (Some(_), true) => view! {
            <Checkout packs=info.packs.clone() publishable_key=info.publishable_key.clone().unwrap_or_default() js_url=info.js_url.clone().unwrap_or_default()/>
        }
        .into_any(),
    };
    view! {
        {packs}
        {buying}
        {purchases.map(history)}
    }
}

fn pack_list(packs: &[PackView]) -> impl IntoView {
    view! {
        <ul class="packs" data-testid="packs">
            {packs.iter().map(|p| view! {
                <li class="pack" data-pack=p.id.clone()>
                    <strong class="pack-credits">{format!("{} credits", p.credits)}</strong>
                    <span class="pack-price">{p.price()}</span>
                    <span class="muted">{p.per_credit()}</span>
                </li>
            }).collect_view()}
        </ul>
    }
}

/// The buyer's purchases: receipts, and what failed and why.
pub fn history(purchases: Vec<PurchaseView>) -> impl IntoView {
    view! {
        <h2>"Your purchases"</h2>
        {if purchases.is_empty() {
            view! { <p class="empty">"None yet."</p> }.into_any()
        } else {
            view! {
                <div class="table-scroll" tabindex="0" role="region" aria-label="Your purchases">
                    <table class="admin-table" data-testid="purchases">
                        <thead><tr><th>"Date"</th><th>"Credits"</th><th>"Price"</th><th>"State"</th></tr></thead>
                        <tbody>
                            {purchases.iter().map(|p| view! {
                                <tr data-status=p.status.as_str()>
                                    <td>{when(p.created_at)}</td>
                                    <td>{p.credits}</td>
                                    <td>{p.price()}</td>
                                    <td>{purchase_state(p)}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            }.into_any()
        }}
    }
}

/// "paid", "refunded $10.00 (25 credits)", "declined: Your card was declined."
pub fn purchase_state(p: &PurchaseView) -> String {
    match p.status {
        PurchaseStatus::Pending => "waiting for the payment".to_string(),
        PurchaseStatus::Succeeded if p.refunded_amount > 0 => {
            format!("paid, {} refunded ({} credits)", money(p.refunded_amount, &p.currency), p.refunded_credits)
        }
        PurchaseStatus::Succeeded => "paid".to_string(),
        PurchaseStatus::Failed => format!("not paid: {}", p.failure_reason.clone().unwrap_or_else(|| "the payment failed".into())),
    }
}

/// The pack choice, Stripe's card form and the pay button; then the purchase's state, read until
/// it is final.
#[island(lazy)]
fn Checkout(packs: Vec<PackView>, publishable_key: String, js_url: String) -> impl IntoView {
    let chosen = RwSignal::new(packs.get(packs.len() / 2).or(packs.first()).map(|p| p.id.clone()).unwrap_or_default());
    let phase = RwSignal::new(Phase::Idle);
    let card = stripe::CardForm::new(publishable_key, js_url);
    let price = {
        let packs = packs.clone();
        move || packs.iter().find(|p| p.id == chosen.get()).map(|p| p.price()).unwrap_or_default()
    };
    let pay = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if phase.get_untracked().busy() {
            return;
        }
        phase.set(Phase::Paying);
        let pack = chosen.get_untracked();
        let card = card.clone();
        leptos::task::spawn_local(async move {
            let outcome = checkout(card, pack).await;
            let _ = phase.try_set(outcome);
        });
    };
    view! {
        <form class="checkout" on:submit=pay data-testid="checkout">
            <fieldset>
                <legend>"Pack"</legend>
                {packs.iter().map(|p| {
                    let id = p.id.clone();
                    let checked = chosen.get_untracked() == id;
                    view! {
                        <label class="check">
                            <input type="radio" name="pack" value=id.clone() checked=checked
                                on:change=move |_| chosen.set(id.clone())/>
                            {format!("{} credits — {}", p.credits, p.price())}
                        </label>
                    }
                }).collect_view()}
            </fieldset>
            <label for="card-element">"Card"</label>
            <div id="card-element" class="card-element" data-testid="card-element"></div>
            <button type="submit" data-testid="pay" disabled=move || phase.get().busy()>
                {move || if phase.get().busy() { "Paying…".to_string() } else { format!("Pay {}", price()) }}
            </button>
            // Written in place rather than built when needed: after Stripe.js' stand-in loads, new
            // elements could not be checked (see `CardForm`), so these exist from the start.
            <div aria-live="polite">
                <p class="muted" hidden=move || phase.get() != Phase::Paying>"Paying…"</p>
                <p class="muted" data-testid="purchase-pending" hidden=move || phase.get() != Phase::Confirming>
                    "Payment received; your credits are on their way…"
                </p>
                <p class="form-ok" data-testid="purchase-ok" hidden=move || !matches!(phase.get(), Phase::Done(_))>
                    {move || match phase.get() { Phase::Done(credits) => format!("Thank you! {credits} credits were added to your balance."), _ => String::new() }}
                </p>
                <p class="form-error" role="alert" data-testid="purchase-error" hidden=move || !matches!(phase.get(), Phase::Failed(_))>
                    {move || match phase.get() { Phase::Failed(why) => why, _ => String::new() }}
                </p>
            </div>
        </form>
    }
}

/// Where the checkout is.
#[derive(Debug, Clone, PartialEq)]
enum Phase {
    Idle,
    Paying,
    /// Paid at Stripe; waiting for its webhook to credit.
    Confirming,
    Done(i64),
    Failed(String),
}

impl Phase {
    fn busy(&self) -> bool {
        matches!(self, Self::Paying | Self::Confirming)
    }
}

/// The card form's SetupIntent, confirmed by Stripe.js with the card; the pack charged to it;
/// then the purchase's state until Stripe's webhook has credited it (or it failed).
async fn checkout(card: stripe::CardForm, pack: String) -> Phase {
    use crate::api::server_fns::billing::{buy_pack, purchase_status, start_card_setup};
    let failed = |e: AppError| Phase::Failed(e.to_string());
    let (secret, _) = match start_card_setup().await {
        Ok(setup) => setup,
        Err(e) => return failed(e),
    };
    let setup_intent = match card.confirm(&secret).await {
        Ok(id) => id,
        Err(why) => return Phase::Failed(why),
    };
    let (purchase, action) = match buy_pack(pack, setup_intent).await {
        Ok(bought) => bought,
        Err(e) => return failed(e),
    };
    // The bank wants the buyer to confirm (3-D Secure): Stripe.js shows its check.
    if let Some(secret) = action {
        if let Err(why) = card.confirm_payment(&secret).await {
            return Phase::Failed(why);
        }
    }
    // Up to two minutes: Stripe's webhook usually comes within seconds; the purchase stays in
    // the list below either way.
    for _ in 0..120 {
        match purchase_status(purchase.id.clone()).await {
            Ok(p) if p.status == PurchaseStatus::Succeeded => {
                crate::components::live::account_refresh().bump();
                return Phase::Done(p.credits);
            }
            Ok(p) if p.status == PurchaseStatus::Failed => {
                return Phase::Failed(p.failure_reason.unwrap_or_else(|| "the payment failed".into()));
            }
            _ => {}
        }
        wait_a_second().await;
    }
    Phase::Confirming
}

async fn wait_a_second() {
    #[cfg(feature = "hydrate")]
    gloo_timers::future::TimeoutFuture::new(1_000).await;
}

/// Stripe.js from Rust: the card element and `confirmCardSetup`. Only in the browser.
mod stripe {
    /// The card form, mounted into `#card-element` once Stripe.js has loaded (one per page).
    /// Stripe.js is added to the page only once the islands have hydrated: a stand-in used in
    /// tests declares a global `class Element`, which would make every hydration check of an
    /// element fail had it loaded first.
    #[derive(Clone)]
    pub struct CardForm {
        key: String,
    }

    #[cfg(feature = "hydrate")]
    thread_local! {
        // The browser has one thread; the JS objects stay on it.
        static MOUNTED: std::cell::RefCell<Option<(js::Stripe, js::Card)>> = const { std::cell::RefCell::new(None) };
    }

    impl CardForm {
        pub fn new(publishable_key: String, js_url: String) -> Self {
            let form = Self { key: publishable_key };
            #[cfg(feature = "hydrate")]
            {
                let mounting = form.clone();
                leptos::prelude::Effect::new(move |_| mounting.load(&js_url));
            }
            #[cfg(not(feature = "hydrate"))]
            let _ = js_url;
            form
        }

        /// Adds Stripe.js to the page and mounts the card form when it has loaded.
        #[cfg(feature = "hydrate")]
        fn load(&self, js_url: &str) {
            use wasm_bindgen::JsCast;
            let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
            let (Ok(script), Some(body)) = (document.create_element("script"), document.body()) else { return };
            let _ = script.set_attribute("src", js_url);
            let form = self.clone();
            let loaded = wasm_bindgen::closure::Closure::once_into_js(move || form.mount());
            let _ = script.add_event_listener_with_callback("load", loaded.unchecked_ref());
            let _ = body.append_child(&script);
        }

        #[cfg(feature = "hydrate")]
        fn mount(&self) {
            MOUNTED.with_borrow_mut(|mounted| {
                if mounted.is_some() {
                    return;
                }
                let Ok(stripe) = js::stripe(&self.key) else { return };
                let card = stripe.elements().create("card");
                card.mount("#card-element");
                *mounted = Some((stripe, card));
            });
        }

        /// Confirms `secret` (a SetupIntent's) with the card: the SetupIntent's id, or why not.
        #[cfg(feature = "hydrate")]
        pub async fn confirm(&self, secret: &str) -> Result<String, String> {
            use wasm_bindgen::JsValue;
            self.mount();
            let promise = MOUNTED.with_borrow(|mounted| {
                let (stripe, card) = mounted.as_ref()?;
                let method = js_sys::Object::new();
                let _ = js_sys::Reflect::set(&method, &"card".into(), card);
                let data = js_sys::Object::new();
                let _ = js_sys::Reflect::set(&data, &"payment_method".into(), &method);
                Some(stripe.confirm_card_setup(secret, &data))
            });
            let promise = promise.ok_or("the card form could not be loaded; check your connection and reload")?;
            let answer = wasm_bindgen_futures::JsFuture::from(promise).await.map_err(|e| e.as_string().unwrap_or_else(|| "the card could not be checked".into()))?;
            let get = |v: &JsValue, key: &str| js_sys::Reflect::get(v, &key.into()).ok().filter(|v| !v.is_undefined() && !v.is_null());
            if let Some(error) = get(&answer, "error") {
                return Err(get(&error, "message").and_then(|m| m.as_string()).unwrap_or_else(|| "the card was refused".into()));
            }
            get(&answer, "setupIntent").and_then(|s| get(&s, "id")).and_then(|id| id.as_string()).ok_or_else(|| "the card could not be checked".into())
        }

        /// Completes a PaymentIntent's 3-D Secure check (`confirmCardPayment`).
        #[cfg(feature = "hydrate")]
        pub async fn confirm_payment(&self, secret: &str) -> Result<(), String> {
            use wasm_bindgen::JsValue;
            let promise = MOUNTED.with_borrow(|mounted| mounted.as_ref().map(|(stripe, _)| stripe.confirm_card_payment(secret)));
            let promise = promise.ok_or("the card form could not be loaded; check your connection and reload")?;
            let answer = wasm_bindgen_futures::JsFuture::from(promise).await.map_err(|e| e.as_string().unwrap_or_else(|| "the payment could not be confirmed".into()))?;
            let error = js_sys::Reflect::get(&answer, &"error".into()).ok().filter(|v| !v.is_undefined() && !v.is_null());
            match error {
                Some(error) => Err(js_sys::Reflect::get(&error, &"message".into()).ok().and_then(|m: JsValue| m.as_string()).unwrap_or_else(|| "the bank refused the payment".into())),
                None => Ok(()),
            }
        }

        #[cfg(not(feature = "hydrate"))]
        pub async fn confirm_payment(&self, secret: &str) -> Result<(), String> {
            let _ = (secret, &self.key);
            Err("the card form works in the browser only".into())
        }

        #[cfg(not(feature = "hydrate"))]
        pub async fn confirm(&self, secret: &str) -> Result<String, String> {
            let _ = (secret, &self.key);
            Err("the card form works in the browser only".into())
        }
    }

    #[cfg(feature = "hydrate")]
    mod js {
        use wasm_bindgen::prelude::*;

        #[wasm_bindgen]
        extern "C" {
            pub type Stripe;
            pub type Elements;
            pub type Card;

            /// `Stripe(key)`, called as a function (Stripe.js allows both; a stand-in may not).
            #[wasm_bindgen(js_name = Stripe, catch)]
            pub fn stripe(key: &str) -> Result<Stripe, JsValue>;
            #[wasm_bindgen(method)]
            pub fn elements(this: &Stripe) -> Elements;
            #[wasm_bindgen(method, js_name = confirmCardSetup)]
            pub fn confirm_card_setup(this: &Stripe, secret: &str, data: &JsValue) -> js_sys::Promise;
            #[wasm_bindgen(method, js_name = confirmCardPayment)]
            pub fn confirm_card_payment(this: &Stripe, secret: &str) -> js_sys::Promise;
            #[wasm_bindgen(method)]
            pub fn create(this: &Elements, kind: &str) -> Card;
            #[wasm_bindgen(method)]
            pub fn mount(this: &Card, selector: &str);
        }
    }
}
