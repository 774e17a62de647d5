//! `constants`: every constant the IO::AIO manual names, with this platform's value (0
//! where the platform lacks it), plus the `O_*`/`S_I*` names Node's `fs.constants` has.
//! The same names on Linux, darwin and FreeBSD; the lists below say which has which.

use napi::bindgen_prelude::*;
use napi_derive::napi;

/// IO::AIO's own flags for `readdirx`.
const READDIR: [(&str, i64); 4] = {
    use eio_core::ops::names::readdir_flags::*;
    [
        ("READDIR_DENTS", DENTS as i64),
        ("READDIR_DIRS_FIRST", DIRS_FIRST as i64),
        ("READDIR_STAT_ORDER", STAT_ORDER as i64),
        ("READDIR_FOUND_UNKNOWN", FOUND_UNKNOWN as i64),
    ]
};

/// `<linux/fiemap.h>`: not in the libc crate (0 off Linux, which has no FIEMAP).
const FIEMAP: [(&str, i64); 14] = [
    ("FIEMAP_FLAG_SYNC", 0x1),
    ("FIEMAP_FLAG_XATTR", 0x2),
    ("FIEMAP_FLAGS_COMPAT", 0x3),
    ("FIEMAP_EXTENT_LAST", 0x1),
    ("FIEMAP_EXTENT_UNKNOWN", 0x2),
    ("FIEMAP_EXTENT_DELALLOC", 0x4),
    ("FIEMAP_EXTENT_ENCODED", 0x8),
    ("FIEMAP_EXTENT_DATA_ENCRYPTED", 0x80),
    ("FIEMAP_EXTENT_NOT_ALIGNED", 0x100),
    ("FIEMAP_EXTENT_DATA_INLINE", 0x200),
    ("FIEMAP_EXTENT_DATA_TAIL", 0x400),
    ("FIEMAP_EXTENT_UNWRITTEN", 0x800),
    ("FIEMAP_EXTENT_MERGED", 0x1000),
    ("FIEMAP_EXTENT_SHARED", 0x2000),
];

/// `(name, value)` of each named libc constant.
macro_rules! libc_consts {
    ($($name:ident)*) => { [$((stringify!($name), libc::$name as i64)),*] };
}

/// `(name, 0)` of each constant this platform lacks.
#[cfg(not(target_os = "linux"))]
macro_rules! absent {
    ($($name:ident)*) => { [$((stringify!($name), 0i64)),*] };
}

