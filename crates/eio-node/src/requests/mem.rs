//! Bindings of the `eio_core::ops::mem` requests.
