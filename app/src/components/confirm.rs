//! Asking before an action that cannot be taken back (a delete, turning a public link off,
//! replacing an edited outline), and keeping the keyboard's place when an action replaces the
//! control that started it: focus left on a removed button falls back to `<body>`, and a keyboard
//! or screen reader user starts again from the top of the page.

use leptos::prelude::*;

/// The question shown in place of the button that asked it (the caller hides that button while
/// `open`): what breaks, and two answers. Focus moves to the safe answer; it, or Escape, closes
/// the question and puts focus back on `back_to`; the other answer does too, then runs `on_yes`
/// (which may move focus on when its action is done).
#[component]
pub fn Confirm(
    open: RwSignal<bool>,
    #[prop(into)] question: Signal<String>,
    yes: &'static str,
    no: &'static str,
    /// `{testid}-yes` and `{testid}-no` on the answers, `{testid}` on the question.
    testid: &'static str,
    on_yes: Callback<()>,
    back_to: NodeRef<leptos::html::Button>,
) -> impl IntoView {
    let no_ref = NodeRef::<leptos::html::Button>::new();
    let keep = move || {
        open.set(false);
        focus_later(back_to);
    };
    move || {
        open.get().then(|| {
            Effect::new(move |_| {
                if let Some(button) = no_ref.get() {
                    let _ = button.focus();
                }
            });
            view! {
                <div class="confirm" role="group" aria-labelledby=format!("{testid}-question") data-testid=testid
                    on:keydown=move |ev| if ev.key() == "Escape" { ev.prevent_default(); keep() }>
                    <p id=format!("{testid}-question")>{move || question.get()}</p>
                    <div class="confirm-answers">
                        <button type="button" class="small danger" data-testid=format!("{testid}-yes")
                            on:click=move |_| { keep(); on_yes.run(()) }>{yes}</button>
                        <button type="button" class="small" node_ref=no_ref data-testid=format!("{testid}-no")
                            on:click=move |_| keep()>{no}</button>
                    </div>
                </div>
            }
        })
    }
}

/// Focuses `target` once the page has been drawn again (it may be hidden until then).
pub fn focus_later(target: NodeRef<leptos::html::Button>) {
    request_animation_frame(move || {
        if let Some(el) = target.get_untracked() {
            let _ = el.focus();
        }
    });
}

/// Focuses the first element matching `selector` once it is on the page (an answer from the
/// server may add it a moment later), giving up after a few seconds; `reveal` also scrolls it to
/// the middle of the screen. Browser only: on the server nothing is ever focused.
pub fn focus_when_shown(selector: String, reveal: bool) {
    #[cfg(feature = "hydrate")]
    leptos::task::spawn_local(async move {
        use wasm_bindgen::JsCast;
        const TRIES: u32 = 100;
        for _ in 0..TRIES {
            let found = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.query_selector(&selector).ok().flatten())
                .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok());
            if let Some(el) = found {
                if reveal {
                    let options = web_sys::ScrollIntoViewOptions::new();
                    options.set_block(web_sys::ScrollLogicalPosition::Center);
                    el.scroll_into_view_with_scroll_into_view_options(&options);
                }
                let _ = el.focus();
                return;
            }
            gloo_timers::future::TimeoutFuture::new(50).await;
        }
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = (selector, reveal);
}
