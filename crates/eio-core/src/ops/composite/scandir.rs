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
//!    run at once (threads of this request's own, for the duration of the scan), and once
//!    the link count is used up the rest are not made.

use std::ffi::CString;
use std::os::fd::AsRawFd;
use std::sync::atomic::{AtomicU64, AtomicU8, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use super::{check_abort, step};
use crate::req::ReqCtx;
use crate::sys::dir;
use crate::sys::path::{At, Base};
use crate::sys::stat::{self, mode};
use crate::value::{DirList, FileStat, ReqError, Value};

/// Stats between two abort checks.
const STATS_PER_CHECK: usize = 64;
/// IO::AIO's default when `maxreq` is 0 or less.
const DEFAULT_MAXREQ: usize = 4;

/// `{ dirs, nondirs }` of the directory `at`, names relative, in directory order; at most
/// `maxreq` stats at a time (0: IO::AIO's default of 4).
pub fn scandir(at: &At, maxreq: u32, ctx: &ReqCtx<'_>) -> Result<Value, ReqError> {
    // Failing to open or read reports syscall `scandir`, as Node's readdir does.
    let fd = dir::open_dir(at)?;
    let before = stat::fstat(fd.as_raw_fd()).map_err(step("fstat"))?;
    let entries = dir::read_all(&fd, &|| ctx.aborted())?;
    let mut dirs_left = None;
    if entries.types.contains(&libc::DT_UNKNOWN) {
        let after = stat::fstat(fd.as_raw_fd()).map_err(step("fstat"))?;
        dirs_left = subdir_count(&before, &after);
    }
    let base = Base::Dir(Arc::new(fd));
    let stats = AtomicUsize::new(0);
    let parallel = if maxreq == 0 { DEFAULT_MAXREQ } else { maxreq as usize };
    let (dirs, nondirs) = classify(&entries, dirs_left, parallel, |name| {
        if stats.fetch_add(1, Ordering::Relaxed) % STATS_PER_CHECK == STATS_PER_CHECK - 1 {
            check_abort(ctx)?;
        }
        Ok(lstat_is_dir(&base, name))
    })?;
    Ok(Value::Scandir { dirs, nondirs })
}

/// Splits `entries` into directories and the rest. Known types are trusted; `is_dir`
/// answers for `DT_UNKNOWN` entries, at most `parallel` calls at a time, until `subdirs`
/// (the directory's subdirectory count, if known) are all accounted for, after which the
/// rest are non-directories without a call.
fn classify(
    entries: &DirList,
    subdirs: Option<u64>,
    parallel: usize,
    is_dir: impl Fn(&[u8]) -> Result<bool, ReqError> + Sync,
) -> Result<(DirList, DirList), ReqError> {
    const UNASKED: u8 = 0;
    const DIR: u8 = 1;
    const NONDIR: u8 = 2;
    let known_dirs = entries.types.iter().filter(|&&t| t == libc::DT_DIR).count() as u64;
    // u64::MAX: no count to go by.
    let dirs_left = AtomicU64::new(subdirs.map_or(u64::MAX, |n| n.saturating_sub(known_dirs)));
    let unknown: Vec<usize> = (0..entries.len()).filter(|&i| entries.types[i] == libc::DT_UNKNOWN).collect();
    let verdicts: Vec<AtomicU8> = unknown.iter().map(|_| AtomicU8::new(UNASKED)).collect();
    let next = AtomicUsize::new(0);
    let failure = Mutex::new(None);
    let work = || loop {
        let k = next.fetch_add(1, Ordering::Relaxed);
        if k >= unknown.len() || dirs_left.load(Ordering::Acquire) == 0 {
            return;
        }
        match is_dir(entries.name(unknown[k])) {
            Ok(found) => {
                verdicts[k].store(if found { DIR } else { NONDIR }, Ordering::Release);
                if found {
                    // Saturating: a count that was too low (the directory changed) or
                    // absent (u64::MAX) never wraps.
                    let _ = dirs_left.fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                        (n != u64::MAX).then(|| n.saturating_sub(1))
                    });
                }
            }
            Err(e) => {
                failure.lock().unwrap_or_else(|p| p.into_inner()).get_or_insert(e);
                next.store(unknown.len(), Ordering::Relaxed);
                return;
            }
        }
    };
    let helpers = parallel.max(1).min(unknown.len()).saturating_sub(1);
    std::thread::scope(|scope| {
        for _ in 0..helpers {
            // If a helper cannot be started, the others (this thread included) do its share.
            let _ = std::thread::Builder::new().stack_size(64 * 1024).spawn_scoped(scope, work);
        }
        work();
    });
    if let Some(e) = failure.into_inner().unwrap_or_else(|p| p.into_inner()) {
        return Err(e);
    }
    let (mut dirs, mut nondirs) = (DirList::default(), DirList::default());
    let mut verdict = unknown.iter().zip(&verdicts).map(|(&i, v)| (i, v.load(Ordering::Acquire)));
    let mut pending = verdict.next();
    for (i, name) in entries.names().enumerate() {
        let (kind, ino) = (entries.types[i], entries.inos[i]);
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
    Ok((dirs, nondirs))
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

/// Whether `name` in the directory is a directory itself (not a symlink to one). An entry
/// that cannot be stated (removed meanwhile) counts as a non-directory, as in IO::AIO.
fn lstat_is_dir(base: &Base, name: &[u8]) -> bool {
    let Ok(path) = CString::new(name) else {
        return false;
    };
    let at = At { base: base.clone(), path };
    matches!(
        stat::stat_at(&at, false),
        Ok(st) if st.mode & mode::S_IFMT == mode::S_IFDIR
    )
}

#[cfg(test)]
mod tests {
    use super::*;

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
            // One at a time: the number of stats is exact.
            let calls = AtomicUsize::new(0);
            let (d, n) = classify(&list(entries), *subdirs, 1, |name| {
                calls.fetch_add(1, Ordering::Relaxed);
                Ok(unknown_dirs.contains(&std::str::from_utf8(name).unwrap()))
            })
            .unwrap();
            assert_eq!(names(&d), *dirs, "row {i}: dirs");
            assert_eq!(names(&n), *nondirs, "row {i}: nondirs");
            assert_eq!(calls.into_inner(), *stats, "row {i}: stats");
            // Several at a time: the same split (the count of stats may differ by the
            // ones already under way when the last directory was found).
            let (d, n) = classify(&list(entries), *subdirs, 4, |name| {
                Ok(unknown_dirs.contains(&std::str::from_utf8(name).unwrap()))
            })
            .unwrap();
            assert_eq!(
                (names(&d), names(&n)),
                (
                    dirs.iter().map(|s| s.to_string()).collect(),
                    nondirs.iter().map(|s| s.to_string()).collect()
                ),
                "row {i}: parallel"
            );
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
}

#[cfg(test)]
mod parallel_tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn at_most_maxreq_stats_run_at_once_and_errors_surface() {
        let mut l = DirList::default();
        for i in 0..64u64 {
            l.push(format!("e{i}").as_bytes(), libc::DT_UNKNOWN, i + 1);
        }
        for maxreq in [1usize, 3, 8] {
            let (running, peak) = (AtomicUsize::new(0), AtomicUsize::new(0));
            let (d, n) = classify(&l, None, maxreq, |name| {
                let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(now, Ordering::SeqCst);
                std::thread::sleep(Duration::from_millis(1));
                running.fetch_sub(1, Ordering::SeqCst);
                Ok(name.ends_with(b"0"))
            })
            .unwrap();
            assert_eq!(d.len() + n.len(), 64);
            assert_eq!(d.len(), 7, "e0, e10, ..., e60");
            let peak = peak.load(Ordering::SeqCst);
            assert!(peak <= maxreq, "maxreq {maxreq}: {peak} stats at once");
            assert!(maxreq == 1 || peak > 1, "maxreq {maxreq}: no stats ran in parallel");
        }
        let err = classify(&l, None, 4, |name| {
            if name == b"e5" {
                Err(crate::Errno(libc::ECANCELED).into())
            } else {
                Ok(false)
            }
        });
        assert!(err.is_err());
    }
}
