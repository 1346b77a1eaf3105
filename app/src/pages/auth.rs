//! `/signin` and `/signup`: server-rendered pages around a small island each (the form).

use crate::api::server_fns::auth::{SignIn, SignUp};
use crate::components::header::reload_after;
use crate::errors::AppError;
use leptos::prelude::*;

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
            <SignInForm/>
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
