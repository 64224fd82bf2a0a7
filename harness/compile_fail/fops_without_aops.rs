// expect-error: found `&FileOps<_, ReadWritePages>`
//! The generic file operations need address space operations that read and write pages.
use kernel::fs::{file_operations::FileOps, filesystem::FileSystem, inode::New};

/// Tries to give an inode without page cache operations the generic file operations.
pub fn f<'a, T: FileSystem>(inode: New<'a, T>) -> New<'a, T> {
    inode.set_fops(FileOps::ram())
}
