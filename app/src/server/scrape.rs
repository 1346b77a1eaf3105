//! Reading a user's blog post safely: the URL's host is resolved once, every address is checked
//! against private and special-purpose ranges, and the connection is pinned to the checked
//! address, so DNS rebinding cannot redirect it. Redirects are followed by hand, re-checking
//! every hop. Body size and total time are capped.

use futures::StreamExt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

pub const MAX_REDIRECTS: usize = 5;
pub const USER_AGENT: &str = "InfographBot/0.1 (+https://github.com/infograph; reads one page per request)";

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum FetchError {
    #[error("only http and https URLs can be read")]
    Scheme,
    #[error("the address {0} is not public")]
    PrivateAddress(IpAddr),
    #[error("the host could not be resolved")]
    Resolve,
    #[error("too many redirects")]
    TooManyRedirects,
    #[error("the page answered HTTP {0}")]
    Status(u16),
    #[error("the page is not HTML ({0})")]
    NotHtml(String),
    #[error("the page is larger than {0} bytes")]
    TooLarge(usize),
    #[error("the page took too long to load")]
    Timeout,
    #[error("the connection failed")]
    Connect,
}

#[derive(Debug, Clone, Copy)]
pub struct FetchPolicy {
    pub allow_private: bool,
    pub timeout: Duration,
    pub max_bytes: usize,
}

fn ipv4_is_public(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_documentation()
        || ip.is_multicast()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // CGNAT 100.64/10
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || a >= 240) // reserved
}

fn ipv6_is_public(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return ipv4_is_public(v4);
    }
    let seg = ip.segments();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || (seg[0] & 0xfe00) == 0xfc00 // unique local fc00::/7
        || (seg[0] & 0xffc0) == 0xfe80 // link local fe80::/10
        || (seg[0] & 0xffc0) == 0xfec0 // site local (deprecated)
        || (seg[0] == 0x2001 && seg[1] == 0x0db8) // documentation
        || (seg[0] == 0x64 && seg[1] == 0xff9b) // NAT64 can reach IPv4 private space
        || (seg[0] == 0x2002) // 6to4 embeds an IPv4 address
        || (seg[0] == 0x2001 && seg[1] == 0) // Teredo embeds an IPv4 address
        || seg[..6] == [0, 0, 0, 0, 0xffff, 0] // IPv4-translated ::ffff:0:a.b.c.d
        || ip.segments()[..6] == [0, 0, 0, 0, 0, 0]) // IPv4-compatible ::a.b.c.d
}

pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => ipv4_is_public(v4),
        IpAddr::V6(v6) => ipv6_is_public(v6),
    }
}

/// Rejects, without any network access, URLs whose host is a literal non-public address or a
/// name that always means this machine. Used at create time so nothing is charged for them.
pub fn check_literal(url: &url::Url, allow_private: bool) -> Result<(), FetchError> {
    if !matches!(url.scheme(), "http" | "https") {
        return Err(FetchError::Scheme);
    }
    if allow_private {
        return Ok(());
    }
    match url.host() {
        Some(url::Host::Ipv4(ip)) if !ipv4_is_public(ip) => Err(FetchError::PrivateAddress(ip.into())),
        Some(url::Host::Ipv6(ip)) if !ipv6_is_public(ip) => Err(FetchError::PrivateAddress(ip.into())),
        Some(url::Host::Domain(d)) if d == "localhost" || d.ends_with(".localhost") => {
            Err(FetchError::PrivateAddress(Ipv4Addr::LOCALHOST.into()))
        }
        None => Err(FetchError::Resolve),
        _ => Ok(()),
    }
}

async fn resolve_checked(url: &url::Url, allow_private: bool) -> Result<SocketAddr, FetchError> {
    check_literal(url, allow_private)?;
    let host = url.host_str().ok_or(FetchError::Resolve)?;
    let port = url.port_or_known_default().ok_or(FetchError::Scheme)?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host, port))
        .await
        .map_err(|_| FetchError::Resolve)?
        .collect();
    let first = *addrs.first().ok_or(FetchError::Resolve)?;
    // Every answer must be public: a name that resolves to one public and one private address
    // is a rebinding attempt.
    if !allow_private {
        if let Some(bad) = addrs.iter().find(|a| !is_public(a.ip())) {
            return Err(FetchError::PrivateAddress(bad.ip()));
        }
    }
    Ok(first)
}

/// A fetched HTML page.
#[derive(Debug, Clone)]
pub struct Page {
    pub final_url: url::Url,
    pub html: String,
}

pub async fn fetch_html(url: &url::Url, policy: FetchPolicy) -> Result<Page, FetchError> {
    tokio::time::timeout(policy.timeout, fetch_following_redirects(url.clone(), policy))
        .await
        .map_err(|_| FetchError::Timeout)?
}

