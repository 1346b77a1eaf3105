use crate::api::server_fns::infographs::CreateInfographs;
use crate::components::live::account_refresh;
use crate::components::outline_editor::{OutlineDraft, OutlineEditor};
use crate::context::{form_prefill, workspace};
use crate::errors::AppError;
use crate::model::design::{BrandKitView, Layout, Style, DEFAULT_LANGUAGE, LANGUAGES, SIZE_PRESETS, SOURCE_TEXT_MAX_CHARS};
use crate::model::{AspectRatio, InfographView, Resolution, MAX_IMAGES, PROMPT_MAX_CHARS};
use leptos::prelude::*;

/// The create form (the form island's): what to show, where from, how it should look (`look`:
/// the server-rendered [`LookFields`]), and optionally the outline to review before paying.
/// Before its island is live it posts as a plain form to the server function, which answers with
/// a redirect back here.
#[component]
pub fn CreateForm(look: AnyView) -> impl IntoView {
    let action = ServerAction::<CreateInfographs>::new();
    let refresh = account_refresh();
    let workspace = workspace();
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
    let form_ref = NodeRef::<leptos::html::Form>::new();
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
        let Some(fields) = form_ref.get_untracked().map(|form| page::Fields::of(&form)) else { return };
        action.dispatch(CreateInfographs {
            prompt: fields.get("prompt"),
            blog_url: fields.given("blog_url"),
            aspect_ratio: fields.get("aspect_ratio"),
            resolution: fields.get("resolution"),
            number_of_infographs: fields.get("number_of_infographs"),
            idempotency_key: Some(idempotency_key.get_untracked()),
            layout: fields.get("layout"),
            style: fields.given("style"),
            language: fields.get("language"),
            brand_kit_id: fields.given("brand_kit_id"),
            outline: draft.get_untracked().and_then(|d| serde_json::to_string(&d.outline()).ok()),
        });
    };
    // "Review outline": what the infographic will say, from the post or the pasted text, free.
    let review = move |_| {
        if outlining.get_untracked() {
            return;
        }
        let Some(fields) = form_ref.get_untracked().map(|form| page::Fields::of(&form)) else { return };
        outlining.set(true);
        outline_error.set(None);
        let blank = |v: Option<String>| v.filter(|v| !v.trim().is_empty());
        let (prompt, blog, source) = (fields.get("prompt"), blank(fields.get("blog_url")), blank(fields.get("source_text")));
        let (wanted, lang) = (fields.get("layout"), fields.get("language"));
        leptos::task::spawn_local(async move {
            match crate::api::server_fns::design::build_outline(prompt, blog, source, wanted, lang).await {
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
    let prefill = form_prefill();
    Effect::new(move |_| {
        let Some(item) = prefill.0.get() else { return };
        let Some(form) = form_ref.get() else { return };
        for (name, value) in [
            ("prompt", item.prompt.as_str()),
            ("blog_url", item.blog_url.as_deref().unwrap_or_default()),
            ("aspect_ratio", &item.aspect_ratio),
            ("resolution", &item.resolution),
            ("layout", &item.layout),
            ("style", item.style.as_deref().unwrap_or_default()),
            ("language", &item.language),
            ("brand_kit_id", item.brand_kit_id.as_deref().unwrap_or_default()),
        ] {
            page::set(&form, name, value);
        }
        page::show(&form, "prompt");
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
    view! {
        <section class="create">
            <h2>"New infographic"</h2>
            <form node_ref=form_ref class="create-form" method="post" action={<CreateInfographs as leptos::server_fn::ServerFn>::PATH}
                on:submit=on_submit on:click=move |ev| apply_preset(form_ref, &ev)>
                <label for="prompt">"What should it show?"</label>
                <input type="hidden" name="idempotency_key" prop:value=move || idempotency_key.get()/>
                <textarea id="prompt" name="prompt" rows="4" maxlength=PROMPT_MAX_CHARS required
                    placeholder="e.g. The water cycle explained for 10-year-olds"></textarea>
                {field("prompt")}
                <label for="blog_url">"Blog post URL (optional)"</label>
                <input id="blog_url" name="blog_url" type="url" placeholder="https://example.com/my-post"/>
                {field("blog_url")}
                <details class="paste">
                    <summary>"Or paste the text (a draft, a post behind a login)"</summary>
                    <label for="source_text" class="sr-only">"Text to outline"</label>
                    <textarea id="source_text" name="source_text" rows="6" maxlength=SOURCE_TEXT_MAX_CHARS
                        placeholder="Paste up to 50 000 characters"></textarea>
                </details>
                {field("source_text")}
                {look}
                {field("layout")}
                {field("language")}
                {field("brand_kit_id")}
                {field("style")}
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

/// "Use these settings" from a card: the form takes them once it is live, and its island, which
/// hydrates when first used, is asked to hydrate now.
pub fn fill_from(item: InfographView) {
    form_prefill().0.set(Some(item));
    page::wake_islands();
}

/// A size preset's button (`data-aspect`, `data-resolution`, in [`LookFields`]) sets the aspect
/// ratio and resolution; the click reaches the form, which handles its server-rendered buttons.
fn apply_preset(form: NodeRef<leptos::html::Form>, event: &leptos::ev::MouseEvent) {
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
    let credits = |r: Resolution| format!("{} ({} credit{}/image)", r.as_str(), r.credits_per_image(), if r.credits_per_image() > 1 { "s" } else { "" });
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
            // The resolution last: its options are the longest, so on a phone it is the one
            // that wraps to a line of its own, where "1K (1 credit/image)" fits.
            <label>"Images"
                <select name="number_of_infographs">
                    {(1..=MAX_IMAGES).map(|n| view! { <option value=n.to_string()>{n}</option> }).collect_view()}
                </select>
            </label>
            <label>"Resolution"
                <select name="resolution" data-testid="resolution">
                    {Resolution::ALL.into_iter().map(|r| view! { <option value=r.as_str()>{credits(r)}</option> }).collect_view()}
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

/// The form's fields on the page, by name. Hand-written over `web_sys` because the fields are
/// server-rendered markup the island never drew, so it holds no signals or node refs for them.
#[cfg(feature = "hydrate")]
mod page {
    use wasm_bindgen::JsCast;
    use web_sys::{Element, HtmlFormElement, HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};

    /// The form's values as they stand (what a plain post of it would send).
    pub struct Fields(Option<web_sys::FormData>);

    impl Fields {
        pub fn of(form: &HtmlFormElement) -> Self {
            Self(web_sys::FormData::new_with_form(form).ok())
        }

        /// A field's value as typed, `None` when the form has no such field.
        pub fn get(&self, name: &str) -> Option<String> {
            self.0.as_ref().and_then(|data| data.get(name).as_string())
        }

        /// A field's value when it is not empty.
        pub fn given(&self, name: &str) -> Option<String> {
            self.get(name).filter(|v| !v.is_empty())
        }
    }

    /// Sets every field named `name`: a text field or list takes the value, a radio button is
    /// checked when it holds the value.
    pub fn set(form: &HtmlFormElement, name: &str, value: &str) {
        let Ok(found) = form.query_selector_all(&named(name)) else { return };
        for node in (0..found.length()).filter_map(|i| found.item(i)) {
            if let Some(input) = node.dyn_ref::<HtmlInputElement>() {
                if input.type_() == "radio" {
                    input.set_checked(input.value() == value);
                } else {
                    input.set_value(value);
                }
            } else if let Some(select) = node.dyn_ref::<HtmlSelectElement>() {
                select.set_value(value);
            } else if let Some(text) = node.dyn_ref::<HtmlTextAreaElement>() {
                text.set_value(value);
            }
        }
    }

    /// Brings the field named `name` into view and puts the cursor in it.
    pub fn show(form: &HtmlFormElement, name: &str) {
        if let Ok(Some(el)) = form.query_selector(&named(name)) {
            el.scroll_into_view();
            if let Some(el) = el.dyn_ref::<web_sys::HtmlElement>() {
                let _ = el.focus();
            }
        }
    }

    /// The selector of the form's fields named `name` (one of ours, never typed input).
    fn named(name: &str) -> String {
        format!("[name=\"{name}\"]")
    }

    /// Asks the islands loader (`islands_loader.js`) to hydrate the islands that wait to be used.
    pub fn wake_islands() {
        let document = web_sys::window().and_then(|w| w.document());
        if let (Some(document), Ok(event)) = (document, web_sys::Event::new("islands:wake")) {
            let _ = document.dispatch_event(&event);
        }
    }

    /// The aspect ratio and resolution of the size preset clicked, if the click was on one.
    pub fn preset_of(event: &web_sys::MouseEvent) -> Option<(String, String)> {
        let target = event.target()?.dyn_into::<Element>().ok()?;
        let button = target.closest("[data-aspect]").ok()??;
        Some((button.get_attribute("data-aspect")?, button.get_attribute("data-resolution")?))
    }
}

/// The server never runs the form's handlers: what they call only has to exist there.
#[cfg(not(feature = "hydrate"))]
mod page {
    use leptos::web_sys::{HtmlFormElement, MouseEvent};

    pub struct Fields;

    impl Fields {
        pub fn of(_: &HtmlFormElement) -> Self {
            Self
        }

        pub fn get(&self, _: &str) -> Option<String> {
            None
        }

        pub fn given(&self, _: &str) -> Option<String> {
            None
        }
    }

    pub fn set(_: &HtmlFormElement, _: &str, _: &str) {}

    pub fn show(_: &HtmlFormElement, _: &str) {}

    pub fn wake_islands() {}

    pub fn preset_of(_: &MouseEvent) -> Option<(String, String)> {
        None
    }
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
