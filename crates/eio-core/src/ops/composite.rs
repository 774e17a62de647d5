//! Composite requests, each one pool request made of steps: load, copy, move, mkdir -p,
//! scandir, rmtree. Where IO::AIO builds them from groups of sub-requests, eio runs their
//! parallel steps (rmtree's and copy's directories and files, scandir's stats) as
//! sub-work on the pool's own threads ([`ReqCtx::fan_out`]), at the request's priority and
//! within `max_parallel`; an abort stops them at the next step and cleans up as an error
//! would.

mod copy;
mod load;
mod mkdirp;
mod rmtree;
mod scandir;
mod tally;

use std::sync::Arc;

pub use copy::{CopyFilter, CopyOptions, FilterQuery, Replace};
pub use rmtree::RmtreeOptions;
pub use tally::Tally;

use crate::req::ReqCtx;
use crate::sys::cvt::Errno;
use crate::sys::path::At;
use crate::value::{Outcome, ReqError, Value};

/// The requests of this family; see [`crate::Op`].
#[derive(Debug)]
pub enum CompositeOp {
    /// `aio_load`: the whole file, read to its end (also when `st_size` is 0, as on procfs).
    Load { at: At },
    /// `aio_copy`: contents (holes kept), times, mode and owner of `src` to `dst`; with
    /// `opts.recursive`, a whole tree. Its outcome is `tally`'s `{ entries, bytes }`.
    Copy { src: At, dst: At, opts: CopyOptions, tally: Arc<Tally> },
    /// `aio_move`: rename, or across filesystems copy the tree, then remove `src`. Its
    /// outcome is `tally`'s `{ entries, bytes }` (of the copy; a rename is one entry).
    Move { src: At, dst: At, replace: Replace, tally: Arc<Tally> },
    /// `mkdir -p`: creates `at` and the directories above it that are missing; the
    /// outcome is the path of the first one created (Node's rule), or undefined.
    Mkdirp { at: At, mode: u32 },
    /// `aio_scandir`: the entries of a directory, split into directories and the rest.
    /// At most `maxreq` stats run at once (0: IO::AIO's default, 4).
    Scandir { at: At, maxreq: u32 },
    /// `aio_rmtree`: removes a tree without ever following a symlink, counting what it
    /// removes in `tally` (its outcome is the tally's `{ entries, bytes }`).
    Rmtree { at: At, opts: RmtreeOptions, tally: Arc<Tally> },
}

impl CompositeOp {
    pub fn execute(self, ctx: &ReqCtx<'_>) -> Outcome {
        match self {
            CompositeOp::Load { at } => load::load(&at, ctx).map(Value::Bytes),
            CompositeOp::Copy { src, dst, opts, tally } => copy::copy(&src, &dst, opts, tally, ctx),
            CompositeOp::Move { src, dst, replace, tally } => copy::move_(&src, &dst, replace, tally, ctx),
            CompositeOp::Mkdirp { at, mode } => {
                Ok(mkdirp::mkdirp(&at, mode)?.map_or(Value::Unit, Value::Name))
            }
            CompositeOp::Scandir { at, maxreq } => scandir::scandir(&at, maxreq, ctx),
            CompositeOp::Rmtree { at, opts, tally } => rmtree::rmtree(&at, opts, tally, ctx),
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

/// The error of `syscall` on the entry at `subpath` below the root, given as its names
/// from the top (empty ones, the root's own, are skipped).
pub(super) fn entry_error<'a>(
    errno: Errno,
    syscall: &'static str,
    names: impl IntoIterator<Item = &'a [u8]>,
) -> ReqError {
    let mut path = Vec::new();
    for part in names.into_iter().filter(|part| !part.is_empty()) {
        if !path.is_empty() {
            path.push(b'/');
        }
        path.extend_from_slice(part);
    }
    let err = ReqError::os(errno).with_syscall(syscall);
    if path.is_empty() {
        err
    } else {
        err.with_subpath(path)
    }
}

/// A directory inside a tree that a composite works on (rmtree, copy), known by its name
/// and its parent's: names the entries in errors, relative to the tree's root.
trait TreeDir {
    /// The directory holding it; `None` for the tree's root.
    fn parent(&self) -> Option<&Self>;
    /// Its name in its parent.
    fn name(&self) -> &[u8];

    /// The path of `name` in this directory (or of the directory itself) below the root.
    fn subpath(&self, name: Option<&[u8]>) -> Vec<u8> {
        let mut parts: Vec<&[u8]> = name.into_iter().collect();
        let mut dir = Some(self);
        while let Some(d) = dir {
            dir = d.parent();
            if dir.is_some() {
                parts.push(d.name()); // the root's own name is the caller's path
            }
        }
        parts.reverse();
        parts.join(&b'/')
    }

    /// The error of `syscall` on `name` in this directory (or on the directory itself).
    fn error(&self, errno: Errno, syscall: &'static str, name: Option<&[u8]>) -> ReqError {
        entry_error(errno, syscall, [self.subpath(name).as_slice()])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_errors_join_the_names_below_the_root() {
        type Row<'a> = (&'a [&'a [u8]], Option<&'a [u8]>);
        // (names, expected subpath)
        let rows: [Row; 3] = [(&[b"", b"a", b"f"], Some(b"a/f")), (&[b""], None), (&[b"a"], Some(b"a"))];
        for (names, want) in rows {
            match entry_error(Errno(libc::EACCES), "unlink", names.iter().copied()) {
                ReqError::Os { subpath, .. } => assert_eq!(subpath.as_deref(), want, "{names:?}"),
                other => panic!("{other:?}"),
            }
        }
    }
}

/// What the tests of this family share: the crate's scratch directories and contexts,
/// and a pool to run requests on as eio-node runs them.
#[cfg(test)]
mod testutil {
    use std::sync::mpsc::{channel, Sender};
    use std::sync::{Arc, Mutex, OnceLock};
    use std::time::Duration;

    pub use crate::testutil::{with_ctx, TempDir};
    use crate::{Client, CompletionSink, Op, Outcome, Pool, PoolConfig, ReqCell};

    struct ChannelSink(Mutex<Sender<Outcome>>);

    impl CompletionSink for ChannelSink {
        fn complete(&self, _token: u64, _cell: &Arc<ReqCell>, outcome: Outcome) {
            let _ = self.0.lock().unwrap_or_else(|e| e.into_inner()).send(outcome);
        }
    }

    /// Runs `op` on a pool of four threads shared by the tests, as eio-node runs it (its
    /// sub-work spread over the threads), and waits for its outcome.
    pub fn on_pool(op: Op) -> Outcome {
        static POOL: OnceLock<Pool> = OnceLock::new();
        let pool = POOL.get_or_init(|| Pool::new(PoolConfig { wanted: 4, ..PoolConfig::default() }));
        let (tx, rx) = channel();
        let client = Client::new(Box::new(ChannelSink(Mutex::new(tx))));
        pool.submit(&client, 0, 0, op);
        rx.recv_timeout(Duration::from_secs(60)).expect("an outcome within 60 s")
    }
}
