//! The form's fields on the page, by name. Hand-written over `web_sys` because the fields are
//! server-rendered markup the island never drew, so it holds no signals or node refs for them.

use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlFormElement, HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};

/// The form's values as they stand (what a plain post of it would send).
pub struct Fields(Option<web_sys::FormData>);

impl Fields {
    pub fn of(form: &HtmlFormElement) -> Self {
        Self(web_sys::FormData::new_with_form(form).ok())
    }

    /// A field's value as typed, `None` when the form has no such field.
    pub fn get(&self, name: &str) -> Option<String> {
        self.0.as_ref().and_then(|data| data.get(name).as_string())
    }

    /// A field's value when it is not empty.
    pub fn given(&self, name: &str) -> Option<String> {
        self.get(name).filter(|v| !v.is_empty())
    }

    /// Every field, as (name, value), in the form's order.
    pub fn all(&self) -> Vec<(String, String)> {
        let Some(Ok(Some(entries))) = self.0.as_ref().map(|data| js_sys::try_iter(data)) else { return Vec::new() };
        let pair = |entry: wasm_bindgen::JsValue| {
            let pair = js_sys::Array::from(&entry);
            Some((pair.get(0).as_string()?, pair.get(1).as_string()?))
        };
        entries.flatten().filter_map(pair).collect()
    }
}

/// Sets every field named `name`: a text field or list takes the value, a radio button is
/// checked when it holds the value.
pub fn set(form: &HtmlFormElement, name: &str, value: &str) {
    let Ok(found) = form.query_selector_all(&named(name)) else { return };
    for node in (0..found.length()).filter_map(|i| found.item(i)) {
        if let Some(input) = node.dyn_ref::<HtmlInputElement>() {
            if input.type_() == "radio" {
                input.set_checked(input.value() == value);
            } else {
                input.set_value(value);
            }
        } else if let Some(select) = node.dyn_ref::<HtmlSelectElement>() {
            select.set_value(value);
        } else if let Some(text) = node.dyn_ref::<HtmlTextAreaElement>() {
            text.set_value(value);
        }
    }
}

/// The text of the field named `name` as the browser holds it (line breaks as typed, where
/// the form's data would send two characters for each).
pub fn text_of(form: &HtmlFormElement, name: &str) -> String {
    match form.query_selector(&named(name)) {
        Ok(Some(el)) => el.dyn_ref::<HtmlTextAreaElement>().map(|t| t.value()).unwrap_or_default(),
        _ => String::new(),
    }
}

/// Opens the "Or paste the text" section.
pub fn open_paste(form: &HtmlFormElement) {
    if let Ok(Some(details)) = form.query_selector("details.paste") {
        let _ = details.set_attribute("open", "");
    }
}

/// Which field an input or change event is about: a named field, or "outline" for the
/// outline's own fields.
pub fn changed_field(event: &web_sys::Event) -> Option<String> {
    let target = event.target()?.dyn_into::<Element>().ok()?;
    target.get_attribute("name").or_else(|| target.closest(".outline").ok().flatten().map(|_| "outline".to_string()))
}

/// Brings the field named `name` into view and puts the cursor in it.
pub fn show(form: &HtmlFormElement, name: &str) {
    if let Ok(Some(el)) = form.query_selector(&named(name)) {
        el.scroll_into_view();
        if let Some(el) = el.dyn_ref::<web_sys::HtmlElement>() {
            let _ = el.focus();
        }
    }
}

/// The selector of the form's fields named `name` (one of ours, never typed input).
fn named(name: &str) -> String {
    format!("[name=\"{name}\"]")
}

/// Asks the islands loader (`islands_loader.js`) to hydrate the islands that wait to be used.
pub fn wake_islands() {
    let document = web_sys::window().and_then(|w| w.document());
    if let (Some(document), Ok(event)) = (document, web_sys::Event::new("islands:wake")) {
        let _ = document.dispatch_event(&event);
    }
}

/// The aspect ratio and resolution of the size preset clicked, if the click was on one.
pub fn preset_of(event: &web_sys::MouseEvent) -> Option<(String, String)> {
    let target = event.target()?.dyn_into::<Element>().ok()?;
    let button = target.closest("[data-aspect]").ok()??;
    Some((button.get_attribute("data-aspect")?, button.get_attribute("data-resolution")?))
}
