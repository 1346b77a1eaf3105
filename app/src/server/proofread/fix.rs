//! "Fix these words": a proofread's problems, turned into a refinement whose instruction lists
//! the exact corrections, made through the refine path (its result is proofread too).
//!
//! What it costs: the first fix in a picture's family is free; a later one costs what a
//! refinement does (the picture's resolution's credits). A version whose text was made editable
//! is fixed by editing its boxes instead: exact, free, no model. "Fix automatically" (an account
//! setting) asks for the free fix on its own when a proofread finds problems — never a paid one,
//! so it cannot spend credits behind its owner's back.

use super::repo;
use crate::errors::AppError;
use crate::model::design;
use crate::model::layers::TextBox;
use crate::server::layers::StoredLayers;
use crate::model::proofread::{Problem, ProblemKind, ProofreadStatus};
use crate::model::INSTRUCTION_MAX_CHARS;
use crate::server::accounts::users::{self, UserRow};
use crate::server::jobs::create::{self, Created};
use crate::server::jobs::repo::{self as jobs_repo, InfographRow};
use crate::server::platform::state::AppState;

/// The closing line of every fix instruction (the model must not redraw the rest).
const KEEP: &str = "Keep everything else exactly as it is.";

/// The correction for one problem, as an instruction sentence.
fn correction(problem: &Problem, language: &str) -> Option<String> {
    let quote = |text: &str| format!("\"{}\"", text.replace('"', "'").split_whitespace().collect::<Vec<_>>().join(" "));
    match (problem.kind, problem.expected.as_deref(), problem.found.as_deref()) {
        (ProblemKind::WrongLanguage, _, Some(found)) => Some(format!("Rewrite {} in {language}.", quote(found))),
        (_, Some(expected), Some(found)) => Some(format!("Change {} to {}.", quote(found), quote(expected))),
        (ProblemKind::Missing, Some(expected), None) => Some(format!("Add the missing text {}.", quote(expected))),
        (ProblemKind::NumberNotInSource, None, Some(found)) => Some(format!("Remove the number {}: it is not in the source.", quote(found))),
        (ProblemKind::Extra, None, Some(found)) => Some(format!("Remove the text {}.", quote(found))),
        _ => None,
    }
}

/// The refinement's instruction: one correction per line, then [`KEEP`]; as many corrections
/// as fit in an instruction. `None` when no problem can be said as a correction.
pub fn instruction(problems: &[Problem], language_code: &str) -> Option<String> {
    let language = design::language(language_code).map_or("English", |l| l.name);
    let mut text = String::new();
    for line in problems.iter().filter_map(|p| correction(p, language)) {
        if text.chars().count() + line.chars().count() + KEEP.len() + 2 > INSTRUCTION_MAX_CHARS {
            break;
        }
        text.push_str(&line);
        text.push('\n');
    }
    (!text.is_empty()).then(|| format!("{text}{KEEP}"))
}

/// The owner's fix of picture `id`: `201` like a refinement; `409` when its proofread is not
/// done or found nothing to fix.
pub async fn fix(state: &AppState, owner: &UserRow, id: &str, idempotency_key: Option<&str>) -> Result<Created, AppError> {
    let source = create::refinable(state, owner, id).await?;
    if let Some(layers) = StoredLayers::of(&source) {
        return fix_boxes(state, owner, &source, layers).await;
    }
    let instruction = instruction_for(state, &source).await?;
    let free = !jobs_repo::free_fix_used(&state.db, family_of(&source)).await?;
    create::fix(state, owner, &source, &instruction, free, idempotency_key).await
}

/// A layered version is fixed by editing its boxes: exact and free, no model (a text edit).
async fn fix_boxes(state: &AppState, owner: &UserRow, source: &InfographRow, layers: StoredLayers) -> Result<Created, AppError> {
    let proofread = repo::by_infograph(&state.db, &source.id).await?.filter(|p| p.status() == ProofreadStatus::Done);
    let problems = proofread.map(|p| p.problems()).unwrap_or_default();
    let boxes = corrected(layers.boxes, &problems).ok_or_else(|| AppError::Conflict("the proofread found nothing the text boxes can fix".into()))?;
    let response = crate::server::layers::save_text_edit(state, owner, &source.id, boxes, crate::server::layers::PROOFREAD_EDIT).await?;
    Ok(Created { response, status_code: 201, replayed: false })
}

