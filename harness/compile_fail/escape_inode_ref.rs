// expect-error: lifetime may not live long enough
//! S1: an inode reference cannot outlive the callback (or superblock borrow) it came from.
use kernel::fs::{filesystem::FileSystem, inode::{Inode, Ref}};

/// Tries to keep an inode beyond the call.
pub fn keep<T: FileSystem>(dir: &Inode<T>) -> Ref<'static, T> {
    dir.ihold()
}
