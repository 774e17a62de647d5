//! Empties a tree's top as sub-work on the pool ([`Scope`]). Each directory down to
//! [`SPLIT_DEPTH`] is a task: it opens the directory relative to its parent's fd
//! (`O_NOFOLLOW`), unlinks what is not a directory and spawns the subdirectories as tasks
//! of their own; the task that finishes a directory's last subdirectory removes it,
//! relative to its parent's fd. A task at `SPLIT_DEPTH` (or while [`MAX_OPEN_DIRS`]
//! directories are open) empties its whole subtree itself, with the sequential [`Walk`].
//!
//! Why spread it: removal on ext4 waits on the journal and on directory locks, so it gains
//! from more threads than cores (IO::AIO's `aio_rmtree` does best here with 8). The tasks
//! run on the pool's threads at the request's priority, never more than `max_parallel`.
//!
//! Errors do not stop the removal: the first is kept for the end ([`Removal::take_error`])
//! and the directories above the failed entry are left in place (they cannot be empty).
//!
//! Fds: a directory stays open while a subdirectory of it is queued or being emptied.
//! Tasks run newest first (depth first), and past `MAX_OPEN_DIRS` open directories a task
//! walks its subtree alone, so the fds open stay near `MAX_OPEN_DIRS` plus each walk's
//! own bound.

use std::ffi::{CStr, CString};
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use super::walk::Walk;
use super::{RmtreeOptions, OPEN_DIR};
use crate::ops::composite::tally::Tally;
use crate::ops::composite::TreeDir;
use crate::pool::{Scope, Task};
use crate::sys::cvt::Errno;
use crate::sys::name::NameBuf;
use crate::sys::stat::{self, mode};
use crate::sys::{dir, file, name};
use crate::value::ReqError;

/// Directories this deep below the root are emptied each by one task.
const SPLIT_DEPTH: usize = 8;
/// With this many directories open, a task empties its subtree alone.
const MAX_OPEN_DIRS: usize = 64;
/// Entries removed between two looks at the abort flag.
const CHECK_EVERY: usize = 64;

/// The state one removal's tasks share.
pub(crate) struct Removal {
    pub(super) tally: Arc<Tally>,
    first_error: Mutex<Option<ReqError>>,
    /// The root's filesystem, when the removal must stay on it.
    mount: Option<MountKey>,
    /// Directories expanded and not yet done (their fds are open).
    open_dirs: AtomicUsize,
}

/// Which mount a directory is on: its device, and the kernel's mount id where it has one
/// (a bind mount of a directory of the same filesystem has the same device).
struct MountKey {
    dev: u64,
    id: Option<u64>,
}

/// A directory open and being emptied.
pub(crate) struct EmptyingDir {
    fd: OwnedFd,
    /// The directory holding it; `None` for the root, which the last step removes.
    parent: Option<Arc<EmptyingDir>>,
    /// Its name in the parent.
    name: CString,
    depth: usize,
    /// Its subdirectories not yet done, plus one until its entries are all dealt with.
    pending: AtomicUsize,
    /// Something in it could not be removed: it stays, and so do its ancestors.
    failed: AtomicBool,
}

impl EmptyingDir {
    pub(super) fn root(fd: OwnedFd) -> Arc<EmptyingDir> {
        Arc::new(EmptyingDir {
            fd,
            parent: None,
            name: CString::default(),
            depth: 0,
            pending: AtomicUsize::new(1),
            failed: AtomicBool::new(false),
        })
    }

    fn raw(&self) -> RawFd {
        self.fd.as_raw_fd()
    }
}

impl TreeDir for EmptyingDir {
    fn parent(&self) -> Option<&EmptyingDir> {
        self.parent.as_deref()
    }

    fn name(&self) -> &[u8] {
        self.name.to_bytes()
    }
}

/// What became of an entry that looked like a non-directory.
enum Removed {
    /// Unlinked, gone already, or failed (recorded).
    Done,
    /// It is a directory after all: descend.
    IsDir,
}

