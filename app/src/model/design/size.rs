/// A size for where people post: an aspect ratio and a resolution.
pub struct SizePreset {
    pub id: &'static str,
    pub label: &'static str,
    pub aspect_ratio: &'static str,
    pub resolution: &'static str,
}

pub const SIZE_PRESETS: [SizePreset; 6] = [
    SizePreset { id: "pinterest", label: "Pinterest pin (2:3)", aspect_ratio: "2:3", resolution: "2K" },
    SizePreset { id: "instagram", label: "Instagram portrait (4:5)", aspect_ratio: "4:5", resolution: "2K" },
    SizePreset { id: "social", label: "LinkedIn / X post (16:9)", aspect_ratio: "16:9", resolution: "2K" },
    SizePreset { id: "blog_header", label: "Blog header (21:9)", aspect_ratio: "21:9", resolution: "2K" },
    SizePreset { id: "square", label: "Square (1:1)", aspect_ratio: "1:1", resolution: "1K" },
    SizePreset { id: "print", label: "Print (3:4, 4K)", aspect_ratio: "3:4", resolution: "4K" },
];
