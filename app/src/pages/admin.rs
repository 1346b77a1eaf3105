//! `/admin`: jobs with filters, health of the last 24 h, users with their ledgers and credit
//! adjustments. Data is loaded in the browser (`LocalResource`): the page is for a handful of
//! admins, and every call is authorized again on the server. Non-admins see "Page not found"
//! (and the server answers 404, see `server::admin_gate`).

use crate::api::server_fns::admin::{
    admin_adjust_credits, admin_cancel, admin_jobs, admin_ledger, admin_overview, admin_retry, admin_users,
};
use crate::components::format::when;
use crate::context::AccountResource;
use crate::errors::AppError;
use crate::model::admin::{AdminJob, AdminUser, JobFilter};
use leptos::prelude::*;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

#[component]
pub fn AdminPage() -> impl IntoView {
    let AccountResource(account) = expect_context();
    let is_admin = move || account.get().and_then(Result::ok).flatten().is_some_and(|a| a.is_admin);
    // The dashboard is built in the browser only, after hydration: its data comes from
    // `LocalResource`s, which never resolve during server rendering.
    let mounted = RwSignal::new(false);
    Effect::new(move |_| mounted.set(true));
    view! {
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || account.get().map(|_| (!is_admin()).then(|| view! { <p class="notice">"Page not found."</p> }))}
        </Transition>
        <Show when=move || mounted.get() && is_admin()>
            <Dashboard/>
        </Show>
    }
}

/// Bumped after every admin action, so the tables and figures reload.
#[derive(Clone, Copy)]
struct Changed(RwSignal<u32>);

#[component]
fn Dashboard() -> AnyView {
    let changed = Changed(RwSignal::new(0));
    provide_context(changed);
    view! {
        <section class="admin" data-testid="admin">
            <h1>"Admin"</h1>
            <Overview/>
            <Jobs/>
            <Users/>
        </section>
    }
    .into_any()
}

fn error_line(e: &AppError) -> AnyView {
    view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any()
}

fn seconds(ms: Option<i64>) -> String {
    ms.map_or_else(|| "—".to_string(), |ms| format!("{:.1} s", ms as f64 / 1000.0))
}

#[component]
fn Overview() -> AnyView {
    let Changed(changed) = expect_context();
    let data = LocalResource::new(move || {
        changed.track();
        admin_overview()
    });
    view! {
        <div class="admin-overview" data-testid="admin-overview">
            {move || data.get().map(|r| match r {
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
            })}
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
fn Jobs() -> AnyView {
    let Changed(changed) = expect_context();
    let filter = filter_from_query();
    let data = LocalResource::new(move || {
        changed.track();
        let f = filter.get();
        admin_jobs(f.status, f.user, f.from, f.to, f.q, f.page)
    });
    let value = move |f: fn(&JobFilter) -> Option<String>| move || filter.with(|x| f(x)).unwrap_or_default();
    view! {
        <h2>"Jobs"</h2>
        <Form method="GET" action="/admin" attr:class="admin-filters">
            <select name="status" aria-label="Status" prop:value=value(|f| f.status.clone())>
                <option value="">"any status"</option>
                {["queued", "processing", "completed", "failed"].map(|s| view! { <option value=s>{s}</option> }).collect_view()}
            </select>
            <input name="user" placeholder="user email" aria-label="User" prop:value=value(|f| f.user.clone())/>
            <label>"from " <input name="from" type="date" prop:value=value(|f| f.from.clone())/></label>
            <label>"to " <input name="to" type="date" prop:value=value(|f| f.to.clone())/></label>
            <input name="q" placeholder="search prompt or id" aria-label="Search" prop:value=value(|f| f.q.clone())/>
            <button type="submit">"Filter"</button>
        </Form>
        {move || data.get().map(|r| match r {
            Err(e) => error_line(&e),
            Ok(page) => {
                let pages = ((page.total + page.page_size - 1) / page.page_size).max(1);
                let f = filter.get_untracked();
                view! {
                    <p class="muted" data-testid="jobs-total">{format!("{} job(s) — page {} of {}", page.total, page.page, pages)}</p>
                    <table class="admin-table" data-testid="jobs-table">
                        <thead><tr><th>"Created"</th><th>"User"</th><th>"Status"</th><th>"Prompt"</th><th>"Res."</th><th>"Cost"</th><th>"Time"</th><th></th></tr></thead>
                        <tbody>{page.jobs.into_iter().map(|job| view! { <JobRow job/> }).collect_view()}</tbody>
                    </table>
                    <nav class="pager">
                        {(page.page > 1).then(|| view! { <a href=page_href(&f, page.page - 1)>"← Newer"</a> })}
                        {(page.page < pages).then(|| view! { <a href=page_href(&f, page.page + 1)>"Older →"</a> })}
                    </nav>
                }.into_any()
            }
        })}
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
fn Users() -> AnyView {
    let Changed(changed) = expect_context();
    let search = RwSignal::new(String::new());
    let page = RwSignal::new(1_i64);
    let selected = RwSignal::new(None::<AdminUser>);
    let data = LocalResource::new(move || {
        changed.track();
        admin_users(search.get(), page.get())
    });
    view! {
        <h2>"Users"</h2>
        <input class="admin-search" placeholder="search email" aria-label="Search users"
            on:change=move |ev| { search.set(event_target_value(&ev)); page.set(1); }/>
        {move || data.get().map(|r| match r {
            Err(e) => error_line(&e),
            Ok(list) => {
                let pages = ((list.total + list.page_size - 1) / list.page_size).max(1);
                view! {
                    <table class="admin-table" data-testid="users-table">
                        <thead><tr><th>"Email"</th><th>"Balance"</th><th>"Jobs"</th><th>"Since"</th><th></th></tr></thead>
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
                    <nav class="pager">
                        {(list.page > 1).then(|| view! { <button type="button" class="link" on:click=move |_| page.update(|p| *p -= 1)>"← Previous"</button> })}
                        {(list.page < pages).then(|| view! { <button type="button" class="link" on:click=move |_| page.update(|p| *p += 1)>"Next →"</button> })}
                    </nav>
                }.into_any()
            }
        })}
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
                    <table class="admin-table">
                        <thead><tr><th>"When"</th><th>"Amount"</th><th>"Reason"</th><th>"Actor"</th><th>"Infograph"</th></tr></thead>
                        <tbody>{rows.into_iter().map(|r| view! {
                            <tr data-testid="ledger-row">
                                <td>{when(r.created_at)}</td><td>{r.amount}</td><td>{r.reason}</td>
                                <td>{r.actor.unwrap_or_default()}</td><td>{r.infograph_id.unwrap_or_default()}</td>
                            </tr>
                        }).collect_view()}</tbody>
                    </table>
                }.into_any(),
            })}
        </section>
    }
    .into_any()
}
