//! Each kind of problem, reported once, quoted as written.

use super::*;
use ProblemKind::*;

fn english(blocks: &[&str], sources: &[&str]) -> Expected {
    Expected { blocks: blocks.iter().map(|b| b.to_string()).collect(), sources: sources.iter().map(|s| s.to_string()).collect(), language: "en".into() }
}

#[test]
fn a_misspelled_word_is_quoted_with_both_casings() {
    let expected = english(&["Pollination", "Bees pollinate most crops"], &[]);
    assert_eq!(problems(&expected, "POLINATION\nBees pollinate most crops"), [(Misspelled, some("Pollination"), some("POLINATION"))]);
    let comparison = compare(&expected, "POLINATION\nBees pollinate most crops");
    assert_eq!((comparison.words_expected, comparison.words_found), (5, 4));
}

#[test]
fn neighbouring_misspellings_are_one_phrase() {
    let expected = english(&["Bees pollinate most crops we eat"], &[]);
    assert_eq!(problems(&expected, "Bees polinate mots crops we eat"), [(Misspelled, some("pollinate most"), some("polinate mots"))]);
}

#[test]
fn missing_words_are_one_phrase() {
    let expected = english(&["Bees pollinate most of the crops we eat"], &[]);
    assert_eq!(problems(&expected, "Bees pollinate crops we eat"), [(Missing, some("most of the"), None)]);
}

#[test]
fn a_missing_block_is_quoted_as_written() {
    let expected = english(&["Why Bees Matter", "Honey production", "A hive makes honey"], &[]);
    assert_eq!(problems(&expected, "WHY BEES MATTER\nA hive makes honey"), [(Missing, some("Honey production"), None)]);
}

#[test]
fn extra_text_is_one_phrase_per_run() {
    let expected = english(&["Why Bees Matter", "A hive makes honey"], &[]);
    let found = problems(&expected, "WHY BEES MATTER\nVisit our website today\nA hive makes honey");
    assert_eq!(found, [(Extra, None, some("Visit our website today"))]);
}

#[test]
fn a_changed_number_not_in_the_sources_is_reported_once() {
    let expected = english(&["Bees pollinate 75% of crops"], &["75% of crops"]);
    assert_eq!(problems(&expected, "Bees pollinate 76% of crops"), [(NumberNotInSource, some("75"), some("76"))]);
}

#[test]
fn a_changed_number_that_is_in_the_sources_is_misspelled() {
    let expected = english(&["Bees pollinate 75% of crops"], &["75% of crops, 25 kg of honey"]);
    assert_eq!(problems(&expected, "Bees pollinate 25% of crops"), [(Misspelled, some("75"), some("25"))]);
}

#[test]
fn a_changed_grouped_number_keeps_its_grouping_in_the_report() {
    let expected = english(&["Beekeepers lost 1,000 colonies"], &["1,000"]);
    assert_eq!(problems(&expected, "Beekeepers lost 1,008 colonies"), [(NumberNotInSource, some("1,000"), some("1,008"))]);
}

#[test]
fn every_number_read_must_be_in_a_source() {
    let expected = english(&["Bees pollinate most crops"], &["most crops"]);
    let found = problems(&expected, "Bees pollinate most crops\n9,999 hives");
    assert_eq!(found, [(Extra, None, some("9,999 hives")), (NumberNotInSource, None, some("9,999"))]);
    assert_eq!(problems(&expected, "Bees pollinate most crops\n42"), [(NumberNotInSource, None, some("42"))]);
}

#[test]
fn an_accent_dropped_from_a_lowercase_letter_is_misspelled() {
    let french = Expected { blocks: vec!["Un été chaud".into()], sources: vec![], language: "fr".into() };
    assert_eq!(problems(&french, "Un ete chaud"), [(Misspelled, some("été"), some("ete"))]);
    let german = Expected { blocks: vec!["Über Bienen".into()], sources: vec![], language: "de".into() };
    assert_eq!(problems(&german, "UBER BIENEN"), [(Misspelled, some("Über"), some("UBER"))]);
    let spanish = Expected { blocks: vec!["España".into()], sources: vec![], language: "es".into() };
    assert_eq!(problems(&spanish, "ESPANA"), [(Misspelled, some("España"), some("ESPANA"))]);
}

#[test]
fn a_line_in_another_language_is_wrong_language_not_extra() {
    let expected = english(&["Why Bees Matter", "A hive makes honey"], &[]);
    let found = problems(&expected, "WHY BEES MATTER\nA hive makes honey\nBienen sind für unsere Ernährung sehr wichtig");
    assert_eq!(found, [(WrongLanguage, None, some("Bienen sind für unsere Ernährung sehr wichtig"))]);
}

