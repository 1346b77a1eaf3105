//! Main-content extraction, like a browser's reader view: [`dom_smoothie`] (a port of Mozilla's
//! Readability) finds the article; the title, byline, headings and text are kept. Pure and
//! synchronous ([`extract`]), so the pipeline and `infograph extract` share it; the pipeline runs
//! it through a [`Reader`] (a blocking thread, a deadline, a few at a time).
//!
//! Every parse of outside HTML goes through [`parse_bounded`]: html5ever's tree builder walks its
//! stack of open elements for most tags, so a page that keeps thousands of elements open costs
//! quadratic time (a 3 MB page: hours of CPU), and a page that re-opens many formatting elements
//! over and over builds millions of nodes. No article needs either, so such pages are refused.

use dom_query::{Document, NodeId};
use html5ever::driver::ParseOpts;
use html5ever::tendril::{StrTendril, TendrilSink};
use html5ever::tree_builder::{TreeBuilderOpts, Tracer};
use serde::Serialize;
use std::cell::Cell;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

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

/// Why a page could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExtractError {
    /// Over [`MAX_OPEN`], [`MAX_NODES`] or [`MAX_ELEMENTS`]: reading it would cost minutes of CPU.
    #[error("the page is too complex to read")]
    TooComplex,
    /// The reader did not finish within [`EXTRACT_TIMEOUT`] (waiting for a turn included).
    #[error("reading the page took too long")]
    TimedOut,
    /// The reader itself failed (a panic in a parser): logged, and the job fails cleanly.
    #[error("the page could not be read")]
    Failed,
}

/// Readability refuses documents with more elements than this; far beyond any article.
const MAX_ELEMENTS: usize = 30_000;
/// Most nodes the parser may create (elements, texts, comments): an article has about two per
/// element. Checked while parsing, so a page that makes the parser build nodes out of proportion
/// to its size is stopped early instead of after the memory is spent.
const MAX_NODES: usize = 3 * MAX_ELEMENTS;
/// Most entries the parser may hold at once: its stack of open elements plus its list of active
/// formatting elements, exactly as html5ever keeps them. Every tag costs up to this many steps,
/// so a page costs at most its length times this. Real pages stay far below: Mozilla's 65
/// Readability test pages peak at 42 (and build at most 24 275 nodes).
const MAX_OPEN: usize = 256;
/// Input is fed to the parser in pieces this long and the bounds are checked after each, so a
/// hostile page is stopped within a piece of crossing them (a piece holds at most ~170 tags,
/// which bounds what one piece can add); a page that goes over and comes back within one piece
/// only ever costs that piece's work.
const CHUNK: usize = 512;
const MAX_HEADINGS: usize = 40;

/// How long one page may take to read in the pipeline, waiting for a turn included.
pub const EXTRACT_TIMEOUT: Duration = Duration::from_secs(5);
/// Pages read at once per instance: parsing is CPU work, and a few hostile pages must not take
/// every core (or every worker) from the rest of the service.
pub const EXTRACT_PERMITS: usize = 2;

/// Counts the handles html5ever's tree builder holds (its public tracing hook, meant for garbage
/// collectors): the open elements, the active formatting elements and a few fixed ones.
#[derive(Default)]
struct Held(Cell<usize>);

impl Tracer for Held {
    type Handle = NodeId;
    fn trace_handle(&self, _: &NodeId) {
        self.0.set(self.0.get() + 1);
    }
}

