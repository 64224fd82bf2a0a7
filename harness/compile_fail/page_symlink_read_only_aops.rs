// expect-error: no method named `page_symlink`
//! Writing a symlink's target into the page cache needs page cache operations that write.
use kernel::fs::{address_space::ReadPages, filesystem::FileSystem, inode::New};
use kernel::prelude::*;

/// Tries to write a target over read-only page cache operations.
pub fn f<'a, T: FileSystem>(inode: New<'a, T, ReadPages>) -> Result<New<'a, T, ReadPages>> {
    inode.page_symlink(c"target")
}
