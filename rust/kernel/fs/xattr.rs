// SPDX-License-Identifier: GPL-2.0

//! Extended attributes: their handlers (`struct xattr_handler`) and their storage in memory
//! (`struct simple_xattr`).
//!
//! A file system lists the namespaces it supports (`user.`, `trusted.`, `security.`) in a
//! [`Handlers`] table, which [`SuperBlock::set_xattr_handlers`] installs. The VFS checks who may
//! read or change an attribute, then calls the [`Handler`] of the name's prefix. An in-memory
//! file system keeps the attributes of each inode in [`SimpleXattrs`], allocated with the first
//! one, as tmpfs does with the `simple_xattr_*()` helpers; `listxattr` lists them with
//! [`SimpleXattrs::list`].
//!
//! POSIX ACLs (`system.posix_acl_*`) are not extended attributes to a file system: the VFS
//! passes them to `inode_operations::set_acl`, see
//! [`SuperBlock::set_posix_acl`](crate::fs::sb::SuperBlock::set_posix_acl).
//!
//! C header: [`include/linux/xattr.h`](srctree/include/linux/xattr.h)

use crate::{
    bindings,
    error::{
        code::*,
        from_err_ptr,
        from_result,
        to_result,
        Result, //
    },
    ffi::{
        c_char,
        c_int,
        c_void, //
    },
    fs::{
        filesystem::{
            FileSystem,
            FileSystemType, //
        },
        idmap::MntIdmap,
        inode::{
            Evicting,
            Inode, //
        },
        lock::{
            Exclusive,
            Locked, //
        },
        sb::SuperBlock,
    },
    prelude::*,
    sync::atomic::{
        Acquire,
        Atomic,
        Relaxed,
        Release, //
    },
    types::Opaque, //
};
use core::{
    marker::PhantomData,
    ptr, //
};

/// The prefix of the `user.` namespace, for any user the file's permissions allow.
pub const USER_PREFIX: &CStr = c"user.";
/// The prefix of the `trusted.` namespace, for `CAP_SYS_ADMIN` only (overlayfs keeps its
/// metadata there).
pub const TRUSTED_PREFIX: &CStr = c"trusted.";
/// The prefix of the `security.` namespace, for security modules.
pub const SECURITY_PREFIX: &CStr = c"security.";

/// How `setxattr(2)` sets an attribute: `XATTR_CREATE`, `XATTR_REPLACE` or neither.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SetFlags(c_int);

impl SetFlags {
    /// Fail with `EEXIST` if the attribute exists (`XATTR_CREATE`).
    pub const CREATE: Self = Self(bindings::XATTR_CREATE as c_int);
    /// Fail with `ENODATA` if the attribute does not exist (`XATTR_REPLACE`).
    pub const REPLACE: Self = Self(bindings::XATTR_REPLACE as c_int);

    /// Returns the raw value.
    pub const fn bits(self) -> c_int {
        self.0
    }

    /// Returns `true` if all flags of `other` are set.
    pub const fn contains(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }
}

/// The buffer a value or a list of names is read into (`getxattr(2)`, `listxattr(2)`), or none
/// when the caller only asks for the size.
///
/// The memory may be uninitialised, so it is only written to.
///
/// # Invariants
///
/// `ptr` is null, or valid for writes of `size` bytes for `'a`, which only this task uses.
pub struct Buffer<'a> {
    ptr: *mut u8,
    size: usize,
    _p: PhantomData<&'a mut [u8]>,
}

