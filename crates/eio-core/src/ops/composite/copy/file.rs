//! One regular file's contents and metadata, to a destination that is created or replaced
//! whole, never left half-written.
//!
//! - A destination that does not exist is created exclusively (mode 0200 until the end, as
//!   IO::AIO does) and removed if the copy fails.
//! - An existing one is replaced atomically: the copy goes to a temporary file beside it,
//!   renamed over it once complete (so a failure leaves the old file as it was, unlike
//!   IO::AIO's `O_TRUNC`), and a destination that is the source under another name (the
//!   same path, a hardlink: nodejs/node#34624) is refused with `EINVAL` before anything is
//!   written.
//! - A destination that is a symlink is written through, as `cp` does: the file it names
//!   is replaced; a dangling one is refused (`ENOENT`: "not writing through dangling
//!   symlink", GNU cp), as is one naming a directory (`EISDIR`).
//!
//! Contents are copied until the end of the file, not `st_size` bytes: procfs files (size
//! 0) copy whole, sysfs files (size 4096) copy exactly the bytes they hold.

use std::ffi::{CStr, CString};
use std::os::fd::{AsRawFd, IntoRawFd, OwnedFd, RawFd};
use std::sync::atomic::{AtomicU64, Ordering};

use super::super::tally::Tally;
use crate::sys::copy as sys;
use crate::sys::cvt::Errno;
use crate::sys::meta;
use crate::sys::path::{At, Base, Target};
use crate::sys::stat::{self, mode};
use crate::sys::{file, link, name};
use crate::value::{FileStat, ReqError};

/// Bytes asked of the kernel per copy call: an abort is noticed after at most this much.
const CHUNK: usize = 16 << 20;
/// The buffer of the read/write fallback.
const RW_BUF: usize = 1 << 20;

/// How a copy treats a destination that exists.
#[derive(Clone, Copy, Debug)]
pub struct Replace {
    /// Replace it (else leave it as it is).
    pub overwrite: bool,
    /// When not replacing it: fail with `EEXIST` (else skip it quietly).
    pub error_on_exist: bool,
}

/// A destination: `path` relative to `dir` (a directory fd, or the cwd).
#[derive(Clone, Copy)]
pub struct Dest<'a> {
    pub dir: &'a Base,
    pub path: &'a CStr,
}

impl Dest<'_> {
    pub fn dirfd(&self) -> RawFd {
        match self.dir {
            Base::Cwd => libc::AT_FDCWD,
            Base::Dir(fd) => fd.as_raw_fd(),
        }
    }

    fn lstat(&self) -> Result<FileStat, Errno> {
        stat::stat_c(self.dirfd(), self.path, false)
    }

    fn at(&self) -> At {
        At { base: self.dir.clone(), path: self.path.to_owned() }
    }
}

