//! The side panel (below the picture on a narrow screen): undo and redo, the selected box's
//! words, size, colour, alignment and font, and saving as a new version.

use super::canvas::{box_element_id, focus};
use super::geometry::{safe_colour, shown_number};
use super::Editor;
use crate::api::server_fns::viewer::save_text_edit;
use crate::errors::AppError;
use crate::model::layers::{Align, TextBox, BOX_TEXT_MAX_CHARS, FONTS, MAX_SIZE, MIN_SIZE};
use leptos::prelude::*;

#[component]
pub(super) fn Panel(editor: Editor, id: String) -> impl IntoView {
    let can_undo = Memo::new(move |_| editor.history.with(|h| h.can_undo()));
    let can_redo = Memo::new(move |_| editor.history.with(|h| h.can_redo()));
    view! {
        <div class="editor-panel">
            <div class="editor-history" role="group" aria-label="History">
                <button type="button" class="secondary" data-testid="editor-undo" aria-keyshortcuts="Control+Z Meta+Z"
                    disabled=move || !can_undo.get() on:click=move |_| editor.undo()>"Undo"</button>
                <button type="button" class="secondary" data-testid="editor-redo" aria-keyshortcuts="Control+Shift+Z Meta+Shift+Z Control+Y"
                    disabled=move || !can_redo.get() on:click=move |_| editor.redo()>"Redo"</button>
            </div>
            {move || match editor.selected.get() {
                Some(index) => view! { <BoxFields editor=editor index=index/> }.into_any(),
                None => view! { <p class="help editor-hint">"Select a text box on the picture to change it."</p> }.into_any(),
            }}
            <SaveControls editor=editor id=id/>
        </div>
    }
    .into_any()
}

/// The selected box's fields. Typing into one field is one step of the history until the field
/// is left.
#[component]
fn BoxFields(editor: Editor, index: usize) -> impl IntoView {
    // Each field follows its own value only: moving the box, or typing "12.50" (still 12.5),
    // does not write into a field under the reader's fingers.
    let current = Memo::new(move |_| editor.get(index));
    let pick = move |of: fn(&TextBox) -> String| Memo::new(move |_| current.with(|b| b.as_ref().map(of).unwrap_or_default()));
    let text = pick(|b| b.text.clone());
    let size = pick(|b| shown_number(b.size));
    let colour = pick(|b| safe_colour(&b.color).to_ascii_lowercase());
    let font = pick(|b| b.font.clone());
    let align = Memo::new(move |_| current.with(|b| b.as_ref().map(|b| b.align).unwrap_or_default()));
    let chars = move || text.with(|t| t.chars().count());
    let too_long = move || chars() > BOX_TEXT_MAX_CHARS;
    let on_text = move |event: leptos::ev::Event| {
        let text = event_target_value(&event);
        editor.change(index, Some("text"), |b| TextBox { text, ..b.clone() });
    };
    // Escape goes back to the box on the picture, where the arrow keys move it.
    let on_text_key = move |event: leptos::ev::KeyboardEvent| {
        if event.key() == "Escape" {
            event.prevent_default();
            focus(&box_element_id(index));
        }
    };
    // A size being typed ("1" on the way to "12") is left alone until it is one that is offered.
    let on_size = move |event: leptos::ev::Event| {
        if let Some(size) = event_target_value(&event).trim().parse::<f64>().ok().filter(|s| (MIN_SIZE..=MAX_SIZE).contains(s)) {
            editor.change(index, Some("size"), |b| TextBox { size, ..b.clone() });
        }
    };
    // Leaving the field shows the size in force again, whatever was left typed in it.
    let on_size_done = move |event: leptos::ev::Event| {
        editor.seal();
        if let Some(b) = editor.get_untracked(index) {
            event_target::<leptos::web_sys::HtmlInputElement>(&event).set_value(&shown_number(b.size));
        }
    };
    let on_colour = move |event: leptos::ev::Event| {
        let value = event_target_value(&event);
        if safe_colour(&value) == value {
            editor.change(index, Some("colour"), |b| TextBox { color: value.to_ascii_lowercase(), ..b.clone() });
        }
    };
    let on_align = move |event: leptos::ev::Event| {
        let align = match event_target_value(&event).as_str() {
            "center" => Align::Center,
            "right" => Align::Right,
            _ => Align::Left,
        };
        editor.change(index, None, |b| TextBox { align, ..b.clone() });
    };
    let on_font = move |event: leptos::ev::Event| {
        let font = event_target_value(&event);
        editor.change(index, None, |b| TextBox { font, ..b.clone() });
    };
    let aligns = [(Align::Left, "left", "Left"), (Align::Center, "center", "Centre"), (Align::Right, "right", "Right")];
    view! {
        <fieldset class="editor-fields">
            <legend>{format!("Text box {} of {}", index + 1, editor.history.with_untracked(|h| h.present().len()))}</legend>
            <label for="editor-text">"Words"</label>
            <textarea id="editor-text" data-testid="editor-text" rows="4" aria-describedby="editor-text-count"
                prop:value=text on:input=on_text on:blur=move |_| editor.seal() on:keydown=on_text_key></textarea>
            <p id="editor-text-count" class="count" class:over=too_long>
                {move || format!("{} of {BOX_TEXT_MAX_CHARS} characters", chars())}
            </p>
            <div class="row">
                <label>"Size (pixels)"
                    <input type="number" data-testid="editor-size" min=MIN_SIZE.to_string() max=MAX_SIZE.to_string() step="any"
                        inputmode="decimal" prop:value=size on:input=on_size on:change=on_size_done/>
                </label>
                <label>"Colour"
                    <input type="color" data-testid="editor-color" prop:value=colour
                        on:input=on_colour on:change=move |_| editor.seal()/>
                </label>
            </div>
            <div class="row">
                <label>"Alignment"
                    <select data-testid="editor-align" on:change=on_align>
                        {aligns.map(|(value, name, label)| view! {
                            <option value=name prop:selected=move || align.get() == value>{label}</option>
                        }).collect_view()}
                    </select>
                </label>
                <label>"Font"
                    <select data-testid="editor-font" on:change=on_font>
                        {FONTS.iter().map(|f| view! {
                            <option value=f.id prop:selected=move || font.with(|id| id == f.id)>{f.label}</option>
                        }).collect_view()}
                    </select>
                </label>
            </div>
        </fieldset>
    }
    .into_any()
}

