// SPDX-License-Identifier: GPL-2.0

//! Address space (page cache) operation tables.
//!
//! [`AddressSpaceOps`] is the `struct address_space_operations` of an inode's page cache: the
//! kernel's [`AddressSpaceOps::ram`] for memory-only data, or [`AddressSpaceOps::new`] for a file
//! system that fills pages itself ([`Operations::read_folio`]).
//!
//! C header: [`include/linux/fs.h`](srctree/include/linux/fs.h)

use super::{
    filesystem::FileSystem,
    inode::INode, //
};
use crate::{
    bindings,
    error::{
        code::*,
        VTABLE_DEFAULT_ERROR, //
    },
    prelude::*,
};
use core::marker::PhantomData;

/// Address space operations implemented in Rust.
#[vtable]
pub trait Operations {
    /// The file system these operations belong to.
    type FileSystem: FileSystem;

    /// Fills `folio`, a locked folio of the page cache of `inode` that is not up to date, with
    /// the data at its position (`read_folio`). The folio starts out zeroed, so only data needs
    /// to be written. On success the folio is marked up to date; it is unlocked either way.
    fn read_folio(_inode: &INode<Self::FileSystem>, _folio: &mut LockedFolio<'_>) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
}

/// A locked folio of the page cache being read (`struct folio`).
///
/// # Invariants
///
/// `folio` is valid and locked by the current task for `'a`; nobody else writes to it.
pub struct LockedFolio<'a> {
    folio: *mut bindings::folio,
    _p: PhantomData<&'a mut bindings::folio>,
}

impl LockedFolio<'_> {
    /// Returns the position of the folio in the file, in bytes (`folio_pos()`).
    pub fn pos(&self) -> i64 {
        // SAFETY: The folio is valid (type invariant).
        unsafe { bindings::folio_pos(self.folio) }
    }

    /// Returns the size of the folio in bytes (`folio_size()`).
    pub fn size(&self) -> usize {
        // SAFETY: The folio is valid (type invariant).
        unsafe { bindings::folio_size(self.folio) }
    }

    /// Copies `data` into the folio at `offset` (`memcpy_to_folio()`). Fails with `EINVAL` if it
    /// does not fit.
    pub fn write(&mut self, offset: usize, data: &[u8]) -> Result {
        let end = offset.checked_add(data.len()).ok_or(EINVAL)?;
        if end > self.size() {
            return Err(EINVAL);
        }
        // SAFETY: The folio is locked by us (type invariant) and `offset..end` is inside it.
        unsafe { bindings::memcpy_to_folio(self.folio, offset, data.as_ptr().cast(), data.len()) };
        Ok(())
    }

    /// Fills `len` bytes of the folio from `offset` on with zeros (`folio_zero_range()`). Fails
    /// with `EINVAL` if the range is not inside the folio.
    pub fn zero(&mut self, offset: usize, len: usize) -> Result {
        let end = offset.checked_add(len).ok_or(EINVAL)?;
        if end > self.size() {
            return Err(EINVAL);
        }
        // SAFETY: The folio is locked by us (type invariant) and the range is inside it.
        unsafe { bindings::folio_zero_range(self.folio, offset, len) };
        Ok(())
    }
}

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

    /// Builds the table for operations `U`. Pages are only read, so the file system should be
    /// read-only.
    pub const fn new<U: Operations<FileSystem = T>>() -> Self {
        Self(
            bindings::address_space_operations {
                read_folio: if U::HAS_READ_FOLIO {
                    Some(read_folio_callback::<U>)
                } else {
                    None
                },
                ..pin_init::zeroed()
            },
            PhantomData,
        )
    }

    pub(crate) fn as_raw(&self) -> *const bindings::address_space_operations {
        &self.0
    }
}

/// `address_space_operations::read_folio`.
///
/// # Safety
///
/// Called by the page cache with a locked folio of the mapping of an inode of `U::FileSystem`.
unsafe extern "C" fn read_folio_callback<U: Operations>(
    _file: *mut bindings::file,
    folio: *mut bindings::folio,
) -> c_int {
    // SAFETY:
    // - A locked folio has a stable mapping whose host is an inode of `U::FileSystem`.
    // - The reader keeps the inode alive, so it stays valid while `inode` is used here.
    let inode = unsafe { INode::from_raw((*bindings::folio_mapping(folio)).host) };
    // INVARIANT: The folio is locked by the caller for the duration of the call.
    let mut locked = LockedFolio {
        folio,
        _p: PhantomData,
    };
    // Page cache folios are not zeroed: never let a folio with old contents become up to date.
    let size = locked.size();
    let res = locked
        .zero(0, size)
        .and_then(|()| U::read_folio(inode, &mut locked));
    // SAFETY: The folio is locked; this marks it up to date on success and unlocks it.
    unsafe { bindings::folio_end_read(folio, res.is_ok()) };
    match res {
        Ok(()) => 0,
        Err(e) => e.to_errno(),
    }
}
