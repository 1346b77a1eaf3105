//! The heuristic outline on real texts and hostile ones.

use super::*;

const BEEKEEPING: &str = include_str!("testdata/beekeeping.txt");

fn figures(o: &Outline) -> Vec<&str> {
    o.sections.iter().filter_map(|s| s.figure.as_deref()).collect()
}

fn within_limits(o: &Outline) {
    assert!(!o.title.is_empty() && o.title.chars().count() <= TITLE_MAX_CHARS, "{o:?}");
    assert!(o.subtitle.as_ref().is_none_or(|s| s.chars().count() <= SUBTITLE_MAX_CHARS), "{o:?}");
    assert!((MIN_SECTIONS..=OUTLINE_MAX_SECTIONS).contains(&o.sections.len()), "{o:?}");
    for s in &o.sections {
        assert!(!s.heading.is_empty() && s.heading.chars().count() <= HEADING_MAX_CHARS, "{s:?}");
        assert!(s.line.chars().count() <= LINE_MAX_CHARS, "{s:?}");
        assert!(s.figure.as_ref().is_none_or(|f| f.chars().count() <= FIGURE_MAX_CHARS), "{s:?}");
        assert!(s.source.as_ref().is_none_or(|f| f.chars().count() <= SOURCE_MAX_CHARS), "{s:?}");
    }
    assert!(o.validated().is_ok(), "{o:?}");
}

#[test]
fn figures_keep_their_units_and_qualifiers_and_dates_are_not_figures() {
    for (sentence, figure) in [
        ("Sales rose 58 % in a year.", "58 %"),
        ("It cost $2.5 million to build.", "$2.5 million"),
        ("1 in 3 people would quit.", "1 in 3 people"),
        ("A forager flies up to 6 km.", "up to 6 km"),
        ("In 1998 they built 40 hives.", "40 hives"),
        ("London now has more than 7,000 registered hives, up from 3,500.", "more than 7,000 registered hives"),
        ("A hive gives 1.5 kilograms of honey a month.", "1.5 kilograms"),
        ("New beekeepers wait 6 to 8 weeks before the first harvest.", "6 to 8 weeks"),
        ("That is 3x the density the flowers can feed.", "3x"),
        ("Each hive adds up to 200,000 bees to the city.", "up to 200,000 bees"),
        ("Last year London spent £1.2 million on meadows, enough for 150 hectares.", "£1.2 million"),
        ("Surveys find that 1 in 5 colonies carries mites.", "1 in 5 colonies"),
        ("56 of the 61 companies kept the shorter week, and 18 made it permanent.", "56 of the 61 companies"),
        ("In 2022 people drank 3 cups of tea a day.", "3 cups"),
        ("A typical 10 kWh battery costs €8,500 installed.", "€8,500"),
        ("62 Prozent der Pendler fahren mit dem Rad.", "62 Prozent"),
        ("Ein Radweg kostet 1,2 Millionen Euro pro Kilometer.", "1,2 Millionen Euro"),
        ("Jeden Morgen fahren mehr als 40.000 Radfahrer über die Brücke.", "mehr als 40.000 Radfahrer"),
        ("Radfahrer sind 3-mal seltener krank.", "3-mal seltener"),
        ("That is 3x the density, and 4 times more bees.", "3x"),
        ("Après un vote où 89\u{a0}% des participants ont dit non.", "89\u{a0}%"),
        ("Soit environ 103\u{202f}000 votants.", "environ 103\u{202f}000 votants"),
        ("The paper had not changed for 40+ years.", "40+ years"),
        ("At 35 cents a kilowatt-hour, the battery saves about €750 a year.", "about €750"),
    ] {
        let found = figure_of(sentence);
        assert_eq!(found.as_deref().map(|f| f.split_whitespace().collect::<Vec<_>>().join(" ")), Some(figure.split_whitespace().collect::<Vec<_>>().join(" ")), "{sentence}");
    }
    for sentence in ["In 1998 nothing happened.", "No numbers here.", "We met on 12 May at 10:30 sharp.", "She came 2nd of all.", "COVID19 closed the schools.", "In the 1990s hives were rare.", "Thank you for fixing Bug 1553982!", "Eloise Parry, 21, was taken to hospital."] {
        assert_eq!(figure_of(sentence), None, "{sentence}");
    }
}

