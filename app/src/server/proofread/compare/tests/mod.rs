//! Pictures in several languages, read back the ways a vision model reads them.

mod clean;
mod hostile;
mod labelled;
mod problems;

use super::{compare, Expected};
use crate::model::proofread::{Comparison, ProblemKind};

/// A picture's text: its title, subtitle, and three sections of heading, line and figure.
pub(super) struct Sample {
    pub language: &'static str,
    pub blocks: [&'static str; 11],
    /// The article it was made from (the outline, `blocks`, is a source too).
    pub article: &'static str,
}

pub(super) const EN: Sample = Sample {
    language: "en",
    blocks: [
        "Why Bees Matter",
        "Pollination feeds the world",
        "Pollination",
        "Bees pollinate 75% of the crops we eat.",
        "75%",
        "Honey production",
        "A single hive makes about 25 kg of honey a year, from 2.5 million flowers.",
        "25 kg",
        "Colony losses",
        "Beekeepers lost 1,000 colonies in 2023 alone.",
        "1,000",
    ],
    article: "Bees pollinate about 75% of food crops. A hive yields 25 kg of honey from 2.5 million flowers. In 2023 beekeepers lost 1,000 colonies.",
};

pub(super) const DE: Sample = Sample {
    language: "de",
    blocks: [
        "Warum Bienen wichtig sind",
        "Bestäubung ernährt die Welt",
        "Die Größe der Bestäubung",
        "Bienen bestäuben 75 % der Nutzpflanzen, die wir essen.",
        "75 %",
        "Honigproduktion",
        "Ein einzelnes Volk erzeugt etwa 25 kg Honig pro Jahr aus 2,5 Millionen Blüten.",
        "25 kg",
        "Völkerverluste",
        "Imker verloren allein im Jahr 2023 über 1.000 Völker.",
        "1.000",
    ],
    article: "Bienen bestäuben rund 75 % der Nutzpflanzen. Ein Volk erzeugt 25 kg Honig aus 2,5 Millionen Blüten. 2023 gingen 1.000 Völker verloren.",
};

pub(super) const FR: Sample = Sample {
    language: "fr",
    blocks: [
        "Pourquoi les abeilles comptent",
        "L'été de la pollinisation",
        "Été et pollinisation",
        "Les abeilles pollinisent 75 % des cultures que nous mangeons.",
        "75 %",
        "Élevage et récolte",
        "Une ruche produit environ 25 kg de miel par an, à partir de 2,5 millions de fleurs.",
        "25 kg",
        "Pertes des colonies",
        "Les apiculteurs ont perdu 1 000 colonies en 2023.",
        "1 000",
    ],
    article: "Les abeilles pollinisent 75 % des cultures. Une ruche produit 25 kg de miel grâce à 2,5 millions de fleurs. En 2023, 1 000 colonies ont été perdues.",
};

pub(super) const ES: Sample = Sample {
    language: "es",
    blocks: [
        "Por qué importan las abejas",
        "La polinización alimenta al mundo",
        "Polinización en España",
        "Las abejas polinizan el 75 % de los cultivos que comemos.",
        "75 %",
        "Producción de miel",
        "Una colmena produce unos 25 kg de miel al año, de 2,5 millones de flores.",
        "25 kg",
        "Pérdidas de colonias",
        "Los apicultores perdieron 1.000 colonias solo en 2023.",
        "1.000",
    ],
    article: "Las abejas polinizan el 75 % de los cultivos. Una colmena produce 25 kg de miel de 2,5 millones de flores. En 2023 se perdieron 1.000 colonias.",
};

pub(super) const EL: Sample = Sample {
    language: "el",
    blocks: [
        "Γιατί οι μέλισσες μετράνε",
        "Η επικονίαση τρέφει τον κόσμο",
        "Επικονίαση",
        "Οι μέλισσες επικονιάζουν το 75% των καλλιεργειών που τρώμε.",
        "75%",
        "Παραγωγή μελιού",
        "Μια κυψέλη παράγει περίπου 25 κιλά μέλι τον χρόνο από 2,5 εκατομμύρια λουλούδια.",
        "25 κιλά",
        "Απώλειες αποικιών",
        "Οι μελισσοκόμοι έχασαν 1.000 αποικίες μόνο το 2023.",
        "1.000",
    ],
    article: "Οι μέλισσες επικονιάζουν το 75% των καλλιεργειών. Μια κυψέλη δίνει 25 κιλά μέλι από 2,5 εκατομμύρια λουλούδια. Το 2023 χάθηκαν 1.000 αποικίες.",
};

pub(super) const RU: Sample = Sample {
    language: "ru",
    blocks: [
        "Почему пчёлы важны",
        "Опыление кормит весь мир",
        "Опыление",
        "Пчёлы опыляют 75 % культур, которые мы едим.",
        "75 %",
        "Производство мёда",
        "Один улей даёт около 25 кг мёда в год из 2,5 миллиона цветков.",
        "25 кг",
        "Потери пчелиных семей",
        "Пчеловоды потеряли 1 000 семей только в 2023 году.",
        "1 000",
    ],
    article: "Пчёлы опыляют 75 % культур. Улей даёт 25 кг мёда из 2,5 миллиона цветков. В 2023 году погибли 1 000 семей.",
};

pub(super) const SAMPLES: [&Sample; 6] = [&EN, &DE, &FR, &ES, &EL, &RU];

pub(super) fn expected(sample: &Sample) -> Expected {
    let blocks: Vec<String> = sample.blocks.iter().map(|b| b.to_string()).collect();
    let sources = vec![sample.article.to_string(), blocks.join("\n")];
    Expected { blocks, sources, language: sample.language.to_string() }
}

/// Capitals as a picture sets them: French and Greek capitals commonly without accents.
pub(super) fn capitals(text: &str, language: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let upper = text.to_uppercase();
    if matches!(language, "fr" | "el") {
        upper.nfd().filter(|c| !matches!(c, '\u{300}' | '\u{301}' | '\u{302}')).nfc().collect()
    } else {
        upper
    }
}

/// A line broken in two at its middle space.
fn wrapped(line: &str) -> String {
    let words: Vec<&str> = line.split(' ').collect();
    let half = words.len() / 2;
    format!("{}\n{}", words[..half].join(" "), words[half..].join(" "))
}

/// "58 %" read as "58%" and the other way round.
fn respaced_percent(text: &str) -> String {
    if text.contains(" %") { text.replace(" %", "%") } else { text.replace('%', " %") }
}

/// How a vision model reads a clean picture of `sample`, in one of a few ways: headings in
/// capitals, lines wrapped elsewhere and bulleted, "%" spaced otherwise, a figure read before
/// its heading, steps numbered.
pub(super) fn read_back(sample: &Sample, way: usize) -> String {
    let b = &sample.blocks;
    let lang = sample.language;
    let mut out = vec![capitals(b[0], lang), b[1].to_string()];
    for (n, section) in b[2..].chunks(3).enumerate() {
        let (heading, line, figure) = (section[0], section[1], section[2]);
        let heading = capitals(heading, lang);
        match way {
            0 => out.extend([heading, wrapped(line), figure.to_string()]),
            1 => out.extend([format!("{}. {heading}", n + 1), format!("• {}", respaced_percent(line)), respaced_percent(figure)]),
            2 => out.extend([respaced_percent(figure), heading, format!("- {}", wrapped(line))]),
            _ => out.extend([format!("{}", n + 1), section[0].to_lowercase(), line.to_uppercase(), format!("{figure}!")]),
        }
    }
    out.join("\n")
}

pub(super) const WAYS: usize = 4;

pub(super) fn kinds(comparison: &Comparison) -> Vec<ProblemKind> {
    comparison.problems.iter().map(|p| p.kind).collect()
}

/// (kind, expected, found) of each problem, for readable assertions.
pub(super) fn problems(expected: &Expected, transcription: &str) -> Vec<(ProblemKind, Option<String>, Option<String>)> {
    compare(expected, transcription).problems.into_iter().map(|p| (p.kind, p.expected, p.found)).collect()
}

pub(super) fn some(text: &str) -> Option<String> {
    Some(text.to_string())
}
