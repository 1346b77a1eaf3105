//! Plan before you pay: the outline of what an infographic will say, from a blog post or pasted
//! text, free and before any credit is spent. Rate limited like creates (it reads pages and may
//! ask a model), and bounded like blog reading (the same fetch limits and bounded extraction).
//! The heuristic builder always works, offline; with `OUTLINE_MODEL` a language model on fal
//! writes it instead, the heuristic outline standing in whenever the model fails.

pub mod heuristic;
pub mod llm;

use crate::errors::AppError;
use crate::model::design::{self, Layout, Outline, SOURCE_TEXT_MAX_CHARS};
use crate::model::create::{parse_blog_url, parse_prompt};
use crate::model::{field, FieldErrors};
use crate::server::accounts::users::UserRow;
use crate::server::blog::extract::Article;
use crate::server::blog::fetch;
use crate::server::platform::rate_limit;
use crate::server::platform::state::AppState;
use serde::{Deserialize, Serialize};

/// `POST /api/outlines/`.
// An outline request as it arrives: the REST body (unknown fields are the handler's to refuse),
// and the create form's fields. `check` says what is wrong with its values.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = OutlineRequest)]
pub struct RawOutline {
    /// What the infographic should show, optional guidance (up to 4000 characters).
    #[serde(default, deserialize_with = "field::text")]
    #[schema(required = false, max_length = 4000)]
    pub prompt: Option<String>,
    /// A blog post to outline (public http(s) only).
    #[serde(default, deserialize_with = "field::text")]
    #[schema(required = false, format = "uri", max_length = 2048)]
    pub blog_url: Option<String>,
    /// Pasted text to outline instead (a draft, a post behind a login), up to 50 000 characters.
    #[serde(default, deserialize_with = "field::text")]
    #[schema(required = false, max_length = 50000)]
    pub source_text: Option<String>,
    /// The layout wanted (as on create); `auto` lets the outline suggest one.
    #[serde(default, deserialize_with = "field::text")]
    #[schema(required = false)]
    pub layout: Option<String>,
    /// The language the infographic's text will be in (as on create).
    #[serde(default, deserialize_with = "field::text")]
    #[schema(required = false)]
    pub language: Option<String>,
}

/// Where an outline came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MadeBy {
    Heuristic,
    Model,
}

impl MadeBy {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Heuristic => "heuristic",
            Self::Model => "model",
        }
    }
}

enum Source {
    Blog(url::Url),
    Text(String),
}

struct Checked {
    prompt: String,
    source: Source,
    layout: Layout,
    language: &'static str,
}

fn check(raw: &RawOutline) -> Result<Checked, FieldErrors> {
    let mut errors = FieldErrors::new();
    // The post or the text says what to show: the author's words are optional guidance.
    let prompt = parse_prompt(raw.prompt.as_deref()).map_err(|e| errors.insert("prompt".into(), e.0)).ok();
    let blog = parse_blog_url(raw.blog_url.as_deref()).map_err(|e| errors.insert("blog_url".into(), e.0)).ok().flatten();
    let text = raw.source_text.as_deref().map(str::trim).filter(|t| !t.is_empty());
    if text.is_some_and(|t| t.chars().count() > SOURCE_TEXT_MAX_CHARS) {
        errors.insert("source_text".into(), format!("must be at most {SOURCE_TEXT_MAX_CHARS} characters"));
    }
    let layout = raw.layout.as_deref().filter(|l| !l.trim().is_empty()).map_or(Ok(Layout::Auto), Layout::parse).map_err(|e| errors.insert("layout".into(), e.0)).ok();
    let language = raw.language.as_deref().filter(|l| !l.trim().is_empty()).map_or(Ok(design::DEFAULT_LANGUAGE), design::parse_language).map_err(|e| errors.insert("language".into(), e.0)).ok();
    let source = match (text, blog) {
        (Some(text), _) => Some(Source::Text(text.to_string())),
        (None, Some(url)) => Some(Source::Blog(url)),
        (None, None) => {
            if !errors.contains_key("blog_url") {
                errors.insert("blog_url".into(), "or source_text is required: the outline is made from a post or a text".into());
            }
            None
        }
    };
    match (prompt, source, layout, language) {
        (Some(prompt), Some(source), Some(layout), Some(language)) if errors.is_empty() => Ok(Checked { prompt, source, layout, language }),
        _ => Err(errors),
    }
}

/// The outline for the request: 400 naming the field for bad input, 429 over the limit, the
/// blog's reading failures as 400 naming `blog_url` (nothing is charged: outlines are free).
pub async fn build(state: &AppState, user: &UserRow, raw: &RawOutline) -> Result<(Outline, MadeBy), AppError> {
    let checked = check(raw).map_err(AppError::invalid)?;
    rate_limit::hit(&state.db, &format!("outline:{}", user.id), state.config.create_per_minute).await?;
    let article = match &checked.source {
        Source::Text(text) => {
            let text = text.clone();
            tokio::task::spawn_blocking(move || heuristic::article_of_text(&text)).await.map_err(|_| AppError::Internal)?
        }
        Source::Blog(url) => read(state, url).await?,
    };
    if let Some(model) = state.config.outline_model.as_deref() {
        match llm::outline(state, model, &article, &checked.prompt, checked.layout, checked.language).await {
            Ok(outline) => return Ok((outline, MadeBy::Model)),
            Err(e) => tracing::warn!(error = %e, "the model's outline failed; the heuristic one stands in"),
        }
    }
    let field = if matches!(checked.source, Source::Text(_)) { "source_text" } else { "blog_url" };
    // Sentences and figures of up to a whole page: CPU work, off the async runtime.
    let (prompt, layout) = (checked.prompt.clone(), checked.layout);
    let outline = tokio::task::spawn_blocking(move || heuristic::outline(&article, &prompt, layout))
        .await
        .map_err(|_| AppError::Internal)?
        .map_err(|e| AppError::invalid_field(field, e.to_string()))?;
    Ok((outline, MadeBy::Heuristic))
}

/// The blog post's article, under the blog reader's limits.
async fn read(state: &AppState, url: &url::Url) -> Result<Article, AppError> {
    let unreadable = |e: String| AppError::invalid_field("blog_url", format!("could not be read: {e}"));
    let policy = state.config.fetch_policy();
    fetch::check_literal(url, &policy).map_err(|e| unreadable(e.to_string()))?;
    let page = fetch::fetch_html(url, policy).await.map_err(|e| unreadable(e.to_string()))?;
    state.reader.extract(page.html, Some(page.final_url.to_string())).await.map_err(|e| unreadable(e.to_string()))
}
