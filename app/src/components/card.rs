use crate::context::AccountRefresh;
use crate::components::live::{live, tab_hidden, Live};
use crate::model::{InfographView, JobStatus, Phase};
use leptos::prelude::*;

/// How wide a card's picture is shown, for the browser to pick the rendition: up to 527 px the
/// gallery is one column, the screen less the page's padding (16 px a side) and the card's
/// border; wider, a column of at most 360 px (`.gallery`'s `minmax(240px, 1fr)` in
/// `style/main.css`). Saying the screen's full width overstated a phone's card by 34 px, enough
/// to tip the browser to the next larger rendition on some screens.
const CARD_SIZES: &str = "(max-width: 527px) calc(100vw - 34px), 360px";

/// How often a card asks for its job's status while the job is not final and the push stream
/// is down.
pub const POLL_MS: u32 = 3_000;

/// One infograph. Updates come pushed (see `live.rs`); while the push stream is down the card
/// polls `infograph_status` every 3 s (in the browser only, not in a hidden tab) and stops at a
/// final status. A refund refreshes the balance in the header.
/// `eager`: one of the first cards on the page, whose picture is fetched at once (the page's
/// largest paint); the rest load as they come near the viewport.
#[component]
pub fn InfographCard(initial: InfographView, #[prop(optional)] eager: bool) -> impl IntoView {
    let item = RwSignal::new(initial);
    let live = live();
    let refresh = live.refresh;
    let id = item.with_untracked(|i| i.id.clone());
    let model_names = crate::components::models::model_names();
    // Pushed updates for this job.
    let pushed = {
        let id = id.clone();
        Memo::new(move |_| live.latest.with(|m| m.get(&id).cloned()))
    };
    Effect::new(move |_| {
        if let Some(next) = pushed.get() {
            apply(item, refresh, next);
        }
    });
    // Pushes may have been missed (the stream reopened or fell behind): fetch once, now.
    Effect::new(move |first: Option<()>| {
        live.resync.track();
        if first.is_some() {
            fetch_now(item, refresh);
        }
    });
    // Back to the tab while polling: fetch now rather than at the next tick.
    Effect::new(move |first: Option<()>| {
        live.wake.track();
        if first.is_some() && !live.connected.get_untracked() {
            fetch_now(item, refresh);
        }
    });
    Effect::new(move |started: Option<()>| {
        if started.is_none() && !item.get_untracked().is_settled() {
            poll_until_final(item, refresh, live);
        }
    });
    view! {
        // Focusable by script: the keyboard is taken to a new card, or kept on one whose button
        // went away (Cancel).
        <article class="card" data-testid="card" tabindex="-1"
            data-id=move || item.with(|i| i.id.clone())
            data-status=move || item.with(|i| i.status.as_str())
            data-phase=move || item.with(|i| i.phase.as_str())
            data-version=move || item.with(|i| format!("{}.{}", i.version, i.progress_version))>
            {move || item.with(|i| card_body(i, eager, model_names))}
            <BriefDetails id=id.clone()/>
            <crate::components::card_actions::CardActions item=item/>
        </article>
    }
    .into_any()
}

/// Shows `next` unless it is older than what the card shows; a refund refreshes the balance.
/// Returns whether the job is settled now (final, and stored if it completed).
fn apply(item: RwSignal<InfographView>, refresh: AccountRefresh, next: InfographView) -> bool {
    let Some(current) = item.try_get_untracked() else { return true };
    // Never let a late answer move a card backwards.
    if !Live::is_newer(&current, &next) {
        return current.is_settled();
    }
    // Pushed and polled views do not count the family: keep the gallery's count.
    let mut next = next;
    if next.versions == 0 {
        next.versions = current.versions;
    }
    let done = next.is_settled();
    let newly_refunded = next.refunded && !current.refunded;
    if current != next && item.try_set(next).is_some() {
        return true;
    }
    if newly_refunded {
        refresh.bump();
    }
    done
}

