// SPDX-License-Identifier: GPL-2.0

//! Address space (page cache) operation tables.
//!
//! [`AddressSpaceOps`] is the `struct address_space_operations` of an inode's page cache: the
//! kernel's [`AddressSpaceOps::ram`] for memory-only data, the same with Rust methods that see
//! pages come and go ([`AddressSpaceOps::ram_with`], e.g. to account for them), or
//! [`AddressSpaceOps::of`] for a file system that fills pages itself
//! ([`Operations::read_folio`]).
//!
//! Its type says what it can do with pages ([`PageCache`]): file and inode operations that read
//! or write pages through the page cache (the generic file operations, page-cache symlinks) can
//! only be given to an inode whose address space provides that ([`Provides`]), so that, e.g., a
//! `read()` can never reach an address space without `read_folio`.
//!
//! C header: [`include/linux/fs.h`](srctree/include/linux/fs.h)

use super::{
    filesystem::FileSystem,
    inode::{
        Inode,
        Unreferenced, //
    },
};
use crate::{
    bindings,
    error::{
        code::*,
        to_result,
        VTABLE_DEFAULT_ERROR, //
    },
    ffi::{
        c_uint,
        c_void, //
    },
    prelude::*,
};
use core::{
    marker::PhantomData,
    mem::ManuallyDrop,
    ptr::{
        self,
        NonNull, //
    },
};

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

    /// Returns the locked folio that a write of `begin.len()` bytes at `begin.pos()` goes to
    /// (`write_begin`), with `i_rwsem` of `inode` held exclusively (or, from `page_symlink()`,
    /// on a new inode nobody else uses yet); a file system can end with
    /// [`libfs::simple_write_begin`](super::libfs::simple_write_begin). Dropping the folio on
    /// an error unlocks and releases it.
    fn write_begin<'a>(
        _inode: &Inode<Self::FileSystem>,
        _begin: WriteBegin<'a>,
    ) -> Result<WriteFolio<'a>> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Runs when `len` bytes of `folio` from `offset` on are invalidated (`invalidate_folio`),
    /// e.g. by truncation: all of it (`offset` zero, `len` its size) when it is about to leave
    /// the page cache. Implementing it makes the page cache call it for every folio
    /// (`AS_RELEASE_ALWAYS`).
    fn invalidate_folio(
        _inode: &Unreferenced<'_, Self::FileSystem>,
        _folio: &LockedFolio<'_>,
        _offset: usize,
        _len: usize,
    ) {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Returns whether `folio` may leave the page cache now (`release_folio`), which the kernel
    /// asks before it drops a clean folio to free memory (e.g. `drop_caches`). Implementing it
    /// makes the page cache ask for every folio (`AS_RELEASE_ALWAYS`).
    fn release_folio(
        _inode: &Unreferenced<'_, Self::FileSystem>,
        _folio: &LockedFolio<'_>,
    ) -> bool {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
}

/// The write that `write_begin` prepares a folio for.
///
/// # Invariants
///
/// The fields are the valid arguments of a `write_begin` call that lasts for `'a`, whose
/// mapping's host has `i_rwsem` held exclusively or is a new inode that nobody else uses yet.
pub struct WriteBegin<'a> {
    iocb: *const bindings::kiocb,
    mapping: *mut bindings::address_space,
    pos: i64,
    len: u32,
    fsdata: *mut *mut c_void,
    _p: PhantomData<&'a mut bindings::address_space>,
}

impl WriteBegin<'_> {
    /// Returns the position of the write in the file, in bytes.
    pub fn pos(&self) -> i64 {
        self.pos
    }

    /// Returns the length of the write in bytes; it does not cross a folio boundary.
    pub fn len(&self) -> u32 {
        self.len
    }

    /// Returns `true` for a write of no bytes.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// A locked folio of the page cache that a write goes to, with a reference to it: what
/// `write_begin` returns. Dropping it (on an error) unlocks and releases the folio.
///
/// # Invariants
///
/// `folio` is a folio of the mapping of the write `'a`, locked by the current task, of which
/// this object owns one reference.
pub struct WriteFolio<'a> {
    folio: NonNull<bindings::folio>,
    _p: PhantomData<&'a mut bindings::folio>,
}

