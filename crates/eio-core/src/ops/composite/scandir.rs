//! `aio_scandir`: a directory's entries split into subdirectories and everything else,
//! with as few stats as IO::AIO's algorithm needs.
//!
//! 1. The entry types from getdents (`d_type`) are trusted when the filesystem reports
//!    them: no stat at all, the common case.
//! 2. Where some are `DT_UNKNOWN` (XFS without ftype, NFS, sshfs), the directory's link
//!    count gives the number of subdirectories (`nlink - 2`) unless the directory changed
//!    between two fstats or was modified this very second; once that many directories are
//!    found, the remaining unknown entries are non-directories without a stat.
//! 3. Each remaining unknown entry costs one `lstat`: IO::AIO stats `name/.` and then
//!    lstats the hits; one lstat answers the same question (a directory, and not a symlink
//!    to one) in one call. As IO::AIO's feeder group does, up to `maxreq` of these stats
//!    run at once, as sub-work on the pool's threads (see [`ReqCtx::fan_out`]), and once
//!    the link count is used up the rest are not made.

use std::os::fd::{AsRawFd, OwnedFd};
use std::sync::atomic::{AtomicU64, AtomicU8, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use super::step;
use crate::pool::{Scope, Task};
use crate::req::ReqCtx;
use crate::sys::dir;
use crate::sys::name::NameBuf;
use crate::sys::path::At;
use crate::sys::stat::{self, mode};
use crate::value::{DirList, FileStat, Outcome, ReqError, Value};

/// Stats between two abort checks.
const STATS_PER_CHECK: usize = 64;
/// IO::AIO's default when `maxreq` is 0 or less.
const DEFAULT_MAXREQ: usize = 4;

/// `{ dirs, nondirs }` of the directory `at`, names relative, in directory order; at most
/// `maxreq` stats at a time (0: IO::AIO's default of 4).
pub fn scandir(at: &At, maxreq: u32, ctx: &ReqCtx<'_>) -> Outcome {
    // Failing to open or read reports syscall `scandir`, as Node's readdir does.
    let fd = dir::open_dir(at)?;
    let before = stat::fstat(fd.as_raw_fd()).map_err(step("fstat"))?;
    let entries = dir::read_all(&fd, &|| ctx.aborted())?;
    let mut dirs_left = None;
    if entries.types.contains(&libc::DT_UNKNOWN) {
        let after = stat::fstat(fd.as_raw_fd()).map_err(step("fstat"))?;
        dirs_left = subdir_count(&before, &after);
    }
    let parallel = if maxreq == 0 { DEFAULT_MAXREQ } else { maxreq as usize };
    let dir = Lstat { fd };
    classify(ctx, Classify::new(entries, dirs_left, move |names, name| Ok(dir.is_dir(names, name))), parallel)
}

/// Answers "is this entry a directory" for the entries of one directory.
struct Lstat {
    fd: OwnedFd,
}

impl Lstat {
    /// Whether `name` in the directory is a directory itself (not a symlink to one). An
    /// entry that cannot be stated (removed meanwhile) counts as a non-directory, as in
    /// IO::AIO.
    fn is_dir(&self, names: &mut NameBuf, name: &[u8]) -> bool {
        let Some(name) = names.c_str(name) else {
            return false;
        };
        let st = stat::stat_c(self.fd.as_raw_fd(), name, false);
        matches!(st, Ok(st) if st.mode & mode::S_IFMT == mode::S_IFDIR)
    }
}

/// The test a [`Classify`] makes of an unknown entry, with a name buffer of the task's own.
type IsDir = dyn Fn(&mut NameBuf, &[u8]) -> Result<bool, ReqError> + Send + Sync;

const UNASKED: u8 = 0;
const DIR: u8 = 1;
const NONDIR: u8 = 2;

/// Splitting one directory's entries into directories and the rest, shared by the tasks
/// that ask `is_dir` about the `DT_UNKNOWN` ones.
struct Classify {
    entries: DirList,
    /// Indices of the entries with `DT_UNKNOWN`.
    unknown: Vec<usize>,
    /// What `is_dir` said of each of them.
    verdicts: Vec<AtomicU8>,
    /// The next of them to ask about.
    next: AtomicUsize,
    /// Subdirectories not yet found; `u64::MAX`: no count to go by.
    dirs_left: AtomicU64,
    is_dir: Box<IsDir>,
}

impl Classify {
    /// Known types are trusted; `is_dir` answers for `DT_UNKNOWN` entries until `subdirs`
    /// (the directory's subdirectory count, if known) are all accounted for, after which
    /// the rest are non-directories without a call.
    fn new(
        entries: DirList,
        subdirs: Option<u64>,
        is_dir: impl Fn(&mut NameBuf, &[u8]) -> Result<bool, ReqError> + Send + Sync + 'static,
    ) -> Arc<Classify> {
        let known_dirs = entries.types.iter().filter(|&&t| t == libc::DT_DIR).count() as u64;
        let unknown: Vec<usize> =
            (0..entries.len()).filter(|&i| entries.types[i] == libc::DT_UNKNOWN).collect();
        Arc::new(Classify {
            verdicts: unknown.iter().map(|_| AtomicU8::new(UNASKED)).collect(),
            unknown,
            entries,
            next: AtomicUsize::new(0),
            dirs_left: AtomicU64::new(subdirs.map_or(u64::MAX, |n| n.saturating_sub(known_dirs))),
            is_dir: Box::new(is_dir),
        })
    }

    /// One task's share: asks about unknown entries until none is left, the count is used
    /// up or the scope stops.
    fn work(&self, scope: &Scope) -> Result<(), ReqError> {
        let mut names = NameBuf::default();
        loop {
            let k = self.next.fetch_add(1, Ordering::Relaxed);
            if k >= self.unknown.len() || self.dirs_left.load(Ordering::Acquire) == 0 {
                return Ok(());
            }
            if k % STATS_PER_CHECK == STATS_PER_CHECK - 1 {
                scope.check()?;
            }
            let found = (self.is_dir)(&mut names, self.entries.name(self.unknown[k]))?;
            self.verdicts[k].store(if found { DIR } else { NONDIR }, Ordering::Release);
            if found {
                // Saturating: a count that was too low (the directory changed) or absent
                // (u64::MAX) never wraps.
                let _ = self.dirs_left.fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                    (n != u64::MAX).then(|| n.saturating_sub(1))
                });
            }
        }
    }

    /// `(dirs, nondirs)`, once the tasks are done.
    fn split(&self) -> (DirList, DirList) {
        let (mut dirs, mut nondirs) = (DirList::default(), DirList::default());
        let mut verdict =
            self.unknown.iter().zip(&self.verdicts).map(|(&i, v)| (i, v.load(Ordering::Acquire)));
        let mut pending = verdict.next();
        for (i, name) in self.entries.names().enumerate() {
            let (kind, ino) = (self.entries.types[i], self.entries.inos[i]);
            let dir = match pending {
                Some((j, v)) if j == i => {
                    pending = verdict.next();
                    v == DIR
                }
                _ => kind == libc::DT_DIR,
            };
            if dir {
                dirs.push(name, libc::DT_DIR, ino);
            } else {
                nondirs.push(name, kind, ino);
            }
        }
        (dirs, nondirs)
    }
}