/// The platform's constants. Every platform exports the same names: those it lacks are 0,
/// as IO::AIO does. Which libc defines which was checked in the libc crate's sources.
fn platform() -> Vec<(&'static str, i64)> {
    // Linux, darwin and FreeBSD alike.
    let mut t: Vec<(&'static str, i64)> = libc_consts! {
        O_RDONLY O_WRONLY O_RDWR O_CREAT O_EXCL O_NOCTTY O_TRUNC O_APPEND O_DIRECTORY
        O_NOFOLLOW O_SYNC O_DSYNC O_NONBLOCK O_CLOEXEC
        S_IFMT S_IFREG S_IFDIR S_IFCHR S_IFBLK S_IFIFO S_IFLNK S_IFSOCK
        S_IRWXU S_IRUSR S_IWUSR S_IXUSR S_IRWXG S_IRGRP S_IWGRP S_IXGRP S_IRWXO S_IROTH S_IWOTH S_IXOTH
        S_ISUID S_ISGID S_ISVTX
        F_OK R_OK W_OK X_OK
        DT_UNKNOWN DT_FIFO DT_CHR DT_DIR DT_BLK DT_REG DT_LNK DT_SOCK
        SEEK_SET SEEK_CUR SEEK_END SEEK_DATA SEEK_HOLE
        MS_ASYNC MS_INVALIDATE MS_SYNC
        MCL_CURRENT MCL_FUTURE
        PROT_NONE PROT_READ PROT_WRITE PROT_EXEC
        MAP_SHARED MAP_PRIVATE MAP_FIXED MAP_ANONYMOUS MAP_ANON
        MADV_NORMAL MADV_RANDOM MADV_SEQUENTIAL MADV_WILLNEED MADV_DONTNEED MADV_FREE
        ST_RDONLY ST_NOSUID
    }
    .to_vec();
    #[cfg(target_os = "linux")]
    {
        t.extend(libc_consts! {
            O_NOATIME O_DIRECT O_PATH O_TMPFILE
            RENAME_NOREPLACE RENAME_EXCHANGE RENAME_WHITEOUT
            FALLOC_FL_KEEP_SIZE FALLOC_FL_PUNCH_HOLE FALLOC_FL_COLLAPSE_RANGE FALLOC_FL_ZERO_RANGE
            FALLOC_FL_INSERT_RANGE FALLOC_FL_UNSHARE_RANGE
            SYNC_FILE_RANGE_WAIT_BEFORE SYNC_FILE_RANGE_WRITE SYNC_FILE_RANGE_WAIT_AFTER
            MCL_ONFAULT
            MAP_GROWSDOWN MAP_HUGETLB MAP_LOCKED MAP_NONBLOCK MAP_NORESERVE MAP_POPULATE MAP_STACK
            MAP_HUGE_SHIFT MAP_HUGE_MASK MAP_FIXED_NOREPLACE MAP_SHARED_VALIDATE MAP_SYNC MAP_DROPPABLE
            MADV_REMOVE MADV_DONTFORK MADV_DOFORK MADV_MERGEABLE MADV_UNMERGEABLE MADV_HUGEPAGE
            MADV_NOHUGEPAGE MADV_DONTDUMP MADV_DODUMP MADV_WIPEONFORK MADV_KEEPONFORK MADV_COLD
            MADV_PAGEOUT MADV_HWPOISON MADV_POPULATE_READ MADV_POPULATE_WRITE
            POSIX_FADV_NORMAL POSIX_FADV_SEQUENTIAL POSIX_FADV_RANDOM POSIX_FADV_NOREUSE
            POSIX_FADV_WILLNEED POSIX_FADV_DONTNEED
            SPLICE_F_MOVE SPLICE_F_NONBLOCK SPLICE_F_MORE SPLICE_F_GIFT
            ST_NODEV ST_NOEXEC ST_SYNCHRONOUS ST_MANDLOCK ST_WRITE ST_APPEND ST_IMMUTABLE
            ST_NOATIME ST_NODIRATIME
            EBADR
        });
        // glibc's; musl's headers have the same value, the libc crate does not.
        #[cfg(not(target_env = "musl"))]
        t.extend(libc_consts! { ST_RELATIME });
        #[cfg(target_env = "musl")]
        t.push(("ST_RELATIME", 4096));
    }
    // FALLOC_FL_*: Linux's values, which eio's allocate refuses with ENOSYS elsewhere,
    // rather than a 0 that would quietly allocate where a hole was asked for.
    #[cfg(not(target_os = "linux"))]
    t.extend([
        ("FALLOC_FL_KEEP_SIZE", 0x01),
        ("FALLOC_FL_PUNCH_HOLE", 0x02),
        ("FALLOC_FL_COLLAPSE_RANGE", 0x08),
        ("FALLOC_FL_ZERO_RANGE", 0x10),
        ("FALLOC_FL_INSERT_RANGE", 0x20),
        ("FALLOC_FL_UNSHARE_RANGE", 0x40),
    ]);
    #[cfg(not(target_os = "linux"))]
    t.extend(absent! {
        O_NOATIME O_TMPFILE RENAME_WHITEOUT
        SYNC_FILE_RANGE_WAIT_BEFORE SYNC_FILE_RANGE_WRITE SYNC_FILE_RANGE_WAIT_AFTER
        MCL_ONFAULT
        MAP_GROWSDOWN MAP_HUGETLB MAP_LOCKED MAP_NONBLOCK MAP_POPULATE
        MAP_HUGE_SHIFT MAP_HUGE_MASK MAP_FIXED_NOREPLACE MAP_SHARED_VALIDATE MAP_SYNC MAP_DROPPABLE
        MADV_REMOVE MADV_DONTFORK MADV_DOFORK MADV_MERGEABLE MADV_UNMERGEABLE MADV_HUGEPAGE
        MADV_NOHUGEPAGE MADV_DONTDUMP MADV_DODUMP MADV_WIPEONFORK MADV_KEEPONFORK MADV_COLD
        MADV_PAGEOUT MADV_HWPOISON MADV_POPULATE_READ MADV_POPULATE_WRITE
        SPLICE_F_MOVE SPLICE_F_NONBLOCK SPLICE_F_MORE SPLICE_F_GIFT
        ST_NODEV ST_NOEXEC ST_SYNCHRONOUS ST_MANDLOCK ST_WRITE ST_APPEND ST_IMMUTABLE
        ST_NOATIME ST_NODIRATIME ST_RELATIME
        EBADR
    });
    #[cfg(target_os = "freebsd")]
    {
        // RENAME_*: FreeBSD's values, which eio's rename refuses with ENOSYS (renameat2 is
        // FreeBSD 15's) rather than a 0 that would silently replace the target.
        t.extend(libc_consts! {
            O_DIRECT O_PATH MAP_STACK
            RENAME_NOREPLACE RENAME_EXCHANGE
            POSIX_FADV_NORMAL POSIX_FADV_SEQUENTIAL POSIX_FADV_RANDOM POSIX_FADV_NOREUSE
            POSIX_FADV_WILLNEED POSIX_FADV_DONTNEED
        });
        t.extend(absent! { MAP_NORESERVE });
    }
    #[cfg(target_vendor = "apple")]
    {
        t.extend(libc_consts! { MAP_NORESERVE });
        // renameatx_np's RENAME_EXCL and RENAME_SWAP do what Linux's flags do.
        t.extend([
            ("RENAME_NOREPLACE", libc::RENAME_EXCL as i64),
            ("RENAME_EXCHANGE", libc::RENAME_SWAP as i64),
        ]);
        t.extend(absent! {
            O_DIRECT O_PATH MAP_STACK
            POSIX_FADV_NORMAL POSIX_FADV_SEQUENTIAL POSIX_FADV_RANDOM POSIX_FADV_NOREUSE
            POSIX_FADV_WILLNEED POSIX_FADV_DONTNEED
        });
    }
    // x86_64 only (Linux and FreeBSD).
    #[cfg(all(target_arch = "x86_64", any(target_os = "linux", target_os = "freebsd")))]
    t.extend(libc_consts! { MAP_32BIT });
    #[cfg(not(all(target_arch = "x86_64", any(target_os = "linux", target_os = "freebsd"))))]
    t.push(("MAP_32BIT", 0));
    t
}

