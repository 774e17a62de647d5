//! `aio_rmtree`: removes a directory tree without ever following a symlink, even one
//! swapped in while it runs (CVE-2022-21658), removing all it can.
//!
//! IO::AIO recurses on `"$path/$name"` after an lstat, which an attacker who can write in
//! the tree defeats by replacing a directory with a symlink between the two. Here every
//! directory is opened relative to its parent's fd with `O_NOFOLLOW | O_DIRECTORY`, and
//! every removal is an `unlinkat` relative to the fd of the directory holding the name, as
//! Rust's `std::fs::remove_dir_all` does. `d_type` is only a hint: an entry that does not
//! open as a directory (`ENOTDIR`, `ELOOP`: a file, or a symlink) is unlinked as a name.
//!
//! As `rm -rf`, it removes everything it can and then fails with the first error (naming
//! the entry); an entry that is gone when it gets there (another process removed it) is
//! simply done. It does not descend into another filesystem mounted below the root
//! (unless asked to): the mount point stays and is reported (`EBUSY`, as removing it
//! would say).
//!
//! The top of the tree is spread over the pool as sub-work ([`fanout`], one task per
//! directory), as IO::AIO's composite spreads its sub-requests; subtrees below a depth are
//! emptied each by one task with a bounded number of fds ([`walk`]), so depth costs
//! neither stack nor fds.

mod fanout;
mod walk;

use std::os::fd::{AsRawFd, OwnedFd};
use std::sync::Arc;

use super::entry_error;
use super::tally::Tally;
use crate::req::ReqCtx;
use crate::sys::cvt::Errno;
use crate::sys::path::At;
use crate::sys::stat::{self, mode};
use crate::sys::{file, name};
use crate::value::{FileStat, Outcome, ReqError};

/// How directories in the tree are opened: never through a symlink, never a device.
const OPEN_DIR: i32 = libc::O_RDONLY | libc::O_DIRECTORY | libc::O_NOFOLLOW | libc::O_NONBLOCK;

/// What `rmtree` may do beyond IO::AIO's.
#[derive(Clone, Copy, Debug, Default)]
pub struct RmtreeOptions {
    /// `rm -f`: a missing path is no error, and a path that is not a directory is
    /// unlinked instead of failing with `ENOTDIR`.
    pub force: bool,
    /// Also empty filesystems mounted below the root (their mount points still cannot be
    /// removed).
    pub cross_mounts: bool,
}

/// Removes the tree at `at`, counting what it removes in `tally`; the outcome is the
/// tally's `{ entries, bytes }`. A symlink there is removed as a link; a path ending in
/// `.` or `..` is refused (`EINVAL`, as `rm` refuses it), and so is a symlink named with a
/// trailing slash (`ENOTDIR`: `rm -rf link/` would empty the directory it points to and
/// then fail).
pub fn rmtree(at: &At, opts: RmtreeOptions, tally: Arc<Tally>, ctx: &ReqCtx<'_>) -> Outcome {
    let done = |tally: &Tally| Ok(tally.result());
    refuse_dots(at.c_path().to_bytes())?;
    let root = match lstat(at) {
        Ok(st) => st,
        // `rm -f`: nothing there (or a path through a file) is nothing to do.
        Err(Errno(libc::ENOENT | libc::ENOTDIR)) if opts.force => return done(&tally),
        Err(e) => return Err(ReqError::os(e).with_syscall("lstat")),
    };
    if root.mode & mode::S_IFMT == mode::S_IFDIR && names_a_symlink(at)? {
        return Err(ReqError::os(Errno(libc::ENOTDIR)).with_syscall("rmdir"));
    }
    match root.mode & mode::S_IFMT {
        mode::S_IFDIR => {}
        kind if kind == mode::S_IFLNK || opts.force => {
            let bytes = if kind == mode::S_IFREG { root.size as u64 } else { 0 };
            return match name::unlink(at, 0) {
                Ok(()) => {
                    tally.add(bytes);
                    done(&tally)
                }
                Err(Errno(libc::ENOENT)) => done(&tally), // removed meanwhile
                Err(e) => Err(ReqError::os(e).with_syscall("unlink")),
            };
        }
        _ => return Err(ReqError::os(Errno(libc::ENOTDIR)).with_syscall("rmdir")),
    }
    let fd = match open_root(at, (root.dev, root.ino)) {
        Ok(fd) => fd,
        // Removed meanwhile (by a concurrent rmtree, say): already gone.
        Err(Errno(libc::ENOENT)) => return done(&tally),
        Err(e) => return Err(ReqError::os(e).with_syscall("open")),
    };
    let removal = fanout::Removal::new(Arc::clone(&tally), opts, &fd, root.dev);
    let root_dir = fanout::EmptyingDir::root(fd);
    let (first, at) = (Arc::clone(&removal), at.clone());
    ctx.fan_out(
        move |scope| first.expand(scope, root_dir),
        move |emptied| {
            emptied?;
            removal.take_error().map_or(Ok(()), Err)?;
            match name::unlink(&at, libc::AT_REMOVEDIR) {
                Ok(()) => tally.add(0),
                Err(Errno(libc::ENOENT)) => {} // removed meanwhile
                Err(e) => return Err(ReqError::os(e).with_syscall("rmdir")),
            }
            done(&tally)
        },
    )
}

