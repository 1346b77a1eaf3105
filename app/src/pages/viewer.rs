//! `/i/{id}`: one infograph full size, its family of versions, what it cost and how it was
//! made, and the refine form. Owner only: anyone else gets the 404 page.
//!
//! The page follows its family live: pushed updates (see `live.rs`) are laid over the loaded
//! versions, a pushed job of this family that the page does not know yet (a refinement made here
//! or in another tab) reloads the family, and while the push stream is down the page polls every
//! 3 s as long as a version is still running.

use crate::api::server_fns::infographs::{cancel_infograph, delete_infograph, regenerate_infograph};
use crate::api::server_fns::viewer::{refine_infograph, rename_infograph, viewer_page_data};
use crate::components::card::{ProgressBar, POLL_MS};
use crate::components::confirm::Confirm;
use crate::components::create_form::{new_idempotency_key, started};
use crate::components::format::when;
use crate::components::header::go_to;
use crate::components::not_found::NotFound;
use crate::components::share_panel::SharePanel;
use crate::model::design::{Layout, Style};
use crate::components::live::{account_refresh, live, tab_hidden, Live};
use crate::errors::AppError;
use crate::model::{InfographView, JobStatus, ViewerData, INSTRUCTION_MAX_CHARS, MAX_IMAGES};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn ViewerPage() -> impl IntoView {
    let id = use_params_map().read_untracked().get("id").unwrap_or_default();
    let compare = use_query_map().read_untracked().get("compare");
    let data = Resource::new(move || id.clone(), load);
    view! {
        <Title text="Infographic — Infograph"/>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || data.get().map(|result| match result {
                Ok(found) => view! {
                    <Title text=title_text(&found.item.title)/>
                    <Viewer initial=found compare=compare.clone()/>
                }.into_any(),
                Err(AppError::NotFound | AppError::Unauthorized) => view! { <NotFound/> }.into_any(),
                Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
            })}
        </Suspense>
    }
}

