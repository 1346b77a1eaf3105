//! Proofreading a picture: what a vision model read back from it, compared with what it should
//! say. The comparison itself is `server::proofread::compare`; these are the values the browser,
//! the REST API and the database share.

use serde::{Deserialize, Serialize};

/// Where a picture's proofread stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ProofreadStatus {
    /// Asked, or about to be; the picture is shown meanwhile.
    #[default]
    Pending,
    /// Read back and compared: `problems` is the whole list (empty: every word is right).
    Done,
    /// The read-back failed or never came back in time: nothing is claimed either way.
    NotProofread,
}

impl ProofreadStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Done => "done",
            Self::NotProofread => "not_proofread",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "pending" => Some(Self::Pending),
            "done" => Some(Self::Done),
            "not_proofread" => Some(Self::NotProofread),
            _ => None,
        }
    }
}

/// What is wrong with one piece of the picture's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ProblemKind {
    /// The picture has a word where the source has a different one ("POLINATION" for
    /// "POLLINATION").
    Misspelled,
    /// A word of the source is not in the picture.
    Missing,
    /// The picture has text the source does not.
    Extra,
    /// A number in the picture appears nowhere in what it was made from.
    NumberNotInSource,
    /// Text in another language than the one asked for.
    WrongLanguage,
}

impl ProblemKind {
    pub fn label(self) -> &'static str {
        match self {
            Self::Misspelled => "Misspelled",
            Self::Missing => "Missing",
            Self::Extra => "Extra text",
            Self::NumberNotInSource => "Not in your source",
            Self::WrongLanguage => "Wrong language",
        }
    }
}

/// One problem: the text the picture should have (`expected`) and what it has (`found`); one of
/// them is absent for missing and extra text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Problem {
    pub kind: ProblemKind,
    pub expected: Option<String>,
    pub found: Option<String>,
}

/// The outcome of comparing a transcription with what the picture should say.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Comparison {
    /// Words the picture should have.
    pub words_expected: u32,
    /// Of those, the words found, spelled right.
    pub words_found: u32,
    pub problems: Vec<Problem>,
}

/// A picture's proofread in brief, on every view of it (the card, the status JSON, the versions).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ProofreadBadge {
    pub status: ProofreadStatus,
    /// How many problems a finished proofread found.
    pub problems: u32,
    pub words_expected: u32,
    pub words_found: u32,
}

impl ProofreadBadge {
    /// The one line the card and the viewer show.
    pub fn summary(&self) -> String {
        match self.status {
            ProofreadStatus::Pending => "Proofreading…".into(),
            ProofreadStatus::NotProofread => "Not proofread".into(),
            ProofreadStatus::Done if self.problems == 0 => format!("Proofread: {} of {} words right", self.words_found, self.words_expected),
            ProofreadStatus::Done if self.problems == 1 => "Proofread: 1 problem".into(),
            ProofreadStatus::Done => format!("Proofread: {} problems", self.problems),
        }
    }

    /// Whether the badge should draw the eye (problems were found).
    pub fn has_problems(&self) -> bool {
        self.status == ProofreadStatus::Done && self.problems > 0
    }
}

/// A picture's proofread as its owner sees it (the viewer, the card, `GET …/proofread/`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ProofreadView {
    pub status: ProofreadStatus,
    pub words_expected: u32,
    pub words_found: u32,
    /// What the vision model read in the picture.
    pub text: String,
    pub problems: Vec<Problem>,
    /// What "Fix these words" costs now, in credits: 0 while the picture's family has its free
    /// fix, else a refinement's price.
    #[serde(default)]
    pub fix_cost: i64,
}

impl ProofreadView {
    pub fn badge(&self) -> ProofreadBadge {
        ProofreadBadge {
            status: self.status,
            problems: u32::try_from(self.problems.len()).unwrap_or(u32::MAX),
            words_expected: self.words_expected,
            words_found: self.words_found,
        }
    }

    /// The one line the card and the viewer show.
    pub fn summary(&self) -> String {
        self.badge().summary()
    }

    /// Whether "Fix these words" has something to do.
    pub fn fixable(&self) -> bool {
        self.status == ProofreadStatus::Done && !self.problems.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_says_words_right_or_how_many_problems() {
        let badge = |status, problems| ProofreadBadge { status, problems, words_expected: 42, words_found: 42 - problems };
        assert_eq!(badge(ProofreadStatus::Done, 0).summary(), "Proofread: 42 of 42 words right");
        assert_eq!(badge(ProofreadStatus::Done, 1).summary(), "Proofread: 1 problem");
        assert_eq!(badge(ProofreadStatus::Done, 3).summary(), "Proofread: 3 problems");
        assert_eq!(badge(ProofreadStatus::Pending, 0).summary(), "Proofreading…");
        assert_eq!(badge(ProofreadStatus::NotProofread, 0).summary(), "Not proofread");
        assert!(badge(ProofreadStatus::Done, 2).has_problems() && !badge(ProofreadStatus::Done, 0).has_problems());
        for status in [ProofreadStatus::Pending, ProofreadStatus::Done, ProofreadStatus::NotProofread] {
            assert_eq!(ProofreadStatus::parse(status.as_str()), Some(status));
        }
    }
}

/// The transcription cut into pieces, each marked when it is text a problem names (the viewer
/// highlights them). Matches are exact and never overlap; the first found wins.
pub fn highlight(text: &str, problems: &[Problem]) -> Vec<(String, bool)> {
    let needles: Vec<&str> = problems.iter().filter_map(|p| p.found.as_deref()).map(str::trim).filter(|n| !n.is_empty()).collect();
    let mut pieces = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let next = needles.iter().filter_map(|n| rest.find(n).map(|at| (at, *n))).min_by_key(|(at, n)| (*at, std::cmp::Reverse(n.len())));
        let Some((at, needle)) = next else { break };
        if at > 0 {
            pieces.push((rest[..at].to_string(), false));
        }
        pieces.push((needle.to_string(), true));
        rest = &rest[at + needle.len()..];
    }
    if !rest.is_empty() {
        pieces.push((rest.to_string(), false));
    }
    pieces
}

#[cfg(test)]
mod highlight_tests {
    use super::*;

    #[test]
    fn the_problems_read_text_is_marked_in_the_transcription() {
        let problems = [
            Problem { kind: ProblemKind::Misspelled, expected: Some("POLLINATION".into()), found: Some("POLINATION".into()) },
            Problem { kind: ProblemKind::NumberNotInSource, expected: None, found: Some("85%".into()) },
            Problem { kind: ProblemKind::Missing, expected: Some("Bees".into()), found: None },
        ];
        let pieces = highlight("POLINATION FACTS\n85% of crops", &problems);
        assert_eq!(pieces, vec![("POLINATION".into(), true), (" FACTS\n".into(), false), ("85%".into(), true), (" of crops".into(), false)]);
        assert_eq!(highlight("clean", &problems), vec![("clean".into(), false)]);
        assert!(highlight("", &problems).is_empty());
    }
}
