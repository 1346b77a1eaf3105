//! A sentence's key figure as it is written: the number with its unit, range, ratio and
//! qualifier ("up to 200,000 bees", "1 in 5 colonies", "40 %"), and how much it says. Every look
//! around a number is bounded, so the whole is linear in the text.

use super::{clip, set, word_key, STOP_WORDS, STRONGEST};
use crate::model::design::FIGURE_MAX_CHARS;
use regex::Regex;
use std::collections::HashSet;
use std::sync::LazyLock;

/// A number as written: grouped thousands ("7,000", "40.000", "103 000" with a no-break space)
/// or plain, with decimals ("1.5", "1,4").
static NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\d{1,3}(?:[,.\x{a0}\x{202f}]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?").unwrap_or_else(|e| unreachable!("the pattern is valid: {e}"))
});
/// Right after a number: a range's other end ("6 to 8 weeks", "5-8 kWh").
static RANGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:\s*[-–]\s*|\s+(?:to|bis|à|au)\s+)\d+(?:[.,]\d+)?").unwrap_or_else(|e| unreachable!("the pattern is valid: {e}"))
});
/// Right after a number: the rest of a ratio ("1 in 5", "56 of the 61", "1 von 4").
static RATIO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s+(?:in|out of|of(?: the)?|von|sur|de cada)\s+\d{1,3}(?:[,.]\d{3})*\b").unwrap_or_else(|e| unreachable!("the pattern is valid: {e}"))
});
pub(super) static YEAR: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\b(1[5-9]\d\d|20\d\d)\b").unwrap_or_else(|e| unreachable!("the pattern is valid: {e}")));

/// Words after a number that are not its unit: verbs and the like ("18 made it permanent").
static NOT_UNITS: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    set(&[
        "made", "said", "went", "took", "kept", "got", "came", "saw", "found", "gave", "left", "felt", "became", "began", "paid", "sold", "bought", "spent", "lost", "won",
        "ran", "rose", "fell", "grew", "knew", "thought", "told", "brought", "meant", "held", "stood", "say", "says", "think", "want", "need", "get", "make", "see",
        "percent", "am", "pm", "a.m", "p.m", "times", "st", "nd", "rd", "th",
    ])
});

static MONTHS: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    set(&[
        "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul",
        "aug", "sep", "sept", "oct", "nov", "dec", "januar", "februar", "märz", "mai", "juni", "juli", "oktober", "dezember", "janvier", "février", "mars", "avril", "juin",
        "juillet", "août", "septembre", "octobre", "novembre", "décembre", "enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
        "noviembre", "diciembre",
    ])
});

/// Words right before a year that make it a date ("in 2019", "seit 2005", "depuis 2010").
static BEFORE_YEARS: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    set(&["in", "since", "by", "from", "until", "till", "of", "year", "before", "after", "seit", "im", "bis", "jahr", "ab", "en", "depuis", "année", "desde", "año", "until", "early", "late", "mid"])
});

const PERCENT_WORDS: [&str; 6] = ["percent", "prozent", "pourcent", "procent", "porcentaje", "pct"];
const SCALE_WORDS: [&str; 20] = [
    "million", "millions", "billion", "billions", "trillion", "bn", "thousand", "millionen", "milliarden", "milliarde", "mio.", "mrd.", "mio", "mrd", "milliards", "milliard",
    "millones", "millón", "mil", "tausend",
];
/// Currencies written after the amount (cents are a unit: "35 cents" is no headline sum).
const CURRENCY_WORDS: [&str; 23] = [
    "€", "$", "£", "¥", "euro", "euros", "dollars", "dollar", "pounds", "pound", "kronen", "kroner", "kronor", "krone", "crowns", "yen", "francs", "franken", "chf", "eur", "usd",
    "gbp", "pesos",
];
const MULTIPLE_WORDS: [&str; 5] = ["times", "fois", "mal", "veces", "×"];
/// What a multiple is of ("4 times more", "4 fois plus", "3-mal seltener").
const COMPARATIVES: [&str; 24] = [
    "more", "less", "fewer", "higher", "lower", "bigger", "larger", "smaller", "faster", "slower", "cheaper", "plus", "moins", "mehr", "weniger", "seltener", "häufiger",
    "öfter", "schneller", "teurer", "günstiger", "más", "menos", "likelier",
];
/// Units that need no noun after them ("10 kWh battery" is "10 kWh").
const SHORT_UNITS: [&str; 24] = [
    "kg", "km", "kwh", "mwh", "gwh", "kw", "mw", "gw", "m", "cm", "mm", "g", "mg", "ml", "l", "h", "min", "sec", "gb", "mb", "tb", "mph", "km/h", "m²",
];
/// Words right before a number that change what it says ("up to 6 km", "more than 7,000").
/// Longer ones first: "just over" before "over".
const QUALIFIERS: [&str; 38] = [
    "just under", "just over", "up to", "about", "around", "roughly", "nearly", "almost", "over", "more than", "fewer than", "less than", "at least", "at most", "some", "under",
    "approximately", "an estimated", "rund", "etwa", "fast", "mehr als", "über", "bis zu", "knapp", "weniger als", "mindestens", "environ", "près de", "plus de", "moins de",
    "jusqu'à", "presque", "casi", "más de", "menos de", "alrededor de", "cerca de",
];

