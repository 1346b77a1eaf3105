//! Extraction quality against Mozilla Readability's own test pages (a folder named by
//! `READABILITY_FIXTURES`, or the shared fixtures beside the checkout; skipped when absent):
//! token-level F1 of our `text` against the text of the reference reader view.

use app::server::blog::extract::extract;
use std::collections::HashMap;
use std::path::PathBuf;

fn fixtures() -> Option<PathBuf> {
    let dir = std::env::var_os("READABILITY_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures/readability"));
    dir.is_dir().then_some(dir)
}

/// Lower-cased word tokens (letters and digits, any script), counted.
fn tokens(text: &str) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for token in text.split(|c: char| !c.is_alphanumeric()).filter(|t| !t.is_empty()) {
        *counts.entry(token.to_lowercase()).or_insert(0) += 1;
    }
    counts
}

fn f1(ours: &str, reference: &str) -> f64 {
    let (a, b) = (tokens(ours), tokens(reference));
    let overlap: usize = a.iter().map(|(t, n)| (*n).min(*b.get(t).unwrap_or(&0))).sum();
    let (na, nb): (usize, usize) = (a.values().sum(), b.values().sum());
    if na == 0 && nb == 0 {
        return 1.0;
    }
    if overlap == 0 {
        return 0.0;
    }
    let precision = overlap as f64 / na as f64;
    let recall = overlap as f64 / nb as f64;
    2.0 * precision * recall / (precision + recall)
}

fn reference_text(expected_html: &str) -> String {
    scraper::Html::parse_fragment(expected_html).root_element().text().collect::<Vec<_>>().join(" ")
}

#[test]
fn f1_against_mozilla_readability_reference_pages() {
    let Some(dir) = fixtures() else {
        eprintln!("readability fixtures not found (set READABILITY_FIXTURES): skipped");
        return;
    };
    let mut scores = Vec::new();
    let mut slowest = (String::new(), std::time::Duration::ZERO);
    let mut times = Vec::new();
    let mut pages: Vec<_> = std::fs::read_dir(&dir).expect("fixtures dir").filter_map(Result::ok).map(|e| e.path()).collect();
    pages.sort();
    for page in pages.iter().filter(|p| p.join("source.html").is_file() && p.join("expected.html").is_file()) {
        let name = page.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let source = std::fs::read(page.join("source.html")).expect("source");
        let source = app::server::blog::fetch::decode_html(&source, "text/html");
        let expected = std::fs::read_to_string(page.join("expected.html")).expect("expected");
        let started = std::time::Instant::now();
        // A refused page scores 0: the bound must never cost a real article.
        let text = match extract(&source, Some("http://fakehost/test/page.html")) {
            Ok(article) => article.text,
            Err(err) => {
                eprintln!("  refused: {name}: {err}");
                String::new()
            }
        };
        let took = started.elapsed();
        times.push(took);
        if took > slowest.1 {
            slowest = (name.clone(), took);
        }
        scores.push((f1(&text, &reference_text(&expected)), name));
    }
    assert!(scores.len() >= 50, "expected the fixture corpus, found {} pages", scores.len());
    scores.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mean = scores.iter().map(|s| s.0).sum::<f64>() / scores.len() as f64;
    eprintln!("readability F1 over {} pages: mean {mean:.4}", scores.len());
    for (score, name) in scores.iter().take(8) {
        eprintln!("  worst: {score:.4} {name}");
    }
    times.sort();
    // Reported, not asserted: speed is measured, never a test condition. The parsing and scoring
    // run in dependencies, which are optimised even in this test build.
    eprintln!("  extraction time: median {:?}, slowest {} in {:?}", times[times.len() / 2], slowest.0, slowest.1);
    assert!(mean >= 0.95, "mean token F1 {mean:.4} is below 0.95");
}

#[test]
fn f1_scoring_is_sane() {
    assert_eq!(f1("a b c", "a b c"), 1.0);
    assert_eq!(f1("x y", "a b"), 0.0);
    assert!((f1("a b", "a b c d") - 2.0 * 1.0 * 0.5 / 1.5).abs() < 1e-9);
    assert_eq!(f1("Hello, WORLD!", "hello world"), 1.0);
}
