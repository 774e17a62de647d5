//! `aio_copy` and `aio_move`, and their tree forms: `copy` of a directory (`recursive`),
//! and `move` of a directory to another filesystem (a tree copy, then the source removed
//! once the whole copy succeeded).
//!
//! Unlike IO::AIO's `aio_copy`, which opens the destination with `O_TRUNC`, a destination
//! is never left half-written (see [`file`]), only what this copy created is removed on
//! failure (oven-sh/bun#43325), and the source is never modified.

mod file;
mod filter;
mod tree;

use std::ffi::CString;
use std::fmt;
use std::os::fd::AsRawFd;
use std::sync::Arc;

pub use file::Replace;
use file::{step_error, Dest, Written};
pub use filter::{CopyFilter, FilterQuery};
use tree::{CopyTree, DirNode, Source, SourceOpener};

use super::rmtree;
use super::tally::Tally;
use crate::pool::{Hold, Scope};
use crate::req::ReqCtx;
use crate::sys::cvt::Errno;
use crate::sys::name;
use crate::sys::path::At;
use crate::sys::stat::{self, mode};
use crate::value::{FileStat, Outcome, ReqError};

/// What `copy` does beyond IO::AIO's single file.
#[derive(Clone)]
pub struct CopyOptions {
    /// Copy a directory and everything in it (without: a directory is `EISDIR`, and
    /// anything but a regular file `EINVAL`).
    pub recursive: bool,
    pub replace: Replace,
    /// With `recursive`: follow symlinks in the source, copying what they point to (they
    /// are copied as links otherwise).
    pub dereference: bool,
    /// With `recursive`: asked about each directory's entries before they are copied.
    pub filter: Option<Arc<dyn CopyFilter>>,
}

impl Default for CopyOptions {
    fn default() -> Self {
        CopyOptions {
            recursive: false,
            replace: Replace { overwrite: true, error_on_exist: false },
            dereference: false,
            filter: None,
        }
    }
}

impl fmt::Debug for CopyOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CopyOptions")
            .field("recursive", &self.recursive)
            .field("replace", &self.replace)
            .field("dereference", &self.dereference)
            .field("filter", &self.filter.is_some())
            .finish()
    }
}

/// Copies `src` to `dst` as `opts` says, counting entries and bytes in `tally`; the
/// outcome is the tally's `{ entries, bytes }`.
pub fn copy(src: &At, dst: &At, opts: CopyOptions, tally: Arc<Tally>, ctx: &ReqCtx<'_>) -> Outcome {
    if !opts.recursive && opts.filter.is_none() {
        copy_file(src, dst, opts.replace, &tally, &|| ctx.aborted())?;
        return Ok(tally.result());
    }
    let counts = Arc::clone(&tally);
    copy_tree(src, dst, opts, tally, ctx, move |copied| copied.map(|()| counts.result()))
}

/// IO::AIO's `aio_copy`: one regular file, following a symlink at `src`. Anything else is
/// refused before it is opened: a directory (`EISDIR`), a FIFO, socket or device
/// (`EINVAL`: opening a FIFO would wait for a writer, a device may act on being opened).
fn copy_file(
    src: &At,
    dst: &At,
    replace: Replace,
    tally: &Tally,
    aborted: &dyn Fn() -> bool,
) -> Result<(), ReqError> {
    let refuse = |st: &FileStat| match st.mode & mode::S_IFMT {
        mode::S_IFREG => Ok(()),
        mode::S_IFDIR => Err(ReqError::os(Errno(libc::EISDIR)).with_syscall("open")),
        _ => Err(ReqError::os(Errno(libc::EINVAL)).with_syscall("open")),
    };
    refuse(&stat::stat_at(src, true).map_err(|e| ReqError::os(e).with_syscall("open"))?)?;
    let fd = SourceOpener::new()
        .file(src.dirfd(), src.c_path(), true)
        .map_err(|e| ReqError::os(e).with_syscall("open"))?;
    let st = tree::fstat(&fd).map_err(step_error)?;
    refuse(&st)?; // replaced meanwhile
    let dest = Dest { dir: &dst.base, path: &dst.path };
    match file::write_file(&fd, &st, dest, replace, tally, aborted).map_err(step_error)? {
        Written::Copied(_) => tally.add(0),
        Written::Skipped => {}
    }
    Ok(())
}

