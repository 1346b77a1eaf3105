//! Which language a piece of text is in, only when it is clear: a script the language asked for
//! does not use (Latin letters in a Japanese picture, Cyrillic in a German one), or whatlang's
//! reliable guess of a language that is not the one asked nor one it cannot tell it from.

use whatlang::Lang;

/// A writing system, as far as telling languages apart needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Script {
    Latin,
    Greek,
    Cyrillic,
    Arabic,
    Hebrew,
    Devanagari,
    Kana,
    Han,
    Hangul,
    Other,
}

/// The script of a letter; `None` for anything that is not a letter.
pub(super) fn script_of(c: char) -> Option<Script> {
    if !c.is_alphabetic() {
        return None;
    }
    let script = match c {
        '\u{0370}'..='\u{03FF}' | '\u{1F00}'..='\u{1FFF}' => Script::Greek,
        '\u{0400}'..='\u{052F}' | '\u{1C80}'..='\u{1C8F}' | '\u{2DE0}'..='\u{2DFF}' | '\u{A640}'..='\u{A69F}' => Script::Cyrillic,
        '\u{0590}'..='\u{05FF}' | '\u{FB1D}'..='\u{FB4F}' => Script::Hebrew,
        '\u{0600}'..='\u{06FF}' | '\u{0750}'..='\u{077F}' | '\u{08A0}'..='\u{08FF}' | '\u{FB50}'..='\u{FDFF}' | '\u{FE70}'..='\u{FEFF}' => Script::Arabic,
        '\u{0900}'..='\u{097F}' => Script::Devanagari,
        '\u{3040}'..='\u{30FF}' | '\u{31F0}'..='\u{31FF}' | '\u{FF66}'..='\u{FF9F}' => Script::Kana,
        '\u{3005}' | '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}' | '\u{20000}'..='\u{3FFFF}' => Script::Han,
        '\u{1100}'..='\u{11FF}' | '\u{3130}'..='\u{318F}' | '\u{AC00}'..='\u{D7AF}' => Script::Hangul,
        '\u{0000}'..='\u{024F}' | '\u{1E00}'..='\u{1EFF}' | '\u{2C60}'..='\u{2C7F}' | '\u{A720}'..='\u{A7FF}' | '\u{AB30}'..='\u{AB6F}' | '\u{FF21}'..='\u{FF5A}' => Script::Latin,
        _ => Script::Other,
    };
    Some(script)
}

/// Scripts written one character per word (no spaces between words).
pub(super) fn is_ideographic(c: char) -> bool {
    matches!(script_of(c), Some(Script::Kana | Script::Han))
}

/// The language asked for, as the detectors know it.
pub(super) struct Asked {
    scripts: &'static [Script],
    /// Languages whatlang may answer for text in the asked language (it cannot tell Norwegian
    /// from Danish, or a line of kanji from Chinese).
    accepted: &'static [Lang],
}

impl Asked {
    /// `None` for a code we do not offer: then no language is ever judged.
    pub(super) fn of(code: &str) -> Option<Self> {
        use Lang::*;
        use Script::*;
        let (scripts, accepted): (&'static [Script], &'static [Lang]) = match code.trim().to_ascii_lowercase().as_str() {
            "en" => (&[Latin], &[Eng]),
            "es" => (&[Latin], &[Spa, Cat]),
            "fr" => (&[Latin], &[Fra]),
            "de" => (&[Latin], &[Deu]),
            "it" => (&[Latin], &[Ita]),
            "pt" | "pt-br" => (&[Latin], &[Por]),
            "nl" => (&[Latin], &[Nld, Afr]),
            "sv" | "da" | "nb" => (&[Latin], &[Swe, Dan, Nob]),
            "fi" => (&[Latin], &[Fin, Est]),
            "pl" => (&[Latin], &[Pol]),
            "cs" => (&[Latin], &[Ces, Slk]),
            "tr" => (&[Latin], &[Tur, Aze]),
            "id" => (&[Latin], &[Ind, Jav]),
            "el" => (&[Greek], &[Ell]),
            "ru" => (&[Cyrillic], &[Rus, Bel, Bul, Mkd, Srp]),
            "uk" => (&[Cyrillic], &[Ukr, Bel]),
            "ar" => (&[Arabic], &[Ara]),
            "fa" => (&[Arabic], &[Pes, Urd]),
            "he" => (&[Hebrew], &[Heb, Yid]),
            "hi" => (&[Devanagari], &[Hin, Mar, Nep]),
            "ja" => (&[Kana, Han], &[Jpn, Cmn]),
            "ko" => (&[Hangul, Han], &[Kor]),
            "zh-hans" | "zh" | "zh-cn" => (&[Han], &[Cmn, Jpn]),
            _ => return None,
        };
        Some(Self { scripts, accepted })
    }