/// A figure of a sentence as it is written, and how much it says: 5 a percentage, money or a
/// ratio; 4 a multiple ("3x") or a count in thousands or more with its unit; 3 a count in
/// hundreds with its unit; 2 another number with its unit (or a range); 1 a bare number (an
/// age, a version, a bug number: never drawn as a figure).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Figure {
    pub(super) text: String,
    pub(super) strength: u8,
}

/// The key figure of a sentence: its strongest (the first of equals), with its unit and
/// qualifier ("up to 200,000 bees"); never a bare number, a year, a date or a time of day.
pub fn figure_of(sentence: &str) -> Option<String> {
    key_figure(sentence).filter(|f| f.strength >= 2).map(|f| clip(&f.text, FIGURE_MAX_CHARS))
}

pub(super) fn key_figure(sentence: &str) -> Option<Figure> {
    let mut best: Option<Figure> = None;
    for m in NUMBER.find_iter(sentence) {
        if let Some(figure) = figure_at(sentence, m.start(), m.end()) {
            if best.as_ref().is_none_or(|b| figure.strength > b.strength) {
                best = Some(figure);
            }
        }
    }
    best
}

/// At most `chars` characters of `text` from byte `at` on (a char boundary).
fn after(text: &str, at: usize, chars: usize) -> &str {
    let rest = text.get(at..).unwrap_or_default();
    rest.char_indices().nth(chars).map_or(rest, |(end, _)| &rest[..end])
}

/// At most `chars` characters of `text` before byte `at` (a char boundary).
fn before(text: &str, at: usize, chars: usize) -> &str {
    let head = text.get(..at).unwrap_or_default();
    head.char_indices().rev().nth(chars.saturating_sub(1)).map_or(head, |(start, _)| &head[start..])
}

/// The word starting after up to two whitespace characters at byte `at`: its byte span, and
/// whether punctuation ends it (then nothing after it belongs to the figure). None when the next
/// thing is not a word of at most 30 characters.
fn next_word(text: &str, at: usize) -> Option<(usize, usize, bool)> {
    let window = after(text, at, 34);
    let skipped: usize = window.chars().take_while(|c| c.is_whitespace()).take(3).map(char::len_utf8).sum();
    if skipped == 0 || window[skipped..].starts_with(char::is_whitespace) {
        return None;
    }
    let word_len: usize = window[skipped..].chars().take_while(|c| !c.is_whitespace()).map(char::len_utf8).sum();
    let word = &window[skipped..skipped + word_len];
    if word.is_empty() || (skipped + word_len == window.len() && after(text, at, 35).len() > window.len()) {
        return None;
    }
    let bare = word.trim_end_matches(|c: char| matches!(c, ',' | '.' | ';' | ':' | '!' | '?' | ')' | '"' | '”' | '»' | '\'' | '’'));
    // "Mio." and "Mrd." end in a stop and go on ("1,2 Mio. Euro").
    let ends = bare.len() < word.len() && !SCALE_WORDS.contains(&word.to_lowercase().as_str());
    let start = at + skipped;
    Some((start, start + bare.len(), ends))
}