/// Copies the tree at `src` to `dst` (see [`tree`]) as sub-work (or, not `recursive`,
/// the one file); `last` makes the outcome from the copy's result, once everything is
/// done. With a filter, the root itself is asked about first (as `('', [''])`): refused,
/// nothing is copied.
fn copy_tree(
    src: &At,
    dst: &At,
    opts: CopyOptions,
    tally: Arc<Tally>,
    ctx: &ReqCtx<'_>,
    last: impl FnOnce(Result<(), ReqError>) -> Outcome + Send + 'static,
) -> Outcome {
    let filter = opts.filter.clone();
    let root = Root { src: src.clone(), dst: dst.clone(), opts, tally };
    let first = move |scope: &Scope| match filter {
        None => root.start(scope),
        Some(filter) => {
            // The answer comes on the client's thread: the work goes to the pool (even
            // none, so that the request ends there).
            let then = Box::new(move |hold: &Hold, keep: Vec<bool>| {
                let copy_root = keep.first() == Some(&true);
                hold.scope().spawn(move |scope| if copy_root { root.start(scope) } else { Ok(()) });
            });
            filter.ask(FilterQuery::new(Vec::new(), vec![Vec::new()], scope.hold(), then));
            Ok(())
        }
    };
    ctx.fan_out(first, last)
}

/// The root of a tree copy.
struct Root {
    src: At,
    dst: At,
    opts: CopyOptions,
    tally: Arc<Tally>,
}

impl Root {
    /// Copies the root: a non-directory at once, a directory by making it and spawning
    /// the copy of its entries.
    fn start(self, scope: &Scope) -> Result<(), ReqError> {
        let Root { src, dst, opts, tally } = self;
        if !opts.recursive {
            return copy_file(&src, &dst, opts.replace, &tally, &|| scope.aborted());
        }
        let follow = opts.dereference;
        let syscall = if follow { "stat" } else { "lstat" };
        let st = stat::stat_at(&src, follow).map_err(|e| ReqError::os(e).with_syscall(syscall))?;
        let dest = Dest { dir: &dst.base, path: &dst.path };
        let open = SourceOpener::new();
        if st.mode & mode::S_IFMT != mode::S_IFDIR {
            // One entry that is not a directory, copied as it would be inside a tree.
            let source = Source { dirfd: src.dirfd(), name: src.c_path(), fd: None, follow, open: &open };
            let written = tree::copy_nondir(source, &st, dest, opts.replace, &tally, &|| scope.aborted());
            if written.map_err(step_error)? {
                tally.add(0);
            }
            return Ok(());
        }
        let src_fd =
            open.dir(src.dirfd(), src.c_path(), follow).map_err(|e| ReqError::os(e).with_syscall("open"))?;
        let st = tree::fstat(&src_fd).map_err(step_error)?;
        refuse_into_itself(&st, &dst)?;
        let (dst_fd, meta) = tree::make_dir(dest, &st, opts.replace).map_err(step_error)?;
        tally.add(0);
        let copy = CopyTree::new(opts.replace, follow, opts.filter, tally, open);
        copy.expand(scope, DirNode::root(src_fd, &st, dst_fd, meta))
    }
}

/// A directory copied to itself or below itself would never end: refused with `EINVAL`
/// (cp: "cannot copy a directory into itself"). Compared by device and inode, from `dst`
/// (or the directory it would be made in) up to `/`, so that no name (a symlink, a bind
/// mount, `..`) can hide it.
fn refuse_into_itself(src: &FileStat, dst: &At) -> Result<(), ReqError> {
    let into_itself = || Err(ReqError::os(Errno(libc::EINVAL)).with_syscall("copy"));
    let id = (src.dev, src.ino);
    let path = dst.c_path().to_bytes();
    let trimmed = &path[..path.iter().rposition(|&b| b != b'/').map_or(0, |i| i + 1)];
    let parent: &[u8] = match trimmed.iter().rposition(|&b| b == b'/') {
        Some(0) => b"/",
        Some(i) => &trimmed[..i],
        None if path.starts_with(b"/") => b"/",
        None => b".",
    };
    if matches!(stat::stat_at(dst, true), Ok(st) if (st.dev, st.ino) == id) {
        return into_itself();
    }
    let parent = dst.sibling(CString::new(parent).expect("a part of a C string"));
    // A parent that cannot be opened: making `dst` will say why.
    let Ok(mut dir) = tree::open_dir(parent.dirfd(), parent.c_path(), true) else {
        return Ok(());
    };
    loop {
        let Ok(st) = tree::fstat(&dir) else {
            return Ok(());
        };
        if (st.dev, st.ino) == id {
            return into_itself();
        }
        let Ok(up) = tree::open_dir(dir.as_raw_fd(), c"..", true) else {
            return Ok(());
        };
        match tree::fstat(&up) {
            Ok(up_st) if (up_st.dev, up_st.ino) != (st.dev, st.ino) => dir = up,
            _ => return Ok(()), // `/`: its `..` is itself
        }
    }
}

