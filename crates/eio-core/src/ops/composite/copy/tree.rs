//! Copying a directory tree as sub-work on the pool ([`Scope`]): each directory is a
//! task that reads its entries and spawns a task per subdirectory and one per batch of
//! [`BATCH`] other entries, so that many files are created at once (creation on ext4 waits
//! on the journal) on at most `max_parallel` threads, at the request's priority.
//!
//! Every directory is opened relative to its parent's fd, on both sides (`O_NOFOLLOW`
//! unless dereferencing): a symlink swapped in meanwhile is never followed, and depth
//! costs no path length. A directory is created 0700 (so that its entries can be made)
//! and gets its mode, owner and times once everything in it is done, last of all the
//! root's, so that its times are the source's.
//!
//! Hard links inside the tree stay hard links: the first name of an inode (with more
//! than one link) is copied, the others are linked to its copy, or wait for it to be done.
//!
//! Errors stop the copy: tasks not started are dropped, the file being written is removed
//! (never left half-written), what was copied stays, and the error names the entry.

use std::collections::HashMap;
use std::ffi::{CStr, CString};
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use super::file::{self, restore_metadata, temp_beside, Dest, Replace, StepError, Written};
use super::filter::{CopyFilter, FilterQuery};
use crate::ops::composite::tally::Tally;
use crate::ops::composite::TreeDir;
use crate::pool::{Hold, Scope, Task};
use crate::sys::cvt::Errno;
use crate::sys::path::{At, Base, Target};
use crate::sys::stat::{self, mode};
use crate::sys::{dir, link, meta, name};
use crate::value::{DirList, FileStat, ReqError};

/// Entries that are not directories copied by one task.
const BATCH: usize = 16;

/// How the entries of a tree are copied.
pub struct CopyTree {
    pub replace: Replace,
    /// Follow symlinks in the source (copy what they point to).
    pub dereference: bool,
    pub filter: Option<Arc<dyn CopyFilter>>,
    pub tally: Arc<Tally>,
    pub open: SourceOpener,
    /// Inodes with more than one link met so far, by device and inode.
    links: Mutex<HashMap<(u64, u64), Link>>,
}

/// What became of an inode with several links.
enum Link {
    /// Being copied; these names wait to be linked to its copy.
    Copying(Vec<(Arc<DirNode>, CString)>),
    /// Copied to this name: later names are linked to it.
    Copied(Arc<DirNode>, CString),
    /// Not copied (the destination was left as it was): later names are copied alone.
    Alone,
}

/// A directory being copied: open on both sides.
pub struct DirNode {
    src: OwnedFd,
    dst: Base,
    /// The source's device and inode: a directory met again below itself (through a bind
    /// mount, or a symlink when dereferencing) is a loop.
    id: (u64, u64),
    parent: Option<Arc<DirNode>>,
    name: CString,
    /// The metadata to give the destination once its entries are done (`None`: an
    /// existing directory left as it was).
    meta: Option<FileStat>,
    /// Its tasks not yet done, plus one until its entries are all spawned.
    pending: AtomicUsize,
}

impl TreeDir for DirNode {
    fn parent(&self) -> Option<&DirNode> {
        self.parent.as_deref()
    }

    fn name(&self) -> &[u8] {
        self.name.to_bytes()
    }
}

impl DirNode {
    /// The root of a tree copy: `src` open, `dst` made (see [`make_dir`]).
    pub fn root(src: OwnedFd, src_st: &FileStat, dst: OwnedFd, meta: Option<FileStat>) -> Arc<DirNode> {
        Arc::new(DirNode {
            src,
            dst: Base::Dir(Arc::new(dst)),
            id: (src_st.dev, src_st.ino),
            parent: None,
            name: CString::default(),
            meta,
            pending: AtomicUsize::new(1),
        })
    }

    fn src_fd(&self) -> RawFd {
        self.src.as_raw_fd()
    }

