//! Empties a tree's top on several threads. Each directory down to [`SPLIT_DEPTH`] is a
//! task: its thread opens it relative to its parent's fd (`O_NOFOLLOW`), unlinks what is not
//! a directory and queues the subdirectories as tasks of their own; the thread that
//! finishes a directory's last subdirectory removes it, relative to its parent's fd. A
//! task at `SPLIT_DEPTH` empties its whole subtree itself, with the sequential [`Walk`].
//!
//! Why threads: removal on ext4 waits on the journal and on directory locks, so it gains
//! from more threads than cores (IO::AIO's `aio_rmtree` does best here with 8). The threads
//! are the request's own, for its duration (as `scandir`'s stats), started only while more
//! directories are queued than threads are idle: a tree without subdirectories starts none.
//!
//! Fds: a directory stays open while a subdirectory of it is queued or being emptied.
//! Tasks are taken last in, first out, so the open directories are about the ancestors of
//! the tasks in progress: some [`THREADS`] x [`SPLIT_DEPTH`], plus each walk's own bound.

use std::ffi::{CStr, CString};
use std::os::fd::OwnedFd;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::{self, Scope};

use super::super::check_abort;
use super::walk::Walk;
use super::{entry_error, OPEN_DIR};
use crate::req::ReqCtx;
use crate::sys::cvt::Errno;
use crate::sys::path::{At, Base};
use crate::sys::{dir, file, name};
use crate::value::ReqError;

/// Threads emptying one tree at most, the request's own included.
const THREADS: usize = 8;
/// Directories this deep below the root are emptied each by one thread.
const SPLIT_DEPTH: usize = 8;

/// A directory open and being emptied.
struct Dir {
    fd: Arc<OwnedFd>,
    /// The directory holding it; `None` for the root, which the caller removes.
    parent: Option<Arc<Dir>>,
    /// Its name in the parent.
    name: CString,
    depth: usize,
    /// Its subdirectories not yet removed, plus one until its entries are all dealt with.
    pending: AtomicUsize,
}

impl Dir {
    /// The path of `name` in this directory (or of the directory itself) below the root.
    fn subpath(&self, name: Option<&CStr>) -> Vec<u8> {
        let mut parts: Vec<&[u8]> = name.map(CStr::to_bytes).into_iter().collect();
        let mut dir = Some(self);
        while let Some(d) = dir {
            dir = d.parent.as_deref();
            if dir.is_some() {
                parts.push(d.name.to_bytes()); // the root's own name is the caller's path
            }
        }
        parts.reverse();
        parts.join(&b'/')
    }

    fn error(&self, errno: Errno, syscall: &'static str, name: Option<&CStr>) -> ReqError {
        entry_error(errno, syscall, [self.subpath(name).as_slice()])
    }

    /// `name` relative to this directory.
    fn at(&self, name: &CStr) -> At {
        At { base: Base::Dir(Arc::clone(&self.fd)), path: name.to_owned() }
    }
}

/// A subdirectory to open and empty.
struct Task {
    parent: Arc<Dir>,
    name: CString,
}

struct Queue {
    tasks: Vec<Task>,
    /// Threads started, the request's own included.
    threads: usize,
    /// Threads waiting for a task.
    idle: usize,
    /// Tasks being run (or the root being read).
    busy: usize,
    /// Set once all is removed, or on the first failure: the threads leave.
    done: bool,
    failure: Option<ReqError>,
}

struct Fanout<'a> {
    queue: Mutex<Queue>,
    wake: Condvar,
    ctx: &'a ReqCtx<'a>,
}

/// Empties the directory open on `root`, which stays (the caller removes it).
pub fn empty(root: OwnedFd, ctx: &ReqCtx<'_>) -> Result<(), ReqError> {
    empty_counting_threads(root, ctx).0
}

/// `empty`, and how many threads it ran on (the caller's included).
fn empty_counting_threads(root: OwnedFd, ctx: &ReqCtx<'_>) -> (Result<(), ReqError>, usize) {
    let fanout = Fanout {
        queue: Mutex::new(Queue {
            tasks: Vec::new(),
            threads: 1,
            idle: 0,
            busy: 1,
            done: false,
            failure: None,
        }),
        wake: Condvar::new(),
        ctx,
    };
    let root = Arc::new(Dir {
        fd: Arc::new(root),
        parent: None,
        name: CString::default(),
        depth: 0,
        pending: AtomicUsize::new(1),
    });
    thread::scope(|scope| {
        let read = caught(|| fanout.expand(root, scope));
        fanout.finished(read);
        fanout.work(scope);
    });
    let queue = fanout.queue.into_inner().unwrap_or_else(|poisoned| poisoned.into_inner());
    (queue.failure.map_or(Ok(()), Err), queue.threads)
}