/// Moves `src` to `dst`: a rename (`RENAME_NOREPLACE` unless `replace.overwrite`), or
/// across filesystems (`EXDEV`) a copy of the whole tree (links as links, metadata kept),
/// after which `src` is removed; if the copy fails, what it made of `dst` is removed and
/// `src` is left whole. A destination that exists is refused as a rename would refuse
/// it: a non-empty directory (`ENOTEMPTY`), a directory for a non-directory (`EISDIR`)
/// and the reverse (`ENOTDIR`); otherwise it is replaced.
pub fn move_(src: &At, dst: &At, replace: Replace, tally: Arc<Tally>, ctx: &ReqCtx<'_>) -> Outcome {
    let done = |tally: &Tally| Ok(tally.result());
    let rename_error = |e| ReqError::os(e).with_syscall("rename");
    match rename(src, dst, replace.overwrite) {
        Ok(()) => {
            tally.add(0);
            return done(&tally);
        }
        Err(Errno(libc::EXDEV)) => {}
        Err(e) => return Err(rename_error(e)),
    }
    let lstat = |at: &At| stat::stat_at(at, false);
    let st = lstat(src).map_err(rename_error)?;
    let src_is_dir = st.mode & mode::S_IFMT == mode::S_IFDIR;
    let made_dst = match lstat(dst) {
        Ok(_) if !replace.overwrite => return Err(rename_error(Errno(libc::EEXIST))),
        Ok(d) => {
            let dst_is_dir = d.mode & mode::S_IFMT == mode::S_IFDIR;
            match (src_is_dir, dst_is_dir) {
                (true, true) if !is_empty_dir(dst)? => return Err(rename_error(Errno(libc::ENOTEMPTY))),
                (true, false) => return Err(rename_error(Errno(libc::ENOTDIR))),
                (false, true) => return Err(rename_error(Errno(libc::EISDIR))),
                _ => false,
            }
        }
        Err(Errno(libc::ENOENT)) => true,
        Err(e) => return Err(rename_error(e)),
    };
    let opts = CopyOptions { recursive: true, replace, ..CopyOptions::default() };
    let (src_at, dst_at, counts) = (src.clone(), dst.clone(), Arc::clone(&tally));
    copy_tree(src, dst, opts, tally, ctx, move |copied| match copied {
        Ok(()) => {
            rmtree::remove_tree(&src_at)?;
            done(&counts)
        }
        Err(e) => {
            if made_dst {
                let _ = rmtree::remove_tree(&dst_at);
            }
            Err(e)
        }
    })
}

/// `renameat2`, refusing to replace `dst` unless `overwrite`; where the kernel or the
/// filesystem has no `RENAME_NOREPLACE`, an lstat of `dst` first does it (racily).
fn rename(src: &At, dst: &At, overwrite: bool) -> Result<(), Errno> {
    if overwrite {
        return name::rename(src, dst, 0);
    }
    match name::rename(src, dst, name::NOREPLACE) {
        Err(Errno(libc::ENOSYS | libc::EINVAL)) => {
            if stat::stat_at(dst, false).is_ok() {
                return Err(Errno(libc::EEXIST));
            }
            name::rename(src, dst, 0)
        }
        other => other,
    }
}

fn is_empty_dir(at: &At) -> Result<bool, ReqError> {
    let fd = crate::sys::dir::open_dir(at).map_err(|e| ReqError::os(e).with_syscall("rename"))?;
    let entries =
        crate::sys::dir::read_all(&fd, &|| false).map_err(|e| ReqError::os(e).with_syscall("rename"))?;
    Ok(entries.is_empty())
}
