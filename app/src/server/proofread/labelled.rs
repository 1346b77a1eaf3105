//! The proofreader measured: a labelled set of pictures the emulator draws — each outline below
//! in every layout, clean and with `[emulator:typo]`'s misspelled word and changed number — read
//! back and compared the way the pipeline does. Recall on the injected errors must be at least
//! 0.95 and a clean picture must show no problem; `bench/proofread.sh` prints the figures.

use super::compare::{evaluate, Expected};
use super::expected::outline_blocks;
use crate::model::design::{Layout, Outline, OutlineSection};
use crate::model::proofread::ProblemKind;
use crate::model::{AspectRatio, Resolution};
use crate::server::blog::brief::{self, BriefDesign};
use crate::server::fal::emulator::{drawn_text, injected_typo};

fn outline(title: &str, subtitle: &str, sections: &[(&str, &str, Option<&str>)]) -> Outline {
    Outline {
        title: title.into(),
        subtitle: Some(subtitle.into()),
        sections: sections
            .iter()
            .map(|(heading, line, figure)| OutlineSection { heading: (*heading).into(), line: (*line).into(), figure: figure.map(Into::into), source: None })
            .collect(),
        layout: Layout::Auto,
    }
}

/// Outlines in the languages the emulator draws, as a person would review them.
fn outlines() -> Vec<(&'static str, Outline)> {
    vec![
        ("en", outline("Urban bees by the numbers", "What one city learned about its pollinators", &[
            ("Pollination matters", "Bees pollinate most of the crops we eat every day.", Some("75 %")),
            ("Rooftop hives", "City beekeepers added hives on offices and schools.", Some("1200 hives")),
            ("Wildflower meadows", "Parks sowed meadows that feed wild bees all summer.", Some("35 parks")),
            ("Fewer pesticides", "Gardens without pesticides keep colonies healthy.", None),
        ])),
        ("de", outline("Radfahren in der Stadt", "Wie sich der Verkehr in zehn Jahren verändert hat", &[
            ("Mehr Radwege", "Die Stadt hat viele neue Radwege für Pendler gebaut.", Some("140 km")),
            ("Weniger Autos", "Der Autoverkehr in der Innenstadt ist deutlich gesunken.", Some("18 %")),
            ("Gesündere Luft", "Die Belastung mit Stickstoffdioxid ist spürbar zurückgegangen.", Some("23 %")),
        ])),
        ("fr", outline("Le café dans le monde", "Qui boit le plus et pourquoi", &[
            ("Les pays nordiques", "La Finlande boit le plus de café par habitant chaque année.", Some("12 kg")),
            ("Le prix des grains", "Le prix de l'arabica a beaucoup augmenté depuis deux ans.", Some("40 %")),
            ("Les petits producteurs", "La plupart du café vient de petites exploitations familiales.", Some("25 millions")),
        ])),
        ("es", outline("El agua en nuestra ciudad", "Cómo ahorramos durante la sequía", &[
            ("Menos consumo", "Cada familia gasta menos agua que hace cinco años.", Some("128 litros")),
            ("Fugas reparadas", "La red pública perdía mucha agua por tuberías viejas.", Some("15 %")),
            ("Jardines secos", "Los parques usan plantas que necesitan poco riego.", None),
        ])),
        ("it", outline("Il pane fatto in casa", "Perché sempre più persone impastano da sole", &[
            ("Farine integrali", "Le farine integrali sono sempre più richieste nei negozi.", Some("30 %")),
            ("Lievito madre", "Molti panettieri usano ancora il lievito madre tradizionale.", Some("48 ore")),
            ("Meno sprechi", "Il pane fatto in casa si conserva più a lungo.", None),
        ])),
        ("el", outline("Τα νησιά του Αιγαίου", "Τουρισμός και καθημερινή ζωή", &[
            ("Περισσότεροι επισκέπτες", "Κάθε καλοκαίρι έρχονται πολλοί περισσότεροι ταξιδιώτες στα νησιά.", Some("32 εκατομμύρια")),
            ("Νερό και ενέργεια", "Τα νησιά χρειάζονται νέες μονάδες αφαλάτωσης για το νερό.", Some("60 %")),
            ("Τοπικά προϊόντα", "Οι παραγωγοί πουλούν τυρί και λάδι στους επισκέπτες.", None),
        ])),
        ("ru", outline("Чтение в России", "Сколько и что мы читаем", &[
            ("Электронные книги", "Всё больше людей читают книги на телефоне каждый день.", Some("45 %")),
            ("Библиотеки", "Городские библиотеки стали местом встреч и лекций.", Some("300 библиотек")),
            ("Детская литература", "Детские книги продаются лучше всего в этом году.", None),
        ])),
        ("pl", outline("Ogrody na dachach", "Zielone miasto w liczbach", &[
            ("Chłodniejsze budynki", "Zielone dachy obniżają temperaturę w mieszkaniach latem.", Some("4 stopnie")),
            ("Woda deszczowa", "Rośliny zatrzymują dużą część deszczu na dachu.", Some("70 %")),
            ("Nowe projekty", "Miasto dopłaca do ogrodów na dachach szkół.", Some("85 szkół")),
        ])),
    ]
}

