// expect-error: ReadPages: Provides<ReadWritePages>
//! Writable generic file operations need address space operations that write pages.
use kernel::fs::{
    address_space::ReadPages, file_operations::FileOps, filesystem::FileSystem, inode::New,
};

/// Tries to make files writable over read-only page cache operations.
pub fn f<'a, T: FileSystem>(inode: New<'a, T, ReadPages>) -> New<'a, T, ReadPages> {
    inode.set_fops(FileOps::ram())
}
