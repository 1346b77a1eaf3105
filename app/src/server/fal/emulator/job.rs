//! What the emulator remembers of a request: how it was asked, how it will end, and where it
//! is by now (a status that moves with time alone).

use super::models::Output;
use super::picture;
use serde_json::Value;
use std::time::{Duration, Instant};

/// How a job will end: as its prompt's markers ask, or, for an edit, failed if a source image
/// could not be downloaded (fal's 422 `file_download_error`), or, for a read-back or a
/// layerize-text, failed if a picture could not be read.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Scripted {
    Ok,
    Fail,
    DownloadFailed { index: usize, url: String },
    Unreadable { index: usize, url: String },
    /// layerize-text's one `image_url`.
    NotLayerizable { url: String },
}

#[derive(Debug, Clone)]
pub(super) struct Job {
    pub(super) model: String,
    pub(super) prompt: String,
    pub(super) width: u32,
    pub(super) height: u32,
    /// What the image shows (title, lines, an edit's instruction and colours).
    pub(super) picture: picture::Picture,
    /// The endpoint it was submitted to (`…/edit` for an edit) and the images it was to edit.
    pub(super) endpoint: String,
    pub(super) image_urls: Vec<String>,
    pub(super) started: Instant,
    pub(super) duration: Duration,
    pub(super) ending: Scripted,
    pub(super) cancelled: bool,
    pub(super) webhook: Option<String>,
    /// A language model's answer (`openrouter/router`, a read-back) instead of an image.
    pub(super) answer: Option<Value>,
    /// Never finishes (a read-back of an `[emulator:noreadback]` picture): in progress for ever.
    pub(super) stuck: bool,
    /// The input as submitted (for `/_emulator/submissions`).
    pub(super) input: Value,
    /// The shape of the endpoint's output.
    pub(super) output: Output,
}

impl Job {
    pub(super) fn status(&self) -> &'static str {
        let elapsed = self.started.elapsed();
        if self.cancelled || (elapsed >= self.duration && !self.stuck) {
            "COMPLETED"
        } else if elapsed < self.duration / 4 {
            "IN_QUEUE"
        } else {
            "IN_PROGRESS"
        }
    }
}

pub(super) fn seed_of(text: &str) -> u64 {
    // FNV-1a: a stable, dependency-free seed so the same prompt renders the same picture.
    text.bytes().fold(0xcbf29ce484222325u64, |h, b| (h ^ b as u64).wrapping_mul(0x100000001b3))
}
