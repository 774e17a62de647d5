//! `statMany`/`lstatMany`: the status of many paths as one request. Where one request per
//! path pays for its queue entry, its completion and (in a JavaScript client) its promise,
//! this pays for them once: the paths are split into parts of [`PART`] paths, each part a
//! task of the request's sub-work on the pool's own threads (see [`ReqCtx::fan_out`]), so
//! that every core stats while the caller waits for one completion.
//!
//! A path that fails is an answer, not a failure: its errno takes its place in the results
//! and the request goes on (a build tool's "is it there, and how old" asks about missing
//! files as often as about present ones). Only an abort fails the request.

use std::ffi::CStr;
use std::sync::{Arc, Mutex, PoisonError};

use crate::pool::{Scope, Task};
use crate::req::ReqCtx;
use crate::sys::cvt::Errno;
use crate::sys::stat;
use crate::value::{FileStat, Outcome, ReqError, Value};

/// Paths per task: large enough that a task's overhead (a ticket, a lock) is lost in its
/// syscalls, small enough that two threads share even a few thousand paths.
const PART: usize = 512;
/// Paths between two looks at the abort flag.
const ABORT_EVERY: usize = 64;

/// The outcome of each path of a part, in order.
type Part = Vec<Result<FileStat, Errno>>;

/// Paths, each followed by a NUL, in one buffer: no allocation per path.
#[derive(Debug)]
pub struct PathList {
    bytes: Vec<u8>,
    /// Where each path starts in `bytes`.
    starts: Vec<usize>,
}

impl PathList {
    /// Splits `bytes`, paths each followed by a NUL, into paths (a last path without its
    /// NUL gets one); relative ones resolve against the process's current directory when
    /// stat'ed.
    pub fn from_nul_terminated(mut bytes: Vec<u8>) -> PathList {
        if bytes.last().is_some_and(|&b| b != 0) {
            bytes.push(0);
        }
        let mut starts = vec![0];
        starts.extend(bytes.iter().enumerate().filter(|&(_, &b)| b == 0).map(|(i, _)| i + 1));
        starts.pop(); // the end of the last path starts nothing
        PathList { bytes, starts }
    }

    pub fn len(&self) -> usize {
        self.starts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }

    /// Path `i`, as the syscalls take it.
    pub fn get(&self, i: usize) -> &CStr {
        let start = self.starts[i];
        let end = self.starts.get(i + 1).copied().unwrap_or(self.bytes.len());
        CStr::from_bytes_with_nul(&self.bytes[start..end]).expect("PathList: a path holds no NUL")
    }
}

/// The outcome of each path of a [`crate::Op::StatMany`], in the order of its paths.
#[derive(Debug, Default)]
pub struct StatList {
    /// The parts, in order: the first part's results come first.
    parts: Vec<Part>,
}

