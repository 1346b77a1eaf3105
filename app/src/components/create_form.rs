use crate::api::server_fns::infographs::CreateInfographs;
use crate::components::confirm::{focus_later, focus_when_shown, Confirm};
use crate::components::form_draft::{self, SavedDraft};
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
/// a redirect back here. What is typed is kept as a draft under `draft_key` (see
/// [`form_draft`]) until a create goes through.
#[component]
pub fn CreateForm(look: AnyView, draft_key: String) -> impl IntoView {
    let action = ServerAction::<CreateInfographs>::new();
    let refresh = account_refresh();
    let workspace = workspace();
    let draft_key = StoredValue::new(draft_key);
    // A charge changes the balance and adds cards: refresh both after every successful create,
    // drop the draft it was made from, and take the keyboard to the new card (it appears below
    // the fold, and the form's button keeps no useful focus).
    Effect::new(move |_| {
        if let Some(Ok(created)) = action.value().get() {
            refresh.bump();
            workspace.reload();
            form_draft::clear(&draft_key.get_value());
            if let Some(first) = created.infographs.first() {
                focus_when_shown(format!("[data-testid=card][data-id=\"{}\"]", first.id), true);
            }
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
    // What the fields add up to, counted in the browser as they change.
    let counts = Counts::new();
    let recount = move || {
        if let Some(form) = form_ref.get_untracked() {
            counts.take(&form);
        }
    };
    // Bumped whenever a field changes: the draft is saved again.
    let typed = RwSignal::new(0_u32);
    // Dispatched from the fields rather than through `ActionForm`, whose form-data decoding
    // would add tens of KB to the wasm for this one form.
    // "Review outline": what the infographic will say, from the post or the pasted text, free.
    let review = move || {
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
    // "Outline again" over an outline edited by hand asks first: its edits would be lost.
    let replace_outline = RwSignal::new(false);
    let review_button = NodeRef::<leptos::html::Button>::new();
    let on_review = move |_| match draft.with_untracked(|d| d.is_some_and(|d| d.edited())) {
        true => replace_outline.set(true),
        false => review(),
    };
    let outline_first = RwSignal::new(false);
    let on_submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if action.pending().get_untracked() {
            return;
        }
        let Some(fields) = form_ref.get_untracked().map(|form| page::Fields::of(&form)) else { return };
        // Pasted text reaches the picture through its outline: a send without one makes the
        // outline (free) and asks for a look first, rather than charging for a picture of the
        // prompt alone.
        if draft.with_untracked(Option::is_none) && fields.given("source_text").is_some() && fields.given("blog_url").is_none() {
            outline_first.set(true);
            review();
            return;
        }
        outline_first.set(false);
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
        recount();
        typed.update(|n| *n += 1);
    });
    // The draft: restored once the form is live (into the fields still empty), saved on every
    // change after that.
    let save = move || {
        let Some(form) = form_ref.get_untracked() else { return };
        let fields = page::Fields::of(&form);
        let outline = draft.get_untracked();
        let saved = SavedDraft {
            prompt: fields.get("prompt").unwrap_or_default(),
            blog_url: fields.get("blog_url").unwrap_or_default(),
            source_text: fields.get("source_text").unwrap_or_default(),
            outline: outline.map(|d| d.outline()),
            outline_edited: outline.is_some_and(|d| d.edited()),
        };
        form_draft::save(&draft_key.get_value(), &saved);
    };
    let restore = move || {
        let Some(form) = form_ref.get_untracked() else { return };
        if let Some(saved) = form_draft::load(&draft_key.get_value()) {
            let fields = page::Fields::of(&form);
            for (name, value) in [("prompt", &saved.prompt), ("blog_url", &saved.blog_url), ("source_text", &saved.source_text)] {
                if !value.is_empty() && fields.get(name).is_none_or(|v| v.is_empty()) {
                    page::set(&form, name, value);
                }
            }
            if !saved.source_text.is_empty() {
                page::open_paste(&form);
            }
            if let (Some(outline), None) = (saved.outline, draft.get_untracked()) {
                draft.set(Some(OutlineDraft::restored(outline, saved.outline_edited)));
            }
        }
        // Typed or chosen before the form was live: count it now, and keep it.
        recount();
        save();
    };
    // Its own effect, which never runs again: the restored outline's signals belong to it, and an
    // effect that ran again would dispose of them.
    Effect::new(move |_| restore());
    Effect::new(move |first: Option<()>| {
        typed.track();
        if let Some(d) = draft.get() {
            d.track();
        }
        if first.is_some() {
            save();
        }
    });
    // A field's error is about the value it had: changing the field takes it away.
    let changed = RwSignal::new(Vec::<String>::new());
    Effect::new(move |_| {
        action.value().track();
        outline_error.track();
        changed.set(Vec::new());
    });
    let on_edit = move |event: leptos::ev::Event| {
        if let Some(name) = page::changed_field(&event) {
            changed.update(|all| {
                if !all.contains(&name) {
                    all.push(name);
                }
            });
        }
        recount();
        typed.update(|n| *n += 1);
    };
    let error = move || action.value().get().and_then(Result::err).or_else(|| outline_error.get());
    let error_of = move |name: &str| match changed.with(|c| c.iter().any(|n| n == name)) {
        true => None,
        false => error().and_then(|e| e.field(name)),
    };
    let field = move |name: &'static str| move || error_of(name).map(|m| view! { <p class="field-error" data-field=name>{m}</p> });
    // A refused blog address (private, unknown, unreadable) has a way round: its text.
    let paste_instead = move |_| {
        let Some(form) = form_ref.get_untracked() else { return };
        page::set(&form, "blog_url", "");
        page::open_paste(&form);
        page::show(&form, "source_text");
        changed.update(|all| all.push("blog_url".into()));
        typed.update(|n| *n += 1);
    };
    let blog_error = move || {
        error_of("blog_url").map(|m| {
            view! {
                <p class="field-error" data-field="blog_url">{m} " "
                    <button type="button" class="link" data-testid="paste-instead" on:click=paste_instead>"Paste the text instead"</button>
                </p>
            }
        })
    };
    // Problems inside an edited outline (`outline.sections[1].heading`, …), listed under it.
    let outline_fields = move || {
        let problems: Vec<String> = match error() {
            Some(AppError::InvalidInput { fields, .. }) if !changed.with(|c| c.iter().any(|n| n == "outline")) => {
                fields.iter().filter(|(k, _)| k.starts_with("outline")).map(|(k, v)| format!("{k}: {v}")).collect()
            }
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
    // The form in three erased parts: one view type this deep overflowed a 2 MiB thread stack
    // when rendered on the server in a debug build.
    let texts = view! {
        <label for="prompt">"What should it show?"
            <span class="label-hint">"(optional with a blog post, pasted text or an outline)"</span></label>
        <input type="hidden" name="idempotency_key" prop:value=move || idempotency_key.get()/>
        // No `maxlength`: it cut pasted text at the limit without a word. The counter
        // says how far over it is, and the server refuses it in a sentence.
        <textarea id="prompt" name="prompt" rows="4" aria-describedby="prompt-count"
            aria-invalid=move || (counts.prompt.get() > PROMPT_MAX_CHARS).then_some("true")
            placeholder="e.g. The water cycle explained for 10-year-olds"></textarea>
        <CharCount id="prompt-count" count=counts.prompt max=PROMPT_MAX_CHARS/>
        {field("prompt")}
        <label for="blog_url">"Blog post URL (optional)"</label>
        <input id="blog_url" name="blog_url" type="url" placeholder="https://example.com/my-post"/>
        {blog_error}
        <details class="paste">
            <summary>"Or paste the text (a draft, a post behind a login)"</summary>
            <label for="source_text" class="sr-only">"Text to outline"</label>
            <textarea id="source_text" name="source_text" rows="6" aria-describedby="source-count"
                aria-invalid=move || (counts.source.get() > SOURCE_TEXT_MAX_CHARS).then_some("true")
                placeholder="Paste up to 50 000 characters"></textarea>
            <CharCount id="source-count" count=counts.source max=SOURCE_TEXT_MAX_CHARS/>
        </details>
        {field("source_text")}
    }
    .into_any();
    let outline_area = view! {
        <div class="row outline-actions">
            <button type="button" class="secondary" data-testid="review-outline" node_ref=review_button
                disabled=move || outlining.get() hidden=move || replace_outline.get() on:click=on_review>
                {move || if outlining.get() { "Reading…" } else if draft.with(Option::is_some) { "Outline again" } else { "Review outline" }}
            </button>
            <span class="hint">"Free: see what it will say before paying."</span>
        </div>
        {move || outline_first.get().then(|| view! {
            <p class="form-note" role="status" data-testid="outline-first">
                "Here is the outline of your pasted text: check it, then press Generate. The picture is made from it."
            </p>
        })}
        <Confirm open=replace_outline question="Replace your edited outline? Your changes to it will be lost.".to_string()
            yes="Replace it" no="Keep my edits" testid="outline-replace" back_to=review_button
            on_yes=Callback::new(move |_| review())/>
        {move || draft.get().map(|d| view! { <OutlineEditor draft=d on_discard=Callback::new(move |_| { draft.set(None); focus_later(review_button) })/> }.into_any())}
        {outline_fields}
    }
    .into_any();
    let send = view! {
        {field("aspect_ratio")}
        {field("resolution")}
        {field("number_of_infographs")}
        {general}
        <div role="status">{success}</div>
        <button type="submit" data-testid="generate" disabled=move || action.pending().get()>
            {move || if action.pending().get() { "Starting…".to_string() } else { generate_label(counts.cost.get()) }}
        </button>
    }
    .into_any();
    view! {
        <section class="create">
            <h2>"New infographic"</h2>
            <form node_ref=form_ref class="create-form" method="post" action={<CreateInfographs as leptos::server_fn::ServerFn>::PATH}
                on:submit=on_submit on:input=on_edit on:change=on_edit
                on:click=move |ev| { apply_preset(form_ref, &ev); recount() }>
                {texts}
                {look}
                {field("layout")}
                {field("language")}
                {field("brand_kit_id")}
                {field("style")}
                {outline_area}
                {send}
            </form>
        </section>
    }
    .into_any()
}

/// What the form's fields add up to: the characters of the long texts and the credits a send
/// costs, counted in the browser. Before the form is live: an empty form's.
#[derive(Clone, Copy)]
struct Counts {
    prompt: RwSignal<usize>,
    source: RwSignal<usize>,
    cost: RwSignal<i64>,
}

impl Counts {
    fn new() -> Self {
        Self { prompt: RwSignal::new(0), source: RwSignal::new(0), cost: RwSignal::new(cost_of(None, None)) }
    }

    fn take(self, form: &leptos::web_sys::HtmlFormElement) {
        let fields = page::Fields::of(form);
        // As the server counts: characters, not the browser's UTF-16 units.
        self.prompt.set(page::text_of(form, "prompt").chars().count());
        self.source.set(page::text_of(form, "source_text").chars().count());
        self.cost.set(cost_of(fields.get("number_of_infographs").as_deref(), fields.get("resolution").as_deref()));
    }
}

/// "1,200 / 4,000 characters", and how many too many past the limit.
#[component]
fn CharCount(id: &'static str, count: RwSignal<usize>, max: usize) -> impl IntoView {
    // Said when it happens, once: a paste past the limit is not silent, and typing on past it
    // does not announce every key.
    let over = Memo::new(move |_| count.get() > max);
    view! {
        <p id=id class=move || count_class(over.get()) data-testid=id>
            {move || format!("{} / {} characters", grouped(count.get()), grouped(max))}
            {move || too_many(count.get(), max)}
        </p>
        <p class="sr-only" aria-live="polite">{move || over.get().then_some("Over the limit.")}</p>
    }
}

fn count_class(over: bool) -> &'static str {
    if over { "hint count over" } else { "hint count" }
}

/// " — 120 too many" past `max`, nothing up to it.
fn too_many(count: usize, max: usize) -> String {
    match count.checked_sub(max) {
        Some(over) if over > 0 => format!(" — {} too many", grouped(over)),
        _ => String::new(),
    }
}

/// 4000 → "4,000".
fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The credits a send costs: images × credits per image (1 image at 1K when unreadable, as
/// the form starts).
fn cost_of(count: Option<&str>, resolution: Option<&str>) -> i64 {
    let count = count.and_then(|c| c.trim().parse::<i64>().ok()).unwrap_or(1).max(1);
    let per_image = resolution.and_then(|r| r.parse::<Resolution>().ok()).unwrap_or(Resolution::K1).credits_per_image();
    count * per_image
}

/// "Generate · 2 credits".
fn generate_label(credits: i64) -> String {
    format!("Generate · {credits} credit{}", if credits == 1 { "" } else { "s" })
}

/// Asks the form's island to wake now when a draft is waiting for it: the draft is restored by
/// the island, which otherwise hydrates only when first used.
pub fn wake_for_draft(draft_key: &str) {
    if form_draft::load(draft_key).is_some() {
        page::wake_islands();
    }
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

    /// The text of the field named `name` as the browser holds it (line breaks as typed, where
    /// the form's data would send two characters for each).
    pub fn text_of(form: &HtmlFormElement, name: &str) -> String {
        match form.query_selector(&named(name)) {
            Ok(Some(el)) => el.dyn_ref::<HtmlTextAreaElement>().map(|t| t.value()).unwrap_or_default(),
            _ => String::new(),
        }
    }

    /// Opens the "Or paste the text" section.
    pub fn open_paste(form: &HtmlFormElement) {
        if let Ok(Some(details)) = form.query_selector("details.paste") {
            let _ = details.set_attribute("open", "");
        }
    }

    /// Which field an input or change event is about: a named field, or "outline" for the
    /// outline's own fields.
    pub fn changed_field(event: &web_sys::Event) -> Option<String> {
        let target = event.target()?.dyn_into::<Element>().ok()?;
        target.get_attribute("name").or_else(|| target.closest(".outline").ok().flatten().map(|_| "outline".to_string()))
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

    pub fn text_of(_: &HtmlFormElement, _: &str) -> String {
        String::new()
    }

    pub fn open_paste(_: &HtmlFormElement) {}

    pub fn changed_field(_: &leptos::web_sys::Event) -> Option<String> {
        None
    }

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
    fn the_button_says_what_a_send_costs() {
        assert_eq!(super::generate_label(super::cost_of(Some("1"), Some("1K"))), "Generate · 1 credit");
        assert_eq!(super::generate_label(super::cost_of(Some("1"), Some("4K"))), "Generate · 2 credits");
        assert_eq!(super::generate_label(super::cost_of(Some("3"), Some("4K"))), "Generate · 6 credits");
        assert_eq!(super::cost_of(Some("2"), Some("2K")), 2);
        assert_eq!(super::cost_of(None, None), 1, "an empty form's");
    }

    #[test]
    fn counters_say_how_far_over_the_limit() {
        assert_eq!(super::grouped(4000), "4,000");
        assert_eq!(super::grouped(50_000), "50,000");
        assert_eq!(super::grouped(1_234_567), "1,234,567");
        assert_eq!(super::grouped(999), "999");
        assert_eq!(super::too_many(4120, 4000), " — 120 too many");
        assert_eq!(super::too_many(4000, 4000), "");
        assert_eq!(super::too_many(12, 4000), "");
    }

    #[test]
    fn counts_are_spelled_out() {
        assert_eq!(super::started(1, "infographic", 1), "Started 1 infographic for 1 credit.");
        assert_eq!(super::started(3, "infographic", 6), "Started 3 infographics for 6 credits.");
        assert_eq!(super::started(2, "refinement", 2), "Started 2 refinements for 2 credits.");
    }
}
