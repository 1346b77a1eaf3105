use crate::components::create_form::CreateForm;
use crate::components::gallery::Gallery;
use crate::components::verify_banner::{VerifyBanner, VerifyOutcome};
use crate::context::{AccountResource, Workspace};
use leptos::prelude::*;

#[component]
pub fn HomePage() -> impl IntoView {
    let AccountResource(account) = expect_context();
    let Workspace { create, items } = expect_context();
    view! {
        <VerifyOutcome/>
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || account.get().map(|result| match result {
                Ok(Some(acc)) => view! {
                    <VerifyBanner account=acc/>
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
