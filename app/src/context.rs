//! What the UI's components share through Leptos context: the account, the gallery's data and
//! create action, and the create form's prefill. Provided once by [`crate::App`].

use crate::api::server_fns::infographs::CreateInfographs;
use crate::errors::AppError;
use crate::model::{AccountView, InfographView, ViewerData};
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

/// The viewer page's data. Created in [`crate::App`] with the other resources, before any
/// suspense boundary, so that it hydrates in the same order it was created on the server (see
/// `App`); the viewer page tells it which infograph to load through `id`.
#[derive(Clone, Copy)]
pub struct ViewerResource {
    pub id: RwSignal<Option<String>>,
    pub data: Resource<Result<Option<ViewerData>, AppError>>,
}

impl ViewerResource {
    pub fn new() -> Self {
        let id = RwSignal::new(viewer_id_in_url());
        let data = Resource::new_blocking(move || id.get(), |id| {
            // The response's status is set here, before the resource resolves: the server holds
            // the first byte until then (it is blocking), so the 404 is always in the headers.
            #[cfg(feature = "ssr")]
            let response = use_context::<leptos_axum::ResponseOptions>();
            async move {
                let result = match id {
                    Some(id) => crate::api::server_fns::viewer::viewer_page_data(id).await.map(Some),
                    None => Ok(None),
                };
                #[cfg(feature = "ssr")]
                if let (Some(response), Err(AppError::NotFound | AppError::Unauthorized)) = (&response, &result) {
                    response.set_status(axum::http::StatusCode::NOT_FOUND);
                }
                result
            }
        });
        Self { id, data }
    }
}

/// The infograph id of a `/i/{id}` URL this page was loaded at, if it was.
fn viewer_id_in_url() -> Option<String> {
    viewer_id_of(&current_path()?)
}

fn viewer_id_of(path: &str) -> Option<String> {
    let id = path.strip_prefix("/i/")?.trim_end_matches('/');
    (!id.is_empty() && !id.contains('/')).then(|| id.to_string())
}

#[cfg(feature = "ssr")]
fn current_path() -> Option<String> {
    use_context::<http::request::Parts>().map(|parts| parts.uri.path().to_string())
}

#[cfg(all(feature = "hydrate", not(feature = "ssr")))]
fn current_path() -> Option<String> {
    web_sys::window().and_then(|w| w.location().pathname().ok())
}

#[cfg(not(any(feature = "ssr", feature = "hydrate")))]
fn current_path() -> Option<String> {
    None
}
