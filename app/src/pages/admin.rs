//! `/admin`: jobs with filters, health of the last 24 h, users with their ledgers and credit
//! adjustments, shared infographics to feature on the landing page, figures per model, sales.
//! Rendered on the server with the first page of everything; the dashboard is an island that
//! reloads its tables after each action. Every call is authorized again on the server. Non-admins see "Page not found" (and the
//! server answers 404, see `server::admin_gate`).

use crate::api::server_fns::admin::{
    admin_adjust_credits, admin_cancel, admin_feature, admin_jobs, admin_ledger, admin_overview, admin_retry, admin_shares,
    admin_unfeature, admin_users,
};
use crate::components::format::when;
use crate::errors::AppError;
use crate::model::admin::{AdminJob, AdminJobsPage, AdminStats, AdminUser, AdminUsersPage, JobFilter};
use crate::model::showcase::{AdminShare, LANDING_PICTURES};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use std::future::Future;

mod models;

#[component]
pub fn AdminPage() -> impl IntoView {
    let filter = filter_from_query();
    let data = Resource::new(
        move || filter.get(),
        |f| async move {
            let is_admin = matches!(get_admin().await, Ok(true));
            if !is_admin {
                return Ok(None);
            }
            let jobs = admin_jobs(f.status.clone(), f.user.clone(), f.from.clone(), f.to.clone(), f.q.clone(), f.page).await?;
            let sales = crate::api::server_fns::admin::admin_purchases().await?;
            let shares = admin_shares().await?;
            let models = crate::api::server_fns::admin::admin_model_stats().await?;
            Ok::<_, AppError>(Some((f, admin_overview().await?, jobs, admin_users(String::new(), 1).await?, shares, sales, models)))
        },
    );
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || data.get().map(|result| match result {
                Ok(Some((filter, overview, jobs, users, shares, sales, models))) => view! {
                    <Dashboard filter overview jobs users shares/> {models::models_section(models)} {sales_section(sales)}
                }.into_any(),
                Ok(None) => view! { <crate::components::not_found::NotFound/> }.into_any(),
                Err(e) => error_line(&e),
            })}
        </Suspense>
    }
}

