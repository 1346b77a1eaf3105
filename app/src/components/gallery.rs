use crate::components::card::InfographCard;
use crate::errors::AppError;
use crate::model::InfographView;
use leptos::prelude::*;

/// The user's infographs, newest first; the resource is refetched after every create.
#[component]
pub fn Gallery(items: Resource<Result<Vec<InfographView>, AppError>>) -> impl IntoView {
    view! {
        <section class="gallery-section">
            <h2>"Your gallery"</h2>
            <Transition fallback=|| view! { <p>"Loading your gallery…"</p> }>
                {move || items.get().and_then(Result::err).map(|e| view! { <p class="form-error">{e.to_string()}</p> })}
                {move || items.get().and_then(Result::ok).filter(|l| l.is_empty()).map(|_| view! {
                    <p class="empty">"Nothing here yet: your infographics will appear here."</p>
                })}
                // One `For` for the gallery's lifetime: a refetch adds new cards and keeps the
                // existing ones (and their polling) in place.
                <div class="gallery" data-testid="gallery">
                    <For
                        each=move || items.get().and_then(Result::ok).unwrap_or_default()
                        key=|item| item.id.clone()
                        let:item
                    >
                        <InfographCard initial=item/>
                    </For>
                </div>
            </Transition>
        </section>
    }
}
