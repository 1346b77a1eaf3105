//! What a signed-in user whose address is not confirmed yet sees above the form: why they have
//! no credits, and a way to get the link again. And, after following a link, what it did.

use crate::api::server_fns::auth::ResendVerification;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[island]
pub fn VerifyBanner(email: String) -> impl IntoView {
    let resend = ServerAction::<ResendVerification>::new();
    let outcome = move || {
        resend.value().get().map(|r| match r {
            Ok(()) => "Sent. Check your inbox.".to_string(),
            Err(e) => e.to_string(),
        })
    };
    view! {
        <div class="banner" role="status" data-testid="verify-banner">
            <p>
                "Confirm your email address to get your free credits: we sent a link to "
                <strong>{email}</strong> "."
            </p>
            <button type="button" class="link" data-testid="resend-verification" disabled=move || resend.pending().get()
                on:click=move |_| { resend.dispatch(ResendVerification {}); }>
                "Send the link again"
            </button>
            {move || outcome().map(|text| view! { <p data-testid="resend-outcome">{text}</p> })}
        </div>
    }
}

/// The notice for `/?email=…`, where the verification link lands.
#[component]
pub fn VerifyOutcome() -> impl IntoView {
    let query = use_query_map();
    move || {
        let text = match query.read().get("email").as_deref() {
            Some("confirmed") => "Your email address is confirmed and your free credits are in your account.",
            Some("already-confirmed") => "Your email address was already confirmed.",
            Some("expired") => "That link has expired. Sign in and ask for a new one.",
            Some("invalid") => "That link is not valid. Sign in and ask for a new one.",
            _ => return None,
        };
        Some(view! { <p class="notice" role="status" data-testid="verify-outcome">{text}</p> })
    }
}
