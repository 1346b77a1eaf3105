//! The model choice: every catalogue model with its price at the chosen resolution, the Draft
//! and Final presets, and, beside each model that cannot draw what the other fields ask (the
//! ratio, the size, the count, the kit's logo), why, with the model disabled. The chosen model is
//! never disabled (a disabled radio button is not sent): when it cannot, its reason is shown in
//! the error's colour, and the server answers the same sentence beside the field.

use crate::components::models::price;
use leptos::prelude::*;

use super::counts::Counts;
use super::page;

/// The radio group of models (`name="model"`), inside the form island: unlike the look fields it
/// changes as they do. `on_pick`: a preset changed the choice.
#[component]
pub(super) fn ModelChoice(form: NodeRef<leptos::html::Form>, counts: Counts, on_pick: Callback<()>) -> impl IntoView {
    let models = counts.models.get_value();
    // As a press on the radio button would: `on_pick` recounts, and takes away an error about
    // the model chosen before.
    let pick = move |id: String| {
        if let Some(form) = form.get_untracked() {
            page::set(&form, "model", &id);
            on_pick.run(());
        }
    };
    let preset = move |label: &'static str, id: String, testid: &'static str| {
        let chosen = id.clone();
        view! {
            <button type="button" class="small secondary" data-testid=testid
                aria-pressed=move || counts.look.with(|l| (l.model == chosen).to_string())
                on:click=move |_| pick(id.clone())>{label}</button>
        }
    };
    let name = |id: &str| models.get(id).map_or_else(|| id.to_string(), |m| m.name.clone());
    let help = format!("Draft: {}, for a first look. Final: {}.", name(&models.draft), name(&models.final_model));
    let options = models
        .models
        .iter()
        .map(|model| {
            let id = model.id.clone();
            let info = model.clone();
            let refused = Memo::new(move |_| counts.look.with(|l| info.refusal(&l.aspect, &l.resolution, l.count, l.logo)));
            let info = model.clone();
            let note = move || {
                refused.get().unwrap_or_else(|| {
                    counts.look.with(|l| info.credits_for(&l.resolution).map(|c| price(c, "image", &l.resolution)).unwrap_or_default())
                })
            };
            let chosen = {
                let id = id.clone();
                Memo::new(move |_| counts.look.with(|l| l.model == id))
            };
            view! {
                <label class="model-option" class:unable=move || refused.with(Option::is_some) && !chosen.get() data-testid="model-option" data-model=id.clone()>
                    // The label's text (name, then price or reason) is the button's name.
                    <input type="radio" name="model" value=id.clone() checked=counts.look.with_untracked(|l| l.model == id)
                        disabled=move || refused.with(Option::is_some) && !chosen.get()/>
                    <span class="model-text">
                        <span class="model-name">{model.name.clone()}</span>
                        <span class="model-note" class:refused=move || refused.with(Option::is_some) && chosen.get() data-testid="model-note">{note}</span>
                    </span>
                </label>
            }
        })
        .collect_view();
    view! {
        <fieldset class="models" data-testid="models">
            <legend>"Model"</legend>
            <div class="model-presets">
                {preset("Draft", models.draft.clone(), "model-draft")}
                {preset("Final", models.final_model.clone(), "model-final")}
                <span class="hint">{help}</span>
            </div>
            <div class="model-options">{options}</div>
        </fieldset>
    }
    .into_any()
}
