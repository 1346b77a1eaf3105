//! What the landing page shows under "Made with Infograph": up to [`LANDING_PICTURES`] shared
//! infographics an admin featured, and the example infographics, files in `public/examples/`
//! (drawn once by the fal emulator's renderer, see `server::showcase`), filling the rest.

use serde::{Deserialize, Serialize};

/// How many pictures the landing page shows.
pub const LANDING_PICTURES: usize = 3;

/// A featured infographic as the landing page shows it: through its share's public page and
/// picture URLs (paths on this site).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Featured {
    /// `/s/<token>`.
    pub page_url: String,
    /// The picture as a 600 px wide JPEG (for browsers without WebP).
    pub image_url: String,
    /// Its WebP sizes, for `srcset`.
    pub webp_srcset: String,
    pub title: String,
    pub alt: String,
    pub width: Option<u32>,
    pub height: Option<u32>,
}

/// A live share as the admin dashboard lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdminShare {
    pub infograph_id: String,
    /// `/s/<token>`.
    pub page_url: String,
    /// Its thumbnail through the link, once stored.
    pub thumbnail_url: Option<String>,
    pub title: String,
    pub owner_email: String,
    pub shared_at: i64,
    pub views: i64,
    /// When an admin featured it (`None`: not featured).
    pub featured_at: Option<i64>,
    /// Featured and among the newest [`LANDING_PICTURES`] featured: on the landing page now.
    pub on_landing: bool,
    /// Finished and stored: it can be featured.
    pub featurable: bool,
}

/// One example: its file stem, what the picture says, and the pixel size it is drawn at.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Example {
    pub slug: &'static str,
    pub title: &'static str,
    pub lines: &'static [&'static str],
    /// Which place people post it to, shown under it.
    pub caption: &'static str,
    pub width: u32,
    pub height: u32,
    pub seed: u64,
}

impl Example {
    pub fn url(&self, extension: &str) -> String {
        format!("/examples/{}.{extension}", self.slug)
    }

    pub fn alt(&self) -> String {
        format!("Example infographic “{}”: {}.", self.title, self.lines.join("; "))
    }
}

pub const EXAMPLES: [Example; 3] = [
    Example {
        slug: "water-cycle",
        title: "The water cycle",
        lines: &["Evaporation: the sun warms the sea", "Condensation: vapour forms clouds", "Precipitation: rain and snow", "Collection: rivers run back to the sea"],
        caption: "A LinkedIn or X post, 16:9",
        width: 960,
        height: 540,
        seed: 205,
    },
    Example {
        slug: "sourdough",
        title: "Sourdough in 5 steps",
        lines: &["Feed the starter (12 h)", "Mix flour, water, salt", "Fold four times", "Proof overnight", "Bake at 250 °C"],
        caption: "A Pinterest pin, 2:3",
        width: 600,
        height: 900,
        seed: 31,
    },
    Example {
        slug: "remote-work",
        title: "Remote work in numbers",
        lines: &["58 % work from home at least once a week", "2 h saved on commuting a day", "1 in 3 would quit over a return to the office"],
        caption: "A square post, 1:1",
        width: 800,
        height: 800,
        seed: 140,
    },
];

/// The example whose file is `<slug>.<extension>`.
pub fn example_of(slug: &str) -> Option<&'static Example> {
    EXAMPLES.iter().find(|e| e.slug == slug)
}
