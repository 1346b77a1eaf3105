//! The create request: the one description of what a create may send. The REST API parses its
//! JSON body into [`CreateRequest`], the create form posts its fields (named by it) to the server
//! function that takes it, the OpenAPI document describes it, and [`CreateRequest::validate`] checks it, all
//! fields at once, into a typed [`CreateCommand`].

use super::design::{self, RawDesign};
use super::field::{self, given, FieldErrors, Invalid};
use super::image::{AspectRatio, Resolution};
use super::job::JobStatus;
use serde::{Deserialize, Serialize};

/// The longest prompt a user may write. Not the brief's budget (the `PROMPT_MAX_CHARS` setting),
/// which bounds the whole text sent to the model.
pub const USER_PROMPT_MAX_CHARS: usize = 4000;
pub const BLOG_URL_MAX_CHARS: usize = 2048;
pub const MAX_IMAGES: u32 = 4;

/// `POST /api/infographs/create/`. Counts may be sent as a string or a number (the original API
/// took both).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct CreateRequest {
    /// What the infographic should show (up to 4000 characters). Optional when `blog_url` or
    /// `outline` says what to show; required without either.
    #[serde(deserialize_with = "field::text")]
    #[cfg_attr(feature = "ssr", schema(required = false, max_length = 4000, example = "The water cycle for 10-year-olds"))]
    pub prompt: Option<String>,
    /// A blog post to read first (public http(s) only).
    #[serde(deserialize_with = "field::text")]
    #[cfg_attr(feature = "ssr", schema(required = false, format = "uri", max_length = 2048))]
    pub blog_url: Option<String>,
    /// `16:9`, `1:1`, … (or `16/9`). Default `1:1`.
    #[serde(deserialize_with = "field::text")]
    #[cfg_attr(feature = "ssr", schema(required = false, example = "16:9", pattern = "^(21[:/]9|16[:/]9|3[:/]2|4[:/]3|5[:/]4|1[:/]1|4[:/]5|3[:/]4|2[:/]3|9[:/]16)$"))]
    pub aspect_ratio: Option<String>,
    /// `1K`, `2K` or `4K` (4K costs 2 credits an image). Default `1K`.
    #[serde(deserialize_with = "field::text")]
    #[cfg_attr(feature = "ssr", schema(required = false, example = "1K", pattern = "^[124][Kk]$"))]
    pub resolution: Option<String>,
    /// 1–4, as a number or a string. Default 1.
    #[serde(deserialize_with = "field::text_or_number")]
    #[cfg_attr(feature = "ssr", schema(required = false, value_type = Option<Object>, example = 1))]
    pub number_of_infographs: Option<String>,
    /// `auto` (default: the outline's suggestion, else the model's pick), `timeline`, `process`,
    /// `comparison`, `statistics`, `list`, `hierarchy`, `cycle` or `map`.
    #[serde(deserialize_with = "field::text")]
    #[cfg_attr(feature = "ssr", schema(required = false, example = "timeline"))]
    pub layout: Option<String>,
    /// `flat`, `isometric`, `hand_drawn`, `editorial`, `corporate` or `playful`; default: clean
    /// and modern.
    #[serde(deserialize_with = "field::text")]
    #[cfg_attr(feature = "ssr", schema(required = false, example = "isometric"))]
    pub style: Option<String>,
    /// The language of the text in the image, a BCP-47 code (`en`, `de`, `ar`, `pt-BR`, `zh-Hans`,
    /// …, 26 in all; right-to-left scripts are laid out as such). Default `en`.
    #[serde(deserialize_with = "field::text")]
    #[cfg_attr(feature = "ssr", schema(required = false, example = "de"))]
    pub language: Option<String>,
    /// One of your brand kits (`/api/brand-kits/`): its colours, font mood and tone go into the
    /// brief, and its logo is placed in the image. Another user's kit is a `404`.
    #[serde(deserialize_with = "field::text")]
    #[cfg_attr(feature = "ssr", schema(required = false))]
    pub brand_kit_id: Option<String>,
    /// A reviewed outline (from `POST /api/outlines/`, edited or not): what the image says, in
    /// place of reading `blog_url`.
    // Kept as its JSON text: the form can only post text, and validation reads it back.
    #[serde(deserialize_with = "outline_text")]
    #[cfg_attr(feature = "ssr", schema(required = false, value_type = Option<crate::api::types::OutlineJson>))]
    pub outline: Option<String>,
    /// The model that draws it: an id from `GET /api/models/` (its price per image applies).
    /// Default: the catalogue's default. Unknown, or unable to draw the size, ratio, count or
    /// logo asked for: `400` naming `model`.
    #[serde(deserialize_with = "field::text")]
    #[cfg_attr(feature = "ssr", schema(required = false, example = "nano-banana-2"))]
    pub model: Option<String>,
}