#[test]
fn filler_sentences_are_told_from_short_ones_that_say_something() {
    for filler in ["Here is the uncomfortable part.", "Let's dive in.", "But wait.", "Here's the thing:", "Sounds too good to be true?", "Doch der Reihe nach.", "Commençons par le commencement."] {
        assert!(is_filler(filler), "{filler}");
    }
    for saying in ["Bees are dying.", "The wild bees lose out.", "Councils have noticed.", "Sales rose 5 %.", "So before you buy a hive, plant a window box."] {
        assert!(!is_filler(saying), "{saying}");
    }
}

#[test]
fn a_pasted_article_keeps_its_title_standfirst_strongest_figures_with_units_and_no_filler() {
    let o = outline(&article_of_text(BEEKEEPING), "An infographic about urban beekeeping for our newsletter", Layout::Auto).expect("outline");
    within_limits(&o);
    assert_eq!(o.title, "Bees on the Roof: Why Urban Beekeeping Is Booming, and What It Quietly Costs the Wild Bees");
    assert_eq!(o.subtitle.as_deref(), Some("City hives have never been more popular, but the bees already living in our parks are paying for the boom."));
    let figures = figures(&o);
    for strongest in ["40 %", "1 in 5 colonies", "up to 200,000 bees", "more than 7,000 registered hives", "£1.2 million", "3x"] {
        assert!(figures.contains(&strongest), "{strongest} in {figures:?}");
    }
    assert!(figures.iter().all(|f| f.chars().any(|c| !(c.is_ascii_digit() || matches!(c, ',' | '.' | ' ')))), "a bare number: {figures:?}");
    for filler in ["Let's dive in", "Here is the uncomfortable part", "But wait"] {
        assert!(o.sections.iter().all(|s| !s.line.starts_with(filler) && !s.heading.starts_with(filler)), "{filler} kept: {o:?}");
    }
    assert_eq!(o.layout, Layout::Statistics);
}

#[test]
fn a_standfirst_with_the_strongest_figure_is_still_a_section() {
    let text = "Remote work in numbers\nIn 2024, 58 % of office workers worked from home at least once a week. Most of them were parents.\n\
                The average commute took 54 minutes a day. Hybrid workers saved 2 hours a week.\n\
                On Fridays 1 in 3 desks stood empty. Landlords cut rents by 12 % in city centres.";
    let o = outline(&article_of_text(text), "", Layout::Auto).expect("outline");
    assert!(o.subtitle.as_deref().is_some_and(|s| s.contains("58 %")), "{o:?}");
    assert_eq!(o.sections.first().and_then(|s| s.figure.as_deref()), Some("58 %"), "{o:?}");
}

#[test]
fn a_text_without_a_title_gets_a_short_one_written_from_it_never_the_prompt() {
    let text = include_str!("testdata/four-day-week.txt");
    let prompt = "Make a LinkedIn infographic from this";
    let article = article_of_text(text);
    assert_eq!(article.title, None, "its first line is a paragraph");
    let o = outline(&article, prompt, Layout::Auto).expect("outline");
    within_limits(&o);
    assert_eq!(o.title, "When 61 British companies tried a four-day week in 2022");
    assert!(o.title.chars().count() <= WRITTEN_TITLE_CHARS);
    assert!(o.subtitle.as_deref().is_some_and(|s| s.starts_with("The trial ran for 6 months")), "{o:?}");
    assert!(o.sections.iter().all(|s| Some(&s.line) != o.subtitle.as_ref()), "the subtitle is not repeated: {o:?}");
    // A fetched page without any title: written from its text too.
    let page = Article { text: text.to_string(), ..Article::default() };
    assert_eq!(outline(&page, prompt, Layout::Auto).expect("outline").title, o.title);
}

