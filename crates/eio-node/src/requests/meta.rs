//! Bindings of the `eio_core::ops::meta` requests.
