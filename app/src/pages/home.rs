use crate::api::infographs::CreateInfographs;
use crate::components::create_form::CreateForm;
use crate::components::gallery::Gallery;
use crate::components::header::AccountResource;
use leptos::prelude::*;

#[component]
pub fn HomePage() -> impl IntoView {
    let account = expect_context::<AccountResource>();
    view! {
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || account.get().map(|result| match result {
                Ok(Some(_)) => {
                    let create = ServerAction::<CreateInfographs>::new();
                    view! {
                        <div class="workspace">
                            <CreateForm action=create/>
                            <Gallery action=create/>
                        </div>
                    }.into_any()
                }
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
