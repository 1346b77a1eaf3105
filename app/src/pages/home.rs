use crate::api::infographs::{list_infographs, CreateInfographs};
use crate::components::create_form::CreateForm;
use crate::components::gallery::Gallery;
use crate::app::AccountResource;
use leptos::prelude::*;

#[component]
pub fn HomePage() -> impl IntoView {
    let AccountResource(account) = expect_context();
    // Created here, not inside the reactive branch below: resources must be created in the same
    // order on the server and in the browser to hydrate from the server's data.
    let create = ServerAction::<CreateInfographs>::new();
    let items = Resource::new(move || create.version().get(), |_| list_infographs());
    view! {
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || account.get().map(|result| match result {
                Ok(Some(_)) => view! {
                    <div class="workspace">
                        <CreateForm action=create/>
                        <Gallery items=items/>
                    </div>
                }.into_any(),
                _ => view! { <Landing/> }.into_any(),
            })}
        </Transition>
    }
}

#[component]
fn Landing() -> impl IntoView {
    view! {
        <section class="landing">
            <h1>"Turn a prompt — or a blog post — into an infographic."</h1>
            <p>
                "Describe what you want, optionally paste a blog post's URL, pick a format, "
                "and Infograph reads the post, writes a brief and has the image generated for you."
            </p>
            <p><a class="button" href="/signup">"Create an account"</a> " " <a href="/signin">"Sign in"</a></p>
        </section>
    }
}
