// SPDX-License-Identifier: GPL-2.0

//! Per-inode data ([`FileSystem::InodeData`]) and the inode slab cache that holds it.
//!
//! A file system whose inodes carry data gets a slab cache of its own, created when its type is
//! registered. `alloc_inode` allocates a [`WithData`] from it, the inode and the data side by
//! side; `destroy_inode` drops the data when the inode is evicted, in process context (its
//! `Drop` may sleep), and `free_inode` frees the object after an RCU grace period; the cache is
//! destroyed after `rcu_barrier()` when the type is unregistered. A file system without data
//! (`()`) uses the VFS's common inode cache.
//!
//! What path walks may read in RCU-walk mode, where an evicted inode can still be seen, lives
//! until the grace period is over: the inode itself and the target of a symlink kept in memory
//! ([`New::set_cached_link`](super::New::set_cached_link)), which `free_inode` frees. The data
//! is only reachable through [`Inode::data`](super::Inode::data), and no Rust callback runs in
//! RCU-walk mode: a future one (`get_link` without a dentry, `permission` with
//! `MAY_NOT_BLOCK`, `d_revalidate` with `LOOKUP_RCU`) must get a view of the inode without it.
//!
//! C header: [`include/linux/fs.h`](srctree/include/linux/fs.h)

use super::super::{
    filesystem::{
        FileSystem,
        FileSystemType, //
    },
    xattr,
};
use crate::{
    bindings,
    error::{
        code::*,
        Result, //
    },
    str::CStrExt as _,
    types::Opaque, //
};
use core::{
    ffi::c_void,
    mem::{
        self,
        MaybeUninit, //
    },
    ptr::{
        self,
        NonNull, //
    },
};
use pin_init::PinInit;

/// Whether the inodes of `T` carry [`FileSystem::InodeData`], and hence come from the inode
/// cache of `T`.
pub(crate) const fn has_data<T: FileSystem>() -> bool {
    mem::size_of::<T::InodeData>() != 0 || mem::needs_drop::<T::InodeData>()
}

/// An inode of `T` with its data, as allocated from the inode cache of `T`.
///
/// # Invariants
///
/// `data` is initialised if and only if `has_data` is true.
#[repr(C)]
pub(crate) struct WithData<T: FileSystem> {
    inode: Opaque<bindings::inode>,
    has_data: bool,
    data: MaybeUninit<T::InodeData>,
}

impl<T: FileSystem> WithData<T> {
    /// Returns the container of `inode`.
    ///
    /// # Safety
    ///
    /// `inode` must be an inode of `T`, with [`has_data::<T>()`](has_data).
    unsafe fn from_inode(inode: *mut bindings::inode) -> *mut Self {
        // SAFETY: Inodes of such `T` are all allocated as `WithData<T>` (`alloc_inode_callback`).
        unsafe { crate::container_of!(inode.cast::<Opaque<bindings::inode>>(), Self, inode) }
    }

    /// Returns the data of `inode`.
    ///
    /// # Safety
    ///
    /// `inode` must be an inode of `T`, with [`has_data::<T>()`](has_data) and its data
    /// initialised, valid for `'a`.
    pub(super) unsafe fn data<'a>(inode: *mut bindings::inode) -> &'a T::InodeData {
        // SAFETY: The inode is in a `WithData<T>` with initialised data (safety requirements).
        unsafe { (*Self::from_inode(inode)).data.assume_init_ref() }
    }
}

/// Returns `true` if the data of `inode`, an inode of `T`, is initialised: always for a file
/// system without inode data, whose `()` needs none.
///
/// # Safety
///
/// `inode` must be a valid inode of `T`.
pub(crate) unsafe fn has_initialised_data<T: FileSystem>(inode: *mut bindings::inode) -> bool {
    if !has_data::<T>() {
        return true;
    }
    // SAFETY: The inode of such a `T` is in a `WithData<T>`, whose `has_data` says whether the
    // data is initialised (type invariant).
    unsafe { (*WithData::<T>::from_inode(inode)).has_data }
}

/// Initialises the data of a new inode of `T` in place with `init`, so that it may be pinned
/// (e.g. embed a `Mutex`). On failure, the data is not initialised and the inode may be released
/// as it is.
///
/// # Safety
///
/// `inode` must be a new inode of `T` that nobody else uses yet, whose data is not initialised.
pub(crate) unsafe fn init_data<T: FileSystem, E>(
    inode: *mut bindings::inode,
    init: impl PinInit<T::InodeData, E>,
) -> Result<(), E> {
    if !has_data::<T>() {
        // Zero-sized and without drop glue: nothing is stored, nothing is ever dropped.
        let slot = NonNull::<T::InodeData>::dangling().as_ptr();
        // SAFETY: A dangling, aligned pointer is valid for writes of a zero-sized type, and the
        // value is never moved (there is none to move).
        return unsafe { init.__pinned_init(slot) };
    }
    // SAFETY:
    // - The inode is a new `WithData<T>` that only we access (safety requirements), so `data`
    //   is valid for writes and does not move until the inode is freed.
    // - `has_data` is set only once `init` succeeded, so `destroy_inode` drops only initialised
    //   data.
    unsafe {
        let c = WithData::<T>::from_inode(inode);
        init.__pinned_init((&raw mut (*c).data).cast::<T::InodeData>())?;
        (*c).has_data = true;
    }
    Ok(())
}

