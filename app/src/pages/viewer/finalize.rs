//! Which model drew the picture, and "Make this the final": a draft drawn again by the
//! catalogue's final model, with the same settings, at its price.

use crate::api::server_fns::models::finalize_infograph;
use crate::components::create_form::new_idempotency_key;
use crate::components::live::account_refresh;
use crate::model::models::ModelList;
use crate::model::{InfographView, JobStatus};
use leptos::prelude::*;

/// What "Make this the final" offers for `item`: `None` when it is already the final model's
/// (or not finished); else the button's words and, when the final model cannot draw its size or
/// ratio, why (the button is then disabled).
pub(super) fn offer(item: &InfographView, models: &ModelList) -> Option<(String, Option<String>)> {
    let final_model = models.get(&models.final_model)?;
    if item.status != JobStatus::Completed || item.model == final_model.id {
        return None;
    }
    let why = final_model.refusal(&item.aspect_ratio, &item.resolution, 1, false);
    let credits = final_model.credits_for(&item.resolution).unwrap_or(1);
    let label = format!("Make this the final — redraw with {}, {credits} credit{}", final_model.name, if credits == 1 { "" } else { "s" });
    Some((label, why))
}

/// "Drawn with Nano Banana 2 (fast draft)" and, on a draft, "Make this the final": the new
/// picture is opened once it is started (as Regenerate does).
#[component]
pub(super) fn ModelPanel(item: Memo<InfographView>, models: StoredValue<ModelList>) -> impl IntoView {
    let refresh = account_refresh();
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    // One per display of the page: a double press charges once.
    let key = RwSignal::new(String::new());
    Effect::new(move |_| key.set(new_idempotency_key()));
    let name = move || item.with(|i| models.with_value(|m| m.get(&i.model).map_or_else(|| i.model.clone(), |m| m.name.clone())));
    let offer = Memo::new(move |_| item.with(|i| models.with_value(|m| offer(i, m))));
    let finalize = move |_| {
        let id = item.with_untracked(|i| i.id.clone());
        let idempotency_key = key.get_untracked();
        busy.set(true);
        error.set(None);
        leptos::task::spawn_local(async move {
            match finalize_infograph(id, Some(idempotency_key)).await {
                Ok(created) => super::actions::open_created(&created, refresh),
                Err(e) => {
                    let _ = error.try_set(Some(e.to_string()));
                    let _ = busy.try_set(false);
                }
            }
        });
    };
    view! {
        <div class="model-panel" data-testid="model-panel">
            <p class="drawn-with" data-testid="drawn-with">"Drawn with " <strong>{name}</strong></p>
            {move || offer.get().map(|(label, why)| {
                let unable = why.is_some();
                view! {
                    <button type="button" class="secondary" data-testid="finalize" aria-describedby=unable.then_some("finalize-why")
                        disabled=move || unable || busy.get() on:click=finalize>{label}</button>
                    {why.map(|w| view! { <p class="help" id="finalize-why" data-testid="finalize-why">{w}</p> })}
                }
            })}
            {move || error.get().map(|e| view! { <p class="form-error" role="alert" data-testid="finalize-error">{e}</p> })}
        </div>
    }
}
