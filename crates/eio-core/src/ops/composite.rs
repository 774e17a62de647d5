//! Composite requests, each a sequence of steps run as one pool request that checks for
//! cancellation between steps: load, copy, move, scandir, rmtree. Where IO::AIO builds
//! them from groups of sub-requests, eio runs the steps on one worker (where IO::AIO's
//! sub-requests run in parallel, on threads of the request's own for its duration:
//! scandir's stats, rmtree's removals), so the request's priority applies to the whole,
//! and an abort stops it at the next step and cleans up as an error would.

mod copy;
mod load;
mod rmtree;
mod scandir;

use crate::req::ReqCtx;
use crate::sys::cvt::Errno;
use crate::sys::path::At;
use crate::value::{Outcome, ReqError, Value};

/// The requests of this family; see [`crate::Op`].
#[derive(Debug)]
pub enum CompositeOp {
    /// `aio_load`: the whole file, read to its end (also when `st_size` is 0, as on procfs).
    Load { at: At },
    /// `aio_copy`: contents (holes kept), times, mode and owner of `src` to `dst`.
    Copy { src: At, dst: At },
    /// `aio_move`: rename, or on `EXDEV` copy then unlink `src`.
    Move { src: At, dst: At },
    /// `aio_scandir`: the entries of a directory, split into directories and the rest.
    /// At most `maxreq` stats run at once (0: IO::AIO's default, 4).
    Scandir { at: At, maxreq: u32 },
    /// `aio_rmtree`: removes a tree without ever following a symlink.
    Rmtree { at: At },
}

impl CompositeOp {
    pub fn execute(self, ctx: &ReqCtx<'_>) -> Outcome {
        match self {
            CompositeOp::Load { at } => load::load(&at, ctx).map(Value::Bytes),
            CompositeOp::Copy { src, dst } => copy::copy(&src, &dst, ctx).map(|_| Value::Unit),
            CompositeOp::Move { src, dst } => copy::move_(&src, &dst, ctx).map(|_| Value::Unit),
            CompositeOp::Scandir { at, maxreq } => scandir::scandir(&at, maxreq, ctx),
            CompositeOp::Rmtree { at } => rmtree::rmtree(&at, ctx).map(|_| Value::Unit),
        }
    }
}

/// The error of a step that failed: `errno`, attributed to `syscall`.
fn step(syscall: &'static str) -> impl Fn(Errno) -> ReqError {
    move |e| ReqError::os(e).with_syscall(syscall)
}

/// `ECANCELED` once the request was aborted: long requests call it between steps. The
/// completion is discarded anyway (the receiver sees the abort flag); the error only makes
/// the request stop and clean up.
fn check_abort(ctx: &ReqCtx<'_>) -> Result<(), ReqError> {
    if ctx.aborted() {
        Err(ReqError::os(Errno(libc::ECANCELED)))
    } else {
        Ok(())
    }
}
