//! `/settings`: account settings: job notification emails, automatic fixing, brand kits, API tokens, sessions,
//! receipts. Rendered on the server with the account's data; the switch, the kits and the tokens
//! are one lazy island, so their code loads with this page only.

use crate::api::server_fns::settings::{
    get_settings, list_api_tokens, CreateApiToken, RevokeApiToken, SetAutoFix, SetNotifyEmail, SettingsView,
};
use crate::components::format::when;
use crate::errors::AppError;
use crate::model::design::BrandKitView;
use crate::model::{default_token_name, ApiTokenView};
use leptos::prelude::*;

#[component]
pub fn SettingsPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| async {
        Ok::<_, AppError>((
            get_settings().await?,
            list_api_tokens().await?,
            crate::api::server_fns::billing::my_purchases().await?,
            crate::api::server_fns::design::list_brand_kits().await?,
        ))
    });
    view! {
        <section class="auth-card settings">
            <h1>"Settings"</h1>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || data.get().map(|result| match result {
                    Ok((settings, tokens, purchases, kits)) => view! {
                        <p>"Signed in as " <strong>{settings.email.clone()}</strong></p>
                        <SettingsIsland settings=settings kits=kits tokens=tokens/>
                        {sessions()}
                        <section class="receipts">
                            {crate::pages::billing::history(purchases)}
                            <p><a href="/billing">"Buy credits"</a></p>
                        </section>
                    }.into_any(),
                    Err(AppError::Unauthorized) => view! {
                        <p>"Please " <a href="/signin">"sign in"</a> " to change your settings."</p>
                    }.into_any(),
                    Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                })}
            </Suspense>
        </section>
    }
}

/// The page's live parts in one island: as islands of their own, the switch and the tokens
/// were in the shared core every page loads (the settings page is their only user), and a
/// separate lazy island per section would multiply the parts the splitter makes.
#[island(lazy)]
fn SettingsIsland(settings: SettingsView, kits: Vec<BrandKitView>, tokens: Vec<ApiTokenView>) -> impl IntoView {
    view! {
        <Notifications initial=settings.clone()/>
        <AutoFix initial=settings/>
        <section class="brand-kits" id="brand-kits"><crate::components::brand_kits::BrandKits initial=kits/></section>
        <ApiTokens initial=tokens/>
    }
}

#[component]
fn Notifications(initial: SettingsView) -> impl IntoView {
    let action = ServerAction::<SetNotifyEmail>::new();
    let on = Memo::new(move |_| match action.value().get() {
        Some(Ok(s)) => s.notify_email,
        _ => initial.notify_email,
    });
    let state = move || {
        if on.get() {
            "Email notifications are on: you get an email when a job completes or fails."
        } else {
            "Email notifications are off."
        }
    };
    let error = move || action.value().get().and_then(Result::err).map(|e| e.to_string());
    view! {
        <h2>"Notifications"</h2>
        <p data-testid="notify-state" data-on=move || on.get().to_string()>{state}</p>
        <button type="button" data-testid="notify-toggle" disabled=move || action.pending().get()
            on:click=move |_| { action.dispatch(SetNotifyEmail { enabled: (!on.get_untracked()).to_string() }); }>
            {move || if on.get() { "Turn email notifications off" } else { "Turn email notifications on" }}
        </button>
        {move || error().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
    }
}

/// "Fix automatically": when a proofread finds problems, the picture's free fix is asked for on
/// its own (never a paid one).
#[component]
fn AutoFix(initial: SettingsView) -> impl IntoView {
    let action = ServerAction::<SetAutoFix>::new();
    let on = Memo::new(move |_| match action.value().get() {
        Some(Ok(s)) => s.auto_fix,
        _ => initial.auto_fix,
    });
    let state = move || {
        if on.get() {
            "Fix automatically is on: when a proofread finds wrong words, the free fix is made for you."
        } else {
            "Fix automatically is off: you choose when to fix a picture's words."
        }
    };
    let error = move || action.value().get().and_then(Result::err).map(|e| e.to_string());
    view! {
        <h2>"Proofreading"</h2>
        <p data-testid="auto-fix-state" data-on=move || on.get().to_string()>{state}</p>
        <button type="button" data-testid="auto-fix-toggle" disabled=move || action.pending().get()
            on:click=move |_| { action.dispatch(SetAutoFix { enabled: (!on.get_untracked()).to_string() }); }>
            {move || if on.get() { "Turn automatic fixing off" } else { "Turn automatic fixing on" }}
        </button>
        {move || error().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
    }
}

#[component]
fn ApiTokens(initial: Vec<ApiTokenView>) -> impl IntoView {
    let create = ServerAction::<CreateApiToken>::new();
    let revoke = ServerAction::<RevokeApiToken>::new();
    let tokens = RwSignal::new(initial);
    // Reload the list after every create or revoke.
    Effect::new(move |first: Option<()>| {
        (create.version().get(), revoke.version().get());
        if first.is_some() {
            leptos::task::spawn_local(async move {
                if let Ok(list) = list_api_tokens().await {
                    let _ = tokens.try_set(list);
                }
            });
        }
    });
    let name = NodeRef::<leptos::html::Input>::new();
    let on_submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let name = name.get_untracked().map(|el| el.value()).unwrap_or_default();
        create.dispatch(CreateApiToken { name });
    };
    let created = move || create.value().get();
    // What a token made without a name will be called (the server picks the same).
    let placeholder = move || default_token_name(&tokens.read());
    view! {
        <h2>"API tokens"</h2>
        <p>"For scripts and the REST API: send " <code>"Authorization: Token <token>"</code> "."</p>
        <form class="inline-form" on:submit=on_submit>
            <label>"Name" <input node_ref=name type="text" name="name" maxlength="60" placeholder=placeholder
                aria-describedby="token-name-hint" data-testid="token-name"/></label>
            <p id="token-name-hint" class="hint">"Optional: left empty, it is called " <span data-testid="token-default-name">{placeholder}</span> "."</p>
            <button type="submit" data-testid="token-create" disabled=move || create.pending().get()>"Create a token"</button>
        </form>
        {move || created().map(|result| match result {
            Ok(new) => view! {
                <p class="notice" role="status">"Copy it now, it is not shown again: "
                    <code data-testid="token-secret">{new.token}</code></p>
            }.into_any(),
            Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
        })}
        {move || {
            let list = tokens.get();
            if list.is_empty() {
                return view! { <p class="empty">"No tokens."</p> }.into_any();
            }
            view! {
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
            }.into_any()
        }}
    }
}

/// A plain form: the server function ends every session and answers with a redirect home. A
/// small danger button, not the page's primary action, saying what it does.
fn sessions() -> impl IntoView {
    view! {
        <h2>"Sessions"</h2>
        <p id="sign-out-everywhere-what">
            "Signed in on a computer you no longer use? This signs your account out on every device "
            "and browser, this one included; you will need your password to sign in again. API tokens keep working."
        </p>
        <form method="post" action="/sfn/sign_out_everywhere">
            // In a block of its own: the card's forms stretch their children to full width.
            <div>
                <button type="submit" class="small danger" aria-describedby="sign-out-everywhere-what" data-testid="sign-out-everywhere">
                    "Sign out on all devices"
                </button>
            </div>
        </form>
    }
}
