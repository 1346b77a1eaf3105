//! A picture that says what it should has no problem, however it is read.

use super::*;

#[test]
fn clean_pictures_read_any_way_have_no_problem() {
    for sample in SAMPLES {
        for way in 0..WAYS {
            let read = read_back(sample, way);
            let comparison = compare(&expected(sample), &read);
            assert_eq!(comparison.problems, [], "{} read as:\n{read}", sample.language);
            assert_eq!(comparison.words_found, comparison.words_expected, "{}", sample.language);
            assert!(comparison.words_expected > 40, "{}", sample.language);
        }
    }
}

#[test]
fn words_are_counted_after_normalisation() {
    let expected = Expected { blocks: vec!["Bees, bees — and 58 %!".into()], sources: vec!["58".into()], language: "en".into() };
    let comparison = compare(&expected, "BEES BEES AND 58%");
    assert_eq!((comparison.words_expected, comparison.words_found), (4, 4));
}

#[test]
fn numbers_written_another_way_are_the_same_number() {
    let cases = [
        ("en", "1,000 colonies", "1000 colonies"),
        ("en", "1,000 colonies", "1 000 colonies"),
        ("en", "2.5 million", "2,5 million"),
        ("en", "58 % of crops", "58% of crops"),
        ("de", "1.000 Völker", "1000 Völker"),
        ("de", "1.000 Völker", "1 000 Völker"),
        ("de", "1.000 Völker", "1,000 Völker"),
        ("de", "2,5 Millionen", "2.5 Millionen"),
        ("fr", "1 000 colonies", "1 000 colonies"),
        ("fr", "1 000 colonies", "1.000 colonies"),
        ("ru", "1 000 семей", "1000 семей"),
    ];
    for (language, block, read) in cases {
        let expected = Expected { blocks: vec![block.into()], sources: vec![block.into()], language: language.into() };
        assert_eq!(problems(&expected, read), [], "{language}: {block} read as {read}");
    }
}

#[test]
fn capitals_may_drop_accents_where_the_language_does() {
    let cases = [
        ("fr", "Été à Paris", "ETE A PARIS"),
        ("fr", "À l'école", "A L'ECOLE"),
        ("es", "Producción de miel", "PRODUCCION DE MIEL"),
        ("el", "Παραγωγή μελιού", "ΠΑΡΑΓΩΓΗ ΜΕΛΙΟΥ"),
        ("it", "Perché le api", "PERCHE' LE API"),
        ("de", "Die Größe", "DIE GRÖSSE"),
        ("ru", "Всё о мёде", "ВСЕ О МЕДЕ"),
        ("tr", "İstanbul arıları", "ISTANBUL ARILARI"),
    ];
    for (language, block, read) in cases {
        let expected = Expected { blocks: vec![block.into()], sources: vec![], language: language.into() };
        assert_eq!(problems(&expected, read), [], "{language}: {block} read as {read}");
    }
}

#[test]
fn words_cut_differently_are_the_same_words() {
    let expected = Expected { blocks: vec!["Send an e-mail about pollination today".into()], sources: vec![], language: "en".into() };
    assert_eq!(problems(&expected, "Send an email about pollin-\nation today"), []);
}

#[test]
fn step_numbers_a_picture_adds_are_not_problems() {
    let expected = Expected { blocks: vec!["Plant flowers".into(), "Build a hive".into(), "Harvest honey".into()], sources: vec![], language: "en".into() };
    assert_eq!(problems(&expected, "1. PLANT FLOWERS\n2) BUILD A HIVE\n03\nHARVEST HONEY"), []);
}

#[test]
fn ideographic_and_right_to_left_pictures_compare_too() {
    let cases = [
        ("ja", vec!["ミツバチが大切な理由", "作物の75%を受粉"], "ミツバチが大切な理由\n作物の 75 % を受粉"),
        ("zh-Hans", vec!["蜜蜂为什么重要", "授粉养活世界"], "蜜蜂为什么重要 授粉养活世界"),
        ("ar", vec!["لماذا النحل مهم", "التلقيح يغذي العالم"], "لِمَاذَا النَّحْل مهم\nالتلقيح يغذي العالم"),
        ("he", vec!["למה דבורים חשובות"], "לָמָּה דבורים חשובות"),
        ("hi", vec!["मधुमक्खियाँ क्यों ज़रूरी हैं"], "मधुमक्खियाँ क्यों ज़रूरी हैं"),
        ("ko", vec!["꿀벌이 중요한 이유"], "꿀벌이  중요한  이유"),
    ];
    for (language, blocks, read) in cases {
        let expected = Expected { blocks: blocks.iter().map(|b| b.to_string()).collect(), sources: vec!["75".into()], language: language.into() };
        let comparison = compare(&expected, read);
        assert_eq!(comparison.problems, [], "{language}");
        assert_eq!(comparison.words_found, comparison.words_expected, "{language}");
    }
}

#[test]
fn expected_text_in_another_language_is_never_wrong_language() {
    // An English picture quoting German: expected text is never judged by its language.
    let mut expected = expected(&EN);
    expected.blocks.push("Ohne Bienen keine Blumen und keine Früchte".into());
    let read = format!("{}\nOhne Bienen keine Blumen und keine Früchte", read_back(&EN, 0));
    assert_eq!(problems(&expected, &read), []);
}

#[test]
fn nothing_expected_and_nothing_read_is_no_problem() {
    let comparison = compare(&Expected::default(), "");
    assert_eq!(comparison, Comparison::default());
}
