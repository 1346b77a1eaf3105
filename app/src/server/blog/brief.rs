//! The infographic brief sent to the model: the picture's title and the author's request first
//! (labelled as what to show, so the model does not print the request as the headline), then
//! what we read from the blog (title, key sections, key facts and numbers, a summary), then the
//! format and a style hint. Over budget, the least important parts go first — summary, then
//! facts, then sections, then the article's title — and the title, the user's words and the
//! format line are never cut.

use super::extract::Article;
use crate::model::design::{self, BrandSnapshot, Layout, Outline, Style};
use crate::model::{AspectRatio, Resolution};

const MAX_SECTIONS: usize = 12;
const MAX_FACTS: usize = 10;
const MAX_FACT_CHARS: usize = 300;

fn chars(s: &str) -> usize {
    s.chars().count()
}

/// Sentences that carry a number: what an infographic is usually built around.
pub fn key_facts(text: &str) -> Vec<String> {
    let mut facts: Vec<String> = Vec::new();
    for sentence in text.split_inclusive(['.', '!', '?', '\n']) {
        let sentence = sentence.split_whitespace().collect::<Vec<_>>().join(" ");
        if sentence.chars().any(|c| c.is_ascii_digit())
            && (20..=MAX_FACT_CHARS).contains(&chars(&sentence))
            && !facts.contains(&sentence)
        {
            facts.push(sentence);
            if facts.len() == MAX_FACTS {
                break;
            }
        }
    }
    facts
}

/// The optional parts, most important first.
struct Parts {
    title: Option<String>,
    sections: Vec<String>,
    facts: Vec<String>,
    summary: String,
}

impl Parts {
    fn from_article(article: &Article) -> Self {
        let title = article.title.as_ref().map(|t| {
            let mut line = format!("Source article: {t}");
            let from: Vec<&str> = [article.site_name.as_deref(), article.byline.as_deref().map(|b| b.trim_start_matches("By ").trim_start_matches("by "))]
                .into_iter()
                .flatten()
                .collect();
            if !from.is_empty() {
                line.push_str(&format!(" ({})", from.join(", by ")));
            }
            line
        });
        let summary = match &article.excerpt {
            Some(excerpt) if !article.text.starts_with(excerpt.as_str()) => format!("{excerpt}\n{}", article.text),
            _ => article.text.clone(),
        };
        Self {
            title,
            sections: article.headings.iter().take(MAX_SECTIONS).cloned().collect(),
            facts: key_facts(&article.text),
            summary,
        }
    }

    fn render(&self) -> String {
        let mut out = String::new();
        if let Some(title) = &self.title {
            out.push_str(&format!("\n\n{title}"));
        }
        if !self.sections.is_empty() {
            out.push_str("\nKey sections:");
            for s in &self.sections {
                out.push_str(&format!("\n- {s}"));
            }
        }
        if !self.facts.is_empty() {
            out.push_str("\nKey facts and numbers:");
            for f in &self.facts {
                out.push_str(&format!("\n- {f}"));
            }
        }
        if !self.summary.is_empty() {
            out.push_str("\nArticle summary:\n");
            out.push_str(&self.summary);
        }
        out
    }

    /// Drops or shortens the least important remaining part; `false` when nothing is left.
    fn shrink(&mut self, excess: usize) -> bool {
        if !self.summary.is_empty() {
            let keep = chars(&self.summary).saturating_sub(excess + "\nArticle summary:\n".len());
            let cut: String = self.summary.chars().take(keep).collect();
            // End on a word boundary so the model never sees half a word.
            self.summary = match cut.rfind(char::is_whitespace) {
                Some(at) if keep > 0 => format!("{}…", cut[..at].trim_end()),
                _ => String::new(),
            };
            if chars(&self.summary) < 40 {
                self.summary.clear();
            }
            true
        } else if self.facts.pop().is_some() || self.sections.pop().is_some() {
            true
        } else {
            self.title.take().is_some()
        }
    }
}

