//! Numbers as values, not as strings: "1,000", "1000", "1 000" and (where the dot groups
//! thousands) "1.000" are one number; "2.5" and "2,5" are one number; a "%" after a number is
//! not part of it ("58 %" = "58%").

use std::collections::HashSet;

/// How the text being read writes its decimals: the convention of the language asked for. It
/// only decides an otherwise ambiguous "1,000" / "1.000" (one separator, three digits after).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Convention {
    /// "2.5", "1,000": English, Japanese, Chinese, Korean, Hindi, Hebrew…
    DotDecimal,
    /// "2,5", "1.000": most of continental Europe, Russian, Greek, Turkish, Indonesian…
    CommaDecimal,
    /// Unknown (sources may be in any language): both readings are kept.
    Either,
}

impl Convention {
    pub(super) fn of(code: &str) -> Self {
        const COMMA: [&str; 18] =
            ["es", "fr", "de", "it", "pt", "pt-br", "nl", "sv", "da", "nb", "fi", "pl", "cs", "tr", "el", "ru", "uk", "id"];
        let code = code.trim().to_ascii_lowercase();
        if COMMA.contains(&code.as_str()) {
            Self::CommaDecimal
        } else if code.is_empty() {
            Self::Either
        } else {
            Self::DotDecimal
        }
    }

    /// The separator that, in this convention, only ever groups thousands.
    fn grouping(self) -> Option<char> {
        match self {
            Self::DotDecimal => Some(','),
            Self::CommaDecimal => Some('.'),
            Self::Either => None,
        }
    }
}

/// One number as written, with every value it can mean.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Number {
    /// Canonical values ("1000", "2.5"), the most likely first. Empty when the digits are not one
    /// number (a date "12.05.2024", a version "3.14.1"): then `groups` are compared.
    pub readings: Vec<String>,
    /// The digit groups, leading zeros dropped, for a run that is not one number.
    pub groups: Vec<String>,
}

impl Number {
    /// What the alignment compares: the first reading, or the whole run for a non-number.
    pub(super) fn key(&self) -> String {
        self.readings.first().cloned().unwrap_or_else(|| self.groups.join("."))
    }

    /// Whether two written numbers can be the same value.
    pub(super) fn same_as(&self, other: &Number) -> bool {
        if self.readings.is_empty() || other.readings.is_empty() {
            return self.readings.is_empty() && other.readings.is_empty() && self.groups == other.groups;
        }
        self.readings.iter().any(|r| other.readings.contains(r))
    }
}

/// The value of a decimal digit in the scripts the languages offered write numbers in (NFKC has
/// already made full-width digits ASCII; Arabic-Indic, Persian and Devanagari digits stay).
pub(super) fn digit_value(c: char) -> Option<u32> {
    match c {
        '0'..='9' => c.to_digit(10),
        '\u{0660}'..='\u{0669}' => Some(c as u32 - 0x0660),
        '\u{06F0}'..='\u{06F9}' => Some(c as u32 - 0x06F0),
        '\u{0966}'..='\u{096F}' => Some(c as u32 - 0x0966),
        _ => None,
    }
}

/// A separator that can only group thousands ("1 000", "1'000", Arabic "١٬٠٠٠").
fn is_space_grouping(c: char) -> bool {
    matches!(c, ' ' | '\u{A0}' | '\u{202F}' | '\u{2009}' | '\'' | '\u{2019}' | '\u{066C}')
}

/// A separator that may group or mark decimals; Arabic's decimal sign reads as a dot.
fn punct(c: char) -> Option<char> {
    match c {
        '.' | '\u{066B}' => Some('.'),
        ',' => Some(','),
        _ => None,
    }
}

/// A run of digits and the separators between them, as scanned.
#[derive(Default)]
struct Run {
    groups: Vec<String>,
    /// `seps[i]` sits between `groups[i]` and `groups[i + 1]`: `Some('.')`/`Some(',')` for
    /// punctuation, `None` for a space-like grouping separator.
    seps: Vec<Option<char>>,
}