impl Buffer<'_> {
    /// Creates a [`Buffer`] from a raw pointer and size.
    ///
    /// # Safety
    ///
    /// `ptr` must be null, or valid for writes of `size` bytes for `'a`, which only this task
    /// uses.
    pub(crate) unsafe fn from_raw(ptr: *mut c_void, size: usize) -> Self {
        // INVARIANT: By the safety requirements.
        Self {
            ptr: ptr.cast(),
            size,
            _p: PhantomData,
        }
    }

    /// Returns `true` if the caller only asks for the size of the value or list.
    pub fn is_size_query(&self) -> bool {
        self.ptr.is_null()
    }

    /// Returns the size of the buffer; zero if the caller only asks for the size.
    pub fn capacity(&self) -> usize {
        if self.ptr.is_null() {
            0
        } else {
            self.size
        }
    }

    /// Copies `value` into the buffer and returns its length; only returns the length if the
    /// caller asks for it, and fails with `ERANGE` if the buffer is too small.
    pub fn write(self, value: &[u8]) -> Result<usize> {
        if self.ptr.is_null() {
            return Ok(value.len());
        }
        if value.len() > self.size {
            return Err(ERANGE);
        }
        // SAFETY: `ptr` is valid for writes of `size` bytes, at least `value.len()`, and only
        // this task uses it (type invariant); `value` is a different object.
        unsafe { ptr::copy_nonoverlapping(value.as_ptr(), self.ptr, value.len()) };
        Ok(value.len())
    }

    /// Returns the raw pointer (null when only the size is asked for) and size.
    fn as_raw(&mut self) -> (*mut c_void, usize) {
        (self.ptr.cast(), self.size)
    }
}

/// The handler of one namespace of extended attributes (`struct xattr_handler`), such as
/// `user.`: the attributes whose names start with [`Handler::PREFIX`].
///
/// The VFS has checked that the caller may read or change the attribute (`xattr_permission()`,
/// e.g. `user.` only on regular files and directories, `trusted.` only with `CAP_SYS_ADMIN`)
/// and that names and values are within the limits of `setxattr(2)`.
pub trait Handler {
    /// The file system whose superblocks use this handler.
    type FileSystem: FileSystem;

    /// The prefix of the names this handler handles, with its dot: e.g. [`USER_PREFIX`].
    const PREFIX: &'static CStr;

    /// Reads the value of the attribute `name` (the full name, with the prefix) of `inode` into
    /// `buffer` and returns its length; fails with `ENODATA` if there is no such attribute.
    /// The caller holds a reference to the inode, not its lock.
    fn get(inode: &Inode<Self::FileSystem>, name: &CStr, buffer: Buffer<'_>) -> Result<usize>;

    /// Sets the attribute `name` (the full name) of `inode` to `value`, or removes it if
    /// `value` is `None` (then `flags` is [`SetFlags::REPLACE`]). The inode is locked
    /// exclusively, as `Documentation/filesystems/locking.rst` requires of `set`.
    fn set(
        idmap: &MntIdmap,
        inode: &Locked<'_, Inode<Self::FileSystem>, Exclusive>,
        name: &CStr,
        value: Option<&[u8]>,
        flags: SetFlags,
    ) -> Result;
}

/// The C handler of `H`, built at compile time.
struct Vtable<H>(PhantomData<H>);

impl<H: Handler> Vtable<H> {
    #[expect(
        clippy::disallowed_methods,
        reason = "`as_char_ptr()` is not a `const fn`, and the prefix is ASCII"
    )]
    const HANDLER: bindings::xattr_handler = bindings::xattr_handler {
        name: ptr::null(),
        prefix: H::PREFIX.as_ptr().cast(),
        flags: 0,
        list: None,
        get: Some(get_callback::<H>),
        set: Some(set_callback::<H>),
    };
}