/// The boxes with each problem's read text replaced by the expected one (extra text removed);
/// `None` when nothing changed.
fn corrected(mut boxes: Vec<TextBox>, problems: &[Problem]) -> Option<Vec<TextBox>> {
    let mut changed = false;
    for problem in problems {
        let Some(found) = problem.found.as_deref().filter(|f| !f.is_empty()) else { continue };
        let replacement = match (problem.kind, problem.expected.as_deref()) {
            (ProblemKind::Extra, _) => "",
            (_, Some(expected)) => expected,
            _ => continue,
        };
        if let Some(b) = boxes.iter_mut().find(|b| b.text.contains(found)) {
            b.text = b.text.replacen(found, replacement, 1).trim().to_string();
            changed = true;
        }
    }
    changed.then_some(boxes)
}

/// What a fix of `picture` costs now: nothing while its family has its free fix.
pub async fn cost(state: &AppState, picture: &InfographRow) -> Result<i64, AppError> {
    if picture.layers.is_some() {
        return Ok(0);
    }
    if !jobs_repo::free_fix_used(&state.db, family_of(picture)).await? {
        return Ok(0);
    }
    let resolution: crate::model::Resolution = picture.resolution.parse().map_err(|_| AppError::Internal)?;
    Ok(resolution.credits_per_image())
}

fn family_of(picture: &InfographRow) -> &str {
    picture.family_id.as_deref().unwrap_or(&picture.id)
}

async fn instruction_for(state: &AppState, source: &InfographRow) -> Result<String, AppError> {
    let proofread = repo::by_infograph(&state.db, &source.id).await?;
    let Some(proofread) = proofread.filter(|p| p.status() == ProofreadStatus::Done) else {
        return Err(AppError::Conflict("this picture's proofread is not done, so there is nothing to fix yet".into()));
    };
    let language = source.language.as_deref().unwrap_or(design::DEFAULT_LANGUAGE);
    instruction(&proofread.problems(), language).ok_or_else(|| AppError::Conflict("the proofread found nothing to fix".into()))
}

/// After a proofread: the free fix, asked for on its owner's behalf when they chose "fix
/// automatically" and the picture has problems. A fix's own result is never fixed on its own
/// (it tries once), and nothing is charged.
pub(super) async fn after_proofread(state: &AppState, picture: &InfographRow) -> Result<(), AppError> {
    if picture.proofread_fix != 0 || !repo::auto_fix(&state.db, &picture.user_id).await? {
        return Ok(());
    }
    let Ok(instruction) = instruction_for(state, picture).await else { return Ok(()) };
    if jobs_repo::free_fix_used(&state.db, family_of(picture)).await? {
        return Ok(());
    }
    let Some(owner) = users::by_id(&state.db, &picture.user_id).await? else { return Ok(()) };
    match create::fix(state, &owner, picture, &instruction, true, None).await {
        Ok(_) => tracing::info!(infograph = %picture.id, "asked for the automatic fix"),
        // Another fix got there first: nothing to do.
        Err(AppError::Conflict(_)) => {}
        Err(err) => return Err(err),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(kind: ProblemKind, expected: Option<&str>, found: Option<&str>) -> Problem {
        Problem { kind, expected: expected.map(Into::into), found: found.map(Into::into) }
    }

    #[test]
    fn the_instruction_lists_each_correction_then_keeps_the_rest() {
        let problems = [
            problem(ProblemKind::Misspelled, Some("POLLINATION FACTS"), Some("POLINATION FACTS")),
            problem(ProblemKind::NumberNotInSource, Some("75%"), Some("85%")),
            problem(ProblemKind::Missing, Some("Bees"), None),
            problem(ProblemKind::Extra, None, Some("Lorem")),
            problem(ProblemKind::WrongLanguage, None, Some("Die Bienen")),
        ];
        let text = instruction(&problems, "en").expect("an instruction");
        assert_eq!(
            text,
            "Change \"POLINATION FACTS\" to \"POLLINATION FACTS\".\nChange \"85%\" to \"75%\".\nAdd the missing text \"Bees\".\n\
             Remove the text \"Lorem\".\nRewrite \"Die Bienen\" in English.\nKeep everything else exactly as it is."
        );
    }

    #[test]
    fn nothing_to_correct_is_no_instruction_and_a_long_list_fits_an_instruction() {
        assert_eq!(instruction(&[], "en"), None);
        let many: Vec<Problem> = (0..500).map(|i| problem(ProblemKind::Misspelled, Some(&format!("word{i}")), Some(&format!("wrod{i}")))).collect();
        let text = instruction(&many, "de").expect("an instruction");
        assert!(text.chars().count() <= INSTRUCTION_MAX_CHARS && text.ends_with(KEEP), "{}", text.len());
        let quoted = instruction(&[problem(ProblemKind::Misspelled, Some("say \"hi\""), Some("sya  hi"))], "en").expect("one");
        assert!(quoted.starts_with("Change \"sya hi\" to \"say 'hi'\"."), "{quoted}");
    }
}