/// The slab cache the inodes of a file system with [`FileSystem::InodeData`] come from.
///
/// # Invariants
///
/// `0` is null, or a cache of `WithData<T>` objects for the `T` it was created for, which has
/// no objects left when this is dropped.
pub(crate) struct InodeCache(*mut bindings::kmem_cache);

// SAFETY: Slab caches may be used and destroyed from any thread.
unsafe impl Send for InodeCache {}
// SAFETY: `&InodeCache` only gives out the pointer.
unsafe impl Sync for InodeCache {}

impl InodeCache {
    /// No cache.
    pub(crate) const fn none() -> Self {
        Self(ptr::null_mut())
    }

    /// Creates the inode cache for `T`; no cache is needed (null) if `T` has no inode data.
    pub(crate) fn new<T: FileSystem>() -> Result<Self> {
        if !has_data::<T>() {
            return Ok(Self::none());
        }
        let mut args: bindings::kmem_cache_args = pin_init::zeroed();
        args.align = mem::align_of::<WithData<T>>() as u32;
        args.ctor = Some(inode_init_once_callback::<T>);
        let size = u32::try_from(mem::size_of::<WithData<T>>()).map_err(|_| EINVAL)?;
        // SAFETY: `T::NAME` is a static string; `args` is valid for the call.
        let cache = unsafe {
            bindings::__kmem_cache_create_args(
                T::NAME.as_char_ptr(),
                size,
                &mut args,
                bindings::SLAB_RECLAIM_ACCOUNT | bindings::SLAB_ACCOUNT,
            )
        };
        if cache.is_null() {
            return Err(ENOMEM);
        }
        Ok(Self(cache))
    }

    pub(crate) fn as_raw(&self) -> *mut bindings::kmem_cache {
        self.0
    }
}

impl Drop for InodeCache {
    fn drop(&mut self) {
        if self.0.is_null() {
            return;
        }
        crate::task::might_sleep();
        // SAFETY: `rcu_barrier` may sleep, as `drop` of a registration may. It waits for the
        // pending RCU callbacks, in which inodes are freed (`free_inode`).
        unsafe { bindings::rcu_barrier() };
        // SAFETY: No inode of the cache is left (type invariant) and no RCU callback is pending.
        unsafe { bindings::kmem_cache_destroy(self.0) };
    }
}

/// The constructor of inode cache objects: initialises the parts of the inode that survive
/// reuse (`inode_init_once()`).
///
/// # Safety
///
/// Called by the slab allocator with a new object of the inode cache of `T`.
unsafe extern "C" fn inode_init_once_callback<T: FileSystem>(obj: *mut c_void) {
    let c = obj.cast::<WithData<T>>();
    // SAFETY: `obj` is a `WithData<T>` being constructed; its inode is only initialised here.
    unsafe {
        (*c).has_data = false;
        bindings::inode_init_once(Opaque::cast_into(&raw const (*c).inode));
    }
}

/// `super_operations::alloc_inode` for `T`, if it has inode data.
pub(crate) const fn alloc_inode_callback<T: FileSystem>(
) -> Option<unsafe extern "C" fn(*mut bindings::super_block) -> *mut bindings::inode> {
    if has_data::<T>() {
        Some(alloc_inode::<T>)
    } else {
        None
    }
}

/// `super_operations::destroy_inode` for `T`, if it has inode data.
pub(crate) const fn destroy_inode_callback<T: FileSystem>(
) -> Option<unsafe extern "C" fn(*mut bindings::inode)> {
    if has_data::<T>() {
        Some(destroy_inode::<T>)
    } else {
        None
    }
}

/// `super_operations::free_inode` for `T`.
pub(crate) const fn free_inode_callback<T: FileSystem>(
) -> Option<unsafe extern "C" fn(*mut bindings::inode)> {
    if has_data::<T>() {
        Some(free_inode::<T>)
    } else {
        Some(free_inode_without_data::<T>)
    }
}

