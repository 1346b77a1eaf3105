//! Live job updates: every user-visible change of a job is published once, here, and reaches
//! the owner's browser through Server-Sent Events (`GET /api/events/`).
//!
//! Within one process an in-process `tokio::sync::broadcast` carries the events. On PostgreSQL,
//! where several instances share the database and a webhook may land on another instance than
//! the one holding the user's stream, each change is also announced with
//! `pg_notify('infograph_events', {"id","origin"})`; every instance LISTENs on that channel,
//! reads the row and rebroadcasts it locally (its own notifications are skipped: they were
//! delivered at once). SQLite is single-instance by design, so there the broadcast is enough.
//!
//! Publishing is one call after a committed change: `state.events.job_changed(&id).await`.

use crate::server::jobs::progress::EtaCache;
use crate::server::jobs::repo;
use crate::server::platform::db::{new_id, Backend, Db};
use crate::server::platform::metrics;
use crate::model::InfographView;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{broadcast, watch};

pub const PG_CHANNEL: &str = "infograph_events";
/// Events buffered per subscriber; a slower subscriber is told to resync (it lost some).
const CAPACITY: usize = 1024;

/// One job's new state, for its owner only; or, with `view: None`, a call to every subscriber
/// to refetch (this instance may have missed other instances' changes).
#[derive(Debug, Clone)]
pub struct JobEvent {
    pub user_id: String,
    pub view: Option<InfographView>,
}

#[derive(Clone)]
pub struct Events(Arc<Inner>);

struct Inner {
    tx: broadcast::Sender<Arc<JobEvent>>,
    db: Db,
    eta: Arc<EtaCache>,
    /// Tells this instance's notifications apart from other instances'.
    instance: String,
    /// Flipped on shutdown so open streams end and the server can stop.
    closed: watch::Sender<bool>,
    /// Open streams per user on this instance, so one account cannot hold unbounded connections.
    streams: Mutex<HashMap<String, usize>>,
    streams_per_user: usize,
    /// Per job, the `(version, progress_version)` last broadcast. A delivery reads the row as it
    /// is when it runs, so two changes close together would otherwise both send the later state,
    /// or a slow delivery send an older one after a newer: only a newer state goes out.
    sent: Mutex<HashMap<String, (i64, i64)>>,
}

/// Jobs remembered in `sent` before it is emptied (a bound on memory; after that, one repeated
/// event per job at most, which browsers ignore by its version).
const SENT_REMEMBERED: usize = 10_000;

/// One open stream, counted until dropped (when the browser disconnects or the server stops).
pub struct StreamSlot {
    events: Events,
    user_id: String,
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        metrics::sse_connections(-1.0);
        if let Ok(mut streams) = self.events.0.streams.lock() {
            if let Some(n) = streams.get_mut(&self.user_id) {
                *n = n.saturating_sub(1);
                if *n == 0 {
                    streams.remove(&self.user_id);
                }
            }
        }
    }
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Notice {
    id: String,
    origin: String,
}

impl Events {
    pub fn new(db: Db, eta: Arc<EtaCache>, streams_per_user: usize) -> Self {
        let (tx, _) = broadcast::channel(CAPACITY);
        let (closed, _) = watch::channel(false);
        let streams = Mutex::new(HashMap::new());
        let sent = Mutex::new(HashMap::new());
        Self(Arc::new(Inner { tx, db, eta, instance: new_id(), closed, streams, streams_per_user, sent }))
    }

