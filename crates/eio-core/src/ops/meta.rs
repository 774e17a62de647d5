//! File and descriptor requests beyond the core: sendfile, readahead, statvfs, utime, chown, chmod, truncate, allocate, the sync family, pathsync, fiemap.

use std::os::fd::{AsRawFd, RawFd};

use crate::req::ReqCtx;
use crate::sys::cvt::{Errno, SysResult};
use crate::sys::file;
use crate::sys::meta::{self as sys, FiemapExtent, TimeSpec};
use crate::sys::path::{At, Base, Target};
use crate::value::{Extent, Outcome, ReqError, StatVfs, Value};

/// The most bytes Linux moves in one `read`, `write` or `sendfile` call.
const MAX_RW: u64 = 0x7fff_f000;
/// Chunk size of the `pread`/`write` copies that stand in for missing syscalls.
const EMULATION_CHUNK: usize = 128 * 1024;
/// `FIEMAP_EXTENT_LAST`: the file's last extent.
const FIEMAP_EXTENT_LAST: u32 = 0x1;
/// Extents asked for by the first and by each later FIEMAP call when fetching them all
/// (IO::AIO's numbers: a small first call, as most files have few extents).
const FIEMAP_FIRST_BATCH: u32 = 8;
const FIEMAP_NEXT_BATCH: u32 = 54;
/// The most extents one FIEMAP call asks for (56 bytes of buffer each); the JS layer
/// rejects larger counts, this bounds the allocation for other callers.
const FIEMAP_MAX_COUNT: u32 = 1 << 20;

/// The requests of this family; see [`crate::Op`].
#[derive(Debug)]
pub enum MetaOp {
    /// Copies up to `len` bytes of `in_fd` from `offset` (leaving its file position alone)
    /// to `out_fd` at its file position; the value is the number of bytes written.
    Sendfile {
        out_fd: RawFd,
        in_fd: RawFd,
        offset: i64,
        len: u64,
    },
    Readahead {
        fd: RawFd,
        offset: i64,
        len: u64,
    },
    /// The value is an object of the eleven `struct statvfs` fields.
    Statvfs {
        target: Target,
    },
    /// `times: None` sets both to now. `follow: false` sets a symlink's own times
    /// (Node's `lutimes`; IO::AIO has none), for a path.
    Utime {
        target: Target,
        times: Option<[TimeSpec; 2]>,
        follow: bool,
    },
    /// `u32::MAX` (-1) leaves the id as it is.
    Chown {
        target: Target,
        uid: u32,
        gid: u32,
    },
    Chmod {
        target: Target,
        mode: u32,
    },
    Truncate {
        target: Target,
        length: i64,
    },
    Allocate {
        fd: RawFd,
        mode: i32,
        offset: i64,
        len: i64,
    },
    Fsync {
        fd: RawFd,
    },
    Fdatasync {
        fd: RawFd,
    },
    Syncfs {
        fd: RawFd,
    },
    Sync,
    SyncFileRange {
        fd: RawFd,
        offset: i64,
        nbytes: i64,
        flags: u32,
    },
    /// Opens the path read-only, fsyncs and closes it.
    Pathsync {
        at: At,
    },
    /// `length: None` maps to the end of the file; `count: None` fetches every extent,
    /// `Some(0)` only counts them (the value is then the count), `Some(n)` makes one call.
    Fiemap {
        fd: RawFd,
        start: u64,
        length: Option<u64>,
        flags: u32,
        count: Option<u32>,
    },
}

