//! The whole HTTP surface in one table: the REST API, the event stream, stored images, server
//! functions, the Leptos pages and the static files, with the admin gate in front.

use super::extract::session_user;
use super::rest::{accounts, infographs, meta, webhook};
use super::{docs, live, media, openapi};
use crate::errors::AppError;
use crate::server::platform::state::AppState;
use axum::body::Body;
use axum::extract::State;
use axum::http::Request;
use axum::response::IntoResponse;
use axum::routing::{any, get, post};
use axum::Router;
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, handle_server_fns_with_context, LeptosRoutes};

/// The OpenAPI document and its page, rendered once.
fn published() -> meta::Published {
    let document = openapi::document();
    let json = document.to_json().unwrap_or_else(|e| {
        tracing::error!(error = %e, "cannot serialise the OpenAPI document");
        "{}".into()
    });
    let html = docs::render(&serde_json::to_value(&document).unwrap_or_default());
    meta::Published { json: json.into(), html: html.into() }
}

async fn server_fn_handler(State(state): State<AppState>, request: Request<Body>) -> impl IntoResponse {
    handle_server_fns_with_context(move || provide_context(state.clone()), request).await
}

/// `/admin` answers 404 to everyone but admins (the page then shows "Page not found"), so the
/// dashboard's existence is not advertised. The data behind it is checked per server function.
async fn admin_gate(State(state): State<AppState>, request: Request<Body>, next: axum::middleware::Next) -> axum::response::Response {
    if request.uri().path().trim_end_matches('/') != "/admin" {
        return next.run(request).await;
    }
    let admin = matches!(session_user(&state, request.headers()).await, Ok(Some(u)) if u.admin());
    let mut response = next.run(request).await;
    if !admin {
        *response.status_mut() = axum::http::StatusCode::NOT_FOUND;
    }
    response
}

/// The API's own 404: JSON, like every other API answer.
async fn api_not_found() -> AppError {
    AppError::NotFound
}

pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(crate::App);
    let context_state = state.clone();
    Router::new()
        .merge(meta::router(published()))
        .merge(accounts::router())
        .merge(infographs::router())
        .merge(webhook::router())
        .route("/api/events/", get(live::events))
        .route("/media/{id}/{file}", get(media::serve))
        .route("/api", any(api_not_found))
        .route("/api/", any(api_not_found))
        .route("/api/{*rest}", any(api_not_found))
        .route("/sfn/{*fn_name}", post(server_fn_handler).get(server_fn_handler))
        .leptos_routes_with_context(&state, routes, move || provide_context(context_state.clone()), {
            let options = state.leptos_options.clone();
            move || crate::shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(crate::shell))
        .layer(axum::middleware::from_fn_with_state(state.clone(), admin_gate))
        .with_state(state)
}