/// How the infographic should look, for the brief: the user's choices and their brand kit, and
/// the outline they reviewed (which replaces what the article would have given).
#[derive(Clone, Copy, Default)]
pub struct BriefDesign<'a> {
    pub layout: Layout,
    pub style: Option<Style>,
    /// A language code (`design::LANGUAGES`); `None`: English.
    pub language: Option<&'a str>,
    pub brand: Option<&'a BrandSnapshot>,
    pub outline: Option<&'a Outline>,
}

/// Labels the picture's title, the brief's first line (the emulator draws it as the headline).
pub const TITLE_LABEL: &str = "Title:";
/// Labels the author's own words: guidance for the picture, not text to print.
pub const REQUEST_LABEL: &str = "The author's request (what to show; do not print it as text):";

/// The brief's first lines: the title, then the author's request when there is one.
fn head(title: &str, prompt: &str) -> String {
    let mut head = format!("{TITLE_LABEL} {}", title.trim());
    let prompt = prompt.trim();
    if !prompt.is_empty() {
        head.push_str(&format!("\n{REQUEST_LABEL} {prompt}"));
    }
    head
}

pub fn build(title: &str, prompt: &str, article: Option<&Article>, aspect: AspectRatio, resolution: Resolution, budget: usize, design: &BriefDesign) -> String {
    let head = head(title, prompt);
    let head = head.as_str();
    let tail = format!("\n\n{}", design_lines(aspect, resolution, design));
    let mut parts = match (design.outline, article) {
        (Some(outline), _) => {
            let room = budget.saturating_sub(chars(head) + chars(&tail));
            return format!("{head}{}{tail}", fitted_outline(outline, room));
        }
        (None, Some(article)) => Parts::from_article(article),
        (None, None) => return format!("{head}{tail}"),
    };
    loop {
        let body = parts.render();
        let total = chars(head) + chars(&body) + chars(&tail);
        if total <= budget || !parts.shrink(total - budget) {
            return format!("{head}{body}{tail}");
        }
    }
}

/// The outline within `room` characters: whole when it fits (the usual case: an outline is
/// bounded), else without its subtitle, then without the sections' lines, then with fewer
/// sections, the title and the first section always kept.
fn fitted_outline(outline: &Outline, room: usize) -> String {
    let mut outline = outline.clone();
    let fits = |o: &Outline| chars(&outline_part(o)) <= room;
    if !fits(&outline) {
        outline.subtitle = None;
    }
    if !fits(&outline) {
        outline.sections.iter_mut().for_each(|s| s.line.clear());
    }
    while !fits(&outline) && outline.sections.len() > 1 {
        outline.sections.pop();
    }
    outline_part(&outline)
}

/// What the reviewed outline says under its title (the brief's first line): its subtitle and
/// sections, each with its key figure.
fn outline_part(outline: &Outline) -> String {
    let mut out = String::new();
    if let Some(subtitle) = &outline.subtitle {
        out.push_str(&format!("\nSubtitle: {subtitle}"));
    }
    out.push_str("\nKey sections:");
    for s in &outline.sections {
        out.push_str(&format!("\n- {}", s.heading));
        if !s.line.is_empty() {
            out.push_str(&format!(": {}", s.line));
        }
        if let Some(figure) = &s.figure {
            out.push_str(&format!(" (key figure: {figure})"));
        }
    }
    out
}

/// The format, layout, style, language and brand lines: the user's choices, never cut.
fn design_lines(aspect: AspectRatio, resolution: Resolution, design: &BriefDesign) -> String {
    let style = design.style.map_or("clean and modern", Style::instruction);
    let mut lines = vec![format!(
        "Format: one infographic, aspect ratio {aspect}, {resolution} resolution. Style: {style}, clear visual hierarchy, \
         icons and simple charts for the numbers, large readable text, no watermarks."
    )];
    let layout = match (design.layout, design.outline) {
        (Layout::Auto, Some(outline)) => outline.layout,
        (chosen, _) => chosen,
    };
    if let Some(instruction) = layout.instruction() {
        lines.push(format!("Layout: {instruction}."));
    }
    let language = design.language.and_then(design::language).unwrap_or(&design::LANGUAGES[0]);
    let mut words = format!("Language: write every word in the image in {} ({}).", language.name, language.code);
    if language.rtl {
        words.push_str(&format!(" {} is written right to left: lay out its text, and read the sections, from right to left.", language.name));
    }
    lines.push(words);
    if let Some(brand) = design.brand {
        let mut line = format!("Brand \"{}\": use the colours {} as the palette; {} typeface", brand.name, brand.colors.join(", "), brand.font_mood.label().to_lowercase());
        if !brand.tone.is_empty() {
            line.push_str(&format!("; tone: {}", brand.tone));
        }
        line.push('.');
        if brand.logo_key.is_some() {
            line.push_str(" Place the brand logo from the attached image, unchanged and small, in a corner.");
        }
        lines.push(line);
    }
    lines.join("\n")
}

