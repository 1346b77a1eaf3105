//! The app crate's integration tests, one binary (one link on a 2-core machine): a real server on
//! port 0 per test, a fresh SQLite or PostgreSQL database, and the fal emulator.

mod helpers;

mod accounts;
mod billing;
mod blog;
mod design;
mod email;
mod featured;
mod flow;
mod jwks;
mod layers;
mod live;
mod manage;
mod model_stats;
mod model_ui;
mod models;
mod operations;
mod observability;
mod pages;
mod proofread;
mod proxy;
mod readability;
mod security;
mod sharing;
mod storage;
mod titles;
mod vector;
mod versions;
