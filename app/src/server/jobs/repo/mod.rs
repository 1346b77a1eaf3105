//! The `infographs` table: the row type, its reads, and every write to it.
//!
//! Reads are open to everyone. Writes are open only to `jobs`, the module that owns a job's
//! state transitions (and, for our stored copy, to the image copier): a status change is a
//! guarded [`transition`], and the other writes (leases, fal's queue position, the cancel flag,
//! our stored copy, the owner's edits) change no status and are guarded by the state they belong
//! to. Nothing else in the code base writes this table.

mod ending;
mod layered;
mod new_job;
mod owner_edits;
mod proofread_summary;
mod read;
mod row;
mod running;
mod stored_copy;
mod submission;
mod transition;

pub use new_job::{FixKind, JobDesign, NewJob};
pub use read::{background_key, by_id, family_of, free_fix_used, list_families, list_owned, owned, recent_durations, running_since_before, stored_keys};
pub use proofread_summary::ProofreadSummary;
pub use row::{InfographRow, COLUMNS};

pub(in crate::server::jobs) use ending::{cancel_unsubmitted, complete, fail_with_refund, Image};
pub(in crate::server::jobs) use new_job::insert_queued;
pub(in crate::server::jobs) use owner_edits::{hide, set_alt_text, set_family_title};
pub(in crate::server::jobs) use running::{claim_due_polls, claim_progress_polls, record_fal_status, set_cancel_requested};
pub(in crate::server::jobs) use submission::{adopt_request, claim_queued, record_intent, record_submission, release_lease};
pub(in crate::server) use layered::{insert_text_edit, set_layers};
pub(in crate::server) use proofread_summary::record_proofread;
pub(in crate::server) use stored_copy::{claim_copy, record_copy_failure, record_stored, CopyJob, Stored};