async fn fetch_following_redirects(mut url: url::Url, policy: FetchPolicy) -> Result<Page, FetchError> {
    for _ in 0..=MAX_REDIRECTS {
        let addr = resolve_checked(&url, policy.allow_private).await?;
        let host = url.host_str().ok_or(FetchError::Resolve)?.to_string();
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .resolve(&host, addr)
            .user_agent(USER_AGENT)
            .build()
            .map_err(|_| FetchError::Connect)?;
        let response = client
            .get(url.clone())
            .header(reqwest::header::ACCEPT, "text/html,application/xhtml+xml;q=0.9")
            .send()
            .await
            .map_err(|e| if e.is_timeout() { FetchError::Timeout } else { FetchError::Connect })?;
        let status = response.status();
        if status.is_redirection() {
            let location = response
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .ok_or(FetchError::Status(status.as_u16()))?;
            url = url.join(location).map_err(|_| FetchError::Status(status.as_u16()))?;
            continue;
        }
        if !status.is_success() {
            return Err(FetchError::Status(status.as_u16()));
        }
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase();
        if !(content_type.starts_with("text/html") || content_type.starts_with("application/xhtml+xml")) {
            return Err(FetchError::NotHtml(content_type));
        }
        let html = read_capped(response, policy.max_bytes).await?;
        return Ok(Page { final_url: url, html });
    }
    Err(FetchError::TooManyRedirects)
}

async fn read_capped(response: reqwest::Response, max: usize) -> Result<String, FetchError> {
    if response.content_length().is_some_and(|n| n as usize > max) {
        return Err(FetchError::TooLarge(max));
    }
    let mut body = Vec::new();
    let mut stream = response.bytes_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| if e.is_timeout() { FetchError::Timeout } else { FetchError::Connect })?;
        if body.len() + chunk.len() > max {
            return Err(FetchError::TooLarge(max));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(String::from_utf8_lossy(&body).into_owned())
}

/// What we keep of an article.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Article {
    pub title: Option<String>,
    pub headings: Vec<String>,
    pub text: String,
    #[serde(skip)]
    pub blocks: usize,
}

fn clean(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Bounds that keep a hostile page (deeply nested, or millions of blocks) cheap to read.
const MAX_DEPTH: usize = 128;
const MAX_BLOCKS: usize = 5_000;
const MAX_TEXT_CHARS: usize = 200_000;

/// Elements that are page chrome, not article content.
fn is_chrome(name: &str, inside_article: bool) -> bool {
    matches!(name, "nav" | "aside" | "footer" | "form" | "script" | "style" | "noscript" | "template" | "svg" | "iframe")
        || (name == "header" && !inside_article)
}

fn is_block(name: &str) -> bool {
    matches!(name, "h1" | "h2" | "h3" | "p" | "li" | "blockquote" | "pre" | "figcaption" | "dd" | "dt")
}

/// One pass over the tree: blocks are taken whole (their own subtree's text) and not descended
/// into, chrome is skipped, so every node is visited at most twice.
fn collect_blocks(el: scraper::ElementRef<'_>, depth: usize, inside_article: bool, article: &mut Article, chars: &mut usize) {
    if depth > MAX_DEPTH {
        return;
    }
    for child in el.children().filter_map(scraper::ElementRef::wrap) {
        if article.blocks >= MAX_BLOCKS || *chars >= MAX_TEXT_CHARS {
            return;
        }
        let name = child.value().name();
        if is_chrome(name, inside_article) {
            continue;
        }
        if !is_block(name) {
            collect_blocks(child, depth + 1, inside_article, article, chars);
            continue;
        }
        let text = clean(&child.text().collect::<String>());
        if text.is_empty() {
            continue;
        }
        if matches!(name, "h1" | "h2" | "h3") {
            article.headings.push(text.clone());
        }
        *chars += text.len();
        if !article.text.is_empty() {
            article.text.push('\n');
        }
        article.text.push_str(&text);
        article.blocks += 1;
    }
}

const MAX_NESTING: usize = 400;

/// Cuts the document where tag nesting first exceeds [`MAX_NESTING`]. html5ever checks element
/// scopes by walking the stack of open elements, so a page of 50 000 nested `<div>`s costs
/// quadratic time (seconds per request); no real article nests anywhere near this deep.
/// Hand-rolled because it must run before the parser: a linear scan of tag starts and ends that
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
        } else if rest.starts_with('!') || rest.starts_with('?') {
            // comments, doctype, processing instructions: no nesting
        } else {
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

/// Title from Open Graph, `<title>` or the first `<h1>`; body text from the `<article>` (or
/// `<main>`, or `<body>`), skipping navigation, asides, footers, forms and scripts.
/// `scraper::Html` is not `Send`: this stays synchronous so it never crosses an `.await`.
pub fn extract(html: &str) -> Article {
    use scraper::{Html, Selector};
    let doc = Html::parse_document(cap_nesting(html));
    let sel = |s: &str| Selector::parse(s).ok();
    let first_text = |s: &str| -> Option<String> {
        let selector = sel(s)?;
        doc.select(&selector).next().map(|e| clean(&e.text().collect::<String>())).filter(|t| !t.is_empty())
    };
    let og_title = sel(r#"meta[property="og:title"]"#).and_then(|s| {
        doc.select(&s).next().and_then(|e| e.value().attr("content")).map(clean).filter(|t| !t.is_empty())
    });
    let title = og_title.or_else(|| first_text("title")).or_else(|| first_text("h1"));
    let mut article = Article { title, ..Article::default() };
    let root = ["article", "main", "body"]
        .iter()
        .filter_map(|s| sel(s).map(|sel| (*s, sel)))
        .find_map(|(name, s)| doc.select(&s).next().map(|e| (name, e)));
    if let Some((name, root)) = root {
        let mut chars = 0;
        collect_blocks(root, 0, name != "body", &mut article, &mut chars);
    }
    article
}

