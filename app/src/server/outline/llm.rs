//! The outline written by a language model on fal (`openrouter/router`, any model OpenRouter
//! serves, named by `OUTLINE_MODEL`), through the same queue client, key and retries as the
//! images. Its answer is JSON we ask for in the prompt (the endpoint has no JSON mode): parsed,
//! validated like an edited outline, and refused (so the heuristic outline is used) when it is not
//! one. The emulator implements the endpoint, deterministically.

use crate::model::design::{self, Layout, Outline};
use crate::server::blog::extract::Article;
use crate::server::fal::client::FalError;
use crate::server::platform::state::AppState;
use serde_json::json;
use std::time::{Duration, Instant};

pub const ENDPOINT: &str = "openrouter/router";
/// How long a person waits for the model's outline before getting the heuristic one.
const DEADLINE: Duration = Duration::from_secs(45);
const POLL: Duration = Duration::from_millis(400);
/// The article text the model reads, at most (its context is not ours to fill).
const ARTICLE_MAX_CHARS: usize = 24_000;

/// Marks the parts of the model's prompt (the emulator reads them back).
pub const TITLE_MARK: &str = "TITLE:";
pub const ARTICLE_MARK: &str = "ARTICLE:";

#[derive(Debug, thiserror::Error)]
pub enum LlmError {
    #[error("fal: {0}")]
    Fal(#[from] FalError),
    #[error("the model took longer than {0:?}")]
    Timeout(Duration),
    #[error("the model failed: {0}")]
    Failed(String),
    #[error("the model's answer is not an outline: {0}")]
    NotAnOutline(String),
}

const SYSTEM: &str = "You turn articles into infographic outlines. Answer with one JSON object and nothing else.";

fn prompt_for(article: &Article, prompt: &str, layout: Layout, language: &str) -> String {
    let lang = design::language(language).map_or("English", |l| l.name);
    let text: String = article.text.chars().take(ARTICLE_MAX_CHARS).collect();
    format!(
        "Write the outline of an infographic as JSON: {{\"title\": string (at most 120 characters), \"subtitle\": string or null, \
         \"sections\": [3 to 8 of {{\"heading\": string (at most 80), \"line\": one sentence (at most 240), \"figure\": the key number \
         with its unit, or null, \"source\": the sentence of the article it comes from}}], \"layout\": one of \
         auto, timeline, process, comparison, statistics, list, hierarchy, cycle, map}}. Use only facts from the article. \
         Write the title, headings and lines in {lang}.\n\
         What the infographic is for: {prompt}\nLayout wanted: {layout}\n{TITLE_MARK} {title}\n{ARTICLE_MARK}\n{text}",
        layout = layout.as_str(),
        title = article.title.as_deref().unwrap_or_default(),
    )
}

/// Asks `model` for the outline of `article`.
pub async fn outline(state: &AppState, model: &str, article: &Article, prompt: &str, layout: Layout, language: &str) -> Result<Outline, LlmError> {
    let input = json!({
        "model": model,
        "prompt": prompt_for(article, prompt, layout, language),
        "system_prompt": SYSTEM,
        "temperature": 0.2,
        "max_tokens": 2000,
    });
    let submitted = state.fal.submit_to(ENDPOINT, &input, None).await?;
    let started = Instant::now();
    loop {
        let status = state.fal.status(&submitted.status_url).await?;
        if status.is_completed() {
            if let Some(error) = status.error {
                return Err(LlmError::Failed(error));
            }
            break;
        }
        if started.elapsed() > DEADLINE {
            if let Some(url) = submitted.cancel_url.as_deref() {
                let _ = state.fal.cancel(url).await;
            }
            return Err(LlmError::Timeout(DEADLINE));
        }
        tokio::time::sleep(POLL).await;
    }
    let answer = state.fal.result(&submitted.response_url).await?;
    if let Some(error) = answer["error"].as_str().filter(|e| !e.is_empty()) {
        return Err(LlmError::Failed(error.to_string()));
    }
    parse(answer["output"].as_str().unwrap_or_default(), layout)
}

/// The outline in a model's answer: the JSON object in it (fenced in ``` or not), checked like an
/// outline a person sent, with 3 to 8 sections. `wanted` wins over the model's layout unless auto.
pub fn parse(answer: &str, wanted: Layout) -> Result<Outline, LlmError> {
    let (start, end) = (answer.find('{'), answer.rfind('}'));
    let json = match (start, end) {
        (Some(start), Some(end)) if end > start => &answer[start..=end],
        _ => return Err(LlmError::NotAnOutline("no JSON object".into())),
    };
    let outline: Outline = serde_json::from_str(json).map_err(|e| LlmError::NotAnOutline(e.to_string()))?;
    let mut outline = outline.validated().map_err(|e| LlmError::NotAnOutline(format!("{e:?}")))?;
    if outline.sections.len() < super::heuristic::MIN_SECTIONS {
        return Err(LlmError::NotAnOutline("fewer than 3 sections".into()));
    }
    if wanted != Layout::Auto {
        outline.layout = wanted;
    }
    Ok(outline)
}

/// The emulator's stand-in for a model: the heuristic outline of the article in the prompt, as a
/// model would answer it (fenced JSON). `[emulator:badjson]` answers prose instead.
pub fn emulated_answer(prompt: &str) -> String {
    if prompt.contains("[emulator:badjson]") {
        return "I could not find an outline in this article, sorry.".into();
    }
    let title = prompt.lines().find_map(|l| l.strip_prefix(TITLE_MARK)).map(str::trim).filter(|t| !t.is_empty());
    let text = prompt.split_once(&format!("{ARTICLE_MARK}\n")).map_or("", |(_, text)| text);
    let mut article = super::heuristic::article_of_text(text);
    if let Some(title) = title {
        article.title = Some(title.to_string());
    }
    match super::heuristic::outline(&article, "Infographic", Layout::Auto) {
        Ok(outline) => format!("```json\n{}\n```", serde_json::to_string_pretty(&outline).unwrap_or_default()),
        Err(e) => format!("No outline: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_parsed_fenced_or_not_and_checked() {
        let json = r#"{"title": "Bees", "sections": [{"heading": "A", "line": "a"}, {"heading": "B", "line": "b"}, {"heading": "C", "line": "c", "figure": "6 km"}], "layout": "timeline"}"#;
        let o = parse(&format!("Here you are:\n```json\n{json}\n```"), Layout::Auto).expect("outline");
        assert_eq!((o.title.as_str(), o.sections.len(), o.layout), ("Bees", 3, Layout::Timeline));
        assert_eq!(parse(json, Layout::Cycle).expect("outline").layout, Layout::Cycle);
        assert!(parse("no json here", Layout::Auto).is_err());
        assert!(parse(r#"{"title": "x", "sections": [{"heading": "only one"}]}"#, Layout::Auto).is_err());
        assert!(parse(r#"{"title": "", "sections": []}"#, Layout::Auto).is_err());
    }

    #[test]
    fn the_emulated_model_outlines_the_article_in_its_prompt() {
        let article = Article { title: Some("Remote work".into()), text: "In 2019 only 5 % worked from home. By 2023 it was 28 %.\nCommutes took 54 minutes a day. People slept more.\nOne in three desks, 1 in 3, stood empty. Rents fell.".into(), ..Article::default() };
        let answer = emulated_answer(&prompt_for(&article, "Remote", Layout::Auto, "de"));
        let o = parse(&answer, Layout::Auto).expect("the emulator answers an outline");
        assert_eq!(o.title, "Remote work");
        assert!(o.sections.iter().any(|s| s.figure.as_deref() == Some("54 minutes")), "{o:?}");
        assert!(parse(&emulated_answer("[emulator:badjson] TITLE: x"), Layout::Auto).is_err());
    }
}
