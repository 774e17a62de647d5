//! Memory: mmap, munmap, msync, mlock, madvise, mprotect and friends.
