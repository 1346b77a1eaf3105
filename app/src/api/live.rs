//! `GET /api/events/`: the signed-in user's job changes as Server-Sent Events.
//!
//! SSE rather than WebSockets: the updates flow one way (server → browser), SSE is plain HTTP
//! (cookies, `Authorization`, proxies and load balancers work unchanged), and the browser's
//! `EventSource` reconnects by itself. Each stream carries only its user's jobs: `job` events
//! whose data is the job's `InfographView` (with its `version`), a `ready` event when the stream
//! opens, and `resync` when this subscriber fell behind and must refetch. A comment is sent
//! every 15 s so idle connections are not cut by proxies.

use super::extract::{request_user, Caller};
use super::types::{ErrorBody, LiveEvent};
use crate::errors::AppError;
use crate::server::delivery::events::JobEvent;
use crate::server::platform::state::AppState;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;
use tokio_stream::wrappers::errors::BroadcastStreamRecvError;
use tokio_stream::wrappers::BroadcastStream;

pub const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// Resolves once the caller's session or token no longer authenticates them (signed out,
/// revoked, account gone): an open stream must not outlive the right to read it. A database
/// error is not a revocation; the next check decides.
async fn until_revoked(state: AppState, headers: HeaderMap, user_id: String, every: Duration) {
    loop {
        tokio::time::sleep(every).await;
        match request_user(&state, &headers).await {
            Ok(Some(user)) if user.id == user_id => {}
            Ok(_) => return,
            Err(_) => {}
        }
    }
}

fn job_event(view: &crate::model::InfographView) -> Event {
    Event::default()
        .event("job")
        .json_data(view)
        .unwrap_or_else(|_| Event::default().event("resync").data("unserializable"))
}

/// Filters the instance-wide broadcast down to one user's jobs.
fn for_user(item: Result<Arc<JobEvent>, BroadcastStreamRecvError>, user_id: &str) -> Option<Event> {
    match item {
        Ok(event) => match &event.view {
            Some(view) if event.user_id == user_id => Some(job_event(view)),
            Some(_) => None,
            // The instance (re)connected to PostgreSQL's notifications and may have missed some.
            None => Some(Event::default().event("resync").data("reconnected")),
        },
        // Events were dropped for this subscriber: it must refetch what it shows.
        Err(BroadcastStreamRecvError::Lagged(_)) => Some(Event::default().event("resync").data("lagged")),
    }
}

/// Live updates of the caller's infographs as Server-Sent Events: `ready` on open, a `job` event
/// (the infograph's JSON) on every change, `resync` when updates were dropped (refetch), and a
/// keep-alive comment every 15 s. Session cookie or `Authorization: Token`.
#[utoipa::path(get, path = "/api/events/", tag = "infographs", security(("token" = [])),
    responses(
        (status = 200, description = "An endless event stream", content_type = "text/event-stream", body = LiveEvent),
        (status = 401, body = ErrorBody, content_type = "application/json"),
        (status = 429, description = "Too many open streams for this user; poll instead", body = ErrorBody, content_type = "application/json"),
    ))]
pub async fn events(State(state): State<AppState>, Caller(user): Caller, headers: HeaderMap) -> Result<Response, AppError> {
    // Over the limit the browser's EventSource gives up and the page polls instead.
    let slot = state.events.open_stream(&user.id).ok_or(AppError::RateLimited { retry_after_secs: 60 })?;
    let updates = BroadcastStream::new(state.events.subscribe());
    let mut closed = state.events.closed();
    let revoked = until_revoked(state.clone(), headers.clone(), user.id.clone(), state.config.event_stream_recheck);
    let user_id = user.id;
    let ready = futures::stream::once(async { Event::default().event("ready").data("{}") });
    let stream = ready
        .chain(updates.filter_map(move |item| futures::future::ready(for_user(item, &user_id))))
        .map(Ok::<_, Infallible>)
        .take_until(async move {
            tokio::select! {
                _ = closed.wait_for(|closed| *closed) => {}
                () = revoked => {}
            }
        })
        // The stream owns the slot: it is released when the stream is dropped.
        .map(move |event| {
            let _held = &slot;
            event
        });
    let sse = Sse::new(stream).keep_alive(KeepAlive::new().interval(KEEP_ALIVE));
    // nginx and similar proxies buffer responses unless told not to.
    Ok(([("x-accel-buffering", "no")], sse).into_response())
}
