// expect-error: found `&Ops<_, ReadPages>`
//! Page-cache symlinks read their target through the page cache.
use kernel::fs::{filesystem::FileSystem, inode::{New, Ops}};

/// Tries to make a page-cache symlink without page cache operations.
pub fn f<'a, T: FileSystem>(inode: New<'a, T>) -> New<'a, T> {
    inode.set_iops(Ops::page_symlink())
}