impl Removal {
    pub(super) fn new(tally: Arc<Tally>, opts: RmtreeOptions, root: &OwnedFd, dev: u64) -> Arc<Removal> {
        let mount = (!opts.cross_mounts).then(|| MountKey { dev, id: stat::mount_id(root.as_raw_fd()) });
        Arc::new(Removal { tally, first_error: Mutex::new(None), mount, open_dirs: AtomicUsize::new(1) })
    }

    /// The first error of an entry, if any.
    pub(super) fn take_error(&self) -> Option<ReqError> {
        self.first_error.lock().unwrap_or_else(|e| e.into_inner()).take()
    }

    /// Keeps `err` if it is the first.
    pub(super) fn record(&self, err: ReqError) {
        self.first_error.lock().unwrap_or_else(|e| e.into_inner()).get_or_insert(err);
    }

    /// Keeps `err` if it is the first, and marks `dir` as not removable.
    fn fail(&self, dir: &AtomicBool, err: ReqError) {
        dir.store(true, Ordering::Release);
        self.record(err);
    }

    /// Whether the directory open on `fd`, whose device and inode are `id` and which its
    /// parent lists with inode `listed`, is on the root's mount, or mounts do not matter.
    /// Linux says which mount a file is on; elsewhere a mount point shows itself by its
    /// inode: the parent lists the directory the mount covers, opening the name gives the
    /// mounted filesystem's root (a bind mount of the same filesystem keeps its device).
    pub(super) fn same_mount(&self, fd: &OwnedFd, id: (u64, u64), listed: u64) -> bool {
        let Some(root) = &self.mount else {
            return true;
        };
        if id.0 != root.dev {
            return false;
        }
        match root.id {
            Some(mount) => stat::mount_id(fd.as_raw_fd()).is_none_or(|id| id == mount),
            None => listed == 0 || listed == id.1,
        }
    }

    /// Reads `dir`, unlinks its non-directories and queues its subdirectories.
    pub(super) fn expand(self: &Arc<Self>, scope: &Scope, dir: Arc<EmptyingDir>) -> Result<(), ReqError> {
        let entries = match dir::read_all(&dir.fd, &|| scope.aborted()) {
            Ok(entries) => entries,
            Err(Errno(libc::ECANCELED)) => return scope.check(),
            // Removed meanwhile: getdents on a deleted directory says ENOENT.
            Err(Errno(libc::ENOENT)) => Default::default(),
            Err(e) => {
                self.fail(&dir.failed, dir.error(e, dir::READ_CALL, None));
                Default::default()
            }
        };
        let mut buf = NameBuf::default();
        let mut subdirs: Vec<Task> = Vec::new();
        for i in 0..entries.len() {
            if i % CHECK_EVERY == CHECK_EVERY - 1 {
                scope.check()?;
            }
            // `d_type` is a hint: a directory is opened by its task, which unlinks it
            // after all if it is not one (any more); unknown types go the same way.
            let kind = entries.types[i];
            if kind != libc::DT_DIR && kind != libc::DT_UNKNOWN {
                let Some(name) = buf.c_str(entries.name(i)) else {
                    continue; // getdents never returns a NUL inside a name
                };
                if let Removed::Done = self.remove_nondir(&dir, name, kind) {
                    continue;
                }
            }
            let Ok(name) = CString::new(entries.name(i)) else {
                continue;
            };
            let (removal, parent, listed) = (Arc::clone(self), Arc::clone(&dir), entries.inos[i]);
            subdirs.push(Box::new(move |scope: &Scope| removal.empty_subdir(scope, parent, name, listed)));
        }
        dir.pending.fetch_add(subdirs.len(), Ordering::AcqRel);
        scope.spawn_all(subdirs);
        self.release(dir);
        Ok(())
    }

