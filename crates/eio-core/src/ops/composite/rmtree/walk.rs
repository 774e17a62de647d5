//! Empties one subtree on one thread, depth first, with at most [`MAX_OPEN`] directory fds
//! at any depth and an explicit stack instead of recursion. A frame whose fd was closed is
//! reopened, when the walk climbs back to it, through `..` of its child, and used only if
//! it is still the same directory (device and inode) as when it was entered (the check GNU
//! fts makes).

use std::ffi::CString;
use std::os::fd::{AsRawFd, OwnedFd};
use std::sync::Arc;

use super::super::check_abort;
use super::{entry_error, OPEN_DIR};
use crate::req::ReqCtx;
use crate::sys::cvt::Errno;
use crate::sys::path::{At, Base};
use crate::sys::stat;
use crate::sys::{dir, file, name};
use crate::value::{DirList, ReqError};

/// Directory fds the walk keeps open at most; deeper frames are reopened on the way back.
const MAX_OPEN: usize = 32;

/// One directory being emptied.
struct Frame {
    /// `None` while closed to stay within [`MAX_OPEN`].
    fd: Option<Arc<OwnedFd>>,
    /// Its name in the parent frame (empty for the root).
    name: CString,
    /// Device and inode, to recognise it when reopening it through `..`.
    id: (u64, u64),
    /// Its entries as read when it was entered, and how many were dealt with.
    entries: DirList,
    next: usize,
}

pub struct Walk {
    /// The path of the walk's root below the tree's root, for errors.
    prefix: Vec<u8>,
    stack: Vec<Frame>,
    /// Frames below this index have their fd closed; those from it up are open.
    first_open: usize,
}

/// What to do after looking at an entry.
enum Step {
    Next,
    Descend(Frame),
}

impl Walk {
    /// A walk of the directory open on `root`, which is at `prefix` below the tree's root.
    pub fn new(root: OwnedFd, prefix: Vec<u8>) -> Result<Walk, ReqError> {
        let mut walk = Walk { prefix, stack: Vec::new(), first_open: 0 };
        let frame = walk.enter(root, CString::default())?;
        walk.stack.push(frame);
        Ok(walk)
    }

    /// A frame for the directory open on `fd`, with its entries read.
    fn enter(&self, fd: OwnedFd, name: CString) -> Result<Frame, ReqError> {
        let st = stat::fstat(fd.as_raw_fd()).map_err(|e| self.error(e, "fstat", Some(&name)))?;
        let id = (st.dev, st.ino);
        let entries =
            dir::read_all(&fd, &|| false).map_err(|e| self.error(e, dir::READ_CALL, Some(&name)))?;
        Ok(Frame { fd: Some(Arc::new(fd)), name, id, entries, next: 0 })
    }

    /// Empties the walk's root (the root itself stays).
    pub fn run(&mut self, ctx: &ReqCtx<'_>) -> Result<(), ReqError> {
        loop {
            check_abort(ctx)?;
            let top = self.stack.last_mut().expect("the root frame stays until the end");
            if top.next == top.entries.len() {
                if self.stack.len() == 1 {
                    return Ok(());
                }
                self.climb()?;
                continue;
            }
            let i = top.next;
            top.next += 1;
            if let Step::Descend(frame) = self.remove_entry(i)? {
                self.push(frame);
            }
        }
    }

    /// Removes entry `i` of the top frame if it is not a directory; opens it if it is.
    fn remove_entry(&self, i: usize) -> Result<Step, ReqError> {
        let top = self.stack.last().expect("run checked it");
        let base = Base::Dir(Arc::clone(top.fd.as_ref().expect("the top frame is open")));
        let raw = top.entries.name(i);
        let Ok(name) = CString::new(raw) else {
            return Ok(Step::Next); // getdents never returns a NUL inside a name
        };
        let at = At { base, path: name };
        if top.entries.types[i] != libc::DT_DIR && top.entries.types[i] != libc::DT_UNKNOWN {
            match name::unlink(&at, 0) {
                Ok(()) | Err(Errno(libc::ENOENT)) => return Ok(Step::Next),
                // Replaced by a directory since the directory was read: descend after all.
                Err(Errno(libc::EISDIR)) => {}
                Err(e) => return Err(self.error(e, "unlink", Some(&at.path))),
            }
        }
        match file::open(&at, OPEN_DIR, 0) {
            Ok(fd) => Ok(Step::Descend(self.enter(fd, at.path)?)),
            Err(Errno(libc::ENOENT)) => Ok(Step::Next),
            // Not a directory (any more): remove the name, whatever it points to.
            Err(Errno(libc::ENOTDIR | libc::ELOOP)) => match name::unlink(&at, 0) {
                Ok(()) | Err(Errno(libc::ENOENT)) => Ok(Step::Next),
                Err(e) => Err(self.error(e, "unlink", Some(&at.path))),
            },
            Err(e) => Err(self.error(e, "open", Some(&at.path))),
        }
    }

