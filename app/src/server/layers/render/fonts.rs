//! The six bundled fonts (`public/fonts/`, SIL OFL): embedded in the binary so rendering never
//! depends on what the machine has installed, and served to the browser editor from the same bytes
//! so both measure and draw with identical outlines.

use crate::model::layers::{Font, FONTS};
use resvg::usvg::fontdb;
use std::sync::{Arc, OnceLock};

/// Every file named in `FONTS`, by name (a test checks the two lists agree).
const FILES: [(&str, &[u8]); 6] = [
    ("NotoSans-Regular.ttf", include_bytes!("../../../../../public/fonts/NotoSans-Regular.ttf")),
    ("NotoSans-Bold.ttf", include_bytes!("../../../../../public/fonts/NotoSans-Bold.ttf")),
    ("NotoSerif-Regular.ttf", include_bytes!("../../../../../public/fonts/NotoSerif-Regular.ttf")),
    ("NotoSerif-Bold.ttf", include_bytes!("../../../../../public/fonts/NotoSerif-Bold.ttf")),
    ("NotoSansMono-Regular.ttf", include_bytes!("../../../../../public/fonts/NotoSansMono-Regular.ttf")),
    ("NotoSansDisplay-Bold.ttf", include_bytes!("../../../../../public/fonts/NotoSansDisplay-Bold.ttf")),
];

/// The font file `name` (e.g. `NotoSans-Bold.ttf`), for `/fonts/...`.
pub fn font_file(name: &str) -> Option<&'static [u8]> {
    FILES.iter().find(|(file, _)| *file == name).map(|(_, bytes)| *bytes)
}

/// The database usvg resolves `font-family` against: the bundled fonts and nothing else, built once.
pub fn database() -> Arc<fontdb::Database> {
    static DB: OnceLock<Arc<fontdb::Database>> = OnceLock::new();
    DB.get_or_init(|| {
        let mut db = fontdb::Database::new();
        for (_, bytes) in FILES {
            db.load_font_source(fontdb::Source::Binary(Arc::new(bytes)));
        }
        Arc::new(db)
    })
    .clone()
}

/// A font parsed for measuring: shaping gives the same advances (kerning included) usvg uses when
/// it draws, so lines wrapped here are exactly as wide as drawn.
pub struct Measure {
    pub face: rustybuzz::Face<'static>,
    /// Font units per pixel of font size.
    pub units_per_em: f64,
    /// Above and below the baseline, as fractions of the font size (positive both).
    pub ascent: f64,
    pub descent: f64,
}

/// The measuring face of `font` (one of `FONTS`), parsed once.
pub fn measure(font: &Font) -> &'static Measure {
    static FACES: OnceLock<Vec<Measure>> = OnceLock::new();
    let faces = FACES.get_or_init(|| FONTS.iter().map(|f| parse(font_file(f.file).expect("every FONTS file is bundled"))).collect());
    let index = FONTS.iter().position(|f| f == font).unwrap_or(0);
    &faces[index]
}

fn parse(bytes: &'static [u8]) -> Measure {
    let face = rustybuzz::Face::from_slice(bytes, 0).expect("bundled fonts parse");
    let units_per_em = f64::from(face.units_per_em());
    // ttf-parser's ascender/descender follow what browsers use for the content area: hhea, or
    // OS/2 typo metrics when the font asks for them (USE_TYPO_METRICS).
    let ascent = f64::from(face.ascender()) / units_per_em;
    let descent = -f64::from(face.descender()) / units_per_em;
    Measure { face, units_per_em, ascent, descent }
}
