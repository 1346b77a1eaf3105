//! The picture: its background with each box over it where the server will draw it; boxes are
//! selected by a press or focus, moved and resized by pointer (mouse, pen or touch) and by keys.

use super::geometry::{along_box, box_style, moved, nudge, resized, scale, screen_to_picture, Nudge};
use super::Editor;
use crate::model::layers::TextBox;
use leptos::html::Div;
use leptos::prelude::*;

/// A pointer gesture on a box under way: where it started and the box as it was then.
#[derive(Clone)]
struct Drag {
    pointer: i32,
    resize: bool,
    start: (f64, f64),
    scale: f64,
    origin: TextBox,
}

#[component]
pub(super) fn Canvas(editor: Editor, background: String, boxes: Vec<TextBox>) -> impl IntoView {
    let stage = NodeRef::<Div>::new();
    let drag = StoredValue::new(None::<Drag>);
    let (width, height) = (editor.picture.width, editor.picture.height);
    let items = boxes
        .into_iter()
        .enumerate()
        .map(|(index, b)| view! { <BoxView editor=editor index=index box_id=b.id stage=stage drag=drag/> })
        .collect_view();
    view! {
        <div class="editor-frame">
            <div class="editor-stage" node_ref=stage style=format!("max-width:{width}px;aspect-ratio:{width} / {height}")>
                // The words are the boxes': the background alone says nothing.
                <img src=background alt="" width=width.to_string() height=height.to_string() draggable="false"/>
                {items}
            </div>
        </div>
    }
    .into_any()
}

/// The id of box `index`'s element, for moving the focus to it.
pub(super) fn box_element_id(index: usize) -> String {
    format!("editor-box-{index}")
}

/// Moves the keyboard's focus to the element `id`, if it is on the page.
pub(super) fn focus(id: &str) {
    use leptos::wasm_bindgen::JsCast;
    let element = leptos::web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id(id));
    if let Some(element) = element.and_then(|e| e.dyn_into::<leptos::web_sys::HtmlElement>().ok()) {
        let _ = element.focus();
    }
}

/// One box: a focusable button-like element named by its words (no control inside it; its
/// corner handle is for pointers only, Alt + arrows resize from the keyboard).
#[component]
fn BoxView(editor: Editor, index: usize, box_id: String, stage: NodeRef<Div>, drag: StoredValue<Option<Drag>>) -> impl IntoView {
    let element = NodeRef::<Div>::new();
    let current = Memo::new(move |_| editor.get(index));
    let text = move || current.with(|b| b.as_ref().map(|b| b.text.clone()).unwrap_or_default());
    let selected = move || editor.selected.get() == Some(index);
    let style = move || current.with(|b| b.as_ref().map(|b| box_style(b, editor.picture)).unwrap_or_default());
    let on_pointerdown = move |event: leptos::ev::PointerEvent| {
        if event.button() != 0 {
            return;
        }
        editor.select(index);
        let Some(origin) = editor.get_untracked(index) else { return };
        let displayed = stage.get_untracked().map(|el| f64::from(el.client_width())).unwrap_or(0.0);
        let on_handle = event
            .target()
            .and_then(|t| leptos::wasm_bindgen::JsCast::dyn_into::<leptos::web_sys::Element>(t).ok())
            .is_some_and(|el| el.has_attribute("data-handle"));
        editor.seal();
        drag.set_value(Some(Drag {
            pointer: event.pointer_id(),
            resize: on_handle,
            start: (f64::from(event.client_x()), f64::from(event.client_y())),
            scale: scale(displayed, editor.picture.width),
            origin,
        }));
        // The rest of the gesture comes here even when the pointer outruns the box.
        if let Some(el) = element.get_untracked() {
            let _ = el.set_pointer_capture(event.pointer_id());
        }
    };
    let on_pointermove = move |event: leptos::ev::PointerEvent| {
        let Some(gesture) = drag.get_value().filter(|d| d.pointer == event.pointer_id()) else { return };
        let (dx, dy) = screen_to_picture(
            f64::from(event.client_x()) - gesture.start.0,
            f64::from(event.client_y()) - gesture.start.1,
            gesture.scale,
        );
        let next = if gesture.resize {
            let (dw, dh) = along_box(dx, dy, gesture.origin.angle);
            resized(&gesture.origin, dw.round(), dh.round(), editor.picture)
        } else {
            moved(&gesture.origin, dx, dy, editor.picture)
        };
        editor.change(index, Some("drag"), |_| next);
    };
    let on_pointerup = move |event: leptos::ev::PointerEvent| {
        if drag.get_value().is_some_and(|d| d.pointer == event.pointer_id()) {
            drag.set_value(None);
            editor.seal();
        }
    };
    // The arrow keys stop here (events are not delegated in this app, so this listener is the
    // box's own): the page's ← / → on the window move between versions.
    let on_keydown = move |event: leptos::ev::KeyboardEvent| {
        if event.ctrl_key() || event.meta_key() {
            return;
        }
        let key = event.key();
        if key == "Enter" || key == " " {
            event.prevent_default();
            editor.select(index);
            // The panel's fields appear with the selection: after this event.
            leptos::task::spawn_local(async { focus("editor-text") });
            return;
        }
        let Some(step) = nudge(&key, event.shift_key(), event.alt_key()) else { return };
        event.prevent_default();
        event.stop_propagation();
        editor.select(index);
        // A held key repeats: one step, like a drag.
        if !event.repeat() {
            editor.seal();
        }
        editor.change(index, Some("keys"), |b| match step {
            Nudge::Move(dx, dy) => moved(b, dx, dy, editor.picture),
            Nudge::Resize(dw, dh) => resized(b, dw, dh, editor.picture),
        });
    };
    let empty_label = move || text().trim().is_empty().then_some("Empty text box");
    view! {
        <div node_ref=element class="editor-box" class:selected=selected id=box_element_id(index) role="button" tabindex="0"
            data-testid="editor-box" data-id=box_id aria-pressed=move || selected().to_string() aria-label=empty_label
            aria-describedby="editor-help" style=style
            on:focus=move |_| editor.select(index)
            on:keydown=on_keydown
            on:pointerdown=on_pointerdown on:pointermove=on_pointermove on:pointerup=on_pointerup on:pointercancel=on_pointerup>
            {text}
            <span class="editor-handle" data-handle="" aria-hidden="true"></span>
        </div>
    }
    .into_any()
}
