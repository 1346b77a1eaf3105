//! The drop-in JSON REST API (the seed's contract), authenticated with `Authorization: Token <key>`,
//! and fal's webhook endpoint. Each module has its routes and its handlers; handlers are thin:
//! parse, call the use case, shape the answer.

pub mod accounts;
pub mod billing;
pub mod body;
pub mod design;
pub mod infographs;
pub mod layers;
pub mod meta;
pub mod models;
pub mod proofread;
pub mod shares;
pub mod webhook;
