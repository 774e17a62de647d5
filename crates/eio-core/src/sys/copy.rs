//! Copying file contents: copy_file_range, sendfile, SEEK_DATA/SEEK_HOLE.