/// A failing step: its errno and syscall.
pub type StepError = (Errno, &'static str);

/// Whether a destination was written.
#[derive(Debug, PartialEq, Eq)]
pub enum Written {
    /// With this many bytes.
    Copied(u64),
    /// It existed and was left alone (`overwrite` false).
    Skipped,
}

/// Copies the regular file open on `src` (status `src_st`) to `dst`, contents then times,
/// owner and mode. Counts its bytes in `tally` as they go; stops with `ECANCELED` once
/// `aborted` says so, removing what it wrote.
pub fn write_file(
    src: &OwnedFd,
    src_st: &FileStat,
    dst: Dest<'_>,
    replace: Replace,
    tally: &Tally,
    aborted: &dyn Fn() -> bool,
) -> Result<Written, StepError> {
    let fill = |fd: &OwnedFd| fill(src, src_st, fd, tally, aborted);
    match create(dst, replace, (src_st.dev, src_st.ino))? {
        Output::Skip => Ok(Written::Skipped),
        Output::New(fd) => finish(fd, fill, || remove_if(dst, None)),
        Output::Replace(temp, fd) => {
            let temp_dest = Dest { dir: dst.dir, path: &temp };
            let bytes = finish(fd, fill, || remove_if(temp_dest, None))?;
            match name::rename_c(dst.dirfd(), &temp, dst.dirfd(), dst.path, 0) {
                Ok(()) => Ok(bytes),
                Err(e) => {
                    remove_if(temp_dest, None);
                    Err((e, "rename"))
                }
            }
        }
        Output::Through(target) => {
            let base = Base::Cwd;
            write_file(src, src_st, Dest { dir: &base, path: &target }, replace, tally, aborted)
        }
    }
}

/// Where the contents go.
enum Output {
    /// A file this copy created at the destination.
    New(OwnedFd),
    /// A temporary file (its name, beside the destination) to rename over it.
    Replace(CString, OwnedFd),
    /// The destination is a symlink to this file (an absolute path): copy there.
    Through(CString),
    Skip,
}

/// Opens what the contents go to; see the module documentation. `src` is the source's
/// device and inode, which the destination must not be.
fn create(dst: Dest<'_>, replace: Replace, src: (u64, u64)) -> Result<Output, StepError> {
    const CREATE: i32 = libc::O_WRONLY | libc::O_CREAT | libc::O_EXCL | libc::O_NOCTTY;
    // Bounded: each round means another process created or removed `dst` in between.
    for _ in 0..8 {
        match file::open_c(dst.dirfd(), dst.path, CREATE, 0o200) {
            Ok(fd) => return Ok(Output::New(fd)),
            Err(Errno(libc::EEXIST)) => {}
            Err(e) => return Err((e, "open")),
        }
        let st = match dst.lstat() {
            Ok(st) => st,
            Err(Errno(libc::ENOENT)) => continue, // removed meanwhile: create it after all
            Err(e) => return Err((e, "lstat")),
        };
        let kind = st.mode & mode::S_IFMT;
        if kind == mode::S_IFDIR {
            return Err((Errno(libc::EISDIR), "open"));
        }
        if !replace.overwrite {
            return if replace.error_on_exist {
                Err((Errno(libc::EEXIST), "open"))
            } else {
                Ok(Output::Skip)
            };
        }
        if kind == mode::S_IFLNK {
            return through_symlink(dst, src);
        }
        if (st.dev, st.ino) == src {
            // The source under another name: replacing it would lose it.
            return Err((Errno(libc::EINVAL), "copy"));
        }
        let (temp, fd) = temp_beside(dst, |temp| file::open_c(dst.dirfd(), temp, CREATE, 0o200))?;
        return Ok(Output::Replace(temp, fd));
    }
    Err((Errno(libc::EEXIST), "open"))
}

/// The file a destination symlink names, to be replaced as the destination: refused when
/// the link dangles (GNU cp: "not writing through dangling symlink") or names a
/// directory or the source.
#[cold]
fn through_symlink(dst: Dest<'_>, src: (u64, u64)) -> Result<Output, StepError> {
    let st = stat::stat_c(dst.dirfd(), dst.path, true).map_err(|e| (e, "open"))?;
    if st.mode & mode::S_IFMT == mode::S_IFDIR {
        return Err((Errno(libc::EISDIR), "open"));
    }
    if (st.dev, st.ino) == src {
        return Err((Errno(libc::EINVAL), "copy"));
    }
    let target = link::realpath(&dst.at()).map_err(|e| (e, "open"))?;
    let target = CString::new(target).map_err(|_| (Errno(libc::EINVAL), "open"))?;
    Ok(Output::Through(target))
}

/// Makes a temporary entry beside `dst` with `make` (which fails with `EEXIST` when the
/// name is taken): `.<name>.eio-<n>` in the destination's directory, or a short name
/// when that would be too long.
pub fn temp_beside<T>(
    dst: Dest<'_>,
    mut make: impl FnMut(&CStr) -> Result<T, Errno>,
) -> Result<(CString, T), StepError> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let path = dst.path.to_bytes();
    let (dir, base) = match path.iter().rposition(|&b| b == b'/') {
        Some(i) => path.split_at(i + 1),
        None => (&[][..], path),
    };
    for _ in 0..100 {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let tag = format!(".eio-{:x}-{n:x}", std::process::id());
        let mut name = dir.to_vec();
        if base.len() + tag.len() + 1 < 255 {
            name.push(b'.');
            name.extend_from_slice(base);
        }
        name.extend_from_slice(tag.as_bytes());
        let name = CString::new(name).expect("made of a C string's bytes");
        match make(&name) {
            Ok(made) => return Ok((name, made)),
            Err(Errno(libc::EEXIST)) => continue,
            Err(e) => return Err((e, "open")),
        }
    }
    Err((Errno(libc::EEXIST), "open"))
}

