use crate::api::server_fns::auth::get_account;
use crate::api::server_fns::infographs::{list_infographs, CreateInfographs};
use crate::components::header::Header;
use crate::components::live::Toasts;
use crate::context::{AccountRefresh, AccountResource, BalanceResource, FormPrefill, ViewerResource, Workspace};
use crate::pages::{admin::AdminPage, auth::SignInPage, auth::SignUpPage, home::HomePage, settings::SettingsPage, viewer::ViewerPage};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Meta, MetaTags, Stylesheet, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

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
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let refresh = AccountRefresh(RwSignal::new(0));
    provide_context(refresh);
    // Who is signed in changes only with a page load; the balance changes with every charge and
    // refund. Two resources, so a balance refresh never re-renders the page around the form.
    provide_context(AccountResource(Resource::new(|| (), |_| get_account())));
    provide_context(BalanceResource(Resource::new(move || refresh.0.get(), |_| get_account())));
    // The gallery's data and the create action live here, before any <Transition>: resources
    // hydrate from the server's data by creation order, and a resource created after a suspense
    // boundary got a different order in the browser than on the server.
    let create = ServerAction::<CreateInfographs>::new();
    let items = Resource::new(move || create.version().get(), |_| list_infographs());
    provide_context(Workspace { create, items });
    provide_context(FormPrefill(RwSignal::new(None)));
    provide_context(ViewerResource::new());
    // Signals only (no resources): safe after the resources above.
    crate::components::live::provide_live();
    mark_hydrated();

    view! {
        <Stylesheet id="leptos" href="/pkg/infograph.css"/>
        <Title text="Infograph"/>
        <Meta name="description" content="Turn a prompt or a blog post into an AI-generated infographic: review it full size, refine it with a sentence, keep every version."/>
        <Router>
            <Header/>
            <main class="container">
                <Routes fallback=|| view! { <p class="notice">"Page not found."</p> }>
                    <Route path=path!("/") view=HomePage/>
                    <Route path=path!("/signin") view=SignInPage/>
                    <Route path=path!("/signup") view=SignUpPage/>
                    <Route path=path!("/admin") view=AdminPage/>
                    <Route path=path!("/settings") view=SettingsPage/>
                    <Route path=path!("/i/:id") view=ViewerPage/>
                </Routes>
            </main>
            <Toasts/>
        </Router>
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

/// Sets `data-hydrated` on `<body>` once the wasm has taken over, so end-to-end tests (and
/// people reading the DOM) know forms now submit through the app rather than as plain posts.
fn mark_hydrated() {
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(body) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.body()) {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
}