/// The brief sent to the model, fetched when the reader opens it (briefs run to thousands of
/// characters: not worth shipping with every gallery load).
#[component]
fn BriefDetails(id: String) -> impl IntoView {
    let brief = RwSignal::new(None::<String>);
    let on_toggle = move |_| {
        if brief.get_untracked().is_some() {
            return;
        }
        let id = id.clone();
        leptos::task::spawn_local(async move {
            let text = match crate::api::server_fns::infographs::infograph_brief(id).await {
                Ok(Some(text)) => text,
                Ok(None) => "Not prepared yet: the brief is written when the job starts.".to_string(),
                Err(e) => e.to_string(),
            };
            let _ = brief.try_set(Some(text));
        });
    };
    view! {
        <details class="brief" on:toggle=on_toggle>
            <summary>"Brief sent to the model"</summary>
            <pre data-testid="brief">{move || brief.get().unwrap_or_else(|| "Loading…".into())}</pre>
        </details>
    }
}

fn card_body(i: &InfographView, eager: bool, names: crate::components::models::ModelNames) -> AnyView {
    // A cancelled job is not a failure: said in neutral words, not the error's red.
    let state = if i.cancelled { "cancelled" } else { i.status.as_str() };
    let badge = view! { <span class=format!("badge {state}")>{state}</span> };
    // Which model drew it, by its short name, above the title.
    let model = view! { <p class="card-model" data-testid="card-model"><span class="sr-only">"Model: "</span>{names.name(&i.model)}</p> };
    let prompt = view! { {model}<p class="prompt" title=i.prompt.clone() data-testid="card-title">{i.title.clone()}</p> };
    match (i.status, &i.image_url) {
        (JobStatus::Completed, Some(url)) => view! {
            // Opens the viewer: full size, versions, refine.
            <a href=format!("/i/{}", i.id) data-testid="open-viewer">
                // Our gallery-size thumbnail once the image is stored (WebP where the browser
                // takes it); fal's full image until then. Its size is known, so nothing moves
                // when it arrives.
                <picture>
                    {i.gallery_srcset().map(|webp| view! { <source srcset=webp sizes=CARD_SIZES type="image/webp"/> })}
                    <img src=i.thumbnail_url.clone().unwrap_or_else(|| url.clone()) alt=i.alt_text.clone()
                        width=i.width height=i.height
                        loading=if eager { "eager" } else { "lazy" } fetchpriority=eager.then_some("high")/>
                </picture>
            </a>
            {badge}{versions_badge(i.versions)}{prompt}
            {proofread_line(i)}
        }.into_any(),
        (JobStatus::Failed, _) if i.cancelled => view! {
            <div class="placeholder cancelled" data-testid="card-cancelled">
                <p class="cancelled-note">"Cancelled"</p>
                {i.refunded.then(|| view! { <p class="refund" data-testid="refund">"Credits refunded."</p> })}
            </div>
            {badge}{prompt}
        }.into_any(),
        (JobStatus::Failed, _) => view! {
            <div class="placeholder failed">
                <p class="error" data-testid="card-error">{i.error.clone().unwrap_or_else(|| "The generation failed.".into())}</p>
                {i.refunded.then(|| view! { <p class="refund" data-testid="refund">"Credits refunded."</p> })}
            </div>
            {badge}{prompt}
        }.into_any(),
        _ => view! {
            <div class="placeholder working">
                <div class="spinner"></div>
                <p>"Processing…"</p>
                <ProgressBar job=i.clone()/>
            </div>
            {badge}{prompt}
        }.into_any(),
    }
}