/// Fills `fd` with `fill`, closes it (close reports write-back errors on some filesystems:
/// NFS) and, on failure, calls `undo`.
fn finish(
    fd: OwnedFd,
    fill: impl FnOnce(&OwnedFd) -> Result<u64, StepError>,
    undo: impl FnOnce(),
) -> Result<Written, StepError> {
    let filled = fill(&fd);
    let closed = file::close(fd.into_raw_fd()).map_err(|e| (e, "close"));
    match filled.and_then(|bytes| closed.map(|()| bytes)) {
        Ok(bytes) => Ok(Written::Copied(bytes)),
        Err(e) => {
            undo();
            Err(e)
        }
    }
}

/// Unlinks `dst`, the file this copy created, if it is still there (best effort: the
/// copy's own error is what gets reported). `id`: its device and inode, when known.
pub fn remove_if(dst: Dest<'_>, id: Option<(u64, u64)>) {
    if let Some(id) = id {
        if !matches!(dst.lstat(), Ok(st) if (st.dev, st.ino) == id) {
            return;
        }
    }
    let _ = name::unlink_c(dst.dirfd(), dst.path, 0);
}

/// Contents, then metadata; the bytes copied.
fn fill(
    src: &OwnedFd,
    src_st: &FileStat,
    dst: &OwnedFd,
    tally: &Tally,
    aborted: &dyn Fn() -> bool,
) -> Result<u64, StepError> {
    let mut copier = Copier::new(src.as_raw_fd(), dst.as_raw_fd(), tally, aborted);
    // Only a file with fewer blocks than its size can have holes worth looking for.
    let maybe_sparse = src_st.blocks.saturating_mul(512) < src_st.size;
    let end = if maybe_sparse { copier.sparse()? } else { copier.copy_to_end(0)? };
    restore_metadata(dst.as_raw_fd(), src_st);
    Ok(end as u64)
}

/// Times, then owner, then mode, as IO::AIO does, ignoring failures as it does: the
/// contents are what the copy promises. If the owner cannot be kept, the setuid and setgid
/// bits are dropped rather than granted to the copier's own ids (uutils/coreutils#9750).
pub fn restore_metadata(fd: RawFd, st: &FileStat) {
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
struct Copier<'a> {
    src: RawFd,
    dst: RawFd,
    method: Method,
    /// Whether any call has copied bytes yet: a first call returning 0 may mean "not
    /// supported here" (procfs, sysfs, overlayfs: systemd/systemd#18810), later ones EOF.
    copied_any: bool,
    /// Where `dst`'s file position is, for sendfile, which writes there.
    dst_pos: Option<i64>,
    buf: Vec<u8>,
    tally: &'a Tally,
    aborted: &'a dyn Fn() -> bool,
}

