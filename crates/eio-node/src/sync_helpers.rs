//! IO::AIO's synchronous "miscellaneous functions": they run on the JS thread and throw.
