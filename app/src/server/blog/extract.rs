//! Main-content extraction, like a browser's reader view: [`dom_smoothie`] (a port of Mozilla's
//! Readability) finds the article; `scraper` reads the headings out of it and supplies metadata
//! when Readability gives up. Pure and synchronous, so the pipeline and `infograph extract` share it.

use serde::Serialize;

/// What we keep of an article (`infograph extract` prints exactly this).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Article {
    pub title: Option<String>,
    pub byline: Option<String>,
    pub site_name: Option<String>,
    pub excerpt: Option<String>,
    pub text: String,
    pub headings: Vec<String>,
    pub word_count: usize,
}

/// Readability stops scoring after this many elements; far beyond any article, and a bound on
/// the work a hostile page can cause.
const MAX_ELEMENTS: usize = 30_000;
const MAX_NESTING: usize = 400;
const MAX_HEADINGS: usize = 40;

/// Cuts the document where tag nesting first exceeds [`MAX_NESTING`]. html5ever checks element
/// scopes by walking the stack of open elements, so a page of 50 000 nested `<div>`s costs
/// quadratic time (seconds per request); no real article nests anywhere near this deep.
/// Hand-rolled because it must run before any parser: a linear scan of tag starts and ends that
/// over-counts (it ignores implied end tags), which only ever cuts earlier, never later.
fn cap_nesting(html: &str) -> &str {
    const VOID: [&str; 14] =
        ["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr", "!doctype"];
    let bytes = html.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while let Some(offset) = bytes[i..].iter().position(|&b| b == b'<') {
        let start = i + offset;
        let rest = &html[start + 1..];
        if rest.starts_with('/') {
            depth = depth.saturating_sub(1);
        } else if !(rest.starts_with('!') || rest.starts_with('?')) {
            let name_len = rest.find(|c: char| !c.is_ascii_alphanumeric()).unwrap_or(rest.len());
            let name = rest[..name_len].to_ascii_lowercase();
            let self_closing = rest.find('>').is_some_and(|end| rest[..end].ends_with('/'));
            if !name.is_empty() && !VOID.contains(&name.as_str()) && !self_closing {
                depth += 1;
                if depth > MAX_NESTING {
                    return &html[..start];
                }
            }
        }
        i = start + 1;
    }
    html
}

