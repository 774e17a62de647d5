//! `aio_copy` and `aio_move`.
//!
//! Unlike IO::AIO's `aio_copy`, which opens the destination with `O_TRUNC`, the destination
//! is truncated only after checking that it is not the source under another name (the
//! same path, a hardlink or a symlink: nodejs/node#34624, libuv/libuv#2947), and only a
//! destination this copy created is removed on failure (oven-sh/bun#43325). Contents are
//! copied until the end of the file, not `st_size` bytes, so procfs files copy whole.

use std::os::fd::{AsRawFd, IntoRawFd, OwnedFd, RawFd};

use super::{check_abort, step};
use crate::req::ReqCtx;
use crate::sys::copy as sys;
use crate::sys::cvt::Errno;
use crate::sys::meta;
use crate::sys::path::At;
use crate::sys::path::Target;
use crate::sys::stat::{self, mode};
use crate::sys::{file, name};
use crate::value::{FileStat, ReqError};

/// Bytes asked of the kernel per copy call: an abort is noticed after at most this much.
const CHUNK: usize = 16 << 20;
/// The buffer of the read/write fallback.
const RW_BUF: usize = 1 << 20;

/// Copies `src` to `dst`; see the module documentation.
pub fn copy(src: &At, dst: &At, ctx: &ReqCtx<'_>) -> Result<(), ReqError> {
    let src_fd = file::open(src, libc::O_RDONLY | libc::O_NOCTTY, 0).map_err(step("open"))?;
    let src_st = fstat(&src_fd)?;
    if is_dir(&src_st) {
        return Err(ReqError::os(Errno(libc::EISDIR)).with_syscall("open"));
    }
    let (dst_fd, created) = open_dst(dst)?;
    let result = fill(&src_fd, &src_st, &dst_fd, created, ctx);
    // close(2) reports write-back errors on some filesystems (NFS): part of the result.
    let closed = file::close(dst_fd.into_raw_fd()).map_err(step("close"));
    match result.and(closed) {
        Ok(()) => Ok(()),
        Err(e) => {
            if let Some(ours) = created {
                remove_created(dst, &ours);
            }
            Err(e)
        }
    }
}

/// Moves `src` to `dst`: a rename, or across filesystems (`EXDEV`) a copy of a regular
/// file followed by unlinking `src` once the copy succeeded. Anything else across
/// filesystems (a directory, a symlink, a device) fails with `EXDEV` and changes nothing.
pub fn move_(src: &At, dst: &At, ctx: &ReqCtx<'_>) -> Result<(), ReqError> {
    match name::rename(src, dst, 0) {
        Err(Errno(libc::EXDEV)) => {}
        other => return other.map_err(step("rename")),
    }
    let st = stat::stat_at(src, false).map_err(step("lstat"))?;
    if st.mode & mode::S_IFMT != mode::S_IFREG {
        return Err(ReqError::os(Errno(libc::EXDEV)).with_syscall("rename"));
    }
    copy(src, dst, ctx)?;
    name::unlink(src, 0).map_err(step("unlink"))
}

fn fstat(fd: &OwnedFd) -> Result<FileStat, ReqError> {
    stat::fstat(fd.as_raw_fd()).map_err(step("fstat"))
}

fn is_dir(st: &FileStat) -> bool {
    st.mode & mode::S_IFMT == mode::S_IFDIR
}

/// Identity of a file this copy created: what [`remove_created`] checks before unlinking.
type Created = (u64, u64);