/// "Proofread: 42 of 42 words right", or "3 problems" linking to the viewer's list.
fn proofread_line(i: &InfographView) -> Option<AnyView> {
    let badge = i.proofread?;
    let class = if badge.has_problems() { "proofread-line problems" } else { "proofread-line" };
    Some(if badge.has_problems() {
        view! { <p class=class data-testid="card-proofread"><a href=format!("/i/{}#proofread", i.id)>{badge.summary()}</a></p> }.into_any()
    } else {
        view! { <p class=class data-testid="card-proofread">{badge.summary()}</p> }.into_any()
    })
}

/// "3 versions" on a family's card (nothing for a lone original).
fn versions_badge(versions: i64) -> Option<impl IntoView> {
    (versions > 1).then(|| view! { <span class="versions" data-testid="versions">{format!("{versions} versions")}</span> })
}

/// "Generating — about 20 s left": the phase, and the ETA when there is one.
pub fn progress_text(phase: Phase, queue_position: Option<i64>, eta_ms: Option<i64>) -> String {
    let label = phase.label(queue_position);
    match eta_ms {
        Some(ms) if ms <= 0 => format!("{label} — almost done"),
        Some(ms) if ms < 90_000 => format!("{label} — about {} s left", (ms + 999) / 1000),
        Some(ms) => format!("{label} — about {} min left", (ms + 59_999) / 60_000),
        None => label,
    }
}

/// Where the estimate stands `elapsed_ms` after the server computed it: updates arrive only on
/// phase changes, so between them the bar moves on by itself, at the same rate and under the same
/// cap as the server's estimate (see `server::progress::estimate`).
pub fn extrapolate(job: &InfographView, elapsed_ms: i64) -> (u8, Option<i64>) {
    const CAP: f64 = 95.0;
    let running = matches!(job.phase, Phase::Submitted | Phase::InQueue | Phase::Generating);
    match job.eta_ms {
        Some(eta) if running && eta > 0 && f64::from(job.progress) < CAP => {
            let share = (elapsed_ms.max(0) as f64 / eta as f64).min(1.0);
            let progress = f64::from(job.progress) + (CAP - f64::from(job.progress)) * share;
            (progress.round().min(CAP) as u8, Some((eta - elapsed_ms).max(0)))
        }
        _ => (job.progress.min(100), job.eta_ms),
    }
}

/// The phase and estimated progress of a running job, as an accessible progress bar.
/// Re-created with every update of the job, it ticks once a second in between.
#[component]
pub fn ProgressBar(job: InfographView) -> impl IntoView {
    let elapsed_ms = RwSignal::new(0_i64);
    tick_every_second(elapsed_ms);
    let state = move || {
        let (progress, eta) = extrapolate(&job, elapsed_ms.get());
        (progress.to_string(), progress_text(job.phase, job.queue_position, eta))
    };
    let state = Memo::new(move |_| state());
    view! {
        <div class="progress-block">
            <div class="progress" role="progressbar" aria-valuemin="0" aria-valuemax="100"
                aria-valuenow=move || state.get().0 aria-valuetext=move || state.get().1
                aria-label="Progress" data-testid="progress">
                <div class="progress-fill" style=move || format!("width: {}%", state.get().0)></div>
            </div>
            <p class="progress-text" data-testid="progress-text">{move || state.get().1}</p>
        </div>
    }
}

