//! What the UI's parts share. Server-rendered parts share the signed-in account through context,
//! provided once by [`crate::App`]. Islands hydrate one by one in the browser with no parent in
//! common: what they share there is page-wide (see `components::live::live`), and what the
//! parts of one island share (the gallery's list, the form's prefill) is that island's context.

use crate::errors::AppError;
use crate::model::{AccountView, InfographView};
use leptos::prelude::*;

/// Bumped whenever the signed-in account may have changed (a charge, a refund); everything that
/// shows the balance refetches on it.
#[derive(Clone, Copy)]
pub struct AccountRefresh(pub RwSignal<u32>);

impl AccountRefresh {
    pub fn bump(self) {
        self.0.update(|n| *n += 1);
    }
}

pub type AccountResult = Result<Option<AccountView>, AppError>;

/// The signed-in account as of this request (server-rendered parts only).
#[derive(Clone, Copy)]
pub struct AccountResource(pub Resource<AccountResult>);

/// The gallery's list inside the workspace island: the create form, the cards' actions and the
/// gallery share it.
#[derive(Clone, Copy)]
pub struct Workspace {
    pub items: RwSignal<Vec<InfographView>>,
    /// Why the last reload failed, shown above the gallery.
    pub error: RwSignal<Option<String>>,
}

impl Workspace {
    /// Loads the list again (after a create, a regenerate, a delete). New cards appear and the
    /// existing ones keep their state: the gallery keys them by id.
    pub fn reload(self) {
        leptos::task::spawn_local(async move {
            match crate::api::server_fns::infographs::list_infographs().await {
                Ok(list) => {
                    let _ = self.items.try_set(list);
                    let _ = self.error.try_set(None);
                }
                Err(e) => {
                    let _ = self.error.try_set(Some(e.to_string()));
                }
            }
        });
    }
}

/// Settings a card asked the create form to take ("use these settings").
#[derive(Clone, Copy)]
pub struct FormPrefill(pub RwSignal<Option<InfographView>>);
