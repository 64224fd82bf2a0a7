// SPDX-License-Identifier: GPL-2.0

//! Address space (page cache) operation tables.
//!
//! C header: [`include/linux/fs.h`](srctree/include/linux/fs.h)

use super::filesystem::FileSystem;
use crate::bindings;
use core::marker::PhantomData;

/// A table of address space operations (`struct address_space_operations`) for inodes of file
/// system `T`.
#[repr(transparent)]
pub struct AddressSpaceOps<T: FileSystem>(bindings::address_space_operations, PhantomData<T>);

// SAFETY: The table is immutable and only holds function pointers.
unsafe impl<T: FileSystem> Sync for AddressSpaceOps<T> {}

impl<T: FileSystem> AddressSpaceOps<T> {
    /// Page cache that is the only copy of the data (`ram_aops`): new pages are zero-filled,
    /// writes only dirty them, nothing is ever written back.
    pub fn ram() -> &'static Self {
        // SAFETY: `ram_aops` is static and immutable; `Self` is `repr(transparent)` over it.
        unsafe { &*(&raw const bindings::ram_aops).cast::<Self>() }
    }

    pub(crate) fn as_raw(&self) -> *const bindings::address_space_operations {
        &self.0
    }
}