/// How the first line of a refinement prompt begins; the emulator reads the instruction from it.
pub const REFINE_PREFIX: &str = "Change this infographic:";
/// Labels the original's headline in a refinement's prompt (the emulator draws it as the title).
pub const ORIGINAL_TITLE: &str = "Original title:";

/// The prompt for refining an image (fal's edit endpoint, with the image attached): the change
/// first, then what the original was — its title (the family's name) and the brief's article
/// title and format — within `budget`. The instruction is never cut; the original's title is cut
/// first.
pub fn refinement(instruction: &str, title: &str, original_brief: Option<&str>, aspect: AspectRatio, resolution: Resolution, budget: usize) -> String {
    let head = format!("{REFINE_PREFIX} {}\nKeep everything else as it is: the same subject, layout, colours and style.", instruction.trim());
    let brief = original_brief.unwrap_or_default();
    let source = brief.lines().find_map(|l| l.strip_prefix("Source article: ")).map(|t| format!("\nThe source article: {t}"));
    let format = brief
        .lines()
        .find(|l| l.starts_with("Format:"))
        .map(str::to_string)
        .unwrap_or_else(|| format!("Format: one infographic, aspect ratio {aspect}, {resolution} resolution."));
    let title = title.trim();
    let tail = format!("{}\n{format}", source.unwrap_or_default());
    let room = budget.saturating_sub(chars(&head) + chars(&tail) + ORIGINAL_TITLE.len() + 2);
    let title: String = title.chars().take(room).collect();
    if title.is_empty() {
        format!("{head}{tail}")
    } else {
        format!("{head}\n{ORIGINAL_TITLE} {title}{tail}")
    }
}

/// The longest alt text we write ourselves (owners may write up to `model::ALT_TEXT_MAX_CHARS`).
const ALT_MAX_CHARS: usize = 300;

/// Words for people who cannot see the picture, written from what it was made from: its title
/// and, when the brief read an article or an outline, the sections it covers. One or two
/// sentences.
pub fn alt_text(title: &str, brief: Option<&str>) -> String {
    let title = clip(title.trim().trim_end_matches(['.', ':']), 120);
    let brief = brief.unwrap_or_default();
    let source = brief.lines().find_map(|l| l.strip_prefix("Source article: ")).map(|t| clip(t, 100));
    let sections: Vec<&str> = brief
        .lines()
        .skip_while(|l| *l != "Key sections:")
        .skip(1)
        .map_while(|l| l.strip_prefix("- "))
        // An outline's section reads "Heading: its line": the heading says enough.
        .map(|s| s.split(": ").next().unwrap_or(s))
        .take(5)
        .collect();
    let mut text = format!("Infographic: {title}.");
    if let Some(source) = source {
        text.push_str(&format!(" From the article {source}."));
    }
    if !sections.is_empty() {
        text.push_str(&format!(" It covers {}.", list(&sections)));
    }
    clip(&text, ALT_MAX_CHARS)
}

