//! Publishing an infograph: its share link as the owner sees it, the alt text rule, and the
//! snippets that put it in a blog post (HTML, Markdown, a direct image link).

use super::Invalid;
use serde::{Deserialize, Serialize};

/// Owners may describe a picture at this length; past it, alt text stops being read out.
pub const ALT_TEXT_MAX_CHARS: usize = 1000;
/// The widths offered for download besides the full size (as `server::delivery::renditions`).
pub const DOWNLOAD_WIDTHS: [u32; 2] = [1200, 600];
/// The formats offered for download: (extension, label).
pub const DOWNLOAD_FORMATS: [(&str, &str); 3] = [("png", "PNG"), ("jpg", "JPEG"), ("webp", "WebP")];

/// The live share link of an infograph, for its owner.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShareView {
    /// The public page, absolute.
    pub url: String,
    pub token: String,
    pub created_at: i64,
    pub views: i64,
    /// Search engines may index the page (off by default: `noindex`).
    pub indexable: bool,
    /// The picture behind the link, public and absolute (`None` until our copy exists).
    pub image_url: Option<String>,
}

/// Checks an owner's alt text: trimmed, 1 to [`ALT_TEXT_MAX_CHARS`] characters, one paragraph.
pub fn parse_alt_text(raw: Option<&str>) -> Result<String, Invalid> {
    let text = raw.map(str::trim).unwrap_or_default();
    if text.is_empty() {
        return Err("is required".into());
    }
    if text.chars().count() > ALT_TEXT_MAX_CHARS {
        return Err(format!("must be at most {ALT_TEXT_MAX_CHARS} characters").into());
    }
    if text.chars().any(char::is_control) {
        return Err("must be one paragraph without control characters".into());
    }
    Ok(text.to_string())
}

/// What an embed needs: where the page and the picture are, and what to say about it.
pub struct Embed<'a> {
    pub page_url: &'a str,
    pub image_url: &'a str,
    pub title: &'a str,
    pub alt: &'a str,
    pub width: Option<i64>,
    pub height: Option<i64>,
}

impl Embed<'_> {
    /// `<figure><a><img alt width height loading="lazy"></a><figcaption>`, escaped.
    pub fn html(&self) -> String {
        let size = match (self.width, self.height) {
            (Some(w), Some(h)) => format!(" width=\"{w}\" height=\"{h}\""),
            _ => String::new(),
        };
        format!(
            "<figure>\n  <a href=\"{page}\"><img src=\"{img}\" alt=\"{alt}\"{size} loading=\"lazy\"></a>\n  \
             <figcaption>{title} — made with <a href=\"{page}\">Infograph</a></figcaption>\n</figure>",
            page = escape(self.page_url),
            img = escape(self.image_url),
            alt = escape(self.alt),
            title = escape(self.title),
        )
    }

    /// `[![alt](image)](page)`, with the brackets in the alt text escaped.
    pub fn markdown(&self) -> String {
        let alt = self.alt.replace('\\', "\\\\").replace('[', "\\[").replace(']', "\\]");
        format!("[![{alt}]({})]({})", self.image_url, self.page_url)
    }
}

/// HTML-escapes text for an attribute or element body.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alt_text_is_checked() {
        assert_eq!(parse_alt_text(Some("  A chart.  ")).as_deref(), Ok("A chart."));
        assert!(parse_alt_text(Some("   ")).is_err());
        assert!(parse_alt_text(None).is_err());
        assert!(parse_alt_text(Some(&"a".repeat(ALT_TEXT_MAX_CHARS + 1))).is_err());
        assert!(parse_alt_text(Some("two\nlines")).is_err());
    }

    #[test]
    fn embeds_escape_what_people_wrote() {
        let embed = Embed {
            page_url: "https://ig.example/s/tok",
            image_url: "https://ig.example/s/tok/ab.png",
            title: "Cats & <dogs>",
            alt: "A \"chart\" [of] pets",
            width: Some(1024),
            height: Some(576),
        };
        let html = embed.html();
        assert!(html.starts_with("<figure>") && html.ends_with("</figure>"), "{html}");
        assert!(html.contains("alt=\"A &quot;chart&quot; [of] pets\" width=\"1024\" height=\"576\" loading=\"lazy\""), "{html}");
        assert!(html.contains("<figcaption>Cats &amp; &lt;dogs&gt; — made with"), "{html}");
        assert_eq!(embed.markdown(), "[![A \"chart\" \\[of\\] pets](https://ig.example/s/tok/ab.png)](https://ig.example/s/tok)");
    }
}
