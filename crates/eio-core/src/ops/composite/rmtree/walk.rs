//! Empties one subtree in one task, depth first, with at most [`MAX_OPEN`] directory fds
//! at any depth and an explicit stack instead of recursion. A frame whose fd was closed is
//! reopened, when the walk climbs back to it, through `..` of its child, and used only if
//! it is still the same directory (device and inode) as when it was entered (the check GNU
//! fts makes). As the rest of the removal, it goes on past errors: a directory with
//! something left in it stays, and so do the ones above it.

use std::ffi::CString;
use std::os::fd::{AsRawFd, OwnedFd, RawFd};

use super::fanout::{remove_name, size_of, Removal};
use super::{entry_error, OPEN_DIR};
use crate::sys::cvt::Errno;
use crate::sys::name::NameBuf;
use crate::sys::stat;
use crate::sys::{dir, file};
use crate::value::{DirList, ReqError};

/// Directory fds the walk keeps open at most; deeper frames are reopened on the way back.
const MAX_OPEN: usize = 32;

/// One directory being emptied.
struct Frame {
    /// `None` while closed to stay within [`MAX_OPEN`].
    fd: Option<OwnedFd>,
    /// Its name in the parent frame (empty for the root).
    name: CString,
    /// Device and inode, to recognise it when reopening it through `..`.
    id: (u64, u64),
    /// Its entries as read when it was entered, and how many were dealt with.
    entries: DirList,
    next: usize,
    /// Something in it stayed: it cannot be removed.
    failed: bool,
}

impl Frame {
    fn raw(&self) -> RawFd {
        self.fd.as_ref().expect("an open frame").as_raw_fd()
    }
}

pub struct Walk<'a> {
    removal: &'a Removal,
    /// The path of the walk's root below the tree's root, for errors.
    prefix: Vec<u8>,
    stack: Vec<Frame>,
    /// Frames below this index have their fd closed; those from it up are open.
    first_open: usize,
    names: NameBuf,
}

/// What to do after looking at an entry.
enum Step {
    Next,
    Descend(Frame),
}

