//! `/i/{id}`: one infograph full size, its family of versions, what it cost and how it was
//! made, its proofread, and the refine form. Owner only: anyone else gets the 404 page.
//!
//! The page follows its family live: pushed updates, a reload when a version it does not know
//! appears, polling while the push stream is down (`live.rs`).

mod actions;
mod editor;
mod facts;
mod finalize;
mod live;
mod proofread;
mod refine;
mod stage;
mod title;
mod versions;

use crate::api::server_fns::viewer::viewer_page_data;
use crate::components::not_found::NotFound;
use crate::components::share_panel::SharePanel;
use crate::errors::AppError;
use crate::model::models::ModelList;
use crate::model::{JobStatus, ViewerData};
use actions::Actions;
use facts::facts;
use finalize::ModelPanel;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use live::{follow_family, refresh_balance_on_refund, with_pushed};
use proofread::ProofreadPanel;
use refine::RefineForm;
use stage::Stage;
use title::{title_text, TitleHeading};
use versions::{arrow_keys, compare_form, compare_view, RunningVersions, VersionStrip};

#[component]
pub fn ViewerPage() -> impl IntoView {
    let id = use_params_map().read_untracked().get("id").unwrap_or_default();
    let compare = use_query_map().read_untracked().get("compare");
    let data = Resource::new(move || id.clone(), load);
    view! {
        <Title text="Infographic — Infograph"/>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || data.get().map(|result| match result {
                Ok((found, models)) => view! {
                    <Title text=title_text(&found.item.title)/>
                    <Viewer initial=found models compare=compare.clone()/>
                }.into_any(),
                Err(AppError::NotFound | AppError::Unauthorized) => view! { <NotFound/> }.into_any(),
                Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
            })}
        </Suspense>
    }
}

/// The page's data and the models' list; a stranger's (or a missing) infograph sets the
/// response's 404 status, which is still in time: the route renders in `Async` mode, after its
/// data.
async fn load(id: String) -> Result<(ViewerData, ModelList), AppError> {
    #[cfg(feature = "ssr")]
    let response = use_context::<leptos_axum::ResponseOptions>();
    let result = viewer_page_data(id).await;
    #[cfg(feature = "ssr")]
    if let (Some(response), Err(AppError::NotFound | AppError::Unauthorized)) = (&response, &result) {
        response.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    Ok((result?, crate::api::server_fns::models::list_models().await?))
}

/// The text editor of a version whose words are layers; "Make the text editable" on any other
/// completed version (nothing while a layered version's background is still being stored).
fn text_editing(shown: Memo<ViewerData>, item: Memo<crate::model::InfographView>) -> Option<AnyView> {
    let id = item.with_untracked(|i| i.id.clone());
    match (item.with_untracked(|i| i.kind.has_layers()), shown.with_untracked(|d| d.layers.clone())) {
        (true, Some(layers)) => Some(view! { <editor::TextEditor id=id layers=layers/> }.into_any()),
        (true, None) => Some(view! { <p class="help" data-testid="layers-pending">"The editable text is being prepared…"</p> }.into_any()),
        (false, _) => Some(view! { <editor::MakeEditable id=id cost=shown.with_untracked(|d| d.layers_cost)/> }.into_any()),
    }
}

/// Everything on the page that changes: one island. `models`: the catalogue's list (names,
/// prices, who can refine, the final model).
#[island(lazy)]
fn Viewer(initial: ViewerData, models: ModelList, compare: Option<String>) -> impl IntoView {
    crate::components::models::model_names().0.set(crate::components::models::ModelNames::of(&models));
    let models = StoredValue::new(models);
    let loaded = RwSignal::new(initial);
    let live = crate::components::live::live();
    let shown = Memo::new(move |_| with_pushed(loaded.get(), live));
    follow_family(loaded, live);
    refresh_balance_on_refund(shown);
    arrow_keys(shown);
    // Memos, so a pushed update of another version does not rebuild the stage (and its zoom)
    // or the refine form (and what is typed in it).
    let item = Memo::new(move |_| shown.with(|d| d.item.clone()));
    let completed = Memo::new(move |_| item.with(|i| i.status == JobStatus::Completed));
    // Kept here, not in the stage: the stage is drawn again when its own version changes (our
    // copy of the picture replaces fal's a moment after it completes), and the zoom stays.
    let zoomed = RwSignal::new(false);
    // Latched: once the boxes are here the editor stays mounted (what is being edited lives in
    // it), whatever a later fetch of the page says.
    let layers_ready = RwSignal::new(loaded.with_untracked(|d| d.layers.is_some()));
    Effect::new(move |_| {
        if shown.with(|d| d.layers.is_some()) && !layers_ready.get_untracked() {
            layers_ready.set(true);
        }
    });
    // A layered version's boxes come with the page once its background is stored: the page
    // loads them again when that happens while it is open.
    Effect::new(move |_| {
        let stored = item.with(|i| i.kind.has_layers() && i.thumbnail_url.is_some());
        if stored && loaded.with_untracked(|d| d.layers.is_none()) {
            live::reload(loaded);
        }
    });
    // Typed views nest deeply: the lower half is erased to an AnyView to keep the type small.
    let details = view! {
        <div class="viewer-grid">
            <div class="viewer-side">
                {view! { <ModelPanel item=item models=models/> }.into_any()}
                {view! { <Actions data=shown/> }.into_any()}
                {move || completed.get().then(|| view! { <ProofreadPanel item=item loaded=loaded/> }.into_any())}
                {move || completed.get().then(|| view! {
                    <RefineForm item=item.get_untracked() models=models loaded=loaded/>
                }.into_any())}
                {move || completed.get().then(|| view! {
                    <SharePanel item=item.get_untracked() share=shown.with_untracked(|d| d.share.clone())
                        title=Signal::derive(move || item.with(|i| i.title.clone()))/>
                }.into_any())}
                {move || shown.with(|d| compare_form(d).map(IntoAny::into_any))}
            </div>
            <div class="viewer-facts">{move || shown.with(|d| models.with_value(|m| facts(d, m).into_any()))}</div>
        </div>
    }
    .into_any();
    view! {
        <article class="viewer" data-testid="viewer" data-id=move || shown.with(|d| d.item.id.clone())
            data-status=move || shown.with(|d| d.item.status.as_str())>
            <p class="back"><a href="/">"← Back to the gallery"</a></p>
            <TitleHeading data=shown loaded=loaded/>
            {move || {
                let other = compare.clone().and_then(|c| shown.with(|d| d.versions.iter().find(|v| v.id == c && v.id != d.item.id).cloned()));
                match other {
                    Some(other) => shown.with(|data| compare_view(data, &other).into_any()),
                    None => view! { <Stage item=item.get() zoomed=zoomed/> }.into_any(),
                }
            }}
            <VersionStrip data=shown/>
            <RunningVersions data=shown/>
            {move || {
                // Drawn again only when the boxes arrive, not on every pushed update.
                layers_ready.track();
                completed.get().then(|| text_editing(shown, item)).flatten()
            }}
            {details}
        </article>
    }
    .into_any()
}
