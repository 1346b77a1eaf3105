use crate::api::server_fns::auth::get_account;
use crate::components::header::Header;
use crate::components::live::{HydrationMark, Toasts};
use crate::components::not_found::NotFound;
use crate::context::AccountResource;
use crate::pages::billing::BillingPage;
use crate::pages::{admin::AdminPage, auth::SignInPage, auth::SignUpPage, home::HomePage, settings::SettingsPage, viewer::ViewerPage};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Meta, MetaTags, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{path, SsrMode};

pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::api::guards::record_page_nonce();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                // The bundle, in its content-named directory (see `api::assets`).
                <link rel="stylesheet" href=format!("/pkg/{}.css", options.output_name)/>
                <AutoReload options=options.clone()/>
                {if needs_wasm() { Some(view! { <IslandScripts options/> }) } else { serialize_nothing(); None }}
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
            // The skip link's target (`components::header`); focusable so the keyboard lands in it.
            <main class="container" id="main" tabindex="-1">
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=HomePage ssr=SsrMode::Async/>
                    <Route path=path!("/signin") view=SignInPage ssr=SsrMode::Async/>
                    <Route path=path!("/signup") view=SignUpPage ssr=SsrMode::Async/>
                    <Route path=path!("/reset-password") view=crate::pages::auth::ResetPasswordPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin") view=AdminPage ssr=SsrMode::Async/>
                    <Route path=path!("/settings") view=SettingsPage ssr=SsrMode::Async/>
                    <Route path=path!("/billing") view=BillingPage ssr=SsrMode::Async/>
                    <Route path=path!("/i/:id") view=ViewerPage ssr=SsrMode::Async/>
                </Routes>
            </main>
            <Suspense fallback=|| ()>{move || signed_in().then(|| view! { <Toasts/> })}</Suspense>
            <HydrationMark/>
        </Router>
    }
}

/// Whether the page has islands worth loading the wasm for: everything a signed-in visitor
/// sees, and the sign-in, sign-up and password-reset forms. A signed-out visitor anywhere else (the landing page,
/// a 404) downloads none: those pages are plain HTML. Decided before the body is rendered, from
/// the request alone: a session cookie (valid or not) means "maybe signed in".
fn needs_wasm() -> bool {
    #[cfg(feature = "ssr")]
    {
        let Some(parts) = use_context::<http::request::Parts>() else { return true };
        let path = parts.uri.path().trim_end_matches('/');
        crate::api::extract::session_token(&parts.headers).is_some() || matches!(path, "/signin" | "/signup" | "/reset-password")
    }
    #[cfg(not(feature = "ssr"))]
    true
}

/// The islands' loader: the bundle is fetched when the page is idle, after what the page shows
/// first. Leptos' `HydrationScripts` also preloads it at high priority, which on a phone's
/// connection delays the largest picture by the bundle's download (Lighthouse measured 3 s of LCP).
#[component]
fn IslandScripts(options: LeptosOptions) -> impl IntoView {
    serialize_nothing();
    let name = options.output_name.to_string();
    let script = format!("({})(\"\", {:?}, {name:?}, {name:?});", include_str!("islands_loader.js").trim_end().trim_end_matches(';'), options.site_pkg_dir.as_ref());
    view! { <script type="module" nonce=leptos::nonce::use_nonce()>{script}</script> }
}

/// A page's resources' data is never needed in the browser: islands get theirs as props, and a
/// page without islands runs no script at all.
fn serialize_nothing() {
    if let Some(context) = Owner::current_shared_context() {
        context.set_is_hydrating(false);
    }
}
