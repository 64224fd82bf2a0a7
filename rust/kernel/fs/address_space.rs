// SPDX-License-Identifier: GPL-2.0

//! Address space (page cache) operation tables.
//!
//! [`AddressSpaceOps`] is the `struct address_space_operations` of an inode's page cache: the
//! kernel's [`AddressSpaceOps::ram`] for memory-only data, or [`AddressSpaceOps::of`] for a file
//! system that fills pages itself ([`Operations::read_folio`]).
//!
//! Its type says what it can do with pages ([`PageCache`]): file and inode operations that read
//! or write pages through the page cache (the generic file operations, page-cache symlinks) can
//! only be given to an inode whose address space provides that ([`Provides`]), so that, e.g., a
//! `read()` can never reach an address space without `read_folio`.
//!
//! C header: [`include/linux/fs.h`](srctree/include/linux/fs.h)

use super::{
    filesystem::FileSystem,
    inode::Inode, //
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
    fn read_folio(_inode: &Inode<Self::FileSystem>, _folio: &mut LockedFolio<'_>) -> Result {
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

/// What the address space operations of an inode can do with its page cache: [`NoPages`],
/// [`ReadPages`] or [`ReadWritePages`].
///
/// This trait is sealed: the kernel crate implements it for these three kinds only.
pub trait PageCache: private::Sealed {}

/// The kind of [`PageCache`] that a table needing `Q` can be used with: `P: Provides<Q>`.
///
/// This trait is sealed.
pub trait Provides<Q: PageCache>: PageCache {}

mod private {
    pub trait Sealed {}
}

/// Address space operations that cannot read or write pages (`empty_aops`, which a new inode
/// starts with): for directories, special files and inodes whose data is not in the page cache.
pub struct NoPages;

/// Address space operations that fill pages (`read_folio`), such as [`AddressSpaceOps::of`].
pub struct ReadPages;

/// Address space operations that also write and dirty pages (`write_begin`, `write_end`,
/// `dirty_folio`), such as [`AddressSpaceOps::ram`].
pub struct ReadWritePages;

impl private::Sealed for NoPages {}
impl PageCache for NoPages {}
impl private::Sealed for ReadPages {}
impl PageCache for ReadPages {}
impl private::Sealed for ReadWritePages {}
impl PageCache for ReadWritePages {}

impl<P: PageCache> Provides<NoPages> for P {}
impl Provides<ReadPages> for ReadPages {}
impl Provides<ReadPages> for ReadWritePages {}
impl Provides<ReadWritePages> for ReadWritePages {}

/// A table of address space operations (`struct address_space_operations`) for inodes of file
/// system `T`, of kind `P`.
#[repr(transparent)]
pub struct AddressSpaceOps<T: FileSystem, P: PageCache>(
    bindings::address_space_operations,
    PhantomData<(T, P)>,
);

// SAFETY: The table is immutable and only holds function pointers.
unsafe impl<T: FileSystem, P: PageCache> Sync for AddressSpaceOps<T, P> {}

/// The table of address space operations `U`, built at compile time.
struct Table<U>(PhantomData<U>);

impl<U: Operations> Table<U> {
    const OPS: AddressSpaceOps<U::FileSystem, ReadPages> = AddressSpaceOps::new::<U>();
}

impl<T: FileSystem> AddressSpaceOps<T, ReadWritePages> {
    /// Page cache that is the only copy of the data (`ram_aops`): new pages are zero-filled,
    /// writes only dirty them, nothing is ever written back.
    pub fn ram() -> &'static Self {
        // SAFETY: `ram_aops` is static and immutable, and has `read_folio`, `write_begin`,
        // `write_end` and `dirty_folio`; `Self` is `repr(transparent)` over it.
        unsafe { &*(&raw const bindings::ram_aops).cast::<Self>() }
    }
}

impl<T: FileSystem> AddressSpaceOps<T, ReadPages> {
    /// Returns the table for operations `U`, built at compile time. Pages are only read, so
    /// the file system should be read-only.
    pub const fn of<U: Operations<FileSystem = T>>() -> &'static Self {
        &Table::<U>::OPS
    }

    const fn new<U: Operations<FileSystem = T>>() -> Self {
        const {
            assert!(
                U::HAS_READ_FOLIO,
                "address space operations without read_folio"
            )
        };
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
}

impl<T: FileSystem, P: PageCache> AddressSpaceOps<T, P> {
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
    let inode = unsafe { Inode::from_raw((*bindings::folio_mapping(folio)).host) };
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
