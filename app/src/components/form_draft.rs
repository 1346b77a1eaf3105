//! The create form's unsent work (prompt, blog URL, pasted text, the outline under review) kept
//! in the browser's local storage, so a reload or a trip to another page does not lose it. Kept
//! per account: two people who share a browser never see each other's drafts. Cleared once a
//! create goes through.

use crate::model::design::Outline;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SavedDraft {
    #[serde(default)]
    pub prompt: String,
    #[serde(default)]
    pub blog_url: String,
    #[serde(default)]
    pub source_text: String,
    #[serde(default)]
    pub outline: Option<Outline>,
    /// The outline was changed by hand since it was written ("Outline again" asks first).
    #[serde(default)]
    pub outline_edited: bool,
}

impl SavedDraft {
    pub fn is_empty(&self) -> bool {
        self.prompt.trim().is_empty() && self.blog_url.trim().is_empty() && self.source_text.trim().is_empty() && self.outline.is_none()
    }
}

/// The storage key of `email`'s draft: a hash, so the address itself is not written to the
/// browser's storage.
pub fn key_for(email: &str) -> String {
    // FNV-1a: stable across builds and platforms, and a few lines rather than a dependency.
    let hash = email.trim().to_lowercase().bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    format!("infograph-draft-{hash:016x}")
}

/// The draft saved under `key`, if any (an unreadable one counts as none).
pub fn load(key: &str) -> Option<SavedDraft> {
    read(key).and_then(|text| serde_json::from_str::<SavedDraft>(&text).ok()).filter(|d| !d.is_empty())
}

/// Saves `draft` under `key`; an empty one removes the key.
pub fn save(key: &str, draft: &SavedDraft) {
    match draft.is_empty() {
        true => write(key, None),
        false => write(key, serde_json::to_string(draft).ok().as_deref()),
    }
}

pub fn clear(key: &str) {
    write(key, None);
}

#[cfg(feature = "hydrate")]
fn storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

#[cfg(feature = "hydrate")]
fn read(key: &str) -> Option<String> {
    storage().and_then(|s| s.get_item(key).ok().flatten())
}

/// Stores `text` under `key`, or removes the key. A full storage (or one the browser refuses)
/// only costs the draft.
#[cfg(feature = "hydrate")]
fn write(key: &str, text: Option<&str>) {
    let Some(storage) = storage() else { return };
    let _ = match text {
        Some(text) => storage.set_item(key, text),
        None => storage.remove_item(key),
    };
}

/// The server keeps no drafts.
#[cfg(not(feature = "hydrate"))]
fn read(_: &str) -> Option<String> {
    None
}

#[cfg(not(feature = "hydrate"))]
fn write(_: &str, _: Option<&str>) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_account_has_its_own_key() {
        assert_eq!(key_for("Ann@Example.com"), key_for(" ann@example.com"));
        assert_ne!(key_for("ann@example.com"), key_for("bob@example.com"));
        assert!(!key_for("ann@example.com").contains("ann"), "the address is not written out");
    }

    #[test]
    fn an_empty_draft_is_not_kept() {
        assert!(SavedDraft::default().is_empty());
        assert!(SavedDraft { blog_url: " ".into(), ..Default::default() }.is_empty());
        assert!(!SavedDraft { source_text: "text".into(), ..Default::default() }.is_empty());
        // An older or partial copy still reads.
        let read: SavedDraft = serde_json::from_str(r#"{"prompt":"Bees"}"#).unwrap();
        assert_eq!(read.prompt, "Bees");
    }
}
