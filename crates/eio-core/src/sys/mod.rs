//! Thin wrappers around the syscalls, one module per family. All unsafe code of eio-core
//! lives here; each wrapper is one call, documented with its man page.
//!
//! # Platforms
//!
//! Linux is the reference: the wrappers use its own calls (statx, getdents64, `O_PATH`,
//! openat2, splice, fallocate...). For darwin and FreeBSD the same module has, next to
//! each, the portable POSIX equivalent (fstatat, readdir, realpath, posix_fallocate...)
//! or, where the platform lacks the call, a wrapper that fails with `ENOSYS`, IO::AIO's
//! rule: every platform has the same functions, and the requests substitute what IO::AIO
//! substitutes (fsync for fdatasync, `pread`/`write` for sendfile...).
//!
//! The Linux code is `cfg(eio_linux)`. Building with
//! `RUSTFLAGS="--cfg eio_portable"` (`npm run test:portable`) selects the portable code on
//! Linux too, so that it is compiled and its tests run here. Where darwin and FreeBSD
//! differ, it takes darwin's branch when Linux can build it (no fdatasync, fadvise, pipe2
//! or mknodat) and FreeBSD's otherwise (posix_fallocate, rename without flags). What
//! exists on one of them alone (darwin's `F_GETPATH` and `renameatx_np`, FreeBSD's
//! `F_KINFO`) is keyed on the target and compiles only there: its libc items were checked
//! in the libc crate's source.

pub mod cached;
pub mod clock;
pub mod copy;
pub mod cvt;
pub mod dir;
pub mod entropy;
pub mod file;
pub mod link;
pub mod mem;
pub mod meta;
pub mod name;
pub mod path;
pub mod scan;
pub mod splice;
pub mod stat;
