//! File metadata, space and syncing: statvfs, utimensat, fchownat, fchmodat, truncate,
//! fallocate, fsync and friends, sendfile, readahead, fiemap.