impl<'a> Fanout<'a> {
    fn lock(&self) -> MutexGuard<'_, Queue> {
        // A panic on one thread is reported by the scope; the queue itself stays consistent.
        self.queue.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Runs tasks until the tree is empty or something failed.
    fn work<'s>(&'s self, scope: &'s Scope<'s, '_>) {
        while let Some(task) = self.take() {
            let ran = caught(|| check_abort(self.ctx).and_then(|()| self.run(task, scope)));
            self.finished(ran);
        }
    }

    fn take(&self) -> Option<Task> {
        let mut queue = self.lock();
        loop {
            if queue.done {
                return None;
            }
            if let Some(task) = queue.tasks.pop() {
                queue.busy += 1;
                return Some(task);
            }
            queue.idle += 1;
            queue = self.wake.wait(queue).unwrap_or_else(|poisoned| poisoned.into_inner());
            queue.idle -= 1;
        }
    }

    fn finished(&self, ran: Result<(), ReqError>) {
        let mut queue = self.lock();
        queue.busy -= 1;
        if let Err(e) = ran {
            queue.failure.get_or_insert(e);
            queue.done = true;
        }
        if queue.busy == 0 && queue.tasks.is_empty() {
            queue.done = true;
        }
        if queue.done {
            // What is still queued closes its parents' fds as it goes.
            queue.tasks.clear();
            self.wake.notify_all();
        }
    }

    /// Queues `tasks`, waking idle threads and starting new ones for what they cannot take.
    fn queue<'s>(&'s self, tasks: Vec<Task>, scope: &'s Scope<'s, '_>) {
        let start = {
            let mut queue = self.lock();
            queue.tasks.extend(tasks);
            let unclaimed = queue.tasks.len().saturating_sub(queue.idle);
            let start = unclaimed.min(THREADS - queue.threads);
            queue.threads += start;
            if queue.idle > 0 {
                self.wake.notify_all();
            }
            start
        };
        for _ in 0..start {
            let spawned =
                thread::Builder::new().name("eio-rmtree".into()).spawn_scoped(scope, || self.work(scope));
            if spawned.is_err() {
                // Out of threads: the ones running take the work.
                self.lock().threads -= 1;
            }
        }
    }

    /// Opens the subdirectory of `task` and empties it: itself below the split depth,
    /// else by queueing its subdirectories.
    fn run<'s>(&'s self, task: Task, scope: &'s Scope<'s, '_>) -> Result<(), ReqError> {
        let Task { parent, name } = task;
        #[cfg(test)]
        assert!(name.as_bytes() != tests::PANIC_NAME, "injected");
        let at = parent.at(&name);
        let fd = match file::open(&at, OPEN_DIR, 0) {
            Ok(fd) => fd,
            Err(Errno(libc::ENOENT)) => return self.release(parent),
            // Not a directory (any more): remove the name, whatever it points to.
            Err(Errno(libc::ENOTDIR | libc::ELOOP)) => {
                unlink(&parent, &name, 0)?;
                return self.release(parent);
            }
            Err(e) => return Err(parent.error(e, "open", Some(&name))),
        };
        let depth = parent.depth + 1;
        if depth < SPLIT_DEPTH {
            let dir =
                Dir { fd: Arc::new(fd), parent: Some(parent), name, depth, pending: AtomicUsize::new(1) };
            return self.expand(Arc::new(dir), scope);
        }
        Walk::new(fd, parent.subpath(Some(&name)))?.run(self.ctx)?;
        unlink(&parent, &name, libc::AT_REMOVEDIR)?;
        self.release(parent)
    }

    /// Reads `dir`, unlinks its non-directories and queues its subdirectories.
    fn expand<'s>(&'s self, dir: Arc<Dir>, scope: &'s Scope<'s, '_>) -> Result<(), ReqError> {
        let entries =
            dir::read_all(&dir.fd, &|| self.ctx.aborted()).map_err(|e| dir.error(e, dir::READ_CALL, None))?;
        let mut subdirs = Vec::new();
        for i in 0..entries.len() {
            check_abort(self.ctx)?;
            let Ok(name) = CString::new(entries.name(i)) else {
                continue; // getdents never returns a NUL inside a name
            };
            // `d_type` is a hint: a directory is opened by its task, which unlinks it
            // after all if it is not one (any more); unknown types go the same way.
            let kind = entries.types[i];
            if kind != libc::DT_DIR && kind != libc::DT_UNKNOWN {
                match name::unlink(&dir.at(&name), 0) {
                    Ok(()) | Err(Errno(libc::ENOENT)) => continue,
                    // Replaced by a directory since the directory was read.
                    Err(Errno(libc::EISDIR)) => {}
                    Err(e) => return Err(dir.error(e, "unlink", Some(&name))),
                }
            }
            subdirs.push(Task { parent: Arc::clone(&dir), name });
        }
        dir.pending.fetch_add(subdirs.len(), Ordering::Relaxed);
        self.queue(subdirs, scope);
        self.release(dir)
    }

    /// One pending part of `dir` is done; if it was the last, removes `dir` from its parent,
    /// and so on up.
    fn release(&self, mut dir: Arc<Dir>) -> Result<(), ReqError> {
        loop {
            if dir.pending.fetch_sub(1, Ordering::AcqRel) != 1 {
                return Ok(());
            }
            let Some(parent) = dir.parent.clone() else {
                return Ok(()); // the root is empty
            };
            unlink(&parent, &dir.name, libc::AT_REMOVEDIR)?;
            dir = parent;
        }
    }
}