fn outline_text<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    field::object_text(deserializer, "must be an object: {title, subtitle?, sections: [{heading, line, figure?}], layout?}")
}

/// The names of the request's fields, as its problems are keyed (the names serde reads).
pub mod fields {
    pub const PROMPT: &str = "prompt";
    pub const BLOG_URL: &str = "blog_url";
    pub const ASPECT_RATIO: &str = "aspect_ratio";
    pub const RESOLUTION: &str = "resolution";
    pub const NUMBER_OF_INFOGRAPHS: &str = "number_of_infographs";
    pub const LAYOUT: &str = "layout";
    pub const STYLE: &str = "style";
    pub const LANGUAGE: &str = "language";
    pub const BRAND_KIT_ID: &str = "brand_kit_id";
    pub const OUTLINE: &str = "outline";
    pub const MODEL: &str = "model";
}

impl CreateRequest {
    /// The request a form's fields make, read by the names the request declares: empty and
    /// unknown fields are left out, so the form keeps no list of its own. Every field reads text,
    /// so text cannot be refused here (validation says what is wrong with it).
    pub fn from_form(fields: impl IntoIterator<Item = (String, String)>) -> Self {
        let given = fields.into_iter().filter(|(_, value)| !value.is_empty());
        let object = given.map(|(name, value)| (name, serde_json::Value::String(value))).collect();
        serde_json::from_value(serde_json::Value::Object(object)).unwrap_or_default()
    }

    /// The design fields, as [`design::validate_design`] reads them.
    fn design(&self) -> RawDesign {
        RawDesign {
            layout: self.layout.clone(),
            style: self.style.clone(),
            language: self.language.clone(),
            brand_kit_id: self.brand_kit_id.clone(),
            outline: self.outline.clone(),
        }
    }
}

/// A validated create command: every field typed.
#[derive(Debug, Clone, PartialEq)]
pub struct CreateCommand {
    /// What the author asked for; empty when a blog post or an outline says what to show.
    pub prompt: String,
    pub blog_url: Option<url::Url>,
    pub aspect_ratio: AspectRatio,
    pub resolution: Resolution,
    pub count: u32,
    pub design: design::Design,
    /// The model asked for; `None`: the catalogue's default.
    pub model: Option<String>,
}

impl CreateCommand {
    /// What the default model charges (`Resolution::credits_per_image`); the server prices a
    /// command by the model it names.
    pub fn cost(&self) -> i64 {
        i64::from(self.count) * self.resolution.credits_per_image()
    }
}

/// The sentence shown when a create has nothing to make a picture from.
pub const NOTHING_TO_MAKE: &str =
    "Say what the infographic should show, or give a blog post URL or a reviewed outline to make it from.";

/// The author's words, trimmed; empty when not given (a source may say what to show: see
/// [`CreateRequest::validate`]).
pub fn parse_prompt(raw: Option<&str>) -> Result<String, Invalid> {
    field::written_text(raw, "The prompt", USER_PROMPT_MAX_CHARS)
}

pub fn parse_blog_url(raw: Option<&str>) -> Result<Option<url::Url>, Invalid> {
    let Some(raw) = raw.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    if raw.len() > BLOG_URL_MAX_CHARS {
        return Err(format!("The blog post URL can be at most {BLOG_URL_MAX_CHARS} characters long.").into());
    }
    let url = url::Url::parse(raw).map_err(|_| Invalid::from("The blog post URL must be a web address, like https://example.com/my-post."))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("The blog post URL must start with http:// or https://.".into());
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("The blog post URL must name a site, like https://example.com/my-post.".into());
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("The blog post URL must not contain a user name or password.".into());
    }
    Ok(Some(url))
}

/// How many images: 1 to [`MAX_IMAGES`], 1 when not given.
pub fn parse_count(raw: Option<&str>) -> Result<u32, Invalid> {
    let Some(raw) = raw.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(1);
    };
    match raw.parse::<u32>() {
        Ok(n) if (1..=MAX_IMAGES).contains(&n) => Ok(n),
        _ => Err(format!("The number of images must be a whole number from 1 to {MAX_IMAGES}.").into()),
    }
}

