//! Streaming directory scans: batches for readdirIter, directory reads for walk.

use crate::req::ReqCtx;
use crate::value::Outcome;

/// The requests of this family; see [`crate::Op`].
#[derive(Debug)]
pub enum ScanOp {}

impl ScanOp {
    pub fn execute(self, _ctx: &ReqCtx<'_>) -> Outcome {
        match self {}
    }
}