/// Credit sales: server-rendered (nothing on it changes in the browser).
fn sales_section(sales: crate::model::admin::AdminPurchases) -> impl IntoView {
    use crate::model::billing::money;
    let net = money(sales.revenue - sales.refunded, &sales.currency);
    view! {
        <section class="admin" data-testid="sales">
            <h2>"Sales"</h2>
            <dl class="stats">
                <div><dt>"purchases"</dt><dd>{sales.paid}</dd></div>
                <div><dt>"revenue"</dt><dd data-testid="revenue">{money(sales.revenue, &sales.currency)}</dd></div>
                <div><dt>"refunded"</dt><dd>{format!("{} ({})", money(sales.refunded, &sales.currency), sales.refunds)}</dd></div>
                <div><dt>"net"</dt><dd>{net}</dd></div>
            </dl>
            <div class="table-scroll" tabindex="0" role="region" aria-label="Purchases">
                <table class="admin-table" data-testid="sales-table">
                    <thead><tr><th>"Date"</th><th>"Buyer"</th><th>"Credits"</th><th>"Price"</th><th>"State"</th></tr></thead>
                    <tbody>
                        {sales.latest.into_iter().map(|(email, p)| view! {
                            <tr>
                                <td>{when(p.created_at)}</td>
                                <td>{email}</td>
                                <td>{p.credits}</td>
                                <td>{p.price()}</td>
                                <td>{crate::pages::billing::purchase_state(&p)}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}

/// Whether the visitor is an admin (asked of the account, so a non-admin's page makes no admin
/// call at all).
async fn get_admin() -> Result<bool, AppError> {
    Ok(crate::api::server_fns::auth::get_account().await?.is_some_and(|a| a.is_admin))
}

/// Bumped after every admin action, so the tables and figures reload.
#[derive(Clone, Copy)]
struct Changed(RwSignal<u32>);

#[island(lazy)]
fn Dashboard(filter: JobFilter, overview: AdminStats, jobs: AdminJobsPage, users: AdminUsersPage, shares: Vec<AdminShare>) -> impl IntoView {
    let changed = Changed(RwSignal::new(0));
    provide_context(changed);
    view! {
        <section class="admin" data-testid="admin">
            <h1>"Admin"</h1>
            <Overview initial=overview/>
            <Jobs filter initial=jobs/>
            <Users initial=users/>
            <Shares initial=shares/>
        </section>
    }
}

/// `initial` (what the server rendered), loaded again with `load` after every admin action and
/// whenever a signal `load` reads changes.
fn reloaded<T, Fut>(initial: T, load: impl Fn() -> Fut + 'static) -> RwSignal<Result<T, AppError>>
where
    T: Send + Sync + 'static,
    Fut: Future<Output = Result<T, AppError>> + 'static,
{
    let Changed(changed) = expect_context();
    let value = RwSignal::new(Ok(initial));
    Effect::new(move |first: Option<()>| {
        changed.track();
        let next = load();
        if first.is_some() {
            leptos::task::spawn_local(async move {
                let result = next.await;
                let _ = value.try_set(result);
            });
        }
    });
    value
}

fn error_line(e: &AppError) -> AnyView {
    view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any()
}

fn seconds(ms: Option<i64>) -> String {
    ms.map_or_else(|| "—".to_string(), |ms| format!("{:.1} s", ms as f64 / 1000.0))
}

#[component]
fn Overview(initial: AdminStats) -> AnyView {
    let data = reloaded(initial, admin_overview);
    view! {
        <div class="admin-overview" data-testid="admin-overview">
            {move || match data.get() {
                Err(e) => error_line(&e),
                Ok(o) => view! {
                    <dl class="stats">
                        {o.counts.iter().map(|c| view! {
                            <div data-testid=format!("count-{}", c.status)><dt>{c.status.clone()}</dt><dd>{c.count}</dd></div>
                        }).collect_view()}
                        <div><dt>"users"</dt><dd>{o.users}</dd></div>
                        <div data-testid="failure-rate"><dt>"failure rate (24 h)"</dt>
                            <dd>{o.failure_rate_24h.map_or("—".into(), |r| format!("{:.1} % of {}", r * 100.0, o.finished_24h))}</dd></div>
                        <div><dt>"p50 generation (24 h)"</dt><dd>{seconds(o.p50_ms_24h)}</dd></div>
                        <div><dt>"p95 generation (24 h)"</dt><dd>{seconds(o.p95_ms_24h)}</dd></div>
                    </dl>
                }.into_any(),
            }}
        </div>
    }
    .into_any()
}

fn filter_from_query() -> Memo<JobFilter> {
    let query = use_query_map();
    Memo::new(move |_| {
        query.with(|q| {
            let text = |k: &str| q.get(k).filter(|v| !v.trim().is_empty());
            JobFilter {
                status: text("status"),
                user: text("user"),
                from: text("from"),
                to: text("to"),
                q: text("q"),
                page: q.get("page").and_then(|p| p.parse().ok()),
            }
        })
    })
}

/// Percent-encodes a query value. Hand-written: the `url` crate would add its IDNA tables
/// (~100 KB) to the wasm for this one link.
fn encode_query_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(byte as char),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

fn page_href(filter: &JobFilter, page: i64) -> String {
    let mut query: Vec<String> = [("status", &filter.status), ("user", &filter.user), ("from", &filter.from), ("to", &filter.to), ("q", &filter.q)]
        .into_iter()
        .filter_map(|(k, v)| v.as_deref().map(|v| format!("{k}={}", encode_query_value(v))))
        .collect();
    query.push(format!("page={page}"));
    format!("/admin?{}", query.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_links_keep_the_filters_encoded() {
        let filter = JobFilter { user: Some("a+b@x.io".into()), q: Some("50% & more".into()), ..Default::default() };
        assert_eq!(page_href(&filter, 2), "/admin?user=a%2Bb%40x.io&q=50%25%20%26%20more&page=2");
    }
}

#[component]
fn Jobs(filter: JobFilter, initial: AdminJobsPage) -> AnyView {
    let data = {
        let f = filter.clone();
        reloaded(initial, move || admin_jobs(f.status.clone(), f.user.clone(), f.from.clone(), f.to.clone(), f.q.clone(), f.page))
    };
    let value = |v: &Option<String>| v.clone().unwrap_or_default();
    let status = value(&filter.status);
    view! {
        <h2>"Jobs"</h2>
        // A plain GET form: filtering loads the page afresh, rendered on the server.
        <form method="get" action="/admin" class="admin-filters">
            <select name="status" aria-label="Status">
                <option value="">"any status"</option>
                {["queued", "processing", "completed", "failed"].map(|s| view! { <option value=s selected=s == status>{s}</option> }).collect_view()}
            </select>
            <input name="user" placeholder="user email" aria-label="User" value=value(&filter.user)/>
            <label>"from " <input name="from" type="date" value=value(&filter.from)/></label>
            <label>"to " <input name="to" type="date" value=value(&filter.to)/></label>
            <input name="q" placeholder="search prompt or id" aria-label="Search" value=value(&filter.q)/>
            <button type="submit">"Filter"</button>
        </form>
        {move || match data.get() {
            Err(e) => error_line(&e),
            Ok(page) => {
                let pages = ((page.total + page.page_size - 1) / page.page_size).max(1);
                let f = filter.clone();
                view! {
                    <p class="muted" data-testid="jobs-total">{format!("{} job{} — page {} of {}", page.total, if page.total == 1 { "" } else { "s" }, page.page, pages)}</p>
                    <div class="table-scroll" tabindex="0" role="region" aria-label="Jobs">
                    <table class="admin-table" data-testid="jobs-table">
                        <thead><tr><th>"Created"</th><th>"User"</th><th>"Status"</th><th>"Prompt"</th><th>"Res."</th><th>"Cost"</th><th>"Time"</th><th><span class="sr-only">"Actions"</span></th></tr></thead>
                        <tbody>{page.jobs.into_iter().map(|job| view! { <JobRow job/> }).collect_view()}</tbody>
                    </table>
                    </div>
                    <nav class="pager" aria-label="Pages of jobs">
                        {(page.page > 1).then(|| view! { <a href=page_href(&f, page.page - 1)>"← Newer"</a> })}
                        {(page.page < pages).then(|| view! { <a href=page_href(&f, page.page + 1)>"Older →"</a> })}
                    </nav>
                }.into_any()
            }
        }}
    }
    .into_any()
}

#[component]
fn JobRow(job: AdminJob) -> impl IntoView {
    let Changed(changed) = expect_context();
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let act = move |retry: bool, id: String| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        leptos::task::spawn_local(async move {
            let result = if retry { admin_retry(id).await.map(|_| ()) } else { admin_cancel(id).await.map(|_| ()) };
            let _ = busy.try_set(false);
            match result {
                Ok(()) => changed.update(|n| *n += 1),
                Err(e) => {
                    let _ = error.try_set(Some(e.to_string()));
                }
            }
        });
    };
    let (retry_id, cancel_id) = (job.id.clone(), job.id.clone());
    let mut notes = Vec::new();
    if job.cancelled {
        notes.push("cancelled");
    }
    if job.refunded {
        notes.push("refunded");
    }
    if job.deleted {
        notes.push("deleted by user");
    }
    view! {
        <tr data-testid="job-row" data-id=job.id.clone() data-status=job.status.clone()>
            <td>{when(job.created_at)}</td>
            <td>{job.user_email.clone()}</td>
            <td><span class=format!("badge {}", job.status)>{job.status.clone()}</span> " " <small>{notes.join(", ")}</small></td>
            <td class="prompt-cell" title=job.error.clone().unwrap_or_default()>{job.prompt.chars().take(80).collect::<String>()}</td>
            <td>{job.resolution.clone()}</td>
            <td>{job.cost}</td>
            <td>{seconds(job.duration_ms)}</td>
            <td>
                {(job.status == "failed").then(|| view! {
                    <button type="button" class="small" data-testid="admin-retry" disabled=move || busy.get() on:click=move |_| act(true, retry_id.clone())>"Retry"</button>
                })}
                {job.cancellable.then(|| view! {
                    <button type="button" class="small" data-testid="admin-cancel" disabled=move || busy.get() on:click=move |_| act(false, cancel_id.clone())>"Cancel"</button>
                })}
                {move || error.get().map(|e| view! { <small class="form-error">{e}</small> })}
            </td>
        </tr>
    }
}

#[component]
fn Users(initial: AdminUsersPage) -> AnyView {
    let search = RwSignal::new(String::new());
    let page = RwSignal::new(1_i64);
    let selected = RwSignal::new(None::<AdminUser>);
    let data = reloaded(initial, move || admin_users(search.get(), page.get()));
    view! {
        <h2>"Users"</h2>
        <input class="admin-search" placeholder="search email" aria-label="Search users"
            on:change=move |ev| { search.set(event_target_value(&ev)); page.set(1); }/>
        {move || match data.get() {
            Err(e) => error_line(&e),
            Ok(list) => {
                let pages = ((list.total + list.page_size - 1) / list.page_size).max(1);
                view! {
                    <div class="table-scroll" tabindex="0" role="region" aria-label="Users">
                    <table class="admin-table" data-testid="users-table">
                        <thead><tr><th>"Email"</th><th>"Balance"</th><th>"Jobs"</th><th>"Since"</th><th><span class="sr-only">"Actions"</span></th></tr></thead>
                        <tbody>{list.users.into_iter().map(|u| {
                            let pick = u.clone();
                            view! {
                                <tr data-testid="user-row" data-email=u.email.clone()>
                                    <td>{u.email.clone()} {u.is_admin.then_some(" (admin)")}</td>
                                    <td data-testid="user-balance">{u.credit_balance}</td>
                                    <td>{u.jobs}</td>
                                    <td>{when(u.created_at)}</td>
                                    <td><button type="button" class="small" data-testid="user-open"
                                        on:click=move |_| selected.set(Some(pick.clone()))>"Ledger & credits"</button></td>
                                </tr>
                            }
                        }).collect_view()}</tbody>
                    </table>
                    </div>
                    <nav class="pager" aria-label="Pages of users">
                        {(list.page > 1).then(|| view! { <button type="button" class="link" on:click=move |_| page.update(|p| *p -= 1)>"← Previous"</button> })}
                        {(list.page < pages).then(|| view! { <button type="button" class="link" on:click=move |_| page.update(|p| *p += 1)>"Next →"</button> })}
                    </nav>
                }.into_any()
            }
        }}
        {move || selected.get().map(|user| view! { <UserLedger user/> })}
    }
    .into_any()
}

#[component]
fn UserLedger(user: AdminUser) -> AnyView {
    let Changed(changed) = expect_context();
    let user_id = user.id.clone();
    let ledger = LocalResource::new(move || {
        changed.track();
        admin_ledger(user_id.clone())
    });
    let amount = RwSignal::new(String::new());
    let message = RwSignal::new(None::<Result<String, String>>);
    let id = user.id.clone();
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        let id = id.clone();
        let raw = amount.get_untracked();
        leptos::task::spawn_local(async move {
            let outcome = match raw.trim().parse::<i64>() {
                Err(_) => Err("amount: must be a whole number (negative removes credits)".to_string()),
                Ok(n) => admin_adjust_credits(id, n).await.map(|b| format!("New balance: {b}")).map_err(|e| e.to_string()),
            };
            let _ = busy.try_set(false);
            if outcome.is_ok() {
                // Cleared so that pressing Apply again is a decision, not a leftover.
                let _ = amount.try_set(String::new());
                changed.update(|n| *n += 1);
            }
            let _ = message.try_set(Some(outcome));
        });
    };
    view! {
        <section class="ledger" data-testid="ledger">
            <h3>{format!("Ledger of {}", user.email)}</h3>
            <form class="grant" on:submit=submit>
                <label>"Grant or remove credits "
                    <input type="number" name="amount" step="1" data-testid="grant-amount"
                        prop:value=move || amount.get() on:input=move |ev| amount.set(event_target_value(&ev))/>
                </label>
                <button type="submit" data-testid="grant-submit" disabled=move || busy.get()>"Apply"</button>
                {move || message.get().map(|m| match m {
                    Ok(t) => view! { <span class="form-ok" data-testid="grant-ok">{t}</span> }.into_any(),
                    Err(t) => view! { <span class="form-error" role="alert" data-testid="grant-error">{t}</span> }.into_any(),
                })}
            </form>
            {move || ledger.get().map(|r| match r {
                Err(e) => error_line(&e),
                Ok(rows) => view! {
                    <div class="table-scroll" tabindex="0" role="region" aria-label="Ledger">
                    <table class="admin-table">
                        <thead><tr><th>"When"</th><th>"Amount"</th><th>"Reason"</th><th>"Actor"</th><th>"Infograph"</th></tr></thead>
                        <tbody>{rows.into_iter().map(|r| view! {
                            <tr data-testid="ledger-row">
                                <td>{when(r.created_at)}</td><td>{r.amount}</td><td>{r.reason}</td>
                                <td>{r.actor.unwrap_or_default()}</td><td>{r.infograph_id.unwrap_or_default()}</td>
                            </tr>
                        }).collect_view()}</tbody>
                    </table>
                    </div>
                }.into_any(),
            })}
        </section>
    }
    .into_any()
}

/// The live shares (featured first, then the newest), each to feature on the landing page or
/// take off it.
#[component]
fn Shares(initial: Vec<AdminShare>) -> AnyView {
    let data = reloaded(initial, admin_shares);
    view! {
        <h2 id="landing-page">"Landing page"</h2>
        <p class="muted">{format!(
            "The landing page shows the {LANDING_PICTURES} newest featured infographics; the examples fill the places left. \
             A featured infographic leaves the page when its owner stops sharing it or deletes it."
        )}</p>
        {move || match data.get() {
            Err(e) => error_line(&e),
            Ok(list) if list.is_empty() => view! { <p data-testid="shares-empty">"Nobody shares an infographic yet."</p> }.into_any(),
            Ok(list) => view! {
                <div class="table-scroll" tabindex="0" role="region" aria-label="Shared infographics">
                <table class="admin-table" data-testid="shares-table">
                    // What to act on first: on a phone the table scrolls, and the button is in sight.
                    <thead><tr><th>"Infographic"</th><th>"Landing page"</th><th><span class="sr-only">"Actions"</span></th><th>"Owner"</th><th>"Shared"</th><th>"Views"</th></tr></thead>
                    <tbody>{list.into_iter().map(|share| view! { <ShareRow share/> }).collect_view()}</tbody>
                </table>
                </div>
            }.into_any(),
        }}
    }
    .into_any()
}

#[component]
fn ShareRow(share: AdminShare) -> impl IntoView {
    let Changed(changed) = expect_context();
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let featured = share.featured_at.is_some();
    let id = share.infograph_id.clone();
    let toggle = move |_| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        let id = id.clone();
        leptos::task::spawn_local(async move {
            let result = if featured { admin_unfeature(id.clone()).await } else { admin_feature(id.clone()).await };
            let _ = busy.try_set(false);
            match result {
                Ok(()) => {
                    changed.update(|n| *n += 1);
                    // The reloaded list replaces this row: the keyboard stays on its button.
                    let selector = format!("[data-testid=share-row][data-id=\"{id}\"][data-featured=\"{}\"] [data-testid=share-feature]", !featured);
                    crate::components::confirm::focus_when_shown(selector, false);
                }
                Err(e) => {
                    let _ = error.try_set(Some(e.to_string()));
                }
            }
        });
    };
    // The buttons of every row say the same: each names its row's infographic to a screen reader.
    let title_id = format!("share-title-{}", share.infograph_id);
    let state = match (share.featured_at, share.on_landing) {
        (Some(_), true) => "shown",
        (Some(_), false) => "featured, not shown (newer ones are)",
        (None, _) if share.featurable => "—",
        (None, _) => "picture not stored yet",
    };
    view! {
        <tr data-testid="share-row" data-id=share.infograph_id.clone() data-featured=featured.to_string()>
            <td><div class="share-cell">
                {share.thumbnail_url.clone().map(|src| view! { <img class="share-thumb" src=src alt="" width="48" height="48"/> })}
                <a id=title_id.clone() href=share.page_url.clone()>{share.title.clone()}</a>
            </div></td>
            <td data-testid="share-state">{state}</td>
            <td>
                {(featured || share.featurable).then(|| view! {
                    <button type="button" class="small" data-testid="share-feature" aria-describedby=title_id.clone()
                        disabled=move || busy.get() on:click=toggle.clone()>
                        {if featured { "Remove from the landing page" } else { "Feature on the landing page" }}
                    </button>
                })}
                {move || error.get().map(|e| view! { <small class="form-error" role="alert">{e}</small> })}
            </td>
            <td>{share.owner_email.clone()}</td>
            <td>{when(share.shared_at)}</td>
            <td>{share.views}</td>
        </tr>
    }
}