    /// Whether `text`, of `words` words, is clearly not in the language asked. whatlang's own
    /// "reliable" needs long texts; a sentence of `SENTENCE_WORDS` words is taken at a lower
    /// confidence (its wrong guesses on short lines are far below it).
    pub(super) fn is_foreign(&self, text: &str, words: usize) -> bool {
        const SENTENCE_WORDS: usize = 6;
        const SENTENCE_CONFIDENCE: f64 = 0.5;
        let confident = |info: &whatlang::Info| info.is_reliable() || (words >= SENTENCE_WORDS && info.confidence() >= SENTENCE_CONFIDENCE);
        self.foreign_script(text) || self.detected(text).is_some_and(|info| confident(&info) && !self.accepted.contains(&info.lang()))
    }

    /// Whether whatlang's best guess for `text`, however unsure, is the language asked.
    pub(super) fn guessed(&self, text: &str) -> Option<bool> {
        self.detected(text).map(|info| self.accepted.contains(&info.lang()))
    }

    /// Most letters (four in five) are in scripts the language asked does not use.
    fn foreign_script(&self, text: &str) -> bool {
        let (mut letters, mut foreign) = (0usize, 0usize);
        for script in text.chars().filter_map(script_of) {
            letters += 1;
            foreign += usize::from(!self.scripts.contains(&script));
        }
        letters > 0 && foreign * 5 >= letters * 4
    }

    fn detected(&self, text: &str) -> Option<whatlang::Info> {
        // Enough text to decide; more only costs time.
        const MAX_DETECT: usize = 4_000;
        whatlang::detect(prefix(text, MAX_DETECT))
    }
}

/// The first `max_chars` characters of `text`, cut at a char boundary.
pub(super) fn prefix(text: &str, max_chars: usize) -> &str {
    match text.char_indices().nth(max_chars) {
        Some((at, _)) => text.get(..at).unwrap_or(text),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_foreign_script_is_foreign() {
        let ja = Asked::of("ja").unwrap();
        assert!(ja.is_foreign("The role of bees in pollination", 6));
        assert!(!ja.is_foreign("ミツバチの役割と受粉", 9));
        let de = Asked::of("de").unwrap();
        assert!(de.is_foreign("Роль пчёл в опылении растений", 5));
    }

    #[test]
    fn a_reliable_other_language_is_foreign() {
        let de = Asked::of("de").unwrap();
        assert!(de.is_foreign("Bees pollinate most of the crops that we eat every single day", 12));
        assert!(de.is_foreign("Beekeepers lost many colonies in that year alone", 8));
        assert!(!de.is_foreign("Bienen bestäuben die meisten Pflanzen, die wir jeden Tag essen", 10));
        let en = Asked::of("en").unwrap();
        assert!(!en.is_foreign("Why bees matter so much", 5));
        assert!(!en.is_foreign("Visit our website today for more", 6));
    }

    #[test]
    fn an_unknown_code_judges_nothing() {
        assert!(Asked::of("xx").is_none());
    }

    #[test]
    fn prefix_cuts_at_a_char_boundary() {
        assert_eq!(prefix("été", 1), "é");
        assert_eq!(prefix("ab", 5), "ab");
    }
}
