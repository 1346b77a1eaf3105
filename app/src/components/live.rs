//! Live updates in the browser: one `EventSource` on `/api/events/` per page, shared by every
//! card, and the toasts shown when a job ends while the user is on another page.
//!
//! The page is server-rendered with islands: each island hydrates on its own, with no parent in
//! common, so what they share (this state and the balance refresh) is one page-wide [`Live`]
//! returned by [`live`], not a context.
//!
//! While the push stream is open, cards do not poll. When it is down (blocked, proxy trouble,
//! server restart) they poll every 3 s, but not while the tab is hidden; coming back to the tab
//! (visibility or focus) fetches at once. Every update carries the job's `version`, and a card
//! only ever applies a version at least as new as the one it shows.

use crate::context::AccountRefresh;
use crate::model::{InfographView, JobStatus};
use leptos::prelude::*;
use std::collections::HashMap;

/// The shared state of the push connection, provided by [`provide_live`].
#[derive(Clone, Copy)]
pub struct Live {
    /// The push stream is open and delivering: cards need not poll.
    pub connected: RwSignal<bool>,
    /// The newest state pushed for each job id.
    pub latest: RwSignal<HashMap<String, InfographView>>,
    /// Bumped when pushed events may have been missed (stream reopened, subscriber lagged):
    /// every running card fetches its status once.
    pub resync: RwSignal<u32>,
    /// Bumped when the tab becomes visible or focused: polling cards fetch at once.
    pub wake: RwSignal<u32>,
    pub toasts: RwSignal<Vec<Toast>>,
    /// Bumped when the balance may have changed (a charge, a refund): the header refetches it.
    pub refresh: AccountRefresh,
    /// Jobs already toasted: a job's later events (its stored copy) never toast again, even
    /// after the first toast was dismissed.
    toasted: RwSignal<std::collections::HashSet<String>>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Toast {
    pub key: u32,
    pub job_id: String,
    pub ok: bool,
    pub text: String,
}

impl Toast {
    /// The picture's own page, where the ready picture is (or why it is not).
    pub fn href(&self) -> String {
        format!("/i/{}", self.job_id)
    }

    pub fn link_text(&self) -> &'static str {
        if self.ok { "Open it" } else { "See details" }
    }
}

impl Live {
    fn new() -> Self {
        Live {
            connected: RwSignal::new(false),
            latest: RwSignal::new(HashMap::new()),
            resync: RwSignal::new(0),
            wake: RwSignal::new(0),
            toasts: RwSignal::new(Vec::new()),
            refresh: AccountRefresh(RwSignal::new(0)),
            toasted: RwSignal::new(std::collections::HashSet::new()),
        }
    }

    /// Whether a card should apply `next` over `current`: never an older version.
    pub fn is_newer(current: &InfographView, next: &InfographView) -> bool {
        next.is_newer_than(current)
    }

    /// A job reached a final state: tell the user unless they are looking at the gallery.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    fn toast_for(self, view: &InfographView, on_gallery: bool) {
        if !view.status.is_final() {
            return;
        }
        // The first final event decides, seen on the gallery or not.
        let first = self.toasted.try_update(|seen| seen.insert(view.id.clone())).unwrap_or(false);
        if !first || on_gallery {
            return;
        }
        let ok = view.status == JobStatus::Completed;
        let text = if ok {
            "Your infographic is ready.".to_string()
        } else if view.cancelled {
            format!("Your infographic was cancelled{}.", if view.refunded { " — credits refunded" } else { "" })
        } else if view.refunded {
            "Your infographic failed — credits refunded.".to_string()
        } else {
            "Your infographic failed.".to_string()
        };
        self.toasts.update(|list| {
            if list.iter().any(|t| t.job_id == view.id) {
                return;
            }
            let key = list.iter().map(|t| t.key).max().unwrap_or(0) + 1;
            list.push(Toast { key, job_id: view.id.clone(), ok, text });
        });
    }

    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    fn apply_pushed(self, view: InfographView) {
        self.latest.update(|map| {
            let newer = map.get(&view.id).is_none_or(|old| Self::is_newer(old, &view));
            if newer {
                map.insert(view.id.clone(), view);
            }
        });
    }
}