impl WriteFolio<'_> {
    /// Returns `true` if the folio holds the file's data (`folio_test_uptodate()`), `false` for
    /// a folio new to the page cache (or one that could not be read), which the write makes up
    /// to date.
    pub fn is_uptodate(&self) -> bool {
        // SAFETY: The folio is valid (type invariant).
        unsafe { bindings::folio_test_uptodate(self.folio.as_ptr()) }
    }

    /// Returns the number of pages in the folio (`folio_nr_pages()`).
    pub fn nr_pages(&self) -> usize {
        // SAFETY: The folio is valid (type invariant).
        unsafe { bindings::folio_nr_pages(self.folio.as_ptr()) as usize }
    }

    /// Gives up on a folio that is not up to date, one the write added to the page cache or
    /// one that could not be read: removes it from the page cache of a regular file
    /// (`generic_error_remove_folio()`), so that nothing is left of a refused write, then
    /// unlocks and releases it. An up to date folio is only unlocked and released.
    pub fn discard(self) {
        if !self.is_uptodate() {
            // SAFETY:
            // - The folio is locked by us (type invariant) and is in the page cache of its
            //   mapping: `write_begin` found or added it there, and truncation, which needs
            //   `i_rwsem` or the folio lock, cannot have removed it.
            // - It is not up to date, so not mapped: removing it loses no data, and the reference
            //   we own keeps it alive until it is dropped below. For an inode other than a
            //   regular file, `generic_error_remove_folio()` fails and leaves it.
            unsafe {
                let folio = self.folio.as_ptr();
                bindings::generic_error_remove_folio(bindings::folio_mapping(folio), folio);
            }
        }
        // Dropping unlocks and releases it.
    }

    fn into_raw(self) -> *mut bindings::folio {
        ManuallyDrop::new(self).folio.as_ptr()
    }
}

impl Drop for WriteFolio<'_> {
    fn drop(&mut self) {
        // SAFETY: The folio is locked by us and we own a reference to it (type invariant), both
        // given up here.
        unsafe {
            bindings::folio_unlock(self.folio.as_ptr());
            bindings::folio_put(self.folio.as_ptr());
        }
    }
}

/// Does what `simple_write_begin()` does, from a Rust `write_begin`: finds or adds the folio at
/// the position of the write, locked, and zeroes what the write does not cover of a folio that
/// is not up to date.
pub fn simple_write_begin(begin: WriteBegin<'_>) -> Result<WriteFolio<'_>> {
    let mut folio = ptr::null_mut();
    // SAFETY: The arguments are those of a `write_begin` call with the locks it holds
    // (`WriteBegin` invariants); `folio` is a valid local for the result.
    to_result(unsafe {
        bindings::simple_write_begin(
            begin.iocb,
            begin.mapping,
            begin.pos,
            begin.len,
            &mut folio,
            begin.fsdata,
        )
    })?;
    // INVARIANT: On success, `simple_write_begin()` returns a locked folio of the mapping with a
    // reference for the caller.
    Ok(WriteFolio {
        folio: NonNull::new(folio).ok_or(EINVAL)?,
        _p: PhantomData,
    })
}

/// A locked folio of the page cache (`struct folio`), being read or invalidated.
///
/// # Invariants
///
/// `folio` is valid and locked by the current task for `'a`; nobody else writes to it.
pub struct LockedFolio<'a> {
    folio: *mut bindings::folio,
    _p: PhantomData<&'a mut bindings::folio>,
}

impl LockedFolio<'_> {
    /// Returns `true` if the folio is up to date (`folio_test_uptodate()`).
    pub fn is_uptodate(&self) -> bool {
        // SAFETY: The folio is valid (type invariant).
        unsafe { bindings::folio_test_uptodate(self.folio) }
    }

    /// Returns the number of pages in the folio (`folio_nr_pages()`).
    pub fn nr_pages(&self) -> usize {
        // SAFETY: The folio is valid (type invariant).
        unsafe { bindings::folio_nr_pages(self.folio) as usize }
    }

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

    /// Returns [`AddressSpaceOps::ram`] with the methods of `U` in place of or beside its own,
    /// built at compile time: `read_folio` (after zeroing the folio, as `ram_aops` does; a folio
    /// it fails to fill leaves the page cache, since there is nothing to read it from later),
    /// `write_begin`, and `invalidate_folio` with `release_folio` (both or neither), which the
    /// page cache then calls for every folio of an inode that gets the table (see
    /// [`New::set_aops`](super::inode::New::set_aops)). `write_end` and `dirty_folio` are those
    /// of `ram_aops`.
    pub const fn ram_with<U: Operations<FileSystem = T>>() -> &'static Self {
        &RamTable::<U>::OPS
    }

    const fn new_ram<U: Operations<FileSystem = T>>() -> Self {
        // With `AS_RELEASE_ALWAYS`, a missing `release_folio` would free buffers the folios do
        // not have (`try_to_free_buffers()`).
        const {
            assert!(
                U::HAS_INVALIDATE_FOLIO == U::HAS_RELEASE_FOLIO,
                "invalidate_folio and release_folio go together"
            )
        };
        Self(
            bindings::address_space_operations {
                read_folio: Some(if U::HAS_READ_FOLIO {
                    ram_read_folio_callback::<U>
                } else {
                    ram_read_folio
                }),
                write_begin: Some(if U::HAS_WRITE_BEGIN {
                    write_begin_callback::<U>
                } else {
                    bindings::simple_write_begin
                }),
                write_end: Some(ram_write_end),
                dirty_folio: Some(bindings::noop_dirty_folio),
                invalidate_folio: if U::HAS_INVALIDATE_FOLIO {
                    Some(invalidate_folio_callback::<U>)
                } else {
                    None
                },
                release_folio: if U::HAS_RELEASE_FOLIO {
                    Some(release_folio_callback::<U>)
                } else {
                    None
                },
                ..pin_init::zeroed()
            },
            PhantomData,
        )
    }
}