    /// Unlinks `name` in `dir`, counting its size if it is a regular file.
    fn remove_nondir(&self, dir: &EmptyingDir, name: &CStr, kind: u8) -> Removed {
        let bytes = if kind == libc::DT_REG { size_of(dir.raw(), name) } else { 0 };
        match remove_name(dir.raw(), name, 0) {
            Ok(true) => self.tally.add(bytes),
            Ok(false) => {}                                    // gone already
            Err(Errno(libc::EISDIR)) => return Removed::IsDir, // replaced by a directory
            Err(e) => self.fail(&dir.failed, dir.error(e, "unlink", Some(name.to_bytes()))),
        }
        Removed::Done
    }

    /// The task of a subdirectory (`listed`: the inode its parent lists for it): opens it
    /// and empties it, by spreading its subdirectories above the split depth, alone below.
    fn empty_subdir(
        self: &Arc<Self>,
        scope: &Scope,
        parent: Arc<EmptyingDir>,
        name: CString,
        listed: u64,
    ) -> Result<(), ReqError> {
        scope.check()?;
        #[cfg(test)]
        assert!(name.as_bytes() != tests::PANIC_NAME, "injected");
        let fd = match file::open_c(parent.raw(), &name, OPEN_DIR, 0) {
            Ok(fd) => fd,
            Err(Errno(libc::ENOENT)) => return self.released(parent),
            // Not a directory (any more): remove the name, whatever it points to.
            Err(Errno(libc::ENOTDIR | libc::ELOOP)) => {
                let _ = self.remove_nondir(&parent, &name, libc::DT_UNKNOWN);
                return self.released(parent);
            }
            Err(e) => {
                self.fail(&parent.failed, parent.error(e, "open", Some(name.as_bytes())));
                return self.released(parent);
            }
        };
        let id = match stat::fstat(fd.as_raw_fd()) {
            Ok(st) => (st.dev, st.ino),
            Err(e) => {
                self.fail(&parent.failed, parent.error(e, "fstat", Some(name.as_bytes())));
                return self.released(parent);
            }
        };
        if !self.same_mount(&fd, id, listed) {
            // Another filesystem: left in place, reported as removing it would be.
            let err = parent.error(Errno(libc::EBUSY), "rmdir", Some(name.as_bytes()));
            self.fail(&parent.failed, err);
            return self.released(parent);
        }
        let depth = parent.depth + 1;
        if depth < SPLIT_DEPTH && self.open_dirs.load(Ordering::Relaxed) < MAX_OPEN_DIRS {
            self.open_dirs.fetch_add(1, Ordering::Relaxed);
            let dir = EmptyingDir {
                fd,
                parent: Some(parent),
                name,
                depth,
                pending: AtomicUsize::new(1),
                failed: AtomicBool::new(false),
            };
            return self.expand(scope, Arc::new(dir));
        }
        let emptied = Walk::new(fd, parent.subpath(Some(name.as_bytes())), self).run(&|| scope.aborted())?;
        if emptied {
            self.remove_dir(&parent, &name);
        } else {
            parent.failed.store(true, Ordering::Release);
        }
        self.released(parent)
    }

    fn released(&self, dir: Arc<EmptyingDir>) -> Result<(), ReqError> {
        self.release(dir);
        Ok(())
    }

    /// One pending part of `dir` is done; if it was the last, removes `dir` from its parent
    /// (unless something in it stayed), and so on up. The root is left to the last step.
    fn release(&self, mut dir: Arc<EmptyingDir>) {
        loop {
            if dir.pending.fetch_sub(1, Ordering::AcqRel) != 1 {
                return;
            }
            self.open_dirs.fetch_sub(1, Ordering::Relaxed);
            let Some(parent) = dir.parent.clone() else {
                return;
            };
            if dir.failed.load(Ordering::Acquire) {
                parent.failed.store(true, Ordering::Release);
            } else {
                self.remove_dir(&parent, &dir.name);
            }
            dir = parent;
        }
    }

