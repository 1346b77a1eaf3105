//! The infographic's name: in the tab's title and as the page's heading, renamed in place.

use crate::api::server_fns::viewer::rename_infograph;
use crate::model::ViewerData;
use leptos::prelude::*;

/// The tab's title after a rename (the head is the server's, outside the island).
fn set_tab_title(title: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(document) = web_sys::window().and_then(|w| w.document()) {
        document.set_title(&format!("{title} — Infograph"));
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = title;
}

/// The tab's title, naming the infographic. leptos_meta 0.8 writes a `<Title>`'s text into the
/// head as it is (unlike every element `view!` renders), so the owner's words are escaped here;
/// the head is rendered on the server only (it is in no island), so nothing escapes it twice.
pub(super) fn title_text(title: &str) -> String {
    crate::model::share::escape(&format!("{title} — Infograph"))
}

/// The infographic's name, and renaming it in place (every version takes the new name). Focus
/// goes to the field when editing starts and back to "Rename" when it ends.
#[component]
pub(super) fn TitleHeading(data: Memo<ViewerData>, loaded: RwSignal<ViewerData>) -> impl IntoView {
    let editing = RwSignal::new(false);
    // Set when editing ends: "Rename" takes the focus once it is drawn again.
    let returning = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let field = NodeRef::<leptos::html::Input>::new();
    let rename_button = NodeRef::<leptos::html::Button>::new();
    let title = move || data.with(|d| d.item.title.clone());
    let stop = move || {
        returning.set(true);
        editing.set(false);
        error.set(None);
    };
    Effect::new(move |_| {
        if editing.get() {
            if let Some(input) = field.get() {
                let _ = input.focus();
                input.select();
            }
        } else if let Some(button) = rename_button.get() {
            if returning.get_untracked() {
                let _ = button.focus();
                returning.set(false);
            }
        }
    });
    let save = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let id = data.with_untracked(|d| d.item.id.clone());
        let value = field.get_untracked().map(|el| el.value()).unwrap_or_default();
        leptos::task::spawn_local(async move {
            match rename_infograph(id, value).await {
                Ok(view) => {
                    set_tab_title(&view.title);
                    loaded.update(|d| {
                        d.versions.iter_mut().for_each(|v| v.title = view.title.clone());
                        d.item.title = view.title.clone();
                    });
                    stop();
                }
                Err(e) => {
                    let _ = error.try_set(e.field("title").or_else(|| Some(e.to_string())));
                }
            }
        });
    };
    view! {
        {move || if editing.get() {
            view! {
                <form class="rename-form" on:submit=save on:keydown=move |ev| if ev.key() == "Escape" { stop() }>
                    <label for="rename-title">"Title"</label>
                    <div class="copy-row">
                        <input id="rename-title" node_ref=field type="text"
                            prop:value=title() data-testid="rename-input" aria-describedby="rename-error"/>
                        <button type="submit" class="small" data-testid="rename-save">"Save"</button>
                        <button type="button" class="small secondary" on:click=move |_| stop()>"Cancel"</button>
                    </div>
                    <p class="field-error" id="rename-error" role="alert">{move || error.get()}</p>
                </form>
            }.into_any()
        } else {
            view! {
                <div class="title-row">
                    <h1 class="viewer-title" data-testid="viewer-title">{title}</h1>
                    <button type="button" class="small secondary" node_ref=rename_button data-testid="rename"
                        on:click=move |_| editing.set(true)>"Rename"</button>
                </div>
            }.into_any()
        }}
    }
}