/// "Save as a new version" and "Discard changes", and what came of the last save.
#[component]
fn SaveControls(editor: Editor, id: String) -> impl IntoView {
    let saving = RwSignal::new(false);
    let outcome = RwSignal::new(None::<Result<Option<String>, AppError>>);
    let on_save = move |_| {
        if saving.get_untracked() {
            return;
        }
        saving.set(true);
        outcome.set(None);
        editor.seal();
        let boxes = editor.history.with_untracked(|h| h.present().clone());
        let id = id.clone();
        leptos::task::spawn_local(async move {
            let result = save_text_edit(id, boxes.clone()).await;
            if result.is_ok() {
                // Edits made while saving stay unsaved.
                let _ = editor.saved.try_set(boxes);
            }
            let _ = outcome.try_set(Some(result.map(|r| r.infographs.first().map(|job| job.id.clone()))));
            let _ = saving.try_set(false);
        });
    };
    let state = move || {
        if saving.get() {
            "Saving…"
        } else if editor.dirty.get() {
            "You have unsaved changes."
        } else {
            ""
        }
    };
    view! {
        <div class="editor-actions">
            <button type="button" data-testid="editor-save" disabled=move || saving.get() || !editor.dirty.get() on:click=on_save>
                "Save as a new version"
            </button>
            <button type="button" class="secondary" data-testid="editor-discard" disabled=move || !editor.dirty.get()
                on:click=move |_| editor.discard()>"Discard changes"</button>
        </div>
        <div role="status" class="editor-status">
            {move || (!state().is_empty()).then(|| view! { <p class="help" data-testid="editor-state">{state()}</p> })}
            {move || outcome.with(|o| match o {
                Some(Ok(new_id)) => Some(view! {
                    <p class="form-ok" data-testid="editor-saved">
                        "Saved as a new version. "
                        {new_id.clone().map(|new_id| view! { <a href=format!("/i/{new_id}")>"Open the new version"</a> })}
                    </p>
                }),
                _ => None,
            })}
        </div>
        {move || outcome.with(|o| match o {
            Some(Err(e)) => Some(view! { <p class="form-error" role="alert" data-testid="editor-error">{save_error(e)}</p> }),
            _ => None,
        })}
    }
    .into_any()
}

/// The server's refusal, each box's problem named by the box's number and the field's label
/// ("text box 4, words: must be at most 500 characters").
fn save_error(error: &AppError) -> String {
    let AppError::InvalidInput { message, fields } = error else { return error.to_string() };
    let problems: Vec<String> = fields.iter().map(|(name, problem)| field_problem(name, problem)).collect();
    if problems.is_empty() { message.clone() } else { format!("{message}: {}.", problems.join("; ")) }
}

fn field_problem(name: &str, problem: &str) -> String {
    let parsed = name.strip_prefix("boxes[").and_then(|rest| rest.split_once("].")).and_then(|(n, field)| Some((n.parse::<usize>().ok()?, field)));
    let Some((index, field)) = parsed else { return format!("{name}: {problem}") };
    let label = match field {
        "text" => "words",
        "x" | "y" | "w" | "h" => "place",
        "color" => "colour",
        other => other,
    };
    format!("text box {}, {label}: {problem}", index + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_names_each_box_by_its_number() {
        let fields = [("boxes[3].text", "must be at most 500 characters"), ("boxes[0].color", "must be a colour like #1a2b3c"), ("boxes", "at most 200 boxes")]
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .into_iter()
            .collect();
        let error = AppError::InvalidInput { message: "invalid text boxes".into(), fields };
        assert_eq!(
            save_error(&error),
            "invalid text boxes: boxes: at most 200 boxes; text box 1, colour: must be a colour like #1a2b3c; text box 4, words: must be at most 500 characters."
        );
        assert_eq!(save_error(&AppError::NotFound), "not found");
    }
}