/// Frees the target of a symlink kept in memory ([`New::set_cached_link`]), if the inode has
/// one, and forgets it.
///
/// [`New::set_cached_link`]: super::New::set_cached_link
///
/// # Safety
///
/// `inode` must be a valid inode of a Rust file system whose cached link, if any, nobody can
/// read anymore: a new inode that only the caller uses, or one after an RCU grace period.
#[inline]
pub(super) unsafe fn free_cached_link(inode: *mut bindings::inode) {
    // SAFETY:
    // - `inode` is valid and its cached link unused (safety requirements).
    // - On the inodes of Rust file systems, only `New::set_cached_link` sets
    //   `IOP_CACHED_LINK`, with a `kmalloc()`ed `i_link` that the inode owns, and
    //   `New::forget_cached_link` clears it before the mode can change through the builder.
    //   The mode is not checked: `make_bad_inode()` (after `iget_failed()`) makes a symlink a
    //   regular file and leaves its link.
    unsafe {
        if u32::from((*inode).i_opflags) & bindings::IOP_CACHED_LINK != 0 {
            bindings::kfree((*inode).__bindgen_anon_5.i_link.cast());
            (*inode).__bindgen_anon_5.i_link = ptr::null_mut();
            (*inode).i_opflags &= !(bindings::IOP_CACHED_LINK as u16);
        }
    }
}

/// `super_operations::free_inode` for file systems without inode data, called after an RCU
/// grace period: frees a cached link and attributes left, then the inode, as the VFS would
/// (`free_inode_nonrcu()`).
///
/// # Safety
///
/// Called by the VFS with an inode of the common inode cache that is not used anymore.
unsafe extern "C" fn free_inode_without_data<T: FileSystem>(inode: *mut bindings::inode) {
    // SAFETY: The inode is not used anymore (safety requirements), also not its cached link
    // and its attributes: an RCU grace period passed since it was evicted.
    unsafe {
        free_cached_link(inode);
        xattr::free_inode_xattrs::<T>(inode);
    }
    // SAFETY: The inode came from the common inode cache (`alloc_inode()` without
    // `super_operations::alloc_inode`) and is not used anymore.
    unsafe { bindings::free_inode_nonrcu(inode) };
}

/// `super_operations::alloc_inode`.
///
/// # Safety
///
/// Called by the VFS with a valid superblock of `T`, whose type is a `FileSystemType<T>`.
unsafe extern "C" fn alloc_inode<T: FileSystem>(
    sb: *mut bindings::super_block,
) -> *mut bindings::inode {
    // SAFETY: `sb` is a valid superblock of `T`, whose type is a `FileSystemType<T>`.
    let cache = unsafe { FileSystemType::<T>::inode_cache(sb) };
    // SAFETY: `cache` is the valid inode cache of `T`, which has inode data.
    let c = unsafe { bindings::alloc_inode_sb(sb, cache, bindings::GFP_KERNEL) };
    let c = c.cast::<WithData<T>>();
    if c.is_null() {
        return ptr::null_mut();
    }
    // SAFETY: `c` is a valid, constructed `WithData<T>` of the inode cache of `T`: objects are
    // constructed by `inode_init_once_callback`, and freed ones have `has_data` false.
    unsafe { Opaque::cast_into(&raw const (*c).inode) }
}

/// `super_operations::destroy_inode`: drops the data of an inode being evicted.
///
/// # Safety
///
/// Called by the VFS (`destroy_inode()`) in process context with an inode of `T` allocated by
/// `alloc_inode` that is being evicted; `free_inode` follows after an RCU grace period.
unsafe extern "C" fn destroy_inode<T: FileSystem>(inode: *mut bindings::inode) {
    // SAFETY: `inode` was allocated by `alloc_inode` (safety requirements).
    let c = unsafe { WithData::<T>::from_inode(inode) };
    // SAFETY:
    // - `c` is the valid `WithData<T>` of `inode`, freed only by `free_inode`.
    // - By the invariant of `WithData`, `data` is initialised if `has_data`.
    // - The inode is being evicted: no Rust code uses its data anymore (none runs in RCU-walk
    //   mode).
    unsafe {
        if (*c).has_data {
            (*c).has_data = false;
            (*c).data.assume_init_drop();
        }
    }
}

/// `super_operations::free_inode`, called after an RCU grace period.
///
/// # Safety
///
/// Called by the VFS with an inode of `T` allocated by `alloc_inode`, destroyed by
/// `destroy_inode` and not used anymore.
unsafe extern "C" fn free_inode<T: FileSystem>(inode: *mut bindings::inode) {
    // SAFETY: The inode is not used anymore (safety requirements), also not its cached link
    // and its attributes: an RCU grace period passed since it was evicted.
    unsafe {
        free_cached_link(inode);
        xattr::free_inode_xattrs::<T>(inode);
    }
    // SAFETY: `inode` was allocated by `alloc_inode` (safety requirements).
    let c = unsafe { WithData::<T>::from_inode(inode) };
    // SAFETY:
    // - Nobody uses the object anymore (safety requirements).
    // - It holds no data to drop: `destroy_inode` dropped it (`has_data` is false), except for
    //   an inode that failed to be set up (`iget_failed()`), which never had data.
    // - `c` is an object of the inode cache, and `kfree()` frees objects of any slab cache; the
    //   superblock, and with it the way to the cache, may already be gone in this RCU callback.
    unsafe { bindings::kfree(c.cast()) };
}
