use crate::components::card::ProgressBar;
use crate::model::{InfographView, JobStatus};
use leptos::prelude::*;

/// The image itself: fitted to the screen, at 100 % after a click (or Enter / Space, it is a
/// button); the state of a job still running; the error of a failed one.
#[component]
pub(super) fn Stage(item: InfographView, zoomed: RwSignal<bool>) -> impl IntoView {
    match (item.status, item.image_url.clone()) {
        (JobStatus::Completed, Some(url)) => view! {
            <figure class="stage" class:zoomed=move || zoomed.get() data-testid="stage">
                <button type="button" class="zoom" data-testid="zoom" aria-pressed=move || zoomed.get().to_string()
                    aria-label=move || if zoomed.get() { "Fit the image to the screen" } else { "Show the image at full size" }
                    on:click=move |_| zoomed.update(|z| *z = !*z)>
                    <picture>
                        {item.image_webp_url().map(|webp| view! { <source srcset=webp type="image/webp"/> })}
                        <img src=url alt=item.alt_text.clone() width=item.width.map(|w| w.to_string())
                            height=item.height.map(|h| h.to_string()) fetchpriority="high"/>
                    </picture>
                </button>
            </figure>
        }
        .into_any(),
        (JobStatus::Failed, _) if item.cancelled => view! {
            <div class="stage placeholder cancelled" data-testid="stage">
                <p class="cancelled-note">"Cancelled"</p>
                {item.refunded.then(|| view! { <p class="refund">"Credits refunded."</p> })}
            </div>
        }
        .into_any(),
        (JobStatus::Failed, _) => view! {
            <div class="stage placeholder failed" data-testid="stage">
                <p class="error">{item.error.clone().unwrap_or_else(|| "The generation failed.".into())}</p>
                {item.refunded.then(|| view! { <p class="refund">"Credits refunded."</p> })}
            </div>
        }
        .into_any(),
        _ => view! {
            <div class="stage placeholder working" data-testid="stage">
                <div class="spinner"></div>
                // The same estimate as a gallery card's, moving on between updates.
                <ProgressBar job=item.clone()/>
            </div>
        }
        .into_any(),
    }
}