impl<'a> Copier<'a> {
    fn new(src: RawFd, dst: RawFd, tally: &'a Tally, aborted: &'a dyn Fn() -> bool) -> Copier<'a> {
        Copier {
            src,
            dst,
            method: Method::CopyFileRange,
            copied_any: false,
            dst_pos: Some(0),
            buf: Vec::new(),
            tally,
            aborted,
        }
    }

    fn check(&self) -> Result<(), StepError> {
        if (self.aborted)() {
            Err((Errno(libc::ECANCELED), "copy"))
        } else {
            Ok(())
        }
    }

    /// Copies the data regions only, so that holes stay holes, then sets the size, which
    /// keeps a trailing hole; the size copied. Where the filesystem cannot report holes,
    /// copies everything. A file whose data ends before its size says (sysfs reports 4096
    /// for a few bytes; a file shrinking meanwhile) is cut where the data ended.
    fn sparse(&mut self) -> Result<i64, StepError> {
        let mut off = 0;
        loop {
            self.check()?;
            let data = match sys::seek_data(self.src, off) {
                Ok(Some(data)) => data,
                Ok(None) => break,
                Err(Errno(libc::EINVAL | libc::EOPNOTSUPP)) if off == 0 => return self.copy_to_end(0),
                Err(e) => return Err((e, "lseek")),
            };
            let hole = sys::seek_hole(self.src, data).map_err(|e| (e, "lseek"))?;
            let mut at = data;
            while at < hole {
                self.check()?;
                let n = self.chunk(at, (hole - at).min(CHUNK as i64) as usize)?;
                if n == 0 {
                    // The end, before the size said: that is the size.
                    meta::ftruncate(self.dst, at).map_err(|e| (e, "ftruncate"))?;
                    return Ok(at);
                }
                at += n as i64;
            }
            off = hole;
        }
        let end = file::seek(self.src, 0, libc::SEEK_END).map_err(|e| (e, "lseek"))?;
        meta::ftruncate(self.dst, end).map_err(|e| (e, "ftruncate"))?;
        Ok(end)
    }

    /// Copies from `off` until a call reports the end of `src`; returns where that was.
    fn copy_to_end(&mut self, mut off: i64) -> Result<i64, StepError> {
        loop {
            self.check()?;
            let n = self.chunk(off, CHUNK)?;
            if n == 0 {
                return Ok(off);
            }
            off += n as i64;
        }
    }

    /// Copies up to `len` bytes at `off`, falling back to slower methods as needed; 0 at
    /// the end of `src`.
    fn chunk(&mut self, off: i64, len: usize) -> Result<usize, StepError> {
        loop {
            let result = match self.method {
                Method::CopyFileRange => {
                    let (mut i, mut o) = (off, off);
                    sys::copy_file_range(self.src, &mut i, self.dst, &mut o, len)
                        .map_err(|e| (e, "copy_file_range"))
                }
                Method::Sendfile => self.sendfile(off, len),
                Method::ReadWrite => self.read_write(off, len),
            };
            match result {
                Ok(0) if !self.copied_any && self.method != Method::ReadWrite => {
                    self.method = self.method.fallback()
                }
                Ok(n) => {
                    self.copied_any |= n > 0;
                    self.tally.add_bytes(n as u64);
                    return Ok(n);
                }
                Err((e, _)) if !self.copied_any && self.method != Method::ReadWrite && can_fall_back(e) => {
                    self.method = self.method.fallback()
                }
                Err(e) => return Err(e),
            }
        }
    }

    fn sendfile(&mut self, off: i64, len: usize) -> Result<usize, StepError> {
        if self.dst_pos != Some(off) {
            file::seek(self.dst, off, libc::SEEK_SET).map_err(|e| (e, "lseek"))?;
        }
        let mut i = off;
        let n = meta::sendfile(self.dst, self.src, &mut i, len);
        self.dst_pos = n.as_ref().ok().map(|n| off + *n as i64);
        n.map_err(|e| (e, "sendfile"))
    }

    fn read_write(&mut self, off: i64, len: usize) -> Result<usize, StepError> {
        if self.buf.is_empty() {
            self.buf = vec![0; RW_BUF];
        }
        let len = len.min(self.buf.len());
        let n = file::read(self.src, &mut self.buf[..len], Some(off)).map_err(|e| (e, "read"))?;
        let mut done = 0;
        while done < n {
            let at = off + done as i64;
            let w = file::write(self.dst, &self.buf[done..n], Some(at)).map_err(|e| (e, "write"))?;
            if w == 0 {
                return Err((Errno(libc::EIO), "write"));
            }
            done += w;
        }
        Ok(n)
    }
}

/// A step's error as a request error.
pub fn step_error((errno, syscall): StepError) -> ReqError {
    ReqError::os(errno).with_syscall(syscall)
}

#[cfg(test)]
mod tests {
    use std::fs;
    use std::io::{Seek, SeekFrom, Write};
    use std::os::unix::fs::MetadataExt;

    use super::super::super::testutil::TempDir;
    use super::*;

    const REPLACE: Replace = Replace { overwrite: true, error_on_exist: false };