/// One handler of a [`Handlers`] table, see [`handler`].
pub struct Entry<T: FileSystem>(&'static bindings::xattr_handler, PhantomData<T>);

impl<T: FileSystem> Clone for Entry<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: FileSystem> Copy for Entry<T> {}

/// Returns the table entry of handler `H`, built at compile time.
pub const fn handler<H: Handler>() -> Entry<H::FileSystem> {
    Entry(&Vtable::<H>::HANDLER, PhantomData)
}

/// The extended attribute handlers of a file system (`super_block::s_xattr`), a static table
/// of `N` [`Handler`]s of file system `T`.
///
/// # Examples
///
/// ```ignore
/// static XATTR_HANDLERS: xattr::Handlers<MyFs, 2> = xattr::Handlers::new([
///     xattr::handler::<TrustedXattrs>(),
///     xattr::handler::<UserXattrs>(),
/// ]);
/// ```
#[repr(C)]
pub struct Handlers<T: FileSystem, const N: usize> {
    handlers: [*const bindings::xattr_handler; N],
    // The terminating null the VFS looks for, right after the array (same alignment, so no
    // padding between them in a `repr(C)` struct).
    end: *const bindings::xattr_handler,
    _p: PhantomData<T>,
}

// SAFETY: The table is immutable and only points to immutable, static handlers.
unsafe impl<T: FileSystem, const N: usize> Sync for Handlers<T, N> {}

impl<T: FileSystem, const N: usize> Handlers<T, N> {
    /// Builds the table from its handlers, which the VFS tries in this order.
    pub const fn new(entries: [Entry<T>; N]) -> Self {
        let mut handlers = [ptr::null(); N];
        let mut i = 0;
        while i < N {
            handlers[i] = entries[i].0;
            i += 1;
        }
        Self {
            handlers,
            end: ptr::null(),
            _p: PhantomData,
        }
    }

    /// Returns the null-terminated array of handlers, as `s_xattr` holds it.
    pub(crate) fn as_raw(&'static self) -> *const *const bindings::xattr_handler {
        self.handlers.as_ptr()
    }
}

/// `xattr_handler::get`.
///
/// # Safety
///
/// Called by the VFS (`__vfs_getxattr()`) with a handler of a [`Handlers`] table of
/// `H::FileSystem`, found in `s_xattr` of the superblock of `inode`, a valid inode the caller
/// holds a reference to, `name` the part after the prefix of a valid full name, and `buffer`
/// null or valid for writes of `size` bytes for the call.
unsafe extern "C" fn get_callback<H: Handler>(
    handler: *const bindings::xattr_handler,
    _dentry: *mut bindings::dentry,
    inode: *mut bindings::inode,
    name: *const c_char,
    buffer: *mut c_void,
    size: usize,
) -> c_int {
    from_result(|| {
        // SAFETY:
        // - `handler` is the handler of the name, and `name` follows its prefix in the full name
        //   (`xattr_resolve_name()`), so `xattr_full_name()` returns the full name, a valid
        //   string for the call.
        // - `inode` is an inode of `H::FileSystem`: `s_xattr` of its superblock is a table of
        //   `H::FileSystem`, which only `SuperBlock<H::FileSystem>` installs. The caller holds a
        //   reference to it for the call.
        // - `buffer` is null or valid for writes of `size` bytes (safety requirements).
        let (name, inode, buffer) = unsafe {
            (
                CStr::from_char_ptr(bindings::xattr_full_name(handler, name)),
                Inode::<H::FileSystem>::from_raw(inode),
                Buffer::from_raw(buffer, size),
            )
        };
        let len = H::get(inode, name, buffer)?;
        c_int::try_from(len).map_err(|_| E2BIG)
    })
}

/// `xattr_handler::set`.
///
/// # Safety
///
/// As for [`get_callback`], with a valid `idmap`, `inode` locked exclusively (the locking rule
/// of `set` in `Documentation/filesystems/locking.rst`), and `value` null (to remove the
/// attribute) or valid for reads of `size` initialised bytes for the call.
unsafe extern "C" fn set_callback<H: Handler>(
    handler: *const bindings::xattr_handler,
    idmap: *mut bindings::mnt_idmap,
    _dentry: *mut bindings::dentry,
    inode: *mut bindings::inode,
    name: *const c_char,
    value: *const c_void,
    size: usize,
    flags: c_int,
) -> c_int {
    from_result(|| {
        // SAFETY:
        // - `name` and `inode` as in `get_callback`; the inode is locked exclusively for the
        //   call (safety requirements).
        // - `idmap` is valid for the call.
        let (name, inode, idmap) = unsafe {
            (
                CStr::from_char_ptr(bindings::xattr_full_name(handler, name)),
                Locked::<_, Exclusive>::new(Inode::<H::FileSystem>::from_raw(inode)),
                MntIdmap::from_raw(idmap),
            )
        };
        let value = if value.is_null() {
            None
        } else {
            // SAFETY: `value` is valid for reads of `size` initialised bytes for the call
            // (safety requirements); the VFS passes `""` for an empty value, never null.
            Some(unsafe { core::slice::from_raw_parts(value.cast::<u8>(), size) })
        };
        H::set(idmap, &inode, name, value, SetFlags(flags))?;
        Ok(0)
    })
}

/// The memory an attribute takes in the accounting of tmpfs (`simple_xattr_space()`): a fixed
/// overhead, the name and the value.
pub fn space(name: &CStr, size: usize) -> usize {
    // SAFETY: `name` is a valid string.
    unsafe { bindings::simple_xattr_space(name.as_char_ptr(), size) }
}

/// The extended attributes of one inode of file system `T`, kept in memory (`simple_xattr`),
/// as tmpfs keeps them (`shmem_inode_info::xattrs`).
///
/// The list of an inode is allocated when its first attribute is set and hangs from the inode
/// (`i_private`, which the kernel crate keeps for it), so that inodes without attributes carry
/// nothing. Attributes are looked up in a hash table that the inodes of all superblocks of `T`
/// share, owned by the file system type and destroyed when it is unregistered. Changes go
/// through the inode, locked exclusively, which serialises them as `simple_xattr_set()`
/// requires; reads take no lock (the C helpers read under RCU). The attributes are freed when
/// the inode is evicted, by [`SimpleXattrs::free`], which reports the memory they took, or else
/// with the inode.
///
/// # Invariants
///
/// - `list` is an initialised list head of `simple_xattr` objects, which are in the table
///   `cache` points to.
/// - `cache` is the table of the [`FileSystemType`] of `T` that the superblock of the inode
///   owning `self` belongs to; that type outlives all its inodes, and their RCU callbacks.
/// - `self` was allocated by [`SimpleXattrs::set`] and is owned by the inode whose `i_private`
///   points to it; changes to the list happen with that inode locked exclusively.
#[pin_data]
pub struct SimpleXattrs<T: FileSystem> {
    #[pin]
    list: Opaque<bindings::list_head>,
    cache: *mut bindings::simple_xattr_cache,
    _p: PhantomData<T>,
}

// SAFETY: The list is changed under the inode lock and read under RCU by the C helpers, which
// may run on any thread; `cache` does not change.
unsafe impl<T: FileSystem> Send for SimpleXattrs<T> {}
// SAFETY: As above.
unsafe impl<T: FileSystem> Sync for SimpleXattrs<T> {}

impl<T: FileSystem> SimpleXattrs<T> {
    /// Returns the `i_private` of `inode`, where its list hangs.
    ///
    /// # Safety
    ///
    /// `inode` must be a valid inode of a Rust file system.
    unsafe fn slot<'a>(inode: *mut bindings::inode) -> &'a Atomic<*mut Self> {
        // SAFETY: `inode` is valid (safety requirements). The kernel crate keeps `i_private` of
        // the inodes of Rust file systems for their attributes and only accesses it atomically
        // once the inode is set up (`inode_init_always()` clears it before).
        unsafe { Atomic::from_ptr((&raw mut (*inode).i_private).cast::<*mut Self>()) }
    }

    /// Returns the attributes of `inode`, `None` if it never had one.
    fn of(inode: &Inode<T>) -> Option<&Self> {
        // SAFETY: `inode` is a valid inode of `T`.
        let p = unsafe { Self::slot(inode.as_raw()) }.load(Acquire);
        // SAFETY: A non-null `i_private` is the initialised list of the inode, published with
        // `Release` (type invariant); it is freed only when the inode is evicted, which it is
        // not while referenced by `inode`.
        unsafe { p.as_ref() }
    }

    /// Reads the value of the attribute `name` of `inode` into `buffer` and returns its length
    /// (`simple_xattr_get()`); fails with `ENODATA` if there is none, `ERANGE` if `buffer` is
    /// too small.
    pub fn get(inode: &Inode<T>, name: &CStr, mut buffer: Buffer<'_>) -> Result<usize> {
        let Some(xattrs) = Self::of(inode) else {
            return Err(ENODATA);
        };
        let (buf, size) = buffer.as_raw();
        // SAFETY:
        // - `cache` is the live table of the list (type invariant), read under RCU by the
        //   helper, as the list is; `name` is a valid string.
        // - `buf` is null or valid for writes of `size` bytes (invariant of `Buffer`).
        let len = unsafe {
            bindings::simple_xattr_get(
                xattrs.cache,
                xattrs.list.get(),
                name.as_char_ptr(),
                buf,
                size,
            )
        };
        to_result(len)?;
        Ok(len as usize)
    }

    /// Sets the attribute `name` of `inode` to `value`, or removes it if `value` is `None`, as
    /// `flags` say (`simple_xattr_set()`). Returns the memory the replaced or removed attribute
    /// took ([`space`]), zero if there was none; it is freed after an RCU grace period.
    ///
    /// Fails with `EEXIST` ([`SetFlags::CREATE`]) or `ENODATA` ([`SetFlags::REPLACE`], or
    /// removing an attribute that does not exist), or `ENOMEM`.
    pub fn set(
        inode: &Locked<'_, Inode<T>, Exclusive>,
        name: &CStr,
        value: Option<&[u8]>,
        flags: SetFlags,
    ) -> Result<usize> {
        let xattrs = match Self::of(inode) {
            Some(xattrs) => xattrs,
            // Nothing to remove, as `simple_xattr_set()` finds on an empty list.
            None if value.is_none() => {
                return if flags.contains(SetFlags::REPLACE) {
                    Err(ENODATA)
                } else {
                    Ok(0)
                };
            }
            None => Self::alloc(inode)?,
        };
        let (value, size) = match value {
            Some(v) => (v.as_ptr().cast::<c_void>(), v.len()),
            None => (ptr::null(), 0),
        };
        // SAFETY:
        // - `cache` is the live table of the list (type invariant); `name` is a valid string;
        //   `value` is null or valid for reads of `size` bytes.
        // - The inode owning the list is locked exclusively, which serialises changes to it
        //   (type invariant).
        let old = from_err_ptr(unsafe {
            bindings::simple_xattr_set(
                xattrs.cache,
                xattrs.list.get(),
                name.as_char_ptr(),
                value,
                size,
                flags.bits(),
            )
        })?;
        if old.is_null() {
            return Ok(0);
        }
        // SAFETY: `simple_xattr_set()` removed `old` from the list and the table and gave it to
        // us; RCU readers may still see it until a grace period passed, which
        // `simple_xattr_free_rcu()` waits for.
        let freed = unsafe {
            let freed = bindings::simple_xattr_space((*old).name, (*old).size);
            bindings::simple_xattr_free_rcu(old);
            freed
        };
        Ok(freed)
    }

    /// Allocates the empty list of `inode`, which has none, and hangs it from the inode.
    fn alloc<'a>(inode: &'a Locked<'_, Inode<T>, Exclusive>) -> Result<&'a Self> {
        // SAFETY: The superblock of `inode`, an inode of `T`, belongs to a `FileSystemType<T>`
        // that counts it as a user.
        let cache = unsafe { FileSystemType::<T>::xattr_cache(inode.super_block().as_raw()) };
        let xattrs = KBox::pin_init(
            // INVARIANT: The list head is initialised empty, for the table of the type of the
            // superblock of `inode`.
            pin_init!(Self {
                // SAFETY: `slot` is valid for writes, and nobody else sees it yet: an empty
                // list points to itself, as after `INIT_LIST_HEAD()`.
                list <- Opaque::ffi_init(|slot: *mut bindings::list_head| unsafe {
                    (*slot).next = slot;
                    (*slot).prev = slot;
                }),
                cache,
                _p: PhantomData,
            }),
            GFP_KERNEL_ACCOUNT,
        )?;
        // SAFETY: The list is never moved out of its allocation: it is freed in place by
        // `free_raw`.
        let p = KBox::into_raw(unsafe { Pin::into_inner_unchecked(xattrs) });
        // SAFETY: `inode` is a valid inode of `T`.
        let slot = unsafe { Self::slot(inode.as_raw()) };
        // INVARIANT: The inode is locked exclusively, so nobody else hangs a list from it; the
        // initialised list is published with `Release` for the readers' `Acquire`, and the
        // inode owns it from now on.
        slot.store(p, Release);
        // SAFETY: `p` is valid until the inode is evicted, which it is not while locked.
        Ok(unsafe { &*p })
    }

    /// Lists the names of the attributes of `inode` into `buffer` and returns the length of the
    /// list (`simple_xattr_list()`): its POSIX ACLs and security label first, then those set
    /// with [`SimpleXattrs::set`], except `trusted.` ones for callers without `CAP_SYS_ADMIN`.
    pub fn list(inode: &Inode<T>, mut buffer: Buffer<'_>) -> Result<usize> {
        let list = Self::of(inode).map_or(ptr::null_mut(), |xattrs| xattrs.list.get());
        let (buf, size) = buffer.as_raw();
        // SAFETY:
        // - `inode` is valid; `list` is null (no attributes) or its valid list, read under RCU
        //   by the helper (type invariant).
        // - `buf` is null or valid for writes of `size` bytes (invariant of `Buffer`).
        let len = unsafe { bindings::simple_xattr_list(inode.as_raw(), list, buf.cast(), size) };
        if len < 0 {
            return Err(Error::from_errno(len as i32));
        }
        Ok(len as usize)
    }

    /// Frees all attributes of `inode`, which is being evicted, and returns the memory they
    /// took ([`space`]).
    pub fn free(inode: &Evicting<'_, T>) -> usize {
        // SAFETY: The inode is being evicted by this task: nobody else uses its attributes.
        unsafe { Self::free_raw(inode.inode().as_raw()) }
    }

    /// Frees the list of `inode` with its attributes, if it has one, and returns the memory they
    /// took.
    ///
    /// # Safety
    ///
    /// `inode` must be a valid inode of `T` whose attributes nobody uses during the call or
    /// after it: one being evicted, or freed after an RCU grace period.
    unsafe fn free_raw(inode: *mut bindings::inode) -> usize {
        // SAFETY: `inode` is a valid inode of `T` (safety requirements).
        let slot = unsafe { Self::slot(inode) };
        // Nobody else uses the slot anymore (safety requirements): no atomic exchange needed.
        let p = slot.load(Relaxed);
        if p.is_null() {
            return 0;
        }
        slot.store(ptr::null_mut(), Relaxed);
        let mut freed = 0;
        // SAFETY:
        // - `p` is the list of the inode, which owns it (type invariant) and gave it up above;
        //   nobody uses it (safety requirements).
        // - `cache` is its live table (type invariant); the attributes are freed after an RCU
        //   grace period, as RCU readers of the table may still see them.
        // - The list was allocated by `alloc` as a `KBox`.
        unsafe {
            bindings::simple_xattrs_free((*p).cache, (*p).list.get(), &mut freed);
            drop(KBox::from_raw(p));
        }
        freed
    }
}

/// Frees the attributes of `inode`, an inode of `T` freed after an RCU grace period, that its
/// file system left ([`SimpleXattrs::free`] frees them on eviction).
///
/// # Safety
///
/// `inode` must be a valid inode of `T` that nobody uses anymore.
pub(crate) unsafe fn free_inode_xattrs<T: FileSystem>(inode: *mut bindings::inode) {
    // SAFETY: Nobody uses the inode anymore (safety requirements).
    unsafe { SimpleXattrs::<T>::free_raw(inode) };
}

impl<T: FileSystem> SuperBlock<T, crate::fs::sb::New> {
    /// Installs the extended attribute handlers of the superblock (`s_xattr`).
    pub fn set_xattr_handlers<const N: usize>(&self, handlers: &'static Handlers<T, N>) -> &Self {
        // SAFETY: Only this task accesses the parameters of the new superblock (type invariant
        // of `SuperBlock<T, New>`); the field is written through a raw pointer, and the table
        // is static.
        unsafe { (*self.as_raw()).s_xattr = handlers.as_raw() };
        self
    }
}

/// A hash table of attributes, in a [`FileSystemType`]: null until the first attribute is set.
pub(crate) type Cache = Opaque<bindings::simple_xattr_cache>;

/// Destroys `cache` (`simple_xattr_cache_cleanup()`).
///
/// # Safety
///
/// No attribute may be left in the table, and nobody may use it during the call.
pub(crate) unsafe fn cache_cleanup(cache: &Cache) {
    // SAFETY: By the safety requirements.
    unsafe { bindings::simple_xattr_cache_cleanup(cache.get()) };
}