#[test]
fn a_line_read_in_another_language_takes_the_place_of_the_expected_one() {
    let expected = english(&["Why Bees Matter", "Bees pollinate most of the crops we eat every day", "Honey"], &[]);
    let found = problems(&expected, "WHY BEES MATTER\nBienen bestäuben die meisten Pflanzen, die wir jeden Tag essen\nHONEY");
    assert_eq!(
        found,
        [(WrongLanguage, some("Bees pollinate most of the crops we eat every day"), some("Bienen bestäuben die meisten Pflanzen, die wir jeden Tag essen"))]
    );
}

#[test]
fn a_script_the_language_does_not_use_is_wrong_language() {
    let japanese = Expected { blocks: vec!["ミツバチが大切な理由".into()], sources: vec![], language: "ja".into() };
    let found = problems(&japanese, "ミツバチが大切な理由\nWhy bees matter so much");
    assert_eq!(found, [(WrongLanguage, None, some("Why bees matter so much"))]);
    let german = Expected { blocks: vec!["Warum Bienen wichtig sind".into()], sources: vec![], language: "de".into() };
    let found = problems(&german, "WARUM BIENEN WICHTIG SIND\nПочему пчёлы очень важны");
    assert_eq!(found, [(WrongLanguage, None, some("Почему пчёлы очень важны"))]);
}

#[test]
fn short_lines_names_and_numbers_are_never_wrong_language() {
    let expected = english(&["Why Bees Matter"], &["2023"]);
    for line in ["Bienen sind toll", "Albert Einstein", "2023", "Ελλάδα"] {
        let found = problems(&expected, &format!("WHY BEES MATTER\n{line}"));
        assert!(found.iter().all(|p| p.0 != WrongLanguage), "{line}: {found:?}");
    }
}

#[test]
fn a_translated_picture_checks_only_numbers_and_language() {
    let expected = Expected {
        blocks: EN.blocks.iter().map(|b| b.to_string()).collect(),
        sources: vec![EN.article.to_string()],
        language: "de".into(),
    };
    let german = read_back(&DE, 0).replace("Die Größe der Bestäubung", "Bestäubung").replace("DIE GRÖSSE DER BESTÄUBUNG", "BESTÄUBUNG");
    let comparison = compare(&expected, &german);
    assert_eq!(comparison.problems, [], "{german}");
    assert_eq!(comparison.words_expected, comparison.words_found);
    assert!(comparison.words_expected > 40);

    let changed = german.replacen("25 kg", "26 kg", 1);
    assert_eq!(problems(&expected, &changed), [(NumberNotInSource, None, some("26"))]);

    let untranslated = format!("{german}\nBeekeepers lost many colonies in that year alone");
    assert_eq!(problems(&expected, &untranslated), [(WrongLanguage, None, some("Beekeepers lost many colonies in that year alone"))]);
}

#[test]
fn a_picture_left_untranslated_is_wrong_language() {
    let expected = Expected { language: "de".into(), ..super::expected(&EN) };
    let found = problems(&expected, &read_back(&EN, 0));
    assert!(found.iter().all(|p| p.0 == WrongLanguage), "{found:?}");
    let quoted: String = found.iter().filter_map(|p| p.2.clone()).collect::<Vec<_>>().join(" ");
    for line in ["Bees pollinate 75% of the crops we eat.", "Beekeepers lost 1,000 colonies in 2023 alone."] {
        assert!(quoted.contains(line), "{line} not in {found:?}");
    }
}

#[test]
fn a_translated_picture_from_short_blocks_is_still_recognised() {
    // Two short English blocks are not a reliable language, but nothing lines up and the
    // picture is clearly German.
    let expected = Expected { blocks: vec!["Why bees matter".into(), "Honey".into()], sources: vec![], language: "de".into() };
    let comparison = compare(&expected, "Warum Bienen für unsere Ernährung wichtig sind\nHonig");
    assert_eq!(comparison.problems, []);
    assert_eq!((comparison.words_expected, comparison.words_found), (8, 8));
}

#[test]
fn an_unknown_language_compares_words_strictly() {
    let expected = Expected { blocks: vec!["Été chaud".into()], sources: vec![], language: "xx".into() };
    assert_eq!(problems(&expected, "ETE CHAUD"), [(Misspelled, some("Été"), some("ETE"))]);
    assert_eq!(problems(&expected, "ÉTÉ CHAUD\nDas ist ein ganz anderer Satz hier"), [(Extra, None, some("Das ist ein ganz anderer Satz hier"))]);
}

#[test]
fn nothing_read_is_everything_missing() {
    let expected = english(&["Why Bees Matter", "Honey"], &[]);
    let comparison = compare(&expected, "");
    assert_eq!(kinds(&comparison), [Missing]);
    assert_eq!((comparison.words_expected, comparison.words_found), (4, 0));
}
