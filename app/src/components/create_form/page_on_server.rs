//! The server never runs the form's handlers: what they call only has to exist there.

use leptos::web_sys::{HtmlFormElement, MouseEvent};

pub struct Fields;

impl Fields {
    pub fn of(_: &HtmlFormElement) -> Self {
        Self
    }

    pub fn get(&self, _: &str) -> Option<String> {
        None
    }

    pub fn given(&self, _: &str) -> Option<String> {
        None
    }

    pub fn all(&self) -> Vec<(String, String)> {
        Vec::new()
    }
}

pub fn set(_: &HtmlFormElement, _: &str, _: &str) {}

pub fn text_of(_: &HtmlFormElement, _: &str) -> String {
    String::new()
}

pub fn open_paste(_: &HtmlFormElement) {}

pub fn changed_field(_: &leptos::web_sys::Event) -> Option<String> {
    None
}

pub fn show(_: &HtmlFormElement, _: &str) {}

pub fn wake_islands() {}

pub fn preset_of(_: &MouseEvent) -> Option<(String, String)> {
    None
}