    /// Takes one of the user's stream slots; `None` when they all are in use.
    pub fn open_stream(&self, user_id: &str) -> Option<StreamSlot> {
        let mut streams = self.0.streams.lock().ok()?;
        let open = streams.entry(user_id.to_string()).or_insert(0);
        if *open >= self.0.streams_per_user {
            return None;
        }
        *open += 1;
        metrics::sse_connections(1.0);
        Some(StreamSlot { events: self.clone(), user_id: user_id.to_string() })
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<JobEvent>> {
        self.0.tx.subscribe()
    }

    /// Resolves when the server shuts down.
    pub fn closed(&self) -> watch::Receiver<bool> {
        self.0.closed.subscribe()
    }

    pub fn close(&self) {
        self.0.closed.send_replace(true);
    }

    /// Publishes job `id`'s current state to its owner, on every instance. Call it after the
    /// change is committed. Never fails: a lost event is covered by the browser's polling.
    pub async fn job_changed(&self, id: &str) {
        self.deliver_local(id).await;
        if self.0.db.backend == Backend::Postgres {
            self.notify_others(id).await;
        }
    }

    async fn deliver_local(&self, id: &str) {
        match repo::by_id(&self.0.db, id).await {
            Ok(Some(row)) => {
                let view = self.0.eta.view(&self.0.db, &row).await;
                self.send_if_newer(JobEvent { user_id: row.user_id, view: Some(view) });
            }
            Ok(None) => {}
            Err(err) => tracing::warn!(infograph = %id, error = %err, "could not read a changed job"),
        }
    }

    /// Broadcasts a job's state unless a state as new has gone out already. The check and the
    /// send are one step under the lock, so what goes out is in version order.
    fn send_if_newer(&self, event: JobEvent) {
        let Some(view) = &event.view else { return };
        let Ok(mut sent) = self.0.sent.lock() else { return };
        let state = (view.version, view.progress_version);
        if sent.get(&view.id).is_some_and(|&last| last >= state) {
            return;
        }
        if sent.len() >= SENT_REMEMBERED {
            sent.clear();
        }
        sent.insert(view.id.clone(), state);
        // No receivers is fine: nobody is watching.
        let _ = self.0.tx.send(Arc::new(event));
    }

    async fn notify_others(&self, id: &str) {
        let notice = Notice { id: id.to_string(), origin: self.0.instance.clone() };
        let Ok(payload) = serde_json::to_string(&notice) else { return };
        // `SELECT pg_notify(...)` returns `void`, which the Any driver cannot decode: wrap it.
        // NOTIFY is a write to PostgreSQL: it is refused on the read-only pool.
        let w = self.0.db.write().await;
        let sent = sqlx::query("SELECT 1 FROM (SELECT pg_notify($1, $2)) AS sent")
            .bind(PG_CHANNEL)
            .bind(payload)
            .execute(w.pool())
            .await;
        if let Err(err) = sent {
            tracing::warn!(infograph = %id, error = %err, "could not notify other instances");
        }
    }

    /// PostgreSQL only: LISTENs for other instances' changes and rebroadcasts them here.
    /// Reconnects (after a pause) whenever the connection drops.
    pub fn spawn_pg_listener(&self, database_url: String) -> Option<tokio::task::JoinHandle<()>> {
        if self.0.db.backend != Backend::Postgres {
            return None;
        }
        let events = self.clone();
        Some(tokio::spawn(async move {
            loop {
                if let Err(err) = events.listen(&database_url).await {
                    tracing::warn!(error = %err, "event listener lost PostgreSQL; reconnecting");
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }))
    }

    async fn listen(&self, database_url: &str) -> Result<(), sqlx::Error> {
        let mut listener = sqlx::postgres::PgListener::connect(database_url).await?;
        listener.listen(PG_CHANNEL).await?;
        // Other instances' notices sent while we were not listening are gone: every open stream
        // refetches what it shows (harmless on the first connect, when few streams are open).
        let _ = self.0.tx.send(Arc::new(JobEvent { user_id: String::new(), view: None }));
        loop {
            // `try_recv` answers `None` when the connection dropped (notifications sent meanwhile
            // are lost: the browsers' polling covers that gap); reconnect through the outer loop.
            let Some(notification) = listener.try_recv().await? else { return Ok(()) };
            match serde_json::from_str::<Notice>(notification.payload()) {
                Ok(notice) if notice.origin != self.0.instance => self.deliver_local(&notice.id).await,
                Ok(_) => {}
                Err(err) => tracing::warn!(error = %err, "unreadable event notification"),
            }
        }
    }
}