impl<'a> Walk<'a> {
    /// A walk of the directory open on `root`, which is at `prefix` below the tree's root.
    pub fn new(root: OwnedFd, prefix: Vec<u8>, removal: &'a Removal) -> Walk<'a> {
        let mut walk = Walk { removal, prefix, stack: Vec::new(), first_open: 0, names: NameBuf::default() };
        let frame = walk.enter(root, CString::default(), None);
        walk.stack.push(frame);
        walk
    }

    /// A frame for the directory open on `fd`, with its entries read (none if it was
    /// removed meanwhile or cannot be read: then it is marked failed and the error kept).
    fn enter(&self, fd: OwnedFd, name: CString, dev: Option<u64>) -> Frame {
        let mut frame = Frame {
            fd: None,
            name,
            id: (dev.unwrap_or(0), 0),
            entries: DirList::default(),
            next: 0,
            failed: false,
        };
        match stat::fstat(fd.as_raw_fd()) {
            Ok(st) => frame.id = (st.dev, st.ino),
            Err(e) => self.failed(&mut frame, e, "fstat"),
        }
        match dir::read_all(&fd, &|| false) {
            Ok(entries) => frame.entries = entries,
            Err(Errno(libc::ENOENT)) => {} // removed meanwhile
            Err(e) => self.failed(&mut frame, e, dir::READ_CALL),
        }
        frame.fd = Some(fd);
        frame
    }

    /// Empties the walk's root (the root itself stays); true when nothing is left in it.
    /// Stops early only when `aborted` says so (`ECANCELED`).
    pub fn run(&mut self, aborted: &dyn Fn() -> bool) -> Result<bool, ReqError> {
        loop {
            if aborted() {
                return Err(ReqError::os(Errno(libc::ECANCELED)));
            }
            let depth = self.stack.len();
            let top = self.stack.last_mut().expect("the root frame stays until the end");
            if top.next == top.entries.len() {
                if depth == 1 {
                    return Ok(!top.failed);
                }
                if !self.climb() {
                    return Ok(false);
                }
                continue;
            }
            let i = top.next;
            top.next += 1;
            if let Step::Descend(frame) = self.remove_entry(i) {
                self.push(frame);
            }
        }
    }

    /// Removes entry `i` of the top frame if it is not a directory; opens it if it is.
    fn remove_entry(&mut self, i: usize) -> Step {
        let Walk { stack, names, removal, .. } = self;
        let top = stack.last().expect("run checked it");
        let (dirfd, kind, listed) = (top.raw(), top.entries.types[i], top.entries.inos[i]);
        let Some(name) = names.c_str(top.entries.name(i)) else {
            return Step::Next; // getdents never returns a NUL inside a name
        };
        if kind != libc::DT_DIR && kind != libc::DT_UNKNOWN {
            let bytes = if kind == libc::DT_REG { size_of(dirfd, name) } else { 0 };
            match remove_name(dirfd, name, 0) {
                Ok(true) => {
                    removal.tally.add(bytes);
                    return Step::Next;
                }
                Ok(false) => return Step::Next,
                // Replaced by a directory since the directory was read: descend after all.
                Err(Errno(libc::EISDIR)) => {}
                Err(e) => {
                    let name = name.to_owned();
                    return self.top_failed(e, "unlink", name.as_bytes());
                }
            }
        }
        let fd = match file::open_c(dirfd, name, OPEN_DIR, 0) {
            Ok(fd) => fd,
            Err(Errno(libc::ENOENT)) => return Step::Next,
            // Not a directory (any more): remove the name, whatever it points to.
            Err(Errno(libc::ENOTDIR | libc::ELOOP)) => match remove_name(dirfd, name, 0) {
                Ok(removed) => {
                    if removed {
                        removal.tally.add(0);
                    }
                    return Step::Next;
                }
                Err(e) => {
                    let name = name.to_owned();
                    return self.top_failed(e, "unlink", name.as_bytes());
                }
            },
            Err(e) => {
                let name = name.to_owned();
                return self.top_failed(e, "open", name.as_bytes());
            }
        };
        let name = name.to_owned();
        let frame = self.enter(fd, name, None);
        if !self.removal.same_mount(frame.fd.as_ref().expect("entered"), frame.id, listed) {
            // Another filesystem: left in place, reported as removing it would be.
            return self.top_failed(Errno(libc::EBUSY), "rmdir", frame.name.as_bytes());
        }
        Step::Descend(frame)
    }

    /// Makes `frame` the top, closing the fd of the lowest open frame beyond the bound.
    fn push(&mut self, frame: Frame) {
        self.stack.push(frame);
        if self.stack.len() - self.first_open > MAX_OPEN {
            self.stack[self.first_open].fd = None;
            self.first_open += 1;
        }
    }

    /// The top frame is done: removes it from its parent (unless something in it stayed),
    /// reopening the parent first if its fd was closed. False if the parent could not be
    /// reopened: the walk cannot go on safely.
    fn climb(&mut self) -> bool {
        let child = self.stack.pop().expect("run checked it");
        let parent_at = self.stack.len() - 1;
        if self.stack[parent_at].fd.is_none() {
            match self.reopen_parent(&child) {
                Ok(fd) => {
                    self.stack[parent_at].fd = Some(fd);
                    self.first_open = parent_at;
                }
                Err(e) => {
                    self.removal.record(e);
                    return false;
                }
            }
        }
        let Frame { fd, name, failed, .. } = child;
        drop(fd);
        if failed {
            self.stack[parent_at].failed = true;
            return true;
        }
        match remove_name(self.stack[parent_at].raw(), &name, libc::AT_REMOVEDIR) {
            Ok(removed) => {
                if removed {
                    self.removal.tally.add(0);
                }
            }
            Err(e) => {
                let _ = self.top_failed(e, "rmdir", name.as_bytes());
            }
        }
        true
    }

    /// Opens `..` of `child` and checks that it is still the directory the walk came from:
    /// a directory moved elsewhere meanwhile must not lead the walk out of the tree.
    fn reopen_parent(&self, child: &Frame) -> Result<OwnedFd, ReqError> {
        let fd = file::open_c(child.raw(), c"..", OPEN_DIR, 0).map_err(|e| self.error(e, "open", None))?;
        let st = stat::fstat(fd.as_raw_fd()).map_err(|e| self.error(e, "fstat", None))?;
        if (st.dev, st.ino) != self.stack.last().expect("the parent").id {
            return Err(self.error(Errno(libc::ENOENT), "open", None));
        }
        Ok(fd)
    }

    /// Keeps the error of `syscall` on entry `name` of the top frame, which stays.
    fn top_failed(&mut self, errno: Errno, syscall: &'static str, name: &[u8]) -> Step {
        let err = self.error(errno, syscall, Some(name));
        self.stack.last_mut().expect("a top frame").failed = true;
        self.removal.record(err);
        Step::Next
    }

    /// Keeps the error of `syscall` on the directory of `frame` (not yet pushed).
    fn failed(&self, frame: &mut Frame, errno: Errno, syscall: &'static str) {
        frame.failed = true;
        let err = self.error(errno, syscall, Some(frame.name.as_bytes()));
        self.removal.record(err);
    }

    /// An error naming the failing step and the path below the tree's root it failed on:
    /// the prefix, the names of the frames, then `name` (none: the top frame itself).
    fn error(&self, errno: Errno, syscall: &'static str, name: Option<&[u8]>) -> ReqError {
        let frames = self.stack.iter().skip(1).map(|f| f.name.as_bytes());
        let names = std::iter::once(self.prefix.as_slice()).chain(frames).chain(name);
        entry_error(errno, syscall, names)
    }
}

#[cfg(test)]
mod tests {
    use std::fs;
    use std::os::unix::fs::symlink;
    use std::sync::Arc;

    use super::super::super::testutil::TempDir;
    use super::super::RmtreeOptions;
    use super::*;

