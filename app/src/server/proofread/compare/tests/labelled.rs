//! The labelled set: clean read-backs with one problem put in each (a letter dropped, doubled or
//! swapped in a word; a digit changed in a number), and the clean read-backs themselves.

use super::super::numbers::{Convention, SourceNumbers};
use super::super::evaluate;
use super::*;
use ProblemKind::*;

/// The words (letters only, two or more) and numbers of `text`, as byte ranges.
fn spans(text: &str, numbers: bool) -> Vec<std::ops::Range<usize>> {
    let wanted = |c: char| if numbers { c.is_ascii_digit() } else { c.is_alphabetic() };
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices().chain([(text.len(), ' ')]) {
        match (start, wanted(c)) {
            (None, true) => start = Some(i),
            (Some(s), false) => {
                if numbers || text[s..i].chars().count() >= 2 {
                    out.push(s..i);
                }
                start = None;
            }
            _ => {}
        }
    }
    out
}

/// The word with its middle letter dropped, doubled, or swapped with the one before.
fn misspell(word: &str, how: usize) -> Option<String> {
    let mut chars: Vec<char> = word.chars().collect();
    let mid = chars.len() / 2;
    match how {
        0 => {
            chars.remove(mid);
        }
        1 => chars.insert(mid, chars[mid]),
        _ if chars.len() < 2 || chars[mid - 1] == chars[mid] => return None,
        _ => chars.swap(mid - 1, mid),
    }
    Some(chars.into_iter().collect())
}

/// The number with its last digit changed to the first value no source has.
fn renumber(text: &str, span: &std::ops::Range<usize>, sources: &SourceNumbers, language: &str) -> Option<String> {
    let digits = &text[span.clone()];
    let last = digits.chars().last()?.to_digit(10)?;
    (1..10).map(|d| format!("{}{}", &digits[..digits.len() - 1], (last + d) % 10)).find(|candidate| {
        let changed = format!("{}{}{}", &text[..span.start], candidate, &text[span.end..]);
        let number = numbers_around(&changed, span.start, language);
        !sources.contains(&number)
    })
}

/// The number (with its grouping) that the digits at `at` belong to.
fn numbers_around(text: &str, at: usize, language: &str) -> super::super::numbers::Number {
    let part_of_number = |c: char| c.is_ascii_digit() || matches!(c, ',' | '.' | ' ');
    let start = text[..at].char_indices().rev().find(|&(_, c)| !part_of_number(c)).map_or(0, |(i, c)| i + c.len_utf8());
    let start = text[start..].find(|c: char| c.is_ascii_digit()).map_or(at, |i| start + i);
    super::super::numbers::scan(text, start, Convention::of(language)).1
}

/// A step number the read-back added ("2. HONEY", a lone "3"): not the picture's text.
fn is_step_number(text: &str, span: &std::ops::Range<usize>) -> bool {
    let line_start = text[..span.start].rfind('\n').map_or(0, |i| i + 1);
    span.start == line_start && !text[span.end..].trim_start_matches(' ').starts_with('%') && span.len() <= 2
}

/// A word of four letters or more left out, a line of extra text, a line in another language.
fn other_problems(expected: &Expected, clean: &str, language: &str) -> Vec<(Expected, String, Vec<ProblemKind>)> {
    let mut cases = Vec::new();
    for span in spans(clean, false).into_iter().filter(|s| clean[s.clone()].chars().count() >= 4).step_by(3) {
        cases.push((expected.clone(), format!("{}{}", &clean[..span.start], &clean[span.end..]), vec![Missing]));
    }
    let extra = match language {
        "en" => "Order your honey online today",
        "de" => "Bestellen Sie Ihren Honig heute online",
        "fr" => "Commandez votre miel en ligne aujourd'hui",
        "es" => "Pida su miel en línea hoy mismo",
        "el" => "Παραγγείλτε το μέλι σας σήμερα",
        _ => "Закажите мёд онлайн уже сегодня",
    };
    let foreign = if language == "en" { "Die Bienen brauchen dringend unsere Hilfe und unseren Schutz" } else { "Bees urgently need our help and our protection every day" };
    let lines: Vec<&str> = clean.lines().collect();
    for at in [1, lines.len() / 2, lines.len()] {
        for (line, kind) in [(extra, Extra), (foreign, WrongLanguage)] {
            let mut changed = lines.clone();
            changed.insert(at, line);
            cases.push((expected.clone(), changed.join("\n"), vec![kind]));
        }
    }
    cases
}

pub(crate) fn labelled_set() -> Vec<(Expected, String, Vec<ProblemKind>)> {
    let mut cases = Vec::new();
    for sample in SAMPLES {
        let expected = expected(sample);
        let sources = SourceNumbers::new(expected.sources.iter().map(String::as_str));
        for way in 0..WAYS {
            let clean = read_back(sample, way);
            cases.push((expected.clone(), clean.clone(), Vec::new()));
            for (n, span) in spans(&clean, false).into_iter().enumerate() {
                let Some(word) = misspell(&clean[span.clone()], n % 3) else { continue };
                cases.push((expected.clone(), format!("{}{word}{}", &clean[..span.start], &clean[span.end..]), vec![Misspelled]));
            }
            cases.extend(other_problems(&expected, &clean, sample.language));
            for span in spans(&clean, true).into_iter().filter(|s| !is_step_number(&clean, s)) {
                let Some(number) = renumber(&clean, &span, &sources, sample.language) else { continue };
                cases.push((expected.clone(), format!("{}{number}{}", &clean[..span.start], &clean[span.end..]), vec![NumberNotInSource]));
            }
        }
    }
    cases
}

#[test]
fn injected_problems_are_found_and_nothing_else() {
    let cases = labelled_set();
    assert!(cases.len() > 800, "{}", cases.len());
    let (precision, recall) = evaluate(&cases);
    let misses: Vec<String> = cases
        .iter()
        .filter(|(e, t, k)| kinds(&compare(e, t)) != *k)
        .take(40)
        .map(|(e, t, k)| format!("{} want {k:?}, got {:?}\n{t}", e.language, compare(e, t).problems))
        .collect();
    eprintln!("labelled set: {} cases, precision {precision:.3}, recall {recall:.3}", cases.len());
    assert!(precision >= 0.95 && recall >= 0.95, "precision {precision:.3}, recall {recall:.3}; first misses:\n{}", misses.join("\n---\n"));
}

#[test]
fn evaluate_counts_right_wrong_and_missed() {
    let expected = Expected { blocks: vec!["Bees pollinate crops".into()], sources: vec![], language: "en".into() };
    let cases = [
        (expected.clone(), "Bees polinate crops".to_string(), vec![Misspelled]),
        (expected.clone(), "Bees pollinate crops".to_string(), vec![Missing]),
        (expected.clone(), "Bees pollinate crops\n77".to_string(), vec![]),
    ];
    assert_eq!(evaluate(&cases), (0.5, 0.5));
    assert_eq!(evaluate(&[]), (1.0, 1.0));
}
