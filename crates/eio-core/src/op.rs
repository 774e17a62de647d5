//! Requests as plain data: each [`Op`] names one IO::AIO request and carries its arguments
//! by value, so that it can wait in a queue and run on any thread.

use std::fmt;
use std::os::fd::RawFd;
use std::time::Duration;

use crate::req::ReqCtx;
use crate::sys::cached::{self, Cached};
use crate::sys::path::{At, Target};
use crate::sys::{dir, file, name, stat};
use crate::value::{Outcome, Value};

pub enum Op {
    /// `aio_nop`: does nothing; used for its completion.
    Nop,
    /// `aio_busy`: occupies a thread for the given time.
    Busy(Duration),
    Open {
        at: At,
        flags: i32,
        mode: u32,
    },
    Close {
        fd: RawFd,
    },
    Seek {
        fd: RawFd,
        offset: i64,
        whence: i32,
    },
    /// Reads up to `buf.len()` bytes into `buf`; `offset: None` reads at the file
    /// position. `buf` comes back as [`Value::Bytes`] cut to the count read, so that a
    /// caller can hand in a buffer it reuses (its old contents are never returned).
    Read {
        fd: RawFd,
        offset: Option<i64>,
        buf: Vec<u8>,
    },
    Write {
        fd: RawFd,
        offset: Option<i64>,
        data: Vec<u8>,
    },
    /// `stat` follows symlinks, `lstat` (`follow: false`) does not.
    Stat {
        target: Target,
        follow: bool,
    },
    /// `stat`/`lstat` of many paths as one request; a path that fails is an answer, not a
    /// failure (see [`crate::ops::stat_many`]).
    StatMany {
        paths: crate::ops::stat_many::PathList,
        follow: bool,
    },
    Unlink {
        at: At,
    },
    Mkdir {
        at: At,
        mode: u32,
    },
    Rmdir {
        at: At,
    },
    Rename {
        from: At,
        to: At,
        flags: u32,
    },
    Readdir {
        at: At,
    },
    /// The request families of [`crate::ops`].
    Meta(crate::ops::meta::MetaOp),
    Names(crate::ops::names::NamesOp),
    Mem(crate::ops::mem::MemOp),
    Composite(crate::ops::composite::CompositeOp),
    Scan(crate::ops::scan::ScanOp),
    Fs(crate::ops::fs::FsOp),
    /// Any other work, for Rust users and tests: runs the closure on a worker.
    Custom(Box<dyn FnOnce(&ReqCtx<'_>) -> Outcome + Send>),
}

impl fmt::Debug for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Op::Custom(_) => f.write_str("Custom"),
            Op::Meta(op) => write!(f, "{op:?}"),
            Op::Names(op) => write!(f, "{op:?}"),
            Op::Mem(op) => write!(f, "{op:?}"),
            Op::Composite(op) => write!(f, "{op:?}"),
            Op::Scan(op) => write!(f, "{op:?}"),
            Op::Fs(op) => write!(f, "{op:?}"),
            Op::Nop => f.write_str("Nop"),
            Op::Busy(d) => write!(f, "Busy({d:?})"),
            Op::Open { at, flags, mode } => write!(f, "Open({at:?}, {flags:#o}, {mode:#o})"),
            Op::Close { fd } => write!(f, "Close({fd})"),
            Op::Seek { fd, offset, whence } => write!(f, "Seek({fd}, {offset}, {whence})"),
            Op::Read { fd, offset, buf } => write!(f, "Read({fd}, {offset:?}, {})", buf.len()),
            Op::Write { fd, offset, data } => write!(f, "Write({fd}, {offset:?}, {})", data.len()),
            Op::Stat { target, follow } => write!(f, "Stat({target:?}, follow={follow})"),
            Op::StatMany { paths, follow } => write!(f, "StatMany({} paths, follow={follow})", paths.len()),
            Op::Unlink { at } => write!(f, "Unlink({at:?})"),
            Op::Mkdir { at, mode } => write!(f, "Mkdir({at:?}, {mode:#o})"),
            Op::Rmdir { at } => write!(f, "Rmdir({at:?})"),
            Op::Rename { from, to, flags } => write!(f, "Rename({from:?}, {to:?}, {flags})"),
            Op::Readdir { at } => write!(f, "Readdir({at:?})"),
        }
    }
}