#[test]
fn titles_that_end_in_a_question_mark_and_non_english_figures_are_kept() {
    let o = outline(&article_of_text(include_str!("testdata/trottinettes.txt")), "Trottinettes", Layout::Auto).expect("outline");
    within_limits(&o);
    assert_eq!(o.title, "Faut-il avoir peur des trottinettes électriques ?", "the no-break space is tidied");
    assert!(figures(&o).contains(&"89 %") && figures(&o).contains(&"4 fois plus"), "{o:?}");
    assert!(o.sections.iter().all(|s| !s.line.starts_with("Commençons")), "{o:?}");
    let o = outline(&article_of_text(include_str!("testdata/radverkehr.txt")), "Rad", Layout::Auto).expect("outline");
    assert_eq!(o.title, "Radfahren in Kopenhagen: Was deutsche Städte lernen können");
    assert!(figures(&o).contains(&"62 Prozent") && figures(&o).contains(&"1,2 Millionen Euro"), "{o:?}");
}

#[test]
fn hostile_input_is_bounded_unicode_safe_and_within_the_limits() {
    let texts = [
        "1 in 1 ".repeat(30_000),
        format!("Title\n{}", "€1,000,".repeat(20_000)),
        format!("{}.\nMore text here now. And more text here. Even more text here.", "a,".repeat(50_000)),
        "é1é1 ü2% 日本3x 🐝4 kg. ".repeat(8_000),
        format!("{}\nBees make honey here. Bees make wax here. Bees make more bees.", "Heading line\n".repeat(20_000)),
        "Here is the uncomfortable part. ".repeat(5_000),
        format!("{} bees.", "9".repeat(100_000)),
        "up to \u{a0}\u{202f}40\u{a0}% of 7\u{202f}000 ruches. ".repeat(5_000),
    ];
    // No time limit is asserted (a limit fails on a busy machine, not on slow code): linear work
    // takes seconds here unoptimised, a quadratic one would take many minutes and be stopped by
    // the runner's per-test deadline (`.config/nextest.toml`).
    for text in &texts {
        if let Ok(o) = outline(&article_of_text(text), "x", Layout::Auto) {
            within_limits(&o);
        }
        let page = Article { title: Some(text.chars().take(500).collect()), excerpt: Some(text.clone()), text: text.clone(), headings: vec![text.chars().take(90).collect(); 40], ..Article::default() };
        if let Ok(o) = outline(&page, "x", Layout::Auto) {
            within_limits(&o);
        }
    }
}

#[test]
fn an_article_with_headings_gives_a_section_each_with_its_figure_and_source() {
    let article = Article {
        title: Some("Why Bees Dance".into()),
        text: "Why Bees Dance\nBees talk with their bodies.\nThe waggle run\nEach second of waggling means about 1 km. The angle is the direction.\nDistance\nScouts fly up to 6 km from the hive.\nRecruits\nA good dance recruits 30 bees in an hour.".into(),
        headings: vec!["Why Bees Dance".into(), "The waggle run".into(), "Distance".into(), "Recruits".into()],
        ..Article::default()
    };
    let o = outline(&article, "Bees", Layout::Auto).expect("outline");
    assert_eq!(o.title, "Why Bees Dance");
    let headings: Vec<&str> = o.sections.iter().map(|s| s.heading.as_str()).collect();
    assert_eq!(headings, ["The waggle run", "Distance", "Recruits"]);
    assert_eq!(o.sections[1].figure.as_deref(), Some("up to 6 km"));
    assert_eq!(o.sections[1].source.as_deref(), Some("Scouts fly up to 6 km from the hive."));
    assert_eq!(o.sections[0].line, "Each second of waggling means about 1 km.");
    assert_eq!(o.layout, Layout::Statistics, "three figures");
    assert_eq!(outline(&article, "Bees", Layout::Cycle).expect("outline").layout, Layout::Cycle, "the asked layout wins");
}