/// Opens the destination for writing, without truncating it. Creates it with mode 0200
/// (IO::AIO; the final mode comes last) when it does not exist; `Some((dev, ino))` then.
fn open_dst(dst: &At) -> Result<(OwnedFd, Option<Created>), ReqError> {
    // Bounded: each round means another process created or removed `dst` in between, or
    // `dst` is a dangling symlink (created exclusively it exists, opened it does not).
    let mut last = Errno(libc::EEXIST);
    for _ in 0..8 {
        let flags = libc::O_WRONLY | libc::O_CREAT | libc::O_EXCL | libc::O_NOCTTY;
        match file::open(dst, flags, 0o200) {
            Ok(fd) => {
                let st = fstat(&fd)?;
                return Ok((fd, Some((st.dev, st.ino))));
            }
            Err(Errno(libc::EEXIST)) => {}
            Err(e) => return Err(step("open")(e)),
        }
        match file::open(dst, libc::O_WRONLY | libc::O_NOCTTY, 0) {
            Ok(fd) => return Ok((fd, None)),
            Err(e @ Errno(libc::ENOENT)) => last = e,
            Err(e) => return Err(step("open")(e)),
        }
    }
    Err(step("open")(last))
}

/// Unlinks `dst` if it is still the file this copy created (not something another process
/// put there meanwhile). Best effort: the copy's own error is what gets reported.
fn remove_created(dst: &At, ours: &Created) {
    let now = stat::stat_at(dst, false);
    if matches!(now, Ok(st) if (st.dev, st.ino) == *ours) {
        let _ = name::unlink(dst, 0);
    }
}

/// Everything after opening: the self-copy check, contents, then metadata.
fn fill(
    src: &OwnedFd,
    src_st: &FileStat,
    dst: &OwnedFd,
    created: Option<Created>,
    ctx: &ReqCtx<'_>,
) -> Result<(), ReqError> {
    let (s, d) = (src.as_raw_fd(), dst.as_raw_fd());
    if created.is_none() {
        let dst_st = fstat(dst)?;
        if (dst_st.dev, dst_st.ino) == (src_st.dev, src_st.ino) {
            // The same file under another name: truncating it would destroy the source.
            return Err(ReqError::os(Errno(libc::EINVAL)));
        }
        meta::ftruncate(d, 0).map_err(step("ftruncate"))?;
    }
    let mut copier = Copier::new(s, d);
    // Only a file with fewer blocks than its size can have holes worth looking for.
    let maybe_sparse = src_st.blocks.saturating_mul(512) < src_st.size;
    if maybe_sparse {
        copier.sparse(ctx)?;
    } else {
        copier.copy_to_end(0, ctx)?;
    }
    restore_metadata(d, src_st);
    Ok(())
}

/// Times, then owner, then mode, as IO::AIO does, ignoring failures as it does: the
/// contents are what the copy promises. If the owner cannot be kept, the setuid and setgid
/// bits are dropped rather than granted to the copier's own ids (uutils/coreutils#9750).
fn restore_metadata(fd: RawFd, st: &FileStat) {
    let _ = meta::utimens(&Target::Fd(fd), Some([st.atime, st.mtime]));
    let mut perms = st.mode & 0o7777;
    if meta::chown(&Target::Fd(fd), st.uid, st.gid).is_err() {
        perms &= !(mode::S_ISUID | mode::S_ISGID);
    }
    let _ = meta::chmod(&Target::Fd(fd), perms);
}

/// How contents move: the fastest call that works for this pair of files.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Method {
    CopyFileRange,
    Sendfile,
    ReadWrite,
}

impl Method {
    fn fallback(self) -> Method {
        match self {
            Method::CopyFileRange => Method::Sendfile,
            _ => Method::ReadWrite,
        }
    }
}

/// The errors after which a slower method may still work (rust-lang/rust kernel_copy.rs,
/// libuv/libuv#3069): the call is missing or filtered, or this pair of files (filesystems,
/// file types) does not support it.
fn can_fall_back(e: Errno) -> bool {
    matches!(
        e.0,
        libc::ENOSYS | libc::EXDEV | libc::EINVAL | libc::EPERM | libc::EOPNOTSUPP | libc::EOVERFLOW
    )
}

/// Copies byte ranges from `src` to the same offsets of `dst`.
struct Copier {
    src: RawFd,
    dst: RawFd,
    method: Method,
    /// Whether any call has copied bytes yet: a first call returning 0 may mean "not
    /// supported here" (procfs, sysfs, overlayfs: systemd/systemd#18810), later ones EOF.
    copied_any: bool,
    /// Where `dst`'s file position is, for sendfile, which writes there.
    dst_pos: Option<i64>,
    buf: Vec<u8>,
}