/// The page's live state. In the browser one value for the page's lifetime, shared by every
/// island; on the server a fresh one per island rendered (nothing is pushed there).
pub fn live() -> Live {
    crate::context::page_value(Live::new)
}

/// The balance refresh every island shares (see [`live`]).
pub fn account_refresh() -> AccountRefresh {
    live().refresh
}

/// The dismissable notices of jobs that ended elsewhere, each with a link to its picture's page. Rendered
/// only for a signed-in visitor (a signed-out page would only collect a 401), it also opens the
/// page's push stream.
#[island]
pub fn Toasts() -> impl IntoView {
    let live = live();
    Effect::new(move |_| browser::start(live));
    let dismiss = move |key: u32| live.toasts.update(|list| list.retain(|t| t.key != key));
    view! {
        <div class="toasts" aria-live="polite">
            <For each=move || live.toasts.get() key=|t| t.key let:toast>
                <div class={if toast.ok { "toast ok" } else { "toast failed" }} role="status" data-testid="toast">
                    <span>{toast.text.clone()}</span>
                    " "
                    <a href=toast.href() data-testid="toast-link" on:click=move |_| dismiss(toast.key)>{toast.link_text()}</a>
                    <button type="button" class="dismiss" aria-label="Dismiss" on:click=move |_| dismiss(toast.key)>"×"</button>
                </div>
            </For>
        </div>
    }
}

/// Marks `<body data-hydrated>` once the islands before it (all of them: it comes last, and
/// islands hydrate in document order) are live, so end-to-end tests know forms now submit
/// through the app rather than as plain posts. An island hydrated on first use is not waited
/// for: until it is live, the loader holds its presses and sends and replays them through it.
#[island]
pub fn HydrationMark() -> impl IntoView {
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(body) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.body()) {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
}

/// Whether the page is in a background tab (polling pauses then).
#[cfg(feature = "hydrate")]
pub fn tab_hidden() -> bool {
    use web_sys::VisibilityState;
    web_sys::window()
        .and_then(|w| w.document())
        .is_some_and(|d| d.visibility_state() == VisibilityState::Hidden)
}

#[cfg(not(feature = "hydrate"))]
pub fn tab_hidden() -> bool {
    false
}

#[cfg(feature = "hydrate")]
mod browser {
    use super::Live;
    use crate::model::InfographView;
    use leptos::prelude::*;
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    use web_sys::{EventSource, MessageEvent};

    pub const EVENTS_URL: &str = "/api/events/";
    /// After the browser gave up on the stream (an HTTP error, not a dropped connection, which
    /// `EventSource` retries by itself), try again after this long.
    const REOPEN_MS: u32 = 10_000;

    pub fn start(live: Live) {
        watch_visibility(live);
        open(live, false);
    }