/// Scans the number starting at byte `start` of `text` (which must hold a digit there) and
/// returns its end (exclusive, a char boundary) and its value. Reads each character a few
/// times at most, so a line of numbers costs its length.
pub(super) fn scan(text: &str, start: usize, convention: Convention) -> (usize, Number) {
    let mut run = Run::default();
    let mut at = take_digits(text, start, &mut run.groups);
    while let Some(c) = char_at(text, at) {
        let after = at + c.len_utf8();
        let Some(sep) = accept_separator(c, digits_at(text, after), &run) else { break };
        run.seps.push(sep);
        at = take_digits(text, after, &mut run.groups);
    }
    (at, value(&run, convention))
}

fn char_at(text: &str, at: usize) -> Option<char> {
    text.get(at..).and_then(|rest| rest.chars().next())
}

/// How many digits start at byte `at`.
fn digits_at(text: &str, at: usize) -> usize {
    text.get(at..).unwrap_or_default().chars().take_while(|&c| digit_value(c).is_some()).count()
}

/// Pushes the digits from byte `at` as one group; returns the byte after them.
fn take_digits(text: &str, mut at: usize, groups: &mut Vec<String>) -> usize {
    let mut group = String::new();
    while let Some(c) = char_at(text, at) {
        let Some(d) = digit_value(c) else { break };
        group.push(char::from_digit(d, 10).unwrap_or('0'));
        at += c.len_utf8();
    }
    groups.push(group);
    at
}

/// Whether the separator `c`, followed by `next_digits` digits, continues the number. A space
/// groups only "1 000"-shaped runs, so "in 2024 3 cities" stays two numbers.
fn accept_separator(c: char, next_digits: usize, run: &Run) -> Option<Option<char>> {
    if next_digits == 0 {
        return None;
    }
    if let Some(p) = punct(c) {
        return Some(Some(p));
    }
    let last = run.groups.last().map_or(0, String::len);
    let shaped = if run.groups.len() == 1 { last <= 3 } else { last == 3 };
    let no_punct_yet = run.seps.iter().all(Option::is_none);
    (is_space_grouping(c) && shaped && next_digits == 3 && no_punct_yet).then_some(None)
}

/// The values a scanned run can mean.
fn value(run: &Run, convention: Convention) -> Number {
    let groups: Vec<String> = run.groups.iter().map(|g| strip_zeros(g)).collect();
    let puncts: Vec<(usize, char)> = run.seps.iter().enumerate().filter_map(|(i, s)| s.map(|p| (i, p))).collect();
    let readings = match puncts.as_slice() {
        [] => vec![strip_zeros(&run.groups.concat())],
        [(i, p)] => one_separator(run, *i, *p, convention),
        [.., (last_i, last_p)] => many_separators(run, &puncts, *last_i, *last_p),
    };
    Number { readings, groups }
}

/// "1,000" (grouping, or 1.0 where the comma is a decimal sign) or "2,5" (decimal).
fn one_separator(run: &Run, i: usize, p: char, convention: Convention) -> Vec<String> {
    let decimal = decimal(&run.groups[..=i], &run.groups[i + 1..]);
    let may_group = thousands_shaped(&run.groups) && run.groups[i + 1..].iter().all(|g| g.len() == 3);
    match (may_group, convention.grouping() == Some(p)) {
        (true, true) => vec![strip_zeros(&run.groups.concat())],
        (true, false) => vec![strip_zeros(&run.groups.concat()), decimal],
        (false, _) => vec![decimal],
    }
}

/// "1,000,000" and "1.234,5" are numbers; "12.05.2024" is not one (no readings).
fn many_separators(run: &Run, puncts: &[(usize, char)], last_i: usize, last_p: char) -> Vec<String> {
    let all_same = puncts.iter().all(|&(_, p)| p == last_p);
    if all_same {
        return if thousands_shaped(&run.groups) { vec![strip_zeros(&run.groups.concat())] } else { Vec::new() };
    }
    let grouping_ok = puncts[..puncts.len() - 1].iter().all(|&(_, p)| p != last_p) && thousands_shaped(&run.groups[..=last_i]);
    if grouping_ok {
        vec![decimal(&run.groups[..=last_i], &run.groups[last_i + 1..])]
    } else {
        Vec::new()
    }
}

/// Groups that read as thousands: the first of one to three digits, the rest of three.
fn thousands_shaped(groups: &[String]) -> bool {
    match groups.split_first() {
        Some((first, rest)) => (1..=3).contains(&first.len()) && rest.iter().all(|g| g.len() == 3),
        None => false,
    }
}