impl StatList {
    pub fn len(&self) -> usize {
        self.parts.iter().map(Vec::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.parts.iter().all(Vec::is_empty)
    }

    /// Each path's status or errno, in the order of the paths.
    pub fn iter(&self) -> impl Iterator<Item = &Result<FileStat, Errno>> {
        self.parts.iter().flatten()
    }
}

/// Stats every path of `paths` (`follow`: `stat`, else `lstat`); the value is a
/// [`Value::Stats`].
pub(crate) fn stat_many(ctx: &ReqCtx<'_>, paths: PathList, follow: bool) -> Outcome {
    let parts = paths.len().div_ceil(PART);
    if parts <= 1 {
        // Nothing to share: no sub-work.
        let part = stat_part(&paths, 0, follow, &|| ctx.aborted())?;
        return Ok(Value::Stats(Box::new(StatList { parts: vec![part] })));
    }
    let paths = Arc::new(paths);
    let done: Arc<Mutex<Vec<Part>>> = Arc::new(Mutex::new(vec![Vec::new(); parts]));
    let results = Arc::clone(&done);
    ctx.fan_out(
        |scope| {
            // Spawned last to first, so that the first part runs first.
            scope.spawn_all((0..parts).rev().map(|i| {
                let (paths, done) = (Arc::clone(&paths), Arc::clone(&done));
                Box::new(move |scope: &Scope| {
                    let part = stat_part(&paths, i, follow, &|| scope.aborted())?;
                    done.lock().unwrap_or_else(PoisonError::into_inner)[i] = part;
                    Ok(())
                }) as Task
            }));
            Ok(())
        },
        move |result| {
            result?;
            let parts = std::mem::take(&mut *results.lock().unwrap_or_else(PoisonError::into_inner));
            Ok(Value::Stats(Box::new(StatList { parts })))
        },
    )
}

/// The status of each path of part `i`; `ECANCELED` once `aborted()`.
fn stat_part(paths: &PathList, i: usize, follow: bool, aborted: &dyn Fn() -> bool) -> Result<Part, ReqError> {
    let range = i * PART..paths.len().min((i + 1) * PART);
    let mut out = Vec::with_capacity(range.len());
    for p in range {
        if p % ABORT_EVERY == 0 && aborted() {
            return Err(ReqError::os(Errno(libc::ECANCELED)));
        }
        out.push(stat::stat_c(libc::AT_FDCWD, paths.get(p), follow));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{with_ctx, TempDir};

    fn list(paths: &[&str]) -> PathList {
        PathList::from_nul_terminated(paths.iter().flat_map(|p| p.bytes().chain([0])).collect())
    }

    #[test]
    fn path_lists_split_at_nuls_and_keep_empty_paths() {
        let l = list(&["/a", "", "rel/b"]);
        assert_eq!(l.len(), 3);
        assert_eq!([l.get(0), l.get(1), l.get(2)], [c"/a", c"", c"rel/b"]);
        assert_eq!(PathList::from_nul_terminated(b"/x".to_vec()).get(0), c"/x");
        assert_eq!(PathList::from_nul_terminated(b"\0".to_vec()).len(), 1);
        assert!(PathList::from_nul_terminated(Vec::new()).is_empty());
    }

    #[test]
    fn each_path_gets_its_status_or_its_errno_in_order() {
        let tmp = TempDir::new("stat-many");
        std::fs::write(tmp.path("f"), b"abc").unwrap();
        std::os::unix::fs::symlink("f", tmp.path("link")).unwrap();
        let name = |n: &str| tmp.path(n).to_str().unwrap().to_owned();
        // More paths than one part, so that the parts' order is tested too.
        let names: Vec<String> = (0..PART * 2 + 7).map(|i| name(["f", "missing", "link"][i % 3])).collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        for follow in [false, true] {
            let got = match with_ctx(false, |ctx| stat_many(ctx, list(&refs), follow)) {
                Ok(Value::Stats(list)) => list,
                other => panic!("{other:?}"),
            };
            assert_eq!(got.len(), names.len());
            for (i, r) in got.iter().enumerate() {
                let want = std::fs::symlink_metadata(&names[i]);
                let want = if follow { std::fs::metadata(&names[i]) } else { want };
                match (r, want) {
                    (Ok(st), Ok(m)) => {
                        use std::os::unix::fs::MetadataExt;
                        assert_eq!((st.ino, st.size as u64, st.mode), (m.ino(), m.size(), m.mode()), "{i}")
                    }
                    (Err(e), Err(w)) => assert_eq!(Some(e.0), w.raw_os_error(), "{i}"),
                    (r, w) => panic!("{i}: {r:?} against {w:?}"),
                }
            }
        }
    }

    #[test]
    fn an_aborted_request_fails_with_ecanceled() {
        let names: Vec<&str> = vec!["/"; PART * 3];
        let got = with_ctx(true, |ctx| stat_many(ctx, list(&names), false));
        assert!(matches!(got, Err(ReqError::Os { errno: Errno(libc::ECANCELED), .. })), "{got:?}");
    }
}