    fn set_body_mode(mode: &str) {
        if let Some(body) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.body()) {
            let _ = body.set_attribute("data-live", mode);
        }
    }

    fn on_gallery() -> bool {
        web_sys::window().and_then(|w| w.location().pathname().ok()).is_some_and(|p| p == "/")
    }

    fn listen(source: &EventSource, name: &str, handler: impl FnMut(MessageEvent) + 'static) {
        let closure = Closure::<dyn FnMut(MessageEvent)>::new(handler);
        let _ = source.add_event_listener_with_callback(name, closure.as_ref().unchecked_ref());
        // Lives as long as the EventSource, i.e. the page.
        closure.forget();
    }

    /// `was_open`: a stream has worked on this page before, so it is worth reopening.
    fn open(live: Live, was_open: bool) {
        let Ok(source) = EventSource::new(EVENTS_URL) else {
            set_body_mode("polling");
            return;
        };
        set_body_mode("connecting");
        let opened = std::rc::Rc::new(std::cell::Cell::new(was_open));
        {
            let opened = opened.clone();
            listen(&source, "ready", move |_| {
                opened.set(true);
                live.connected.set(true);
                set_body_mode("push");
                // Anything that changed while the stream was down arrives now.
                live.resync.update(|n| *n += 1);
            });
        }
        listen(&source, "job", move |event| {
            let Some(data) = event.data().as_string() else { return };
            let Ok(view) = serde_json::from_str::<InfographView>(&data) else { return };
            live.toast_for(&view, on_gallery());
            live.apply_pushed(view);
        });
        listen(&source, "resync", move |_| live.resync.update(|n| *n += 1));
        let handle = source.clone();
        let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
            live.connected.set(false);
            set_body_mode("polling");
            if handle.ready_state() == EventSource::CLOSED {
                // The browser gave up (e.g. an HTTP error): reopen later if it ever worked.
                if opened.get() {
                    leptos::task::spawn_local(async move {
                        gloo_timers::future::TimeoutFuture::new(REOPEN_MS).await;
                        open(live, true);
                    });
                }
            }
        });
        source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        on_error.forget();
    }

    fn watch_visibility(live: Live) {
        let Some(window) = web_sys::window() else { return };
        let wake = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
            if !super::tab_hidden() {
                live.wake.update(|n| *n += 1);
            }
        });
        if let Some(document) = window.document() {
            let _ = document.add_event_listener_with_callback("visibilitychange", wake.as_ref().unchecked_ref());
        }
        let _ = window.add_event_listener_with_callback("focus", wake.as_ref().unchecked_ref());
        wake.forget();
    }
}

#[cfg(not(feature = "hydrate"))]
mod browser {
    pub fn start(_live: super::Live) {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{JobStatus, Phase};

    fn view(status: JobStatus, phase: Phase, version: i64) -> InfographView {
        InfographView { version, ..InfographView::sample(status, phase) }
    }

    #[test]
    fn a_job_toasts_once_away_from_the_gallery_and_never_again() {
        let owner = Owner::new();
        owner.set();
        let live = Live::new();
        live.toast_for(&view(JobStatus::Processing, Phase::Generating, 1), false);
        assert!(live.toasts.get_untracked().is_empty(), "not final yet");
        live.toast_for(&view(JobStatus::Completed, Phase::Storing, 2), false);
        assert_eq!(live.toasts.get_untracked().len(), 1);
        live.toasts.set(Vec::new()); // dismissed
        live.toast_for(&view(JobStatus::Completed, Phase::Done, 3), false);
        assert!(live.toasts.get_untracked().is_empty(), "the stored copy's event does not toast again");

        let seen_on_gallery = Live::new();
        seen_on_gallery.toast_for(&view(JobStatus::Completed, Phase::Storing, 2), true);
        seen_on_gallery.toast_for(&view(JobStatus::Completed, Phase::Done, 3), false);
        assert!(seen_on_gallery.toasts.get_untracked().is_empty(), "already seen on the gallery");
    }

    #[test]
    fn a_toast_links_to_its_picture_and_names_a_cancel_as_such() {
        let owner = Owner::new();
        owner.set();
        let live = Live::new();
        live.toast_for(&InfographView { id: "ready".into(), ..view(JobStatus::Completed, Phase::Storing, 2) }, false);
        let cancelled = InfographView { id: "stopped".into(), cancelled: true, refunded: true, ..view(JobStatus::Failed, Phase::Failed, 2) };
        live.toast_for(&cancelled, false);
        let toasts = live.toasts.get_untracked();
        assert_eq!(toasts[0].href(), "/i/ready");
        assert_eq!(toasts[0].link_text(), "Open it");
        assert_eq!(toasts[1].text, "Your infographic was cancelled — credits refunded.");
        assert_eq!(toasts[1].href(), "/i/stopped");
    }

    #[test]
    fn a_completed_job_settles_only_once_stored() {
        assert!(!view(JobStatus::Completed, Phase::Storing, 2).is_settled());
        assert!(view(JobStatus::Completed, Phase::Done, 3).is_settled());
        assert!(view(JobStatus::Failed, Phase::Failed, 2).is_settled());
        assert!(!view(JobStatus::Processing, Phase::Generating, 1).is_settled());
    }
}
