//! The top bar: server-rendered links, the balance as an island (it changes with every charge
//! and refund), and on a phone the links folded into a "Menu" disclosure (no wasm needed).

use crate::context::AccountResource;
use crate::model::AccountView;
use leptos::prelude::*;

#[component]
pub fn Header() -> impl IntoView {
    let AccountResource(account) = expect_context();
    view! {
        <header class="topbar">
            // The first stop of the keyboard: past the header's links to the page itself.
            <a class="skip-link" href="#main">"Skip to content"</a>
            <a class="brand" href="/">"Infograph"</a>
            <Suspense fallback=|| ()>
                {move || account.get().map(|result| match result {
                    Ok(Some(acc)) => signed_in(acc).into_any(),
                    _ => view! {
                        <nav class="account" aria-label="Account">
                            <a href="/signin">"Sign in"</a>
                            <a href="/signup" class="button">"Sign up"</a>
                        </nav>
                    }.into_any(),
                })}
            </Suspense>
        </header>
    }
}

fn signed_in(acc: AccountView) -> impl IntoView {
    view! {
        <Balance initial=acc.credit_balance/>
        <details class="menu">
            <summary>"Menu"</summary>
            <nav class="account" aria-label="Account">
                {acc.is_admin.then(|| view! { <a href="/admin" data-testid="admin-link">"Admin"</a> })}
                <a href="/api/docs/" rel="external">"API"</a>
                <span class="email">{acc.email.clone()}</span>
                <a href="/settings" data-testid="settings-link">"Settings"</a>
                // A plain form: the server function answers it with a redirect home.
                <form method="post" action="/sfn/sign_out">
                    <button type="submit" class="link">"Sign out"</button>
                </form>
            </nav>
        </details>
    }
}

/// "12 credits", refetched whenever an island says the balance may have changed.
#[island]
fn Balance(initial: i64) -> impl IntoView {
    let balance = RwSignal::new(initial);
    let refresh = crate::components::live::account_refresh();
    Effect::new(move |first: Option<()>| {
        refresh.0.track();
        if first.is_some() {
            leptos::task::spawn_local(async move {
                if let Ok(Some(acc)) = crate::api::server_fns::auth::get_account().await {
                    let _ = balance.try_set(acc.credit_balance);
                }
            });
        }
    });
    view! {
        // To the billing page: the balance is where people look when it runs low.
        <a class="balance" href="/billing" data-testid="balance" title="Buy credits">{move || credits(balance.get())}</a>
    }
}

/// "1 credit", "12 credits".
pub fn credits(n: i64) -> String {
    format!("{n} credit{}", if n == 1 { "" } else { "s" })
}

/// After a successful sign-in, sign-up or sign-out, load the home page afresh so every part of
/// the page (header, gallery) reflects the new session.
pub fn reload_after(succeeded: impl Fn() -> bool + Send + Sync + 'static) {
    Effect::new(move |_| {
        if succeeded() {
            go_to("/");
        }
    });
}

/// Loads `path` as a new page (islands have no client-side router).
pub fn go_to(path: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(window) = web_sys::window() {
        let _ = window.location().set_href(path);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = path;
}
