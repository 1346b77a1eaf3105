//! Where a job is: its status (the state machine) and, finer, its phase (what the progress bar
//! shows).

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Where a job is. Transitions are checked by [`JobStatus::can_become`]; final states never move.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum JobStatus {
    Queued,
    Processing,
    Completed,
    Failed,
}

impl JobStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Processing => "processing",
            Self::Completed => "completed",
            Self::Failed => "failed",
        }
    }

    pub fn is_final(self) -> bool {
        matches!(self, Self::Completed | Self::Failed)
    }

    /// The whole state machine: queued → processing → completed | failed, and a queued job may
    /// fail before it is ever submitted. Nothing leaves a final state.
    pub fn can_become(self, next: JobStatus) -> bool {
        use JobStatus::*;
        matches!(
            (self, next),
            (Queued, Processing) | (Queued, Failed) | (Processing, Completed) | (Processing, Failed)
        )
    }
}

impl FromStr for JobStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "queued" => Ok(Self::Queued),
            "processing" => Ok(Self::Processing),
            "completed" => Ok(Self::Completed),
            "failed" => Ok(Self::Failed),
            other => Err(format!("unknown job status {other:?}")),
        }
    }
}

impl fmt::Display for JobStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
/// Where a job is in its life, finer than [`JobStatus`]: what the progress bar shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    #[default]
    Queued,
    ReadingBlog,
    Submitted,
    InQueue,
    Generating,
    /// Completed at fal, being copied to our storage.
    Storing,
    Done,
    Failed,
}

impl Phase {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::ReadingBlog => "reading_blog",
            Self::Submitted => "submitted",
            Self::InQueue => "in_queue",
            Self::Generating => "generating",
            Self::Storing => "storing",
            Self::Done => "done",
            Self::Failed => "failed",
        }
    }

    /// What a person reads, e.g. "In fal's queue (position 3)".
    pub fn label(self, queue_position: Option<i64>) -> String {
        match (self, queue_position) {
            (Self::Queued, _) => "Queued".into(),
            (Self::ReadingBlog, _) => "Reading the blog".into(),
            (Self::Submitted, _) => "Submitted".into(),
            (Self::InQueue, Some(n)) => format!("In fal's queue (position {})", n + 1),
            (Self::InQueue, None) => "In fal's queue".into(),
            (Self::Generating, _) => "Generating".into(),
            (Self::Storing, _) => "Storing".into(),
            (Self::Done, _) => "Done".into(),
            (Self::Failed, _) => "Failed".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_status_reads_back_as_written_and_an_unknown_one_is_an_error() {
        for status in [JobStatus::Queued, JobStatus::Processing, JobStatus::Completed, JobStatus::Failed] {
            assert_eq!(status.as_str().parse::<JobStatus>(), Ok(status));
        }
        // A status a newer release wrote is not mistaken for one this release knows.
        assert!("cancelled".parse::<JobStatus>().is_err());
        assert!("".parse::<JobStatus>().is_err());
    }

    #[test]
    fn state_machine_never_leaves_a_final_state() {
        use JobStatus::*;
        assert!(Queued.can_become(Processing));
        assert!(Queued.can_become(Failed));
        assert!(Processing.can_become(Completed));
        assert!(Processing.can_become(Failed));
        for from in [Completed, Failed] {
            for to in [Queued, Processing, Completed, Failed] {
                assert!(!from.can_become(to), "{from} -> {to}");
            }
        }
        assert!(!Queued.can_become(Completed));
        assert!(!Processing.can_become(Queued));
    }
}
