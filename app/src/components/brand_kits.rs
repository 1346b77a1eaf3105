//! Settings → Brand kits (part of the settings island): the user's kits, and a form to make or change one: name,
//! 1–6 colours (a colour picker beside each `#RRGGBB`), font mood, tone, default, and a logo
//! (uploaded with the REST API's `PUT /api/brand-kits/{id}/logo/`, the file as the body).

use crate::api::server_fns::design::{delete_brand_kit, list_brand_kits, save_brand_kit};
use crate::errors::AppError;
use crate::model::design::{BrandKitView, FontMood, BRAND_MAX_COLORS, BRAND_NAME_MAX_CHARS, BRAND_TONE_MAX_CHARS};
use leptos::prelude::*;

/// The colour a new kit starts with (the app's own indigo).
const FIRST_COLOR: &str = "#4338CA";

#[derive(Clone, Copy)]
struct KitForm {
    editing: RwSignal<Option<String>>,
    name: RwSignal<String>,
    colors: RwSignal<Vec<String>>,
    font_mood: RwSignal<String>,
    tone: RwSignal<String>,
    is_default: RwSignal<bool>,
}

impl KitForm {
    fn new() -> Self {
        Self {
            editing: RwSignal::new(None),
            name: RwSignal::new(String::new()),
            colors: RwSignal::new(vec![FIRST_COLOR.into()]),
            font_mood: RwSignal::new(FontMood::ModernSans.as_str().into()),
            tone: RwSignal::new(String::new()),
            is_default: RwSignal::new(false),
        }
    }

    fn load(&self, kit: &BrandKitView) {
        self.editing.set(Some(kit.id.clone()));
        self.name.set(kit.name.clone());
        self.colors.set(kit.colors.clone());
        self.font_mood.set(kit.font_mood.as_str().into());
        self.tone.set(kit.tone.clone());
        self.is_default.set(kit.is_default);
    }

    fn clear(&self) {
        self.editing.set(None);
        self.name.set(String::new());
        self.colors.set(vec![FIRST_COLOR.into()]);
        self.font_mood.set(FontMood::ModernSans.as_str().into());
        self.tone.set(String::new());
        self.is_default.set(false);
    }
}

