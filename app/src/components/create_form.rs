use crate::api::server_fns::infographs::CreateInfographs;
use crate::components::live::account_refresh;
use crate::context::{FormPrefill, Workspace};
use crate::model::{AspectRatio, Resolution, MAX_IMAGES, PROMPT_MAX_CHARS};
use leptos::prelude::*;

/// The create form (part of the workspace island). Before the wasm has loaded it posts as a plain
/// form to the server function, which answers with a redirect back here.
#[component]
pub fn CreateForm() -> impl IntoView {
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
    });
    let error = move || action.value().get().and_then(Result::err);
    let field = move |name: &'static str| {
        move || error().and_then(|e| e.field(name)).map(|m| view! { <p class="field-error" data-field=name>{m}</p> })
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
            <form class="create-form" method="post" action={<CreateInfographs as leptos::server_fn::ServerFn>::PATH} on:submit=on_submit>
                <label for="prompt">"What should it show?"</label>
                <input type="hidden" name="idempotency_key" prop:value=move || idempotency_key.get()/>
                <textarea node_ref=prompt_ref id="prompt" name="prompt" rows="4" maxlength=PROMPT_MAX_CHARS required
                    placeholder="e.g. The water cycle explained for 10-year-olds"></textarea>
                {field("prompt")}
                <label for="blog_url">"Blog post URL (optional)"</label>
                <input node_ref=blog_ref id="blog_url" name="blog_url" type="url" placeholder="https://example.com/my-post"/>
                {field("blog_url")}
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
