use crate::components::format::when;
use crate::model::design::{Layout, Style};
use crate::model::ViewerData;
use leptos::prelude::*;

/// Settings, cost and timings.
pub(super) fn facts(data: &ViewerData, models: &crate::model::models::ModelList) -> impl IntoView {
    let item = &data.item;
    let number = data.version_number(&item.id).unwrap_or(1);
    // Its name as the page's list has it; the server's (`data.model`) for a model no longer listed.
    let model = models.get(&item.model).map_or_else(|| data.model.clone(), |m| m.name.clone());
    let cost = format!(
        "{} credit{}{}",
        data.cost,
        if data.cost == 1 { "" } else { "s" },
        if item.refunded { " (refunded)" } else { "" }
    );
    let took = |from: i64, to: Option<i64>| to.map(|t| format!("{} ({} s later)", when(t), (t - from).max(0) / 1000));
    view! {
        <h2>"Details"</h2>
        <dl class="facts" data-testid="facts">
            <dt>"Version"</dt><dd>{format!("{number} of {}", data.versions.len())}</dd>
            {item.instruction.clone().map(|i| view! { <dt>"Refinement"</dt><dd data-testid="instruction">{i}</dd> })}
            <dt>"Prompt"</dt><dd>{item.prompt.clone()}</dd>
            {item.blog_url.clone().map(|u| view! { <dt>"Blog post"</dt><dd><a href=u.clone() rel="noopener noreferrer">{u.clone()}</a></dd> })}
            <dt>"Aspect ratio"</dt><dd>{item.aspect_ratio.clone()}</dd>
            <dt>"Resolution"</dt><dd>{item.resolution.clone()}</dd>
            <dt>"Layout"</dt><dd data-testid="layout">{Layout::parse(&item.layout).map(Layout::label).unwrap_or("Automatic")}</dd>
            <dt>"Style"</dt><dd data-testid="style">{item.style.as_deref().and_then(|s| Style::parse(s).ok()).map_or("Clean (default)", Style::label)}</dd>
            <dt>"Language"</dt><dd data-testid="language">{crate::model::design::language(&item.language).map_or(item.language.clone(), |l| format!("{} ({})", l.name, l.code))}</dd>
            {data.brand_name.clone().map(|b| view! { <dt>"Brand kit"</dt><dd data-testid="brand">{b}</dd> })}
            <dt>"Model"</dt><dd data-testid="model">{model}</dd>
            <dt>"Cost"</dt><dd data-testid="cost">{cost}</dd>
            <dt>"Created"</dt><dd>{when(item.created_at)}</dd>
            {took(item.created_at, data.submitted_at).map(|t| view! { <dt>"Submitted"</dt><dd>{t}</dd> })}
            {took(item.created_at, data.completed_at).map(|t| view! { <dt>"Completed"</dt><dd>{t}</dd> })}
        </dl>
        <details class="brief">
            <summary>"Brief sent to the model"</summary>
            <pre data-testid="brief">{data.brief.clone().unwrap_or_else(|| "Not prepared yet: the brief is written when the job starts.".into())}</pre>
        </details>
    }
}
