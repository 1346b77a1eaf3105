//! The OpenAPI 3.1 document of the REST API (`GET /api/openapi.json`), generated from the handlers'
//! `#[utoipa::path]` annotations and the types in [`super::types`], which the handlers serialise;
//! `make test` fuzzes the running server against it with schemathesis.

use super::rest::{accounts, billing, design, infographs, layers, meta, models, proofread, shares, webhook};
use super::types::*;
use crate::model::proofread::{Problem, ProblemKind, ProofreadStatus, ProofreadView};
use crate::model::models::{ModelInfo, ModelList, RegenerateRequest};
use crate::model::{ApiTokenView, CreateResponse, CreatedJob, JobStatus, Phase};
use crate::server::outline::RawOutline;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::{Modify, OpenApi};

struct TokenAuth;

impl Modify for TokenAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "Authorization",
                "`Token <key>`: a key from `POST /api/auth/register/` or `POST /api/auth/token/`",
            ))),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Infograph API",
        description = "Turns a prompt (and optionally a blog post) into AI-generated infographics. \
            Create jobs, then poll their status until the image is there. Authenticate with \
            `Authorization: Token <key>`.",
    ),
    paths(
        meta::health, meta::ready, accounts::register, accounts::token, accounts::request_password_reset, accounts::confirm_password_reset,
        accounts::account, accounts::update_account,
        accounts::resend_verification, accounts::list_tokens, accounts::revoke_token,
        infographs::list, infographs::create, infographs::status, infographs::cancel, infographs::regenerate, infographs::finalize, models::list,
        infographs::remove, infographs::update, infographs::download, infographs::refine, infographs::versions,
        proofread::show, proofread::fix, layers::make, layers::show, layers::text_edit,
        shares::share, shares::unshare, billing::packs, billing::start, billing::list, billing::status, billing::stripe_webhook,
        design::build_outline, design::list_kits, design::create_kit, design::get_kit, design::update_kit, design::delete_kit, design::upload_logo,
        webhook::webhook, webhook::proofread_webhook, meta::openapi_json, meta::docs_page,
        super::live::events,
    ),
    components(schemas(
        ErrorBody, CreateRequest, RefineRequest, InfographPatch, ShareRequest, ShareJson,
        OutlineJson, OutlineSectionJson, RawOutline, RawKit, BrandKitJson, BrandKitList,
        PurchaseRequest, PackJson, PackList, StartedPurchase, PurchaseJson, PurchaseList, billing::WebhookReceived, Credentials, TokenRequest, PasswordResetRequest, PasswordResetConfirm, AccountPatch, InfographJson, InfographList, AccountJson, Registered,
        TokenJson, TokenList, ApiTokenView, Sent, Health, Readiness, WebhookAck, LiveEvent, CreateResponse, CreatedJob, JobStatus, Phase, ModelInfo, ModelList, RegenerateRequest,
        ProofreadView, ProofreadJson, ProofreadStatus, Problem, ProblemKind, crate::model::infograph::VersionKind,
        crate::model::layers::LayersView, crate::model::layers::TextBox, crate::model::layers::TextEditRequest, crate::model::layers::Align, crate::model::layers::Role,
    )),
    modifiers(&TokenAuth),
    tags(
        (name = "infographs", description = "Create, follow and manage infographs"),
        (name = "proofread", description = "Every picture read back and checked word by word; fixing what is wrong"),
        (name = "text editing", description = "A picture's words as editable text boxes, saved as new versions, exported as SVG and PDF"),
        (name = "sharing", description = "Public links to infographs"),
        (name = "billing", description = "Buying credits (Stripe)"),
        (name = "brand kits", description = "Colours, font mood, tone and logo, kept for every infographic"),
        (name = "account", description = "Accounts and API keys"),
        (name = "webhooks", description = "Called by fal.ai when a job ends (Ed25519-signed)"),
        (name = "meta", description = "Health, readiness and this document"),
    ),
)]
pub struct ApiDoc;

pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}
