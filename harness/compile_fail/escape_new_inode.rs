// expect-error: lifetime may not live long enough
//! S1: a new inode cannot outlive the borrow of its superblock.
use kernel::fs::{filesystem::FileSystem, inode::New, sb::SuperBlock};
use kernel::prelude::*;

/// Tries to keep an inode being built beyond the call.
pub fn keep<T: FileSystem>(sb: &SuperBlock<T>, data: T::InodeData) -> Result<New<'static, T>> {
    sb.new_inode(data)
}
