//! Node's `copyFile` as one request: the contents and the permission bits of `src` into
//! `dst`, nothing else (times and owner are the new file's own, unlike `aio_copy`).
//!
//! libuv (which Node's copyFile runs) opens the destination with `O_CREAT`, then always
//! truncates it, and removes it on any failure. Here the destination is truncated only
//! when it existed and is not the source itself (a copy onto itself, by any name, is a
//! no-op, as in libuv since libuv/libuv#2947); and only a destination this request created
//! is removed on failure: an existing file is never deleted (oven-sh/bun#43325).

use std::os::fd::{AsRawFd, IntoRawFd, OwnedFd, RawFd};

use super::stop_if_aborted;
use crate::req::ReqCtx;
use crate::sys::cvt::Errno;
use crate::sys::path::{At, Target};
use crate::sys::stat::{self, mode};
use crate::sys::{copy, file, meta, name};
use crate::value::{FileStat, ReqError};

/// `COPYFILE_EXCL`: fail with `EEXIST` if `dst` exists.
pub const EXCL: u32 = 1;
/// `COPYFILE_FICLONE`: clone (copy-on-write) where the filesystem can, else copy.
pub const FICLONE: u32 = 2;
/// `COPYFILE_FICLONE_FORCE`: clone, or fail.
pub const FICLONE_FORCE: u32 = 4;

/// Bytes asked of each copy call: an abort is noticed after at most this much.
const CHUNK: usize = 16 << 20;
/// The buffer of the read/write fallback.
const RW_BUF: usize = 1 << 20;

/// Copies `src` to `dst` per `flags`; see the module documentation. Errors carry no
/// step: Node names every copyFile failure `copyfile`.
pub fn copy_file(src: &At, dst: &At, flags: u32, ctx: &ReqCtx<'_>) -> Result<(), ReqError> {
    let src_fd = file::open(src, libc::O_RDONLY | libc::O_NOCTTY, 0)?;
    let src_st = fstat(&src_fd)?;
    if src_st.mode & mode::S_IFMT == mode::S_IFDIR {
        return Err(Errno(libc::EISDIR).into());
    }
    let perms = src_st.mode & 0o7777;
    let (dst_fd, created) = open_dst(dst, flags & EXCL != 0, perms)?;
    let filled = fill(&src_fd, &src_st, &dst_fd, created.is_some(), flags, ctx);
    // close(2) reports write-back errors on some filesystems (NFS): part of the result.
    let closed = file::close(dst_fd.into_raw_fd()).map_err(ReqError::from);
    match filled.and(closed) {
        Ok(()) => Ok(()),
        Err(e) => {
            if let Some(ours) = created {
                remove_if_ours(dst, ours);
            }
            Err(e)
        }
    }
}

fn fstat(fd: &OwnedFd) -> Result<FileStat, ReqError> {
    Ok(stat::fstat(fd.as_raw_fd())?)
}

/// A created file's identity, checked before removing it.
type Created = (u64, u64);

/// Opens `dst` for writing without truncating it: created (mode `perms`) if it does not
/// exist, with `(dev, ino)` then. With `excl`, an existing `dst` is `EEXIST`. A dangling
/// symlink is written through, creating its target, as Node's copyFile does (that target
/// is not counted as created: removing `dst` would remove the link).
fn open_dst(dst: &At, excl: bool, perms: u32) -> Result<(OwnedFd, Option<Created>), ReqError> {
    let create = libc::O_WRONLY | libc::O_CREAT | libc::O_EXCL | libc::O_NOCTTY;
    match file::open(dst, create, perms) {
        Ok(fd) => {
            let st = fstat(&fd)?;
            return Ok((fd, Some((st.dev, st.ino))));
        }
        Err(Errno(libc::EEXIST)) if !excl => {}
        Err(e) => return Err(e.into()),
    }
    match file::open(dst, libc::O_WRONLY | libc::O_NOCTTY, 0) {
        Ok(fd) => Ok((fd, None)),
        // It exists as a name, not as a file: a dangling symlink.
        Err(Errno(libc::ENOENT)) => {
            Ok((file::open(dst, libc::O_WRONLY | libc::O_CREAT | libc::O_NOCTTY, perms)?, None))
        }
        Err(e) => Err(e.into()),
    }
}