impl Copier {
    fn new(src: RawFd, dst: RawFd) -> Copier {
        Copier {
            src,
            dst,
            method: Method::CopyFileRange,
            copied_any: false,
            dst_pos: Some(0),
            buf: Vec::new(),
        }
    }

    /// Copies the data regions only, so that holes stay holes, then sets the size, which
    /// keeps a trailing hole. Where the filesystem cannot report holes, copies everything.
    fn sparse(&mut self, ctx: &ReqCtx<'_>) -> Result<(), ReqError> {
        let mut off = 0;
        loop {
            check_abort(ctx)?;
            let data = match sys::seek_data(self.src, off) {
                Ok(Some(data)) => data,
                Ok(None) => break,
                Err(Errno(libc::EINVAL | libc::EOPNOTSUPP)) if off == 0 => {
                    return self.copy_to_end(0, ctx).map(drop)
                }
                Err(e) => return Err(step("lseek")(e)),
            };
            let hole = sys::seek_hole(self.src, data).map_err(step("lseek"))?;
            let mut at = data;
            while at < hole {
                check_abort(ctx)?;
                let n = self.chunk(at, (hole - at).min(CHUNK as i64) as usize)?;
                if n == 0 {
                    break; // the file shrank meanwhile
                }
                at += n as i64;
            }
            off = hole;
        }
        let end = file::seek(self.src, 0, libc::SEEK_END).map_err(step("lseek"))?;
        meta::ftruncate(self.dst, end).map_err(step("ftruncate"))
    }

    /// Copies from `off` until a call reports the end of `src`; returns where that was.
    fn copy_to_end(&mut self, mut off: i64, ctx: &ReqCtx<'_>) -> Result<i64, ReqError> {
        loop {
            check_abort(ctx)?;
            let n = self.chunk(off, CHUNK)?;
            if n == 0 {
                return Ok(off);
            }
            off += n as i64;
        }
    }

    /// Copies up to `len` bytes at `off`, falling back to slower methods as needed; 0 at
    /// the end of `src`.
    fn chunk(&mut self, off: i64, len: usize) -> Result<usize, ReqError> {
        loop {
            let result = match self.method {
                Method::CopyFileRange => {
                    let (mut i, mut o) = (off, off);
                    sys::copy_file_range(self.src, &mut i, self.dst, &mut o, len)
                        .map_err(|e| (e, "copy_file_range"))
                }
                Method::Sendfile => self.sendfile(off, len),
                Method::ReadWrite => return self.read_write(off, len),
            };
            match result {
                Ok(0) if !self.copied_any => self.method = self.method.fallback(),
                Ok(n) => {
                    self.copied_any = true;
                    return Ok(n);
                }
                Err((e, _)) if !self.copied_any && can_fall_back(e) => self.method = self.method.fallback(),
                Err((e, syscall)) => return Err(step(syscall)(e)),
            }
        }
    }

    fn sendfile(&mut self, off: i64, len: usize) -> Result<usize, (Errno, &'static str)> {
        if self.dst_pos != Some(off) {
            file::seek(self.dst, off, libc::SEEK_SET).map_err(|e| (e, "lseek"))?;
        }
        let mut i = off;
        let n = meta::sendfile(self.dst, self.src, &mut i, len);
        self.dst_pos = n.as_ref().ok().map(|n| off + *n as i64);
        n.map_err(|e| (e, "sendfile"))
    }

