//! The image endpoints the emulator serves as fal publishes them: for each, its input fields
//! (which are required, their types, enums and limits), where an edit's source images are, how
//! the picture's size is asked for, and the shape of its output. Fields not listed are accepted
//! and ignored, as fal does. Sources: fal's generated client types and zod schemas
//! (`fal-ai/fal-js`, `libs/client/src/types/endpoints.ts` and `types/image/zod.gen.ts`).
//!
//! An endpoint not in this table keeps the emulator's older, lenient behaviour (see `submit`).

use super::schema::{Bounds, Field, Rule};

/// One catalogued endpoint.
pub(super) struct Endpoint {
    /// The path after the queue root, e.g. `fal-ai/ideogram/v3/remix`.
    pub path: &'static str,
    pub fields: &'static [Field],
    /// Pairs of fields the model refuses together (the second one is named in the refusal).
    pub exclusive: &'static [(&'static str, &'static str)],
    pub sources: Sources,
    pub size: SizeRule,
    pub output: Output,
}

impl Endpoint {
    /// Every refusal of `input` by this endpoint (`schema::check`); empty when accepted.
    pub(super) fn check(&self, input: &serde_json::Value) -> Vec<super::schema::Refusal> {
        super::schema::check(self.fields, self.exclusive, input)
    }
}