    fn dest<'a>(&'a self, name: &'a CStr) -> Dest<'a> {
        Dest { dir: &self.dst, path: name }
    }

    /// Turns a step's error into the request's, naming `name` in this directory.
    fn entry_error<'a>(&'a self, name: &'a CStr) -> impl Fn(StepError) -> ReqError + 'a {
        move |(errno, syscall)| self.error(errno, syscall, Some(name.to_bytes()))
    }

    /// Whether `id` is this directory or one above it.
    fn is_within(&self, id: (u64, u64)) -> bool {
        let mut node = Some(self);
        while let Some(n) = node {
            if n.id == id {
                return true;
            }
            node = n.parent.as_deref();
        }
        false
    }
}

impl CopyTree {
    pub fn new(
        replace: Replace,
        dereference: bool,
        filter: Option<Arc<dyn CopyFilter>>,
        tally: Arc<Tally>,
        open: SourceOpener,
    ) -> Arc<Self> {
        Arc::new(CopyTree { replace, dereference, filter, tally, open, links: Mutex::new(HashMap::new()) })
    }

    fn links(&self) -> MutexGuard<'_, HashMap<(u64, u64), Link>> {
        self.links.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Reads `node`'s entries and copies them: asking the filter first, if there is one.
    pub fn expand(self: &Arc<Self>, scope: &Scope, node: Arc<DirNode>) -> Result<(), ReqError> {
        let entries =
            dir::read_all(&node.src, &|| scope.aborted()).map_err(|e| node.error(e, dir::READ_CALL, None))?;
        let Some(filter) = &self.filter else {
            return self.spawn_entries(scope, node, &entries, None);
        };
        let names = entries.names().map(<[u8]>::to_vec).collect();
        let dir = node.subpath(None);
        let tree = Arc::clone(self);
        let then = Box::new(move |hold: &Hold, keep: Vec<bool>| {
            hold.scope().spawn(move |scope| tree.spawn_entries(scope, node, &entries, Some(&keep)));
        });
        filter.ask(FilterQuery::new(dir, names, scope.hold(), then));
        Ok(())
    }

    /// Spawns the tasks that copy `entries` of `node` (those `keep` keeps): one per
    /// subdirectory, one per batch of other entries.
    fn spawn_entries(
        self: &Arc<Self>,
        scope: &Scope,
        node: Arc<DirNode>,
        entries: &DirList,
        keep: Option<&[bool]>,
    ) -> Result<(), ReqError> {
        let mut files: Vec<Task> = Vec::new();
        let mut dirs: Vec<Task> = Vec::new();
        let mut batch = Vec::new();
        for (i, raw) in entries.names().enumerate() {
            if keep.is_some_and(|keep| !keep.get(i).copied().unwrap_or(false)) {
                continue;
            }
            let Ok(name) = CString::new(raw) else {
                continue; // getdents never returns a NUL inside a name
            };
            let kind = entries.types[i];
            if kind == libc::DT_DIR && !self.dereference {
                let (tree, parent) = (Arc::clone(self), Arc::clone(&node));
                dirs.push(Box::new(move |scope: &Scope| tree.copy_dir(scope, parent, name)));
                continue;
            }
            batch.push((name, kind));
            if batch.len() == BATCH {
                files.push(self.batch_task(&node, std::mem::take(&mut batch)));
            }
        }
        if !batch.is_empty() {
            files.push(self.batch_task(&node, batch));
        }
        node.pending.fetch_add(files.len() + dirs.len(), Ordering::AcqRel);
        // The newest task runs first: directories after files, so the copy goes deep
        // first and keeps few directories open.
        scope.spawn_all(files.into_iter().chain(dirs));
        self.release(node);
        Ok(())
    }

    fn batch_task(self: &Arc<Self>, node: &Arc<DirNode>, batch: Vec<(CString, u8)>) -> Task {
        let (tree, node) = (Arc::clone(self), Arc::clone(node));
        Box::new(move |scope: &Scope| {
            for (name, kind) in &batch {
                scope.check()?;
                tree.copy_entry(scope, &node, name, *kind)?;
            }
            tree.release(node);
            Ok(())
        })
    }

