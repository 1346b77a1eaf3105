//! Word forms that leave out what a reader does not count as a mistake: compatibility forms
//! (NFKC), case, and the accents a language itself leaves out.
//!
//! Accents, per language (a capital is an uppercase letter, at the start of a word or in a word
//! set in capitals):
//! - French, Italian, Dutch, English (loanwords: "CAFE"): acute, grave, circumflex, diaeresis
//!   and cedilla may be left off capitals ("ETE" for "Été", "A" for "À", "PERCHE'" for
//!   "perché"); on lowercase letters they are required.
//! - Spanish: the acute and the diaeresis may be left off capitals; "ñ" is its own letter.
//! - Portuguese: acute, grave and circumflex on capitals; the tilde and cedilla are required.
//! - Greek: capitals are written without tonos (and often without dialytika).
//! - Russian: "ё" is commonly written "е", anywhere.
//! - Arabic, Persian, Hebrew: vowel points and other marks are optional anywhere (and Persian and
//!   Arabic forms of yeh and kaf are one letter).
//! - Every other language (German, the Nordic languages, Polish, Czech, Turkish, Ukrainian, Hindi,
//!   Japanese, Korean, Chinese, Indonesian): a mark is part of the letter ("UBER" for "Über" is
//!   wrong).
//!
//! Everywhere: "ß" = "ss" (capitals write "SS"), final "ς" = "σ", dotless "ı" and "İ" = "i".

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

const GRAVE: char = '\u{300}';
const ACUTE: char = '\u{301}';
const CIRCUMFLEX: char = '\u{302}';
const DIAERESIS: char = '\u{308}';
const CEDILLA: char = '\u{327}';

/// How the language asked for treats accents.
#[derive(Debug, Clone, Copy)]
pub(super) struct AccentRule {
    /// Marks (decomposed) a capital letter may go without.
    on_capitals: &'static [char],
    /// Every mark is optional (vowel points).
    marks_optional: bool,
    /// "ё" = "е".
    yo_is_ye: bool,
}

impl AccentRule {
    pub(super) fn of(code: &str) -> Self {
        const LATIN: &[char] = &[GRAVE, ACUTE, CIRCUMFLEX, DIAERESIS, CEDILLA];
        let strict = Self { on_capitals: &[], marks_optional: false, yo_is_ye: false };
        match code.trim().to_ascii_lowercase().as_str() {
            "fr" | "it" | "nl" | "en" => Self { on_capitals: LATIN, ..strict },
            "es" => Self { on_capitals: &[ACUTE, DIAERESIS], ..strict },
            "pt" | "pt-br" => Self { on_capitals: &[ACUTE, GRAVE, CIRCUMFLEX], ..strict },
            "el" => Self { on_capitals: &[ACUTE, DIAERESIS], ..strict },
            "ru" => Self { yo_is_ye: true, ..strict },
            "ar" | "fa" | "he" => Self { marks_optional: true, ..strict },
            _ => strict,
        }
    }

    /// The word as compared when case and optional marks do not count, but marks a capital may
    /// leave out still do: what "spelled right" means.
    pub(super) fn exact(&self, word: &str) -> String {
        let mut folded = String::with_capacity(word.len());
        for c in word.to_lowercase().chars() {
            match c {
                'ß' => folded.push_str("ss"),
                'ς' => folded.push('σ'),
                'ı' => folded.push('i'),
                'ё' if self.yo_is_ye => folded.push('е'),
                'ي' => folded.push('ی'),
                'ك' => folded.push('ک'),
                // A dot left by lowercasing "İ", kashida, variation selectors: never meaningful.
                '\u{307}' | '\u{640}' | '\u{FE00}'..='\u{FE0F}' => {}
                _ => folded.push(c),
            }
        }
        if self.marks_optional {
            folded = folded.nfd().filter(|c| !is_combining_mark(*c)).nfc().collect();
        }
        folded
    }

    /// The word as aligned: `exact` without the marks a capital may leave out, so "ETE" lines
    /// up with "Été" and `capitals_only_differ` then decides.
    pub(super) fn key(&self, word: &str) -> String {
        let exact = self.exact(word);
        if self.on_capitals.is_empty() {
            return exact;
        }
        exact.nfd().filter(|c| !self.on_capitals.contains(c)).nfc().collect()
    }