/// One labelled picture: what it should say, what the emulator's read-back says, and the kinds
/// of the problems put in.
fn case(language: &str, outline: &Outline, layout: Layout, typo: bool) -> (Expected, String, Vec<ProblemKind>) {
    let prompt = "An infographic for my blog";
    let design = BriefDesign { layout, language: Some(language), outline: Some(outline), ..BriefDesign::default() };
    let brief = brief::build(&outline.title, prompt, None, AspectRatio::R3x4, Resolution::K1, 6000, &design);
    let outline_json = serde_json::to_string(outline).unwrap_or_default();
    let expected = Expected { blocks: outline_blocks(outline), sources: vec![prompt.into(), brief.clone(), outline_json], language: language.into() };
    let mut kinds = Vec::new();
    if typo {
        let injected = injected_typo(&brief).expect("the emulator draws this language");
        if injected.word.is_some() {
            kinds.push(ProblemKind::Misspelled);
        }
        if let Some((_, changed)) = &injected.number {
            let known = expected.sources.iter().any(|s| s.contains(changed.as_str()));
            kinds.push(if known { ProblemKind::Misspelled } else { ProblemKind::NumberNotInSource });
        }
    }
    (expected, drawn_text(&brief, typo), kinds)
}

#[test]
fn emulated_pictures_are_proofread_with_high_recall_and_no_false_problem() {
    let mut clean = Vec::new();
    let mut typos = Vec::new();
    for (language, outline) in outlines() {
        for layout in Layout::ALL {
            clean.push(case(language, &outline, layout, false));
            typos.push(case(language, &outline, layout, true));
        }
    }
    let false_problems: Vec<String> = clean
        .iter()
        .filter_map(|(expected, text, _)| {
            let found = super::compare::compare(expected, text);
            (!found.problems.is_empty()).then(|| format!("{}: {:?}\n{text}", expected.language, found.problems))
        })
        .collect();
    let all: Vec<_> = clean.iter().chain(&typos).cloned().collect();
    let (precision, recall) = evaluate(&all);
    let injected: usize = typos.iter().map(|(_, _, kinds)| kinds.len()).sum();
    println!(
        "proofread bench: {} pictures ({} clean, {} with {injected} injected errors), precision {precision:.3}, recall {recall:.3}, clean pictures with a problem {}",
        all.len(),
        clean.len(),
        typos.len(),
        false_problems.len()
    );
    assert!(false_problems.is_empty(), "false problems on clean pictures:\n{}", false_problems.join("\n\n"));
    assert!(injected >= typos.len(), "every typo picture has an injected error");
    assert!(recall >= 0.95, "recall {recall}");
    assert!(precision >= 0.95, "precision {precision}");
}
