//! The instance's stop, shared by the HTTP server and every background loop. Asked once (SIGTERM,
//! Ctrl-C, a test's `stop`); from then on `/api/ready/` answers 503, nothing new is claimed, and
//! the work in hand may finish: loops take a [`Work`] token before claiming, and the stop waits
//! (bounded) until none is held. What a job worker still holds after that is released by the
//! caller (`startup`), so another instance takes it at once instead of when the lease runs out.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{OwnedRwLockReadGuard, RwLock};
use tokio_util::sync::CancellationToken;

#[derive(Clone, Default)]
pub struct Stopping {
    token: CancellationToken,
    /// Readers: work in hand. The stop takes the write side, which waits for every reader and,
    /// tokio's lock being fair, lets no new one in.
    busy: Arc<RwLock<()>>,
    leases: Arc<Mutex<HashMap<String, i64>>>,
}

/// Held while one claimed item is handled; the stop waits for it.
pub struct Work(#[allow(dead_code)] OwnedRwLockReadGuard<()>);

impl Stopping {
    pub fn stop(&self) {
        self.token.cancel();
    }

    pub fn is_stopping(&self) -> bool {
        self.token.is_cancelled()
    }

    /// Resolves once the stop is asked.
    pub async fn stopped(&self) {
        self.token.cancelled().await;
    }

    /// Leave to start one item of work, or `None` once stopping: claim nothing then.
    pub fn begin_work(&self) -> Option<Work> {
        if self.is_stopping() {
            return None;
        }
        self.busy.clone().try_read_owned().ok().map(Work)
    }

    /// Waits until no work is in hand, at most `within`; `false` when some still was.
    pub async fn drained(&self, within: Duration) -> bool {
        self.stop();
        tokio::time::timeout(within, self.busy.write()).await.is_ok()
    }

    /// Remembers a job lease this instance holds (row id → lease value).
    pub fn hold_lease(&self, id: &str, lease: i64) {
        if let Ok(mut leases) = self.leases.lock() {
            leases.insert(id.to_string(), lease);
        }
    }

    pub fn drop_lease(&self, id: &str) {
        if let Ok(mut leases) = self.leases.lock() {
            leases.remove(id);
        }
    }

    /// The leases still held, emptied: what the stop gives back.
    pub fn take_leases(&self) -> Vec<(String, i64)> {
        self.leases.lock().map(|mut leases| leases.drain().collect()).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_stop_waits_for_work_in_hand_and_lets_none_start() {
        let stopping = Stopping::default();
        let work = stopping.begin_work().expect("not stopping yet");
        assert!(!stopping.drained(Duration::from_millis(50)).await, "work in hand");
        assert!(stopping.is_stopping() && stopping.begin_work().is_none());
        let waiter = {
            let stopping = stopping.clone();
            tokio::spawn(async move { stopping.drained(Duration::from_secs(30)).await })
        };
        drop(work);
        assert!(waiter.await.expect("join"));
    }

    #[test]
    fn leases_are_given_back_once() {
        let stopping = Stopping::default();
        stopping.hold_lease("a", 1);
        stopping.hold_lease("b", 2);
        stopping.drop_lease("a");
        assert_eq!(stopping.take_leases(), vec![("b".to_string(), 2)]);
        assert!(stopping.take_leases().is_empty());
    }
}
