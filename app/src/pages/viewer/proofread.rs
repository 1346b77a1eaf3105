//! The viewer's proofread: "every word and number is right", or each problem with the expected
//! and the read text, highlighted on what was read; and "Fix these words".

use super::live::reload;
use crate::api::server_fns::viewer::{fix_words, get_proofread};
use crate::components::create_form::{new_idempotency_key, started};
use crate::components::live::account_refresh;
use crate::errors::AppError;
use crate::model::proofread::{highlight, Problem, ProofreadStatus, ProofreadView};
use crate::model::{InfographView, ViewerData};
use leptos::prelude::*;

/// Follows the version shown: when its summary changes (the read-back came back), the whole
/// proofread is fetched again.
#[component]
pub(super) fn ProofreadPanel(item: Memo<InfographView>, loaded: RwSignal<ViewerData>) -> impl IntoView {
    let details = RwSignal::new(loaded.with_untracked(|d| d.proofread.clone()));
    Effect::new(move |_| {
        let (id, badge) = item.with(|i| (i.id.clone(), i.proofread));
        if details.with_untracked(|d| d.as_ref().map(ProofreadView::badge)) == badge {
            return;
        }
        leptos::task::spawn_local(async move {
            if let Ok(view) = get_proofread(id).await {
                let _ = details.try_set(Some(view));
            }
        });
    });
    move || details.get().map(|view| view! { <Proofread view=view id=item.with_untracked(|i| i.id.clone()) loaded=loaded/> })
}

#[component]
fn Proofread(view: ProofreadView, id: String, loaded: RwSignal<ViewerData>) -> impl IntoView {
    let summary = view.summary();
    let state = match view.status {
        ProofreadStatus::Done if view.problems.is_empty() => "right",
        ProofreadStatus::Done => "problems",
        ProofreadStatus::Pending => "pending",
        ProofreadStatus::NotProofread => "none",
    };
    let fixable = view.fixable();
    let problems = (!view.problems.is_empty()).then(|| problem_list(&view.problems));
    let transcription = (!view.text.is_empty()).then(|| transcription(&view));
    view! {
        <section class=format!("proofread {state}") id="proofread" data-testid="proofread" data-status=view.status.as_str()
            aria-labelledby="proofread-heading">
            <h2 id="proofread-heading">"Proofread"</h2>
            <p class="proofread-summary" data-testid="proofread-summary" role="status">{summary}</p>
            {problems}
            {fixable.then(|| view! { <FixButton id=id cost=view.fix_cost loaded=loaded/> })}
            {transcription}
        </section>
    }
}

fn problem_list(problems: &[Problem]) -> impl IntoView {
    let items = problems.iter().map(|p| {
        let expected = p.expected.clone().map(|t| view! { <span class="expected">"expected "<q>{t}</q></span> });
        let found = p.found.clone().map(|t| view! { <span class="found">"read "<q>{t}</q></span> });
        view! {
            <li data-kind=format!("{:?}", p.kind).to_lowercase()>
                <strong>{p.kind.label()}</strong>": "{expected}{(p.expected.is_some() && p.found.is_some()).then_some(", ")}{found}
            </li>
        }
    });
    view! { <ul class="proofread-problems" data-testid="proofread-problems">{items.collect_view()}</ul> }
}

/// What the vision model read, the problems' text marked.
fn transcription(view: &ProofreadView) -> impl IntoView {
    let pieces = highlight(&view.text, &view.problems).into_iter().map(|(text, marked)| {
        if marked {
            view! { <mark>{text}</mark> }.into_any()
        } else {
            text.into_any()
        }
    });
    view! {
        <details class="transcription">
            <summary>"What the picture says"</summary>
            <pre data-testid="transcription">{pieces.collect_view()}</pre>
        </details>
    }
}

/// "Fix these words": one new version with the corrections; its result is proofread too.
#[component]
fn FixButton(id: String, cost: i64, loaded: RwSignal<ViewerData>) -> impl IntoView {
    let refresh = account_refresh();
    let outcome = RwSignal::new(None::<Result<String, AppError>>);
    let busy = RwSignal::new(false);
    let key = RwSignal::new(String::new());
    Effect::new(move |_| key.set(new_idempotency_key()));
    let form_id = id.clone();
    let on_submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        let (id, idempotency_key) = (form_id.clone(), key.get_untracked());
        leptos::task::spawn_local(async move {
            let result = fix_words(id, Some(idempotency_key)).await;
            if result.is_ok() {
                refresh.bump();
                reload(loaded);
            }
            let said = result.map(|c| format!("{} The fixed version appears below when it is ready.", started(c.total_submitted, "fix", c.credits_used)));
            let _ = outcome.try_set(Some(said));
            let _ = busy.try_set(false);
        });
    };
    let price = if cost == 0 { "The first fix of a picture is free.".to_string() } else { format!("A fix costs {cost} credit{}, refunded if it fails.", if cost == 1 { "" } else { "s" }) };
    view! {
        <form class="fix-form" method="post" action="/sfn/fix_words" on:submit=on_submit>
            <input type="hidden" name="id" value=id/>
            <input type="hidden" name="idempotency_key" prop:value=move || key.get()/>
            <p class="help" id="fix-help">{price}</p>
            {move || outcome.with(|o| match o {
                Some(Ok(text)) => view! { <p class="form-ok" role="status" data-testid="fix-ok">{text.clone()}</p> }.into_any(),
                Some(Err(e)) => view! { <p class="form-error" role="alert" data-testid="fix-error">{e.to_string()}</p> }.into_any(),
                None => ().into_any(),
            })}
            <button type="submit" data-testid="fix-words" aria-describedby="fix-help" disabled=move || busy.get()>
                {move || if busy.get() { "Starting…" } else { "Fix these words" }}
            </button>
        </form>
    }
}