    /// Makes `frame` the top, closing the fd of the lowest open frame beyond the bound.
    fn push(&mut self, frame: Frame) {
        self.stack.push(frame);
        if self.stack.len() - self.first_open > MAX_OPEN {
            self.stack[self.first_open].fd = None;
            self.first_open += 1;
        }
    }

    /// The top frame is empty: removes it from its parent, reopening the parent first if
    /// its fd was closed.
    fn climb(&mut self) -> Result<(), ReqError> {
        let child = self.stack.pop().expect("run checked it");
        let parent_at = self.stack.len() - 1;
        if self.stack[parent_at].fd.is_none() {
            let fd = self.reopen_parent(&child)?;
            self.stack[parent_at].fd = Some(Arc::new(fd));
            self.first_open = parent_at;
        }
        let parent = &self.stack[parent_at];
        let Frame { fd, name, .. } = child;
        drop(fd);
        let at = At { base: Base::Dir(Arc::clone(parent.fd.as_ref().expect("opened above"))), path: name };
        match name::unlink(&at, libc::AT_REMOVEDIR) {
            Ok(()) | Err(Errno(libc::ENOENT)) => Ok(()),
            Err(e) => Err(self.error(e, "rmdir", Some(&at.path))),
        }
    }

    /// Opens `..` of `child` and checks that it is still the directory the walk came from:
    /// a directory moved elsewhere meanwhile must not lead the walk out of the tree.
    fn reopen_parent(&self, child: &Frame) -> Result<OwnedFd, ReqError> {
        let at = At {
            base: Base::Dir(Arc::clone(child.fd.as_ref().expect("the child was the top"))),
            path: CString::from(c".."),
        };
        let fd = file::open(&at, OPEN_DIR, 0).map_err(|e| self.error(e, "open", None))?;
        let st = stat::fstat(fd.as_raw_fd()).map_err(|e| self.error(e, "fstat", None))?;
        if (st.dev, st.ino) != self.stack.last().expect("the parent").id {
            return Err(self.error(Errno(libc::ENOENT), "open", None));
        }
        Ok(fd)
    }

    /// An error naming the failing step and the path below the tree's root it failed on:
    /// the prefix, the names of the frames, then `name` (none: the top frame itself).
    fn error(&self, errno: Errno, syscall: &'static str, name: Option<&CString>) -> ReqError {
        let frames = self.stack.iter().skip(1).map(|f| f.name.as_bytes());
        let names = std::iter::once(self.prefix.as_slice()).chain(frames).chain(name.map(|n| n.as_bytes()));
        entry_error(errno, syscall, names)
    }
}

#[cfg(test)]
mod tests {
    use std::ffi::CStr;
    use std::fs;
    use std::os::unix::fs::symlink;

    use super::*;
    use crate::testutil::{with_ctx, TempDir};

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
        with_ctx(false, |ctx| Walk::new(fd, Vec::new()).unwrap().run(ctx)).unwrap();
        assert_eq!(fs::read_dir(t.path("tree")).unwrap().count(), 0, "emptied");
        assert_eq!(fs::read(t.path("outside/keep")).unwrap(), b"keep");
    }

    #[test]
    fn errors_name_the_entry_below_the_root() {
        let t = TempDir::new("errname");
        fs::create_dir_all(t.path("tree/a")).unwrap();
        let fd = file::open(&t.at("tree"), OPEN_DIR, 0).unwrap();
        let mut walk = Walk::new(fd, b"top/tree".to_vec()).unwrap();
        match walk.remove_entry(0).unwrap() {
            Step::Descend(frame) => walk.push(frame),
            Step::Next => panic!("a directory was not descended into"),
        }
        // (entry name, expected subpath)
        let rows: [(Option<&CStr>, &[u8]); 2] = [(Some(c"f"), b"top/tree/a/f"), (None, b"top/tree/a")];
        for (name, want) in rows {
            let name = name.map(CString::from);
            match walk.error(Errno(libc::EACCES), "unlink", name.as_ref()) {
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
        // The walk has read `sub` as a directory; now the attacker swaps it for a symlink.
        let mut walk = Walk::new(fd, Vec::new()).unwrap();
        assert_eq!(walk.stack[0].entries.types, [libc::DT_DIR]);
        fs::rename(t.path("tree/sub"), t.path("moved")).unwrap();
        symlink(t.path("victim"), t.path("tree/sub")).unwrap();
        with_ctx(false, |ctx| walk.run(ctx)).unwrap();
        assert_eq!(fs::read(t.path("victim/keep")).unwrap(), b"keep");
        assert!(fs::symlink_metadata(t.path("tree/sub")).is_err(), "the symlink stays");
    }
}