impl MetaOp {
    pub fn execute(self, ctx: &ReqCtx<'_>) -> Outcome {
        let aborted = || ctx.aborted();
        let value = match self {
            MetaOp::Sendfile { out_fd, in_fd, offset, len } => {
                Value::Int(sendfile(out_fd, in_fd, offset, len, &aborted)? as i64)
            }
            MetaOp::Readahead { fd, offset, len } => {
                match sys::readahead(fd, offset, len.min(usize::MAX as u64) as usize) {
                    Err(Errno(libc::ENOSYS)) => read_discard(fd, offset, len, &aborted)?,
                    other => other?,
                }
                Value::Unit
            }
            MetaOp::Statvfs { target } => {
                let st = match target {
                    Target::Fd(fd) => sys::fstatvfs(fd)?,
                    Target::Path(at) => sys::statvfs_at(&at)?,
                };
                Value::StatVfs(Box::new(statvfs_value(&st)))
            }
            MetaOp::Utime { target: Target::Path(at), times, follow: false } => {
                sys::lutimens(&at, times)?;
                Value::Unit
            }
            MetaOp::Utime { target, times, follow: _ } => {
                sys::utimens(&target, times)?;
                Value::Unit
            }
            MetaOp::Chown { target, uid, gid } => {
                sys::chown(&target, uid, gid)?;
                Value::Unit
            }
            MetaOp::Chmod { target, mode } => {
                sys::chmod(&target, mode)?;
                Value::Unit
            }
            MetaOp::Truncate { target, length } => {
                match target {
                    Target::Fd(fd) => sys::ftruncate(fd, length)?,
                    Target::Path(at) => match at.base {
                        Base::Cwd => sys::truncate(at.c_path(), length)?,
                        Base::Dir(_) => sys::truncate_at(&at, length)?,
                    },
                }
                Value::Unit
            }
            MetaOp::Allocate { fd, mode, offset, len } => {
                sys::fallocate(fd, mode, offset, len)?;
                Value::Unit
            }
            MetaOp::Fsync { fd } => {
                sys::fsync(fd)?;
                Value::Unit
            }
            MetaOp::Fdatasync { fd } => {
                fdatasync(fd)?;
                Value::Unit
            }
            MetaOp::Syncfs { fd } => {
                // IO::AIO: where syncfs is missing, sync everything, yet still say ENOSYS.
                if let Err(e) = sys::syncfs(fd) {
                    if e.0 == libc::ENOSYS {
                        sys::sync();
                    }
                    return Err(e.into());
                }
                Value::Unit
            }
            MetaOp::Sync => {
                sys::sync();
                Value::Unit
            }
            MetaOp::SyncFileRange { fd, offset, nbytes, flags } => {
                // IO::AIO: where the kernel lacks sync_file_range, fdatasync (or fsync)
                // stands in.
                match sys::sync_file_range(fd, offset, nbytes, flags) {
                    Err(Errno(libc::ENOSYS)) => fdatasync(fd)?,
                    other => other?,
                }
                Value::Unit
            }
            MetaOp::Pathsync { at } => {
                let fd =
                    file::open(&at, libc::O_RDONLY, 0).map_err(|e| ReqError::os(e).with_syscall("open"))?;
                sys::fsync(fd.as_raw_fd())?;
                Value::Unit
            }
            MetaOp::Fiemap { fd, start, length, flags, count } => {
                let length = length.unwrap_or(u64::MAX);
                match count {
                    Some(0) => {
                        Value::Int(sys::fiemap(fd, start, length, flags, 0)?.0.fm_mapped_extents as i64)
                    }
                    Some(n) => {
                        let n = n.min(FIEMAP_MAX_COUNT);
                        Value::Extents(extents(&sys::fiemap(fd, start, length, flags, n)?.1))
                    }
                    None => Value::Extents(extents(&fiemap_all(fd, start, length, flags, &aborted)?)),
                }
            }
        };
        Ok(value)
    }
}

/// IO::AIO's `aio_fdatasync`: fsync stands in where fdatasync is missing (darwin).
fn fdatasync(fd: RawFd) -> SysResult<()> {
    match sys::fdatasync(fd) {
        Err(Errno(libc::ENOSYS)) => sys::fsync(fd),
        other => other,
    }
}