/// Unlinks `dst` if it is still the file this request created. Best effort: the copy's
/// own error is what gets reported.
fn remove_if_ours(dst: &At, ours: Created) {
    let now = stat::stat_at(dst, false);
    if matches!(now, Ok(st) if (st.dev, st.ino) == ours) {
        let _ = name::unlink(dst, 0);
    }
}

/// Everything after opening: the self-copy check, truncation, mode, contents.
fn fill(
    src: &OwnedFd,
    src_st: &FileStat,
    dst: &OwnedFd,
    created: bool,
    flags: u32,
    ctx: &ReqCtx<'_>,
) -> Result<(), ReqError> {
    let (s, d) = (src.as_raw_fd(), dst.as_raw_fd());
    if !created {
        let dst_st = fstat(dst)?;
        if (dst_st.dev, dst_st.ino) == (src_st.dev, src_st.ino) {
            return Ok(()); // the source itself: nothing to do, and nothing to destroy
        }
        if dst_st.size > 0 {
            meta::ftruncate(d, 0)?;
        }
    }
    // The source's permission bits exactly (creation applied the umask). Some
    // filesystems (CIFS) refuse chmod: as libuv, that is no reason to fail the copy.
    match meta::chmod(&Target::Fd(d), src_st.mode & 0o7777) {
        Err(Errno(libc::EPERM)) | Ok(()) => {}
        Err(e) => return Err(e.into()),
    }
    if flags & (FICLONE | FICLONE_FORCE) != 0 {
        match file::ficlone(d, s) {
            Ok(()) => return Ok(()),
            Err(e) if flags & FICLONE_FORCE != 0 => return Err(e.into()),
            Err(_) => {}
        }
    }
    copy_contents(s, d, ctx)
}

/// Errors after which the read/write loop may still work: `copy_file_range` is missing,
/// filtered, or refuses this pair of files (rust-lang/rust kernel_copy.rs, libuv/libuv#3069).
fn try_read_write(e: Errno) -> bool {
    matches!(
        e.0,
        libc::ENOSYS | libc::EXDEV | libc::EINVAL | libc::EPERM | libc::EOPNOTSUPP | libc::EOVERFLOW
    )
}

/// Copies `src` from offset 0 to its end into `dst` (which is empty): `copy_file_range`,
/// or `pread`/`pwrite` where the kernel refuses it or reports nothing at offset 0
/// (procfs, sysfs: systemd/systemd#18810).
fn copy_contents(src: RawFd, dst: RawFd, ctx: &ReqCtx<'_>) -> Result<(), ReqError> {
    let mut off = 0i64;
    loop {
        stop_if_aborted(ctx)?;
        let (mut i, mut o) = (off, off);
        match copy::copy_file_range(src, &mut i, dst, &mut o, CHUNK) {
            Ok(0) if off == 0 => break,
            Ok(0) => return Ok(()),
            Ok(n) => off += n as i64,
            Err(e) if off == 0 && try_read_write(e) => break,
            Err(e) => return Err(e.into()),
        }
    }
    let mut buf = vec![0u8; RW_BUF];
    loop {
        stop_if_aborted(ctx)?;
        let n = file::read(src, &mut buf, Some(off))?;
        if n == 0 {
            return Ok(());
        }
        let mut done = 0;
        while done < n {
            let w = file::write(dst, &buf[done..n], Some(off + done as i64))?;
            if w == 0 {
                return Err(Errno(libc::EIO).into());
            }
            done += w;
        }
        off += n as i64;
    }
}

#[cfg(test)]
mod tests {
    use std::fs;
    use std::os::unix::fs::{MetadataExt, PermissionsExt};

    use super::super::testutil::{errno_of, with_ctx, TempDir};
    use super::*;

    fn run(t: &TempDir, src: &str, dst: &str, flags: u32) -> Result<(), ReqError> {
        with_ctx(false, |ctx| copy_file(&t.at(src), &t.at(dst), flags, ctx))
    }