    fn read_write(&mut self, off: i64, len: usize) -> Result<usize, ReqError> {
        if self.buf.is_empty() {
            self.buf = vec![0; RW_BUF];
        }
        let len = len.min(self.buf.len());
        let n = file::read(self.src, &mut self.buf[..len], Some(off)).map_err(step("read"))?;
        let mut done = 0;
        while done < n {
            let at = off + done as i64;
            let w = file::write(self.dst, &self.buf[done..n], Some(at)).map_err(step("write"))?;
            if w == 0 {
                return Err(ReqError::os(Errno(libc::EIO)).with_syscall("write"));
            }
            done += w;
        }
        self.copied_any |= n > 0;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use std::fs;
    use std::io::{Seek, SeekFrom, Write};
    use std::os::unix::fs::MetadataExt;

    use super::*;
    use crate::testutil::{with_ctx, TempDir};

    fn errno(r: Result<(), ReqError>) -> Option<i32> {
        r.err().and_then(|e| e.errno()).map(|e| e.raw())
    }

    #[test]
    fn fallback_errors() {
        // (errno, whether a slower method is tried)
        let rows = [
            (libc::ENOSYS, true),     // no such call (old kernel, seccomp)
            (libc::EXDEV, true),      // across filesystems before Linux 5.3 and since 5.18
            (libc::EINVAL, true),     // file types the call does not handle
            (libc::EPERM, true),      // seccomp filters
            (libc::EOPNOTSUPP, true), // the filesystem does not support it
            (libc::EOVERFLOW, true),  // ranges beyond what the call takes
            (libc::EIO, false),       // a real error: reported
            (libc::ENOSPC, false),    // a real error: reported
        ];
        for (e, want) in rows {
            assert_eq!(can_fall_back(Errno(e)), want, "errno {e}");
        }
    }

    #[test]
    fn copies_and_never_truncates_the_source() {
        let t = TempDir::new("copy");
        fs::write(t.path("src"), b"precious").unwrap();
        fs::hard_link(t.path("src"), t.path("hard")).unwrap();
        std::os::unix::fs::symlink(t.path("src"), t.path("sym")).unwrap();
        with_ctx(false, |ctx| {
            copy(&t.at("src"), &t.at("dst"), ctx).unwrap();
            // (destination, expected errno): the source under another name is refused.
            for (dst, want) in [("src", libc::EINVAL), ("hard", libc::EINVAL), ("sym", libc::EINVAL)] {
                assert_eq!(errno(copy(&t.at("src"), &t.at(dst), ctx)), Some(want), "{dst}");
                assert_eq!(fs::read(t.path("src")).unwrap(), b"precious", "{dst}");
            }
        });
        assert_eq!(fs::read(t.path("dst")).unwrap(), b"precious");
    }

    #[test]
    fn keeps_holes_and_size() {
        let t = TempDir::new("sparse");
        let mut f = fs::File::create(t.path("src")).unwrap();
        f.write_all(&[1; 4096]).unwrap();
        f.seek(SeekFrom::Start(64 << 20)).unwrap();
        f.write_all(&[2; 4096]).unwrap();
        f.set_len(128 << 20).unwrap(); // a trailing hole
        drop(f);
        with_ctx(false, |ctx| copy(&t.at("src"), &t.at("dst"), ctx)).unwrap();
        let (src, dst) = (fs::read(t.path("src")).unwrap(), fs::read(t.path("dst")).unwrap());
        assert!(src == dst, "contents differ");
        let meta = fs::metadata(t.path("dst")).unwrap();
        assert_eq!(meta.len(), 128 << 20);
        assert!(meta.blocks() * 512 < 8 << 20, "holes filled: {} blocks", meta.blocks());
    }

    #[test]
    fn abort_removes_only_what_it_created() {
        let t = TempDir::new("abort");
        fs::write(t.path("src"), b"data").unwrap();
        fs::write(t.path("old"), b"old").unwrap();
        with_ctx(true, |ctx| {
            assert_eq!(errno(copy(&t.at("src"), &t.at("new"), ctx)), Some(libc::ECANCELED));
            assert_eq!(errno(copy(&t.at("src"), &t.at("old"), ctx)), Some(libc::ECANCELED));
        });
        assert!(!t.path("new").exists(), "a destination it created stays");
        assert!(t.path("old").exists(), "an existing destination was removed");
        assert_eq!(fs::read(t.path("src")).unwrap(), b"data");
    }
}
