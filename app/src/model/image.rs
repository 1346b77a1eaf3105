//! The picture's size: its aspect ratio and resolution, as fal accepts them, and the widths the
//! gallery offers of it.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The long edge of gallery thumbnails (`THUMBNAIL_EDGE`'s default), for `srcset` widths.
pub const THUMBNAIL_EDGE: u32 = 400;
/// The widths a gallery card offers past the thumbnail. 700 and 800 are for phones, whose
/// one-column cards are the screen less 34 px: at 1.75 to 2 device pixels per pixel a 360–412
/// px screen wants 570–760, and the browser takes the smallest width at least that wide (with
/// only 600 and 1200 a 412 px phone took the 1200, about twice the bytes; with 800 next, the
/// 800, a sixth more than the 700).
pub const GALLERY_WIDTHS: [u32; 4] = [600, 700, 800, 1200];

/// The ten aspect ratios fal's nano-banana-pro accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AspectRatio {
    #[serde(rename = "21:9")]
    R21x9,
    #[serde(rename = "16:9")]
    R16x9,
    #[serde(rename = "3:2")]
    R3x2,
    #[serde(rename = "4:3")]
    R4x3,
    #[serde(rename = "5:4")]
    R5x4,
    #[serde(rename = "1:1")]
    R1x1,
    #[serde(rename = "4:5")]
    R4x5,
    #[serde(rename = "3:4")]
    R3x4,
    #[serde(rename = "2:3")]
    R2x3,
    #[serde(rename = "9:16")]
    R9x16,
}

impl AspectRatio {
    pub const ALL: [AspectRatio; 10] = [
        Self::R21x9,
        Self::R16x9,
        Self::R3x2,
        Self::R4x3,
        Self::R5x4,
        Self::R1x1,
        Self::R4x5,
        Self::R3x4,
        Self::R2x3,
        Self::R9x16,
    ];

    /// fal's spelling, e.g. `16:9`.
    pub fn as_fal(self) -> &'static str {
        match self {
            Self::R21x9 => "21:9",
            Self::R16x9 => "16:9",
            Self::R3x2 => "3:2",
            Self::R4x3 => "4:3",
            Self::R5x4 => "5:4",
            Self::R1x1 => "1:1",
            Self::R4x5 => "4:5",
            Self::R3x4 => "3:4",
            Self::R2x3 => "2:3",
            Self::R9x16 => "9:16",
        }
    }

    pub fn ratio(self) -> (u32, u32) {
        let (w, h) = self.as_fal().split_once(':').unwrap_or(("1", "1"));
        (w.parse().unwrap_or(1), h.parse().unwrap_or(1))
    }

    /// Pixel size for a resolution: the longer side is the resolution's edge.
    pub fn dimensions(self, resolution: Resolution) -> (u32, u32) {
        let (w, h) = self.ratio();
        let edge = resolution.long_edge();
        if w >= h {
            (edge, edge * h / w)
        } else {
            (edge * w / h, edge)
        }
    }
}

impl FromStr for AspectRatio {
    type Err = String;
    /// Accepts both the seed API's `16/9` and fal's `16:9`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let normalized = s.trim().replace('/', ":");
        Self::ALL
            .into_iter()
            .find(|r| r.as_fal() == normalized)
            .ok_or_else(|| {
                format!(
                    "must be one of {}",
                    Self::ALL.map(|r| r.as_fal()).join(", ")
                )
            })
    }
}

impl fmt::Display for AspectRatio {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_fal())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Resolution {
    #[serde(rename = "1K")]
    K1,
    #[serde(rename = "2K")]
    K2,
    #[serde(rename = "4K")]
    K4,
}

impl Resolution {
    pub const ALL: [Resolution; 3] = [Self::K1, Self::K2, Self::K4];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::K1 => "1K",
            Self::K2 => "2K",
            Self::K4 => "4K",
        }
    }

    pub fn long_edge(self) -> u32 {
        match self {
            Self::K1 => 1024,
            Self::K2 => 2048,
            Self::K4 => 4096,
        }
    }

    /// Credits one image costs: fal bills 4K at twice the price.
    pub fn credits_per_image(self) -> i64 {
        match self {
            Self::K4 => 2,
            _ => 1,
        }
    }
}

impl FromStr for Resolution {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_uppercase().as_str() {
            "1K" => Ok(Self::K1),
            "2K" => Ok(Self::K2),
            "4K" => Ok(Self::K4),
            _ => Err("must be one of 1K, 2K, 4K".into()),
        }
    }
}

impl fmt::Display for Resolution {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aspect_ratio_accepts_both_spellings_and_all_ten() {
        assert_eq!("16/9".parse::<AspectRatio>(), Ok(AspectRatio::R16x9));
        assert_eq!("16:9".parse::<AspectRatio>(), Ok(AspectRatio::R16x9));
        for r in AspectRatio::ALL {
            assert_eq!(r.as_fal().parse::<AspectRatio>(), Ok(r));
            assert_eq!(r.as_fal().replace(':', "/").parse::<AspectRatio>(), Ok(r));
        }
        assert!("16x9".parse::<AspectRatio>().is_err());
        assert!("2:1".parse::<AspectRatio>().is_err());
        assert!("auto".parse::<AspectRatio>().is_err());
    }

    #[test]
    fn dimensions_follow_the_ratio() {
        assert_eq!(AspectRatio::R16x9.dimensions(Resolution::K1), (1024, 576));
        assert_eq!(AspectRatio::R9x16.dimensions(Resolution::K2), (1152, 2048));
        assert_eq!(AspectRatio::R1x1.dimensions(Resolution::K4), (4096, 4096));
    }

    #[test]
    fn resolution_parses_and_prices() {
        assert_eq!("4k".parse::<Resolution>(), Ok(Resolution::K4));
        assert!("8K".parse::<Resolution>().is_err());
        assert_eq!(Resolution::K1.credits_per_image(), 1);
        assert_eq!(Resolution::K2.credits_per_image(), 1);
        assert_eq!(Resolution::K4.credits_per_image(), 2);
    }
}
