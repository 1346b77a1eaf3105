use crate::components::card::InfographCard;
use crate::context::{workspace, Workspace};
use leptos::prelude::*;

/// Cards whose pictures are fetched at once, before the page is idle.
const EAGER_CARDS: usize = 3;

/// The user's infographs, newest first (in the gallery island).
#[component]
pub fn Gallery() -> impl IntoView {
    let Workspace { items, error } = workspace();
    // The cards above the fold on a phone or a laptop, as the page was first drawn.
    let first: Vec<String> = items.with_untracked(|list| list.iter().take(EAGER_CARDS).map(|i| i.id.clone()).collect());
    view! {
        <section class="gallery-section">
            // Where the keyboard goes when a card it was on is deleted.
            <h2 id="gallery-heading" tabindex="-1">"Your gallery"</h2>
            {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
            {move || items.with(Vec::is_empty).then(|| view! {
                <p class="empty">"Nothing here yet: your infographics will appear here."</p>
            })}
            // One `For` for the gallery's lifetime: a reload adds new cards and keeps the
            // existing ones (and their polling) in place.
            <div class="gallery" data-testid="gallery">
                <For each=move || items.get() key=|item| item.id.clone() let:item>
                    <InfographCard eager=first.contains(&item.id) initial=item/>
                </For>
            </div>
        </section>
    }
    .into_any()
}