    /// The task of a subdirectory: opens it on both sides, then copies its entries.
    fn copy_dir(
        self: &Arc<Self>,
        scope: &Scope,
        parent: Arc<DirNode>,
        name: CString,
    ) -> Result<(), ReqError> {
        scope.check()?;
        let src = match self.open.dir(parent.src_fd(), &name, self.dereference) {
            Ok(src) => src,
            // Not a directory any more: copied as what it is now.
            Err(Errno(libc::ENOTDIR | libc::ELOOP)) => {
                self.copy_entry(scope, &parent, &name, libc::DT_UNKNOWN)?;
                self.release(parent);
                return Ok(());
            }
            Err(e) => return Err(parent.error(e, "open", Some(name.to_bytes()))),
        };
        let (st, dst, meta) = {
            let at_entry = parent.entry_error(&name);
            let st = fstat(&src).map_err(&at_entry)?;
            if parent.is_within((st.dev, st.ino)) {
                // cp: "cannot copy a directory into itself" / a filesystem loop.
                return Err(at_entry((Errno(libc::ELOOP), "open")));
            }
            let (dst, meta) = make_dir(parent.dest(&name), &st, self.replace).map_err(&at_entry)?;
            (st, dst, meta)
        };
        self.tally.add(0);
        let node = DirNode {
            src,
            dst: Base::Dir(Arc::new(dst)),
            id: (st.dev, st.ino),
            parent: Some(parent),
            name,
            meta,
            pending: AtomicUsize::new(1),
        };
        self.expand(scope, Arc::new(node))
    }

    /// Copies one entry of `parent` that is not known to be a directory (`kind` from the
    /// directory read, a hint).
    fn copy_entry(
        self: &Arc<Self>,
        scope: &Scope,
        parent: &Arc<DirNode>,
        name: &CStr,
        kind: u8,
    ) -> Result<(), ReqError> {
        let at_entry = parent.entry_error(name);
        // A regular file is opened first and stated by its fd: one lookup.
        let mut src_fd = None;
        let st = if kind == libc::DT_REG {
            match self.open.file(parent.src_fd(), name, self.dereference) {
                Ok(fd) => {
                    let st = fstat(&fd).map_err(&at_entry)?;
                    src_fd = Some(fd);
                    st
                }
                // A symlink or something else now: stated below.
                Err(Errno(libc::ELOOP | libc::ENXIO)) => self.lstat(parent, name).map_err(&at_entry)?,
                Err(e) => return Err(at_entry((e, "open"))),
            }
        } else {
            self.lstat(parent, name).map_err(&at_entry)?
        };
        if st.mode & mode::S_IFMT == mode::S_IFDIR {
            drop(src_fd);
            parent.pending.fetch_add(1, Ordering::AcqRel);
            let (tree, parent, name) = (Arc::clone(self), Arc::clone(parent), name.to_owned());
            scope.spawn(move |scope| tree.copy_dir(scope, parent, name));
            return Ok(());
        }
        if st.nlink > 1 {
            return self.copy_linked(scope, parent, name, &st, src_fd);
        }
        self.copy_nondir(scope, parent, name, &st, src_fd).map(drop)
    }

    fn lstat(&self, parent: &DirNode, name: &CStr) -> Result<FileStat, StepError> {
        let follow = self.dereference;
        stat::stat_c(parent.src_fd(), name, follow).map_err(|e| (e, "lstat"))
    }

    /// Copies a non-directory: contents, link or node; counts it. Whether it was written.
    fn copy_nondir(
        &self,
        scope: &Scope,
        parent: &DirNode,
        name: &CStr,
        st: &FileStat,
        src_fd: Option<OwnedFd>,
    ) -> Result<bool, ReqError> {
        let at_entry = parent.entry_error(name);
        let written = copy_nondir(
            Source { dirfd: parent.src_fd(), name, fd: src_fd, follow: self.dereference, open: &self.open },
            st,
            parent.dest(name),
            self.replace,
            &self.tally,
            &|| scope.aborted(),
        )
        .map_err(&at_entry)?;
        if written {
            self.tally.add(0);
        }
        Ok(written)
    }