impl CreateRequest {
    /// Validates every field and reports all problems at once, keyed by field name.
    pub fn validate(&self) -> Result<CreateCommand, FieldErrors> {
        let mut errors = FieldErrors::new();
        let prompt = parse_prompt(self.prompt.as_deref())
            .map_err(|e| errors.insert(fields::PROMPT.into(), e.0))
            .ok();
        let blog_url = parse_blog_url(self.blog_url.as_deref())
            .map_err(|e| errors.insert(fields::BLOG_URL.into(), e.0))
            .ok();
        let aspect_ratio = given(&self.aspect_ratio)
            .map_or(Ok(AspectRatio::R1x1), str::parse)
            .map_err(|e| errors.insert(fields::ASPECT_RATIO.into(), e))
            .ok();
        let resolution = given(&self.resolution)
            .map_or(Ok(Resolution::K1), str::parse)
            .map_err(|e| errors.insert(fields::RESOLUTION.into(), e))
            .ok();
        let count = parse_count(self.number_of_infographs.as_deref())
            .map_err(|e| errors.insert(fields::NUMBER_OF_INFOGRAPHS.into(), e.0))
            .ok();
        let design = design::validate_design(&self.design(), &mut errors);
        let model = super::models::parse_model(self.model.as_deref()).map_err(|e| errors.insert(fields::MODEL.into(), e.0)).ok();
        // A blog post or an outline says what to show; without either, the prompt must.
        let has_source = matches!(blog_url, Some(Some(_))) || design.as_ref().is_some_and(|d| d.outline.is_some());
        if prompt.as_deref() == Some("") && !has_source {
            errors.insert(fields::PROMPT.into(), NOTHING_TO_MAKE.into());
        }
        match (prompt, blog_url, aspect_ratio, resolution, count, design, model) {
            (Some(prompt), Some(blog_url), Some(aspect_ratio), Some(resolution), Some(count), Some(design), Some(model))
                if errors.is_empty() =>
            {
                Ok(CreateCommand { prompt, blog_url, aspect_ratio, resolution, count, design, model })
            }
            _ => Err(errors),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CreatedJob {
    pub id: String,
    pub request_id: Option<String>,
    pub status: JobStatus,
    pub status_url: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CreateResponse {
    pub infographs: Vec<CreatedJob>,
    pub total_submitted: usize,
    pub credits_used: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(prompt: &str) -> CreateRequest {
        CreateRequest { prompt: Some(prompt.into()), ..Default::default() }
    }

    #[test]
    fn cost_is_images_times_resolution_price() {
        let mut r = raw("x");
        r.number_of_infographs = Some("3".into());
        r.resolution = Some("4K".into());
        assert_eq!(r.validate().map(|c| c.cost()), Ok(6));
        r.resolution = Some("2K".into());
        assert_eq!(r.validate().map(|c| c.cost()), Ok(3));
    }

    #[test]
    fn defaults_apply_when_optional_fields_are_missing() {
        let cmd = raw("  a chart  ").validate().expect("valid");
        assert_eq!(cmd.prompt, "a chart");
        assert_eq!(cmd.count, 1);
        assert_eq!(cmd.aspect_ratio, AspectRatio::R1x1);
        assert_eq!(cmd.resolution, Resolution::K1);
        assert_eq!(cmd.blog_url, None);
    }

    #[test]
    fn every_bad_field_is_reported_by_name() {
        let r = CreateRequest {
            prompt: Some("   ".into()),
            blog_url: Some("ftp://example.com/x".into()),
            aspect_ratio: Some("7:3".into()),
            resolution: Some("8K".into()),
            number_of_infographs: Some("5".into()),
            layout: Some("spiral".into()),
            style: Some("baroque".into()),
            language: Some("xx".into()),
            brand_kit_id: Some("no/such".into()),
            outline: Some("{".into()),
            model: Some("no such model!".into()),
        };
        let errors = r.validate().expect_err("invalid");
        for field in ["prompt", "blog_url", "aspect_ratio", "resolution", "number_of_infographs", "layout", "style", "language", "brand_kit_id", "outline", "model"] {
            assert!(errors.contains_key(field), "{field} missing from {errors:?}");
        }
    }

    #[test]
    fn a_form_posts_the_requests_own_field_names() {
        // The names in `fields` are the ones the request reads: a form sending each (its name as
        // its value) fills every field, and nothing else.
        let names = [
            fields::PROMPT, fields::BLOG_URL, fields::ASPECT_RATIO, fields::RESOLUTION, fields::NUMBER_OF_INFOGRAPHS,
            fields::LAYOUT, fields::STYLE, fields::LANGUAGE, fields::BRAND_KIT_ID, fields::OUTLINE, fields::MODEL,
        ];
        let sent = names.iter().map(|n| (n.to_string(), n.to_string()));
        let request = CreateRequest::from_form(sent.chain([("idempotency_key".to_string(), "k".to_string())]));
        let serde_json::Value::Object(read) = serde_json::to_value(&request).expect("json") else { panic!("an object") };
        assert_eq!(read.len(), names.len(), "{read:?}");
        for (name, value) in &read {
            assert_eq!(value.as_str(), Some(name.as_str()), "the field {name} is read from the form's {value}");
        }
        // A field left empty is not given.
        assert_eq!(CreateRequest::from_form([(fields::STYLE.to_string(), String::new())]), CreateRequest::default());
    }

    #[test]
    fn json_and_form_values_read_alike() {
        let from_json: CreateRequest =
            serde_json::from_value(serde_json::json!({"prompt": "p", "number_of_infographs": 2, "outline": {"title": "t"}, "style": null}))
                .expect("json");
        assert_eq!(from_json.number_of_infographs.as_deref(), Some("2"));
        assert_eq!(from_json.outline.as_deref(), Some(r#"{"title":"t"}"#));
        assert_eq!(from_json.style, None);
        let from_form: CreateRequest =
            serde_json::from_value(serde_json::json!({"prompt": "p", "number_of_infographs": "2", "outline": r#"{"title":"t"}"#})).expect("form");
        assert_eq!(from_form, CreateRequest { style: None, ..from_json });
        let wrong = |body| serde_json::from_value::<CreateRequest>(body).expect_err("refused").to_string();
        assert_eq!(wrong(serde_json::json!({"prompt": 42.5})), "must be a string");
        assert_eq!(wrong(serde_json::json!({"number_of_infographs": [2]})), "must be a number");
        assert!(wrong(serde_json::json!({"outline": 3})).starts_with("must be an object"));
    }

    #[test]
    fn a_source_makes_the_prompt_optional() {
        let blog = CreateRequest { blog_url: Some("https://example.com/post".into()), ..Default::default() };
        assert_eq!(blog.validate().map(|c| c.prompt), Ok(String::new()));
        let outline = r#"{"title":"Bees","sections":[{"heading":"Dance"}]}"#;
        let outlined = CreateRequest { outline: Some(outline.into()), ..Default::default() };
        assert!(outlined.validate().is_ok());
        let nothing = CreateRequest::default().validate().expect_err("nothing to make");
        assert_eq!(nothing.get("prompt").map(String::as_str), Some(NOTHING_TO_MAKE));
        assert!(NOTHING_TO_MAKE.ends_with('.') && NOTHING_TO_MAKE.starts_with(char::is_uppercase), "a whole sentence");
    }

    #[test]
    fn prompt_length_is_bounded_in_characters() {
        assert!(parse_prompt(Some(&"é".repeat(USER_PROMPT_MAX_CHARS))).is_ok());
        assert!(parse_prompt(Some(&"é".repeat(USER_PROMPT_MAX_CHARS + 1))).is_err());
        assert_eq!(parse_prompt(None).as_deref(), Ok(""));
        assert!(parse_prompt(Some("line one\nline two\ttabbed")).is_ok());
        assert!(parse_prompt(Some("nul \0 byte")).is_err());
    }

    #[test]
    fn counts_outside_one_to_four_are_rejected() {
        for bad in ["0", "5", "-1", "1.5", "two", "99999999999"] {
            assert!(parse_count(Some(bad)).is_err(), "{bad}");
        }
        assert_eq!(parse_count(Some("4")), Ok(4));
        assert_eq!(parse_count(None), Ok(1));
    }

    #[test]
    fn blog_urls_must_be_http_with_a_host() {
        assert!(parse_blog_url(Some("https://example.com/post")).unwrap().is_some());
        assert_eq!(parse_blog_url(Some("  ")), Ok(None));
        for bad in ["javascript:alert(1)", "file:///etc/passwd", "not a url", "http://user:pw@example.com/"] {
            assert!(parse_blog_url(Some(bad)).is_err(), "{bad}");
        }
    }
}
