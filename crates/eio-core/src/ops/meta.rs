//! File and descriptor requests beyond the core: sendfile, readahead, statvfs, utime, chown, chmod, truncate, allocate, the sync family, pathsync, fiemap.

use crate::req::ReqCtx;
use crate::value::Outcome;

/// The requests of this family; see [`crate::Op`].
#[derive(Debug)]
pub enum MetaOp {}

impl MetaOp {
    pub fn execute(self, _ctx: &ReqCtx<'_>) -> Outcome {
        match self {}
    }
}