/// Reads up to this long may be run on the submitting thread by [`Op::run_now`]: a cached
/// read of 64 KiB copies for a few microseconds.
const READ_NOW_MAX: usize = 64 * 1024;

impl Op {
    /// Runs the request on the calling thread if the kernel can answer it at once, without
    /// waiting for any I/O: `Some(value)` when it did, `None` when the pool must run it. A
    /// caller that must never block (a JS thread) may call this first; whether it should
    /// (the order of requests, how long it may spend) is its own decision.
    ///
    /// Two requests qualify:
    /// - a stat or lstat of a path whose whole walk is in the dentry cache, on a filesystem
    ///   whose getattr never waits ([`cached::stat`]); errors always come from the pool,
    ///   with their exact cause;
    /// - a positional read of at most 64 KiB whose bytes are all in the page cache
    ///   (`RWF_NOWAIT`), into `read_into` instead of the request's own buffer (as long;
    ///   it may hold part of the bytes when the answer is `None`): a read at the file
    ///   position would move it, and a short or failed attempt cannot tell the end of the
    ///   file or an error from bytes not cached, so those go to the pool, which reads the
    ///   same range again. The value is the count read.
    pub fn run_now(&self, read_into: Option<&mut [u8]>) -> Option<Value> {
        match self {
            Op::Stat { target: Target::Path(at), follow } => match cached::stat(at, *follow) {
                Cached::Done(st) => Some(Value::Stat(st)),
                Cached::WouldBlock => None,
            },
            Op::Read { fd, offset: Some(offset), buf } => {
                let dest = read_into?;
                if dest.len() != buf.len() || dest.len() > READ_NOW_MAX {
                    return None;
                }
                match file::read_cached(*fd, dest, *offset) {
                    // All of it, or nothing at all: the end of the file (a range that is not
                    // cached fails with EAGAIN instead).
                    Ok(n) if n == dest.len() || n == 0 => Some(Value::Int(n as i64)),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// Runs the request on the calling thread.
    pub fn execute(self, ctx: &ReqCtx<'_>) -> Outcome {
        let value = match self {
            Op::Nop => Value::Unit,
            Op::Busy(d) => {
                std::thread::sleep(d);
                Value::Unit
            }
            Op::Open { at, flags, mode } => Value::Fd(file::open(&at, flags, mode)?),
            Op::Close { fd } => file::close(fd).map(|_| Value::Unit)?,
            Op::Seek { fd, offset, whence } => Value::Int(file::seek(fd, offset, whence)?),
            Op::Read { fd, offset, mut buf } => {
                let n = file::read(fd, &mut buf, offset)?;
                buf.truncate(n);
                Value::Bytes(buf)
            }
            Op::Write { fd, offset, data } => Value::Int(file::write(fd, &data, offset)? as i64),
            Op::Stat { target, follow } => {
                let st = match &target {
                    Target::Path(at) => stat::stat_at(at, follow),
                    Target::Fd(fd) => stat::fstat(*fd),
                }?;
                Value::Stat(st)
            }
            Op::StatMany { paths, follow } => return crate::ops::stat_many::stat_many(ctx, paths, follow),
            Op::Unlink { at } => name::unlink(&at, 0).map(|_| Value::Unit)?,
            Op::Mkdir { at, mode } => name::mkdir(&at, mode).map(|_| Value::Unit)?,
            Op::Rmdir { at } => name::unlink(&at, libc::AT_REMOVEDIR).map(|_| Value::Unit)?,
            Op::Rename { from, to, flags } => name::rename(&from, &to, flags).map(|_| Value::Unit)?,
            Op::Readdir { at } => {
                let fd = dir::open_dir(&at)?;
                Value::Names(dir::read_all(&fd, &|| ctx.aborted())?)
            }
            Op::Meta(op) => return op.execute(ctx),
            Op::Names(op) => return op.execute(ctx),
            Op::Mem(op) => return op.execute(ctx),
            Op::Composite(op) => return op.execute(ctx),
            Op::Scan(op) => return op.execute(ctx),
            Op::Fs(op) => return op.execute(ctx),
            Op::Custom(f) => return f(ctx),
        };
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::os::fd::AsRawFd;

    use super::*;
    use crate::testutil::{with_ctx, TempDir};

    fn run(op: Op) -> Outcome {
        with_ctx(false, |ctx| op.execute(ctx))
    }

    #[test]
    fn read_returns_only_the_bytes_read_into_a_reused_buffer() {
        let tmp = TempDir::new("op-read");
        let path = tmp.path("f");
        std::fs::File::create(&path).unwrap().write_all(b"0123456789").unwrap();
        let file = std::fs::File::open(&path).unwrap();
        let fd = file.as_raw_fd();
        // (offset, what comes back) for a 4-byte buffer that still holds "xxxx".
        for (offset, want) in [(Some(0), &b"0123"[..]), (Some(8), b"89"), (Some(10), b""), (None, b"0123")] {
            let got = run(Op::Read { fd, offset, buf: b"xxxx".to_vec() });
            match got {
                Ok(Value::Bytes(bytes)) => assert_eq!(bytes, want, "read at {offset:?}"),
                other => panic!("read at {offset:?}: {other:?}"),
            }
        }
    }

    #[test]
    #[cfg(not(eio_linux))]
    fn run_now_reads_only_on_linux() {
        let file = std::fs::File::open(std::env::current_exe().unwrap()).unwrap();
        let op = Op::Read { fd: file.as_raw_fd(), offset: Some(0), buf: vec![0; 4] };
        assert!(op.run_now(Some(&mut [0; 4])).is_none(), "elsewhere every read goes to the pool");
    }

    #[test]
    #[cfg(eio_linux)]
    fn run_now_reads_only_cached_positional_reads_that_need_no_second_look() {
        let tmp = TempDir::new("op-read-now");
        let path = tmp.path("f");
        std::fs::File::create(&path).unwrap().write_all(&[7u8; 100]).unwrap();
        let file = std::fs::File::open(&path).unwrap();
        let fd = file.as_raw_fd();
        let read = |offset, len| Op::Read { fd, offset, buf: vec![0; len] };
        // (the request, the destination's length, what run_now reads)
        let cases: [(Op, usize, Option<&[u8]>); 8] = [
            (read(Some(0), 10), 10, Some(&[7; 10])),
            (read(Some(100), 10), 10, Some(b"")), // at the end of the file
            (read(Some(1000), 10), 10, Some(b"")), // beyond it
            (read(Some(95), 10), 10, None),       // short: the end, or bytes not cached?
            (read(None, 10), 10, None),           // would move the file position
            (read(Some(0), 64 * 1024 + 1), 64 * 1024 + 1, None), // too long for the caller's thread
            (read(Some(0), 10), 9, None),         // a destination of another length
            (Op::Nop, 10, None),
        ];
        for (i, (op, len, want)) in cases.into_iter().enumerate() {
            let mut dest = vec![0xee; len];
            match (op.run_now(Some(&mut dest)), want) {
                (Some(Value::Int(n)), Some(want)) => assert_eq!(&dest[..n as usize], want, "case {i}"),
                (None, None) => {}
                (got, _) => panic!("case {i}: {got:?}"),
            }
        }
        // A failing attempt (here a bad fd) goes to the pool, which reports the error.
        assert!(Op::Read { fd: -1, offset: Some(0), buf: vec![0; 4] }.run_now(Some(&mut [0; 4])).is_none());
    }

    #[test]
    fn run_now_stats_only_cached_paths_and_never_reports_an_error() {
        let tmp = TempDir::new("op-stat-now");
        let path = tmp.path("f");
        std::fs::write(&path, b"abc").unwrap();
        let stat = |target, follow| Op::Stat { target, follow };
        let slow = crate::sys::stat::stat_at(&tmp.at("f"), false).unwrap();
        match stat(Target::Path(tmp.at("f")), false).run_now(None) {
            Some(Value::Stat(st)) => assert_eq!((st.ino, st.size), (slow.ino, 3)),
            // Not Linux, an old kernel, or a filesystem whose getattr may wait: the pool.
            None => assert!(matches!(cached::stat(&tmp.at("f"), false), Cached::WouldBlock)),
            other => panic!("{other:?}"),
        }
        // A missing path: the pool reports the error with its exact cause.
        assert!(stat(Target::Path(tmp.at("missing")), true).run_now(None).is_none());
        // An fd: the pool (no promise that its filesystem never waits).
        let file = std::fs::File::open(&path).unwrap();
        assert!(stat(Target::Fd(file.as_raw_fd()), true).run_now(None).is_none());
        assert!(Op::Nop.run_now(None).is_none());
    }
}