/// The table of `ram_aops` with the address space operations `U`, built at compile time.
struct RamTable<U>(PhantomData<U>);

impl<U: Operations> RamTable<U> {
    const OPS: AddressSpaceOps<U::FileSystem, ReadWritePages> = AddressSpaceOps::new_ram::<U>();
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
            );
            assert!(
                !(U::HAS_WRITE_BEGIN || U::HAS_INVALIDATE_FOLIO || U::HAS_RELEASE_FOLIO),
                "write_begin, invalidate_folio and release_folio need AddressSpaceOps::ram_with"
            );
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

    /// Whether the page cache must call `invalidate_folio` or `release_folio` for every folio
    /// (`AS_RELEASE_ALWAYS`): they are Rust methods that want to see them all.
    pub(crate) fn release_always(&self) -> bool {
        self.0.invalidate_folio.is_some() || self.0.release_folio.is_some()
    }
}

/// `ram_aops.read_folio` (the static `simple_read_folio()`).
///
/// # Safety
///
/// Called by the page cache as `read_folio`.
unsafe extern "C" fn ram_read_folio(
    file: *mut bindings::file,
    folio: *mut bindings::folio,
) -> c_int {
    // SAFETY: `ram_aops` is static and immutable and has a `read_folio`, to which the arguments
    // of this `read_folio` call are passed on.
    unsafe {
        bindings::ram_aops
            .read_folio
            .map_or(EINVAL.to_errno(), |f| f(file, folio))
    }
}

/// `ram_aops.write_end` (the static `simple_write_end()`).
///
/// # Safety
///
/// Called by the page cache as `write_end`, after a `write_begin` of a table built by
/// [`AddressSpaceOps::ram_with`] returned `folio`.
unsafe extern "C" fn ram_write_end(
    iocb: *const bindings::kiocb,
    mapping: *mut bindings::address_space,
    pos: i64,
    len: c_uint,
    copied: c_uint,
    folio: *mut bindings::folio,
    fsdata: *mut c_void,
) -> c_int {
    // SAFETY: `ram_aops` is static and immutable and has a `write_end`, which matches the
    // `write_begin` of the table (the one of `ram_aops`, or a Rust one that returns the folio of
    // `simple_write_begin()`); the arguments of this call are passed on.
    unsafe {
        bindings::ram_aops.write_end.map_or(EINVAL.to_errno(), |f| {
            f(iocb, mapping, pos, len, copied, folio, fsdata)
        })
    }
}

/// `address_space_operations::write_begin`.
///
/// # Safety
///
/// Called by `generic_perform_write()` with valid arguments, the mapping of an inode of
/// `U::FileSystem` whose `i_rwsem` is held exclusively, or by `page_symlink()` on a new inode
/// that nobody else uses yet.
unsafe extern "C" fn write_begin_callback<U: Operations>(
    iocb: *const bindings::kiocb,
    mapping: *mut bindings::address_space,
    pos: i64,
    len: c_uint,
    foliop: *mut *mut bindings::folio,
    fsdata: *mut *mut c_void,
) -> c_int {
    // SAFETY: The mapping is valid and its host is an inode of `U::FileSystem`, kept alive by
    // the writer (safety requirements).
    let inode = unsafe { Inode::from_raw((*mapping).host) };
    // INVARIANT: The arguments are those of this call (safety requirements).
    let begin = WriteBegin {
        iocb,
        mapping,
        pos,
        len,
        fsdata,
        _p: PhantomData,
    };
    match U::write_begin(inode, begin) {
        Ok(folio) => {
            // SAFETY: `foliop` is valid for writes (safety requirements); `write_end` gets the
            // locked folio and its reference.
            unsafe { *foliop = folio.into_raw() };
            0
        }
        Err(e) => e.to_errno(),
    }
}

