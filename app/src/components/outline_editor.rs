//! The outline under review in the create form (part of the workspace island): its title,
//! subtitle and sections as fields to edit, reorder, delete and add to. What "Generate" sends is
//! what is shown here.

use crate::model::design::{Layout, Outline, OutlineSection, OUTLINE_MAX_SECTIONS};
use leptos::prelude::*;

/// One section being edited; `key` keeps its fields (and the cursor in them) through reorders.
#[derive(Clone, Copy)]
pub struct DraftSection {
    key: u64,
    heading: RwSignal<String>,
    line: RwSignal<String>,
    figure: RwSignal<String>,
    source: RwSignal<Option<String>>,
}

/// The outline being edited.
#[derive(Clone, Copy)]
pub struct OutlineDraft {
    title: RwSignal<String>,
    subtitle: RwSignal<String>,
    layout: RwSignal<Layout>,
    sections: RwSignal<Vec<DraftSection>>,
    next_key: RwSignal<u64>,
    /// Changed by hand since it was written: writing it again would lose work.
    edited: RwSignal<bool>,
}

impl OutlineDraft {
    pub fn new(outline: Outline) -> Self {
        Self::restored(outline, false)
    }

    /// An outline kept from an earlier visit, `edited` or not.
    pub fn restored(outline: Outline, edited: bool) -> Self {
        let draft = Self {
            title: RwSignal::new(outline.title),
            subtitle: RwSignal::new(outline.subtitle.unwrap_or_default()),
            layout: RwSignal::new(outline.layout),
            sections: RwSignal::new(Vec::new()),
            next_key: RwSignal::new(0),
            edited: RwSignal::new(edited),
        };
        for s in outline.sections {
            draft.push(s);
        }
        draft
    }

    fn push(&self, s: OutlineSection) {
        let key = self.next_key.get_untracked();
        self.next_key.set(key + 1);
        let section = DraftSection {
            key,
            heading: RwSignal::new(s.heading),
            line: RwSignal::new(s.line),
            figure: RwSignal::new(s.figure.unwrap_or_default()),
            source: RwSignal::new(s.source),
        };
        self.sections.update(|all| all.push(section));
    }

    pub fn edited(&self) -> bool {
        self.edited.get_untracked()
    }

    /// Subscribes the running effect to every change of the outline (to keep the draft saved).
    pub fn track(&self) {
        self.edited.track();
        self.title.track();
        self.subtitle.track();
        self.sections.with(|all| {
            for s in all {
                s.heading.track();
                s.line.track();
                s.figure.track();
            }
        });
    }

    /// Sets one of its texts, as the author typed it.
    fn edit(&self, field: RwSignal<String>, value: String) {
        field.set(value);
        self.edited.set(true);
    }

    /// The outline as it stands (the server checks it again).
    pub fn outline(&self) -> Outline {
        let text = |s: RwSignal<String>| Some(s.get_untracked().trim().to_string()).filter(|t| !t.is_empty());
        Outline {
            title: self.title.get_untracked(),
            subtitle: text(self.subtitle),
            layout: self.layout.get_untracked(),
            sections: self
                .sections
                .get_untracked()
                .iter()
                .map(|s| OutlineSection { heading: s.heading.get_untracked(), line: s.line.get_untracked(), figure: text(s.figure), source: s.source.get_untracked() })
                .collect(),
        }
    }

    fn move_by(&self, key: u64, step: isize) {
        self.edited.set(true);
        self.sections.update(|all| {
            if let Some(i) = all.iter().position(|s| s.key == key) {
                let j = i as isize + step;
                if (0..all.len() as isize).contains(&j) {
                    all.swap(i, j as usize);
                }
            }
        });
    }

    fn remove(&self, key: u64) {
        self.edited.set(true);
        self.sections.update(|all| all.retain(|s| s.key != key));
    }
}

#[component]
pub fn OutlineEditor(draft: OutlineDraft, on_discard: Callback<()>) -> impl IntoView {
    let count = move || draft.sections.with(Vec::len);
    // Where the keyboard goes when the section it was in is deleted.
    let add_button = NodeRef::<leptos::html::Button>::new();
    view! {
        <fieldset class="outline" data-testid="outline">
            <legend>"Outline: what the infographic will say"</legend>
            <label for="outline-title">"Title"</label>
            <input id="outline-title" type="text" data-testid="outline-title"
                prop:value=move || draft.title.get() on:input=move |ev| draft.edit(draft.title, event_target_value(&ev))/>
            <label for="outline-subtitle">"Subtitle"</label>
            <input id="outline-subtitle" type="text" data-testid="outline-subtitle"
                prop:value=move || draft.subtitle.get() on:input=move |ev| draft.edit(draft.subtitle, event_target_value(&ev))/>
            <ol class="outline-sections">
                <For each=move || draft.sections.get() key=|s| s.key let:section>
                    <SectionRow draft section add_button/>
                </For>
            </ol>
            <div class="row outline-actions">
                <button type="button" class="small" data-testid="outline-add" node_ref=add_button disabled=move || { count() >= OUTLINE_MAX_SECTIONS }
                    on:click=move |_| { draft.edited.set(true); draft.push(OutlineSection { heading: String::new(), line: String::new(), figure: None, source: None }) }>
                    "Add a section"
                </button>
                <button type="button" class="small danger" data-testid="outline-discard" on:click=move |_| on_discard.run(())>
                    "Discard the outline"
                </button>
            </div>
            <p class="hint">{move || format!("{} of at most {OUTLINE_MAX_SECTIONS} sections.", count())}</p>
        </fieldset>
    }
}

#[component]
fn SectionRow(draft: OutlineDraft, section: DraftSection, add_button: NodeRef<leptos::html::Button>) -> impl IntoView {
    let key = section.key;
    let number = move || draft.sections.with(|all| all.iter().position(|s| s.key == key).map_or(0, |i| i + 1));
    let id = |part: &str| format!("section-{key}-{part}");
    view! {
        <li class="outline-section" data-testid="outline-section">
            <div class="row">
                <label for=id("heading")>{move || format!("Section {}", number())}</label>
                <span class="section-moves">
                    <button type="button" class="small" aria-label=move || format!("Move section {} up", number()) data-testid="section-up"
                        on:click=move |_| draft.move_by(key, -1)>"↑"</button>
                    <button type="button" class="small" aria-label=move || format!("Move section {} down", number()) data-testid="section-down"
                        on:click=move |_| draft.move_by(key, 1)>"↓"</button>
                    <button type="button" class="small danger" aria-label=move || format!("Delete section {}", number()) data-testid="section-delete"
                        on:click=move |_| { draft.remove(key); crate::components::confirm::focus_later(add_button) }>"✕"</button>
                </span>
            </div>
            <input id=id("heading") type="text" placeholder="Heading" data-testid="section-heading"
                prop:value=move || section.heading.get() on:input=move |ev| draft.edit(section.heading, event_target_value(&ev))/>
            <label for=id("line") class="sr-only">"What it says"</label>
            <input id=id("line") type="text" placeholder="One line" data-testid="section-line"
                prop:value=move || section.line.get() on:input=move |ev| draft.edit(section.line, event_target_value(&ev))/>
            <label for=id("figure") class="sr-only">"Key figure"</label>
            <input id=id("figure") type="text" placeholder="Key figure (optional)" data-testid="section-figure"
                prop:value=move || section.figure.get() on:input=move |ev| draft.edit(section.figure, event_target_value(&ev))/>
            {move || section.source.get().map(|s| view! { <p class="hint source">"From: “" {s} "”"</p> })}
        </li>
    }
}