/// Where an edit's source images are.
#[derive(Clone, Copy)]
pub(super) enum Sources {
    /// A text-to-image endpoint: nothing to download (an `image_urls` there is a style reference).
    None,
    /// A list of URLs, the first one the picture to change.
    List(&'static str),
    /// One URL.
    One(&'static str),
}

/// How an endpoint is asked for a size.
#[derive(Clone, Copy)]
pub(super) enum SizeRule {
    /// `aspect_ratio` + `resolution` (the Nano Bananas): `auto` follows the source (or is square).
    Aspect { default_ratio: &'static str },
    /// `image_size`: a preset or `{width, height}`.
    ImageSize { default: &'static str },
    /// No size input: the output follows the source image (Recraft image-to-image).
    LikeSource,
}

/// The output's shape, as each endpoint's fal type says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Output {
    /// `images[{url, content_type, file_name, width, height}]` and `description`.
    NanoBanana,
    /// `images[{url, content_type, file_name}]` and `seed` (no size).
    Ideogram,
    /// `images[{url, content_type, file_name}]` only.
    Recraft,
    /// Recraft's shape with an SVG file (`image/svg+xml`, `image.svg`).
    Vector,
    /// `images[{url, content_type, file_name, width, height}]` and `seed`.
    Seedream,
    /// Seedream's edit: `images[…]` without `seed`.
    SeedreamEdit,
}

const fn req(name: &'static str, rule: Rule) -> Field {
    Field { name, required: true, rule }
}

const fn opt(name: &'static str, rule: Rule) -> Field {
    Field { name, required: false, rule }
}

const ANY_TEXT: Rule = Rule::Text { min: 0, max: usize::MAX };
const INT: Rule = Rule::Int { min: i64::MIN, max: i64::MAX };

const NB_RATIOS: &str = "auto 21:9 16:9 3:2 4:3 5:4 1:1 4:5 3:4 2:3 9:16";
const NB2_RATIOS: &str = "auto 21:9 16:9 3:2 4:3 5:4 1:1 4:5 3:4 2:3 9:16 4:1 1:4 8:1 1:8";
const PRESETS: &str = "square_hd square portrait_4_3 portrait_16_9 landscape_4_3 landscape_16_9";
const SEEDREAM_PRESETS: &str = "square_hd square portrait_4_3 portrait_16_9 landscape_4_3 landscape_16_9 auto_2K auto_4K";
const IDEOGRAM_STYLES: &str = "AUTO GENERAL REALISTIC DESIGN";
const IDEOGRAM_STYLE_PRESETS: &str = "80S_ILLUSTRATION 90S_NOSTALGIA ABSTRACT_ORGANIC ANALOG_NOSTALGIA ART_BRUT ART_DECO ART_POSTER AURA \
    AVANT_GARDE BAUHAUS BLUEPRINT BLURRY_MOTION BRIGHT_ART C4D_CARTOON CHILDRENS_BOOK COLLAGE COLORING_BOOK_I COLORING_BOOK_II CUBISM \
    DARK_AURA DOODLE DOUBLE_EXPOSURE DRAMATIC_CINEMA EDITORIAL EMOTIONAL_MINIMAL ETHEREAL_PARTY EXPIRED_FILM FLAT_ART FLAT_VECTOR \
    FOREST_REVERIE GEO_MINIMALIST GLASS_PRISM GOLDEN_HOUR GRAFFITI_I GRAFFITI_II HALFTONE_PRINT HIGH_CONTRAST HIPPIE_ERA ICONIC \
    JAPANDI_FUSION JAZZY LONG_EXPOSURE MAGAZINE_EDITORIAL MINIMAL_ILLUSTRATION MIXED_MEDIA MONOCHROME NIGHTLIFE OIL_PAINTING \
    OLD_CARTOONS PAINT_GESTURE POP_ART RETRO_ETCHING RIVIERA_POP SPOTLIGHT_80S STYLIZED_RED SURREAL_COLLAGE TRAVEL_POSTER \
    VINTAGE_GEO VINTAGE_POSTER WATERCOLOR WEIRD WOODBLOCK_PRINT";
const RECRAFT_STYLES: &str = "any realistic_image digital_illustration vector_illustration \
    realistic_image/b_and_w realistic_image/hard_flash realistic_image/hdr realistic_image/natural_light \
    realistic_image/studio_portrait realistic_image/enterprise realistic_image/motion_blur realistic_image/evening_light \
    realistic_image/faded_nostalgia realistic_image/forest_life realistic_image/mystic_naturalism realistic_image/natural_tones \
    realistic_image/organic_calm realistic_image/real_life_glow realistic_image/retro_realism realistic_image/retro_snapshot \
    realistic_image/urban_drama realistic_image/village_realism realistic_image/warm_folk \
    digital_illustration/pixel_art digital_illustration/hand_drawn digital_illustration/grain digital_illustration/infantile_sketch \
    digital_illustration/2d_art_poster digital_illustration/handmade_3d digital_illustration/hand_drawn_outline \
    digital_illustration/engraving_color digital_illustration/2d_art_poster_2 digital_illustration/antiquarian \
    digital_illustration/bold_fantasy digital_illustration/child_book digital_illustration/child_books digital_illustration/cover \
    digital_illustration/crosshatch digital_illustration/digital_engraving digital_illustration/expressionism \
    digital_illustration/freehand_details digital_illustration/grain_20 digital_illustration/graphic_intensity \
    digital_illustration/hard_comics digital_illustration/long_shadow digital_illustration/modern_folk digital_illustration/multicolor \
    digital_illustration/neon_calm digital_illustration/noir digital_illustration/nostalgic_pastel digital_illustration/outline_details \
    digital_illustration/pastel_gradient digital_illustration/pastel_sketch digital_illustration/pop_art \
    digital_illustration/pop_renaissance digital_illustration/street_art digital_illustration/tablet_sketch \
    digital_illustration/urban_glow digital_illustration/urban_sketching digital_illustration/vanilla_dreams \
    digital_illustration/young_adult_book digital_illustration/young_adult_book_2 \
    vector_illustration/bold_stroke vector_illustration/chemistry vector_illustration/colored_stencil \
    vector_illustration/contour_pop_art vector_illustration/cosmics vector_illustration/cutout vector_illustration/depressive \
    vector_illustration/editorial vector_illustration/emotional_flat vector_illustration/infographical \
    vector_illustration/marker_outline vector_illustration/mosaic vector_illustration/naivector vector_illustration/roundish_flat \
    vector_illustration/segmented_colors vector_illustration/sharp_contrast vector_illustration/thin vector_illustration/vector_photo \
    vector_illustration/vivid_shapes vector_illustration/engraving vector_illustration/line_art vector_illustration/line_circuit \
    vector_illustration/linocut";

/// fal's generic `ImageSize`: each side at most 14142 pixels.
const GENERIC: Bounds = Bounds::Edges { max: 14142 };

// Nano Banana Pro and 2 (their edits add `image_urls`; NB2's is optional beside video, audio
// or PDF inputs).
const NB_PROMPT: Field = req("prompt", Rule::Text { min: 3, max: 50_000 });
const NB_COUNT: Field = opt("num_images", Rule::Int { min: 1, max: 4 });
const NB_FORMAT: Field = opt("output_format", Rule::OneOf("jpeg png webp"));
const NB_SAFETY: Field = opt("safety_tolerance", Rule::OneOf("1 2 3 4 5 6"));
const SEED: Field = opt("seed", INT);
const SYNC: Field = opt("sync_mode", Rule::Bool);
const WEB_SEARCH: Field = opt("enable_web_search", Rule::Bool);
const LIMIT: Field = opt("limit_generations", Rule::Bool);
const SYSTEM: Field = opt("system_prompt", ANY_TEXT);
const NBP_RATIO: Field = opt("aspect_ratio", Rule::OneOf(NB_RATIOS));
const NBP_RESOLUTION: Field = opt("resolution", Rule::OneOf("1K 2K 4K"));
const NB2_RATIO: Field = opt("aspect_ratio", Rule::OneOf(NB2_RATIOS));
const NB2_RESOLUTION: Field = opt("resolution", Rule::OneOf("0.5K 1K 2K 4K"));
const NB2_THINKING: Field = opt("thinking_level", Rule::OneOf("minimal high"));
const NBP: &[Field] = &[NB_PROMPT, NBP_RATIO, NBP_RESOLUTION, NB_COUNT, NB_FORMAT, NB_SAFETY, SEED, SYNC, WEB_SEARCH, LIMIT, SYSTEM];
const NBP_EDIT: &[Field] = &[
    NB_PROMPT, req("image_urls", Rule::Urls), NBP_RATIO, NBP_RESOLUTION, NB_COUNT, NB_FORMAT, NB_SAFETY, SEED, SYNC, WEB_SEARCH, LIMIT, SYSTEM,
];
const NB2: &[Field] = &[NB_PROMPT, NB2_RATIO, NB2_RESOLUTION, NB2_THINKING, NB_COUNT, NB_FORMAT, NB_SAFETY, SEED, SYNC, WEB_SEARCH, LIMIT, SYSTEM];
const NB2_EDIT: &[Field] = &[
    NB_PROMPT, opt("image_urls", Rule::Urls), opt("video_url", Rule::Url), opt("audio_url", Rule::Url), opt("pdf_url", Rule::Url),
    NB2_RATIO, NB2_RESOLUTION, NB2_THINKING, NB_COUNT, NB_FORMAT, NB_SAFETY, SEED, SYNC, WEB_SEARCH, LIMIT, SYSTEM,
];

// Ideogram V3 and its remix (the refine: one `image_url`; `image_urls` are style references).
const PROMPT: Field = req("prompt", ANY_TEXT);
const IDEOGRAM_SIZE: Field = opt("image_size", Rule::ImageSize { presets: PRESETS, bounds: GENERIC });
const SPEED: Field = opt("rendering_speed", Rule::OneOf("TURBO BALANCED QUALITY"));
const IDEOGRAM_STYLE: Field = opt("style", Rule::OneOf(IDEOGRAM_STYLES));
const STYLE_PRESET: Field = opt("style_preset", Rule::OneOf(IDEOGRAM_STYLE_PRESETS));
const STYLE_CODES: Field = opt("style_codes", Rule::Strings);
const STYLE_REFERENCES: Field = opt("image_urls", Rule::Urls);
const PALETTE: Field = opt("color_palette", Rule::Palette);
const NEGATIVE: Field = opt("negative_prompt", ANY_TEXT);
const EXPAND: Field = opt("expand_prompt", Rule::Bool);
const IDEOGRAM_COUNT: Field = opt("num_images", Rule::Int { min: 1, max: 8 });
const IDEOGRAM: &[Field] = &[
    PROMPT, IDEOGRAM_SIZE, SPEED, IDEOGRAM_STYLE, STYLE_PRESET, STYLE_CODES, STYLE_REFERENCES, PALETTE, NEGATIVE, EXPAND, IDEOGRAM_COUNT, SEED, SYNC,
];
const IDEOGRAM_REMIX: &[Field] = &[
    PROMPT, req("image_url", Rule::Url), opt("strength", Rule::Number { min: 0.01, max: 1.0 }), IDEOGRAM_SIZE, SPEED, IDEOGRAM_STYLE,
    STYLE_CODES, STYLE_REFERENCES, PALETTE, NEGATIVE, EXPAND, IDEOGRAM_COUNT, SEED, SYNC,
];
/// `style` and `style_codes` exclude each other, and style codes exclude style references.
const IDEOGRAM_EXCLUSIVE: &[(&str, &str)] = &[("style", "style_codes"), ("image_urls", "style_codes")];

// Recraft V3 and V4.1 (vector): prompts of at most 1000 characters (V3's published limit; V4.1
// publishes none, so V3's is assumed).
const RECRAFT_PROMPT: Field = req("prompt", Rule::Text { min: 1, max: 1000 });
const RECRAFT_SIZE: Field = opt("image_size", Rule::ImageSize { presets: PRESETS, bounds: GENERIC });
const RECRAFT_STYLE: Field = opt("style", Rule::OneOf(RECRAFT_STYLES));
const COLOURS: Field = opt("colors", Rule::Colours);
const STYLE_ID: Field = opt("style_id", ANY_TEXT);
const SAFETY_CHECKER: Field = opt("enable_safety_checker", Rule::Bool);
const RECRAFT: &[Field] = &[RECRAFT_PROMPT, RECRAFT_SIZE, RECRAFT_STYLE, COLOURS, STYLE_ID, SAFETY_CHECKER];
const RECRAFT_I2I: &[Field] = &[
    RECRAFT_PROMPT, req("image_url", Rule::Url), opt("strength", Rule::Number { min: 0.0, max: 1.0 }), RECRAFT_STYLE, COLOURS, STYLE_ID,
    opt("negative_prompt", Rule::Text { min: 0, max: 1000 }), SYNC,
];
const RECRAFT_VECTOR: &[Field] = &[RECRAFT_PROMPT, RECRAFT_SIZE, COLOURS, opt("background_color", Rule::Colour), SAFETY_CHECKER];

// Seedream 4.5: sizes of 1920 to 4096 a side, or 2560×1440 to 4096×4096 pixels in all.
const SEEDREAM_SIZE: Field = opt("image_size", Rule::ImageSize { presets: SEEDREAM_PRESETS, bounds: Bounds::Seedream });
const SEEDREAM_COUNT: Field = opt("num_images", Rule::Int { min: 1, max: 6 });
const SEEDREAM_MAX: Field = opt("max_images", Rule::Int { min: 1, max: 6 });
const SEEDREAM: &[Field] = &[PROMPT, SEEDREAM_SIZE, SEEDREAM_COUNT, SEEDREAM_MAX, SEED, SYNC, SAFETY_CHECKER];
/// fal keeps the last ten of more than ten images rather than refusing them.
const SEEDREAM_EDIT: &[Field] = &[PROMPT, req("image_urls", Rule::Urls), SEEDREAM_SIZE, SEEDREAM_COUNT, SEEDREAM_MAX, SEED, SYNC, SAFETY_CHECKER];

const fn endpoint(path: &'static str, fields: &'static [Field], sources: Sources, size: SizeRule, output: Output) -> Endpoint {
    Endpoint { path, fields, exclusive: &[], sources, size, output }
}

const NB_T2I: SizeRule = SizeRule::Aspect { default_ratio: "1:1" };
const NB_AUTO: SizeRule = SizeRule::Aspect { default_ratio: "auto" };
const SQUARE_HD: SizeRule = SizeRule::ImageSize { default: "square_hd" };
const AUTO_2K: SizeRule = SizeRule::ImageSize { default: "auto_2K" };

pub(super) const ENDPOINTS: &[Endpoint] = &[
    endpoint("fal-ai/nano-banana-pro", NBP, Sources::None, NB_T2I, Output::NanoBanana),
    endpoint("fal-ai/nano-banana-pro/edit", NBP_EDIT, Sources::List("image_urls"), NB_AUTO, Output::NanoBanana),
    endpoint("fal-ai/nano-banana-2", NB2, Sources::None, NB_AUTO, Output::NanoBanana),
    endpoint("fal-ai/nano-banana-2/edit", NB2_EDIT, Sources::List("image_urls"), NB_AUTO, Output::NanoBanana),
    Endpoint { exclusive: IDEOGRAM_EXCLUSIVE, ..endpoint("fal-ai/ideogram/v3", IDEOGRAM, Sources::None, SQUARE_HD, Output::Ideogram) },
    Endpoint { exclusive: IDEOGRAM_EXCLUSIVE, ..endpoint("fal-ai/ideogram/v3/remix", IDEOGRAM_REMIX, Sources::One("image_url"), SQUARE_HD, Output::Ideogram) },
    endpoint("fal-ai/recraft/v3/text-to-image", RECRAFT, Sources::None, SQUARE_HD, Output::Recraft),
    endpoint("fal-ai/recraft/v3/image-to-image", RECRAFT_I2I, Sources::One("image_url"), SizeRule::LikeSource, Output::Recraft),
    endpoint("fal-ai/recraft/v4.1/text-to-vector", RECRAFT_VECTOR, Sources::None, SQUARE_HD, Output::Vector),
    endpoint("fal-ai/bytedance/seedream/v4.5/text-to-image", SEEDREAM, Sources::None, AUTO_2K, Output::Seedream),
    endpoint("fal-ai/bytedance/seedream/v4.5/edit", SEEDREAM_EDIT, Sources::List("image_urls"), AUTO_2K, Output::SeedreamEdit),
];

pub(super) fn find(path: &str) -> Option<&'static Endpoint> {
    ENDPOINTS.iter().find(|e| e.path == path)
}

/// The colours an input asks for (Ideogram's `color_palette` members, Recraft's `colors`), in
/// order: what a picture is drawn in when its brief names none.
pub(super) fn colours_asked(input: &serde_json::Value) -> Vec<[u8; 3]> {
    let rgb = |c: &serde_json::Value| ["r", "g", "b"].map(|k| c.get(k).and_then(serde_json::Value::as_u64).unwrap_or(0).min(255) as u8);
    let members = input.pointer("/color_palette/members").and_then(serde_json::Value::as_array);
    let palette = members.into_iter().flatten().filter_map(|m| m.get("rgb")).map(rgb);
    let colours = input.get("colors").and_then(serde_json::Value::as_array).into_iter().flatten().map(rgb);
    palette.chain(colours).take(8).collect()
}

/// The size asked for, before any source image is seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SizeAsk {
    Fixed(u32, u32),
    /// The source's shape, its long edge this long (or the source's own size).
    LikeSource(Option<u32>),
}

impl SizeAsk {
    /// The size once the source's (if any) is known; square without one.
    pub(super) fn resolve(self, source: Option<(u32, u32)>) -> (u32, u32) {
        let (w, h) = match (self, source) {
            (Self::Fixed(w, h), _) => (w, h),
            (Self::LikeSource(None), Some(size)) => size,
            (Self::LikeSource(Some(edge)), Some((w, h))) => scaled_to(w, h, edge),
            (Self::LikeSource(edge), None) => (edge.unwrap_or(1024), edge.unwrap_or(1024)),
        };
        if w.max(h) > MAX_SPEC_EDGE { scaled_to(w, h, MAX_SPEC_EDGE) } else { (w.max(1), h.max(1)) }
    }
}

/// `w × h` with its long edge `edge`.
fn scaled_to(w: u32, h: u32, edge: u32) -> (u32, u32) {
    let (w, h, edge) = (u64::from(w.max(1)), u64::from(h.max(1)), u64::from(edge));
    let long = w.max(h);
    (((w * edge / long).max(1)) as u32, ((h * edge / long).max(1)) as u32)
}

/// A `w:h` ratio at a resolution (`0.5K` … `4K`): the long side is the resolution's edge, as
/// `AspectRatio::dimensions` has it.
fn ratio_size(ratio: &str, resolution: &str) -> Option<(u32, u32)> {
    let edge = match resolution {
        "0.5K" => 512,
        "1K" => 1024,
        "2K" => 2048,
        "4K" => 4096,
        _ => return None,
    };
    let (w, h) = ratio.split_once(':')?;
    let (w, h): (u32, u32) = (w.parse().ok()?, h.parse().ok()?);
    (w > 0 && h > 0).then(|| if w >= h { (edge, edge * h / w) } else { (edge * w / h, edge) })
}

/// A preset's pixels, as fal's presets are (the `auto_*` ones square, as the model may choose).
fn preset_size(preset: &str) -> Option<(u32, u32)> {
    Some(match preset {
        "square_hd" => (1024, 1024),
        "square" => (512, 512),
        "portrait_4_3" => (768, 1024),
        "portrait_16_9" => (576, 1024),
        "landscape_4_3" => (1024, 768),
        "landscape_16_9" => (1024, 576),
        "auto_2K" => (2048, 2048),
        "auto_4K" => (4096, 4096),
        _ => return None,
    })
}

/// The largest side a picture's spec carries (see `picture::Picture::from_query`).
const MAX_SPEC_EDGE: u32 = 8192;

/// What size an input (already checked against `endpoint`) asks for.
pub(super) fn size_asked(endpoint: &Endpoint, input: &serde_json::Value) -> SizeAsk {
    let text = |name: &str| input.get(name).and_then(serde_json::Value::as_str);
    match endpoint.size {
        SizeRule::Aspect { default_ratio } => {
            let resolution = text("resolution").unwrap_or("1K");
            match text("aspect_ratio").unwrap_or(default_ratio) {
                // An edit keeps its source's shape; a new picture is square.
                "auto" if matches!(endpoint.sources, Sources::None) => SizeAsk::Fixed(1024, 1024),
                "auto" => SizeAsk::LikeSource(ratio_size("1:1", resolution).map(|(edge, _)| edge)),
                ratio => ratio_size(ratio, resolution).map_or(SizeAsk::Fixed(1024, 1024), |(w, h)| SizeAsk::Fixed(w, h)),
            }
        }
        SizeRule::ImageSize { default } => {
            let custom = |side: &str| input["image_size"].get(side).and_then(serde_json::Value::as_u64).map_or(512, |v| v as u32);
            let (w, h) = match input.get("image_size") {
                Some(serde_json::Value::Object(_)) => (custom("width"), custom("height")),
                Some(serde_json::Value::String(preset)) => preset_size(preset).unwrap_or((1024, 1024)),
                _ => preset_size(default).unwrap_or((1024, 1024)),
            };
            SizeAsk::Fixed(w.max(1), h.max(1))
        }
        SizeRule::LikeSource => SizeAsk::LikeSource(None),
    }
}