/// Whether a word can be a figure's unit: a word (not a stop word, a month, a verb).
fn unit_word(word: &str) -> bool {
    let key = word.to_lowercase();
    word.chars().next().is_some_and(char::is_alphabetic)
        && word.chars().all(|c| c.is_alphabetic() || matches!(c, '-' | '/' | '²' | '³' | '\'' | '’'))
        && !STOP_WORDS.contains(key.as_str())
        && !MONTHS.contains(key.as_str())
        && !NOT_UNITS.contains(key.as_str())
}

/// The figure whose number is at `start..end` of `text`, if it is one.
fn figure_at(text: &str, start: usize, end: usize) -> Option<Figure> {
    let number = &text[start..end];
    // Part of a word or a code ("A4", "COVID19"), a time ("10:30") or a decimal's tail.
    let prev = text[..start].chars().next_back();
    let next = text[end..].chars().next();
    if prev.is_some_and(|c| c.is_alphanumeric() || c == ':' || c == '.' || c == ',') || next == Some(':') && text[end + 1..].starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let (mut percent, mut money, mut ratio, mut multiple, mut scaled, mut unit) = (false, false, false, false, false, false);
    let mut core_end = end;
    // A currency sign before ("$1.2", "€ 750").
    let head = before(text, start, 3);
    let sign_at = head.trim_end().char_indices().next_back().filter(|(_, c)| matches!(c, '$' | '€' | '£' | '¥' | '₹')).map(|(i, _)| start - head.len() + i);
    let core_start = sign_at.unwrap_or(start);
    money |= sign_at.is_some();
    // Letters glued to the number: "3x", "2.4x", "3-mal", "5km", "50k"; ordinals are not figures.
    let glued: String = after(text, end, 6).chars().take_while(|c| c.is_alphabetic() || *c == '%' || *c == '-' || *c == '×').collect();
    if !glued.is_empty() {
        let key = glued.to_lowercase();
        match key.as_str() {
            "x" | "×" | "-mal" | "-fach" | "-fold" => multiple = true,
            "%" => percent = true,
            "k" => scaled = true,
            "m" | "bn" if money => scaled = true,
            k if SHORT_UNITS.contains(&k) => unit = true,
            k if k.starts_with('-') => {}
            _ => return None,
        }
        if !key.starts_with('-') || multiple {
            core_end = end + glued.len();
        }
    } else if text[end..].starts_with('+') {
        // "40+ years"
        core_end = end + 1;
    }
    // A range's other end: "6 to 8 weeks".
    if !percent && !multiple {
        if let Some(range) = RANGE.find(after(text, core_end, 16)) {
            core_end += range.end();
        }
    }
    if !percent && !money && !multiple && !unit {
        if let Some(rest) = RATIO.find(after(text, core_end, 24)) {
            core_end += rest.end();
            ratio = true;
        }
    }
    let mut unit_end = core_end;
    let mut words_left = 3;
    while words_left > 0 && !(percent || multiple || unit) {
        words_left -= 1;
        let Some((w_start, w_end, ends)) = next_word(text, unit_end) else { break };
        let word = &text[w_start..w_end];
        let key = word.to_lowercase();
        if !scaled && SCALE_WORDS.contains(&key.as_str()) {
            scaled = true;
            core_end = w_end;
        } else if key == "%" || PERCENT_WORDS.contains(&key.as_str()) || (key == "per" && after(text, w_end, 5).trim_start().starts_with("cent")) {
            percent = true;
            core_end = if key == "per" { w_end + after(text, w_end, 6).find("cent").map_or(0, |at| at + 4) } else { w_end };
        } else if key == "pour" && after(text, w_end, 6).trim_start().starts_with("cent") {
            percent = true;
            core_end = w_end + after(text, w_end, 6).find("cent").map_or(0, |at| at + 4);
        } else if CURRENCY_WORDS.contains(&key.as_str()) {
            money = true;
            core_end = w_end;
        } else if MULTIPLE_WORDS.contains(&key.as_str()) && !ratio {
            multiple = true;
            core_end = w_end;
        } else if unit_word(word) && !money {
            unit = true;
            unit_end = w_end;
            // "7,000 registered hives": an adjective, then the plural noun it describes.
            let short = SHORT_UNITS.contains(&key.as_str());
            if !ends && !short && !key.ends_with('s') {
                if let Some((n_start, n_end, _)) = next_word(text, w_end) {
                    let noun = &text[n_start..n_end];
                    if noun.ends_with('s') && unit_word(noun) && !noun.ends_with("ss") {
                        unit_end = n_end;
                    }
                }
            }
            // "18 made it" is not a unit; "18 registered hives" is.
            if unit_end == w_end && !short && (key.ends_with("ed") || key.ends_with("ing") || key.ends_with("ly")) {
                unit = false;
                unit_end = core_end;
            }
            break;
        } else {
            break;
        }
        if ends {
            break;
        }
        unit_end = core_end;
    }
    unit_end = unit_end.max(core_end);
    if multiple {
        if let Some((c_start, c_end, _)) = next_word(text, core_end).filter(|(s, e, _)| COMPARATIVES.contains(&text[*s..*e].to_lowercase().as_str())) {
            unit_end = c_end.max(c_start);
        }
    }
    let year_like = YEAR.is_match(number) && number.len() == 4;
    if year_like && !(percent || money || ratio || multiple || scaled) {
        let word_before = before(text, start, 12).split_whitespace().next_back().map(word_key).unwrap_or_default();
        if !unit || BEFORE_YEARS.contains(word_before.as_str()) {
            return None;
        }
    }
    // Dates: "12 May", "May 12".
    let month_after = next_word(text, end).is_some_and(|(s, e, _)| MONTHS.contains(text[s..e].to_lowercase().as_str()));
    let month_before = before(text, start, 12).split_whitespace().next_back().is_some_and(|w| MONTHS.contains(word_key(w).as_str()) && w.chars().next().is_some_and(char::is_uppercase));
    if (month_after || month_before) && !(percent || money || ratio) {
        return None;
    }
    let int_digits = integer_digits(number);
    let strength = if percent || money || ratio {
        STRONGEST
    } else if multiple || scaled || (int_digits >= 4 && unit && !year_like) {
        4
    } else if int_digits == 3 && unit {
        3
    } else if unit || core_end > end {
        2
    } else {
        1
    };
    let qualifier = qualifier_before(text, core_start);
    let core = text[core_start..core_end].trim();
    let noun = text[core_end..unit_end].trim();
    let parts = |with_qualifier: bool, with_noun: bool| {
        let mut parts: Vec<&str> = Vec::new();
        if with_qualifier {
            parts.extend(qualifier);
        }
        parts.push(core);
        if with_noun && !noun.is_empty() {
            parts.push(noun);
        }
        parts.join(" ").split_whitespace().collect::<Vec<_>>().join(" ")
    };
    // Within the figure's limit: without the qualifier first, then without the noun.
    let text = [parts(true, true), parts(false, true), parts(false, false)]
        .into_iter()
        .find(|t| t.chars().count() <= FIGURE_MAX_CHARS)
        .unwrap_or_else(|| clip(core, FIGURE_MAX_CHARS));
    Some(Figure { text, strength })
}

/// Digits before the decimal point: "7,000" → 4, "1.5" → 1, "40.000" → 5 (a group of three
/// after the last separator is thousands).
fn integer_digits(number: &str) -> usize {
    let digits = |s: &str| s.chars().filter(char::is_ascii_digit).count();
    match number.rfind(|c: char| !c.is_ascii_digit()) {
        Some(at) if digits(&number[at..]) != 3 => digits(&number[..at]),
        _ => digits(number),
    }
}

/// The qualifier right before byte `at` ("up to", "more than", "environ"), as written.
fn qualifier_before(text: &str, at: usize) -> Option<&str> {
    let head = before(text, at, 24);
    let trimmed = head.trim_end();
    if trimmed.len() == head.len() {
        return None;
    }
    QUALIFIERS.iter().find_map(|q| {
        let n = q.chars().count();
        let (start, _) = trimmed.char_indices().rev().nth(n.checked_sub(1)?)?;
        let candidate = &trimmed[start..];
        let boundary = trimmed[..start].chars().next_back().is_none_or(|c| !c.is_alphanumeric());
        (boundary && candidate.to_lowercase() == *q).then_some(candidate)
    })
}

