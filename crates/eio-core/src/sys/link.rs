//! Links and names: mknodat, linkat, symlinkat, readlinkat, realpath, directory fds.