    /// Whether `found`, aligned with `expected` (same key), differs only by marks left off its
    /// capital letters. A word whose letters do not line up one to one ("STRASSE" for "Straße")
    /// must be in capitals throughout.
    pub(super) fn capitals_only_differ(&self, expected: &str, found: &str) -> bool {
        let expected = clusters(expected);
        let found = clusters(found);
        if expected.len() != found.len() {
            return is_all_capitals(found.iter().map(|c| c.0));
        }
        expected.iter().zip(&found).all(|(e, f)| self.same_or_dropped_on_capital(e, f))
    }

    fn same_or_dropped_on_capital(&self, expected: &(char, Vec<char>), found: &(char, Vec<char>)) -> bool {
        let marks = |cluster: &(char, Vec<char>)| -> Vec<char> { cluster.1.iter().copied().filter(|m| !self.always_optional(*m)).collect() };
        let (want, have) = (marks(expected), marks(found));
        if want == have {
            return true;
        }
        let only_drops = have.iter().all(|m| want.contains(m)) && want.iter().all(|m| have.contains(m) || self.on_capitals.contains(m));
        found.0.is_uppercase() && only_drops
    }

    fn always_optional(&self, mark: char) -> bool {
        self.marks_optional || mark == '\u{307}' || (self.yo_is_ye && mark == DIAERESIS)
    }
}

/// Decomposed letters with their marks: "Été" → [('E', [acute]), ('t', []), ('e', [acute])].
fn clusters(word: &str) -> Vec<(char, Vec<char>)> {
    let mut out: Vec<(char, Vec<char>)> = Vec::new();
    for c in word.nfd() {
        match out.last_mut() {
            Some(last) if is_combining_mark(c) => last.1.push(c),
            _ => out.push((c, Vec::new())),
        }
    }
    out
}

fn is_all_capitals(letters: impl Iterator<Item = char>) -> bool {
    let mut any = false;
    for c in letters.filter(|c| c.is_alphabetic()) {
        if c.is_lowercase() {
            return false;
        }
        any |= c.is_uppercase();
    }
    any
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_sharp_s_and_final_sigma_never_count() {
        let de = AccentRule::of("de");
        assert_eq!(de.exact("STRASSE"), de.exact("Straße"));
        assert_eq!(de.exact("BIENEN"), de.exact("Bienen"));
        let el = AccentRule::of("el");
        assert_eq!(el.exact("ΟΔΟΣ"), el.exact("οδος"));
        assert_eq!(AccentRule::of("tr").exact("İSTANBUL"), AccentRule::of("tr").exact("istanbul"));
    }

    #[test]
    fn french_capitals_may_drop_accents_lowercase_may_not() {
        let fr = AccentRule::of("fr");
        assert_eq!(fr.key("ETE"), fr.key("Été"));
        assert!(fr.capitals_only_differ("Été", "ETE"));
        assert!(fr.capitals_only_differ("À", "A"));
        assert!(fr.capitals_only_differ("Élève", "ELEVE"));
        assert!(!fr.capitals_only_differ("Élève", "Eleve"));
        assert!(!fr.capitals_only_differ("été", "ete"));
        assert!(!fr.capitals_only_differ("Élève", "Elevé"));
    }

    #[test]
    fn german_umlauts_are_letters() {
        let de = AccentRule::of("de");
        assert_ne!(de.key("UBER"), de.key("Über"));
    }

    #[test]
    fn spanish_keeps_the_tilde_greek_drops_tonos() {
        let es = AccentRule::of("es");
        assert_ne!(es.key("ESPANA"), es.key("España"));
        assert_eq!(es.key("EXITO"), es.key("Éxito"));
        let el = AccentRule::of("el");
        assert_eq!(el.key("ΕΛΛΗΝΙΚΑ"), el.key("Ελληνικά"));
        assert!(el.capitals_only_differ("Ελληνικά", "ΕΛΛΗΝΙΚΑ"));
    }

    #[test]
    fn russian_yo_and_arabic_vowel_points_are_optional() {
        let ru = AccentRule::of("ru");
        assert_eq!(ru.exact("ВСЁ"), ru.exact("все"));
        assert_ne!(ru.exact("ЙОД"), ru.exact("иод"));
        let ar = AccentRule::of("ar");
        assert_eq!(ar.exact("كَتَبَ"), ar.exact("كتب"));
    }
}
