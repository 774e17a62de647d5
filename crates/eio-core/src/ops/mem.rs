//! Requests on memory: msync, mtouch, mlock, mlockall.

use crate::req::ReqCtx;
use crate::value::Outcome;

/// The requests of this family; see [`crate::Op`].
#[derive(Debug)]
pub enum MemOp {}

impl MemOp {
    pub fn execute(self, _ctx: &ReqCtx<'_>) -> Outcome {
        match self {}
    }
}