    #[test]
    fn copies_contents_and_mode_only() {
        let t = TempDir::new("copy-file");
        fs::write(t.path("src"), b"the contents").unwrap();
        fs::set_permissions(t.path("src"), fs::Permissions::from_mode(0o751)).unwrap();
        let old = 1_000_000_000; // 2001: far from now
        set_mtime(&t.path("src"), (old, 0));
        fs::write(t.path("longer"), b"a much longer previous content").unwrap();
        // (destination, flags, expected errno or 0)
        let rows = [("new", 0, 0), ("longer", 0, 0), ("excl", EXCL, 0), ("longer", EXCL, libc::EEXIST)];
        for (dst, flags, want) in rows {
            let got = run(&t, "src", dst, flags).map_err(|e| errno_of(&e)).err().unwrap_or(0);
            assert_eq!(got, want, "{dst} {flags}");
        }
        for dst in ["new", "longer", "excl"] {
            assert_eq!(fs::read(t.path(dst)).unwrap(), b"the contents", "{dst}: truncated, then filled");
            let meta = fs::metadata(t.path(dst)).unwrap();
            assert_eq!(meta.permissions().mode() & 0o7777, 0o751, "{dst}: the mode exactly, umask or not");
            assert_ne!(meta.mtime(), old, "{dst}: times are the copy's own");
        }
    }

    #[test]
    fn a_copy_onto_itself_changes_nothing() {
        let t = TempDir::new("copy-file-self");
        fs::write(t.path("f"), b"precious").unwrap();
        fs::hard_link(t.path("f"), t.path("hardlink")).unwrap();
        std::os::unix::fs::symlink("f", t.path("symlink")).unwrap();
        for dst in ["f", "hardlink", "symlink"] {
            run(&t, "f", dst, 0).unwrap();
            assert_eq!(fs::read(t.path("f")).unwrap(), b"precious", "copy onto {dst}");
        }
    }

    #[test]
    fn a_failure_removes_only_what_it_created() {
        let t = TempDir::new("copy-file-fail");
        fs::write(t.path("src"), b"x").unwrap();
        fs::write(t.path("existing"), b"keep").unwrap();
        fs::create_dir(t.path("dir")).unwrap();
        // An aborted copy into a new file leaves nothing behind...
        let aborted = with_ctx(true, |ctx| copy_file(&t.at("src"), &t.at("new"), 0, ctx)).unwrap_err();
        assert_eq!(errno_of(&aborted), libc::ECANCELED);
        assert!(!t.path("new").exists());
        // ...while an existing destination is never unlinked.
        let aborted = with_ctx(true, |ctx| copy_file(&t.at("src"), &t.at("existing"), 0, ctx)).unwrap_err();
        assert_eq!(errno_of(&aborted), libc::ECANCELED);
        assert!(t.path("existing").exists());
        // A directory as the source: refused before anything is created.
        assert_eq!(errno_of(&run(&t, "dir", "from-dir", 0).unwrap_err()), libc::EISDIR);
        assert!(!t.path("from-dir").exists());
        assert_eq!(errno_of(&run(&t, "missing", "x", 0).unwrap_err()), libc::ENOENT);
    }

    #[test]
    fn procfs_files_copy_whole() {
        let t = TempDir::new("copy-file-proc");
        with_ctx(false, |ctx| copy_file(&At::cwd(c"/proc/self/status".into()), &t.at("status"), 0, ctx))
            .unwrap();
        assert!(fs::read(t.path("status")).unwrap().starts_with(b"Name:"));
    }

    #[test]
    fn ficlone_force_fails_where_the_filesystem_cannot_clone() {
        let t = TempDir::new("copy-file-clone");
        fs::write(t.path("src"), b"x").unwrap();
        // The temporary directory's filesystem may or may not share extents: either the
        // clone works, or the request fails and leaves no destination.
        match run(&t, "src", "clone", FICLONE_FORCE) {
            Ok(()) => assert_eq!(fs::read(t.path("clone")).unwrap(), b"x"),
            Err(e) => {
                assert!([libc::EOPNOTSUPP, libc::EXDEV, libc::EINVAL].contains(&errno_of(&e)), "{e:?}");
                assert!(!t.path("clone").exists());
            }
        }
        // FICLONE alone falls back to copying.
        run(&t, "src", "maybe-clone", FICLONE).unwrap();
        assert_eq!(fs::read(t.path("maybe-clone")).unwrap(), b"x");
    }

    fn set_mtime(path: &std::path::Path, t: (i64, u32)) {
        let at = At::cwd(std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap());
        meta::utimens(&Target::Path(at), Some([t, t])).unwrap();
    }
}