/// The tab's title after a rename (the head is the server's, outside the island).
fn set_tab_title(title: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(document) = web_sys::window().and_then(|w| w.document()) {
        document.set_title(&format!("{title} — Infograph"));
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = title;
}

/// The tab's title, naming the infographic. leptos_meta 0.8 writes a `<Title>`'s text into the
/// head as it is (unlike every element `view!` renders), so the owner's words are escaped here;
/// the head is rendered on the server only (it is in no island), so nothing escapes it twice.
fn title_text(title: &str) -> String {
    crate::model::share::escape(&format!("{title} — Infograph"))
}

/// The page's data; a stranger's (or a missing) infograph sets the response's 404 status, which
/// is still in time: the route renders in `Async` mode, after its data.
async fn load(id: String) -> Result<ViewerData, AppError> {
    #[cfg(feature = "ssr")]
    let response = use_context::<leptos_axum::ResponseOptions>();
    let result = viewer_page_data(id).await;
    #[cfg(feature = "ssr")]
    if let (Some(response), Err(AppError::NotFound | AppError::Unauthorized)) = (&response, &result) {
        response.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    result
}

/// Everything on the page that changes: one island.
#[island(lazy)]
fn Viewer(initial: ViewerData, compare: Option<String>) -> impl IntoView {
    let loaded = RwSignal::new(initial);
    let live = live();
    let shown = Memo::new(move |_| with_pushed(loaded.get(), live));
    follow_family(loaded, live);
    refresh_balance_on_refund(shown);
    arrow_keys(shown);
    // Memos, so a pushed update of another version does not rebuild the stage (and its zoom)
    // or the refine form (and what is typed in it).
    let item = Memo::new(move |_| shown.with(|d| d.item.clone()));
    let completed = Memo::new(move |_| item.with(|i| i.status == JobStatus::Completed));
    // Kept here, not in the stage: the stage is drawn again when its own version changes (our
    // copy of the picture replaces fal's a moment after it completes), and the zoom stays.
    let zoomed = RwSignal::new(false);
    // Typed views nest deeply: the lower half is erased to an AnyView to keep the type small.
    let details = view! {
        <div class="viewer-grid">
            <div class="viewer-side">
                {view! { <Actions data=shown/> }.into_any()}
                {move || completed.get().then(|| view! {
                    <RefineForm id=shown.with_untracked(|d| d.item.id.clone()) cost=shown.with_untracked(|d| d.cost) loaded=loaded/>
                }.into_any())}
                {move || completed.get().then(|| view! {
                    <SharePanel item=item.get_untracked() share=shown.with_untracked(|d| d.share.clone())
                        title=Signal::derive(move || item.with(|i| i.title.clone()))/>
                }.into_any())}
                {move || shown.with(|d| compare_form(d).map(IntoAny::into_any))}
            </div>
            <div class="viewer-facts">{move || shown.with(|d| facts(d).into_any())}</div>
        </div>
    }
    .into_any();
    view! {
        <article class="viewer" data-testid="viewer" data-id=move || shown.with(|d| d.item.id.clone())
            data-status=move || shown.with(|d| d.item.status.as_str())>
            <p class="back"><a href="/">"← Back to the gallery"</a></p>
            <TitleHeading data=shown loaded=loaded/>
            {move || {
                let other = compare.clone().and_then(|c| shown.with(|d| d.versions.iter().find(|v| v.id == c && v.id != d.item.id).cloned()));
                match other {
                    Some(other) => shown.with(|data| compare_view(data, &other).into_any()),
                    None => view! { <Stage item=item.get() zoomed=zoomed/> }.into_any(),
                }
            }}
            <VersionStrip data=shown/>
            <RunningVersions data=shown/>
            {details}
        </article>
    }
    .into_any()
}

/// The loaded data with every newer pushed state laid over it.
fn with_pushed(mut data: ViewerData, live: Live) -> ViewerData {
    live.latest.with(|pushed| {
        for version in data.versions.iter_mut() {
            if let Some(next) = pushed.get(&version.id).filter(|next| next.is_newer_than(version)) {
                *version = next.clone();
            }
        }
    });
    if let Some(current) = data.versions.iter().find(|v| v.id == data.item.id) {
        data.item = current.clone();
    }
    data
}

/// A version refunded while the page is open (a failure, a cancel confirmed by fal): the header's
/// balance changed.
fn refresh_balance_on_refund(shown: Memo<ViewerData>) {
    let refresh = account_refresh();
    let refunded = Memo::new(move |_| shown.with(|d| d.versions.iter().filter(|v| v.refunded).count()));
    Effect::new(move |before: Option<usize>| {
        let now = refunded.get();
        if before.is_some_and(|b| now > b) {
            refresh.bump();
        }
        now
    });
}

/// Reloads the family when a job of it is pushed that the page does not know, and polls while
/// the push stream is down and a version is still running (browser only).
fn follow_family(loaded: RwSignal<ViewerData>, live: Live) {
    Effect::new(move |_| {
        let (family, known): (String, Vec<String>) = loaded.with(|d| {
            (d.item.family_id.clone().unwrap_or_else(|| d.item.id.clone()), d.versions.iter().map(|v| v.id.clone()).collect())
        });
        let unknown = live.latest.with(|pushed| {
            pushed.values().any(|v| v.family_id.as_deref() == Some(family.as_str()) && !known.contains(&v.id))
        });
        if unknown {
            reload(loaded);
        }
    });
    refetch_on_resync(loaded, live);
    poll_while_running(loaded, live);
}

/// The push stream opened (or fell behind): whatever changed between the page's render and now
/// was not pushed, so a running version is fetched again. A stream that opened before this
/// island hydrated (the resync count is already past zero) counts too.
fn refetch_on_resync(loaded: RwSignal<ViewerData>, live: Live) {
    Effect::new(move |_| {
        let opened = live.resync.get() > 0;
        if opened && loaded.with_untracked(|d| d.versions.iter().any(|v| !v.is_settled())) {
            reload(loaded);
        }
    });
}

/// Fetches the page's data again and shows it.
fn reload(loaded: RwSignal<ViewerData>) {
    leptos::task::spawn_local(async move {
        let _ = fetch_into(loaded).await;
    });
}

/// Fetches the page's data into `loaded`: `Ok(false)` once the page is gone.
async fn fetch_into(loaded: RwSignal<ViewerData>) -> Result<bool, AppError> {
    let Some(id) = loaded.try_with_untracked(|d| d.item.id.clone()) else { return Ok(false) };
    let next = viewer_page_data(id).await?;
    Ok(loaded.try_set(next).is_none())
}

#[cfg(feature = "hydrate")]
fn poll_while_running(loaded: RwSignal<ViewerData>, live: Live) {
    leptos::task::spawn_local(async move {
        loop {
            gloo_timers::future::TimeoutFuture::new(POLL_MS).await;
            // The page is gone: stop.
            let Some(running) = loaded.try_with_untracked(|d| d.versions.iter().any(|v| !v.is_settled())) else { break };
            if !running || live.connected.try_get_untracked().unwrap_or(false) || tab_hidden() {
                continue;
            }
            match fetch_into(loaded).await {
                Ok(true) => {}
                // The page is gone, signed out elsewhere, or the infograph deleted: stop.
                Ok(false) | Err(AppError::Unauthorized | AppError::NotFound) => break,
                // A network blip: try again at the next tick.
                Err(_) => {}
            }
        }
    });
}

#[cfg(not(feature = "hydrate"))]
fn poll_while_running(_loaded: RwSignal<ViewerData>, _live: Live) {
    let _ = (tab_hidden, POLL_MS);
}

/// ← and → move to the previous and next version, unless the reader is typing.
fn arrow_keys(shown: Memo<ViewerData>) {
    let handle = window_event_listener(leptos::ev::keydown, move |event| {
        if event.alt_key() || event.ctrl_key() || event.meta_key() || typing(&event) {
            return;
        }
        let step = match event.key().as_str() {
            "ArrowLeft" => -1,
            "ArrowRight" => 1,
            _ => return,
        };
        let Some(target) = shown.try_with_untracked(|d| {
            let (previous, next) = d.neighbours();
            if step < 0 { previous.map(|v| v.id.clone()) } else { next.map(|v| v.id.clone()) }
        }) else {
            return;
        };
        if let Some(target) = target {
            event.prevent_default();
            go_to(&format!("/i/{target}"));
        }
    });
    on_cleanup(move || handle.remove());
}

/// Whether a key press is meant for a form field.
fn typing(event: &leptos::ev::KeyboardEvent) -> bool {
    use leptos::wasm_bindgen::JsCast;
    event
        .target()
        .and_then(|t| t.dyn_into::<leptos::web_sys::Element>().ok())
        .is_some_and(|el| matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT") || el.has_attribute("contenteditable"))
}

/// The image itself: fitted to the screen, at 100 % after a click (or Enter / Space, it is a
/// button); the state of a job still running; the error of a failed one.
#[component]
fn Stage(item: InfographView, zoomed: RwSignal<bool>) -> impl IntoView {
    match (item.status, item.image_url.clone()) {
        (JobStatus::Completed, Some(url)) => view! {
            <figure class="stage" class:zoomed=move || zoomed.get() data-testid="stage">
                <button type="button" class="zoom" data-testid="zoom" aria-pressed=move || zoomed.get().to_string()
                    aria-label=move || if zoomed.get() { "Fit the image to the screen" } else { "Show the image at full size" }
                    on:click=move |_| zoomed.update(|z| *z = !*z)>
                    <picture>
                        {item.image_webp_url().map(|webp| view! { <source srcset=webp type="image/webp"/> })}
                        <img src=url alt=item.alt_text.clone() width=item.width.map(|w| w.to_string())
                            height=item.height.map(|h| h.to_string()) fetchpriority="high"/>
                    </picture>
                </button>
            </figure>
        }
        .into_any(),
        (JobStatus::Failed, _) if item.cancelled => view! {
            <div class="stage placeholder cancelled" data-testid="stage">
                <p class="cancelled-note">"Cancelled"</p>
                {item.refunded.then(|| view! { <p class="refund">"Credits refunded."</p> })}
            </div>
        }
        .into_any(),
        (JobStatus::Failed, _) => view! {
            <div class="stage placeholder failed" data-testid="stage">
                <p class="error">{item.error.clone().unwrap_or_else(|| "The generation failed.".into())}</p>
                {item.refunded.then(|| view! { <p class="refund">"Credits refunded."</p> })}
            </div>
        }
        .into_any(),
        _ => view! {
            <div class="stage placeholder working" data-testid="stage">
                <div class="spinner"></div>
                // The same estimate as a gallery card's, moving on between updates.
                <ProgressBar job=item.clone()/>
            </div>
        }
        .into_any(),
    }
}

/// The versions still being made other than the one shown (a refinement just sent), each with
/// the gallery card's estimate of when it is done.
#[component]
fn RunningVersions(data: Memo<ViewerData>) -> impl IntoView {
    let running = Memo::new(move |_| {
        data.with(|d| {
            d.versions.iter().enumerate().filter(|(_, v)| v.id != d.item.id && !v.status.is_final()).map(|(i, v)| (i + 1, v.clone())).collect::<Vec<_>>()
        })
    });
    move || {
        let running = running.get();
        (!running.is_empty()).then(|| view! {
            <ul class="running" data-testid="running-versions">
                {running.into_iter().map(|(number, v)| view! {
                    <li data-testid="running-version">
                        <a href=format!("/i/{}", v.id)>{format!("Version {number}")}</a>
                        <ProgressBar job=v/>
                    </li>
                }).collect_view()}
            </ul>
        })
    }
}

/// Every version of the family as a thumbnail, oldest first; the one shown is marked.
#[component]
fn VersionStrip(data: Memo<ViewerData>) -> impl IntoView {
    view! {
        <nav class="strip" aria-label="Versions" data-testid="strip">
            <ol>
                {move || data.with(|d| d.versions.iter().enumerate().map(|(i, v)| {
                    let current = v.id == d.item.id;
                    // Starts with the visible "v2", so speech input can say what people see.
                    let label = format!("v{n}: version {n}{}", if current { ", shown" } else { "" }, n = i + 1);
                    view! {
                        <li>
                            <a href=format!("/i/{}", v.id) class="strip-item" data-testid="version" data-id=v.id.clone()
                                data-status=v.status.as_str() aria-current=current.then_some("page") aria-label=label>
                                {thumbnail(v)}
                                <span class="strip-label">{format!("v{}", i + 1)}</span>
                            </a>
                        </li>
                    }
                }).collect_view())}
            </ol>
        </nav>
    }
}

fn thumbnail(v: &InfographView) -> AnyView {
    match (v.status, v.thumbnail_url.clone().or_else(|| v.image_url.clone())) {
        // The WebP thumbnail is a third of the JPEG's bytes; the JPEG stays for the rest.
        (JobStatus::Completed, Some(src)) => view! {
            <picture>
                {v.thumbnail_webp_url().map(|webp| view! { <source srcset=webp type="image/webp"/> })}
                <img src=src alt="" loading="lazy"/>
            </picture>
        }.into_any(),
        (JobStatus::Failed, _) if v.cancelled => view! { <span class="strip-state">"cancelled"</span> }.into_any(),
        (JobStatus::Failed, _) => view! { <span class="strip-state failed">"failed"</span> }.into_any(),
        _ => view! { <span class="strip-state working"><span class="spinner small"></span></span> }.into_any(),
    }
}

/// Two versions side by side (stacked on a phone).
fn compare_view(data: &ViewerData, other: &InfographView) -> impl IntoView {
    let figure = |v: &InfographView| {
        let number = data.version_number(&v.id).unwrap_or(0);
        let caption = match &v.instruction {
            Some(instruction) => format!("Version {number}: “{instruction}”"),
            None => format!("Version {number}: the original"),
        };
        view! {
            <figure>
                {match (v.status, v.image_url.clone()) {
                    (JobStatus::Completed, Some(url)) => view! {
                        <img src=url alt=v.alt_text.clone() width=v.width.map(|w| w.to_string()) height=v.height.map(|h| h.to_string())/>
                    }.into_any(),
                    _ => view! { <div class="placeholder">{v.status.as_str()}</div> }.into_any(),
                }}
                <figcaption>{caption}</figcaption>
            </figure>
        }
    };
    view! {
        <section class="compare" data-testid="compare" aria-label="Compare two versions">
            {figure(&data.item)}
            {figure(other)}
            <p class="compare-close"><a href=format!("/i/{}", data.item.id)>"Close the comparison"</a></p>
        </section>
    }
}

/// "Compare with version N": a plain GET form, so it works before (and without) the wasm.
fn compare_form(data: &ViewerData) -> Option<impl IntoView> {
    let others: Vec<(usize, &InfographView)> =
        data.versions.iter().enumerate().filter(|(_, v)| v.id != data.item.id).map(|(i, v)| (i + 1, v)).collect();
    if others.is_empty() {
        return None;
    }
    Some(view! {
        <form method="get" action=format!("/i/{}", data.item.id) class="compare-form" data-testid="compare-form">
            <label for="compare">"Compare with"</label>
            <div class="row">
                <select id="compare" name="compare">
                    {others.into_iter().map(|(n, v)| view! { <option value=v.id.clone()>{format!("Version {n}")}</option> }).collect_view()}
                </select>
                <button type="submit" class="small">"Compare"</button>
            </div>
        </form>
    })
}

/// Settings, cost and timings.
fn facts(data: &ViewerData) -> impl IntoView {
    let item = &data.item;
    let number = data.version_number(&item.id).unwrap_or(1);
    let model = if item.parent_id.is_some() { format!("{}/edit", data.model) } else { data.model.clone() };
    let cost = format!(
        "{} credit{}{}",
        data.cost,
        if data.cost == 1 { "" } else { "s" },
        if item.refunded { " (refunded)" } else { "" }
    );
    let took = |from: i64, to: Option<i64>| to.map(|t| format!("{} ({} s later)", when(t), (t - from).max(0) / 1000));
    view! {
        <h2>"Details"</h2>
        <dl class="facts" data-testid="facts">
            <dt>"Version"</dt><dd>{format!("{number} of {}", data.versions.len())}</dd>
            {item.instruction.clone().map(|i| view! { <dt>"Refinement"</dt><dd data-testid="instruction">{i}</dd> })}
            <dt>"Prompt"</dt><dd>{item.prompt.clone()}</dd>
            {item.blog_url.clone().map(|u| view! { <dt>"Blog post"</dt><dd><a href=u.clone() rel="noopener noreferrer">{u.clone()}</a></dd> })}
            <dt>"Aspect ratio"</dt><dd>{item.aspect_ratio.clone()}</dd>
            <dt>"Resolution"</dt><dd>{item.resolution.clone()}</dd>
            <dt>"Layout"</dt><dd data-testid="layout">{Layout::parse(&item.layout).map(Layout::label).unwrap_or("Automatic")}</dd>
            <dt>"Style"</dt><dd data-testid="style">{item.style.as_deref().and_then(|s| Style::parse(s).ok()).map_or("Clean (default)", Style::label)}</dd>
            <dt>"Language"</dt><dd data-testid="language">{crate::model::design::language(&item.language).map_or(item.language.clone(), |l| format!("{} ({})", l.name, l.code))}</dd>
            {data.brand_name.clone().map(|b| view! { <dt>"Brand kit"</dt><dd data-testid="brand">{b}</dd> })}
            <dt>"Model"</dt><dd>{model}</dd>
            <dt>"Cost"</dt><dd data-testid="cost">{cost}</dd>
            <dt>"Created"</dt><dd>{when(item.created_at)}</dd>
            {took(item.created_at, data.submitted_at).map(|t| view! { <dt>"Submitted"</dt><dd>{t}</dd> })}
            {took(item.created_at, data.completed_at).map(|t| view! { <dt>"Completed"</dt><dd>{t}</dd> })}
        </dl>
        <details class="brief">
            <summary>"Brief sent to the model"</summary>
            <pre data-testid="brief">{data.brief.clone().unwrap_or_else(|| "Not prepared yet: the brief is written when the job starts.".into())}</pre>
        </details>
    }
}

/// The infographic's name, and renaming it in place (every version takes the new name). Focus
/// goes to the field when editing starts and back to "Rename" when it ends.
#[component]
fn TitleHeading(data: Memo<ViewerData>, loaded: RwSignal<ViewerData>) -> impl IntoView {
    let editing = RwSignal::new(false);
    // Set when editing ends: "Rename" takes the focus once it is drawn again.
    let returning = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let field = NodeRef::<leptos::html::Input>::new();
    let rename_button = NodeRef::<leptos::html::Button>::new();
    let title = move || data.with(|d| d.item.title.clone());
    let stop = move || {
        returning.set(true);
        editing.set(false);
        error.set(None);
    };
    Effect::new(move |_| {
        if editing.get() {
            if let Some(input) = field.get() {
                let _ = input.focus();
                input.select();
            }
        } else if let Some(button) = rename_button.get() {
            if returning.get_untracked() {
                let _ = button.focus();
                returning.set(false);
            }
        }
    });
    let save = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let id = data.with_untracked(|d| d.item.id.clone());
        let value = field.get_untracked().map(|el| el.value()).unwrap_or_default();
        leptos::task::spawn_local(async move {
            match rename_infograph(id, value).await {
                Ok(view) => {
                    set_tab_title(&view.title);
                    loaded.update(|d| {
                        d.versions.iter_mut().for_each(|v| v.title = view.title.clone());
                        d.item.title = view.title.clone();
                    });
                    stop();
                }
                Err(e) => {
                    let _ = error.try_set(e.field("title").or_else(|| Some(e.to_string())));
                }
            }
        });
    };
    view! {
        {move || if editing.get() {
            view! {
                <form class="rename-form" on:submit=save on:keydown=move |ev| if ev.key() == "Escape" { stop() }>
                    <label for="rename-title">"Title"</label>
                    <div class="copy-row">
                        <input id="rename-title" node_ref=field type="text"
                            prop:value=title() data-testid="rename-input" aria-describedby="rename-error"/>
                        <button type="submit" class="small" data-testid="rename-save">"Save"</button>
                        <button type="button" class="small secondary" on:click=move |_| stop()>"Cancel"</button>
                    </div>
                    <p class="field-error" id="rename-error" role="alert">{move || error.get()}</p>
                </form>
            }.into_any()
        } else {
            view! {
                <div class="title-row">
                    <h1 class="viewer-title" data-testid="viewer-title">{title}</h1>
                    <button type="button" class="small secondary" node_ref=rename_button data-testid="rename"
                        on:click=move |_| editing.set(true)>"Rename"</button>
                </div>
            }.into_any()
        }}
    }
}

/// Download, regenerate, delete.
#[component]
fn Actions(data: Memo<ViewerData>) -> impl IntoView {
    let refresh = account_refresh();
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let id = move || data.with_untracked(|d| d.item.id.clone());
    let regenerate = move |_| {
        let id = id();
        busy.set(true);
        leptos::task::spawn_local(async move {
            match regenerate_infograph(id).await {
                Ok(created) => {
                    refresh.bump();
                    let target = created.infographs.first().map(|j| format!("/i/{}", j.id)).unwrap_or_else(|| "/".into());
                    go_to(&target);
                }
                Err(e) => {
                    let _ = error.try_set(Some(e.to_string()));
                }
            }
            let _ = busy.try_set(false);
        });
    };
    let cancel = move |_| {
        let id = id();
        busy.set(true);
        leptos::task::spawn_local(async move {
            match cancel_infograph(id).await {
                // The cancelled (or cancelling) job comes back by push or poll like any change,
                // and its refund refreshes the balance (see `refresh_balance_on_refund`).
                Ok(_) => {}
                Err(e) => {
                    let _ = error.try_set(Some(e.to_string()));
                }
            }
            let _ = busy.try_set(false);
        });
    };
    let confirm_delete = RwSignal::new(false);
    let delete_button = NodeRef::<leptos::html::Button>::new();
    // What a delete breaks, in numbers when the picture is shared.
    let delete_question = Signal::derive(move || data.with(|d| delete_question(d.share.as_ref().map(|s| s.views))));
    let delete = move || {
        let id = id();
        busy.set(true);
        leptos::task::spawn_local(async move {
            match delete_infograph(id).await {
                Ok(()) => {
                    go_to("/");
                }
                Err(e) => {
                    let _ = error.try_set(Some(e.to_string()));
                }
            }
            let _ = busy.try_set(false);
        });
    };
    view! {
        <div class="card-actions viewer-actions">
            {move || data.with(|d| d.item.status == JobStatus::Completed).then(|| view! {
                <a class="button small" data-testid="download" download=""
                    href=move || format!("/api/infographs/{}/download/", data.with(|d| d.item.id.clone()))>"Download"</a>
            })}
            {move || data.with(|d| d.item.cancellable).then(|| view! {
                <button type="button" class="small" data-testid="cancel" disabled=move || busy.get() on:click=cancel>"Cancel"</button>
            })}
            <button type="button" class="small" data-testid="regenerate" disabled=move || busy.get()
                title="Make one more image with the same settings (charged like a new one)" on:click=regenerate>"Regenerate"</button>
            <button type="button" class="small danger" data-testid="delete" disabled=move || busy.get()
                title="Hide from your gallery (your credit history keeps it)" node_ref=delete_button
                hidden=move || confirm_delete.get() on:click=move |_| confirm_delete.set(true)>"Delete"</button>
            <Confirm open=confirm_delete testid="delete-confirm" yes="Delete" no="Keep it" back_to=delete_button
                question=delete_question on_yes=Callback::new(move |_| delete())/>
            {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
        </div>
    }
}

/// "Delete this picture? …": what stops working, with how often its link was opened when it is
/// shared (`views`), in general words when the page does not know.
fn delete_question(views: Option<i64>) -> String {
    match views {
        Some(0) => "Delete this picture? Its public link and every embed of it stop working.".to_string(),
        Some(1) => "Delete this picture? Its public link, opened once, and every embed of it stop working.".to_string(),
        Some(n) => format!("Delete this picture? Its public link, opened {n} times, and every embed of it stop working."),
        None => "Delete this picture? If you shared it, its public link and every embed of it stop working.".to_string(),
    }
}

/// "Make the title larger, use dark blue": new versions in this family.
#[component]
fn RefineForm(id: String, cost: i64, loaded: RwSignal<ViewerData>) -> impl IntoView {
    let refresh = account_refresh();
    let instruction_ref = NodeRef::<leptos::html::Textarea>::new();
    let count_ref = NodeRef::<leptos::html::Select>::new();
    let outcome = RwSignal::new(None::<Result<String, AppError>>);
    let busy = RwSignal::new(false);
    // A fresh key per form display, kept across a failed attempt (see the create form).
    let key = RwSignal::new(String::new());
    Effect::new(move |_| key.set(new_idempotency_key()));
    let form_id = id.clone();
    let on_submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let instruction = instruction_ref.get_untracked().map(|el| el.value());
        let count = count_ref.get_untracked().map(|el| el.value());
        let (id, idempotency_key) = (form_id.clone(), key.get_untracked());
        busy.set(true);
        leptos::task::spawn_local(async move {
            let result = refine_infograph(id, instruction, count, Some(idempotency_key)).await;
            if let Ok(created) = &result {
                refresh.bump();
                key.set(new_idempotency_key());
                if let Some(el) = instruction_ref.get_untracked() {
                    el.set_value("");
                }
                reload(loaded);
                let _ = outcome.try_set(Some(Ok(started(created.total_submitted, "refinement", created.credits_used))));
            } else if let Err(e) = result {
                let _ = outcome.try_set(Some(Err(e)));
            }
            let _ = busy.try_set(false);
        });
    };
    let field_error = move || {
        outcome.with(|o| match o {
            Some(Err(e)) => e.field("instruction").or_else(|| e.field("number_of_infographs")),
            _ => None,
        })
    };
    let general_error = move || {
        outcome.with(|o| match o {
            Some(Err(e)) if field_error().is_none() => Some(e.to_string()),
            _ => None,
        })
    };
    view! {
        <form class="refine-form" method="post" action="/sfn/refine_infograph" on:submit=on_submit data-testid="refine-form">
            <h2>"Refine"</h2>
            <input type="hidden" name="id" value=id.clone()/>
            <label for="instruction">"What should change?"</label>
            // No `maxlength`: it cuts a pasted instruction without a word; the server refuses an
            // over-long one in a sentence shown below.
            <textarea node_ref=instruction_ref id="instruction" name="instruction" rows="3" required
                aria-describedby="instruction-help"
                placeholder="e.g. make the title larger, use dark blue, drop the third section"></textarea>
            <p id="instruction-help" class="help">
                {format!("Up to {INSTRUCTION_MAX_CHARS} characters. Each new version costs {cost} credit{}, refunded if it fails.", if cost == 1 { "" } else { "s" })}
            </p>
            {move || field_error().map(|m| view! { <p class="field-error" data-field="instruction">{m}</p> })}
            <label>"Versions"
                <select node_ref=count_ref name="number_of_infographs">
                    {(1..=MAX_IMAGES).map(|n| view! { <option value=n.to_string()>{n}</option> }).collect_view()}
                </select>
            </label>
            <input type="hidden" name="idempotency_key" prop:value=move || key.get()/>
            {move || general_error().map(|m| view! { <p class="form-error" role="alert" data-testid="refine-error">{m}</p> })}
            {move || outcome.with(|o| match o {
                Some(Ok(text)) => Some(view! { <p class="form-ok" role="status" data-testid="refine-ok">{text.clone()}</p> }),
                _ => None,
            })}
            <button type="submit" data-testid="refine" disabled=move || busy.get()>
                {move || if busy.get() { "Starting…" } else { "Refine" }}
            </button>
        </form>
    }
}
