use crate::api::server_fns::auth::SignOut;
use crate::context::{AccountResource, BalanceResource};
use leptos::prelude::*;

#[component]
pub fn Header() -> impl IntoView {
    let AccountResource(account) = expect_context();
    let sign_out = ServerAction::<SignOut>::new();
    reload_after(move || matches!(sign_out.value().get(), Some(Ok(_))));
    view! {
        <header class="topbar">
            <a class="brand" href="/">"Infograph"</a>
            <Transition fallback=|| ()>
                {move || account.get().map(|result| match result {
                    Ok(Some(acc)) => view! {
                        <nav class="account">
                            {acc.is_admin.then(|| view! { <a href="/admin" data-testid="admin-link">"Admin"</a> })}
                            <a href="/api/docs/" rel="external">"API"</a>
                            <span class="email">{acc.email.clone()}</span>
                            <Balance/>
                            <a href="/settings" data-testid="settings-link">"Settings"</a>
                            <ActionForm action=sign_out>
                                <button type="submit" class="link">"Sign out"</button>
                            </ActionForm>
                        </nav>
                    }.into_any(),
                    _ => view! {
                        <nav class="account">
                            <a href="/signin">"Sign in"</a>
                            <a href="/signup" class="button">"Sign up"</a>
                        </nav>
                    }.into_any(),
                })}
            </Transition>
        </header>
    }
}

#[component]
fn Balance() -> impl IntoView {
    let BalanceResource(balance) = expect_context();
    view! {
        <Transition fallback=|| ()>
            {move || balance.get().and_then(|r| r.ok().flatten()).map(|acc| view! {
                <span class="balance" data-testid="balance">{format!("{} credits", acc.credit_balance)}</span>
            })}
        </Transition>
    }
}

/// After a successful sign-in, sign-up or sign-out, load the home page afresh so every part of
/// the page (header, gallery) reflects the new session.
pub fn reload_after(succeeded: impl Fn() -> bool + Send + Sync + 'static) {
    Effect::new(move |_| {
        if succeeded() {
            #[cfg(feature = "hydrate")]
            if let Some(window) = web_sys::window() {
                let _ = window.location().set_href("/");
            }
        }
    });
}
