//! What leaves the server after a job changes: live events to the owner's pages, our own copy
//! of the image, and emails.

pub mod copier;
pub mod email;
pub mod events;
pub mod files;
pub mod renditions;
pub mod sender;
pub mod storage;
pub mod vector;
