//! The infograph lifecycle. A job is a row in `infographs` ([`repo`], the only writer of that
//! table, where every status change is a guarded transition of the state machine in
//! `model::JobStatus`): `queued → processing → completed | failed`.
//!
//! - [`create`] charges and queues; [`worker`] prepares and submits to fal;
//! - fal's [`webhook`] (or the [`reconciler`], polling) ends it through [`lifecycle`], which also
//!   tells the owner's pages, queues the email and wakes the image copier;
//! - [`manage`] and [`download`] are what an owner does afterwards;
//! - [`progress`] derives the phase and ETA a card shows, [`progress_poller`] asks fal for them.

pub mod create;
pub mod download;
pub mod lifecycle;
pub mod manage;
pub mod outcome;
pub mod progress;
pub mod progress_poller;
pub mod reconciler;
pub mod repo;
pub mod webhook;
pub mod worker;
