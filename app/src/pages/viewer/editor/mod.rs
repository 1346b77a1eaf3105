//! The viewer's text editor: a layered picture's words as boxes over its background, moved,
//! resized and retyped in place, with undo, and saved as a new version ("text edit"). Also the
//! "Make the text editable" button that asks for a layered version of a flat picture.

mod canvas;
mod geometry;
mod history;
mod panel;

use crate::api::server_fns::viewer::make_layers;
use crate::components::create_form::new_idempotency_key;
use crate::components::live::account_refresh;
use crate::errors::AppError;
use crate::model::layers::{LayersView, TextBox};
use canvas::Canvas;
use geometry::{shortcut, Picture, Shortcut};
use history::History;
use leptos::prelude::*;
use panel::Panel;

/// What the picture and the panel share: the boxes' history, the last saved boxes and the
/// selected box (by its place in the list, which edits never change).
#[derive(Clone, Copy)]
struct Editor {
    history: RwSignal<History<Vec<TextBox>>>,
    /// The boxes as loaded or last saved: what "unsaved changes" are measured against.
    saved: RwSignal<Vec<TextBox>>,
    dirty: Memo<bool>,
    selected: RwSignal<Option<usize>>,
    picture: Picture,
}

impl Editor {
    fn new(boxes: Vec<TextBox>, picture: Picture) -> Self {
        let history = RwSignal::new(History::new(boxes.clone()));
        let saved = RwSignal::new(boxes);
        let dirty = Memo::new(move |_| history.with(|h| saved.with(|s| h.present() != s)));
        Self { history, saved, dirty, selected: RwSignal::new(None), picture }
    }

    /// Selects box `index` (the panel shows its fields), unless it is already.
    fn select(&self, index: usize) {
        if self.selected.get_untracked() != Some(index) {
            self.selected.set(Some(index));
        }
    }

    /// Box `index` as it is now (tracked).
    fn get(&self, index: usize) -> Option<TextBox> {
        self.history.with(|h| h.present().get(index).cloned())
    }

    fn get_untracked(&self, index: usize) -> Option<TextBox> {
        self.history.with_untracked(|h| h.present().get(index).cloned())
    }

    /// Replaces box `index` by what `edit` makes of it, as a step of its own or, with a
    /// `group`, as the continuation of the gesture under way.
    fn change(&self, index: usize, group: Option<&str>, edit: impl FnOnce(&TextBox) -> TextBox) {
        self.history.update(|h| {
            let mut next = h.present().clone();
            if let Some(b) = next.get_mut(index) {
                *b = edit(b);
                h.apply(next, group);
            }
        });
    }

    /// Ends the gesture under way (a drag, typing into a field).
    fn seal(&self) {
        self.history.update_untracked(History::seal);
    }

    fn undo(&self) {
        self.history.update(History::undo);
    }

    fn redo(&self) {
        self.history.update(History::redo);
    }

    /// Back to the last saved boxes, as one step that undo takes back.
    fn discard(&self) {
        let saved = self.saved.get_untracked();
        self.history.update(|h| {
            h.seal();
            h.apply(saved, None);
        });
    }
}

/// The editor of a layered picture `id`. Keep it mounted across pushed updates of the page:
/// what is being edited lives in it.
#[component]
pub(super) fn TextEditor(id: String, layers: LayersView) -> impl IntoView {
    let picture = Picture { width: f64::from(layers.width.max(1)), height: f64::from(layers.height.max(1)) };
    let editor = Editor::new(layers.boxes.clone(), picture);
    warn_before_leaving(editor.dirty);
    let on_keydown = move |event: leptos::ev::KeyboardEvent| {
        match shortcut(&event.key(), event.ctrl_key(), event.meta_key(), event.shift_key(), event.alt_key()) {
            Some(Shortcut::Undo) => editor.undo(),
            Some(Shortcut::Redo) => editor.redo(),
            None => return,
        }
        // Our history, not the text field's own: they would disagree.
        event.prevent_default();
    };
    view! {
        <section class="text-editor" data-testid="text-editor" aria-labelledby="text-editor-heading" on:keydown=on_keydown>
            <h2 id="text-editor-heading">"Edit the words"</h2>
            <p class="help" id="editor-help">
                "Select a text box to change its words, size, colour, alignment or font. Drag a box to move it, "
                "or its corner to resize it. With the keyboard: arrow keys move the selected box (with Shift, "
                "by 10 pixels), Alt + arrow keys resize it, Enter edits its words."
            </p>
            <div class="editor-body">
                <Canvas editor=editor background=layers.background_url boxes=layers.boxes/>
                <Panel editor=editor id=id/>
            </div>
        </section>
    }
    .into_any()
}

/// Leaving the page (a link, a reload, closing the tab) with unsaved changes asks first.
fn warn_before_leaving(dirty: Memo<bool>) {
    let handle = window_event_listener(leptos::ev::beforeunload, move |event| {
        if dirty.try_get_untracked().unwrap_or(false) {
            event.prevent_default();
            // Older browsers ask only when a text is returned (they no longer show it).
            event.set_return_value("You have unsaved changes.");
        }
    });
    on_cleanup(move || handle.remove());
}

/// "Make the text editable": a layered version of this picture, made by fal, that appears in
/// the version strip when it is ready. A plain form post before the wasm runs.
#[component]
pub(super) fn MakeEditable(id: String, cost: i64) -> impl IntoView {
    let refresh = account_refresh();
    let outcome = RwSignal::new(None::<Result<(), AppError>>);
    let busy = RwSignal::new(false);
    // One key per display of the button: a second press does not start (or charge) twice.
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
            let result = make_layers(id, Some(idempotency_key)).await;
            if result.as_ref().is_ok_and(|c| c.credits_used > 0) {
                refresh.bump();
            }
            let _ = outcome.try_set(Some(result.map(|_| ())));
            let _ = busy.try_set(false);
        });
    };
    view! {
        <form class="make-editable" method="post" action="/sfn/make_layers" on:submit=on_submit>
            <input type="hidden" name="id" value=id/>
            <input type="hidden" name="idempotency_key" prop:value=move || key.get()/>
            <p class="help" id="make-editable-help">
                {format!("Separates the words from the picture, so that you can change them yourself. It costs {cost} credit{}, refunded if it fails; every edit after that is free.", if cost == 1 { "" } else { "s" })}
            </p>
            {move || outcome.with(|o| match o {
                Some(Ok(())) => view! {
                    <p class="form-ok" role="status" data-testid="make-editable-ok">"Started… the editable version appears below when it is ready."</p>
                }.into_any(),
                Some(Err(e)) => view! { <p class="form-error" role="alert" data-testid="make-editable-error">{e.to_string()}</p> }.into_any(),
                None => ().into_any(),
            })}
            <button type="submit" data-testid="make-editable" aria-describedby="make-editable-help" disabled=move || busy.get()>
                {move || if busy.get() { "Starting…" } else { "Make the text editable" }}
            </button>
        </form>
    }
    .into_any()
}