/// Removes the tree at `at` on the calling thread, sequentially (a move removing its
/// source once the copy is done, or its partial copy when the copy failed): no sub-work,
/// no progress, nothing beyond the root's filesystem.
pub(super) fn remove_tree(at: &At) -> Result<(), ReqError> {
    let st = lstat(at).map_err(|e| ReqError::os(e).with_syscall("lstat"))?;
    if st.mode & mode::S_IFMT != mode::S_IFDIR {
        return name::unlink(at, 0).map_err(|e| ReqError::os(e).with_syscall("unlink"));
    }
    let fd = open_root(at, (st.dev, st.ino)).map_err(|e| ReqError::os(e).with_syscall("open"))?;
    let removal = fanout::Removal::new(Arc::default(), RmtreeOptions::default(), &fd, st.dev);
    walk::Walk::new(fd, Vec::new(), &removal).run(&|| false)?;
    removal.take_error().map_or(Ok(()), Err)?;
    name::unlink(at, libc::AT_REMOVEDIR).map_err(|e| ReqError::os(e).with_syscall("rmdir"))
}

fn lstat(at: &At) -> Result<FileStat, Errno> {
    stat::stat_at(at, false)
}

/// `rm` refuses to remove `.` and `..` (`rmdir` says `EINVAL` for a path ending in `.`),
/// and `rmdir /` says `EBUSY`: refused before anything is touched.
fn refuse_dots(path: &[u8]) -> Result<(), ReqError> {
    let trimmed = trim_slashes(path);
    let last = trimmed.rsplit(|&b| b == b'/').next().unwrap_or_default();
    let errno = match last {
        b"." | b".." => libc::EINVAL,
        b"" if !path.is_empty() => libc::EBUSY, // only slashes: the root directory
        _ => return Ok(()),
    };
    Err(ReqError::os(Errno(errno)).with_syscall("rmdir"))
}

fn trim_slashes(path: &[u8]) -> &[u8] {
    let end = path.iter().rposition(|&b| b != b'/').map_or(0, |i| i + 1);
    &path[..end]
}

/// Whether `at`, named with trailing slashes (which make the kernel follow a final
/// symlink), is a symlink without them.
fn names_a_symlink(at: &At) -> Result<bool, ReqError> {
    let path = at.c_path().to_bytes();
    let trimmed = trim_slashes(path);
    if trimmed.len() == path.len() || trimmed.is_empty() {
        return Ok(false);
    }
    let bare = at.sibling(std::ffi::CString::new(trimmed).expect("a part of a C string"));
    Ok(matches!(lstat(&bare), Ok(st) if st.mode & mode::S_IFMT == mode::S_IFLNK))
}

