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

#[component]
pub fn SignInPage() -> impl IntoView {
    let action = ServerAction::<SignIn>::new();
    reload_after(move || matches!(action.value().get(), Some(Ok(_))));
    let error = move || action.value().get().and_then(Result::err);
    view! {
        <section class="auth-card">
            <h1>"Sign in"</h1>
            <ActionForm action=action>
                <label>"Email" <input type="email" name="email" required autocomplete="username"/></label>
                {move || field_error(error(), "email")}
                <label>"Password" <input type="password" name="password" required autocomplete="current-password"/></label>
                {move || field_error(error(), "password")}
                {move || general_error(error())}
                <button type="submit" disabled=move || action.pending().get()>"Sign in"</button>
            </ActionForm>
            <p>"No account yet? " <a href="/signup">"Sign up"</a></p>
        </section>
    }
}

#[component]
pub fn SignUpPage() -> impl IntoView {
    let action = ServerAction::<SignUp>::new();
    let error = move || action.value().get().and_then(Result::err);
    let sent_to = move || action.value().get().and_then(Result::ok);
    view! {
        <section class="auth-card">
            <h1>"Create your account"</h1>
            <Show
                when=move || sent_to().is_some()
                fallback=move || view! {
                    <ActionForm action=action>
                        <label>"Email" <input type="email" name="email" required autocomplete="username"/></label>
                        {move || field_error(error(), "email")}
                        <label>"Password" <input type="password" name="password" required minlength="8" autocomplete="new-password"/></label>
                        {move || field_error(error(), "password")}
                        {move || general_error(error())}
                        <button type="submit" disabled=move || action.pending().get()>"Sign up"</button>
                    </ActionForm>
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
        </section>
    }
}
