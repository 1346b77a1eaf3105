//! The create form: what to show, where from, how it should look, and the outline to review
//! before paying. [`CreateForm`] is the form island's part; [`LookFields`] is drawn on the server
//! and handed to it.

mod charge;
mod counts;
mod look;
mod model;
#[cfg(feature = "hydrate")]
mod page;
#[cfg(not(feature = "hydrate"))]
#[path = "page_on_server.rs"]
mod page;

pub use charge::{new_idempotency_key, started};
pub use look::LookFields;

use crate::api::server_fns::infographs::CreateInfographs;
use crate::components::confirm::{focus_later, focus_when_shown, Confirm};
use crate::components::form_draft::{self, SavedDraft};
use crate::components::live::account_refresh;
use crate::components::outline_editor::{OutlineDraft, OutlineEditor};
use crate::context::{form_prefill, workspace};
use crate::errors::AppError;
use crate::model::design::SOURCE_TEXT_MAX_CHARS;
use crate::model::models::ModelList;
use crate::model::create::fields;
use crate::model::{CreateRequest, InfographView, USER_PROMPT_MAX_CHARS};
use counts::{generate_label, CharCount, Counts};
use leptos::prelude::*;
use look::apply_preset;
use model::ModelChoice;

/// The create form (the form island's): what to show, where from, how it should look (`look`:
/// the server-rendered [`LookFields`]), and optionally the outline to review before paying.
/// Before its island is live it posts as a plain form to the server function, which answers with
/// a redirect back here. What is typed is kept as a draft under `draft_key` (see
/// [`form_draft`]) until a create goes through. `models`: the catalogue's list, for the model
/// choice; `logo_kits`: the brand kits with a logo (not every model can place one); `kit_logo`:
/// whether the kit the form starts with is one.
#[component]
pub fn CreateForm(look: AnyView, draft_key: String, models: ModelList, logo_kits: Vec<String>, kit_logo: bool) -> impl IntoView {
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
    let counts = Counts::new(models, logo_kits, kit_logo);
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
        // Every field by the request's own names; the outline is the reviewed draft, not a field.
        let outline = draft.get_untracked().and_then(|d| serde_json::to_string(&d.outline()).ok());
        let request = CreateRequest { outline, ..CreateRequest::from_form(fields.all()) };
        action.dispatch(CreateInfographs { request, idempotency_key: Some(idempotency_key.get_untracked()) });
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
        // A model the list no longer has (or a card from before the choice) leaves the choice as it is.
        if counts.models.with_value(|m| m.get(&item.model).is_some()) {
            page::set(&form, "model", &item.model);
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
    // A Draft or Final press changes the model as a press on its radio button would.
    let on_pick = Callback::new(move |_| {
        changed.update(|all| all.push(fields::MODEL.into()));
        recount();
        typed.update(|n| *n += 1);
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
            aria-invalid=move || (counts.prompt.get() > USER_PROMPT_MAX_CHARS).then_some("true")
            placeholder="e.g. The water cycle explained for 10-year-olds"></textarea>
        <CharCount id="prompt-count" count=counts.prompt max=USER_PROMPT_MAX_CHARS/>
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
            {move || if action.pending().get() { "Starting…".to_string() } else { generate_label(counts.cost()) }}
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
                <ModelChoice form=form_ref counts=counts on_pick/>
                {field(fields::MODEL)}
                {outline_area}
                {send}
            </form>
        </section>
    }
    .into_any()
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
