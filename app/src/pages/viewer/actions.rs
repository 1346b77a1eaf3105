use crate::api::server_fns::infographs::{cancel_infograph, delete_infograph, regenerate_infograph};
use crate::components::confirm::Confirm;
use crate::components::header::go_to;
use crate::components::live::account_refresh;
use crate::model::{JobStatus, ViewerData};
use leptos::prelude::*;

/// After a regenerate or a "make this the final": the balance is fetched again and the new
/// picture opened.
pub(super) fn open_created(created: &crate::model::CreateResponse, refresh: crate::context::AccountRefresh) {
    refresh.bump();
    let target = created.infographs.first().map(|j| format!("/i/{}", j.id)).unwrap_or_else(|| "/".into());
    go_to(&target);
}

/// Download, regenerate, delete.
#[component]
pub(super) fn Actions(data: Memo<ViewerData>) -> impl IntoView {
    let refresh = account_refresh();
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let id = move || data.with_untracked(|d| d.item.id.clone());
    let regenerate = move |_| {
        let id = id();
        busy.set(true);
        leptos::task::spawn_local(async move {
            match regenerate_infograph(id).await {
                Ok(created) => open_created(&created, refresh),
                Err(e) => {
                    let _ = error.try_set(Some(e.to_string()));
                }
            }
            let _ = busy.try_set(false);
        });
    };
    let cancel = move |_| {
        let id = id();
        busy.set(true);
        leptos::task::spawn_local(async move {
            match cancel_infograph(id).await {
                // The cancelled (or cancelling) job comes back by push or poll like any change,
                // and its refund refreshes the balance (see `refresh_balance_on_refund`).
                Ok(_) => {}
                Err(e) => {
                    let _ = error.try_set(Some(e.to_string()));
                }
            }
            let _ = busy.try_set(false);
        });
    };
    let confirm_delete = RwSignal::new(false);
    let delete_button = NodeRef::<leptos::html::Button>::new();
    // What a delete breaks, in numbers when the picture is shared.
    let delete_question = Signal::derive(move || data.with(|d| delete_question(d.share.as_ref().map(|s| s.views))));
    let delete = move || {
        let id = id();
        busy.set(true);
        leptos::task::spawn_local(async move {
            match delete_infograph(id).await {
                Ok(()) => {
                    go_to("/");
                }
                Err(e) => {
                    let _ = error.try_set(Some(e.to_string()));
                }
            }
            let _ = busy.try_set(false);
        });
    };
    view! {
        <div class="card-actions viewer-actions">
            {move || data.with(|d| d.item.status == JobStatus::Completed).then(|| view! {
                <a class="button small" data-testid="download" download=""
                    href=move || format!("/api/infographs/{}/download/", data.with(|d| d.item.id.clone()))>
                    {move || if is_vector(&data.read().item) { "Download SVG" } else { "Download" }}</a>
            })}
            // A vector picture downloads as SVG by default; its PNG is one click away.
            {move || data.with(|d| d.item.status == JobStatus::Completed && is_vector(&d.item)).then(|| view! {
                <a class="button small" data-testid="download-png" download=""
                    href=move || format!("/api/infographs/{}/download/?format=png", data.with(|d| d.item.id.clone()))>"Download PNG"</a>
            })}
            {move || data.with(|d| d.item.cancellable).then(|| view! {
                <button type="button" class="small" data-testid="cancel" disabled=move || busy.get() on:click=cancel>"Cancel"</button>
            })}
            <button type="button" class="small" data-testid="regenerate" disabled=move || busy.get()
                title="Make one more image with the same settings (charged like a new one)" on:click=regenerate>"Regenerate"</button>
            <button type="button" class="small danger" data-testid="delete" disabled=move || busy.get()
                title="Hide from your gallery (your credit history keeps it)" node_ref=delete_button
                hidden=move || confirm_delete.get() on:click=move |_| confirm_delete.set(true)>"Delete"</button>
            <Confirm open=confirm_delete testid="delete-confirm" yes="Delete" no="Keep it" back_to=delete_button
                question=delete_question on_yes=Callback::new(move |_| delete())/>
            {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
        </div>
    }
}

/// Drawn as SVG by a vector model (stored, or still at fal, as an `.svg`).
fn is_vector(item: &crate::model::InfographView) -> bool {
    item.image_url.as_deref().is_some_and(|u| u.split('?').next().is_some_and(|path| path.ends_with(".svg")))
}

/// "Delete this picture? …": what stops working, with how often its link was opened when it is
/// shared (`views`), in general words when the page does not know.
fn delete_question(views: Option<i64>) -> String {
    match views {
        Some(0) => "Delete this picture? Its public link and every embed of it stop working.".to_string(),
        Some(1) => "Delete this picture? Its public link, opened once, and every embed of it stop working.".to_string(),
        Some(n) => format!("Delete this picture? Its public link, opened {n} times, and every embed of it stop working."),
        None => "Delete this picture? If you shared it, its public link and every embed of it stop working.".to_string(),
    }
}