/// Runs `job` with at most `parallel` tasks asking at once (none when every type is
/// known); the outcome is `{ dirs, nondirs }`.
fn classify(ctx: &ReqCtx<'_>, job: Arc<Classify>, parallel: usize) -> Outcome {
    let tasks = parallel.max(1).min(job.unknown.len());
    let last = Arc::clone(&job);
    ctx.fan_out(
        move |scope| {
            let tasks = (0..tasks).map(|_| {
                let job = Arc::clone(&job);
                Box::new(move |scope: &Scope| job.work(scope)) as Task
            });
            scope.spawn_all(tasks);
            Ok(())
        },
        move |result| {
            result?;
            let (dirs, nondirs) = last.split();
            Ok(Value::Scandir { dirs, nondirs })
        },
    )
}

/// The number of subdirectories the link count promises, if it can be trusted: the
/// directory did not change between the two stats (taken before and after reading it) and
/// was not modified in the current second (a change could still be under way). Filesystems
/// that do not count subdirectory links (btrfs reports 1) give `None` too.
fn subdir_count(before: &FileStat, after: &FileStat) -> Option<u64> {
    let key = |s: &FileStat| (s.dev, s.ino, s.nlink, s.size, s.mtime);
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64);
    if key(before) != key(after) || after.mtime.0 >= now || after.nlink < 2 {
        return None;
    }
    Some(after.nlink - 2)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::super::testutil::{on_pool, with_ctx};
    use super::*;
    use crate::Op;

    const U: u8 = libc::DT_UNKNOWN;
    const D: u8 = libc::DT_DIR;
    const R: u8 = libc::DT_REG;
    const L: u8 = libc::DT_LNK;

    fn list(entries: &[(&str, u8)]) -> DirList {
        let mut l = DirList::default();
        for (i, (name, kind)) in entries.iter().enumerate() {
            l.push(name.as_bytes(), *kind, i as u64 + 1);
        }
        l
    }

    fn names(l: &DirList) -> Vec<String> {
        l.names().map(|n| String::from_utf8(n.to_vec()).unwrap()).collect()
    }

    /// `{ dirs, nondirs }` as names.
    fn split(outcome: Outcome) -> (Vec<String>, Vec<String>) {
        match outcome {
            Ok(Value::Scandir { dirs, nondirs }) => (names(&dirs), names(&nondirs)),
            other => panic!("{other:?}"),
        }
    }

    type Test = Arc<dyn Fn(&[u8]) -> Result<bool, ReqError> + Send + Sync>;

    /// Classifies `entries` asking `is_dir`, `parallel` at a time: inline (one thread, in
    /// order) or on the pool.
    fn run(entries: DirList, subdirs: Option<u64>, parallel: usize, pool: bool, is_dir: Test) -> Outcome {
        let job = Classify::new(entries, subdirs, move |_, name| is_dir(name));
        if pool {
            on_pool(Op::Custom(Box::new(move |ctx| classify(ctx, job, parallel))))
        } else {
            with_ctx(false, |ctx| classify(ctx, job, parallel))
        }
    }

    #[test]
    fn classify_table() {
        // (entries, subdirectory count, which unknown names are directories,
        //  expected dirs, expected nondirs, expected stat calls)
        #[allow(clippy::type_complexity)]
        let rows: &[(&[(&str, u8)], Option<u64>, &[&str], &[&str], &[&str], usize)] = &[
            // All types known: no stat at all, symlinks are nondirs.
            (&[("a", D), ("f", R), ("l", L)], None, &[], &["a"], &["f", "l"], 0),
            // Unknown types, count unknown: every unknown entry is stated.
            (&[("a", U), ("f", U), ("b", U)], None, &["a", "b"], &["a", "b"], &["f"], 3),
            // The link count says one subdirectory: stats stop once it is found.
            (&[("a", U), ("f", U), ("g", U)], Some(1), &["a"], &["a"], &["f", "g"], 1),
            // Zero subdirectories: nothing is stated.
            (&[("f", U), ("g", U)], Some(0), &[], &[], &["f", "g"], 0),
            // Known directories count against the link count.
            (&[("a", D), ("f", U)], Some(1), &[], &["a"], &["f"], 0),
            // A count too high (the directory changed) still ends with every entry placed.
            (&[("f", U)], Some(3), &[], &[], &["f"], 1),
        ];
        for (i, (entries, subdirs, unknown_dirs, dirs, nondirs, stats)) in rows.iter().enumerate() {
            let unknown: Vec<String> = unknown_dirs.iter().map(|s| s.to_string()).collect();
            let calls = Arc::new(AtomicUsize::new(0));
            let (c, u) = (calls.clone(), unknown.clone());
            let test: Test = Arc::new(move |name| {
                c.fetch_add(1, Ordering::Relaxed);
                Ok(u.iter().any(|d| d.as_bytes() == name))
            });
            let want = (
                dirs.iter().map(|s| s.to_string()).collect(),
                nondirs.iter().map(|s| s.to_string()).collect(),
            );
            // One at a time: the number of stats is exact.
            assert_eq!(split(run(list(entries), *subdirs, 1, false, test.clone())), want, "row {i}");
            assert_eq!(calls.load(Ordering::Relaxed), *stats, "row {i}: stats");
            // Several at a time on the pool: the same split (the count of stats may differ
            // by the ones under way when the last directory was found).
            assert_eq!(split(run(list(entries), *subdirs, 4, true, test)), want, "row {i}: parallel");
        }
    }

    #[test]
    fn subdir_count_table() {
        let old = FileStat { nlink: 5, mtime: (1_000_000, 0), ..FileStat::default() };
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() as i64;
        // (before, after, expected)
        let rows = [
            // Unchanged and old: nlink - 2 subdirectories.
            (old.clone(), old.clone(), Some(3)),
            // A link count that changed between the stats is not trusted.
            (old.clone(), FileStat { nlink: 6, ..old.clone() }, None),
            // Modified this second: a change may be under way.
            (
                FileStat { mtime: (now + 1, 0), ..old.clone() },
                FileStat { mtime: (now + 1, 0), ..old.clone() },
                None,
            ),
            // btrfs counts no subdirectory links (nlink 1).
            (FileStat { nlink: 1, ..old.clone() }, FileStat { nlink: 1, ..old.clone() }, None),
        ];
        for (i, (before, after, want)) in rows.iter().enumerate() {
            assert_eq!(subdir_count(before, after), *want, "row {i}");
        }
    }

    #[test]
    fn at_most_maxreq_stats_run_at_once_on_the_pool_and_errors_surface() {
        let mut l = DirList::default();
        for i in 0..64u64 {
            l.push(format!("e{i}").as_bytes(), libc::DT_UNKNOWN, i + 1);
        }
        for maxreq in [1usize, 3] {
            let (running, peak) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
            let (r, p) = (running.clone(), peak.clone());
            let test: Test = Arc::new(move |name| {
                let now = r.fetch_add(1, Ordering::SeqCst) + 1;
                p.fetch_max(now, Ordering::SeqCst);
                std::thread::sleep(Duration::from_millis(1));
                r.fetch_sub(1, Ordering::SeqCst);
                Ok(name.ends_with(b"0"))
            });
            let (d, n) = split(run(l.clone(), None, maxreq, true, test));
            assert_eq!(d.len() + n.len(), 64);
            assert_eq!(d.len(), 7, "e0, e10, ..., e60");
            let peak = peak.load(Ordering::SeqCst);
            assert!(peak <= maxreq, "maxreq {maxreq}: {peak} stats at once");
            assert!(maxreq == 1 || peak > 1, "maxreq {maxreq}: no stats ran in parallel");
        }
        let test: Test =
            Arc::new(move |name| if name == b"e5" { Err(crate::Errno(libc::EIO).into()) } else { Ok(false) });
        let got = run(l, None, 4, true, test);
        assert_eq!(got.err().and_then(|e| e.errno()), Some(crate::Errno(libc::EIO)));
    }
}