/// Parses `html` into the document Readability works on (with dom_query's own options), feeding
/// html5ever piece by piece and refusing the page as soon as the parser holds more than
/// [`MAX_OPEN`] entries or has built more than [`MAX_NODES`] nodes. Measuring html5ever itself
/// rather than scanning tags beforehand means no implied or ignored end tag can fool the count.
fn parse_bounded(html: &str) -> Result<Document, ExtractError> {
    // dom_query parses with scripting off (`<noscript>` content is markup); so must we, for the
    // document we check to be the one Readability reads.
    let opts = ParseOpts {
        tree_builder: TreeBuilderOpts { scripting_enabled: false, ..Default::default() },
        ..Default::default()
    };
    let mut parser = html5ever::parse_document(Document::default(), opts);
    let mut rest = html;
    while !rest.is_empty() {
        let mut end = CHUNK.min(rest.len());
        while !rest.is_char_boundary(end) {
            end += 1;
        }
        let (piece, tail) = rest.split_at(end);
        parser.process(StrTendril::from_slice(piece));
        rest = tail;
        let held = Held::default();
        parser.tokenizer.sink.trace_handles(&held);
        if held.0.get() > MAX_OPEN || parser.tokenizer.sink.sink.tree.len() > MAX_NODES {
            return Err(ExtractError::TooComplex);
        }
    }
    Ok(parser.finish())
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

/// `<h1>`–`<h3>` texts of the article's HTML, in order. The HTML is Readability's serialisation
/// of a part of a bounded document, but it is parsed under the same bounds all the same.
fn headings_of(html: &str) -> Vec<String> {
    let Ok(doc) = parse_bounded(html) else { return Vec::new() };
    let Some(headings) = doc.try_select("h1, h2, h3") else { return Vec::new() };
    headings
        .nodes()
        .iter()
        .map(|h| clean(&h.text()))
        .filter(|h| !h.is_empty())
        .take(MAX_HEADINGS)
        .collect()
}

/// Title from Open Graph, `<title>` or the first `<h1>`: the fallback when Readability finds
/// no article (or no title) at all.
fn metadata_title(doc: &Document) -> Option<String> {
    let first = |css: &str, attr: Option<&str>| -> Option<String> {
        let element = doc.try_select(css)?.first();
        let text = match attr {
            Some(a) => element.attr(a)?.to_string(),
            None => element.text().to_string(),
        };
        non_empty(Some(text))
    };
    first(r#"meta[property="og:title"]"#, Some("content")).or_else(|| first("title", None)).or_else(|| first("h1", None))
}

/// The reader view of `html`, or why the page cannot be read.
pub fn extract(html: &str, base_url: Option<&str>) -> Result<Article, ExtractError> {
    let doc = parse_bounded(html)?;
    let fallback_title = metadata_title(&doc);
    let config = dom_smoothie::Config { max_elements_to_parse: MAX_ELEMENTS, ..Default::default() };
    let parsed = dom_smoothie::Readability::with_document(doc, base_url, Some(config)).and_then(|mut r| r.parse());
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
        Err(dom_smoothie::ReadabilityError::TooManyElements(..)) => return Err(ExtractError::TooComplex),
        Err(err) => {
            tracing::debug!(error = %err, "readability found no article");
            Article::default()
        }
    };
    if article.title.is_none() {
        article.title = fallback_title;
    }
    article.word_count = article.text.split_whitespace().count();
    Ok(article)
}

/// Runs extractions for the pipeline: on a blocking thread (parsing is CPU work), at most
/// [`EXTRACT_PERMITS`] at once per instance, each within [`EXTRACT_TIMEOUT`].
#[derive(Clone, Debug)]
pub struct Reader {
    permits: Arc<Semaphore>,
    timeout: Duration,
}

impl Default for Reader {
    fn default() -> Self {
        Self::new(EXTRACT_PERMITS, EXTRACT_TIMEOUT)
    }
}

impl Reader {
    pub fn new(permits: usize, timeout: Duration) -> Self {
        Self { permits: Arc::new(Semaphore::new(permits.max(1))), timeout }
    }

    pub async fn extract(&self, html: String, base_url: Option<String>) -> Result<Article, ExtractError> {
        self.run(move || extract(&html, base_url.as_deref())).await?
    }

    /// `work` on a blocking thread, holding a permit. The deadline covers the wait for a permit
    /// too, so a job never waits on the reader for longer than [`EXTRACT_TIMEOUT`]. A thread that
    /// overruns keeps its permit until it really ends (a thread cannot be stopped from outside),
    /// so overruns occupy at most the permitted threads, never more.
    async fn run<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> Result<T, ExtractError> {
        let permits = self.permits.clone();
        let job = async move {
            // The semaphore is never closed; a closed one would mean no reader at all.
            let permit = permits.acquire_owned().await.map_err(|_| ExtractError::Failed)?;
            tokio::task::spawn_blocking(move || {
                let result = work();
                drop(permit);
                result
            })
            .await
            .map_err(|err| {
                tracing::error!(error = %err, "the reader thread failed");
                ExtractError::Failed
            })
        };
        tokio::time::timeout(self.timeout, job).await.map_err(|_| ExtractError::TimedOut)?
    }
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

    fn page(body: &str) -> String {
        format!("<!DOCTYPE html><html><head><title>t</title></head><body>{body}</body></html>")
    }

    #[test]
    fn reader_view_keeps_the_article_and_drops_chrome() {
        let a = extract(PAGE, Some("https://bees.example/post")).expect("readable");
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
        let a = extract("<html><head><title>Just a title</title></head><body></body></html>", None).expect("readable");
        assert_eq!(a.title.as_deref(), Some("Just a title"));
        assert_eq!(a.word_count, 0);
        let a = extract(r#"<meta property="og:title" content=" Open  Graph "><h1>Heading</h1>"#, None).expect("readable");
        assert_eq!(a.title.as_deref(), Some("Open Graph"));
    }

    /// Pages that keep more elements open than [`MAX_OPEN`] however their tags are spelled:
    /// end tags html5ever ignores (`</x>` under a `<div>`, `</div>` across a table cell, `</x>`
    /// across a `<div>` opened inside an `x`), the `/>` HTML ignores on non-void elements, and
    /// plain deep nesting. A scan of tag names is fooled by the first three.
    fn deep_pages(n: usize) -> Vec<(&'static str, String)> {
        vec![
            ("ignored end tags", page(&"<div></x>".repeat(n))),
            ("end tags across a table cell", page(&"<div><table><td></div>".repeat(n))),
            ("end tags across a special element", page(&"<x><div></x>".repeat(n))),
            ("self-closing syntax", page(&"<div/>".repeat(n))),
            ("plain nesting", page(&format!("{}x{}", "<div>".repeat(n), "</div>".repeat(n)))),
            ("unclosed blocks", page(&"<blockquote>a".repeat(n))),
        ]
    }

    #[test]
    fn pages_that_keep_too_much_open_are_refused() {
        // The bound is checked between pieces of input: a page must stay over it for a piece.
        for (name, html) in deep_pages(MAX_OPEN + CHUNK) {
            assert_eq!(parse_bounded(&html).err(), Some(ExtractError::TooComplex), "{name}");
            assert_eq!(extract(&html, None), Err(ExtractError::TooComplex), "{name}");
        }
    }

    #[test]
    fn hostile_pages_are_refused_within_linear_work() {
        // 3 MB each: unbounded, the first takes hours. Not a speed assertion (a loaded machine
        // may be slow); a hang guard far above the milliseconds these take.
        let started = std::time::Instant::now();
        for (name, html) in deep_pages(3 * 1024 * 1024 / 10) {
            assert_eq!(extract(&html, None), Err(ExtractError::TooComplex), "{name}");
        }
        assert!(started.elapsed() < Duration::from_secs(120), "{:?}", started.elapsed());
    }

    #[test]
    fn node_bombs_are_stopped_while_parsing() {
        // 100 distinct formatting elements, closed by the `</div>`, stay on the list of active
        // formatting elements, and the text of every new paragraph re-opens them all: eight
        // bytes build a hundred nodes, while little is ever held open at once.
        let open: String = (0..100).map(|i| format!("<b id={i}>")).collect();
        let html = page(&format!("<div>{open}</div>{}", "<p>x</p>".repeat(10_000)));
        assert_eq!(parse_bounded(&html).err(), Some(ExtractError::TooComplex));
        // Many elements, none nested: over Readability's element limit, refused too.
        let wide = page(&"<span>x</span>".repeat(MAX_ELEMENTS + 10));
        assert_eq!(extract(&wide, None), Err(ExtractError::TooComplex));
    }

    #[test]
    fn implied_and_matched_end_tags_do_not_count_as_nesting() {
        // Unclosed `<p>`, `<li>`, `<td>` and `<option>` are closed by the next one, and matched
        // end tags close what they match: thousands of them stay shallow.
        for body in [
            "<p>para".repeat(5_000),
            format!("<ul>{}</ul>", "<li>item".repeat(5_000)),
            format!("<table>{}</table>", "<tr><td>a<td>b".repeat(3_000)),
            format!("<select>{}</select>", "<option>o".repeat(5_000)),
            "<div><span><a href=x>link</a></span></div>".repeat(3_000),
            format!("{}x{}", "<div>".repeat(MAX_OPEN - 20), "</div>".repeat(MAX_OPEN - 20)),
        ] {
            assert!(parse_bounded(&page(&body)).is_ok(), "{}", &body[..40]);
        }
        let normal = "<!DOCTYPE html><html><head><meta charset=utf-8><br/></head><body><p>a<img src=x>b</p></body></html>";
        assert!(parse_bounded(normal).is_ok());
        assert!(parse_bounded(PAGE).is_ok());
    }

    #[test]
    fn noscript_content_is_parsed_as_readability_parses_it() {
        // With scripting on, `<noscript>` swallows the `</div>` and every `<div>` stays open;
        // Readability parses with scripting off, and so does the bound, so both see one tree.
        let html = page(&"<div><noscript></div></noscript>".repeat(5_000));
        assert!(parse_bounded(&html).is_ok());
        assert!(extract(&html, None).is_ok());
    }

    #[tokio::test]
    async fn the_reader_bounds_time_and_concurrency() {
        let reader = Reader::new(2, Duration::from_millis(200));
        let slow = reader.run(|| std::thread::sleep(Duration::from_secs(2))).await;
        assert_eq!(slow, Err(ExtractError::TimedOut));

        let reader = Reader::new(2, Duration::from_secs(30));
        let running = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let most = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let runs = (0..6).map(|_| {
            let (running, most) = (running.clone(), most.clone());
            reader.run(move || {
                use std::sync::atomic::Ordering::SeqCst;
                let now = running.fetch_add(1, SeqCst) + 1;
                most.fetch_max(now, SeqCst);
                std::thread::sleep(Duration::from_millis(50));
                running.fetch_sub(1, SeqCst);
            })
        });
        for result in futures::future::join_all(runs).await {
            assert_eq!(result, Ok(()));
        }
        assert_eq!(most.load(std::sync::atomic::Ordering::SeqCst), 2, "at most two pages are read at once");

        let article = Reader::default().extract(PAGE.to_string(), None).await.expect("readable");
        assert_eq!(article.title.as_deref(), Some("The Real Title"));
    }
}