/// Parsing is CPU work: keep it off the async threads.
pub async fn extract_off_thread(html: String) -> Article {
    tokio::task::spawn_blocking(move || extract(&html)).await.unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> url::Url {
        url::Url::parse(s).unwrap()
    }

    #[test]
    fn private_and_special_addresses_are_not_public() {
        for ip in [
            "127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1",
            "0.0.0.0", "224.0.0.1", "255.255.255.255", "::1", "::", "fc00::1", "fd12::1", "fe80::1",
            "ff02::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "64:ff9b::a00:1", "::ffff:0:7f00:1", "2001:0:4136:e378::1",
        ] {
            assert!(!is_public(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["93.184.216.34", "1.1.1.1", "2606:4700::1111"] {
            assert!(is_public(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn numeric_tricks_are_normalised_then_refused() {
        for u in [
            "http://2130706433/", "http://0x7f.0.0.1/", "http://0177.0.0.1/", "http://127.1/",
            "http://[::ffff:7f00:1]/", "http://localhost:8080/", "http://0/", "http://169.254.169.254/latest",
        ] {
            assert!(check_literal(&url(u), false).is_err(), "{u}");
        }
        assert!(check_literal(&url("https://example.com/post"), false).is_ok());
        assert!(check_literal(&url("http://127.0.0.1/"), true).is_ok());
    }

    #[test]
    fn extraction_keeps_the_article_and_drops_chrome() {
        let html = r#"<html><head><title>Site | Post</title>
            <meta property="og:title" content="The Real Title"></head>
            <body><nav><p>Home About</p></nav>
            <article><h1>Heading One</h1><p>First   paragraph.</p><aside><p>Ad text</p></aside>
            <h2>Section</h2><p>Second paragraph with 42%.</p></article>
            <footer><p>Copyright</p></footer></body></html>"#;
        let a = extract(html);
        assert_eq!(a.title.as_deref(), Some("The Real Title"));
        assert_eq!(a.headings, vec!["Heading One", "Section"]);
        assert!(a.text.contains("First paragraph."));
        assert!(a.text.contains("42%"));
        assert!(!a.text.contains("Ad text") && !a.text.contains("Home About") && !a.text.contains("Copyright"));
    }

    #[test]
    fn hostile_pages_stay_bounded() {
        let nested = format!("<html><body>{}x{}</body></html>", "<div>".repeat(50_000), "</div>".repeat(50_000));
        let a = extract(&nested);
        assert!(a.text.is_empty());
        let many = format!("<html><body>{}</body></html>", "<p>word</p>".repeat(20_000));
        let a = extract(&many);
        assert_eq!(a.blocks, MAX_BLOCKS);
        let quotes = format!("<html><body>{}</body></html>", "<blockquote>a".repeat(20_000));
        let a = extract(&quotes);
        assert_eq!(a.blocks, 1, "a block is taken whole, not once per nesting level");
        assert!(a.text.len() <= MAX_NESTING, "nesting is cut before parsing");
    }

    #[test]
    fn nesting_cap_keeps_normal_pages_whole() {
        let page = "<!DOCTYPE html><html><head><meta charset=utf-8><br/></head><body><p>a<img src=x>b</p></body></html>";
        assert_eq!(cap_nesting(page), page);
        let deep = "<div>".repeat(MAX_NESTING + 10);
        assert_eq!(cap_nesting(&deep).len(), MAX_NESTING * 5);
    }
}
