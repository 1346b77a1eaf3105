//! The viewer's "Share and download" panel (part of the viewer island): a public link made,
//! copied and turned off; the embed snippets (HTML, Markdown, a direct image link); the alt text;
//! downloads in PNG, JPEG and WebP at full size, 1200 and 600 px.

use crate::api::server_fns::viewer::{set_alt_text, share_infograph, stop_sharing};
use crate::components::confirm::{focus_when_shown, Confirm};
use crate::model::share::{Embed, ShareView, DOWNLOAD_FORMATS, DOWNLOAD_WIDTHS};
use crate::model::InfographView;
use leptos::prelude::*;

/// `title`: the infographic's name as it is now (a rename in the viewer reaches the embed).
#[component]
pub fn SharePanel(item: InfographView, share: Option<ShareView>, #[prop(into)] title: Signal<String>) -> impl IntoView {
    let id = item.id.clone();
    let share = RwSignal::new(share);
    // Edited below; the embeds use the latest words.
    let alt = RwSignal::new(item.alt_text.clone());
    let (width, height) = (item.width, item.height);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let run = move |call: ShareCall| {
        busy.set(true);
        error.set(None);
        // The control pressed is drawn again (or replaced): the keyboard goes to what follows it.
        let next_focus = match &call {
            ShareCall::Share(_, None) => "#copy-share-url",
            ShareCall::Share(_, Some(_)) => "[data-testid=share-indexable]",
            ShareCall::Stop(_) => "[data-testid=share]",
        };
        leptos::task::spawn_local(async move {
            let result = match call {
                ShareCall::Share(id, indexable) => share_infograph(id, indexable).await.map(Some),
                ShareCall::Stop(id) => stop_sharing(id).await.map(|()| None),
            };
            match result {
                Ok(next) => {
                    let _ = share.try_set(next);
                    focus_when_shown(next_focus.to_string(), false);
                }
                Err(e) => {
                    let _ = error.try_set(Some(e.to_string()));
                }
            }
            let _ = busy.try_set(false);
        });
    };
    let (share_id, stop_id, index_id) = (id.clone(), id.clone(), id.clone());
    // Turning the link off breaks every embed of it: asked first.
    let confirm_stop = RwSignal::new(false);
    let stop_button = NodeRef::<leptos::html::Button>::new();
    let link = move || {
        share.get().map(|s| {
            let embeds = s.image_url.as_deref().map(|image_url| {
                let embed = Embed { page_url: &s.url, image_url, title: &title.get(), alt: &alt.get(), width, height };
                (embed.html(), embed.markdown(), image_url.to_string())
            });
            let index_id = index_id.clone();
            let stop_id = stop_id.clone();
            view! {
                <CopyField label="Public link" value=s.url.clone() testid="share-url"/>
                <p class="muted" data-testid="share-views">{views_text(s.views)}</p>
                <label class="check">
                    <input type="checkbox" data-testid="share-indexable" prop:checked=s.indexable disabled=move || busy.get()
                        on:change=move |ev| run(ShareCall::Share(index_id.clone(), Some(event_target_checked(&ev))))/>
                    "Let search engines index the page"
                </label>
                <button type="button" class="small danger" data-testid="share-stop" disabled=move || busy.get()
                    node_ref=stop_button hidden=move || confirm_stop.get() on:click=move |_| confirm_stop.set(true)>"Stop sharing"</button>
                <Confirm open=confirm_stop testid="share-stop-confirm" yes="Stop sharing" no="Keep sharing" back_to=stop_button
                    question=stop_question(s.views) on_yes=Callback::new(move |_| run(ShareCall::Stop(stop_id.clone())))/>
                {match embeds {
                    Some((html, markdown, direct)) => view! {
                        <h3>"Embed"</h3>
                        <CopyField label="HTML" value=html testid="embed-html" multiline=true/>
                        <CopyField label="Markdown" value=markdown testid="embed-markdown" multiline=true/>
                        <CopyField label="Image link" value=direct testid="embed-image"/>
                    }.into_any(),
                    None => view! { <p class="muted">"The embed snippets appear once the picture is stored (a few seconds)."</p> }.into_any(),
                }}
            }
            .into_any()
        })
    };
    view! {
        <section class="share-panel" data-testid="share-panel" aria-labelledby="share-heading">
            <h2 id="share-heading">"Share and download"</h2>
            {move || match share.with(Option::is_some) {
                true => link().into_any(),
                false => {
                    let share_id = share_id.clone();
                    view! {
                        <p>"Publish it at a link anyone can open, with a preview for Slack, LinkedIn, X and Facebook. You can turn the link off at any time."</p>
                        <button type="button" data-testid="share" disabled=move || busy.get()
                            on:click=move |_| run(ShareCall::Share(share_id.clone(), None))>"Share"</button>
                    }.into_any()
                }
            }}
            {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
            <AltText id=id.clone() text=alt/>
            <Downloads id=id.clone()/>
        </section>
    }
    .into_any()
}

enum ShareCall {
    Share(String, Option<bool>),
    Stop(String),
}

/// "Stop sharing? …": what stops working, and how often the link was opened.
fn stop_question(views: i64) -> String {
    let opened = match views {
        0 => String::new(),
        1 => ", opened once,".to_string(),
        n => format!(", opened {n} times,"),
    };
    format!("Stop sharing? Its public link{opened} and every embed of it (on your blog, in posts) stop working.")
}

/// "Opened 3 times".
fn views_text(views: i64) -> String {
    match views {
        0 => "Not opened yet.".to_string(),
        1 => "Opened once.".to_string(),
        n => format!("Opened {n} times."),
    }
}

/// A read-only field with its value and a "Copy" button.
#[component]
fn CopyField(label: &'static str, value: String, testid: &'static str, #[prop(optional)] multiline: bool) -> impl IntoView {
    let copied = RwSignal::new(false);
    let text = value.clone();
    let copy = move |_| {
        copy_to_clipboard(&text);
        copied.set(true);
    };
    let field_id = format!("copy-{testid}");
    view! {
        <div class="copy-field">
            <label for=field_id.clone()>{label}</label>
            <div class="copy-row">
                {if multiline {
                    view! { <textarea id=field_id.clone() readonly rows="4" data-testid=testid>{value.clone()}</textarea> }.into_any()
                } else {
                    view! { <input id=field_id.clone() type="text" readonly value=value.clone() data-testid=testid/> }.into_any()
                }}
                <button type="button" class="small" data-testid=format!("{testid}-copy") on:click=copy>
                    {move || if copied.get() { "Copied" } else { "Copy" }}
                </button>
            </div>
        </div>
    }
}

/// Puts `text` on the clipboard (the browser asks nothing for a click on our own page).
fn copy_to_clipboard(text: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(window) = web_sys::window() {
        // The promise needs no waiting: a refusal leaves the text selectable in its field.
        let _ = window.navigator().clipboard().write_text(text);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = text;
}

/// The owner's words for the picture, used on the share page, in embeds and in our `<img>`s.
#[component]
fn AltText(id: String, text: RwSignal<String>) -> impl IntoView {
    let saved = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let field = NodeRef::<leptos::html::Textarea>::new();
    let save = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let id = id.clone();
        let value = field.get_untracked().map(|el| el.value()).unwrap_or_default();
        leptos::task::spawn_local(async move {
            match set_alt_text(id, value).await {
                Ok(view) => {
                    let _ = text.try_set(view.alt_text);
                    let _ = saved.try_set(true);
                    let _ = error.try_set(None);
                }
                Err(e) => {
                    let _ = error.try_set(e.field("alt_text").or_else(|| Some(e.to_string())));
                }
            }
        });
    };
    view! {
        <form class="alt-form" on:submit=save>
            <label for="alt-text">"Alt text"</label>
            <p class="hint" id="alt-hint">"What the picture shows, for people who cannot see it. Leave it empty to use the text written from the brief."</p>
            <textarea id="alt-text" node_ref=field rows="3" aria-describedby="alt-hint" data-testid="alt-text"
                prop:value=move || text.get() on:input=move |_| saved.set(false)></textarea>
            {move || error.get().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
            <button type="submit" class="small" data-testid="alt-save">{move || if saved.get() { "Saved" } else { "Save the alt text" }}</button>
        </form>
    }
}

/// Links to every format and width (the server makes each once and keeps it).
#[component]
fn Downloads(id: String) -> impl IntoView {
    let widths: Vec<(Option<u32>, String)> =
        std::iter::once((None, "Full size".to_string())).chain(DOWNLOAD_WIDTHS.iter().map(|w| (Some(*w), format!("{w} px")))).collect();
    view! {
        <h3>"Download"</h3>
        <table class="downloads" data-testid="downloads">
            <thead><tr><th scope="col">"Size"</th>{DOWNLOAD_FORMATS.iter().map(|(_, label)| view! { <th scope="col">{*label}</th> }).collect_view()}</tr></thead>
            <tbody>
                {widths.into_iter().map(|(width, label)| {
                    let id = id.clone();
                    view! {
                        <tr>
                            <th scope="row">{label.clone()}</th>
                            {DOWNLOAD_FORMATS.iter().map(|(ext, name)| {
                                let href = format!("/api/infographs/{id}/download/?format={ext}{}", width.map(|w| format!("&width={w}")).unwrap_or_default());
                                let aria = format!("{name}, {label}");
                                view! { <td><a href=href download aria-label=aria>{*name}</a></td> }
                            }).collect_view()}
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}