    /// A non-directory with several links: the first name met is copied, the others
    /// become links to its copy (once it is done).
    fn copy_linked(
        self: &Arc<Self>,
        scope: &Scope,
        parent: &Arc<DirNode>,
        name: &CStr,
        st: &FileStat,
        src_fd: Option<OwnedFd>,
    ) -> Result<(), ReqError> {
        let key = (st.dev, st.ino);
        {
            let mut links = self.links();
            match links.get_mut(&key) {
                None => {
                    links.insert(key, Link::Copying(Vec::new()));
                }
                Some(Link::Copying(waiting)) => {
                    // Linked once the copy is done; the directory waits for it.
                    parent.pending.fetch_add(1, Ordering::AcqRel);
                    waiting.push((Arc::clone(parent), name.to_owned()));
                    return Ok(());
                }
                Some(Link::Copied(first, first_name)) => {
                    let (first, first_name) = (Arc::clone(first), first_name.clone());
                    drop(links);
                    return self.link(&first, &first_name, parent, name);
                }
                Some(Link::Alone) => {
                    drop(links);
                    return self.copy_nondir(scope, parent, name, st, src_fd).map(drop);
                }
            }
        }
        let copied = self.copy_nondir(scope, parent, name, st, src_fd);
        let written = matches!(copied, Ok(true));
        let state = if written { Link::Copied(Arc::clone(parent), name.to_owned()) } else { Link::Alone };
        let waiting = match self.links().insert(key, state) {
            Some(Link::Copying(waiting)) => waiting,
            _ => Vec::new(),
        };
        copied?;
        for (dir, link_name) in waiting {
            if written {
                self.link(parent, name, &dir, &link_name)?;
            } else {
                self.copy_entry(scope, &dir, &link_name, libc::DT_UNKNOWN)?;
            }
            self.release(dir);
        }
        Ok(())
    }

    /// Makes `name` in `dir` a hard link of the copy `first_name` in `first`.
    fn link(&self, first: &DirNode, first_name: &CStr, dir: &DirNode, name: &CStr) -> Result<(), ReqError> {
        let from = At { base: first.dst.clone(), path: first_name.to_owned() };
        let to = dir.dest(name);
        let linked = make_entry(to, self.replace, Some(&from), "link", |path| {
            link::link(&from, &At { base: dir.dst.clone(), path: path.to_owned() })
        })
        .map_err(dir.entry_error(name))?;
        if linked {
            self.tally.add(0);
        }
        Ok(())
    }

    /// One pending part of `node` is done; if it was the last, gives its destination its
    /// metadata, and so on up.
    pub fn release(&self, mut node: Arc<DirNode>) {
        loop {
            if node.pending.fetch_sub(1, Ordering::AcqRel) != 1 {
                return;
            }
            if let (Some(st), Base::Dir(fd)) = (&node.meta, &node.dst) {
                restore_metadata(fd.as_raw_fd(), st);
            }
            let Some(parent) = node.parent.clone() else {
                return;
            };
            node = parent;
        }
    }
}

/// Where a non-directory comes from: `name` in the directory open on `dirfd`, maybe open
/// already (a regular file).
pub struct Source<'a> {
    pub dirfd: RawFd,
    pub name: &'a CStr,
    pub fd: Option<OwnedFd>,
    /// Whether a symlink there is followed (its target copied).
    pub follow: bool,
    pub open: &'a SourceOpener,
}

