// SPDX-License-Identifier: GPL-2.0

//! File operation tables for inodes.
//!
//! [`FileOps`] is the `struct file_operations` an inode is opened with. File systems whose data
//! lives in the page cache use the generic implementations ([`FileOps::generic`]); directories
//! kept in the dcache use [`FileOps::simple_dir`].
//!
//! C header: [`include/linux/fs.h`](srctree/include/linux/fs.h)

use super::filesystem::FileSystem;
use crate::bindings;
use core::marker::PhantomData;

/// A table of file operations (`struct file_operations`) for inodes of file system `T`.
#[repr(transparent)]
pub struct FileOps<T: FileSystem>(bindings::file_operations, PhantomData<T>);

// SAFETY: The table is immutable and only holds function pointers.
unsafe impl<T: FileSystem> Sync for FileOps<T> {}

impl<T: FileSystem> FileOps<T> {
    /// Regular files served from the page cache by the generic helpers: `read_iter`,
    /// `write_iter`, `mmap_prepare`, `splice_read`/`splice_write`, `llseek`, and a no-op `fsync`.
    pub const fn generic() -> Self {
        Self(
            bindings::file_operations {
                read_iter: Some(bindings::generic_file_read_iter),
                write_iter: Some(bindings::generic_file_write_iter),
                mmap_prepare: Some(bindings::generic_file_mmap_prepare),
                fsync: Some(bindings::noop_fsync),
                splice_read: Some(bindings::filemap_splice_read),
                splice_write: Some(bindings::iter_file_splice_write),
                llseek: Some(bindings::generic_file_llseek),
                ..pin_init::zeroed()
            },
            PhantomData,
        )
    }

    /// Directories whose entries are the dentries in the dcache (`simple_dir_operations`).
    pub fn simple_dir() -> &'static Self {
        // SAFETY: `simple_dir_operations` is static and immutable; `Self` is `repr(transparent)`.
        unsafe { &*(&raw const bindings::simple_dir_operations).cast::<Self>() }
    }

    pub(crate) fn as_raw(&self) -> *const bindings::file_operations {
        &self.0
    }
}
