//! Requests on names and directories: mknod, link, symlink, readlink, realpath, wd, readdirx.

use crate::req::ReqCtx;
use crate::value::Outcome;

/// The requests of this family; see [`crate::Op`].
#[derive(Debug)]
pub enum NamesOp {}

impl NamesOp {
    pub fn execute(self, _ctx: &ReqCtx<'_>) -> Outcome {
        match self {}
    }
}