#[component]
pub fn BrandKits(initial: Vec<BrandKitView>) -> impl IntoView {
    let kits = RwSignal::new(initial);
    let form = KitForm::new();
    let error = RwSignal::new(None::<AppError>);
    let saved = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let file = NodeRef::<leptos::html::Input>::new();
    let reload = move || {
        leptos::task::spawn_local(async move {
            if let Ok(list) = list_brand_kits().await {
                let _ = kits.try_set(list);
            }
        });
    };
    let save = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        busy.set(true);
        error.set(None);
        saved.set(None);
        let logo = picked_file(file);
        leptos::task::spawn_local(async move {
            let result = save_brand_kit(
                form.editing.get_untracked(),
                form.name.get_untracked(),
                form.colors.get_untracked().join(","),
                form.font_mood.get_untracked(),
                form.tone.get_untracked(),
                form.is_default.get_untracked().to_string(),
            )
            .await;
            let outcome = match result {
                Ok(kit) => match logo {
                    Some(logo) => match upload_logo(&kit.id, logo).await {
                        Ok(()) => Ok(kit),
                        Err(e) => {
                            // The kit itself is saved: sending the form again edits it rather
                            // than making a second one.
                            let _ = form.editing.try_set(Some(kit.id));
                            reload();
                            Err(e)
                        }
                    },
                    None => Ok(kit),
                },
                Err(e) => Err(e),
            };
            match outcome {
                Ok(kit) => {
                    let _ = saved.try_set(Some(format!("Saved “{}”.", kit.name)));
                    form.clear();
                    clear_file(file);
                    reload();
                }
                Err(e) => {
                    let _ = error.try_set(Some(e));
                }
            }
            let _ = busy.try_set(false);
        });
    };
    let error = move || error.get();
    let field_error = move |name: &'static str| {
        move || {
            error().and_then(|e| match &e {
                AppError::InvalidInput { fields, .. } => fields.iter().find(|(k, _)| k.as_str() == name || k.starts_with(&format!("{name}["))).map(|(_, v)| v.clone()),
                _ => None,
            })
            .map(|m| view! { <p class="field-error" data-field=name>{m}</p> })
        }
    };
    // What no field shows: any error but a field's own.
    let general = move || {
        const FIELDS: [&str; 4] = ["name", "colors", "tone", "logo"];
        error()
            .filter(|e| !matches!(e, AppError::InvalidInput { fields, .. } if fields.keys().any(|k| FIELDS.iter().any(|f| k.starts_with(f)))))
            .map(|e| view! { <p class="form-error" role="alert" data-testid="kit-error">{e.to_string()}</p> })
    };
    view! {
        <h2>"Brand kits"</h2>
        <p>"Your colours, typeface and tone, and your logo, kept for every infographic made with the kit."</p>
        <ul class="kits" data-testid="kits">
            <For each=move || kits.get() key=|k| (k.id.clone(), k.name.clone(), k.colors.clone(), k.logo_url.clone(), k.is_default, k.tone.clone()) let:kit>
                <KitRow kit=kit form=form on_deleted=Callback::new(move |_| reload())/>
            </For>
        </ul>
        {move || kits.with(Vec::is_empty).then(|| view! { <p class="empty">"No brand kit yet."</p> })}
        <form class="kit-form" on:submit=save data-testid="kit-form">
            <h3>{move || if form.editing.get().is_some() { "Change the kit" } else { "A new kit" }}</h3>
            <label for="kit-name">"Name"</label>
            <input id="kit-name" type="text" maxlength=BRAND_NAME_MAX_CHARS data-testid="kit-name" required
                prop:value=move || form.name.get() on:input=move |ev| form.name.set(event_target_value(&ev))/>
            {field_error("name")}
            <fieldset class="kit-colors">
                <legend>"Colours"</legend>
                {move || form.colors.get().into_iter().enumerate().map(|(i, color)| {
                    let picker = color.clone();
                    view! {
                        <div class="kit-color">
                            <input type="color" aria-label=format!("Colour {} picker", i + 1) prop:value=picker.to_ascii_lowercase()
                                on:input=move |ev| form.colors.update(|all| if let Some(c) = all.get_mut(i) { *c = event_target_value(&ev).to_ascii_uppercase() })/>
                            <input type="text" aria-label=format!("Colour {}", i + 1) maxlength="7" data-testid="kit-color" prop:value=color
                                on:change=move |ev| form.colors.update(|all| if let Some(c) = all.get_mut(i) { *c = event_target_value(&ev) })/>
                            <button type="button" class="small danger" aria-label=format!("Remove colour {}", i + 1)
                                on:click=move |_| form.colors.update(|all| { if all.len() > 1 { all.remove(i); } })>"✕"</button>
                        </div>
                    }
                }).collect_view()}
                <button type="button" class="small" data-testid="kit-add-color" disabled=move || { form.colors.with(Vec::len) >= BRAND_MAX_COLORS }
                    on:click=move |_| form.colors.update(|all| all.push("#F59E0B".into()))>"Add a colour"</button>
            </fieldset>
            {field_error("colors")}
            <label for="kit-font">"Font mood"</label>
            <select id="kit-font" data-testid="kit-font" prop:value=move || form.font_mood.get() on:change=move |ev| form.font_mood.set(event_target_value(&ev))>
                {FontMood::ALL.into_iter().map(|m| view! { <option value=m.as_str()>{m.label()}</option> }).collect_view()}
            </select>
            <label for="kit-tone">"Tone"</label>
            <input id="kit-tone" type="text" maxlength=BRAND_TONE_MAX_CHARS placeholder="e.g. warm, plain words, no jargon" data-testid="kit-tone"
                prop:value=move || form.tone.get() on:input=move |ev| form.tone.set(event_target_value(&ev))/>
            {field_error("tone")}
            <label class="check">
                <input type="checkbox" data-testid="kit-default" prop:checked=move || form.is_default.get()
                    on:change=move |ev| form.is_default.set(event_target_checked(&ev))/>
                "Use it by default for new infographics"
            </label>
            <label for="kit-logo">"Logo (PNG, JPEG or WebP, up to 2 MB)"</label>
            <input id="kit-logo" node_ref=file type="file" accept="image/png,image/jpeg,image/webp" data-testid="kit-logo"/>
            {field_error("logo")}
            {general}
            {move || saved.get().map(|m| view! { <p class="form-ok" data-testid="kit-saved">{m}</p> })}
            <div class="row">
                <button type="submit" data-testid="kit-save" disabled=move || busy.get()>"Save the kit"</button>
                {move || form.editing.get().is_some().then(|| view! {
                    <button type="button" class="secondary" on:click=move |_| form.clear()>"Cancel"</button>
                })}
            </div>
        </form>
    }
    .into_any()
}