/// `aio_sendfile`: native `sendfile(2)`, called again past its per-call cap; where the
/// kernel refuses the pair of descriptors, the `pread`/`write` emulation. An error after
/// some bytes moved (a non-blocking socket filling up) returns the count so far. Also
/// IO::AIO's blocking `sendfile` (eio-node's `sendfileSync`), with `aborted` always false.
pub fn sendfile(
    out_fd: RawFd,
    in_fd: RawFd,
    offset: i64,
    len: u64,
    aborted: &dyn Fn() -> bool,
) -> SysResult<u64> {
    let mut off = offset;
    let mut done = 0u64;
    while done < len {
        let chunk = (len - done).min(MAX_RW) as usize;
        match sys::sendfile(out_fd, in_fd, &mut off, chunk) {
            Ok(0) => break,
            Ok(n) => done += n as u64,
            Err(e) if done == 0 && sys::sendfile_unsupported(e) => {
                return copy_emulated(out_fd, in_fd, offset, len, aborted);
            }
            Err(_) if done > 0 => break,
            Err(e) => return Err(e),
        }
        if aborted() {
            break;
        }
    }
    Ok(done)
}

/// `sendfile` by hand: `pread` from `in_fd` at `offset`, `write` to `out_fd` at its
/// position, until `len` bytes, end of file or an error (returned only if nothing moved).
fn copy_emulated(
    out_fd: RawFd,
    in_fd: RawFd,
    offset: i64,
    len: u64,
    aborted: &dyn Fn() -> bool,
) -> SysResult<u64> {
    let mut buf = vec![0u8; (len as usize).clamp(1, EMULATION_CHUNK)];
    let mut done = 0u64;
    while done < len && !aborted() {
        let want = (len - done).min(buf.len() as u64) as usize;
        let step =
            file::read(in_fd, &mut buf[..want], Some(offset.saturating_add(done as i64))).and_then(|n| {
                if n == 0 {
                    Ok(0)
                } else {
                    file::write(out_fd, &buf[..n], None)
                }
            });
        match step {
            Ok(0) => break,
            // A short write: the rest is read again on the next round.
            Ok(n) => done += n as u64,
            Err(_) if done > 0 => break,
            Err(e) => return Err(e),
        }
    }
    Ok(done)
}

/// `readahead` by hand, where the kernel lacks it: reads the range and drops the data,
/// which leaves it in the page cache all the same.
fn read_discard(fd: RawFd, offset: i64, len: u64, aborted: &dyn Fn() -> bool) -> SysResult<()> {
    let mut buf = vec![0u8; (len as usize).clamp(1, EMULATION_CHUNK)];
    let mut done = 0u64;
    while done < len && !aborted() {
        let want = (len - done).min(buf.len() as u64) as usize;
        match file::read(fd, &mut buf[..want], Some(offset.saturating_add(done as i64)))? {
            0 => break,
            n => done += n as u64,
        }
    }
    Ok(())
}

/// `aio_fiemap` with `count` undefined: every extent of `[start, start + length)`.
/// FIEMAP calls of a few extents each, every one resuming after the last extent seen,
/// until an extent is marked last, one starts at or past the end (the one crossing the
/// end is kept, as IO::AIO does since 4.73), or a call returns fewer than it could.
/// Guards against kernels that return an extent again or no progress at all.
fn fiemap_all(
    fd: RawFd,
    start: u64,
    length: u64,
    flags: u32,
    aborted: &dyn Fn() -> bool,
) -> SysResult<Vec<FiemapExtent>> {
    let end = start.saturating_add(length);
    let mut out: Vec<FiemapExtent> = Vec::new();
    let mut next = start;
    let mut count = FIEMAP_FIRST_BATCH;
    loop {
        let (_, batch) = sys::fiemap(fd, next, end - next, flags, count)?;
        let full = batch.len() == count as usize;
        for e in batch {
            if e.fe_logical >= end {
                return Ok(out);
            }
            // Already returned by the previous call (its range overlapped ours).
            if out.last().is_some_and(|p| e.fe_logical < p.fe_logical + p.fe_length) {
                continue;
            }
            let last = e.fe_flags & FIEMAP_EXTENT_LAST != 0;
            out.push(e);
            if last {
                return Ok(out);
            }
        }
        let resume = out.last().map_or(next, |e| e.fe_logical.saturating_add(e.fe_length));
        if !full || resume <= next || resume >= end || aborted() {
            return Ok(out);
        }
        next = resume;
        count = FIEMAP_NEXT_BATCH;
    }
}