/// Copies a non-directory of status `st`: a regular file's contents (see
/// [`file::write_file`]), a symlink as a link with the same target, a FIFO, socket or
/// device as a new node of the same kind; then its owner, mode and times. Whether `dst`
/// was written (not when it existed and is kept).
pub fn copy_nondir(
    src: Source<'_>,
    st: &FileStat,
    dst: Dest<'_>,
    replace: Replace,
    tally: &Tally,
    aborted: &dyn Fn() -> bool,
) -> Result<bool, StepError> {
    match st.mode & mode::S_IFMT {
        mode::S_IFREG => {
            let fd = match src.fd {
                Some(fd) => fd,
                None => src.open.file(src.dirfd, src.name, src.follow).map_err(|e| (e, "open"))?,
            };
            let written = file::write_file(&fd, st, dst, replace, tally, aborted)?;
            Ok(written != Written::Skipped)
        }
        mode::S_IFLNK => {
            let target = link::readlink_c(src.dirfd, src.name).map_err(|e| (e, "readlink"))?;
            let target = CString::new(target).map_err(|_| (Errno(libc::EINVAL), "readlink"))?;
            let at = |path: &CStr| At { base: dst.dir.clone(), path: path.to_owned() };
            let made = make_entry(dst, replace, None, "symlink", |path| link::symlink(&target, &at(path)))?;
            if made {
                restore_link_metadata(dst, st, false);
            }
            Ok(made)
        }
        _ => {
            let at = |path: &CStr| At { base: dst.dir.clone(), path: path.to_owned() };
            let made =
                make_entry(dst, replace, None, "mknod", |path| link::mknod(&at(path), st.mode, st.rdev))?;
            if made {
                restore_link_metadata(dst, st, true);
            }
            Ok(made)
        }
    }
}

/// Creates `dst` with `make` (given the path to create); if it exists, replaces it (when
/// `replace` says so) by making a temporary entry beside it and renaming it over, so that
/// the old entry stays whole until the new one is complete. A directory there is
/// `EISDIR`; an entry that is already `same` (a hard link being made again) is left.
/// Whether it made the entry.
fn make_entry(
    dst: Dest<'_>,
    replace: Replace,
    same: Option<&At>,
    syscall: &'static str,
    make: impl Fn(&CStr) -> Result<(), Errno>,
) -> Result<bool, StepError> {
    match make(dst.path) {
        Ok(()) => return Ok(true),
        Err(Errno(libc::EEXIST)) => {}
        Err(e) => return Err((e, syscall)),
    }
    let st = stat::stat_c(dst.dirfd(), dst.path, false).map_err(|e| (e, "lstat"))?;
    if st.mode & mode::S_IFMT == mode::S_IFDIR {
        return Err((Errno(libc::EISDIR), syscall));
    }
    if let Some(same) = same {
        if matches!(stat::stat_at(same, false), Ok(s) if (s.dev, s.ino) == (st.dev, st.ino)) {
            return Ok(false);
        }
    }
    if !replace.overwrite {
        return if replace.error_on_exist { Err((Errno(libc::EEXIST), syscall)) } else { Ok(false) };
    }
    let (temp, ()) = temp_beside(dst, make).map_err(|(e, _)| (e, syscall))?;
    name::rename_c(dst.dirfd(), &temp, dst.dirfd(), dst.path, 0).map_err(|e| {
        let _ = name::unlink_c(dst.dirfd(), &temp, 0);
        (e, "rename")
    })?;
    Ok(true)
}

/// Owner, then mode (not for symlinks: Linux has none to set), then times, of a link or
/// node just made, without following it; failures ignored, as for files.
fn restore_link_metadata(dst: Dest<'_>, st: &FileStat, set_mode: bool) {
    let (dirfd, path) = (dst.dirfd(), dst.path);
    let mut perms = st.mode & 0o7777;
    if link::lchown_c(dirfd, path, st.uid, st.gid).is_err() {
        perms &= !(mode::S_ISUID | mode::S_ISGID);
    }
    if set_mode {
        // The node was just made here and is not a symlink: following is harmless.
        let _ = meta::chmod(&Target::Path(At { base: dst.dir.clone(), path: path.to_owned() }), perms);
    }
    let _ = link::lutimens_c(dirfd, path, [st.atime, st.mtime]);
}