fn decimal(integer: &[String], fraction: &[String]) -> String {
    let integer = strip_zeros(&integer.concat());
    let fraction = fraction.concat();
    let fraction = fraction.trim_end_matches('0');
    if fraction.is_empty() {
        integer
    } else {
        format!("{integer}.{fraction}")
    }
}

fn strip_zeros(digits: &str) -> String {
    let stripped = digits.trim_start_matches('0');
    if stripped.is_empty() { "0".to_string() } else { stripped.to_string() }
}

/// Every value any number in the sources can mean.
#[derive(Debug, Default)]
pub(super) struct SourceNumbers {
    values: HashSet<String>,
}

impl SourceNumbers {
    /// `texts` are already NFKC-normalised and capped.
    pub(super) fn new<'a>(texts: impl IntoIterator<Item = &'a str>) -> Self {
        let mut values = HashSet::new();
        for text in texts {
            for number in numbers_in(text) {
                values.extend(number.readings);
                values.extend(number.groups);
            }
        }
        Self { values }
    }

    /// Whether `number` can be read as a number of the sources; a run that is not one number
    /// (a date) is, when each of its parts is.
    pub(super) fn contains(&self, number: &Number) -> bool {
        if number.readings.is_empty() {
            return number.groups.iter().all(|g| self.values.contains(g));
        }
        number.readings.iter().any(|r| self.values.contains(r))
    }
}

/// Every number in `text`, read with both conventions (a source may be in any language).
fn numbers_in(text: &str) -> Vec<Number> {
    let mut numbers = Vec::new();
    let mut skip_to = 0;
    for (at, c) in text.char_indices() {
        if at < skip_to || digit_value(c).is_none() {
            continue;
        }
        let (end, number) = scan(text, at, Convention::Either);
        numbers.push(number);
        skip_to = end;
    }
    numbers
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str, convention: Convention) -> Vec<String> {
        scan(text, 0, convention).1.readings
    }

    #[test]
    fn thousands_are_one_value_however_grouped() {
        for text in ["1000", "1,000", "1 000", "1\u{202F}000", "1'000"] {
            assert_eq!(read(text, Convention::DotDecimal)[0], "1000", "{text}");
        }
        assert_eq!(read("1.000", Convention::CommaDecimal), ["1000"]);
        assert_eq!(read("1,000,000", Convention::DotDecimal), ["1000000"]);
        assert_eq!(read("1.234,5", Convention::CommaDecimal), ["1234.5"]);
        assert_eq!(read("1 234,5", Convention::CommaDecimal), ["1234.5"]);
    }

    #[test]
    fn decimals_read_the_same_with_a_dot_or_a_comma() {
        assert_eq!(read("2.5", Convention::DotDecimal), ["2.5"]);
        assert_eq!(read("2,5", Convention::DotDecimal), ["2.5"]);
        assert_eq!(read("2,50", Convention::CommaDecimal), ["2.5"]);
        assert_eq!(read("1,000", Convention::CommaDecimal), ["1000", "1"]);
    }

    #[test]
    fn a_space_only_groups_thousands() {
        let (end, _) = scan("2024 3 cities", 0, Convention::DotDecimal);
        assert_eq!(end, 4);
        let (end, _) = scan("58 %", 0, Convention::DotDecimal);
        assert_eq!(end, 2);
    }

    #[test]
    fn a_date_is_compared_part_by_part() {
        let date = scan("12.05.2024", 0, Convention::CommaDecimal).1;
        assert!(date.readings.is_empty());
        assert!(SourceNumbers::new(["on 12.05.2024"]).contains(&date));
        assert!(!SourceNumbers::new(["on 12.06.2024"]).contains(&date));
    }

    #[test]
    fn sources_know_every_reading() {
        let sources = SourceNumbers::new(["About 1,000 bees, 58 % of them, 2.5 km away; ٣٤ hives"]);
        for (text, convention) in [("1000", Convention::DotDecimal), ("1.000", Convention::CommaDecimal), ("58", Convention::DotDecimal), ("2,5", Convention::CommaDecimal), ("34", Convention::DotDecimal)] {
            assert!(sources.contains(&scan(text, 0, convention).1), "{text}");
        }
        assert!(!sources.contains(&scan("1,001", 0, Convention::DotDecimal).1));
        assert!(!sources.contains(&scan("59", 0, Convention::DotDecimal).1));
    }
}