fn extents(kernel: &[FiemapExtent]) -> Vec<Extent> {
    kernel
        .iter()
        .map(|e| Extent {
            logical: e.fe_logical,
            physical: e.fe_physical,
            length: e.fe_length,
            flags: e.fe_flags,
        })
        .collect()
}

// The block and file counts are 32-bit on darwin, 64-bit elsewhere.
#[allow(clippy::unnecessary_cast)]
fn statvfs_value(st: &sys::StatVfs) -> StatVfs {
    StatVfs {
        bsize: st.f_bsize as u64,
        frsize: st.f_frsize as u64,
        blocks: st.f_blocks as u64,
        bfree: st.f_bfree as u64,
        bavail: st.f_bavail as u64,
        files: st.f_files as u64,
        ffree: st.f_ffree as u64,
        favail: st.f_favail as u64,
        fsid: st.f_fsid as u64,
        flag: st.f_flag as u64,
        namemax: st.f_namemax as u64,
    }
}

#[cfg(test)]
mod tests {
    use std::fs::{File, OpenOptions};
    use std::io::{Read, Seek, SeekFrom};
    use std::os::fd::{FromRawFd, OwnedFd};
    use std::os::unix::fs::MetadataExt;
    use std::sync::Arc;

    use super::*;
    use crate::testutil::{at, TempDir};

    fn run(op: MetaOp) -> Outcome {
        crate::testutil::with_ctx(false, |ctx| op.execute(ctx))
    }

    fn never() -> bool {
        false
    }

    #[test]
    fn sendfile_native_and_emulated_copy_the_same_bytes() {
        let tmp = TempDir::new("sendfile");
        let dir = tmp.0.clone();
        let data: Vec<u8> = (0..300_000u32).map(|i| (i * 7) as u8).collect();
        std::fs::write(dir.join("in"), &data).unwrap();
        let input = File::open(dir.join("in")).unwrap();
        // (output opened with O_APPEND — sendfile refuses it with EINVAL, so emulated —,
        //  offset, length, expected count)
        let cases = [
            (false, 0i64, 1000u64, 1000u64),
            (false, 10, 299_990, 299_990),
            (false, 299_000, 5000, 1000), // short at end of file
            (true, 0, 1000, 1000),
            (true, 123, 250_000, 250_000), // several emulation chunks
            (true, 300_000, 10, 0),
        ];
        for (append, offset, len, want) in cases {
            let out_path = dir.join("out");
            std::fs::write(&out_path, b"xy").unwrap();
            let mut out = OpenOptions::new().append(append).write(true).open(&out_path).unwrap();
            out.seek(SeekFrom::Start(2)).unwrap();
            let op = MetaOp::Sendfile { out_fd: out.as_raw_fd(), in_fd: input.as_raw_fd(), offset, len };
            let Ok(Value::Int(n)) = run(op) else { panic!("sendfile failed") };
            assert_eq!(n as u64, want, "count for {append} {offset} {len}");
            // The output position advanced; the input's did not move.
            assert_eq!(out.stream_position().unwrap(), 2 + want);
            assert_eq!(file::seek(input.as_raw_fd(), 0, libc::SEEK_CUR).unwrap(), 0);
            let got = std::fs::read(&out_path).unwrap();
            let start = offset as usize;
            assert_eq!(&got[2..], &data[start..start + want as usize]);
        }
    }