/// `address_space_operations::invalidate_folio`.
///
/// # Safety
///
/// Called by the page cache with a locked folio of the mapping of an inode of `U::FileSystem`.
unsafe extern "C" fn invalidate_folio_callback<U: Operations>(
    folio: *mut bindings::folio,
    offset: usize,
    len: usize,
) {
    // SAFETY: A locked folio of the page cache has a stable mapping, whose host is an inode of
    // `U::FileSystem` that is not freed, nor its data dropped, while one of its folios is
    // locked: eviction truncates the page cache, which waits for the folio lock, before
    // `destroy_inode`. The inode may be evicting (`truncate_inode_pages_final()`), with no
    // reference left: hence `Unreferenced`.
    let inode = unsafe { Unreferenced::from_raw((*bindings::folio_mapping(folio)).host) };
    // INVARIANT: The folio is locked by the caller for the duration of the call.
    let locked = LockedFolio {
        folio,
        _p: PhantomData,
    };
    U::invalidate_folio(&inode, &locked, offset, len);
}

/// `address_space_operations::release_folio`.
///
/// # Safety
///
/// Called by `filemap_release_folio()` with a locked folio of the mapping of an inode of
/// `U::FileSystem`.
unsafe extern "C" fn release_folio_callback<U: Operations>(
    folio: *mut bindings::folio,
    _gfp: bindings::gfp_t,
) -> bool {
    // SAFETY: As in `invalidate_folio_callback`; reclaim may also release folios of an inode
    // nobody holds.
    let inode = unsafe { Unreferenced::from_raw((*bindings::folio_mapping(folio)).host) };
    // INVARIANT: The folio is locked by the caller for the duration of the call.
    let locked = LockedFolio {
        folio,
        _p: PhantomData,
    };
    U::release_folio(&inode, &locked)
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
    // SAFETY: As required by `fill_folio` (safety requirements).
    unsafe { fill_folio::<U>(folio, false) }
}

/// `address_space_operations::read_folio` of [`AddressSpaceOps::ram_with`]: as
/// [`read_folio_callback`], but a folio that could not be filled is removed from the page cache.
///
/// # Safety
///
/// Called by the page cache with a locked folio of the mapping of an inode of `U::FileSystem`
/// that is not up to date (so not mapped), from its read, fault and readahead paths, which give
/// up on it after an error.
unsafe extern "C" fn ram_read_folio_callback<U: Operations>(
    _file: *mut bindings::file,
    folio: *mut bindings::folio,
) -> c_int {
    // SAFETY: As required by `fill_folio`, and removable on an error (safety requirements).
    unsafe { fill_folio::<U>(folio, true) }
}

/// Zeroes `folio`, fills it with [`Operations::read_folio`], and unlocks it, marked up to date
/// on success; on an error, also removes it from the page cache first if `remove`.
///
/// # Safety
///
/// `folio` must be a locked folio of the mapping of an inode of `U::FileSystem`, which the
/// caller keeps alive, and that is not up to date. With `remove`, the caller must cope with the
/// folio leaving the page cache on an error (it may hold no reference of its own: readahead's
/// `readahead_folio()` drops it before `read_folio`).
unsafe fn fill_folio<U: Operations>(folio: *mut bindings::folio, remove: bool) -> c_int {
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
    let removed = res.is_err() && remove;
    if removed {
        // SAFETY:
        // - The folio is locked and in the page cache of its mapping (safety requirements), as
        //   removing it requires; for a regular file that is `truncate_inode_folio()`, for other
        //   inodes `generic_error_remove_folio()` fails and leaves it.
        // - The reference taken first keeps the folio alive until it is unlocked below, also if
        //   the page cache's was the only one (readahead).
        unsafe {
            bindings::folio_get(folio);
            bindings::generic_error_remove_folio(bindings::folio_mapping(folio), folio);
        }
    }
    // SAFETY: The folio is locked; this marks it up to date on success and unlocks it.
    unsafe { bindings::folio_end_read(folio, res.is_ok()) };
    if removed {
        // SAFETY: We took this reference above.
        unsafe { bindings::folio_put(folio) };
    }
    match res {
        Ok(()) => 0,
        Err(e) => e.to_errno(),
    }
}