#[component]
fn KitRow(kit: BrandKitView, form: KitForm, on_deleted: Callback<()>) -> impl IntoView {
    let for_edit = kit.clone();
    let id = kit.id.clone();
    let error = RwSignal::new(None::<String>);
    view! {
        <li class="kit" data-testid="kit" data-name=kit.name.clone()>
            {kit.logo_url.clone().map(|url| view! { <img class="kit-logo" src=url alt=format!("{} logo", kit.name) width="48" height="48"/> })}
            <div class="kit-about">
                <strong>{kit.name.clone()}</strong>
                {kit.is_default.then(|| view! { <span class="badge">"default"</span> })}
                <span class="chips">
                    {kit.colors.iter().map(|c| view! { <span class="chip" style=format!("background:{c}") title=c.clone()></span> }).collect_view()}
                </span>
                <span class="muted">{kit.font_mood.label()} {(!kit.tone.is_empty()).then(|| format!(" · {}", kit.tone))}</span>
            </div>
            <button type="button" class="small" on:click=move |_| form.load(&for_edit)>"Edit"</button>
            <button type="button" class="small danger" data-testid="kit-delete" on:click=move |_| {
                let id = id.clone();
                leptos::task::spawn_local(async move {
                    match delete_brand_kit(id).await {
                        Ok(()) => on_deleted.run(()),
                        Err(e) => {
                            let _ = error.try_set(Some(e.to_string()));
                        }
                    }
                });
            }>"Delete"</button>
            {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
        </li>
    }
}

/// The file chosen in the logo field, if any.
#[cfg(feature = "hydrate")]
fn picked_file(input: NodeRef<leptos::html::Input>) -> Option<web_sys::File> {
    input.get_untracked()?.files()?.get(0)
}

#[cfg(not(feature = "hydrate"))]
fn picked_file(_input: NodeRef<leptos::html::Input>) -> Option<()> {
    None
}

#[cfg(feature = "hydrate")]
fn clear_file(input: NodeRef<leptos::html::Input>) {
    if let Some(el) = input.get_untracked() {
        el.set_value("");
    }
}

#[cfg(not(feature = "hydrate"))]
fn clear_file(_input: NodeRef<leptos::html::Input>) {}

/// Sends the logo as the body of `PUT /api/brand-kits/{id}/logo/` (the session cookie goes with
/// it); the API's error, field and all, when it refuses.
#[cfg(feature = "hydrate")]
async fn upload_logo(kit_id: &str, file: web_sys::File) -> Result<(), AppError> {
    let request = gloo_net::http::Request::put(&format!("/api/brand-kits/{kit_id}/logo/"))
        .header("content-type", &file.type_())
        .body(wasm_bindgen::JsValue::from(file))
        .map_err(|e| AppError::Transport(e.to_string()))?;
    let response = request.send().await.map_err(|e| AppError::Transport(e.to_string()))?;
    if response.ok() {
        return Ok(());
    }
    let body: serde_json::Value = response.json().await.unwrap_or_default();
    let message = body["message"].as_str().unwrap_or("the logo was refused").to_string();
    let fields = body["fields"]
        .as_object()
        .map(|f| f.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string())).collect())
        .unwrap_or_default();
    Err(AppError::InvalidInput { message, fields })
}

#[cfg(not(feature = "hydrate"))]
async fn upload_logo(_kit_id: &str, _file: ()) -> Result<(), AppError> {
    Ok(())
}
