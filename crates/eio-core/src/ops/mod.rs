//! Request families beyond the core requests of [`crate::Op`], one module each.

pub mod composite;
pub mod fs;
pub mod mem;
pub mod meta;
pub mod names;
pub mod scan;
pub mod stat_many;
