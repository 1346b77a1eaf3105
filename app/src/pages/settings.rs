//! `/settings`: account settings: job notification emails, API tokens, sessions.

use crate::api::server_fns::settings::{
    get_settings, list_api_tokens, CreateApiToken, RevokeApiToken, SetNotifyEmail, SettingsView, SignOutEverywhere,
};
use crate::components::format::when;
use crate::components::header::reload_after;
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
                    Ok(s) => view! { {notification_form(action, s)} <ApiTokens/> <Sessions/> }.into_any(),
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

#[component]
fn ApiTokens() -> impl IntoView {
    let create = ServerAction::<CreateApiToken>::new();
    let revoke = ServerAction::<RevokeApiToken>::new();
    let tokens = LocalResource::new(move || {
        (create.version().get(), revoke.version().get());
        list_api_tokens()
    });
    let created = move || create.value().get();
    view! {
        <h2>"API tokens"</h2>
        <p>"For scripts and the REST API: send " <code>"Authorization: Token <token>"</code> "."</p>
        <ActionForm action=create attr:class="inline-form">
            <label>"Name" <input type="text" name="name" maxlength="60" placeholder="e.g. Blog build script" data-testid="token-name"/></label>
            <button type="submit" data-testid="token-create" disabled=move || create.pending().get()>"Create a token"</button>
        </ActionForm>
        {move || created().map(|result| match result {
            Ok(new) => view! {
                <p class="notice" role="status">"Copy it now, it is not shown again: "
                    <code data-testid="token-secret">{new.token}</code></p>
            }.into_any(),
            Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
        })}
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || tokens.get().map(|result| match result {
                Ok(list) if list.is_empty() => view! { <p class="empty">"No tokens."</p> }.into_any(),
                Ok(list) => view! {
                    <ul class="tokens" data-testid="tokens">
                        {list.into_iter().map(|t| {
                            let id = t.id.clone();
                            let used = t.last_used_at.map_or_else(|| "never used".to_string(), |at| format!("last used {}", when(at)));
                            view! {
                                <li data-testid="token-row" data-name=t.name.clone()>
                                    <span><strong>{t.name.clone()}</strong> " · made " {when(t.created_at)} " · " {used}</span>
                                    <button type="button" class="link" data-testid="token-revoke"
                                        on:click=move |_| { revoke.dispatch(RevokeApiToken { id: id.clone() }); }>
                                        "Revoke"
                                    </button>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any(),
                Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
            })}
        </Suspense>
    }
}

#[component]
fn Sessions() -> impl IntoView {
    let everywhere = ServerAction::<SignOutEverywhere>::new();
    reload_after(move || matches!(everywhere.value().get(), Some(Ok(_))));
    view! {
        <h2>"Sessions"</h2>
        <p>"Signed in on a computer you no longer use? End every session, this one included."</p>
        <ActionForm action=everywhere>
            <button type="submit" data-testid="sign-out-everywhere" disabled=move || everywhere.pending().get()>"Sign out everywhere"</button>
        </ActionForm>
    }
}
