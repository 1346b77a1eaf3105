//! The one "Page not found" page: an unknown path, a stranger's infograph, the admin dashboard
//! to a non-admin. The same words whatever the reason, so nobody learns whether something exists.

use leptos::prelude::*;

#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <section class="notice not-found" data-testid="not-found">
            <h1>"Page not found"</h1>
            <p>"There is nothing here, or it is not yours to see."</p>
            <p><a class="button" href="/">"Back to the start"</a></p>
        </section>
    }
}
