use crate::api::server_fns::auth::get_account;
use crate::components::header::Header;
use crate::components::live::{HydrationMark, Toasts};
use crate::components::not_found::NotFound;
use crate::context::AccountResource;
use crate::pages::{admin::AdminPage, auth::SignInPage, auth::SignUpPage, home::HomePage, settings::SettingsPage, viewer::ViewerPage};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Meta, MetaTags, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{path, SsrMode};

pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    set_page_policy();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                // The bundle's content-hashed name (see `api::assets`).
                <link rel="stylesheet" href=format!("/pkg/{}.css", options.output_name)/>
                <AutoReload options=options.clone()/>
                {if needs_wasm() { Some(view! { <HydrationScripts options islands=true/> }) } else { serialize_nothing(); None }}
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The whole page is rendered on the server; only the islands (`#[island]`: the workspace, the
/// viewer, the forms, the balance, the toasts) hydrate in the browser. Every route renders in
/// `Async` mode: the page is sent once all its data is loaded, so a status (a viewer's 404) set
/// while loading is in the response's head.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let account = Resource::new(|| (), |_| get_account());
    provide_context(AccountResource(account));
    let signed_in = move || account.get().is_some_and(|r| matches!(r, Ok(Some(_))));

    view! {
        <Title text="Infograph"/>
        <Meta name="description" content="Turn a prompt or a blog post into an AI-generated infographic: review it full size, refine it with a sentence, keep every version."/>
        <Router>
            <Header/>
            <main class="container">
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=HomePage ssr=SsrMode::Async/>
                    <Route path=path!("/signin") view=SignInPage ssr=SsrMode::Async/>
                    <Route path=path!("/signup") view=SignUpPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin") view=AdminPage ssr=SsrMode::Async/>
                    <Route path=path!("/settings") view=SettingsPage ssr=SsrMode::Async/>
                    <Route path=path!("/i/:id") view=ViewerPage ssr=SsrMode::Async/>
                </Routes>
            </main>
            <Suspense fallback=|| ()>{move || signed_in().then(|| view! { <Toasts/> })}</Suspense>
            <HydrationMark/>
        </Router>
    }
}

/// Whether the page has islands worth loading the wasm for: everything a signed-in visitor
/// sees, and the sign-in and sign-up forms. A signed-out visitor anywhere else (the landing page,
/// a 404) downloads none: those pages are plain HTML. Decided before the body is rendered, from
/// the request alone: a session cookie (valid or not) means "maybe signed in".
fn needs_wasm() -> bool {
    #[cfg(feature = "ssr")]
    {
        let Some(parts) = use_context::<http::request::Parts>() else { return true };
        let path = parts.uri.path().trim_end_matches('/');
        crate::api::extract::session_token(&parts.headers).is_some() || matches!(path, "/signin" | "/signup")
    }
    #[cfg(not(feature = "ssr"))]
    true
}

/// A page without islands needs none of its resources' data in the browser: no script at all.
/// (`HydrationScripts` does the same for island pages: islands get their data as props.)
fn serialize_nothing() {
    if let Some(context) = Owner::current_shared_context() {
        context.set_is_hydrating(false);
    }
}

/// The page's Content-Security-Policy, with the nonce Leptos put on this response's inline
/// scripts (see `api::guards::page_policy`).
#[cfg(feature = "ssr")]
fn set_page_policy() {
    if let (Some(nonce), Some(response)) = (leptos::nonce::use_nonce(), use_context::<leptos_axum::ResponseOptions>()) {
        if let Ok(value) = axum::http::HeaderValue::from_str(&crate::api::guards::page_policy(&nonce)) {
            response.insert_header(axum::http::header::CONTENT_SECURITY_POLICY, value);
        }
    }
}