/// Adds a second to `elapsed_ms` every second until the signal is disposed (browser only).
fn tick_every_second(elapsed_ms: RwSignal<i64>) {
    #[cfg(feature = "hydrate")]
    leptos::task::spawn_local(async move {
        loop {
            gloo_timers::future::TimeoutFuture::new(1_000).await;
            if elapsed_ms.try_update(|ms| *ms += 1_000).is_none() {
                break;
            }
        }
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = elapsed_ms;
}

/// Fetches the job's status once and applies it (a resync, or back to the tab).
fn fetch_now(item: RwSignal<InfographView>, refresh: AccountRefresh) {
    #[cfg(feature = "hydrate")]
    leptos::task::spawn_local(async move {
        let _ = fetch_and_apply(item, refresh).await;
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = (item, refresh);
}

/// `Err(())` when polling cannot succeed any more (signed out, job gone); `Ok(final)` otherwise.
#[cfg(feature = "hydrate")]
async fn fetch_and_apply(item: RwSignal<InfographView>, refresh: AccountRefresh) -> Result<bool, ()> {
    use crate::api::server_fns::infographs::infograph_status;
    use crate::errors::AppError;
    let Some(current) = item.try_get_untracked() else { return Err(()) };
    if current.is_settled() {
        return Ok(true);
    }
    match infograph_status(current.id.clone()).await {
        Ok(next) => Ok(apply(item, refresh, next)),
        // Signed out elsewhere, or the job is gone: polling cannot succeed any more.
        Err(AppError::Unauthorized | AppError::NotFound) => Err(()),
        // A network blip: try again at the next tick.
        Err(_) => Ok(false),
    }
}

#[cfg(feature = "hydrate")]
fn poll_until_final(item: RwSignal<InfographView>, refresh: AccountRefresh, live: Live) {
    leptos::task::spawn_local(async move {
        loop {
            gloo_timers::future::TimeoutFuture::new(POLL_MS).await;
            // The card is gone (navigated away, list replaced): stop polling.
            let Some(current) = item.try_get_untracked() else { break };
            if current.is_settled() {
                break;
            }
            // Pushed updates cover it; a background tab needs nothing until it is seen again.
            if live.connected.try_get_untracked().unwrap_or(false) || tab_hidden() {
                continue;
            }
            match fetch_and_apply(item, refresh).await {
                Ok(false) => {}
                Ok(true) | Err(()) => break,
            }
        }
    });
}

#[cfg(not(feature = "hydrate"))]
fn poll_until_final(_item: RwSignal<InfographView>, _refresh: AccountRefresh, _live: Live) {
    let _ = tab_hidden;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn running(progress: u8, eta_ms: Option<i64>, phase: Phase) -> InfographView {
        InfographView {
            cancellable: true,
            version: 1,
            progress,
            eta_ms,
            ..InfographView::sample(JobStatus::Processing, phase)
        }
    }

    #[test]
    fn the_bar_moves_on_between_updates_but_stops_below_100() {
        let job = running(10, Some(20_000), Phase::Generating);
        assert_eq!(extrapolate(&job, 0), (10, Some(20_000)));
        let (half, eta) = extrapolate(&job, 10_000);
        assert!(half > 10 && half < 95, "{half}");
        assert_eq!(eta, Some(10_000));
        assert_eq!(extrapolate(&job, 10_000_000), (95, Some(0)));
        // Before fal has the job the bar does not run ahead.
        let queued = running(2, Some(20_000), Phase::Queued);
        assert_eq!(extrapolate(&queued, 10_000).0, 2);
    }

    #[test]
    fn progress_texts() {
        assert_eq!(progress_text(Phase::Generating, None, Some(19_200)), "Generating — about 20 s left");
        assert_eq!(progress_text(Phase::Generating, None, Some(0)), "Generating — almost done");
        assert_eq!(progress_text(Phase::InQueue, Some(2), Some(120_000)), "In fal's queue (position 3) — about 2 min left");
        assert_eq!(progress_text(Phase::ReadingBlog, None, None), "Reading the blog");
    }

    #[test]
    fn a_late_answer_never_moves_a_card_backwards() {
        let mut newer = running(50, None, Phase::Generating);
        newer.version = 1;
        newer.progress_version = 3;
        let mut older = newer.clone();
        older.progress_version = 2;
        older.phase = Phase::InQueue;
        assert!(!Live::is_newer(&newer, &older));
        assert!(Live::is_newer(&older, &newer));
        let mut completed = newer.clone();
        completed.version = 2;
        completed.progress_version = 0;
        assert!(Live::is_newer(&newer, &completed), "a status change wins over any phase count");
        assert!(!Live::is_newer(&completed, &newer));
    }
}
