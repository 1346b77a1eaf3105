use crate::api::infographs::{list_infographs, CreateInfographs};
use crate::components::card::InfographCard;
use leptos::prelude::*;

#[component]
pub fn Gallery(action: ServerAction<CreateInfographs>) -> impl IntoView {
    let items = Resource::new(move || action.version().get(), |_| list_infographs());
    view! {
        <section class="gallery-section">
            <h2>"Your gallery"</h2>
            <Transition fallback=|| view! { <p>"Loading your gallery…"</p> }>
                {move || items.get().map(|result| match result {
                    Ok(list) if list.is_empty() => view! {
                        <p class="empty">"Nothing here yet: your infographics will appear here."</p>
                    }.into_any(),
                    Ok(list) => view! {
                        <div class="gallery" data-testid="gallery">
                            <For each=move || list.clone() key=|item| item.id.clone() let:item>
                                <InfographCard initial=item/>
                            </For>
                        </div>
                    }.into_any(),
                    Err(e) => view! { <p class="form-error">{e.to_string()}</p> }.into_any(),
                })}
            </Transition>
        </section>
    }
}