/// Opens the root as a directory, refusing anything but the directory (device and inode)
/// that the lstat saw: it may have been swapped for another since.
fn open_root(at: &At, id: (u64, u64)) -> Result<OwnedFd, Errno> {
    let fd = match file::open(at, OPEN_DIR, 0) {
        // Replaced by a file or a symlink since the lstat.
        Err(Errno(libc::ELOOP)) => Err(Errno(libc::ENOTDIR)),
        other => other,
    }?;
    let st = stat::fstat(fd.as_raw_fd())?;
    if (st.dev, st.ino) != id {
        return Err(Errno(libc::ENOTDIR));
    }
    Ok(fd)
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::super::testutil::{on_pool, with_ctx, TempDir};
    use super::*;
    use crate::ops::composite::CompositeOp;
    use crate::Op;

    fn errno(got: &Outcome) -> Option<i32> {
        got.as_ref().err().and_then(|e| e.errno()).map(|e| e.raw())
    }

    fn counts(got: &Outcome) -> (u64, u64) {
        match got {
            Ok(crate::Value::Counts { entries, bytes }) => (*entries, *bytes),
            other => panic!("{other:?}"),
        }
    }

    fn run(at: At, force: bool) -> Outcome {
        let opts = RmtreeOptions { force, cross_mounts: false };
        on_pool(Op::Composite(CompositeOp::Rmtree { at, opts, tally: Arc::default() }))
    }

    #[test]
    fn roots() {
        let t = TempDir::new("roots");
        fs::create_dir_all(t.path("target/sub")).unwrap();
        fs::write(t.path("target/keep"), b"keep").unwrap();
        std::os::unix::fs::symlink(t.path("target"), t.path("link")).unwrap();
        fs::write(t.path("file"), b"file").unwrap();
        fs::write(t.path("forced"), b"12345").unwrap();
        // (root, force, expected errno, whether it is gone afterwards, expected counts)
        let rows = [
            ("link/", false, Some(libc::ENOTDIR), false, None), // refused: not followed either
            ("link", false, None, true, Some((1, 0))),          // removed as a link, never followed
            ("file", false, Some(libc::ENOTDIR), false, None),  // not a directory: left alone
            ("forced", true, None, true, Some((1, 5))),         // rm -f unlinks it
            ("missing", false, Some(libc::ENOENT), true, None),
            ("missing", true, None, true, Some((0, 0))), // rm -f: nothing to do
            ("file/x", true, None, true, Some((0, 0))),  // through a file: missing too
            ("target/.", false, Some(libc::EINVAL), false, None), // rm refuses . and ..
            ("target/sub/..", false, Some(libc::EINVAL), false, None),
        ];
        for (root, force, want, gone, want_counts) in rows {
            let got = run(t.at(root), force);
            assert_eq!(errno(&got), want, "{root}");
            assert_eq!(!t.path(root).exists(), gone, "{root}");
            if let Some(c) = want_counts {
                assert_eq!(counts(&got), c, "{root}");
            }
        }
        assert_eq!(fs::read(t.path("target/keep")).unwrap(), b"keep");
        assert_eq!(errno(&run(At::cwd(c"/".into()), true)), Some(libc::EBUSY), "/ is refused");
    }

    #[test]
    fn counts_what_it_removes_on_the_pool_and_inline() {
        for inline in [false, true] {
            let t = TempDir::new(if inline { "count-inline" } else { "count-pool" });
            fs::create_dir_all(t.path("tree/a/b")).unwrap();
            fs::write(t.path("tree/f"), b"123").unwrap();
            fs::write(t.path("tree/a/g"), b"4567").unwrap();
            std::os::unix::fs::symlink("nowhere", t.path("tree/a/b/l")).unwrap();
            let got = if inline {
                let opts = RmtreeOptions::default();
                with_ctx(false, |ctx| rmtree(&t.at("tree"), opts, Arc::default(), ctx))
            } else {
                run(t.at("tree"), false)
            };
            // tree, f, a, g, b, l
            assert_eq!(counts(&got), (6, 7), "inline {inline}");
            assert!(!t.path("tree").exists());
        }
    }

    #[test]
    fn a_root_swapped_after_the_lstat_is_refused() {
        let t = TempDir::new("swaproot");
        fs::create_dir(t.path("tree")).unwrap();
        assert_eq!(open_root(&t.at("tree"), (0, 0)).err(), Some(Errno(libc::ENOTDIR)));
    }

    #[test]
    fn aborted_before_the_start_leaves_the_tree() {
        let t = TempDir::new("abort");
        fs::create_dir_all(t.path("tree/a/b")).unwrap();
        fs::write(t.path("tree/a/b/f"), b"x").unwrap();
        let got = with_ctx(true, |ctx| rmtree(&t.at("tree"), RmtreeOptions::default(), Arc::default(), ctx));
        assert_eq!(errno(&got), Some(libc::ECANCELED));
        assert!(t.path("tree/a/b/f").exists());
    }

    #[test]
    fn dots_and_slashes() {
        // (path, refused with)
        let rows: [(&[u8], Option<i32>); 9] = [
            (b"a", None),
            (b"a/", None),
            (b"a/b//", None),
            (b".a", None),
            (b".", Some(libc::EINVAL)),
            (b"a/..", Some(libc::EINVAL)),
            (b"a/./", Some(libc::EINVAL)),
            (b"/", Some(libc::EBUSY)),
            (b"", None), // lstat says ENOENT
        ];
        for (path, want) in rows {
            let got = refuse_dots(path).err().and_then(|e| e.errno()).map(|e| e.raw());
            assert_eq!(got, want, "{}", String::from_utf8_lossy(path));
        }
    }
}