    fn removal(fd: &OwnedFd) -> Arc<Removal> {
        let dev = stat::fstat(fd.as_raw_fd()).unwrap().dev;
        Removal::new(Arc::default(), RmtreeOptions::default(), fd, dev)
    }

    #[test]
    fn deeper_than_the_fd_bound_and_symlinks_not_followed() {
        let t = TempDir::new("rmtree");
        fs::create_dir(t.path("outside")).unwrap();
        fs::write(t.path("outside/keep"), b"keep").unwrap();
        let mut dir = t.path("tree");
        for level in 0..(3 * MAX_OPEN) {
            fs::create_dir(&dir).unwrap();
            fs::write(dir.join("file"), b"x").unwrap();
            if level % 7 == 0 {
                symlink(t.path("outside"), dir.join("link")).unwrap();
            }
            dir.push("d");
        }
        let fd = file::open(&t.at("tree"), OPEN_DIR, 0).unwrap();
        let removal = removal(&fd);
        assert!(Walk::new(fd, Vec::new(), &removal).run(&|| false).unwrap());
        assert_eq!(fs::read_dir(t.path("tree")).unwrap().count(), 0, "emptied");
        assert_eq!(fs::read(t.path("outside/keep")).unwrap(), b"keep");
        // 96 files, 96 - 1 directories below the root, 14 links; 96 one-byte files.
        assert_eq!(removal.tally.read(), (96 + 95 + 14, 96));
    }

    #[test]
    fn errors_name_the_entry_below_the_root() {
        let t = TempDir::new("errname");
        fs::create_dir_all(t.path("tree/a")).unwrap();
        let fd = file::open(&t.at("tree"), OPEN_DIR, 0).unwrap();
        let removal = removal(&fd);
        let mut walk = Walk::new(fd, b"top/tree".to_vec(), &removal);
        match walk.remove_entry(0) {
            Step::Descend(frame) => walk.push(frame),
            Step::Next => panic!("a directory was not descended into"),
        }
        // (entry name, expected subpath)
        let rows: [(Option<&[u8]>, &[u8]); 2] = [(Some(b"f"), b"top/tree/a/f"), (None, b"top/tree/a")];
        for (name, want) in rows {
            match walk.error(Errno(libc::EACCES), "unlink", name) {
                ReqError::Os { subpath, .. } => assert_eq!(subpath.as_deref(), Some(want)),
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn a_directory_swapped_for_a_symlink_after_reading_is_not_followed() {
        let t = TempDir::new("swap");
        fs::create_dir(t.path("victim")).unwrap();
        fs::write(t.path("victim/keep"), b"keep").unwrap();
        fs::create_dir_all(t.path("tree/sub")).unwrap();
        fs::write(t.path("tree/sub/f"), b"x").unwrap();
        let fd = file::open(&t.at("tree"), OPEN_DIR, 0).unwrap();
        let removal = removal(&fd);
        // The walk has read `sub` as a directory; now the attacker swaps it for a symlink.
        let mut walk = Walk::new(fd, Vec::new(), &removal);
        assert_eq!(walk.stack[0].entries.types, [libc::DT_DIR]);
        fs::rename(t.path("tree/sub"), t.path("moved")).unwrap();
        symlink(t.path("victim"), t.path("tree/sub")).unwrap();
        assert!(walk.run(&|| false).unwrap());
        assert_eq!(fs::read(t.path("victim/keep")).unwrap(), b"keep");
        assert!(fs::symlink_metadata(t.path("tree/sub")).is_err(), "the symlink is removed");
    }

    #[test]
    fn goes_on_past_an_entry_it_cannot_remove() {
        let t = TempDir::new("walkerr");
        fs::create_dir_all(t.path("tree/a/b")).unwrap();
        fs::create_dir_all(t.path("tree/c")).unwrap();
        for f in ["tree/a/b/stuck", "tree/a/b/f", "tree/c/g", "tree/h"] {
            fs::write(t.path(f), b"x").unwrap();
        }
        if !super::super::fanout::tests::immutable(&t.path("tree/a/b/stuck"), true) {
            eprintln!("skipped: chattr +i is not available here");
            return;
        }
        let fd = file::open(&t.at("tree"), OPEN_DIR, 0).unwrap();
        let removal = removal(&fd);
        let emptied = Walk::new(fd, Vec::new(), &removal).run(&|| false).unwrap();
        super::super::fanout::tests::immutable(&t.path("tree/a/b/stuck"), false);
        assert!(!emptied);
        match removal.take_error() {
            Some(ReqError::Os { errno, subpath, .. }) => {
                assert_eq!(errno, Errno(libc::EPERM));
                assert_eq!(subpath.as_deref(), Some(&b"a/b/stuck"[..]));
            }
            other => panic!("{other:?}"),
        }
        assert!(t.path("tree/a/b/stuck").exists());
        for gone in ["tree/a/b/f", "tree/c", "tree/h"] {
            assert!(!t.path(gone).exists(), "{gone}");
        }
    }
}
