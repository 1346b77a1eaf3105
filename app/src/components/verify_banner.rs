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

/// The notice for `/?email=…`, where the verification link lands (signed in, when followed in
/// the browser the sign-up was made in), for `/signin?email=confirmed` (followed anywhere else)
/// and for `/?password=changed`, where a password reset does.
#[component]
pub fn VerifyOutcome() -> impl IntoView {
    let query = use_query_map();
    move || {
        if query.read().get("password").as_deref() == Some("changed") {
            let text = "Your password is changed and you are signed in. Every other session of your account was signed out.";
            return Some(view! { <p class="notice" role="status" data-testid="password-outcome">{text}</p> }.into_any());
        }
        let text = match query.read().get("email").as_deref() {
            Some("confirmed") => confirmed_text(),
            Some("already-confirmed") => "Your email address was already confirmed.".to_string(),
            Some("confirmed-elsewhere") => {
                "That address is confirmed. It belongs to another account than the one signed in here: sign out and sign in with it to use it.".to_string()
            }
            Some("expired") => "That link has expired. Sign in and ask for a new one.".to_string(),
            Some("invalid") => "That link is not valid. Sign in and ask for a new one.".to_string(),
            _ => return None,
        };
        Some(view! { <p class="notice" role="status" data-testid="verify-outcome">{text}</p> }.into_any())
    }
}

/// "Email confirmed — 10 credits added.", with the configured grant (rendered on the server, so
/// the number is not something a crafted link could set).
fn confirmed_text() -> String {
    #[cfg(feature = "ssr")]
    let credits = use_context::<crate::server::platform::state::AppState>().map_or(0, |s| s.config.signup_credits);
    #[cfg(not(feature = "ssr"))]
    let credits = 0;
    match credits {
        n if n > 0 => format!("Email confirmed — {n} credit{} added.", if n == 1 { "" } else { "s" }),
        _ => "Email confirmed.".to_string(),
    }
}
