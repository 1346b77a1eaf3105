//! What the UI's parts share. Server-rendered parts share the signed-in account through context,
//! provided once by [`crate::App`]. Islands hydrate one by one in the browser with no parent in
//! common: what they share there is page-wide ([`page_value`]: `components::live::live`,
//! [`workspace`], [`form_prefill`]).

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

/// The gallery's list: the gallery island shows it, the create form and the cards' actions
/// reload it. Page-wide ([`workspace`]): the form is an island of its own.
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

/// Settings a card asked the create form to take ("use these settings"): set by the gallery's
/// island, taken by the form's, which may hydrate only then (see `create_form::fill_from`).
#[derive(Clone, Copy)]
pub struct FormPrefill(pub RwSignal<Option<InfographView>>);

/// The gallery's list, page-wide (the gallery island fills it from its props).
pub fn workspace() -> Workspace {
    page_value(|| Workspace { items: RwSignal::new(Vec::new()), error: RwSignal::new(None) })
}

/// The form's pending "use these settings", page-wide.
pub fn form_prefill() -> FormPrefill {
    page_value(|| FormPrefill(RwSignal::new(None)))
}

/// One value of `T` for the page: in the browser made once (by `make`, under an owner of its
/// own, see [`page_wide`]) and shared by every island for the page's lifetime. On the server,
/// through context: one per island rendered (each renders under an owner of its own), which is
/// enough, since nothing is shared between islands there.
pub fn page_value<T: Copy + Send + Sync + 'static>(make: fn() -> T) -> T {
    #[cfg(feature = "hydrate")]
    {
        use std::any::Any;
        // A list, not a map: a page has two or three such values, and a map's hasher would cost
        // every page's wasm about a kilobyte.
        thread_local! {
            static VALUES: std::cell::RefCell<Vec<Box<dyn Any>>> = const { std::cell::RefCell::new(Vec::new()) };
        }
        let known = VALUES.with(|values| values.borrow().iter().find_map(|v| v.downcast_ref::<T>().copied()));
        known.unwrap_or_else(|| {
            // Made outside the borrow: `make` may ask for another page value.
            let value = page_wide(make);
            VALUES.with(|values| values.borrow_mut().push(Box::new(value)));
            value
        })
    }
    #[cfg(not(feature = "hydrate"))]
    {
        use_context::<T>().unwrap_or_else(|| {
            let value = make();
            provide_context(value);
            value
        })
    }
}

/// Creates `make`'s signals under a root owner that is never dropped: they must outlive the island
/// that first asked for them, and they live as long as the page does. `Owner::new_root` also
/// makes the new root the current owner; the island that asked keeps its own, or whatever it
/// creates next would belong to the page rather than to it.
#[cfg(feature = "hydrate")]
fn page_wide<T>(make: impl FnOnce() -> T) -> T {
    let asking = Owner::current();
    let owner = Owner::new_root(None);
    let value = owner.with(make);
    std::mem::forget(owner);
    if let Some(asking) = asking {
        asking.set();
    }
    value
}
