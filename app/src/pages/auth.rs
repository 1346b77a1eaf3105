//! `/signin`, `/signup` and `/reset-password`: server-rendered pages around a small island
//! each (the form).

use crate::api::server_fns::auth::{check_password_reset, RequestPasswordReset, ResetPassword, SignIn, SignUp};
use crate::components::header::{go_to, reload_after};
use crate::errors::AppError;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

fn field_error(error: Option<AppError>, name: &'static str) -> impl IntoView {
    error.and_then(|e| e.field(name)).map(|msg| view! { <p class="field-error" data-field=name>{msg}</p> })
}

fn general_error(error: Option<AppError>) -> impl IntoView {
    error.map(|e| view! { <p class="form-error" role="alert">{e.to_string()}</p> })
}

/// The email and password typed into a form.
fn credentials(email: NodeRef<leptos::html::Input>, password: NodeRef<leptos::html::Input>) -> (String, String) {
    let value = |node: NodeRef<leptos::html::Input>| node.get_untracked().map(|el| el.value()).unwrap_or_default();
    (value(email), value(password))
}

#[component]
pub fn SignInPage() -> impl IntoView {
    view! {
        <section class="auth-card">
            <h1>"Sign in"</h1>
            <crate::components::verify_banner::VerifyOutcome/>
            <SignInForm/>
            <p><a href="/reset-password" data-testid="forgot-password">"Forgot your password?"</a></p>
            <p>"No account yet? " <a href="/signup">"Sign up"</a></p>
        </section>
    }
}

#[island]
fn SignInForm() -> impl IntoView {
    let action = ServerAction::<SignIn>::new();
    reload_after(move || matches!(action.value().get(), Some(Ok(_))));
    let error = move || action.value().get().and_then(Result::err);
    let (email, password) = (NodeRef::new(), NodeRef::new());
    let on_submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let (email, password) = credentials(email, password);
        action.dispatch(SignIn { email, password });
    };
    view! {
        <form method="post" action={<SignIn as leptos::server_fn::ServerFn>::PATH} on:submit=on_submit>
            <label>"Email" <input node_ref=email type="email" name="email" required autocomplete="username"/></label>
            {move || field_error(error(), "email")}
            <label>"Password" <input node_ref=password type="password" name="password" required autocomplete="current-password"/></label>
            {move || field_error(error(), "password")}
            {move || general_error(error())}
            <button type="submit" disabled=move || action.pending().get()>"Sign in"</button>
        </form>
    }
}

#[component]
pub fn SignUpPage() -> impl IntoView {
    view! {
        <section class="auth-card">
            <h1>"Create your account"</h1>
            <SignUpForm/>
        </section>
    }
}

#[island]
fn SignUpForm() -> impl IntoView {
    let action = ServerAction::<SignUp>::new();
    let error = move || action.value().get().and_then(Result::err);
    let sent_to = move || action.value().get().and_then(Result::ok);
    let (email, password) = (NodeRef::new(), NodeRef::new());
    let on_submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let (email, password) = credentials(email, password);
        action.dispatch(SignUp { email, password });
    };
    view! {
        <Show
            when=move || sent_to().is_some()
            fallback=move || view! {
                <form method="post" action={<SignUp as leptos::server_fn::ServerFn>::PATH} on:submit=on_submit>
                    <label>"Email" <input node_ref=email type="email" name="email" required autocomplete="username"/></label>
                    {move || field_error(error(), "email")}
                    <label>"Password" <input node_ref=password type="password" name="password" required minlength="8" autocomplete="new-password"/></label>
                    {move || field_error(error(), "password")}
                    {move || general_error(error())}
                    <button type="submit" disabled=move || action.pending().get()>"Sign up"</button>
                </form>
                <p>"Already registered? " <a href="/signin">"Sign in"</a></p>
            }
        >
            <div class="notice" role="status" data-testid="check-inbox">
                <p><strong>"Check your inbox."</strong></p>
                <p>
                    "We sent a link to " <strong>{sent_to}</strong> ". Follow it to confirm your address "
                    "and get your free credits. The link works for 24 hours."
                </p>
                <p><a class="button" href="/signin">"Sign in"</a></p>
            </div>
        </Show>
    }
}

/// An error as the reset forms say it: a wait in minutes rather than seconds.
fn reset_error_text(error: &AppError) -> String {
    match error {
        AppError::RateLimited { retry_after_secs } => {
            let minutes = retry_after_secs.div_ceil(60);
            let plural = if minutes == 1 { "" } else { "s" };
            format!("Too many reset requests for now. Please try again in {minutes} minute{plural}.")
        }
        other => other.to_string(),
    }
}