/// Creates the directory `dst` (0700 until its entries are done) and opens it, or opens
/// it as it is if it exists: its metadata comes from `st` at the end if it was made here
/// or `replace` overwrites. A non-directory there is `ENOTDIR` (cp: "cannot overwrite
/// non-directory with directory").
pub fn make_dir(
    dst: Dest<'_>,
    st: &FileStat,
    replace: Replace,
) -> Result<(OwnedFd, Option<FileStat>), StepError> {
    let meta = match name::mkdir_c(dst.dirfd(), dst.path, 0o700) {
        Ok(()) => Some(st.clone()),
        Err(Errno(libc::EEXIST)) => replace.overwrite.then(|| st.clone()),
        Err(e) => return Err((e, "mkdir")),
    };
    match open_dir(dst.dirfd(), dst.path, false) {
        Ok(fd) => Ok((fd, meta)),
        Err(Errno(libc::ENOTDIR | libc::ELOOP)) => Err((Errno(libc::ENOTDIR), "mkdir")),
        Err(e) => Err((e, "open")),
    }
}

/// Opens a directory relative to `dirfd`; never through a symlink unless `follow`, never
/// a device.
pub fn open_dir(dirfd: RawFd, name: &CStr, follow: bool) -> Result<OwnedFd, Errno> {
    crate::sys::file::open_c(dirfd, name, dir_flags(follow), 0)
}

fn dir_flags(follow: bool) -> i32 {
    libc::O_RDONLY | libc::O_DIRECTORY | libc::O_NONBLOCK | if follow { 0 } else { libc::O_NOFOLLOW }
}

/// How a copy opens its source: without updating access times (`O_NOATIME`, Linux's), so
/// that a copy leaves its source exactly as it was, as long as the kernel allows it (for
/// the files' owner and root); after its first `EPERM`, plainly.
pub struct SourceOpener {
    noatime: AtomicBool,
}

#[cfg(eio_linux)]
const O_NOATIME: i32 = libc::O_NOATIME;
#[cfg(not(eio_linux))]
const O_NOATIME: i32 = 0;

impl SourceOpener {
    pub fn new() -> SourceOpener {
        SourceOpener { noatime: AtomicBool::new(O_NOATIME != 0) }
    }

    /// A directory, to read its entries; see [`open_dir`].
    pub fn dir(&self, dirfd: RawFd, name: &CStr, follow: bool) -> Result<OwnedFd, Errno> {
        self.open(dirfd, name, dir_flags(follow))
    }

    /// A file, to read its contents: never blocking on a FIFO (`O_NONBLOCK`; a regular
    /// file ignores it), never through a symlink unless `follow`.
    pub fn file(&self, dirfd: RawFd, name: &CStr, follow: bool) -> Result<OwnedFd, Errno> {
        let nofollow = if follow { 0 } else { libc::O_NOFOLLOW };
        self.open(dirfd, name, libc::O_RDONLY | libc::O_NOCTTY | libc::O_NONBLOCK | nofollow)
    }

    fn open(&self, dirfd: RawFd, name: &CStr, flags: i32) -> Result<OwnedFd, Errno> {
        if self.noatime.load(Ordering::Relaxed) {
            match crate::sys::file::open_c(dirfd, name, flags | O_NOATIME, 0) {
                // Not the owner: O_NOATIME is refused (the file itself may be readable).
                Err(Errno(libc::EPERM)) => self.noatime.store(false, Ordering::Relaxed),
                other => return other,
            }
        }
        crate::sys::file::open_c(dirfd, name, flags, 0)
    }
}

pub fn fstat(fd: &OwnedFd) -> Result<FileStat, StepError> {
    stat::fstat(fd.as_raw_fd()).map_err(|e| (e, "fstat"))
}
