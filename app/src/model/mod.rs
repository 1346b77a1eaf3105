//! Domain types shared by the server and the browser: parsed once at the edge, typed afterwards.
//! One file per concept; the names most code uses are re-exported here.

pub mod account;
pub mod admin;
pub mod billing;
pub mod create;
pub mod design;
pub mod field;
pub mod image;
pub mod infograph;
pub mod job;
pub mod layers;
pub mod models;
pub mod proofread;
pub mod refine;
pub mod share;
pub mod showcase;
pub mod title;

pub use account::{default_token_name, AccountView, ApiTokenView};
pub use create::{CreateCommand, CreateRequest, CreateResponse, CreatedJob, BLOG_URL_MAX_CHARS, MAX_IMAGES, NOTHING_TO_MAKE, USER_PROMPT_MAX_CHARS};
pub use field::{FieldErrors, Invalid};
pub use image::{AspectRatio, Resolution, GALLERY_WIDTHS, THUMBNAIL_EDGE};
pub use infograph::{InfographView, ViewerData};
pub use job::{JobStatus, Phase};
pub use refine::{RefineCommand, RefineRequest, INSTRUCTION_MAX_CHARS};