/// Runs `step`, a panic becoming its error: a task that unwound without reporting would
/// leave the other threads waiting for it forever.
fn caught(step: impl FnOnce() -> Result<(), ReqError>) -> Result<(), ReqError> {
    catch_unwind(AssertUnwindSafe(step))
        .unwrap_or_else(|_| Err(ReqError::Panic("rmtree: a removal thread panicked".to_owned())))
}

/// `unlinkat(parent, name, flags)`; a name already gone is fine.
fn unlink(parent: &Dir, name: &CStr, flags: i32) -> Result<(), ReqError> {
    match name::unlink(&parent.at(name), flags) {
        Ok(()) | Err(Errno(libc::ENOENT)) => Ok(()),
        Err(e) => Err(parent.error(e, if flags == 0 { "unlink" } else { "rmdir" }, Some(name))),
    }
}

#[cfg(test)]
mod tests {
    use std::fs;
    use std::os::unix::fs::symlink;
    use std::path::Path;

    use super::*;
    use crate::testutil::{with_ctx, TempDir};

    /// `width` subdirectories per directory, `levels` deep, each with a file and a symlink
    /// to `outside`; below the first of them, a chain deeper than the split depth.
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

    #[test]
    fn empties_a_wide_and_deep_tree_on_several_threads_without_following_links() {
        let t = TempDir::new("fanout");
        fs::create_dir(t.path("outside")).unwrap();
        fs::write(t.path("outside/keep"), b"keep").unwrap();
        build(&t.path("tree"), 4, 4, &t.path("outside"));
        let mut chain = t.path("tree/d0/d0/d0/d0");
        for _ in 0..(2 * SPLIT_DEPTH) {
            chain.push("c");
            fs::create_dir(&chain).unwrap();
            fs::write(chain.join("f"), b"x").unwrap();
        }
        let fd = file::open(&t.at("tree"), OPEN_DIR, 0).unwrap();
        let (emptied, threads) = with_ctx(false, |ctx| empty_counting_threads(fd, ctx));
        emptied.unwrap();
        assert_eq!(fs::read_dir(t.path("tree")).unwrap().count(), 0, "emptied, the root kept");
        assert_eq!(fs::read(t.path("outside/keep")).unwrap(), b"keep");
        assert!(threads > 1 && threads <= THREADS, "{threads} threads");
    }

    #[test]
    fn a_tree_without_subdirectories_starts_no_thread() {
        let t = TempDir::new("fanflat");
        build(&t.path("tree"), 0, 0, &t.path("tree"));
        let fd = file::open(&t.at("tree"), OPEN_DIR, 0).unwrap();
        let (emptied, threads) = with_ctx(false, |ctx| empty_counting_threads(fd, ctx));
        emptied.unwrap();
        assert_eq!(fs::read_dir(t.path("tree")).unwrap().count(), 0);
        assert_eq!(threads, 1);
    }

    #[test]
    fn an_abort_stops_it_and_closes_every_fd() {
        let t = TempDir::new("fanabort");
        build(&t.path("tree"), 3, 3, &t.path("tree"));
        let fd = file::open(&t.at("tree"), OPEN_DIR, 0).unwrap();
        let got = with_ctx(true, |ctx| empty(fd, ctx));
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

    /// A directory whose task panics (see `run`).
    pub const PANIC_NAME: &[u8] = b"eio-test-panic";

    #[test]
    fn a_task_that_panics_fails_the_request_instead_of_hanging_it() {
        let t = TempDir::new("fanpanic");
        build(&t.path("tree"), 3, 2, &t.path("tree"));
        fs::create_dir(t.path("tree/d1/eio-test-panic")).unwrap();
        let fd = file::open(&t.at("tree"), OPEN_DIR, 0).unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || tx.send(with_ctx(false, |ctx| empty(fd, ctx))).unwrap());
        let got = rx.recv_timeout(std::time::Duration::from_secs(10)).expect("no hang");
        assert!(matches!(got, Err(ReqError::Panic(_))), "{got:?}");
    }

    #[test]
    fn subpaths_name_the_entry_below_the_root() {
        let t = TempDir::new("fansub");
        let open = || Arc::new(file::open(&t.at(""), OPEN_DIR, 0).unwrap());
        let dir = |parent: Option<Arc<Dir>>, name: &CStr| {
            Arc::new(Dir { fd: open(), parent, name: name.into(), depth: 0, pending: AtomicUsize::new(1) })
        };
        let root = dir(None, c"/the/root");
        let b = dir(Some(dir(Some(root.clone()), c"a")), c"b");
        // (directory, entry name, expected subpath)
        let rows: [(&Dir, Option<&CStr>, &[u8]); 4] =
            [(&b, Some(c"f"), b"a/b/f"), (&b, None, b"a/b"), (&root, Some(c"f"), b"f"), (&root, None, b"")];
        for (dir, name, want) in rows {
            assert_eq!(dir.subpath(name), want, "{name:?}");
        }
    }
}
