//! Thin wrappers around the syscalls, one module per family. All unsafe code of eio-core
//! lives here; each wrapper is one call, documented with its man page.

pub mod cached;
pub mod clock;
pub mod copy;
pub mod cvt;
pub mod dir;
pub mod file;
pub mod link;
pub mod mem;
pub mod meta;
pub mod name;
pub mod path;
pub mod scan;
pub mod splice;
pub mod stat;