    /// Removes the empty directory `name` of `parent`.
    fn remove_dir(&self, parent: &EmptyingDir, name: &CStr) {
        match remove_name(parent.raw(), name, libc::AT_REMOVEDIR) {
            Ok(true) => self.tally.add(0),
            Ok(false) => {}
            Err(e) => self.fail(&parent.failed, parent.error(e, "rmdir", Some(name.to_bytes()))),
        }
    }
}

/// `unlinkat(dirfd, name, flags)`: true when removed, false when gone already.
pub(super) fn remove_name(dirfd: RawFd, name: &CStr, flags: i32) -> Result<bool, Errno> {
    match name::unlink_c(dirfd, name, flags) {
        Ok(()) => Ok(true),
        Err(Errno(libc::ENOENT)) => Ok(false),
        // darwin and FreeBSD say EPERM where Linux says EISDIR.
        Err(Errno(libc::EPERM)) if flags == 0 && is_dir(dirfd, name) => Err(Errno(libc::EISDIR)),
        Err(e) => Err(e),
    }
}

/// The size of the regular file `name` (0 if it cannot be stated), for the byte count.
pub(super) fn size_of(dirfd: RawFd, name: &CStr) -> u64 {
    match stat::stat_c(dirfd, name, false) {
        Ok(st) if st.mode & mode::S_IFMT == mode::S_IFREG => st.size.max(0) as u64,
        _ => 0,
    }
}

fn is_dir(dirfd: RawFd, name: &CStr) -> bool {
    matches!(stat::stat_c(dirfd, name, false), Ok(st) if st.mode & mode::S_IFMT == mode::S_IFDIR)
}

#[cfg(test)]
pub(super) mod tests {
    use std::fs;
    use std::os::unix::fs::symlink;
    use std::path::Path;

    use super::super::super::testutil::{on_pool, TempDir};
    use super::*;
    use crate::ops::composite::CompositeOp;
    use crate::value::Outcome;
    use crate::Op;

    /// `width` subdirectories per directory, `levels` deep, each with a file and a symlink
    /// to `outside`.
    fn build(dir: &Path, width: usize, levels: usize, outside: &Path) {
        fs::create_dir(dir).unwrap();
        fs::write(dir.join("file"), b"x").unwrap();
        symlink(outside, dir.join("link")).unwrap();
        if levels == 0 {
            return;
        }
        for i in 0..width {
            build(&dir.join(format!("d{i}")), width, levels - 1, outside);
        }
    }

    fn rmtree(t: &TempDir, rel: &str) -> Outcome {
        let op = CompositeOp::Rmtree { at: t.at(rel), opts: RmtreeOptions::default(), tally: Arc::default() };
        on_pool(Op::Composite(op))
    }

    #[test]
    fn empties_a_wide_and_deep_tree_without_following_links() {
        let t = TempDir::new("fanout");
        fs::create_dir(t.path("outside")).unwrap();
        fs::write(t.path("outside/keep"), b"keep").unwrap();
        build(&t.path("tree"), 4, 4, &t.path("outside"));
        // Below the first of them, a chain deeper than the split depth.
        let mut chain = t.path("tree/d0/d0/d0/d0");
        for _ in 0..(2 * SPLIT_DEPTH) {
            chain.push("c");
            fs::create_dir(&chain).unwrap();
            fs::write(chain.join("f"), b"x").unwrap();
        }
        rmtree(&t, "tree").unwrap();
        assert!(!t.path("tree").exists());
        assert_eq!(fs::read(t.path("outside/keep")).unwrap(), b"keep");
    }

    #[test]
    fn an_abort_stops_it_and_closes_every_fd() {
        let t = TempDir::new("fanabort");
        build(&t.path("tree"), 3, 3, &t.path("tree"));
        let got = super::super::super::testutil::with_ctx(true, |ctx| {
            super::super::rmtree(&t.at("tree"), RmtreeOptions::default(), Arc::default(), ctx)
        });
        assert_eq!(got.err().and_then(|e| e.errno()).map(|e| e.raw()), Some(libc::ECANCELED));
        assert!(t.path("tree/d0/d0/file").exists());
        // Counted by target: other tests open fds of their own meanwhile.
        let open_in_tree = fs::read_dir("/proc/self/fd")
            .unwrap()
            .filter_map(|fd| fs::read_link(fd.unwrap().path()).ok())
            .filter(|target| target.starts_with(t.path("tree")))
            .count();
        assert_eq!(open_in_tree, 0);
    }

