use super::live::reload;
use crate::api::server_fns::viewer::refine_infograph;
use crate::components::create_form::{new_idempotency_key, started};
use crate::components::live::account_refresh;
use crate::errors::AppError;
use crate::components::models::price;
use crate::model::models::{ModelInfo, ModelList};
use crate::model::{InfographView, RefineRequest, Resolution, ViewerData, INSTRUCTION_MAX_CHARS, MAX_IMAGES};
use leptos::prelude::*;

/// The models that can refine a picture of `aspect` at `resolution`, the catalogue's default first.
fn refiners(models: &ModelList, aspect: &str, resolution: &str) -> Vec<ModelInfo> {
    let mut able: Vec<ModelInfo> = models.models.iter().filter(|m| m.refine_refusal(aspect, resolution, 1).is_none()).cloned().collect();
    able.sort_by_key(|m| m.id != models.default);
    able
}

/// What one version costs with `model` at `resolution` (the resolution's usual price for a
/// model the list does not know).
fn cost_with(model: Option<&ModelInfo>, resolution: &str) -> i64 {
    model.and_then(|m| m.credits_for(resolution)).unwrap_or_else(|| resolution.parse::<Resolution>().map_or(1, |r| r.credits_per_image()))
}

/// "Make the title larger, use dark blue": new versions in this family, by the picture's own
/// model; when that one cannot refine (it has no edit endpoint), by one chosen here.
#[component]
pub(super) fn RefineForm(item: InfographView, models: StoredValue<ModelList>, loaded: RwSignal<ViewerData>) -> impl IntoView {
    let id = item.id.clone();
    let resolution = item.resolution.clone();
    // Why the picture's own model cannot refine it, and then who can.
    let (own, unable) = models.with_value(|m| {
        let own = m.get(&item.model).cloned();
        let unable = own.as_ref().and_then(|o| o.refine_refusal(&item.aspect_ratio, &resolution, 1));
        (own, unable)
    });
    let others = match unable {
        Some(_) => models.with_value(|m| refiners(m, &item.aspect_ratio, &resolution)),
        None => Vec::new(),
    };
    // The model chosen for the refinement (`None`: the picture's own).
    let chosen = RwSignal::new(others.first().map(|m| m.id.clone()));
    let cost = {
        let (own, others) = (own.clone(), others.clone());
        let resolution = resolution.clone();
        move || match chosen.get() {
            Some(id) => cost_with(others.iter().find(|m| m.id == id), &resolution),
            None => cost_with(own.as_ref(), &resolution),
        }
    };
    let refresh = account_refresh();
    let instruction_ref = NodeRef::<leptos::html::Textarea>::new();
    let count_ref = NodeRef::<leptos::html::Select>::new();
    let model_ref = NodeRef::<leptos::html::Select>::new();
    // A choice made before the island woke (it hydrates on first use) changed the page, not the
    // signal: read the page once awake, so the price shown is the chosen model's.
    Effect::new(move |_| {
        if let Some(el) = model_ref.get() {
            chosen.set(Some(el.value()));
        }
    });
    let outcome = RwSignal::new(None::<Result<String, AppError>>);
    let busy = RwSignal::new(false);
    // A fresh key per form display, kept across a failed attempt (see the create form).
    let key = RwSignal::new(String::new());
    Effect::new(move |_| key.set(new_idempotency_key()));
    let form_id = id.clone();
    let on_submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let instruction = instruction_ref.get_untracked().map(|el| el.value());
        let count = count_ref.get_untracked().map(|el| el.value());
        // As for the other fields, what the page shows is what is sent.
        let model = model_ref.get_untracked().map(|el| el.value()).filter(|v| !v.is_empty());
        let (id, idempotency_key) = (form_id.clone(), key.get_untracked());
        busy.set(true);
        leptos::task::spawn_local(async move {
            let request = RefineRequest { instruction, number_of_infographs: count, model };
            let result = refine_infograph(id, request, Some(idempotency_key)).await;
            if let Ok(created) = &result {
                refresh.bump();
                key.set(new_idempotency_key());
                if let Some(el) = instruction_ref.get_untracked() {
                    el.set_value("");
                }
                reload(loaded);
                let _ = outcome.try_set(Some(Ok(started(created.total_submitted, "refinement", created.credits_used))));
            } else if let Err(e) = result {
                let _ = outcome.try_set(Some(Err(e)));
            }
            let _ = busy.try_set(false);
        });
    };
    let field_error = move || {
        outcome.with(|o| match o {
            Some(Err(e)) => e.field("instruction").or_else(|| e.field("number_of_infographs")),
            _ => None,
        })
    };
    let model_error = move || {
        outcome.with(|o| match o {
            Some(Err(e)) => e.field("model"),
            _ => None,
        })
    };
    let general_error = move || {
        outcome.with(|o| match o {
            Some(Err(e)) if field_error().is_none() && model_error().is_none() => Some(e.to_string()),
            _ => None,
        })
    };
    view! {
        <form class="refine-form" method="post" action="/sfn/refine_infograph" on:submit=on_submit data-testid="refine-form">
            <h2>"Refine"</h2>
            <input type="hidden" name="id" value=id.clone()/>
            <label for="instruction">"What should change?"</label>
            // No `maxlength`: it cuts a pasted instruction without a word; the server refuses an
            // over-long one in a sentence shown below.
            <textarea node_ref=instruction_ref id="instruction" name="instruction" rows="3" required
                aria-describedby="instruction-help"
                placeholder="e.g. make the title larger, use dark blue, drop the third section"></textarea>
            <p id="instruction-help" class="help">
                {move || { let cost = cost(); format!("Up to {INSTRUCTION_MAX_CHARS} characters. Each new version costs {cost} credit{}, refunded if it fails.", if cost == 1 { "" } else { "s" }) }}
            </p>
            {move || field_error().map(|m| view! { <p class="field-error" data-field="instruction">{m}</p> })}
            {unable.map(|why| view! {
                <p class="help" id="refine-model-why" data-testid="refine-model-why">{why} " Choose the model that refines it:"</p>
                <label>"Refine with"
                    <select name="model" data-testid="refine-model" aria-describedby="refine-model-why" node_ref=model_ref
                        on:change=move |ev| chosen.set(Some(event_target_value(&ev)))>
                        {others.iter().map(|m| view! {
                            <option value=m.id.clone()>{format!("{} — {}", m.name, m.credits_for(&resolution).map(|c| price(c, "version", &resolution)).unwrap_or_default())}</option>
                        }).collect_view()}
                    </select>
                </label>
            })}
            {move || model_error().map(|m| view! { <p class="field-error" data-field="model">{m}</p> })}
            <label>"Versions"
                <select node_ref=count_ref name="number_of_infographs">
                    {(1..=MAX_IMAGES).map(|n| view! { <option value=n.to_string()>{n}</option> }).collect_view()}
                </select>
            </label>
            <input type="hidden" name="idempotency_key" prop:value=move || key.get()/>
            {move || general_error().map(|m| view! { <p class="form-error" role="alert" data-testid="refine-error">{m}</p> })}
            {move || outcome.with(|o| match o {
                Some(Ok(text)) => Some(view! { <p class="form-ok" role="status" data-testid="refine-ok">{text.clone()}</p> }),
                _ => None,
            })}
            <button type="submit" data-testid="refine" disabled=move || busy.get()>
                {move || if busy.get() { "Starting…" } else { "Refine" }}
            </button>
        </form>
    }
}
