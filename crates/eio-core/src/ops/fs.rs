//! Requests of Node's `fs` that IO::AIO has no request for, or defines differently, each
//! one pool request: a whole file read or written (`readFile`, `writeFile`: open, read or
//! write to the end, close, where Node makes a round trip through its pool per step),
//! `copyFile` (contents and mode, never truncating or removing what it must not), `access`, `statfs`, `lchown`, `mkdtemp`, and a directory listing in Node's order
//! (sorted by name) with every entry's type known.

mod copy_file;
mod mkdtemp;
mod read_file;
mod readdir;
mod write_file;

use std::fmt;

use crate::req::ReqCtx;
use crate::sys::cvt::Errno;
use crate::sys::meta;
use crate::sys::path::At;
use crate::value::{Outcome, ReqError, StatFs, Value};

pub use read_file::{Source, READ_FILE_MAX};
pub use write_file::Dest;

/// The requests of this family; see [`crate::Op`].
pub enum FsOp {
    /// The contents of a file: from a path opened with `flags`, or from an fd's file
    /// position; a regular file up to its size at the start, anything else to its end.
    /// More than [`READ_FILE_MAX`] bytes fail with `EFBIG`.
    ReadFile { src: Source },
    /// Writes all of `data` (at an fd's file position, or to a path opened with `flags`
    /// and `mode`), then with `flush` fsyncs it, then closes what it opened.
    WriteFile { dst: Dest, data: Vec<u8>, flush: bool },
    /// `access(2)` with `mode` (`F_OK`, or a combination of `R_OK`, `W_OK`, `X_OK`).
    Access { at: At, mode: i32 },
    /// `statfs(2)`: the fields Node's `StatFs` reports.
    Statfs { at: At },
    /// Node's `copyFile`: contents and permission bits of `src` into `dst`; `flags` takes
    /// `COPYFILE_EXCL`, `COPYFILE_FICLONE`, `COPYFILE_FICLONE_FORCE` (see [`copy_file`]).
    CopyFile { src: At, dst: At, flags: u32 },
    /// `lchown(2)`: the owner of a symlink itself; `u32::MAX` (-1) leaves an id as it is.
    Lchown { at: At, uid: u32, gid: u32 },
    /// Creates the directory `prefix` + six random characters, mode 0700; the value is
    /// the six characters.
    Mkdtemp { prefix: At },
    /// A directory's names sorted bytewise (Node's order); with `types`, as `readdirx`
    /// with `READDIR_DENTS` gives them, `DT_UNKNOWN` resolved with an `lstat` relative to
    /// the directory.
    Readdir { at: At, types: bool },
}

impl fmt::Debug for FsOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FsOp::ReadFile { src } => write!(f, "ReadFile({src:?})"),
            FsOp::WriteFile { dst, data, flush } => {
                write!(f, "WriteFile({dst:?}, {} bytes, flush={flush})", data.len())
            }
            FsOp::Access { at, mode } => write!(f, "Access({at:?}, {mode:#o})"),
            FsOp::Statfs { at } => write!(f, "Statfs({at:?})"),
            FsOp::CopyFile { src, dst, flags } => write!(f, "CopyFile({src:?}, {dst:?}, {flags})"),
            FsOp::Lchown { at, uid, gid } => write!(f, "Lchown({at:?}, {uid}, {gid})"),
            FsOp::Mkdtemp { prefix } => write!(f, "Mkdtemp({prefix:?})"),
            FsOp::Readdir { at, types } => write!(f, "Readdir({at:?}, types={types})"),
        }
    }
}

impl FsOp {
    pub fn execute(self, ctx: &ReqCtx<'_>) -> Outcome {
        let value = match self {
            FsOp::ReadFile { src } => Value::Bytes(read_file::read_file(&src, ctx)?),
            FsOp::WriteFile { dst, data, flush } => {
                write_file::write_file(&dst, &data, flush, ctx)?;
                Value::Unit
            }
            FsOp::Access { at, mode } => meta::access(&at, mode).map(|_| Value::Unit)?,
            FsOp::Statfs { at } => Value::StatFs(Box::new(statfs_value(&meta::statfs_at(&at)?))),
            FsOp::CopyFile { src, dst, flags } => {
                copy_file::copy_file(&src, &dst, flags, ctx)?;
                Value::Unit
            }
            FsOp::Lchown { at, uid, gid } => meta::lchown(&at, uid, gid).map(|_| Value::Unit)?,
            FsOp::Mkdtemp { prefix } => Value::Name(mkdtemp::mkdtemp(&prefix)?),
            FsOp::Readdir { at, types } => readdir::readdir_sorted(&at, types, ctx)?,
        };
        Ok(value)
    }
}