    #[test]
    fn sendfile_errors() {
        let tmp = TempDir::new("sendfile-err");
        let dir = tmp.0.clone();
        std::fs::write(dir.join("f"), b"abc").unwrap();
        let f = File::open(dir.join("f")).unwrap();
        let (r, w) = pipe();
        // (out, in, errno): a bad fd; a pipe as input falls back to pread, which says ESPIPE.
        for (out_fd, in_fd, errno) in [
            (f.as_raw_fd(), -1, libc::EBADF),
            (-1, f.as_raw_fd(), libc::EBADF),
            (f.as_raw_fd(), r.as_raw_fd(), libc::ESPIPE),
        ] {
            let op = MetaOp::Sendfile { out_fd, in_fd, offset: 0, len: 10 };
            let err = run(op).unwrap_err();
            assert_eq!(err.errno(), Some(Errno(errno)));
        }
        drop(w);
    }

    fn pipe() -> (OwnedFd, OwnedFd) {
        let mut fds = [0; 2];
        // SAFETY: `fds` has room for the two descriptors.
        assert_eq!(unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) }, 0);
        // SAFETY: pipe2 returned two new fds owned by nothing else.
        unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) }
    }

    #[test]
    fn readahead_and_its_emulation() {
        let tmp = TempDir::new("readahead");
        let dir = tmp.0.clone();
        std::fs::write(dir.join("f"), vec![1u8; 200_000]).unwrap();
        let f = File::open(dir.join("f")).unwrap();
        let fd = f.as_raw_fd();
        assert!(matches!(run(MetaOp::Readahead { fd, offset: 0, len: 1 << 20 }), Ok(Value::Unit)));
        // The emulation reads to the end (or `len`) and leaves the file position alone.
        read_discard(fd, 0, 1 << 20, &never).unwrap();
        read_discard(fd, 100, 10, &never).unwrap();
        assert_eq!(file::seek(fd, 0, libc::SEEK_CUR).unwrap(), 0);
        assert_eq!(read_discard(-1, 0, 10, &never), Err(Errno(libc::EBADF)));
        // A pipe cannot be read ahead natively (EINVAL) nor by `pread` (ESPIPE).
        let (r, _w) = pipe();
        let err = run(MetaOp::Readahead { fd: r.as_raw_fd(), offset: 0, len: 10 }).unwrap_err();
        let want = if cfg!(eio_linux) { libc::EINVAL } else { libc::ESPIPE };
        assert_eq!(err.errno(), Some(Errno(want)));
    }

    #[test]
    #[cfg(eio_linux)]
    fn fiemap_all_matches_one_large_call() {
        use std::os::unix::fs::FileExt;
        let tmp = TempDir::new("fiemap");
        let dir = tmp.0.clone();
        let f = File::create(dir.join("sparse")).unwrap();
        // 100 separate 4 KiB extents, 64 KiB apart: more than the first two batches hold.
        for i in 0..100u64 {
            f.write_all_at(&[0xa5; 4096], i * 65536).unwrap();
        }
        f.sync_all().unwrap();
        let fd = f.as_raw_fd();
        let (_, one) = match sys::fiemap(fd, 0, u64::MAX, 0, 1000) {
            Err(Errno(libc::EOPNOTSUPP)) => return eprintln!("fiemap unsupported here: skipped"),
            other => other.unwrap(),
        };
        assert_eq!(one.len(), 100);
        let all = fiemap_all(fd, 0, u64::MAX, 0, &never).unwrap();
        assert_eq!(all, one);
        // A range ending inside the 10th extent: 10 extents, the crossing one included.
        let part = fiemap_all(fd, 0, 9 * 65536 + 100, 0, &never).unwrap();
        assert_eq!(part.len(), 10);
        assert_eq!(part[9].fe_logical, 9 * 65536);
        // Starting mid-file.
        let tail = fiemap_all(fd, 95 * 65536, u64::MAX, 0, &never).unwrap();
        assert_eq!(
            tail.iter().map(|e| e.fe_logical).collect::<Vec<_>>(),
            (95..100).map(|i| i * 65536).collect::<Vec<_>>()
        );
        // count 0 counts; bad flags are EBADR.
        let Ok(Value::Int(n)) = run(MetaOp::Fiemap { fd, start: 0, length: None, flags: 0, count: Some(0) })
        else {
            panic!()
        };
        assert_eq!(n, 100);
        let err = run(MetaOp::Fiemap { fd, start: 0, length: None, flags: 0x100, count: None }).unwrap_err();
        assert_eq!(err.errno(), Some(Errno(libc::EBADR)));
    }

    /// Where a call is missing, the request substitutes what IO::AIO does, or says ENOSYS.
    #[test]
    fn requests_whose_call_may_be_missing() {
        let tmp = TempDir::new("missing");
        let dir = tmp.0.clone();
        let f = OpenOptions::new()
            .create(true)
            .truncate(true)
            .read(true)
            .write(true)
            .open(dir.join("f"))
            .unwrap();
        let fd = f.as_raw_fd();
        let native = cfg!(eio_linux);
        // (request, errno natively, errno with the portable code)
        let cases = [
            // fdatasync, or fsync in its place.
            (MetaOp::Fdatasync { fd }, None, None),
            // sync_file_range, or fdatasync (or fsync) in its place.
            (MetaOp::SyncFileRange { fd, offset: 0, nbytes: 0, flags: 0 }, None, None),
            // syncfs, or sync() yet ENOSYS.
            (MetaOp::Syncfs { fd }, None, Some(libc::ENOSYS)),
            // fallocate, or posix_fallocate for mode 0 only.
            (MetaOp::Allocate { fd, mode: 0, offset: 0, len: 8192 }, None, None),
            (MetaOp::Allocate { fd, mode: 1, offset: 0, len: 8192 }, None, Some(libc::ENOSYS)),
            (
                MetaOp::Fiemap { fd, start: 0, length: None, flags: 0, count: Some(0) },
                None,
                Some(libc::ENOSYS),
            ),
        ];
        for (op, errno_native, errno_portable) in cases {
            let label = format!("{op:?}");
            let want = if native { errno_native } else { errno_portable };
            let got = run(op).err().and_then(|e| e.errno()).map(|e| e.0);
            // FIEMAP natively depends on the filesystem (tmpfs has none).
            if native && label.starts_with("Fiemap") {
                continue;
            }
            assert_eq!(got, want, "{label}");
        }
        assert_eq!(f.metadata().unwrap().len(), 8192, "allocate(mode 0) extends the file");
    }

    #[test]
    fn statvfs_path_and_fd_agree() {
        let tmp = TempDir::new("statvfs");
        let dir = tmp.0.clone();
        let f = File::open(&dir).unwrap();
        let by_fd = run(MetaOp::Statvfs { target: Target::Fd(f.as_raw_fd()) }).unwrap();
        let by_path = run(MetaOp::Statvfs { target: Target::Path(at(&dir)) }).unwrap();
        let (Value::StatVfs(a), Value::StatVfs(b)) = (by_fd, by_path) else { panic!() };
        // The free counts may move between the two calls.
        let fixed = |s: &StatVfs| (s.bsize, s.frsize, s.blocks, s.files, s.fsid, s.flag, s.namemax);
        assert_eq!(fixed(&a), fixed(&b));
        assert!(a.bsize > 0 && a.namemax > 0);
        let err = run(MetaOp::Statvfs { target: Target::Path(at(&dir.join("nope"))) }).unwrap_err();
        assert_eq!(err.errno(), Some(Errno(libc::ENOENT)));
    }

    #[test]
    fn truncate_by_path_fd_and_dirfd() {
        let tmp = TempDir::new("truncate");
        let dir = tmp.0.clone();
        let p = dir.join("f");
        std::fs::write(&p, b"0123456789").unwrap();
        let d = Arc::new(File::open(&dir).unwrap().into());
        let rel = At::from_bytes(Base::Dir(d), b"f".to_vec()).unwrap();
        let f = OpenOptions::new().write(true).open(&p).unwrap();
        for (target, len) in
            [(Target::Path(at(&p)), 7), (Target::Path(rel), 3), (Target::Fd(f.as_raw_fd()), 12)]
        {
            run(MetaOp::Truncate { target, length: len }).unwrap();
            assert_eq!(std::fs::metadata(&p).unwrap().len(), len as u64);
        }
        let mut s = Vec::new();
        File::open(&p).unwrap().read_to_end(&mut s).unwrap();
        assert_eq!(s, b"012\0\0\0\0\0\0\0\0\0");
    }
    #[test]
    fn path_requests_resolve_against_a_directory_fd() {
        let tmp = TempDir::new("dirfd");
        let dir = tmp.0.clone();
        let p = dir.join("f");
        std::fs::write(&p, b"x").unwrap();
        let d = Arc::new(File::open(&dir).unwrap().into());
        let rel = || At::from_bytes(Base::Dir(Arc::clone(&d)), b"f".to_vec()).unwrap();
        let ops = [
            MetaOp::Chmod { target: Target::Path(rel()), mode: 0o604 },
            MetaOp::Utime {
                target: Target::Path(rel()),
                times: Some([(3, 5), (4, 999_999_999)]),
                follow: true,
            },
            MetaOp::Chown { target: Target::Path(rel()), uid: u32::MAX, gid: u32::MAX },
            MetaOp::Statvfs { target: Target::Path(rel()) },
        ];
        for op in ops {
            run(op).unwrap();
        }
        let m = std::fs::metadata(&p).unwrap();
        assert_eq!(m.mode() & 0o7777, 0o604);
        assert_eq!((m.atime(), m.atime_nsec(), m.mtime(), m.mtime_nsec()), (3, 5, 4, 999_999_999));
        let missing = At::from_bytes(Base::Dir(Arc::clone(&d)), b"nope".to_vec()).unwrap();
        let err =
            run(MetaOp::Utime { target: Target::Path(missing), times: None, follow: true }).unwrap_err();
        assert_eq!(err.errno(), Some(Errno(libc::ENOENT)));
    }

    #[test]
    fn utime_without_follow_sets_a_symlinks_own_times() {
        let tmp = TempDir::new("lutime");
        let dir = tmp.0.clone();
        std::fs::write(dir.join("target"), b"x").unwrap();
        std::os::unix::fs::symlink("target", dir.join("link")).unwrap();
        let d = Arc::new(File::open(&dir).unwrap().into());
        let link = || At::from_bytes(Base::Dir(Arc::clone(&d)), b"link".to_vec()).unwrap();
        let times = Some([(7, 11), (8, 13)]);
        run(MetaOp::Utime { target: Target::Path(link()), times, follow: false }).unwrap();
        let l = std::fs::symlink_metadata(dir.join("link")).unwrap();
        assert_eq!((l.atime(), l.atime_nsec(), l.mtime(), l.mtime_nsec()), (7, 11, 8, 13));
        assert_ne!(std::fs::metadata(dir.join("target")).unwrap().mtime(), 8, "the target is untouched");
        run(MetaOp::Utime { target: Target::Path(link()), times, follow: true }).unwrap();
        assert_eq!(std::fs::metadata(dir.join("target")).unwrap().mtime(), 8, "follow: the target's times");
    }

    #[test]
    fn pathsync_names_the_failing_step() {
        let cases: [(&str, Option<i32>, Option<&str>); 2] =
            [("/", None, None), ("/nonexistent-eio", Some(libc::ENOENT), Some("open"))];
        for (path, errno, syscall) in cases {
            let r = run(MetaOp::Pathsync { at: at(std::path::Path::new(path)) });
            match r {
                Ok(v) => assert!(errno.is_none() && matches!(v, Value::Unit)),
                Err(ReqError::Os { errno: e, syscall: s, .. }) => {
                    assert_eq!((Some(e.0), s), (errno, syscall));
                }
                Err(e) => panic!("{e:?}"),
            }
        }
    }
}
