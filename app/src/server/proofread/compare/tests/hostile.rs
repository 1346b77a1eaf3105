//! Whatever the read-back holds, the comparison ends, bounded, without panicking.

use super::*;

/// A small deterministic generator: the same "random" text on every run.
struct Noise(u64);

impl Noise {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn text(&mut self, chars: usize, alphabet: &[char]) -> String {
        (0..chars).map(|_| alphabet[(self.next() % alphabet.len() as u64) as usize]).collect()
    }
}

fn hostile_texts() -> Vec<String> {
    let mut noise = Noise(0x9E37_79B9_7F4A_7C15);
    let mixed: Vec<char> = "aé e1,0. %\n\t\u{0}\u{1b}\u{7f}\u{200b}\u{200d}\u{202e}\u{fe0f}\u{301}\u{307}🐝👩‍👩‍👧ßΣςİı日本語ع ربيעבר1٫٬۳०ﬁ①²½".chars().collect();
    vec![
        noise.text(100_000, &mixed),
        "a".repeat(100_000),
        "1,".repeat(50_000),
        "1 000 ".repeat(20_000),
        "🐝".repeat(100_000),
        "\u{301}".repeat(100_000),
        "\n".repeat(100_000),
        "word ".repeat(30_000),
        "العربية עברית ".repeat(10_000),
        "\u{202e}The bees\u{202c} ".repeat(10_000),
        format!("{}\n", "x".repeat(1_000)).repeat(100),
    ]
}

#[test]
fn hostile_read_backs_never_panic() {
    let blocks_of = |text: &str| Expected { blocks: vec![text.to_string(); 3], sources: vec![text.to_string()], language: "en".into() };
    for text in hostile_texts() {
        for expected in [expected(&EN), blocks_of(&text), Expected { language: "ja".into(), ..blocks_of(&text) }] {
            let comparison = compare(&expected, &text);
            assert!(comparison.words_expected <= 5_000 && comparison.words_found <= comparison.words_expected.max(5_000));
        }
    }
}

#[test]
fn hostile_languages_and_sources_never_panic() {
    for language in ["", "EN", "zh", "pt-BR", "xx", "🐝", &"e".repeat(10_000)] {
        let expected = Expected { language: language.to_string(), sources: vec!["1,".repeat(100_000)], ..expected(&FR) };
        compare(&expected, &read_back(&FR, 1));
    }
}

#[test]
fn many_unrelated_words_are_reported_not_paired_forever() {
    let mut noise = Noise(42);
    let letters: Vec<char> = "abcdefghij ".chars().collect();
    let expected = Expected { blocks: vec![noise.text(90_000, &letters)], sources: vec![], language: "en".into() };
    let comparison = compare(&expected, &noise.text(90_000, &letters));
    assert_eq!(comparison.words_expected, 5_000);
    assert!(!comparison.problems.is_empty());
}
