use crate::api::server_fns::infographs::CreateInfographs;
use crate::components::live::account_refresh;
use crate::components::outline_editor::{OutlineDraft, OutlineEditor};
use crate::context::{FormPrefill, Workspace};
use crate::errors::AppError;
use crate::model::design::{BrandKitView, Layout, Style, LANGUAGES, SIZE_PRESETS, SOURCE_TEXT_MAX_CHARS};
use crate::model::{AspectRatio, Resolution, MAX_IMAGES, PROMPT_MAX_CHARS};
use leptos::prelude::*;

/// The create form (part of the workspace island): what to show, where from, how it should look
/// (size preset, layout, style, language, brand kit), and optionally the outline to review before
/// paying. Before the wasm has loaded it posts as a plain form to the server function, which
/// answers with a redirect back here.
#[component]
pub fn CreateForm(kits: Vec<BrandKitView>) -> impl IntoView {
    let action = ServerAction::<CreateInfographs>::new();
    let refresh = account_refresh();
    let workspace = expect_context::<Workspace>();
    // A charge changes the balance and adds cards: refresh both after every successful create.
    Effect::new(move |_| {
        if matches!(action.value().get(), Some(Ok(_))) {
            refresh.bump();
            workspace.reload();
        }
    });
    // A fresh key per form display (set in the browser): a double submit or a retried post of the
    // same form charges once. Without wasm (plain form post) there is no key.
    // A failed or lost attempt keeps its key, so sending the same form again charges once; only
    // a create that went through starts a new one.
    let idempotency_key = RwSignal::new(String::new());
    Effect::new(move |_| idempotency_key.set(new_idempotency_key()));
    Effect::new(move |_| {
        if matches!(action.value().get(), Some(Ok(_))) {
            idempotency_key.set(new_idempotency_key());
        }
    });
    let prompt_ref = NodeRef::<leptos::html::Textarea>::new();
    let blog_ref = NodeRef::<leptos::html::Input>::new();
    let aspect_ref = NodeRef::<leptos::html::Select>::new();
    let resolution_ref = NodeRef::<leptos::html::Select>::new();
    let count_ref = NodeRef::<leptos::html::Select>::new();
    let source_ref = NodeRef::<leptos::html::Textarea>::new();
    let layout = RwSignal::new(Layout::Auto.as_str().to_string());
    let style = RwSignal::new(String::new());
    let language = RwSignal::new(crate::model::design::DEFAULT_LANGUAGE.to_string());
    let brand_kit = RwSignal::new(kits.iter().find(|k| k.is_default).map(|k| k.id.clone()).unwrap_or_default());
    let draft = RwSignal::new(None::<OutlineDraft>);
    let outline_error = RwSignal::new(None::<AppError>);
    let outlining = RwSignal::new(false);
    // Dispatched from the fields rather than through `ActionForm`, whose form-data decoding
    // would add tens of KB to the wasm for this one form.
    let on_submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if action.pending().get_untracked() {
            return;
        }
        let text = |value: Option<String>| value.filter(|v| !v.is_empty());
        action.dispatch(CreateInfographs {
            prompt: prompt_ref.get_untracked().map(|el| el.value()),
            blog_url: text(blog_ref.get_untracked().map(|el| el.value())),
            aspect_ratio: aspect_ref.get_untracked().map(|el| el.value()),
            resolution: resolution_ref.get_untracked().map(|el| el.value()),
            number_of_infographs: count_ref.get_untracked().map(|el| el.value()),
            idempotency_key: Some(idempotency_key.get_untracked()),
            layout: Some(layout.get_untracked()),
            style: text(Some(style.get_untracked())),
            language: Some(language.get_untracked()),
            brand_kit_id: text(Some(brand_kit.get_untracked())),
            outline: draft.get_untracked().and_then(|d| serde_json::to_string(&d.outline()).ok()),
        });
    };
    // "Review outline": what the infographic will say, from the post or the pasted text, free.
    let review = move |_| {
        if outlining.get_untracked() {
            return;
        }
        outlining.set(true);
        outline_error.set(None);
        let value = |v: Option<String>| v.filter(|v| !v.trim().is_empty());
        let (prompt, blog, source) = (
            prompt_ref.get_untracked().map(|el| el.value()),
            value(blog_ref.get_untracked().map(|el| el.value())),
            value(source_ref.get_untracked().map(|el| el.value())),
        );
        let (wanted, lang) = (layout.get_untracked(), language.get_untracked());
        leptos::task::spawn_local(async move {
            match crate::api::server_fns::design::build_outline(prompt, blog, source, Some(wanted), Some(lang)).await {
                Ok(outline) => {
                    let _ = draft.try_set(Some(OutlineDraft::new(outline)));
                }
                Err(e) => {
                    let _ = outline_error.try_set(Some(e));
                }
            }
            let _ = outlining.try_set(false);
        });
    };
    let prefill = expect_context::<FormPrefill>();
    Effect::new(move |_| {
        let Some(item) = prefill.0.get() else { return };
        if let Some(el) = prompt_ref.get() {
            el.set_value(&item.prompt);
            el.scroll_into_view();
            let _ = el.focus();
        }
        if let Some(el) = blog_ref.get() {
            el.set_value(item.blog_url.as_deref().unwrap_or_default());
        }
        if let Some(el) = aspect_ref.get() {
            el.set_value(&item.aspect_ratio);
        }
        if let Some(el) = resolution_ref.get() {
            el.set_value(&item.resolution);
        }
        layout.set(item.layout.clone());
        style.set(item.style.clone().unwrap_or_default());
        language.set(item.language.clone());
        brand_kit.set(item.brand_kit_id.clone().unwrap_or_default());
    });
    let error = move || action.value().get().and_then(Result::err).or_else(|| outline_error.get());
    let field = move |name: &'static str| {
        move || error().and_then(|e| e.field(name)).map(|m| view! { <p class="field-error" data-field=name>{m}</p> })
    };
    // Problems inside an edited outline (`outline.sections[1].heading`, …), listed under it.
    let outline_fields = move || {
        let problems: Vec<String> = match error() {
            Some(AppError::InvalidInput { fields, .. }) => fields.iter().filter(|(k, _)| k.starts_with("outline")).map(|(k, v)| format!("{k}: {v}")).collect(),
            _ => Vec::new(),
        };
        (!problems.is_empty()).then(|| view! { <ul class="field-error" data-field="outline">{problems.into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}</ul> })
    };
    let apply_preset = move |aspect: &'static str, resolution: &'static str| {
        if let Some(el) = aspect_ref.get_untracked() {
            el.set_value(aspect);
        }
        if let Some(el) = resolution_ref.get_untracked() {
            el.set_value(resolution);
        }
    };
    let general = move || {
        error()
            .filter(|e| !matches!(e, crate::errors::AppError::InvalidInput { fields, .. } if !fields.is_empty()))
            .map(|e| {
                let buy = matches!(e, crate::errors::AppError::NotEnoughCredits { .. })
                    .then(|| view! { " " <a href=crate::errors::BUY_PATH data-testid="buy-link">"Buy credits"</a> });
                view! { <p class="form-error" role="alert" data-testid="form-error">{e.to_string()}{buy}</p> }
            })
    };
    let success = move || {
        action.value().get().and_then(Result::ok).map(|r| {
            view! {
                <p class="form-ok" data-testid="form-ok">
                    {started(r.total_submitted, "infographic", r.credits_used)}
                </p>
            }
        })
    };
    // How it should look: erased to keep the form's view type within the compiler's limits.
    let look = view! {
                <fieldset class="presets">
                    <legend>"Size for where it goes"</legend>
                    <div class="preset-buttons">
                        {SIZE_PRESETS.iter().map(|p| {
                            let (aspect, resolution) = (p.aspect_ratio, p.resolution);
                            view! {
                                <button type="button" class="small" data-testid=format!("preset-{}", p.id)
                                    on:click=move |_| apply_preset(aspect, resolution)>{p.label}</button>
                            }
                        }).collect_view()}
                    </div>
                </fieldset>
                <div class="row">
                    <label>"Aspect ratio"
                        <select node_ref=aspect_ref name="aspect_ratio" data-testid="aspect_ratio">
                            {AspectRatio::ALL.into_iter().map(|r| view! {
                                <option value=r.as_fal() selected=r == AspectRatio::R16x9>{r.as_fal()}</option>
                            }).collect_view()}
                        </select>
                    </label>
                    <label>"Resolution"
                        <select node_ref=resolution_ref name="resolution" data-testid="resolution">
                            {Resolution::ALL.into_iter().map(|r| view! {
                                <option value=r.as_str()>
                                    {format!("{} ({} credit{}/image)", r.as_str(), r.credits_per_image(), if r.credits_per_image() > 1 { "s" } else { "" })}
                                </option>
                            }).collect_view()}
                        </select>
                    </label>
                    <label>"Images"
                        <select node_ref=count_ref name="number_of_infographs">
                            {(1..=MAX_IMAGES).map(|n| view! { <option value=n.to_string()>{n}</option> }).collect_view()}
                        </select>
                    </label>
                </div>
                <div class="row">
                    <label>"Layout"
                        <select name="layout" data-testid="layout" prop:value=move || layout.get() on:change=move |ev| layout.set(event_target_value(&ev))>
                            {Layout::ALL.into_iter().map(|l| view! { <option value=l.as_str()>{l.label()}</option> }).collect_view()}
                        </select>
                    </label>
                    <label>"Language of the text"
                        <select name="language" data-testid="language" prop:value=move || language.get() on:change=move |ev| language.set(event_target_value(&ev))>
                            {LANGUAGES.iter().map(|l| view! { <option value=l.code>{format!("{} ({})", l.name, l.code)}</option> }).collect_view()}
                        </select>
                    </label>
                    {(!kits.is_empty()).then(|| view! {
                        <label>"Brand kit"
                            <select name="brand_kit_id" data-testid="brand_kit" prop:value=move || brand_kit.get() on:change=move |ev| brand_kit.set(event_target_value(&ev))>
                                <option value="">"None"</option>
                                {kits.iter().map(|k| view! { <option value=k.id.clone()>{k.name.clone()}</option> }).collect_view()}
                            </select>
                        </label>
                    })}
                </div>
                {field("layout")}
                {field("language")}
                {field("brand_kit_id")}
                <fieldset class="styles">
                    <legend>"Style"</legend>
                    <div class="style-options">
                        <label class="style-option">
                            <input type="radio" name="style" value="" checked=true prop:checked=move || style.get().is_empty() on:change=move |_| style.set(String::new())/>
                            <span class="swatch" style="background: linear-gradient(90deg,#4338ca,#e0e7ff)"></span>
                            "Clean (default)"
                        </label>
                        {Style::ALL.into_iter().map(|st| view! {
                            <label class="style-option">
                                <input type="radio" name="style" value=st.as_str() prop:checked=move || style.get() == st.as_str()
                                    on:change=move |_| style.set(st.as_str().to_string())/>
                                <span class="swatch" style=format!("background: {}", st.swatch())></span>
                                {st.label()}
                            </label>
                        }).collect_view()}
                    </div>
                </fieldset>
                {field("style")}
    }
    .into_any();
    view! {
        <section class="create">
            <h2>"New infographic"</h2>
            <form class="create-form" method="post" action={<CreateInfographs as leptos::server_fn::ServerFn>::PATH} on:submit=on_submit>
                <label for="prompt">"What should it show?"</label>
                <input type="hidden" name="idempotency_key" prop:value=move || idempotency_key.get()/>
                <textarea node_ref=prompt_ref id="prompt" name="prompt" rows="4" maxlength=PROMPT_MAX_CHARS required
                    placeholder="e.g. The water cycle explained for 10-year-olds"></textarea>
                {field("prompt")}
                <label for="blog_url">"Blog post URL (optional)"</label>
                <input node_ref=blog_ref id="blog_url" name="blog_url" type="url" placeholder="https://example.com/my-post"/>
                {field("blog_url")}
                <details class="paste">
                    <summary>"Or paste the text (a draft, a post behind a login)"</summary>
                    <label for="source_text" class="sr-only">"Text to outline"</label>
                    <textarea node_ref=source_ref id="source_text" name="source_text" rows="6" maxlength=SOURCE_TEXT_MAX_CHARS
                        placeholder="Paste up to 50 000 characters"></textarea>
                </details>
                {field("source_text")}
                {look}
                <div class="row outline-actions">
                    <button type="button" class="secondary" data-testid="review-outline" disabled=move || outlining.get() on:click=review>
                        {move || if outlining.get() { "Reading…" } else if draft.with(Option::is_some) { "Outline again" } else { "Review outline" }}
                    </button>
                    <span class="hint">"Free: see what it will say before paying."</span>
                </div>
                {move || draft.get().map(|d| view! { <OutlineEditor draft=d on_discard=Callback::new(move |_| draft.set(None))/> }.into_any())}
                {outline_fields}
                {field("aspect_ratio")}
                {field("resolution")}
                {field("number_of_infographs")}
                {general}
                {success}
                <button type="submit" disabled=move || action.pending().get()>
                    {move || if action.pending().get() { "Starting…" } else { "Generate" }}
                </button>
            </form>
        </section>
    }
    .into_any()
}

/// "Started 3 infographics for 3 credits." — counted words, never "(s)".
pub fn started(count: usize, thing: &str, credits: i64) -> String {
    let plural = |n: i64| if n == 1 { "" } else { "s" };
    format!("Started {count} {thing}{} for {credits} credit{}.", plural(count as i64), plural(credits))
}

/// A random key for one display of a form that charges (empty without the wasm).
#[cfg(feature = "hydrate")]
pub fn new_idempotency_key() -> String {
    web_sys::window().and_then(|w| w.crypto().ok()).map(|c| c.random_uuid()).unwrap_or_default()
}

#[cfg(not(feature = "hydrate"))]
pub fn new_idempotency_key() -> String {
    String::new()
}

#[cfg(test)]
mod tests {
    #[test]
    fn counts_are_spelled_out() {
        assert_eq!(super::started(1, "infographic", 1), "Started 1 infographic for 1 credit.");
        assert_eq!(super::started(3, "infographic", 6), "Started 3 infographics for 6 credits.");
        assert_eq!(super::started(2, "refinement", 2), "Started 2 refinements for 2 credits.");
    }
}
