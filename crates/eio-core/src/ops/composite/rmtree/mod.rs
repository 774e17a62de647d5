//! `aio_rmtree`: removes a directory tree without ever following a symlink, even one
//! swapped in while it runs (CVE-2022-21658).
//!
//! IO::AIO recurses on `"$path/$name"` after an lstat, which an attacker who can write in
//! the tree defeats by replacing a directory with a symlink between the two. Here every
//! directory is opened relative to its parent's fd with `O_NOFOLLOW | O_DIRECTORY`, and
//! every removal is an `unlinkat` relative to the fd of the directory holding the name, as
//! Rust's `std::fs::remove_dir_all` does. `d_type` is only a hint: an entry that does not
//! open as a directory (`ENOTDIR`, `ELOOP`: a file, or a symlink) is unlinked as a name.
//!
//! The top of the tree is emptied on several threads ([`fanout`]), as IO::AIO's
//! composite spreads its sub-requests over the pool; subtrees below a depth are emptied
//! each by one thread with a bounded number of fds ([`walk`]), so depth costs neither
//! stack nor fds.

mod fanout;
mod walk;

use std::os::fd::{AsRawFd, OwnedFd};

use crate::req::ReqCtx;
use crate::sys::cvt::Errno;
use crate::sys::path::At;
use crate::sys::stat::{self, mode};
use crate::sys::{file, name};
use crate::value::ReqError;

/// How directories in the tree are opened: never through a symlink, never a device.
const OPEN_DIR: i32 = libc::O_RDONLY | libc::O_DIRECTORY | libc::O_NOFOLLOW | libc::O_NONBLOCK;

/// Removes the tree at `at`. A symlink there is removed as a link; a file gives `ENOTDIR`.
pub fn rmtree(at: &At, ctx: &ReqCtx<'_>) -> Result<(), ReqError> {
    let root = stat::stat_at(at, false).map_err(|e| ReqError::os(e).with_syscall("lstat"))?;
    match root.mode & mode::S_IFMT {
        mode::S_IFLNK => return name::unlink(at, 0).map_err(|e| ReqError::os(e).with_syscall("unlink")),
        mode::S_IFDIR => {}
        _ => return Err(ReqError::os(Errno(libc::ENOTDIR)).with_syscall("rmdir")),
    }
    let fd = open_root(at, (root.dev, root.ino))?;
    fanout::empty(fd, ctx)?;
    name::unlink(at, libc::AT_REMOVEDIR).map_err(|e| ReqError::os(e).with_syscall("rmdir"))
}

/// Opens the root as a directory, refusing anything but the directory (device and inode)
/// that the lstat saw: it may have been swapped for another since.
fn open_root(at: &At, id: (u64, u64)) -> Result<OwnedFd, ReqError> {
    let fd = match file::open(at, OPEN_DIR, 0) {
        // Replaced by a file or a symlink since the lstat.
        Err(Errno(libc::ELOOP)) => Err(Errno(libc::ENOTDIR)),
        other => other,
    }
    .map_err(|e| ReqError::os(e).with_syscall("open"))?;
    let st = stat::fstat(fd.as_raw_fd()).map_err(|e| ReqError::os(e).with_syscall("fstat"))?;
    if (st.dev, st.ino) != id {
        return Err(ReqError::os(Errno(libc::ENOENT)).with_syscall("open"));
    }
    Ok(fd)
}

/// The error of `syscall` on the entry at `subpath` below the root, given as its names
/// from the top (empty ones, the root's own, are skipped).
fn entry_error<'a>(
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

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;
    use crate::testutil::{with_ctx, TempDir};

    #[test]
    fn roots() {
        let t = TempDir::new("roots");
        fs::create_dir(t.path("target")).unwrap();
        fs::write(t.path("target/keep"), b"keep").unwrap();
        std::os::unix::fs::symlink(t.path("target"), t.path("link")).unwrap();
        fs::write(t.path("file"), b"file").unwrap();
        // (root, expected errno, whether it is gone afterwards)
        let rows = [
            ("link", None, true),                 // removed as a link, never followed
            ("file", Some(libc::ENOTDIR), false), // not a directory: left alone
            ("missing", Some(libc::ENOENT), true),
        ];
        for (root, want, gone) in rows {
            let got = with_ctx(false, |ctx| rmtree(&t.at(root), ctx));
            assert_eq!(got.err().and_then(|e| e.errno()).map(|e| e.raw()), want, "{root}");
            assert_eq!(!t.path(root).exists(), gone, "{root}");
        }
        assert_eq!(fs::read(t.path("target/keep")).unwrap(), b"keep");
    }

    #[test]
    fn a_root_swapped_after_the_lstat_is_refused() {
        let t = TempDir::new("swaproot");
        fs::create_dir(t.path("tree")).unwrap();
        assert!(open_root(&t.at("tree"), (0, 0)).is_err());
    }

    #[test]
    fn aborted_before_the_start_leaves_the_tree() {
        let t = TempDir::new("abort");
        fs::create_dir_all(t.path("tree/a/b")).unwrap();
        fs::write(t.path("tree/a/b/f"), b"x").unwrap();
        let got = with_ctx(true, |ctx| rmtree(&t.at("tree"), ctx));
        assert_eq!(got.err().and_then(|e| e.errno()).map(|e| e.raw()), Some(libc::ECANCELED));
        assert!(t.path("tree/a/b/f").exists());
    }

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
