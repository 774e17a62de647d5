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
    let fd = dir::open_dir(at).map_err(step("open"))?;
    let before = stat::stat(StatTarget::Fd(fd.as_raw_fd())).map_err(step("fstat"))?;
    let entries = dir::read_all(&fd, &|| ctx.aborted()).map_err(step("getdents64"))?;
    let unknown = entries
        .types
        .iter()
        .filter(|&&t| t == libc::DT_UNKNOWN)
        .count();
    let mut dirs_left = None;
    if unknown > 0 {
        let after = stat::stat(StatTarget::Fd(fd.as_raw_fd())).map_err(step("fstat"))?;
        dirs_left = subdir_count(&before, &after).map(|total| {
            let known = entries.types.iter().filter(|&&t| t == libc::DT_DIR).count();
            total.saturating_sub(known as u64)
        });
    }
    let dir_base = Base::Dir(std::sync::Arc::new(fd));
    let (mut dirs, mut nondirs) = (DirList::default(), DirList::default());
    let mut stats = 0;
    for (i, name) in entries.names().enumerate() {
        let (kind, ino) = (entries.types[i], entries.inos[i]);
        let is_dir = match kind {
            libc::DT_UNKNOWN if dirs_left == Some(0) => false,
            libc::DT_UNKNOWN => {
                stats += 1;
                if stats % STATS_PER_CHECK == 0 {
                    check_abort(ctx)?;
                }
                let found = lstat_is_dir(&dir_base, name);
                if found {
                    dirs_left = dirs_left.map(|n| n.saturating_sub(1));
                }
                found
            }
            kind => kind == libc::DT_DIR,
        };
        if is_dir {
            dirs.push(name, libc::DT_DIR, ino);
        } else {
            nondirs.push(name, kind, ino);
        }
    }
    Ok(Data::Object(vec![
        ("dirs", Data::Names(dirs)),
        ("nondirs", Data::Names(nondirs)),
    ]))
}

/// The number of subdirectories the link count promises, if it can be trusted: the
/// directory did not change between the two stats (taken before and after reading it) and
/// was not modified in the current second (a change could still be under way). Filesystems
/// that do not count subdirectory links (btrfs reports 1) give `None` too.
fn subdir_count(before: &FileStat, after: &FileStat) -> Option<u64> {
    let key = |s: &FileStat| (s.dev, s.ino, s.nlink, s.size, s.mtime);
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
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
    let at = At {
        base: base.clone(),
        path,
    };
    matches!(
        stat::stat(StatTarget::Path { at: &at, follow: false }),
        Ok(st) if st.mode & libc::S_IFMT == libc::S_IFDIR
    )
}
