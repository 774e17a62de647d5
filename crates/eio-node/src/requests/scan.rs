//! Bindings of the `eio_core::ops::scan` requests: readdirIter's directory stream and
//! walk's tree. Both deliver `TreeBatch`es (see `Tag::TreeBatch` in wire.rs for their JS
//! shape).

use std::sync::Arc;

use eio_core::ops::scan::{DirStream, ScanOp, Walk, WalkOptions, MAX_OPEN};
use eio_core::Op;
use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::wd::WdHandle;

/// The native half of a readdirIter iterator: the directory being read in batches. Its fd
/// closes on `close()`, at the end of the directory, or when the object is
/// garbage-collected, and never while a batch is being read from it.
#[napi]
pub struct DirStreamHandle {
    pub(crate) stream: Arc<DirStream>,
}

#[napi]
impl DirStreamHandle {
    /// Releases the directory fd (a batch in flight keeps it until it ends). Idempotent.
    #[napi]
    pub fn close(&self) {
        self.stream.close();
    }
}

/// A stream over the directory at `path`; nothing is opened until the first batch.
#[napi]
pub fn scan_open(env: Env, dir: Option<&WdHandle>, path: Unknown<'_>) -> Result<DirStreamHandle> {
    let at = crate::args::path_at(&env, dir, path)?;
    Ok(DirStreamHandle { stream: Arc::new(DirStream::new(at)) })
}

/// The next batch of `stream`: `[names, Float64Array [type, ino, ...], end]` (see
/// `wire::dir_batch`).
#[napi]
pub fn scan_read_batch(env: Env, priority: i32, stream: &DirStreamHandle, buffers: bool) -> Result<u32> {
    let op = ScanOp::ReadBatch { stream: stream.stream.clone() };
    crate::submit::submit(&env, priority, Op::Scan(op), super::names_delivery(buffers))
}

/// The next batch of `stream` as readdirIter takes it (a tree batch, see `Tag::TreeBatch`
/// in wire.rs), with each entry's `lstat` when `stat`.
#[napi]
pub fn scan_read_entries(
    env: Env,
    priority: i32,
    stream: &DirStreamHandle,
    stat: bool,
    buffers: bool,
) -> Result<u32> {
    let op = ScanOp::ReadEntries { stream: stream.stream.clone(), stat };
    crate::submit::submit(&env, priority, Op::Scan(op), super::names_delivery(buffers))
}

/// The native half of a walk: its root, options and frontier (the directories left to
/// read, with the fds they need). Dropping the frontier (`close()`, or garbage
/// collection) closes them.
#[napi]
pub struct WalkHandle {
    walk: Walk,
}

#[napi]
impl WalkHandle {
    /// Directories (or parts of large ones) left to read, not counting held ones.
    #[napi]
    pub fn pending(&self) -> u32 {
        self.walk.pending() as u32
    }

    /// Admits the directories a batch held (`hold`) into the frontier: with `verdicts`,
    /// one byte each in the order of its `held` (non-zero: read it), else all of them.
    /// Returns `pending()`.
    #[napi]
    pub fn admit(&self, hold: i64, verdicts: Option<&[u8]>) -> u32 {
        let verdicts: Option<Vec<bool>> = verdicts.map(|v| v.iter().map(|&b| b != 0).collect());
        self.walk.admit(hold as u64, verdicts.as_deref()) as u32
    }

    /// Ends the walk: the directories left are dropped and their fds closed; reads running
    /// finish and drop what they find. Idempotent.
    #[napi]
    pub fn close(&self) {
        self.walk.close();
    }
}

/// A walk of the directory at `path` (nothing opened until the first read). `max_depth`
/// -1 is no limit; `exclude`: names of directories reported but not read; `hold`: the
/// subdirectories found wait for `admit`.
#[napi]
#[allow(clippy::too_many_arguments)]
pub fn walk_open(
    env: Env,
    dir: Option<&WdHandle>,
    path: Unknown<'_>,
    follow_symlinks: bool,
    max_depth: i64,
    stat: bool,
    exclude: Vec<Buffer>,
    hold: bool,
) -> Result<WalkHandle> {
    let at = crate::args::path_at(&env, dir, path)?;
    let opts = WalkOptions {
        follow_symlinks,
        max_depth: u32::try_from(max_depth).unwrap_or(u32::MAX),
        stat,
        exclude: exclude.iter().map(|b| b.to_vec()).collect(),
        hold,
        max_open: MAX_OPEN,
    };
    Ok(WalkHandle { walk: Walk::new(at, opts) })
}

/// Reads from `walk`'s frontier until `budget` entries were read (or it is empty).
#[napi]
pub fn walk_read(env: Env, priority: i32, walk: &WalkHandle, budget: u32, buffers: bool) -> Result<u32> {
    let op = ScanOp::Walk { walk: walk.walk.clone(), budget: budget as usize };
    crate::submit::submit(&env, priority, Op::Scan(op), super::names_delivery(buffers))
}

/// Frees the memory behind a batch's numbers (its `inos` and `stats`, which nothing else
/// refers to once its entries are built) at once, rather than when the garbage collector
/// gets to their `ArrayBuffer`s: V8 does not count them as heap, so a walk of a million
/// entries with stats left ~150 MiB of consumed batches waiting for a full collection.
/// Arrays already detached are left as they are.
#[napi]
pub fn scan_release(env: Env, inos: Unknown<'_>, stats: Option<Unknown<'_>>) -> Result<()> {
    let js = crate::raw::Scope::of_call(&env);
    for array in std::iter::once(inos).chain(stats) {
        let view = js.view(js.arg(&array))?;
        if !view.detached {
            js.detach(view.arraybuffer)?;
        }
    }
    Ok(())
}