/// "a", "a and b", "a, b and c".
fn list(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// At most `max` characters, cut at a word with an ellipsis.
fn clip(text: &str, max: usize) -> String {
    if chars(text) <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max.saturating_sub(1)).collect();
    let at = cut.rfind(char::is_whitespace).unwrap_or(cut.len());
    format!("{}…", cut[..at].trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::platform::config::DEFAULT_PROMPT_BUDGET as DEFAULT_BUDGET;

    #[test]
    fn alt_text_says_the_title_the_source_and_the_sections() {
        let brief = build("Why Bees Dance", "Make it fun\nfor kids", Some(&article(TEXT)), AspectRatio::R16x9, Resolution::K2, DEFAULT_BUDGET, &BriefDesign::default());
        assert_eq!(
            alt_text("Why Bees Dance", Some(&brief)),
            "Infographic: Why Bees Dance. From the article Why Bees Dance (Bee Blog, by Ada). It covers The waggle run and Distance."
        );
        assert_eq!(alt_text("  The water cycle.  ", None), "Infographic: The water cycle.");
        let long = alt_text(&"word ".repeat(200), None);
        assert!(chars(&long) <= 130 && long.ends_with("….") , "{long}");
    }

    #[test]
    fn a_refinement_puts_the_change_first_and_keeps_the_original_title_and_format() {
        let original = build("Rain in Lisbon", "", Some(&article(TEXT)), AspectRatio::R16x9, Resolution::K2, DEFAULT_BUDGET, &BriefDesign::default());
        let prompt = refinement("make the title larger", "Rain in Lisbon", Some(&original), AspectRatio::R16x9, Resolution::K2, DEFAULT_BUDGET);
        assert!(prompt.starts_with(&format!("{REFINE_PREFIX} make the title larger")), "{prompt}");
        assert!(prompt.contains("Original title: Rain in Lisbon") && prompt.contains("Why Bees Dance"), "{prompt}");
        assert!(prompt.contains("Format: one infographic, aspect ratio 16:9, 2K resolution."), "{prompt}");
        let long = "word ".repeat(3000);
        let cut = refinement("blue", &long, None, AspectRatio::R1x1, Resolution::K1, 600);
        assert!(chars(&cut) <= 600, "{}", chars(&cut));
        assert!(cut.starts_with(&format!("{REFINE_PREFIX} blue")));
    }

    fn article(text: &str) -> Article {
        Article {
            title: Some("Why Bees Dance".into()),
            byline: Some("By Ada".into()),
            site_name: Some("Bee Blog".into()),
            excerpt: None,
            headings: vec!["The waggle run".into(), "Distance".into()],
            word_count: text.split_whitespace().count(),
            text: text.into(),
        }
    }

    const TEXT: &str = "Bees dance. A forager flies up to 6 km from the hive. One second of waggling means about 1 km. \
                        The colony holds 50000 bees in summer. They like flowers.";

    #[test]
    fn the_brief_is_structured_with_the_users_words_first() {
        let built = build("Why Bees Dance", "Make it fun", Some(&article(TEXT)), AspectRatio::R16x9, Resolution::K2, DEFAULT_BUDGET, &BriefDesign::default());
        assert!(
            built.starts_with(&format!("Title: Why Bees Dance\n{REQUEST_LABEL} Make it fun\n\nSource article: Why Bees Dance (Bee Blog, by Ada)")),
            "the title first, the request labelled: {built}"
        );
        assert!(built.contains("Key sections:\n- The waggle run\n- Distance"));
        assert!(built.contains("Key facts and numbers:\n- A forager flies up to 6 km from the hive."));
        assert!(built.contains("- The colony holds 50000 bees in summer."));
        assert!(!built.contains("- They like flowers."), "facts need a number");
        assert!(built.contains("Article summary:\nBees dance."));
        assert!(built.ends_with("Language: write every word in the image in English (en).") && built.contains("aspect ratio 16:9, 2K"), "{built}");
    }

    #[test]
    fn the_least_important_parts_are_trimmed_first_never_the_user() {
        let long = format!("{TEXT} {}", "Filler words about bees. ".repeat(2000));
        let prompt = "p".repeat(3000);
        let built = build("Bees", &prompt, Some(&article(&long)), AspectRatio::R1x1, Resolution::K1, DEFAULT_BUDGET, &BriefDesign::default());
        assert!(built.chars().count() <= DEFAULT_BUDGET, "{}", built.chars().count());
        assert!(built.starts_with(&format!("Title: Bees\n{REQUEST_LABEL} {prompt}")));
        assert!(built.contains("Key facts and numbers:") && built.contains("Source article:"));
        assert!(built.contains('…'), "the summary is cut at a word boundary");

        // A tiny budget drops everything optional, yet keeps the user's words and the format.
        let tiny = build("Bees", &prompt, Some(&article(&long)), AspectRatio::R1x1, Resolution::K1, 100, &BriefDesign::default());
        assert!(tiny.contains(&prompt) && tiny.contains("Format:"));
        assert!(!tiny.contains("Source article") && !tiny.contains("Key facts"));
    }

    #[test]
    fn the_design_and_an_outline_shape_the_brief() {
        use crate::model::design::{FontMood, OutlineSection};
        let brand = BrandSnapshot {
            name: "Acme".into(),
            colors: vec!["#112233".into(), "#AABBCC".into()],
            font_mood: FontMood::ClassicSerif,
            tone: "warm, plain words".into(),
            logo_key: Some("brand/k/ab.png".into()),
        };
        let outline = Outline {
            title: "Bees at work".into(),
            subtitle: Some("How a hive finds food".into()),
            sections: vec![OutlineSection { heading: "Scouts".into(), line: "fly up to 6 km".into(), figure: Some("6 km".into()), source: None }],
            layout: Layout::Process,
        };
        let design = BriefDesign { layout: Layout::Auto, style: Some(Style::Isometric), language: Some("ar"), brand: Some(&brand), outline: Some(&outline) };
        let built = build("Bees at work", "Bees", Some(&article(TEXT)), AspectRatio::R4x5, Resolution::K2, DEFAULT_BUDGET, &design);
        assert!(built.starts_with(&format!("Title: Bees at work\n{REQUEST_LABEL} Bees\nSubtitle: How a hive finds food\nKey sections:\n- Scouts: fly up to 6 km (key figure: 6 km)")), "{built}");
        assert!(!built.contains("Why Bees Dance"), "the outline replaces the article: {built}");
        assert!(built.contains("Style: isometric 3D illustration"), "{built}");
        assert!(built.contains("Layout: a process: numbered steps"), "the outline's layout when the form says auto: {built}");
        assert!(built.contains("in Arabic (ar). Arabic is written right to left"), "{built}");
        assert!(built.contains("use the colours #112233, #AABBCC as the palette; classic serif typeface; tone: warm, plain words."), "{built}");
        assert!(built.contains("Place the brand logo"), "{built}");
        assert_eq!(alt_text("Bees at work", Some(&built)), "Infographic: Bees at work. It covers Scouts.");
        // Over budget (a long prompt), the outline gives way, never the user's words.
        let long = "word ".repeat(1100);
        let big = Outline {
            subtitle: Some("s".repeat(200)),
            sections: (0..8).map(|i| OutlineSection { heading: format!("Heading {i}"), line: "l".repeat(240), figure: None, source: None }).collect(),
            ..outline.clone()
        };
        let fitted = build("Bees at work", &long, None, AspectRatio::R1x1, Resolution::K1, DEFAULT_BUDGET, &BriefDesign { outline: Some(&big), ..BriefDesign::default() });
        assert!(chars(&fitted) <= DEFAULT_BUDGET && fitted.starts_with("Title: Bees at work\n") && fitted.contains(long.trim()), "{}", chars(&fitted));
        let chosen = BriefDesign { layout: Layout::Timeline, outline: Some(&outline), ..BriefDesign::default() };
        assert!(build("Bees", "Bees", None, AspectRatio::R1x1, Resolution::K1, DEFAULT_BUDGET, &chosen).contains("Layout: a timeline"));
    }

    #[test]
    fn without_an_article_it_is_prompt_and_format() {
        let built = build("Rain", "A chart of rain", None, AspectRatio::R1x1, Resolution::K1, DEFAULT_BUDGET, &BriefDesign::default());
        assert!(built.starts_with(&format!("Title: Rain\n{REQUEST_LABEL} A chart of rain\n\nFormat:")), "{built}");
        let sourced = build("Rain", "", None, AspectRatio::R1x1, Resolution::K1, DEFAULT_BUDGET, &BriefDesign::default());
        assert!(sourced.starts_with("Title: Rain\n\nFormat:"), "no empty request line: {sourced}");
    }
}
