//! The family of versions: the strip of thumbnails, the versions still being made, two side by
//! side, and ← → to move between them.

use crate::components::card::ProgressBar;
use crate::components::header::go_to;
use crate::components::models::model_names;
use crate::model::{InfographView, JobStatus, ViewerData};
use leptos::prelude::*;

/// ← and → move to the previous and next version, unless the reader is typing.
pub(super) fn arrow_keys(shown: Memo<ViewerData>) {
    let handle = window_event_listener(leptos::ev::keydown, move |event| {
        if event.alt_key() || event.ctrl_key() || event.meta_key() || typing(&event) {
            return;
        }
        let step = match event.key().as_str() {
            "ArrowLeft" => -1,
            "ArrowRight" => 1,
            _ => return,
        };
        let Some(target) = shown.try_with_untracked(|d| {
            let (previous, next) = d.neighbours();
            if step < 0 { previous.map(|v| v.id.clone()) } else { next.map(|v| v.id.clone()) }
        }) else {
            return;
        };
        if let Some(target) = target {
            event.prevent_default();
            go_to(&format!("/i/{target}"));
        }
    });
    on_cleanup(move || handle.remove());
}

/// Whether a key press is meant for a form field.
fn typing(event: &leptos::ev::KeyboardEvent) -> bool {
    use leptos::wasm_bindgen::JsCast;
    event
        .target()
        .and_then(|t| t.dyn_into::<leptos::web_sys::Element>().ok())
        .is_some_and(|el| matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT") || el.has_attribute("contenteditable"))
}


/// The versions still being made other than the one shown (a refinement just sent), each with
/// the gallery card's estimate of when it is done.
#[component]
pub(super) fn RunningVersions(data: Memo<ViewerData>) -> impl IntoView {
    let running = Memo::new(move |_| {
        data.with(|d| {
            d.versions.iter().enumerate().filter(|(_, v)| v.id != d.item.id && !v.status.is_final()).map(|(i, v)| (i + 1, v.clone())).collect::<Vec<_>>()
        })
    });
    move || {
        let running = running.get();
        (!running.is_empty()).then(|| view! {
            <ul class="running" data-testid="running-versions">
                {running.into_iter().map(|(number, v)| view! {
                    <li data-testid="running-version">
                        <a href=format!("/i/{}", v.id)>{format!("Version {number}")}</a>
                        <span class="running-model">{format!(" · {}", model_names().name(&v.model))}</span>
                        <ProgressBar job=v/>
                    </li>
                }).collect_view()}
            </ul>
        })
    }
}

/// Every version of the family as a thumbnail, oldest first; the one shown is marked.
#[component]
pub(super) fn VersionStrip(data: Memo<ViewerData>) -> impl IntoView {
    let names = model_names();
    view! {
        <nav class="strip" aria-label="Versions" data-testid="strip">
            <ol>
                {move || data.with(|d| d.versions.iter().enumerate().map(|(i, v)| {
                    let current = v.id == d.item.id;
                    // Starts with the visible "v2 Nano Banana 2", so speech input can say what
                    // people see.
                    let model = names.name(&v.model);
                    let label = format!("v{n} {model}: version {n}{}", if current { ", shown" } else { "" }, n = i + 1);
                    view! {
                        <li>
                            <a href=format!("/i/{}", v.id) class="strip-item" data-testid="version" data-id=v.id.clone()
                                data-status=v.status.as_str() aria-current=current.then_some("page") aria-label=label>
                                {thumbnail(v)}
                                // The space keeps the two words apart in the link's text.
                                <span class="strip-label">{format!("v{}", i + 1)}</span>" "
                                <span class="strip-model" data-testid="version-model">{model}</span>
                            </a>
                        </li>
                    }
                }).collect_view())}
            </ol>
        </nav>
    }
}

fn thumbnail(v: &InfographView) -> AnyView {
    match (v.status, v.thumbnail_url.clone().or_else(|| v.image_url.clone())) {
        // The WebP thumbnail is a third of the JPEG's bytes; the JPEG stays for the rest.
        (JobStatus::Completed, Some(src)) => view! {
            <picture>
                {v.thumbnail_webp_url().map(|webp| view! { <source srcset=webp type="image/webp"/> })}
                <img src=src alt="" loading="lazy"/>
            </picture>
        }.into_any(),
        (JobStatus::Failed, _) if v.cancelled => view! { <span class="strip-state">"cancelled"</span> }.into_any(),
        (JobStatus::Failed, _) => view! { <span class="strip-state failed">"failed"</span> }.into_any(),
        _ => view! { <span class="strip-state working"><span class="spinner small"></span></span> }.into_any(),
    }
}

/// Two versions side by side (stacked on a phone).
pub(super) fn compare_view(data: &ViewerData, other: &InfographView) -> impl IntoView {
    let figure = |v: &InfographView| {
        let number = data.version_number(&v.id).unwrap_or(0);
        let model = model_names().name(&v.model);
        let caption = match &v.instruction {
            Some(instruction) => format!("Version {number}: “{instruction}” ({model})"),
            None => format!("Version {number}: the original ({model})"),
        };
        view! {
            <figure>
                {match (v.status, v.image_url.clone()) {
                    (JobStatus::Completed, Some(url)) => view! {
                        <img src=url alt=v.alt_text.clone() width=v.width.map(|w| w.to_string()) height=v.height.map(|h| h.to_string())/>
                    }.into_any(),
                    _ => view! { <div class="placeholder">{v.status.as_str()}</div> }.into_any(),
                }}
                <figcaption>{caption}</figcaption>
            </figure>
        }
    };
    view! {
        <section class="compare" data-testid="compare" aria-label="Compare two versions">
            {figure(&data.item)}
            {figure(other)}
            <p class="compare-close"><a href=format!("/i/{}", data.item.id)>"Close the comparison"</a></p>
        </section>
    }
}

/// "Compare with version N": a plain GET form, so it works before (and without) the wasm.
pub(super) fn compare_form(data: &ViewerData) -> Option<impl IntoView> {
    let others: Vec<(usize, &InfographView)> =
        data.versions.iter().enumerate().filter(|(_, v)| v.id != data.item.id).map(|(i, v)| (i + 1, v)).collect();
    if others.is_empty() {
        return None;
    }
    Some(view! {
        <form method="get" action=format!("/i/{}", data.item.id) class="compare-form" data-testid="compare-form">
            <label for="compare">"Compare with"</label>
            <div class="row">
                <select id="compare" name="compare">
                    {others.into_iter().map(|(n, v)| view! { <option value=v.id.clone()>{format!("Version {n} ({})", model_names().name(&v.model))}</option> }).collect_view()}
                </select>
                <button type="submit" class="small">"Compare"</button>
            </div>
        </form>
    })
}
