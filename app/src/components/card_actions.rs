//! The buttons under a card: cancel, regenerate, "use these settings", download, delete (which
//! asks first).

use crate::components::confirm::{focus_when_shown, Confirm};
use crate::components::live::account_refresh;
use crate::context::{workspace, AccountRefresh, Workspace};
use crate::errors::AppError;
use crate::model::{InfographView, JobStatus};
use leptos::prelude::*;

#[component]
pub fn CardActions(item: RwSignal<InfographView>) -> impl IntoView {
    let refresh = account_refresh();
    let workspace = workspace();
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let id = move || item.with_untracked(|i| i.id.clone());

    // Runs one server call at a time per card and shows its error under the buttons.
    let run = move |call: CardCall| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        let id = id();
        leptos::task::spawn_local(async move {
            let result = call.perform(id, item, workspace, refresh).await;
            let _ = busy.try_set(false);
            if let Err(e) = result {
                let _ = error.try_set(Some(e.to_string()));
            }
        });
    };
    let use_settings = move |_| crate::components::create_form::fill_from(item.get_untracked());
    // The card does not know whether its picture is shared: the question says what happens if so.
    let confirm_delete = RwSignal::new(false);
    let delete_button = NodeRef::<leptos::html::Button>::new();
    let download_href = move || format!("/api/infographs/{}/download/", item.with(|i| i.id.clone()));

    view! {
        <div class="card-actions">
            {move || item.with(|i| i.cancellable).then(|| view! {
                <button type="button" class="small" data-testid="cancel" disabled=move || busy.get()
                    on:click=move |_| run(CardCall::Cancel)>"Cancel"</button>
            })}
            {move || item.with(|i| i.status == JobStatus::Completed).then(|| view! {
                <a class="button small" data-testid="download" href=download_href download="">"Download"</a>
            })}
            <button type="button" class="small" data-testid="regenerate" disabled=move || busy.get()
                title="Make one more image with the same settings (charged like a new one)"
                on:click=move |_| run(CardCall::Regenerate)>"Regenerate"</button>
            <button type="button" class="small" data-testid="use-settings" on:click=use_settings>"Use these settings"</button>
            <button type="button" class="small danger" data-testid="delete" disabled=move || busy.get()
                title="Hide from your gallery (your credit history keeps it)" node_ref=delete_button
                hidden=move || confirm_delete.get() on:click=move |_| confirm_delete.set(true)>"Delete"</button>
            <Confirm open=confirm_delete testid="delete-confirm" yes="Delete" no="Keep it" back_to=delete_button
                question="Delete this picture? If you shared it, its public link and every embed of it stop working.".to_string()
                on_yes=Callback::new(move |_| run(CardCall::Delete))/>
            {move || error.get().map(|e| view! { <p class="form-error" role="alert" data-testid="card-action-error">{e}</p> })}
        </div>
    }
}

#[derive(Clone, Copy)]
enum CardCall {
    Cancel,
    Regenerate,
    Delete,
}

impl CardCall {
    async fn perform(
        self,
        id: String,
        item: RwSignal<InfographView>,
        workspace: Workspace,
        refresh: AccountRefresh,
    ) -> Result<(), AppError> {
        use crate::api::server_fns::infographs::{cancel_infograph, delete_infograph, regenerate_infograph};
        match self {
            Self::Cancel => {
                let card = format!("[data-testid=card][data-id=\"{id}\"]");
                let next = cancel_infograph(id).await?;
                let refunded = next.refunded;
                // A newer answer (a poll, a push) may already be on the card.
                let _ = item.try_update(|current| {
                    if next.is_newer_than(current) {
                        *current = next;
                    }
                });
                if refunded {
                    refresh.bump();
                }
                // The Cancel button is gone: the keyboard stays on the card, which says what
                // became of it.
                focus_when_shown(card, false);
            }
            Self::Regenerate => {
                regenerate_infograph(id).await?;
                refresh.bump();
                workspace.reload();
            }
            Self::Delete => {
                delete_infograph(id).await?;
                workspace.reload();
                // The card, and the button pressed, are going: the keyboard goes to the gallery.
                focus_when_shown("#gallery-heading".into(), false);
            }
        }
        Ok(())
    }
}
