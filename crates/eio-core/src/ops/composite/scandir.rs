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
//!    to one) in one call.

use std::ffi::CString;
use std::os::fd::AsRawFd;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use super::{check_abort, step};
use crate::req::ReqCtx;
use crate::sys::dir;
use crate::sys::path::{At, Base};
use crate::sys::stat::{self, StatTarget};
use crate::value::{Data, DirList, FileStat, ReqError};

/// Stats between two abort checks.
const STATS_PER_CHECK: usize = 64;

/// `{ dirs, nondirs }` of the directory `at`, names relative, in directory order.
pub fn scandir(at: &At, ctx: &ReqCtx<'_>) -> Result<Data, ReqError> {
    // Failing to open or read reports syscall `scandir`, as Node's readdir does.
    let fd = dir::open_dir(at)?;
    let before = stat::stat(StatTarget::Fd(fd.as_raw_fd())).map_err(step("fstat"))?;
    let entries = dir::read_all(&fd, &|| ctx.aborted())?;
    let mut dirs_left = None;
    if entries.types.contains(&libc::DT_UNKNOWN) {
        let after = stat::stat(StatTarget::Fd(fd.as_raw_fd())).map_err(step("fstat"))?;
        dirs_left = subdir_count(&before, &after);
    }
    let base = Base::Dir(Arc::new(fd));
    let mut stats = 0;
    let (dirs, nondirs) = classify(&entries, dirs_left, |name| {
        stats += 1;
        if stats % STATS_PER_CHECK == 0 {
            check_abort(ctx)?;
        }
        Ok(lstat_is_dir(&base, name))
    })?;
    Ok(Data::Object(vec![("dirs", Data::Names(dirs)), ("nondirs", Data::Names(nondirs))]))
}

/// Splits `entries` into directories and the rest. Known types are trusted; `is_dir`
/// answers for `DT_UNKNOWN` entries until `subdirs` (the directory's subdirectory count,
/// if known) are all accounted for, after which the rest are non-directories.
fn classify(
    entries: &DirList,
    subdirs: Option<u64>,
    mut is_dir: impl FnMut(&[u8]) -> Result<bool, ReqError>,
) -> Result<(DirList, DirList), ReqError> {
    let known_dirs = entries.types.iter().filter(|&&t| t == libc::DT_DIR).count() as u64;
    let mut dirs_left = subdirs.map(|n| n.saturating_sub(known_dirs));
    let (mut dirs, mut nondirs) = (DirList::default(), DirList::default());
    for (i, name) in entries.names().enumerate() {
        let (kind, ino) = (entries.types[i], entries.inos[i]);
        let dir = match kind {
            libc::DT_UNKNOWN if dirs_left == Some(0) => false,
            libc::DT_UNKNOWN => {
                let found = is_dir(name)?;
                if found {
                    dirs_left = dirs_left.map(|n| n.saturating_sub(1));
                }
                found
            }
            kind => kind == libc::DT_DIR,
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
        stat::stat(StatTarget::Path { at: &at, follow: false }),
        Ok(st) if st.mode & libc::S_IFMT == libc::S_IFDIR
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
            let mut calls = 0;
            let (d, n) = classify(&list(entries), *subdirs, |name| {
                calls += 1;
                Ok(unknown_dirs.contains(&std::str::from_utf8(name).unwrap()))
            })
            .unwrap();
            assert_eq!(names(&d), *dirs, "row {i}: dirs");
            assert_eq!(names(&n), *nondirs, "row {i}: nondirs");
            assert_eq!(calls, *stats, "row {i}: stats");
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