/// All constants as `(name, value)`.
fn table() -> Vec<(&'static str, i64)> {
    let mut t = platform();
    // IO::AIO names posix_fadvise's advice FADV_*.
    for name in
        ["FADV_NORMAL", "FADV_SEQUENTIAL", "FADV_RANDOM", "FADV_NOREUSE", "FADV_WILLNEED", "FADV_DONTNEED"]
    {
        let posix = t.iter().find(|(n, _)| n.strip_prefix("POSIX_") == Some(name)).map_or(0, |&(_, v)| v);
        t.push((name, posix));
    }
    t.extend_from_slice(&READDIR);
    let fiemap = cfg!(target_os = "linux");
    t.extend(FIEMAP.iter().map(|&(name, value)| (name, if fiemap { value } else { 0 })));
    t.extend_from_slice(&[
        // 14 in Linux's, darwin's and FreeBSD's <dirent.h> (only BSD filesystems make them).
        ("DT_WHT", 14),
        // BSD whiteouts: darwin's and FreeBSD's <sys/stat.h> (not in the libc crate).
        ("S_IFWHT", if cfg!(target_os = "linux") { 0 } else { 0o160000 }),
        // IO::AIO's: `mtouch` writes to each page instead of reading it.
        ("MT_MODIFY", 1),
        // Windows only.
        ("O_BINARY", 0),
        ("O_TEXT", 0),
        ("PRI_MIN", eio_core::PRI_MIN as i64),
        ("PRI_MAX", eio_core::PRI_MAX as i64),
        ("PRI_DEFAULT", eio_core::PRI_DEFAULT as i64),
        // The unit of mmap offsets and of the memory calls.
        ("PAGESIZE", eio_core::sys::mem::page_size() as i64),
    ]);
    t
}

/// The constants as a plain object of numbers.
#[napi(ts_return_type = "Record<string, number>")]
pub fn constants(env: &Env) -> Result<Object<'_>> {
    let mut obj = Object::new(env)?;
    for (name, value) in table() {
        obj.set(name, value as f64)?;
    }
    Ok(obj)
}
