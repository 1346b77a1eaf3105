use crate::app::AccountRefresh;
use crate::model::{InfographView, JobStatus};
use leptos::prelude::*;

/// How often a card asks for its job's status while the job is not final.
pub const POLL_MS: u32 = 3_000;

/// One infograph. While its job runs, it polls `infograph_status` every 3 s (in the browser
/// only) and stops at a final status; a refund refreshes the balance in the header.
#[component]
pub fn InfographCard(initial: InfographView) -> impl IntoView {
    let item = RwSignal::new(initial);
    let refresh = expect_context::<AccountRefresh>();
    Effect::new(move |started: Option<()>| {
        if started.is_none() && !item.get_untracked().status.is_final() {
            poll_until_final(item, refresh);
        }
    });
    view! {
        <article class="card" data-testid="card"
            data-id=move || item.with(|i| i.id.clone())
            data-status=move || item.with(|i| i.status.as_str())>
            {move || item.with(|i| card_body(i))}
            <BriefDetails id=item.with_untracked(|i| i.id.clone())/>
            <crate::components::card_actions::CardActions item=item/>
        </article>
    }
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
            let text = match crate::api::infographs::infograph_brief(id).await {
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

fn card_body(i: &InfographView) -> AnyView {
    let badge = view! { <span class=format!("badge {}", i.status.as_str())>{i.status.as_str()}</span> };
    let prompt = view! { <p class="prompt" title=i.prompt.clone()>{i.prompt.clone()}</p> };
    match (i.status, &i.image_url) {
        (JobStatus::Completed, Some(url)) => view! {
            <a href=url.clone() target="_blank" rel="noopener">
                // Our gallery-size thumbnail once the image is stored; fal's full image until then.
                <img src=i.thumbnail_url.clone().unwrap_or_else(|| url.clone()) alt=i.prompt.clone() loading="lazy"/>
            </a>
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
            <div class="placeholder working"><div class="spinner"></div><p>"Processing…"</p></div>
            {badge}{prompt}
        }.into_any(),
    }
}

#[cfg(feature = "hydrate")]
fn poll_until_final(item: RwSignal<InfographView>, refresh: AccountRefresh) {
    use crate::api::infographs::infograph_status;
    use crate::errors::AppError;
    leptos::task::spawn_local(async move {
        loop {
            gloo_timers::future::TimeoutFuture::new(POLL_MS).await;
            // The card is gone (navigated away, list replaced): stop polling.
            let Some(current) = item.try_get_untracked() else { break };
            if current.status.is_final() {
                break;
            }
            let next = match infograph_status(current.id.clone()).await {
                Ok(next) => next,
                // Signed out elsewhere, or the job is gone: polling cannot succeed any more.
                Err(AppError::Unauthorized | AppError::NotFound) => break,
                // A network blip: try again at the next tick.
                Err(_) => continue,
            };
            // Never let a late answer move a card backwards.
            if next.updated_at < current.updated_at {
                continue;
            }
            let done = next.status.is_final();
            let refunded = next.refunded;
            if item.try_set(next).is_some() {
                break;
            }
            if done {
                if refunded {
                    refresh.bump();
                }
                break;
            }
        }
    });
}

#[cfg(not(feature = "hydrate"))]
fn poll_until_final(_item: RwSignal<InfographView>, _refresh: AccountRefresh) {}