/// The fields of `struct statfs` that Node reports.
// The field types differ between platforms (u32 on darwin, i64/u64 on Linux); the
// values are never negative.
#[allow(clippy::unnecessary_cast)]
fn statfs_value(st: &meta::StatFs) -> StatFs {
    StatFs {
        fs_type: st.f_type as u64,
        bsize: st.f_bsize as u64,
        blocks: st.f_blocks as u64,
        bfree: st.f_bfree as u64,
        bavail: st.f_bavail as u64,
        files: st.f_files as u64,
        ffree: st.f_ffree as u64,
    }
}

/// The error of a step that failed: `errno`, attributed to `syscall`.
fn step(syscall: &'static str) -> impl Fn(Errno) -> ReqError {
    move |e| ReqError::os(e).with_syscall(syscall)
}

/// `ECANCELED` once the request was aborted; checked between the chunks of long requests.
/// The completion is discarded anyway: the error only makes the request stop early.
fn stop_if_aborted(ctx: &ReqCtx<'_>) -> Result<(), ReqError> {
    if ctx.aborted() {
        Err(ReqError::os(Errno(libc::ECANCELED)))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::fs;
    use std::os::unix::fs::MetadataExt;

    use super::testutil::{errno_of, with_ctx, TempDir};
    use super::*;

    fn run(op: FsOp) -> Outcome {
        with_ctx(false, |ctx| op.execute(ctx))
    }

    #[test]
    fn access_checks_the_mode() {
        let t = TempDir::new("access");
        fs::write(t.path("f"), b"").unwrap();
        // (path, mode, expected errno or 0)
        let rows = [
            ("f", libc::F_OK, 0),
            ("f", libc::R_OK | libc::W_OK, 0),
            ("f", libc::X_OK, libc::EACCES), // 0644 is not executable, even for root
            ("missing", libc::F_OK, libc::ENOENT),
        ];
        for (name, mode, want) in rows {
            let got = run(FsOp::Access { at: t.at(name), mode });
            assert_eq!(got.map(drop).map_err(|e| errno_of(&e)).err().unwrap_or(0), want, "{name} {mode}");
        }
    }

    #[test]
    fn statfs_reports_the_filesystem_type() {
        let Ok(Value::StatFs(st)) = run(FsOp::Statfs { at: At::cwd(c"/proc".into()) }) else {
            panic!("statfs of /proc failed")
        };
        if cfg!(target_os = "linux") {
            assert_eq!(st.fs_type, 0x9fa0, "PROC_SUPER_MAGIC");
        }
        assert!(st.bsize > 0);
        let missing = run(FsOp::Statfs { at: At::cwd(c"/no/such/path".into()) }).unwrap_err();
        assert_eq!(errno_of(&missing), libc::ENOENT);
    }

    #[test]
    fn lchown_changes_the_link_not_its_target() {
        let t = TempDir::new("lchown");
        fs::write(t.path("target"), b"").unwrap();
        std::os::unix::fs::symlink("target", t.path("link")).unwrap();
        let before = fs::metadata(t.path("target")).unwrap();
        // -1/-1 changes nothing and works for anyone.
        run(FsOp::Lchown { at: t.at("link"), uid: u32::MAX, gid: u32::MAX }).unwrap();
        // SAFETY: geteuid has no preconditions.
        if unsafe { libc::geteuid() } == 0 {
            run(FsOp::Lchown { at: t.at("link"), uid: 65534, gid: 65534 }).unwrap();
            let link = fs::symlink_metadata(t.path("link")).unwrap();
            assert_eq!((link.uid(), link.gid()), (65534, 65534));
            let after = fs::metadata(t.path("target")).unwrap();
            assert_eq!((after.uid(), after.gid()), (before.uid(), before.gid()), "the target is untouched");
        }
        let missing = run(FsOp::Lchown { at: t.at("missing"), uid: 0, gid: 0 }).unwrap_err();
        assert_eq!(errno_of(&missing), libc::ENOENT);
    }
}

/// What the tests of this family share.
#[cfg(test)]
mod testutil {
    pub use crate::testutil::{with_ctx, TempDir};
    use crate::value::ReqError;

    /// The errno of a failed request (panics on a panic).
    pub fn errno_of(e: &ReqError) -> i32 {
        e.errno().expect("an OS error").raw()
    }
}
