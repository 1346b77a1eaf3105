//! fal.ai: the queue client, webhook signature verification, and the emulator that speaks the
//! same protocol when there is no `FAL_KEY`.

pub mod client;
pub mod emulator;
pub mod signature;