fn clean(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn non_empty(text: Option<String>) -> Option<String> {
    text.map(|t| clean(&t)).filter(|t| !t.is_empty())
}

/// Keeps paragraph breaks, drops blank lines and runs of spaces.
fn tidy_text(text: &str) -> String {
    text.lines().map(clean).filter(|l| !l.is_empty()).collect::<Vec<_>>().join("\n")
}

/// `<h1>`–`<h3>` texts of an HTML fragment, in order.
fn headings_of(html: &str) -> Vec<String> {
    let fragment = scraper::Html::parse_fragment(html);
    let Ok(selector) = scraper::Selector::parse("h1, h2, h3") else { return Vec::new() };
    fragment
        .select(&selector)
        .map(|h| clean(&h.text().collect::<String>()))
        .filter(|h| !h.is_empty())
        .take(MAX_HEADINGS)
        .collect()
}

/// Title from Open Graph, `<title>` or the first `<h1>`: the fallback when Readability finds
/// no article at all.
fn metadata_title(html: &str) -> Option<String> {
    let doc = scraper::Html::parse_document(html);
    let first = |css: &str, attr: Option<&str>| -> Option<String> {
        let selector = scraper::Selector::parse(css).ok()?;
        let element = doc.select(&selector).next()?;
        let text = match attr {
            Some(a) => element.value().attr(a)?.to_string(),
            None => element.text().collect(),
        };
        non_empty(Some(text))
    };
    first(r#"meta[property="og:title"]"#, Some("content")).or_else(|| first("title", None)).or_else(|| first("h1", None))
}

pub fn extract(html: &str, base_url: Option<&str>) -> Article {
    let html = cap_nesting(html);
    let config = dom_smoothie::Config { max_elements_to_parse: MAX_ELEMENTS, ..Default::default() };
    let parsed = dom_smoothie::Readability::new(html, base_url, Some(config)).and_then(|mut r| r.parse());
    let mut article = match parsed {
        Ok(a) => Article {
            title: non_empty(Some(a.title.clone())),
            byline: non_empty(a.byline.clone()),
            site_name: non_empty(a.site_name.clone()),
            excerpt: non_empty(a.excerpt.clone()),
            text: tidy_text(&a.text_content),
            headings: headings_of(&a.content),
            word_count: 0,
        },
        Err(err) => {
            tracing::debug!(error = %err, "readability found no article");
            Article::default()
        }
    };
    if article.title.is_none() {
        article.title = metadata_title(html);
    }
    article.word_count = article.text.split_whitespace().count();
    article
}

/// Parsing is CPU work: keep it off the async threads.
pub async fn extract_off_thread(html: String, base_url: Option<String>) -> Article {
    tokio::task::spawn_blocking(move || extract(&html, base_url.as_deref())).await.unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = r#"<html><head><title>Site | Post</title>
        <meta property="og:title" content="The Real Title"><meta property="og:site_name" content="Bee Blog">
        <meta name="author" content="Ada Apiarist"></head>
        <body><nav><ul><li><a href="/">Home</a></li><li><a href="/about">About</a></li></ul></nav>
        <article><h1>The Real Title</h1>
        <p>Honeybees tell each other where flowers are with a waggle dance, and the dance is precise enough
        that other foragers can fly straight to a patch of flowers several kilometres away from the hive.</p>
        <h2>The waggle run</h2>
        <p>The angle of the run encodes the direction relative to the sun, and its length encodes the distance:
        roughly one second of waggling for every kilometre, which researchers decoded in the twentieth century.</p>
        <p>Bees also adjust for the sun moving across the sky during the day, a remarkable feat of timing.</p>
        </article><aside><p>Buy our honey now! Limited offer.</p></aside>
        <footer><p>Copyright 2026 Bee Blog</p></footer></body></html>"#;

    #[test]
    fn reader_view_keeps_the_article_and_drops_chrome() {
        let a = extract(PAGE, Some("https://bees.example/post"));
        assert_eq!(a.title.as_deref(), Some("The Real Title"));
        assert_eq!(a.site_name.as_deref(), Some("Bee Blog"));
        assert_eq!(a.byline.as_deref(), Some("Ada Apiarist"));
        assert!(a.headings.contains(&"The waggle run".to_string()), "{:?}", a.headings);
        assert!(a.text.contains("waggle dance") && a.text.contains("one second of waggling"));
        assert!(!a.text.contains("Buy our honey") && !a.text.contains("Copyright"), "{}", a.text);
        assert_eq!(a.word_count, a.text.split_whitespace().count());
        assert!(a.word_count > 50);
    }

    #[test]
    fn pages_without_an_article_still_get_a_title() {
        let a = extract("<html><head><title>Just a title</title></head><body></body></html>", None);
        assert_eq!(a.title.as_deref(), Some("Just a title"));
        assert_eq!(a.word_count, 0);
    }

    #[test]
    fn hostile_pages_stay_bounded() {
        let nested = format!("<html><body>{}x{}</body></html>", "<div>".repeat(50_000), "</div>".repeat(50_000));
        let started = std::time::Instant::now();
        let _ = extract(&nested, None);
        let quotes = format!("<html><body>{}</body></html>", "<blockquote>a".repeat(20_000));
        let _ = extract(&quotes, None);
        // Not a speed assertion: without the nesting cap this takes minutes, with it milliseconds.
        assert!(started.elapsed() < std::time::Duration::from_secs(60));
    }

    #[test]
    fn nesting_cap_keeps_normal_pages_whole() {
        let page = "<!DOCTYPE html><html><head><meta charset=utf-8><br/></head><body><p>a<img src=x>b</p></body></html>";
        assert_eq!(cap_nesting(page), page);
        let deep = "<div>".repeat(MAX_NESTING + 10);
        assert_eq!(cap_nesting(&deep).len(), MAX_NESTING * 5);
    }
}
