//! How the page follows its family live: pushed updates (see `components/live.rs`) are laid
//! over the loaded versions, a pushed job of this family that the page does not know yet (a
//! refinement made here or in another tab) reloads the family, and while the push stream is
//! down the page polls every 3 s as long as a version is still running.

use crate::api::server_fns::viewer::viewer_page_data;
use crate::components::card::POLL_MS;
use crate::components::live::{account_refresh, tab_hidden, Live};
use crate::errors::AppError;
use crate::model::ViewerData;
use leptos::prelude::*;

/// The loaded data with every newer pushed state laid over it.
pub(super) fn with_pushed(mut data: ViewerData, live: Live) -> ViewerData {
    live.latest.with(|pushed| {
        for version in data.versions.iter_mut() {
            if let Some(next) = pushed.get(&version.id).filter(|next| next.is_newer_than(version)) {
                *version = next.clone();
            }
        }
    });
    if let Some(current) = data.versions.iter().find(|v| v.id == data.item.id) {
        data.item = current.clone();
    }
    data
}

/// A version refunded while the page is open (a failure, a cancel confirmed by fal): the header's
/// balance changed.
pub(super) fn refresh_balance_on_refund(shown: Memo<ViewerData>) {
    let refresh = account_refresh();
    let refunded = Memo::new(move |_| shown.with(|d| d.versions.iter().filter(|v| v.refunded).count()));
    Effect::new(move |before: Option<usize>| {
        let now = refunded.get();
        if before.is_some_and(|b| now > b) {
            refresh.bump();
        }
        now
    });
}

/// Reloads the family when a job of it is pushed that the page does not know, and polls while
/// the push stream is down and a version is still running (browser only).
pub(super) fn follow_family(loaded: RwSignal<ViewerData>, live: Live) {
    Effect::new(move |_| {
        let (family, known): (String, Vec<String>) = loaded.with(|d| {
            (d.item.family_id.clone().unwrap_or_else(|| d.item.id.clone()), d.versions.iter().map(|v| v.id.clone()).collect())
        });
        let unknown = live.latest.with(|pushed| {
            pushed.values().any(|v| v.family_id.as_deref() == Some(family.as_str()) && !known.contains(&v.id))
        });
        if unknown {
            reload(loaded);
        }
    });
    refetch_on_resync(loaded, live);
    poll_while_running(loaded, live);
}

/// The push stream opened (or fell behind): whatever changed between the page's render and now
/// was not pushed, so a running version is fetched again. A stream that opened before this
/// island hydrated (the resync count is already past zero) counts too.
fn refetch_on_resync(loaded: RwSignal<ViewerData>, live: Live) {
    Effect::new(move |_| {
        let opened = live.resync.get() > 0;
        if opened && loaded.with_untracked(|d| d.versions.iter().any(|v| !v.is_settled())) {
            reload(loaded);
        }
    });
}

/// Fetches the page's data again and shows it.
pub(super) fn reload(loaded: RwSignal<ViewerData>) {
    leptos::task::spawn_local(async move {
        let _ = fetch_into(loaded).await;
    });
}

/// The newest fetch of the page's data started: an answer to an older one is stale.
static LATEST_FETCH: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Fetches the page's data into `loaded`: `Ok(false)` once the page is gone. Fetches overlap (a
/// push, the poll, a new version); only the newest one's answer is shown, so a slow answer from
/// before a change can never replace the page's view of after it.
async fn fetch_into(loaded: RwSignal<ViewerData>) -> Result<bool, AppError> {
    use std::sync::atomic::Ordering;
    let Some(id) = loaded.try_with_untracked(|d| d.item.id.clone()) else { return Ok(false) };
    let ticket = LATEST_FETCH.fetch_add(1, Ordering::SeqCst) + 1;
    let next = viewer_page_data(id).await?;
    if LATEST_FETCH.load(Ordering::SeqCst) != ticket {
        return Ok(true);
    }
    Ok(loaded.try_set(next).is_none())
}

#[cfg(feature = "hydrate")]
fn poll_while_running(loaded: RwSignal<ViewerData>, live: Live) {
    leptos::task::spawn_local(async move {
        loop {
            gloo_timers::future::TimeoutFuture::new(POLL_MS).await;
            // The page is gone: stop.
            let Some(running) = loaded.try_with_untracked(|d| d.versions.iter().any(|v| !v.is_settled())) else { break };
            if !running || live.connected.try_get_untracked().unwrap_or(false) || tab_hidden() {
                continue;
            }
            match fetch_into(loaded).await {
                Ok(true) => {}
                // The page is gone, signed out elsewhere, or the infograph deleted: stop.
                Ok(false) | Err(AppError::Unauthorized | AppError::NotFound) => break,
                // A network blip: try again at the next tick.
                Err(_) => {}
            }
        }
    });
}

#[cfg(not(feature = "hydrate"))]
fn poll_while_running(_loaded: RwSignal<ViewerData>, _live: Live) {
    let _ = (tab_hidden, POLL_MS);
}
