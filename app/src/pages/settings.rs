//! `/settings`: account settings; for now the opt-in for job notification emails.

use crate::api::server_fns::settings::{get_settings, SetNotifyEmail, SettingsView};
use crate::errors::AppError;
use leptos::prelude::*;

#[component]
pub fn SettingsPage() -> impl IntoView {
    let action = ServerAction::<SetNotifyEmail>::new();
    // Loaded in the browser only (a LocalResource): created inside a route, a server-rendered
    // resource could hydrate out of order with the app-level ones (see `App`). The form is built
    // after hydration: a LocalResource never resolves during server rendering, and a Suspense
    // hydrated around one stayed on its fallback.
    let settings = LocalResource::new(move || {
        action.version().get();
        get_settings()
    });
    let mounted = RwSignal::new(false);
    Effect::new(move |_| mounted.set(true));
    view! {
        <section class="auth-card settings">
            <h1>"Settings"</h1>
            <Show when=move || mounted.get() fallback=|| view! { <p>"Loading…"</p> }>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || settings.get().map(|result| match result {
                    Ok(s) => notification_form(action, s).into_any(),
                    Err(AppError::Unauthorized) => view! {
                        <p>"Please " <a href="/signin">"sign in"</a> " to change your settings."</p>
                    }.into_any(),
                    Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                })}
            </Suspense>
            </Show>
        </section>
    }
}

fn notification_form(action: ServerAction<SetNotifyEmail>, s: SettingsView) -> impl IntoView {
    let (state, button) = if s.notify_email {
        ("Email notifications are on: you get an email when a job completes or fails.", "Turn email notifications off")
    } else {
        ("Email notifications are off.", "Turn email notifications on")
    };
    let error = move || action.value().get().and_then(Result::err).map(|e| e.to_string());
    view! {
        <p>"Signed in as " <strong>{s.email.clone()}</strong></p>
        <h2>"Notifications"</h2>
        <p data-testid="notify-state" data-on=s.notify_email.to_string()>{state}</p>
        <ActionForm action=action>
            <input type="hidden" name="enabled" value=(!s.notify_email).to_string()/>
            <button type="submit" data-testid="notify-toggle" disabled=move || action.pending().get()>{button}</button>
        </ActionForm>
        {move || error().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
    }
}