#[test]
fn headings_with_nothing_under_them_are_left_out() {
    let article = Article {
        title: Some("Bees".into()),
        text: "Contents\nDance\nScouts fly up to 6 km.\nWax\nA hive makes 1 kg of wax a year.\nHoney\nA hive makes 25 kg of honey.".into(),
        headings: vec!["Contents".into(), "Dance".into(), "Wax".into(), "Honey".into()],
        ..Article::default()
    };
    let o = outline(&article, "Bees", Layout::Auto).expect("outline");
    let headings: Vec<&str> = o.sections.iter().map(|s| s.heading.as_str()).collect();
    assert_eq!(headings, ["Dance", "Wax", "Honey"]);
}

#[test]
fn a_page_title_loses_its_site_name_but_not_its_own_dash() {
    let page = |title: &str| Article { title: Some(title.into()), site_name: Some("Bee Blog".into()), ..Article::default() };
    assert_eq!(headline(&page("Why bees dance | Bee Blog")).as_deref(), Some("Why bees dance"));
    assert_eq!(headline(&page("Why bees dance and sing - Bee Blog")).as_deref(), Some("Why bees dance and sing"));
    assert_eq!(headline(&page("Radfahren in Kopenhagen - Was deutsche Städte lernen können")).as_deref(), Some("Radfahren in Kopenhagen - Was deutsche Städte lernen können"));
}

#[test]
fn pasted_text_without_headings_is_outlined_from_its_sentences() {
    let text = "Remote work in numbers\n\nIn 2019 only 5 % of people worked from home. By 2023 it was 28 % of workdays.\nCommuting took 54 minutes a day on average. People spent the time on sleep and family.\nOffices emptied: 1 in 3 desks stood unused. Landlords cut rents.\nCompanies that went hybrid kept their staff longer.";
    let article = article_of_text(text);
    assert_eq!(article.title.as_deref(), Some("Remote work in numbers"));
    let o = outline(&article, "Remote work", Layout::Auto).expect("outline");
    assert!((MIN_SECTIONS..=OUTLINE_MAX_SECTIONS).contains(&o.sections.len()), "{o:?}");
    let figures = figures(&o);
    assert!(figures.contains(&"28 %") && figures.contains(&"54 minutes") && figures.contains(&"1 in 3 desks"), "{figures:?}");
    assert!(o.subtitle.as_deref().is_some_and(|s| s.contains("5 %")), "the first sentence: {o:?}");
    assert!(outline(&article_of_text("Too short. Really."), "x", Layout::Auto).is_err());
    // Three sentences: the first is a section rather than a subtitle.
    let o = outline(&article_of_text("Bees\nBees fly 6 km. Bees make 1.5 kg of honey. A hive holds 60,000 bees."), "x", Layout::Auto).expect("outline");
    assert_eq!(o.sections.len(), 3, "{o:?}");
}

#[test]
fn layouts_are_suggested_from_what_was_found() {
    let s = |heading: &str, line: &str| OutlineSection { heading: heading.into(), line: line.into(), figure: None, source: None };
    assert_eq!(suggest(&[s("1969", "Moon"), s("1989", "Wall"), s("2001", "Wiki")]), Layout::Timeline);
    assert_eq!(suggest(&[s("Step 1", "a"), s("Step 2", "b"), s("Step 3", "c")]), Layout::Process);
    assert_eq!(suggest(&[s("1. Mix", "a"), s("2. Bake", "b"), s("3. Eat", "c")]), Layout::Process);
    assert_eq!(suggest(&[s("40 % of hives", "a"), s("1 in 5 colonies", "b"), s("3 weeks on", "c")]), Layout::List, "figures are not steps");
    assert_eq!(suggest(&[s("Tea vs coffee", "a"), s("b", "b"), s("c", "c")]), Layout::Comparison);
    assert_eq!(suggest(&[s("a", "a"), s("b", "b"), s("c", "c")]), Layout::List);
}
