//! Composite requests, each a sequence of steps run as one pool request that checks for cancellation between steps: load, copy, move, scandir, rmtree.

use crate::req::ReqCtx;
use crate::value::Outcome;

/// The requests of this family; see [`crate::Op`].
#[derive(Debug)]
pub enum CompositeOp {}

impl CompositeOp {
    pub fn execute(self, _ctx: &ReqCtx<'_>) -> Outcome {
        match self {}
    }
}