    /// A directory whose task panics (see `empty_subdir`).
    pub const PANIC_NAME: &[u8] = b"eio-test-panic";

    #[test]
    fn a_task_that_panics_fails_the_request_instead_of_hanging_it() {
        let t = TempDir::new("fanpanic");
        build(&t.path("tree"), 3, 2, &t.path("tree"));
        fs::create_dir(t.path("tree/d1/eio-test-panic")).unwrap();
        let got = rmtree(&t, "tree");
        assert!(matches!(got, Err(ReqError::Panic(_))), "{got:?}");
    }

    /// `chattr +i` / `-i` on `path`: an immutable file cannot be unlinked, even by root.
    /// False where chattr or the attribute is not available.
    pub fn immutable(path: &Path, on: bool) -> bool {
        let flag = if on { "+i" } else { "-i" };
        std::process::Command::new("chattr").arg(flag).arg(path).status().is_ok_and(|s| s.success())
    }

    #[test]
    fn removes_all_it_can_and_reports_the_first_error() {
        let t = TempDir::new("fanerr");
        build(&t.path("tree"), 3, 2, &t.path("tree"));
        let stuck = t.path("tree/d1/d0/file");
        if !immutable(&stuck, true) {
            eprintln!("skipped: chattr +i is not available here");
            return;
        }
        let got = rmtree(&t, "tree");
        immutable(&stuck, false);
        match got {
            Err(ReqError::Os { errno, syscall, subpath }) => {
                assert_eq!((errno, syscall), (Errno(libc::EPERM), Some("unlink")));
                assert_eq!(subpath.as_deref(), Some(&b"d1/d0/file"[..]));
            }
            other => panic!("{other:?}"),
        }
        // Only the stuck file and the directories above it are left.
        let mut left: Vec<_> = walk(&t.path("tree"));
        left.sort();
        assert_eq!(left, ["d1", "d1/d0", "d1/d0/file"]);
    }

    fn walk(root: &Path) -> Vec<String> {
        let mut out = Vec::new();
        for e in fs::read_dir(root).unwrap() {
            let p = e.unwrap().path();
            out.push(p.strip_prefix(root).unwrap().to_string_lossy().into_owned());
            if p.is_dir() && !p.is_symlink() {
                out.extend(
                    walk(&p).into_iter().map(|s| format!("{}/{s}", p.file_name().unwrap().to_string_lossy())),
                );
            }
        }
        out
    }

    #[test]
    fn subpaths_name_the_entry_below_the_root() {
        let t = TempDir::new("fansub");
        let open = || file::open(&t.at(""), OPEN_DIR, 0).unwrap();
        let dir = |parent: Option<Arc<EmptyingDir>>, name: &CStr| {
            Arc::new(EmptyingDir {
                fd: open(),
                parent,
                name: name.into(),
                depth: 0,
                pending: AtomicUsize::new(1),
                failed: AtomicBool::new(false),
            })
        };
        let root = dir(None, c"/the/root");
        let b = dir(Some(dir(Some(root.clone()), c"a")), c"b");
        // (directory, entry name, expected subpath)
        type Row<'a> = (&'a EmptyingDir, Option<&'a [u8]>, &'a [u8]);
        let rows: [Row; 4] =
            [(&b, Some(b"f"), b"a/b/f"), (&b, None, b"a/b"), (&root, Some(b"f"), b"f"), (&root, None, b"")];
        for (dir, name, want) in rows {
            assert_eq!(dir.subpath(name), want, "{name:?}");
        }
    }
}