    /// Copies `src` to `dst` (paths in `t`) as `copy` does a single file.
    fn copy(t: &TempDir, src: &str, dst: &str, replace: Replace, aborted: bool) -> Result<Written, i32> {
        let fd = file::open(&t.at(src), libc::O_RDONLY, 0).map_err(|e| e.0)?;
        let st = stat::fstat(fd.as_raw_fd()).unwrap();
        let at = t.at(dst);
        let dest = Dest { dir: &at.base, path: &at.path };
        write_file(&fd, &st, dest, replace, &Tally::default(), &|| aborted).map_err(|(e, _)| e.0)
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
    fn destinations() {
        let t = TempDir::new("dests");
        fs::write(t.path("src"), b"precious").unwrap();
        fs::hard_link(t.path("src"), t.path("hard")).unwrap();
        std::os::unix::fs::symlink(t.path("src"), t.path("sym")).unwrap();
        std::os::unix::fs::symlink("nowhere", t.path("dangling")).unwrap();
        fs::write(t.path("target"), b"old target").unwrap();
        std::os::unix::fs::symlink("target", t.path("to-target")).unwrap();
        fs::write(t.path("old"), b"old contents, longer").unwrap();
        fs::create_dir(t.path("dir")).unwrap();
        let keep = Replace { overwrite: false, error_on_exist: false };
        let refuse = Replace { overwrite: false, error_on_exist: true };
        // (destination, how, expected outcome, expected contents of the destination after)
        type Row<'a> = (&'a str, Replace, Result<Written, i32>, Option<&'a [u8]>);
        let rows: [Row; 10] = [
            ("new", REPLACE, Ok(Written::Copied(8)), Some(b"precious")),
            ("old", REPLACE, Ok(Written::Copied(8)), Some(b"precious")),
            // The source under another name is refused, and stays intact.
            ("src", REPLACE, Err(libc::EINVAL), Some(b"precious")),
            ("hard", REPLACE, Err(libc::EINVAL), Some(b"precious")),
            ("sym", REPLACE, Err(libc::EINVAL), Some(b"precious")),
            // Not written through a dangling symlink (GNU cp), nor into a directory.
            ("dangling", REPLACE, Err(libc::ENOENT), None),
            ("dir", REPLACE, Err(libc::EISDIR), None),
            // Written through a symlink: the file it names is replaced.
            ("to-target", REPLACE, Ok(Written::Copied(8)), Some(b"precious")),
            ("target", keep, Ok(Written::Skipped), Some(b"precious")),
            ("target", refuse, Err(libc::EEXIST), Some(b"precious")),
        ];
        for (dst, how, want, after) in rows {
            assert_eq!(copy(&t, "src", dst, how, false), want, "{dst}");
            if let Some(after) = after {
                assert_eq!(fs::read(t.path(dst)).unwrap(), after, "{dst}");
            }
        }
        assert_eq!(
            fs::read_link(t.path("to-target")).unwrap(),
            std::path::Path::new("target"),
            "the link stays"
        );
        assert_eq!(fs::read_link(t.path("dangling")).unwrap(), std::path::Path::new("nowhere"));
        // No temporary file is left behind.
        let stray: Vec<_> = fs::read_dir(&t.0)
            .unwrap()
            .filter_map(|e| {
                let name = e.unwrap().file_name().into_string().unwrap();
                name.contains(".eio-").then_some(name)
            })
            .collect();
        assert!(stray.is_empty(), "{stray:?}");
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
        assert_eq!(copy(&t, "src", "dst", REPLACE, false), Ok(Written::Copied(128 << 20)));
        let (src, dst) = (fs::read(t.path("src")).unwrap(), fs::read(t.path("dst")).unwrap());
        assert!(src == dst, "contents differ");
        let meta = fs::metadata(t.path("dst")).unwrap();
        assert_eq!(meta.len(), 128 << 20);
        assert!(meta.blocks() * 512 < 8 << 20, "holes filled: {} blocks", meta.blocks());
    }

    #[test]
    fn a_sysfs_file_copies_exactly_its_bytes() {
        let sysfs = "/sys/class/net/lo/address";
        let Ok(want) = fs::read(sysfs) else {
            eprintln!("skipped: no {sysfs}");
            return;
        };
        let t = TempDir::new("sysfs");
        let fd = file::open(&At::cwd(CString::new(sysfs).unwrap()), libc::O_RDONLY, 0).unwrap();
        let st = stat::fstat(fd.as_raw_fd()).unwrap();
        assert!(st.size as usize > want.len(), "sysfs reports more than it holds: {}", st.size);
        let at = t.at("dst");
        let got =
            write_file(&fd, &st, Dest { dir: &at.base, path: &at.path }, REPLACE, &Tally::default(), &|| {
                false
            });
        assert_eq!(got, Ok(Written::Copied(want.len() as u64)));
        assert_eq!(fs::read(t.path("dst")).unwrap(), want);
    }

    #[test]
    fn abort_removes_what_it_wrote_and_keeps_what_was_there() {
        let t = TempDir::new("abort");
        fs::write(t.path("src"), b"data").unwrap();
        fs::write(t.path("old"), b"old").unwrap();
        assert_eq!(copy(&t, "src", "new", REPLACE, true), Err(libc::ECANCELED));
        assert_eq!(copy(&t, "src", "old", REPLACE, true), Err(libc::ECANCELED));
        assert!(!t.path("new").exists(), "a destination it created stays");
        assert_eq!(fs::read(t.path("old")).unwrap(), b"old", "the old file was touched");
        assert_eq!(fs::read(t.path("src")).unwrap(), b"data");
        assert_eq!(fs::read_dir(&t.0).unwrap().count(), 2, "a temporary file was left");
    }
}
