//! How it should look: the size, layout, language, brand kit and style fields, drawn on the
//! server only.

use crate::model::design::{BrandKitView, Layout, Style, DEFAULT_LANGUAGE, LANGUAGES, SIZE_PRESETS};
use crate::model::{AspectRatio, Resolution, MAX_IMAGES};
use leptos::prelude::*;

use super::page;

/// A size preset's button (`data-aspect`, `data-resolution`, in [`LookFields`]) sets the aspect
/// ratio and resolution; the click reaches the form, which handles its server-rendered buttons.
pub(super) fn apply_preset(form: NodeRef<leptos::html::Form>, event: &leptos::ev::MouseEvent) {
    let (Some(form), Some((aspect, resolution))) = (form.get_untracked(), page::preset_of(event)) else { return };
    page::set(&form, "aspect_ratio", &aspect);
    page::set(&form, "resolution", &resolution);
}

/// How it should look: size presets, aspect ratio, resolution, count, layout, language, brand kit
/// and style. Rendered on the server only and handed to the workspace island as its children: the
/// markup never changes once drawn, so the island reads and sets these fields on the page
/// ([`page`]) rather than carrying their views in the wasm (a quarter of the form's code).
#[component]
pub fn LookFields(kits: Vec<BrandKitView>) -> impl IntoView {
    view! {
        <fieldset class="presets">
            <legend>"Size for where it goes"</legend>
            <div class="preset-buttons">
                {SIZE_PRESETS.iter().map(|p| view! {
                    <button type="button" class="small" data-testid=format!("preset-{}", p.id)
                        data-aspect=p.aspect_ratio data-resolution=p.resolution>{p.label}</button>
                }).collect_view()}
            </div>
        </fieldset>
        <div class="row fields">
            <label>"Aspect ratio"
                <select name="aspect_ratio" data-testid="aspect_ratio">
                    {AspectRatio::ALL.into_iter().map(|r| view! {
                        <option value=r.as_fal() selected=r == AspectRatio::R16x9>{r.as_fal()}</option>
                    }).collect_view()}
                </select>
            </label>
            // The resolution's price is the model's: the model choice shows it beside each.
            <label>"Images"
                <select name="number_of_infographs">
                    {(1..=MAX_IMAGES).map(|n| view! { <option value=n.to_string()>{n}</option> }).collect_view()}
                </select>
            </label>
            <label>"Resolution"
                <select name="resolution" data-testid="resolution">
                    {Resolution::ALL.into_iter().map(|r| view! { <option value=r.as_str()>{r.as_str()}</option> }).collect_view()}
                </select>
            </label>
        </div>
        <div class="row fields">
            <label>"Layout"
                <select name="layout" data-testid="layout">
                    {Layout::ALL.into_iter().map(|l| view! { <option value=l.as_str() selected=l == Layout::Auto>{l.label()}</option> }).collect_view()}
                </select>
            </label>
            <label>"Language of the text"
                <select name="language" data-testid="language">
                    {LANGUAGES.iter().map(|l| view! {
                        <option value=l.code selected=l.code == DEFAULT_LANGUAGE>{format!("{} ({})", l.name, l.code)}</option>
                    }).collect_view()}
                </select>
            </label>
            {(!kits.is_empty()).then(|| view! {
                <label>"Brand kit"
                    <select name="brand_kit_id" data-testid="brand_kit">
                        <option value="">"None"</option>
                        {kits.into_iter().map(|k| view! { <option value=k.id selected=k.is_default>{k.name}</option> }).collect_view()}
                    </select>
                </label>
            })}
        </div>
        <fieldset class="styles">
            <legend>"Style"</legend>
            <div class="style-options">
                <label class="style-option">
                    <input type="radio" name="style" value="" checked=true/>
                    <span class="swatch" style="background: linear-gradient(90deg,#4338ca,#e0e7ff)"></span>
                    "Clean (default)"
                </label>
                {Style::ALL.into_iter().map(|st| view! {
                    <label class="style-option">
                        <input type="radio" name="style" value=st.as_str()/>
                        <span class="swatch" style=format!("background: {}", st.swatch())></span>
                        {st.label()}
                    </label>
                }).collect_view()}
            </div>
        </fieldset>
    }
}
