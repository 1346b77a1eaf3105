//! The landing page's three example infographics: what they show and at what size. The server
//! draws them with the fal emulator's renderer (see `server::showcase`); the page only links them.

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
