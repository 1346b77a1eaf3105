//! What the UI's components share through Leptos context: the account, the gallery's data and
//! create action, and the create form's prefill. Provided once by [`crate::App`].

use crate::api::server_fns::infographs::CreateInfographs;
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

/// The create action and the gallery it refreshes.
#[derive(Clone, Copy)]
pub struct Workspace {
    pub create: ServerAction<CreateInfographs>,
    pub items: Resource<Result<Vec<InfographView>, AppError>>,
}

/// Settings a card asked the create form to take ("use these settings").
#[derive(Clone, Copy)]
pub struct FormPrefill(pub RwSignal<Option<InfographView>>);

/// The signed-in account as of the page load.
#[derive(Clone, Copy)]
pub struct AccountResource(pub Resource<AccountResult>);

/// The account again, refetched on every [`AccountRefresh`] bump: what shows the balance.
#[derive(Clone, Copy)]
pub struct BalanceResource(pub Resource<AccountResult>);
