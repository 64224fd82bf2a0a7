// expect-error: mismatched types
//! An inode's attributes may only be freed while it is being evicted (`Evicting`): the host of
//! a folio under reclaim is also `Unreferenced`, and others may use its attributes meanwhile.
use kernel::fs::{filesystem::FileSystem, inode::Unreferenced, xattr::SimpleXattrs};

/// Tries to free the attributes of an inode that may still be in use.
pub fn free<T: FileSystem>(inode: &Unreferenced<'_, T>) -> usize {
    SimpleXattrs::free(inode)
}
