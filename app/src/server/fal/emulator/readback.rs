//! fal's vision endpoint (`openrouter/router/vision`) as the emulator answers it: the text of a
//! picture it drew, one block a line in reading order, exactly as drawn (typo and "cannot draw"
//! note included). It reads the picture's spec from an emulator image URL (any emulator's,
//! without downloading it); any other URL cannot be read and the job fails. Also, without HTTP,
//! what a picture for a prompt says, for benchmarks and tests.

use super::brief;
use super::image::{self, Picture};
use super::job::Scripted;
use super::words::{self, Injected};
use super::Emulator;
use crate::model::{AspectRatio, Resolution};
use serde_json::{json, Value};

/// What the vision endpoint answers for an image URL an emulator minted; `None` for any other.
pub fn transcription_of_url(url: &str) -> Option<String> {
    Picture::from_url(url).map(|p| image::transcript(&p))
}

/// The text a picture for `prompt` (a brief) shows, one block a line, as the vision endpoint
/// reads it back: with `typo`, as if the prompt carried `[emulator:typo]`; without, clean even
/// if it does. Drawn at the brief's format and the first variant (the variant changes the look,
/// not the words).
pub fn drawn_text(prompt: &str, typo: bool) -> String {
    let mut picture = picture_for(prompt);
    picture.typo = typo;
    image::transcript(&picture)
}

/// What `[emulator:typo]` changes in a picture for `prompt`; `None` when its language is not
/// drawn (only the note is).
pub fn injected_typo(prompt: &str) -> Option<Injected> {
    words::with_typo(&picture_for(prompt)).1
}

fn picture_for(prompt: &str) -> Picture {
    let mut picture = brief::picture_of(prompt);
    (picture.width, picture.height) = size_of(prompt);
    if brief::wants_logo(prompt) {
        // Its place is kept (the title's room shrinks); what it looks like does not matter here.
        picture.logo = Some(Vec::new());
    }
    picture
}

/// The size the brief's format line asks for (`aspect ratio 16:9, 2K resolution`).
pub(super) fn size_of(prompt: &str) -> (u32, u32) {
    let asked = prompt.lines().find(|l| l.starts_with("Format:")).and_then(|l| l.split_once("aspect ratio ")).map(|(_, rest)| rest);
    let (aspect, resolution) = asked.and_then(|r| r.split_once(", ")).unwrap_or_default();
    let aspect: AspectRatio = aspect.trim().parse().unwrap_or(AspectRatio::R1x1);
    let resolution: Resolution = resolution.split_whitespace().next().and_then(|r| r.parse().ok()).unwrap_or(Resolution::K1);
    aspect.dimensions(resolution)
}

/// The answer of a read-back, like `openrouter/router`'s.
pub(super) fn answer(text: &str, prompt: &str) -> Value {
    let (asked, said) = (prompt.len() / 4 + 1000, text.len() / 4 + 1);
    json!({"output": text, "partial": false, "error": null,
        "usage": {"prompt_tokens": asked, "completion_tokens": said, "total_tokens": asked + said, "cost": 0.0}})
}

impl Emulator {
    /// Reads every picture: their texts (a blank line between pictures), and whether one of them
    /// asked never to be read back (`[emulator:noreadback]`).
    pub(super) async fn read_back(&self, urls: &[String]) -> Result<(String, bool), Scripted> {
        let mut texts = Vec::new();
        let mut never = false;
        for (index, url) in urls.iter().enumerate() {
            let picture = Picture::from_url(url).ok_or_else(|| Scripted::Unreadable { index, url: url.clone() })?;
            never |= picture.noreadback;
            texts.push(tokio::task::spawn_blocking(move || image::transcript(&picture)).await.unwrap_or_default());
        }
        Ok((texts.join("\n\n"), never))
    }
}
