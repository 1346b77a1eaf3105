//! The proofread's summary on the picture's row (`server::proofread` owns the proofread itself):
//! what every view of the picture shows. It changes no status; the progress version moves so
//! the owner's open pages take the new summary.

use crate::model::proofread::ProofreadStatus;
use crate::server::platform::db::Conn;

/// The summary a proofread leaves: its status, and for a finished one its counts.
#[derive(Debug, Clone, Copy)]
pub struct ProofreadSummary {
    pub status: ProofreadStatus,
    pub problems: i64,
    pub words_expected: i64,
    pub words_found: i64,
}

/// Writes the summary, inside the transaction that ends the proofread.
pub(in crate::server) async fn record_proofread(conn: &mut Conn, id: &str, summary: &ProofreadSummary) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE infographs SET proofread_status = $1, proofread_problems = $2, proofread_words_expected = $3, \
         proofread_words_found = $4, progress_version = progress_version + 1 WHERE id = $5",
    )
    .bind(summary.status.as_str())
    .bind(summary.problems)
    .bind(summary.words_expected)
    .bind(summary.words_found)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}
