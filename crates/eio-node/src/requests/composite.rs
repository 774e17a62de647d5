//! Bindings of the `eio_core::ops::composite` requests.
