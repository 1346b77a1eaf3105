use super::names;
use crate::model::Invalid;

/// A language the text in the image can be written in: its BCP-47 code, its English name, and
/// whether its script runs right to left.
pub struct Language {
    pub code: &'static str,
    pub name: &'static str,
    pub rtl: bool,
}

/// The languages offered (any of them by its code; the default is the page's, English).
pub const LANGUAGES: [Language; 26] = [
    Language { code: "en", name: "English", rtl: false },
    Language { code: "es", name: "Spanish", rtl: false },
    Language { code: "fr", name: "French", rtl: false },
    Language { code: "de", name: "German", rtl: false },
    Language { code: "it", name: "Italian", rtl: false },
    Language { code: "pt", name: "Portuguese", rtl: false },
    Language { code: "pt-BR", name: "Brazilian Portuguese", rtl: false },
    Language { code: "nl", name: "Dutch", rtl: false },
    Language { code: "sv", name: "Swedish", rtl: false },
    Language { code: "da", name: "Danish", rtl: false },
    Language { code: "nb", name: "Norwegian", rtl: false },
    Language { code: "fi", name: "Finnish", rtl: false },
    Language { code: "pl", name: "Polish", rtl: false },
    Language { code: "cs", name: "Czech", rtl: false },
    Language { code: "tr", name: "Turkish", rtl: false },
    Language { code: "el", name: "Greek", rtl: false },
    Language { code: "ru", name: "Russian", rtl: false },
    Language { code: "uk", name: "Ukrainian", rtl: false },
    Language { code: "ar", name: "Arabic", rtl: true },
    Language { code: "he", name: "Hebrew", rtl: true },
    Language { code: "fa", name: "Persian", rtl: true },
    Language { code: "hi", name: "Hindi", rtl: false },
    Language { code: "ja", name: "Japanese", rtl: false },
    Language { code: "ko", name: "Korean", rtl: false },
    Language { code: "zh-Hans", name: "Chinese (simplified)", rtl: false },
    Language { code: "id", name: "Indonesian", rtl: false },
];

pub const DEFAULT_LANGUAGE: &str = "en";

/// The language of a BCP-47 code (case-insensitive; `zh` is simplified Chinese).
pub fn language(code: &str) -> Option<&'static Language> {
    let code = code.trim();
    let code = if code.eq_ignore_ascii_case("zh") || code.eq_ignore_ascii_case("zh-cn") { "zh-Hans" } else { code };
    LANGUAGES.iter().find(|l| l.code.eq_ignore_ascii_case(code))
}

pub fn parse_language(raw: &str) -> Result<&'static str, Invalid> {
    language(raw).map(|l| l.code).ok_or_else(|| Invalid(format!("must be a BCP-47 code we offer: {}", names(LANGUAGES.iter().map(|l| l.code)))))
}