/// A form-wide error: anything but an error about fields (each is shown next to its field).
fn form_error(error: Option<AppError>) -> impl IntoView {
    error
        .filter(|e| !matches!(e, AppError::InvalidInput { fields, .. } if !fields.is_empty()))
        .map(|e| view! { <p class="form-error" role="alert">{reset_error_text(&e)}</p> })
}

/// A reset link that no longer works: why, and the way to a new one.
fn stale_link(message: String) -> impl IntoView {
    view! {
        <div role="alert" data-testid="reset-link-error">
            <p class="form-error">{message}</p>
            <p><a class="button" href="/reset-password">"Ask for a new link"</a></p>
        </div>
    }
}

/// `/reset-password`: without a token, the form that asks for a link; with the token of an
/// emailed link, the form that sets the new password (or why the link no longer works).
#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let token = use_query_map().with_untracked(|q| q.get("token")).filter(|t| !t.trim().is_empty());
    let Some(token) = token else {
        return view! {
            <section class="auth-card">
                <h1>"Reset your password"</h1>
                <ForgotPasswordForm/>
                <p>"Remembered it? " <a href="/signin">"Sign in"</a></p>
            </section>
        }
        .into_any();
    };
    let checked = token.clone();
    let check = Resource::new(|| (), move |_| check_password_reset(checked.clone()));
    view! {
        <section class="auth-card">
            <h1>"Choose a new password"</h1>
            <Suspense fallback=|| view! { <p>"Checking the link…"</p> }>
                {move || check.get().map(|result| match result {
                    Ok(email) => view! {
                        <p>"For " <strong data-testid="reset-email">{email}</strong> ". Setting it signs the account out on every other device and revokes its API tokens (make new ones in Settings)."</p>
                        <NewPasswordForm token=token.clone()/>
                    }.into_any(),
                    Err(e) => stale_link(e.field("token").unwrap_or_else(|| e.to_string())).into_any(),
                })}
            </Suspense>
        </section>
    }
    .into_any()
}

#[island]
fn ForgotPasswordForm() -> impl IntoView {
    let action = ServerAction::<RequestPasswordReset>::new();
    let error = move || action.value().get().and_then(Result::err);
    let sent_to = move || action.value().get().and_then(Result::ok);
    let email = NodeRef::<leptos::html::Input>::new();
    let on_submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let email = email.get_untracked().map(|el| el.value()).unwrap_or_default();
        action.dispatch(RequestPasswordReset { email });
    };
    view! {
        <Show
            when=move || sent_to().is_some()
            fallback=move || view! {
                <p>"Type the address you signed up with, and we will email it a link to choose a new password."</p>
                <form method="post" action={<RequestPasswordReset as leptos::server_fn::ServerFn>::PATH} on:submit=on_submit>
                    <label>"Email" <input node_ref=email type="email" name="email" required autocomplete="username"/></label>
                    {move || field_error(error(), "email")}
                    {move || form_error(error())}
                    <button type="submit" disabled=move || action.pending().get()>"Email me a link"</button>
                </form>
            }
        >
            <div class="notice" role="status" data-testid="reset-sent">
                <p><strong>"Check your inbox."</strong></p>
                <p>
                    "If an account uses " <strong>{sent_to}</strong> ", we have sent it a link to choose a new "
                    "password. The link works once, for 30 minutes."
                </p>
                <p>"Nothing after a few minutes? Look in your spam folder, or " <a href="/reset-password">"ask again"</a> "."</p>
            </div>
        </Show>
    }
}

#[island]
fn NewPasswordForm(token: String) -> impl IntoView {
    let action = ServerAction::<ResetPassword>::new();
    let done = move || matches!(action.value().get(), Some(Ok(_)));
    // Signed in afresh: the gallery says what happened.
    Effect::new(move |_| {
        if done() {
            go_to("/?password=changed");
        }
    });
    let error = move || action.value().get().and_then(Result::err);
    let token = StoredValue::new(token);
    let password = NodeRef::<leptos::html::Input>::new();
    let on_submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let password = password.get_untracked().map(|el| el.value()).unwrap_or_default();
        action.dispatch(ResetPassword { token: token.get_value(), password });
    };
    view! {
        <form method="post" action={<ResetPassword as leptos::server_fn::ServerFn>::PATH} on:submit=on_submit>
            <input type="hidden" name="token" value=token.get_value()/>
            <label>"New password"
                <input node_ref=password type="password" name="password" required minlength="8" maxlength="128"
                    autocomplete="new-password" aria-describedby="new-password-rule"/>
            </label>
            <p id="new-password-rule" class="hint">"8 to 128 characters."</p>
            {move || field_error(error(), "password")}
            {move || error().and_then(|e| e.field("token")).map(stale_link)}
            {move || form_error(error())}
            <button type="submit" data-testid="reset-submit" disabled=move || action.pending().get() || done()>"Set the new password"</button>
        </form>
    }
}
