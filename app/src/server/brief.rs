//! The prompt sent to the model: the user's words first, then what we read from the blog,
//! trimmed to a character budget from the least important end.

use super::extract::Article;
use crate::model::{AspectRatio, Resolution};

pub const PROMPT_BUDGET: usize = 6000;

pub fn build(prompt: &str, article: Option<&Article>, aspect: AspectRatio, resolution: Resolution) -> String {
    let head = prompt.trim().to_string();
    let tail = format!(
        "\n\nFormat: a single infographic, aspect ratio {aspect}, {resolution}. Style: clean, modern, \
         clear visual hierarchy, icons and charts, large readable text, no watermarks."
    );
    let mut body = String::new();
    if let Some(article) = article {
        if let Some(title) = &article.title {
            body.push_str(&format!("\n\nSource article: {title}"));
        }
        if !article.headings.is_empty() {
            body.push_str("\nKey sections:");
            for h in article.headings.iter().take(12) {
                body.push_str(&format!("\n- {h}"));
            }
        }
        if !article.text.is_empty() {
            body.push_str("\nArticle text:\n");
            body.push_str(&article.text);
        }
    }
    // The user's words and the format line are never cut; the article text absorbs the budget.
    let room = PROMPT_BUDGET.saturating_sub(head.chars().count() + tail.chars().count());
    let body: String = body.chars().take(room).collect();
    format!("{head}{body}{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_prompt_comes_first_and_is_never_cut() {
        let article = Article { title: Some("T".into()), headings: vec!["H".into()], text: "x".repeat(20_000), ..Article::default() };
        let prompt = "p".repeat(3000);
        let built = build(&prompt, Some(&article), AspectRatio::R16x9, Resolution::K2);
        assert!(built.starts_with(&prompt));
        assert!(built.chars().count() <= PROMPT_BUDGET);
        assert!(built.contains("Source article: T") && built.contains("- H") && built.contains("16:9"));
    }

    #[test]
    fn no_article_means_prompt_and_format_only() {
        let built = build("A chart of rain", None, AspectRatio::R1x1, Resolution::K1);
        assert!(built.starts_with("A chart of rain\n\nFormat:"));
    }
}
