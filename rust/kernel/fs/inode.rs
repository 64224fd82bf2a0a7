// SPDX-License-Identifier: GPL-2.0

//! Inodes and inode operations.
//!
//! [`INode`] wraps `struct inode` and is reference counted with [`ARef`] (`ihold()`/`iput()`).
//! New inodes are built linearly with [`New`]: allocate on a superblock, set owner and mode
//! (`inode_init_owner()`), the type-specific operations and mapping, then turn it into an
//! [`ARef<INode>`] ready to be attached to a dentry. Dropping a [`New`] releases it.
//!
//! C header: [`include/linux/fs.h`](srctree/include/linux/fs.h)

use super::{
    address_space::AddressSpaceOps,
    dentry::{
        Child,
        DEntry,
        Lookup,
        Negative,
        RenameEntry,
        TmpFile, //
    },
    file_operations::FileOps,
    filesystem::FileSystem,
    filesystem::FsType,
    idmap::MntIdmap,
    lock::{
        Exclusive,
        Locked,
        Shared, //
    },
    sb::SuperBlock, //
};
use crate::{
    bindings,
    error::{
        from_result,
        to_result,
        Result,
        VTABLE_DEFAULT_ERROR, //
    },
    prelude::*,
    str::CStrExt as _,
    sync::aref::{
        ARef,
        AlwaysRefCounted, //
    },
    task::Kuid,
    types::Opaque, //
};
use core::{
    ffi::c_void,
    marker::PhantomData,
    mem::{
        self,
        ManuallyDrop,
        MaybeUninit, //
    },
    ptr,
    ptr::NonNull, //
};

/// An inode number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Ino(pub u64);

impl Ino {
    /// Returns a new inode number from the global allocator (`get_next_ino()`), as used by
    /// in-memory file systems. Never zero; numbers wrap around after 2^32.
    ///
    /// ```
    /// use kernel::fs::inode::Ino;
    /// let (a, b) = (Ino::next(), Ino::next());
    /// assert_ne!(a, b);
    /// assert_ne!(a.0, 0);
    /// ```
    pub fn next() -> Self {
        // SAFETY: `get_next_ino` has no preconditions.
        Self(unsafe { bindings::get_next_ino() }.into())
    }
}

/// An inode mode: file type and permission bits (`umode_t`).
///
/// ```
/// use kernel::fs::inode::{Mode, Type};
/// let m = Mode::from_bits(0o40755);
/// assert_eq!(m.file_type(), Some(Type::Dir));
/// assert_eq!(m.permissions(), 0o755);
/// assert_eq!(Mode::new(Type::Reg, 0o17644).bits(), 0o107644);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mode(u16);

/// The type of an inode, as encoded in the `S_IFMT` bits of its mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Type {
    /// Directory (`S_IFDIR`).
    Dir,
    /// Regular file (`S_IFREG`).
    Reg,
    /// Symbolic link (`S_IFLNK`).
    Lnk,
    /// Named pipe (`S_IFIFO`).
    Fifo,
    /// UNIX domain socket (`S_IFSOCK`).
    Sock,
    /// Character device (`S_IFCHR`).
    Chr,
    /// Block device (`S_IFBLK`).
    Blk,
}

impl Type {
    /// Returns the type as reported by `readdir` in `d_type` (`DT_*`).
    pub const fn dirent_type(self) -> u8 {
        (match self {
            Type::Dir => bindings::DT_DIR,
            Type::Reg => bindings::DT_REG,
            Type::Lnk => bindings::DT_LNK,
            Type::Fifo => bindings::DT_FIFO,
            Type::Sock => bindings::DT_SOCK,
            Type::Chr => bindings::DT_CHR,
            Type::Blk => bindings::DT_BLK,
        }) as u8
    }

    const fn bits(self) -> u16 {
        (match self {
            Type::Dir => bindings::S_IFDIR,
            Type::Reg => bindings::S_IFREG,
            Type::Lnk => bindings::S_IFLNK,
            Type::Fifo => bindings::S_IFIFO,
            Type::Sock => bindings::S_IFSOCK,
            Type::Chr => bindings::S_IFCHR,
            Type::Blk => bindings::S_IFBLK,
        }) as u16
    }
}

impl Mode {
    /// Creates a mode from its raw bits.
    pub const fn from_bits(bits: u16) -> Self {
        Self(bits)
    }

    /// Creates a mode of type `ty` with permission bits `perm & 0o7777` (`S_IALLUGO`).
    pub const fn new(ty: Type, perm: u16) -> Self {
        Self(ty.bits() | (perm & bindings::S_IALLUGO as u16))
    }

    /// Returns the raw bits.
    pub const fn bits(self) -> u16 {
        self.0
    }

    /// Returns the permission bits, including set-uid, set-gid and sticky (`S_IALLUGO`).
    pub const fn permissions(self) -> u16 {
        self.0 & bindings::S_IALLUGO as u16
    }

    /// Returns the same mode with file type `ty`.
    pub const fn with_type(self, ty: Type) -> Self {
        Self((self.0 & !(bindings::S_IFMT as u16)) | ty.bits())
    }

    /// Returns the file type, or `None` if the type bits are not a valid type.
    pub fn file_type(self) -> Option<Type> {
        let t = u32::from(self.0) & bindings::S_IFMT;
        [
            Type::Dir,
            Type::Reg,
            Type::Lnk,
            Type::Fifo,
            Type::Sock,
            Type::Chr,
            Type::Blk,
        ]
        .into_iter()
        .find(|ty| u32::from(ty.bits()) == t)
    }
}

/// A group identifier as the kernel sees it, in the initial user namespace (`kgid_t`).
#[derive(Clone, Copy)]
pub struct Kgid(bindings::kgid_t);

impl Kgid {
    /// Returns the raw C value.
    pub fn into_raw(self) -> bindings::kgid_t {
        self.0
    }

    /// Returns the group identifier as seen in the current task's user namespace
    /// (`from_kgid()`), the overflow GID if it has no mapping there.
    pub fn into_gid_in_current_ns(self) -> u32 {
        // SAFETY: `current_user_ns` and `from_kgid` have no preconditions.
        unsafe { bindings::from_kgid(bindings::current_user_ns(), self.0) }
    }
}

/// An inode timestamp: seconds and nanoseconds since the epoch (as in `struct timespec64`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Timestamp {
    /// Seconds.
    pub sec: i64,
    /// Nanoseconds, below 1,000,000,000.
    pub nsec: u32,
}

/// The flag of multigrain timestamps in `i_ctime_nsec` (`I_CTIME_QUERIED`, a cast macro that
/// bindgen does not translate), not part of the time.
const I_CTIME_QUERIED: u32 = 1 << 31;

/// Flags of `renameat2(2)` given to `rename`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RenameFlags(u32);

impl RenameFlags {
    /// Fail with `EEXIST` instead of replacing the target (`RENAME_NOREPLACE`); the VFS checks
    /// it before calling the file system.
    pub const NOREPLACE: Self = Self(1 << 0);
    /// Exchange source and target, which both exist (`RENAME_EXCHANGE`).
    pub const EXCHANGE: Self = Self(1 << 1);
    /// Leave a whiteout in place of the source, for overlayfs (`RENAME_WHITEOUT`).
    pub const WHITEOUT: Self = Self(1 << 2);

    /// Returns the raw value.
    pub const fn bits(self) -> u32 {
        self.0
    }

    /// Returns `true` if all flags of `other` are set.
    pub const fn contains(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }
}

/// A device number (`dev_t`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dev(pub u32);

/// An inode of file system `T` (`struct inode`).
///
/// # Invariants
///
/// The object is a valid inode of a superblock of type `T`; the VFS keeps it alive while a
/// reference to it exists (it is always reference counted). If `T` has inode data
/// (`has_data`), the inode is the `inode` field of a `WithData<T>` whose data is initialised.
#[repr(transparent)]
pub struct INode<T: FileSystem>(Opaque<bindings::inode>, PhantomData<T>);

// SAFETY: Inodes are reference counted and may be released from any thread.
unsafe impl<T: FileSystem> Send for INode<T> {}
// SAFETY: `&INode` accessors read fields with the locking or atomicity the VFS requires.
unsafe impl<T: FileSystem> Sync for INode<T> {}

// SAFETY: `ihold` and `iput` implement the inode's reference count.
unsafe impl<T: FileSystem> AlwaysRefCounted for INode<T> {
    fn inc_ref(&self) {
        // SAFETY: The existence of `&self` means the refcount is nonzero.
        unsafe { bindings::ihold(self.as_raw()) };
    }

    unsafe fn dec_ref(obj: NonNull<Self>) {
        // SAFETY: The caller owns a reference, which is released here.
        unsafe { bindings::iput(obj.as_ptr().cast()) };
    }
}

impl<T: FileSystem> INode<T> {
    /// Creates a reference to an inode from a raw pointer.
    ///
    /// # Safety
    ///
    /// `ptr` must be a valid inode of a superblock of type `T` that stays valid for `'a`.
    pub unsafe fn from_raw<'a>(ptr: *mut bindings::inode) -> &'a Self {
        // SAFETY: By the safety requirements; the layouts match.
        unsafe { &*ptr.cast() }
    }

    /// Returns the raw pointer.
    pub fn as_raw(&self) -> *mut bindings::inode {
        self.0.get()
    }

    /// Returns the inode number.
    pub fn ino(&self) -> Ino {
        // SAFETY: `i_ino` does not change after the inode is set up.
        Ino(unsafe { (*self.as_raw()).i_ino })
    }

    /// Returns the mode.
    pub fn mode(&self) -> Mode {
        // SAFETY: `i_mode` is a naturally aligned 16-bit field, read atomically.
        Mode(unsafe { ptr::read_volatile(&raw const (*self.as_raw()).i_mode) })
    }

    /// Returns the size in bytes (`i_size_read()`).
    pub fn size(&self) -> i64 {
        // SAFETY: `i_size_read` may be called at any time on a valid inode.
        unsafe { bindings::i_size_read(self.as_raw()) }
    }

    /// Returns the link count.
    pub fn nlink(&self) -> u32 {
        // SAFETY: `i_nlink` is a naturally aligned 32-bit field, read atomically.
        unsafe { ptr::read_volatile(&raw const (*self.as_raw()).__bindgen_anon_1.i_nlink) }
    }

    /// Returns the owner.
    ///
    /// ```
    /// use kernel::fs::{filesystem::FileSystem, inode::INode};
    ///
    /// /// Whether the current task's effective UID owns `inode`, and when it last changed.
    /// fn owned<T: FileSystem>(inode: &INode<T>) -> (bool, i64) {
    ///     let euid = kernel::task::Kuid::current_euid();
    ///     (inode.uid() == euid, inode.mtime().sec.max(inode.ctime().sec))
    /// }
    /// ```
    pub fn uid(&self) -> Kuid {
        // SAFETY: `i_uid` is a naturally aligned 32-bit field, read atomically (`i_uid_read()`).
        Kuid::from_raw(unsafe { ptr::read_volatile(&raw const (*self.as_raw()).i_uid) })
    }

    /// Returns the group.
    pub fn gid(&self) -> Kgid {
        // SAFETY: `i_gid` is a naturally aligned 32-bit field, read atomically (`i_gid_read()`).
        Kgid(unsafe { ptr::read_volatile(&raw const (*self.as_raw()).i_gid) })
    }

    /// Returns the last access time (`inode_get_atime()`).
    pub fn atime(&self) -> Timestamp {
        let i = self.as_raw();
        // SAFETY: Both fields are naturally aligned and read atomically, as `READ_ONCE()` does.
        unsafe {
            Timestamp {
                sec: ptr::read_volatile(&raw const (*i).i_atime_sec),
                nsec: ptr::read_volatile(&raw const (*i).i_atime_nsec),
            }
        }
    }

    /// Returns the last modification time (`inode_get_mtime()`).
    pub fn mtime(&self) -> Timestamp {
        let i = self.as_raw();
        // SAFETY: Both fields are naturally aligned and read atomically, as `READ_ONCE()` does.
        unsafe {
            Timestamp {
                sec: ptr::read_volatile(&raw const (*i).i_mtime_sec),
                nsec: ptr::read_volatile(&raw const (*i).i_mtime_nsec),
            }
        }
    }

    /// Returns the last status change time (`inode_get_ctime()`).
    pub fn ctime(&self) -> Timestamp {
        let i = self.as_raw();
        // SAFETY: Both fields are naturally aligned and read atomically, as `READ_ONCE()` does.
        unsafe {
            Timestamp {
                sec: ptr::read_volatile(&raw const (*i).i_ctime_sec),
                nsec: ptr::read_volatile(&raw const (*i).i_ctime_nsec) & !I_CTIME_QUERIED,
            }
        }
    }

    /// Returns the file system's data for this inode, given when it was created
    /// ([`SuperBlock::new_inode`], [`SuperBlock::iget`]).
    pub fn data(&self) -> &T::INodeData {
        if !has_data::<T>() {
            // SAFETY: `T::INodeData` is zero-sized without drop glue (`has_data`), so any
            // well-aligned pointer is a valid reference to it; a value of it existed, to create
            // the inode.
            return unsafe { NonNull::dangling().as_ref() };
        }
        // SAFETY: By the type invariant the inode is embedded in a `WithData<T>` whose data is
        // initialised and lives as long as the inode.
        unsafe {
            (*WithData::<T>::from_inode(self.as_raw()))
                .data
                .assume_init_ref()
        }
    }

    /// Returns the superblock the inode belongs to.
    pub fn super_block(&self) -> &SuperBlock<T> {
        // SAFETY: An inode attached to the dcache belongs to a ready superblock, which outlives
        // it.
        unsafe { SuperBlock::from_raw((*self.as_raw()).i_sb) }
    }
}

/// Whether the inodes of `T` carry [`FileSystem::INodeData`], and hence come from the inode
/// cache of `T`.
pub(crate) const fn has_data<T: FileSystem>() -> bool {
    mem::size_of::<T::INodeData>() != 0 || mem::needs_drop::<T::INodeData>()
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
    data: MaybeUninit<T::INodeData>,
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
}

/// Stores `data` in a new inode of `T`.
///
/// # Safety
///
/// `inode` must be a new inode of `T` that nobody else uses yet, whose data is not initialised.
pub(crate) unsafe fn init_data<T: FileSystem>(inode: *mut bindings::inode, data: T::INodeData) {
    if !has_data::<T>() {
        // Zero-sized and without drop glue: nothing to store.
        mem::forget(data);
        return;
    }
    // SAFETY: The inode is a new `WithData<T>` that only we access (safety requirements).
    unsafe {
        let c = WithData::<T>::from_inode(inode);
        (*c).data.write(data);
        (*c).has_data = true;
    }
}

/// The slab cache the inodes of a file system with [`FileSystem::INodeData`] come from.
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
        // Inodes are freed in RCU callbacks (`free_inode`): wait for the pending ones.
        // SAFETY: `rcu_barrier` may sleep, as `drop` of a registration may.
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

/// `super_operations::free_inode` for `T`, if it has inode data.
pub(crate) const fn free_inode_callback<T: FileSystem>(
) -> Option<unsafe extern "C" fn(*mut bindings::inode)> {
    if has_data::<T>() {
        Some(free_inode::<T>)
    } else {
        None
    }
}

/// `super_operations::alloc_inode`.
///
/// # Safety
///
/// Called by the VFS with a valid superblock of `T`, whose type is a registered `FsType<T>`.
unsafe extern "C" fn alloc_inode<T: FileSystem>(
    sb: *mut bindings::super_block,
) -> *mut bindings::inode {
    // SAFETY: `sb` is a valid superblock of `T`, whose type is a registered `FsType<T>`.
    let cache = unsafe { FsType::<T>::inode_cache(sb) };
    // SAFETY: `cache` is the valid inode cache of `T`, which has inode data.
    let c = unsafe { bindings::alloc_inode_sb(sb, cache, bindings::GFP_KERNEL) };
    let c = c.cast::<WithData<T>>();
    if c.is_null() {
        return ptr::null_mut();
    }
    // SAFETY: `c` is a constructed `WithData<T>` (`inode_init_once_callback`); freed objects have
    // `has_data` false (`free_inode`).
    unsafe { Opaque::cast_into(&raw const (*c).inode) }
}

/// `super_operations::free_inode`, called after an RCU grace period.
///
/// # Safety
///
/// Called by the VFS with an inode of `T` allocated by `alloc_inode`, not used anymore.
unsafe extern "C" fn free_inode<T: FileSystem>(inode: *mut bindings::inode) {
    // SAFETY: `inode` was allocated by `alloc_inode` (safety requirements).
    let c = unsafe { WithData::<T>::from_inode(inode) };
    // SAFETY: Nobody uses the inode anymore; by the invariant of `WithData`, `data` is
    // initialised if `has_data`.
    unsafe {
        if (*c).has_data {
            (*c).has_data = false;
            (*c).data.assume_init_drop();
        }
        // `kfree()` frees objects of any slab cache. The superblock, and with it the way to the
        // cache, may already be gone in this RCU callback.
        bindings::kfree(c.cast());
    }
}

impl<T: FileSystem> Locked<'_, INode<T>, Exclusive> {
    /// Increments the link count (`inc_nlink()`), e.g. of a directory gaining a subdirectory.
    pub fn inc_nlink(&self) {
        // SAFETY: The inode is valid; `i_nlink` changes are serialised by the exclusive lock.
        unsafe { bindings::inc_nlink(self.as_raw()) };
    }

    /// Decrements the link count (`drop_nlink()`), e.g. of an inode losing a name. The kernel
    /// warns if it is already zero.
    pub fn drop_nlink(&self) {
        // SAFETY: The inode is valid; `i_nlink` changes are serialised by the exclusive lock.
        unsafe { bindings::drop_nlink(self.as_raw()) };
    }

    /// Sets the change time to the current time (`inode_set_ctime_current()`).
    pub fn touch_ctime(&self) {
        // SAFETY: The inode is valid and locked exclusively, as timestamp updates require.
        unsafe { bindings::inode_set_ctime_current(self.as_raw()) };
    }

    /// Sets the change and modification times to the current time, as after a change of the
    /// directory's entries.
    pub fn touch_mtime_ctime(&self) {
        // SAFETY: The inode is valid and locked exclusively, as timestamp updates require.
        unsafe {
            let now = bindings::inode_set_ctime_current(self.as_raw());
            bindings::inode_set_mtime_to_ts(self.as_raw(), now);
        }
    }
}

/// A new inode being set up; see [`SuperBlock::new_inode`] and [`SuperBlock::iget`].
///
/// # Invariants
///
/// `inode` is a new inode of a superblock of type `T` with its data initialised, not yet
/// visible to anyone else, of which this object owns one reference: an unhashed inode from
/// `new_inode()`, or, if `locked`, a hashed inode from `iget_locked()` still marked `I_NEW`.
pub struct New<T: FileSystem> {
    inode: NonNull<bindings::inode>,
    locked: bool,
    _p: PhantomData<T>,
}

impl<T: FileSystem> New<T> {
    /// Creates a builder from a freshly allocated inode.
    ///
    /// # Safety
    ///
    /// `inode` must come from `new_inode()` on a superblock of type `T`, with its reference
    /// transferred to the builder.
    pub(crate) unsafe fn from_raw(inode: NonNull<bindings::inode>) -> Self {
        Self {
            inode,
            locked: false,
            _p: PhantomData,
        }
    }

    /// Creates a builder from a new inode of the inode cache.
    ///
    /// # Safety
    ///
    /// `inode` must come from `iget_locked()` on a superblock of type `T`, be marked `I_NEW`
    /// and have its data initialised, with its reference transferred to the builder.
    pub(crate) unsafe fn from_raw_locked(inode: NonNull<bindings::inode>) -> Self {
        Self {
            inode,
            locked: true,
            _p: PhantomData,
        }
    }

    /// Returns the inode number.
    pub fn ino(&self) -> Ino {
        // SAFETY: By the type invariant the inode is valid.
        Ino(unsafe { self.inode.as_ref() }.i_ino)
    }

    fn raw(&mut self) -> &mut bindings::inode {
        // SAFETY: By the type invariant nobody else accesses the new inode.
        unsafe { self.inode.as_mut() }
    }

    /// Sets the inode number.
    pub fn set_ino(mut self, ino: Ino) -> Self {
        self.raw().i_ino = ino.0;
        self
    }

    /// Sets owner, group and mode as for a new file created in `dir` (`inode_init_owner()`): the
    /// owner is the caller's fsuid; the group and the set-gid bit follow the parent's set-gid
    /// bit. `dir` is `None` for a root directory.
    pub fn init_owner(mut self, idmap: &MntIdmap, dir: Option<&INode<T>>, mode: Mode) -> Self {
        let dir = dir.map_or(ptr::null(), |d| d.as_raw().cast_const());
        // SAFETY: The inode is new and owned by us; `idmap` and `dir` are valid.
        unsafe { bindings::inode_init_owner(idmap.as_raw(), self.raw(), dir, mode.0) };
        self
    }

    /// Sets access, modification and change times to the current time (`simple_inode_init_ts()`).
    pub fn init_times_now(mut self) -> Self {
        // SAFETY: The inode is new and owned by us.
        unsafe { bindings::simple_inode_init_ts(self.raw()) };
        self
    }

    /// Sets the size in bytes (`i_size_write()`).
    pub fn set_size(mut self, size: i64) -> Self {
        // SAFETY: The inode is new and owned by us.
        unsafe { bindings::i_size_write(self.raw(), size) };
        self
    }

    /// Sets the link count (`set_nlink()`), e.g. of an inode read from storage.
    pub fn set_nlink(mut self, nlink: u32) -> Self {
        // SAFETY: The inode is new and owned by us.
        unsafe { bindings::set_nlink(self.raw(), nlink) };
        self
    }

    /// Increments the link count, e.g. to 2 for the `.` entry of a new directory.
    pub fn inc_nlink(mut self) -> Self {
        // SAFETY: The inode is new and owned by us.
        unsafe { bindings::inc_nlink(self.raw()) };
        self
    }

    /// Sets the inode operations.
    pub fn set_iops(mut self, iops: &'static Ops<T>) -> Self {
        self.raw().i_op = &iops.0;
        self
    }

    /// Sets the file operations used when the inode is opened.
    pub fn set_fops(mut self, fops: &'static FileOps<T>) -> Self {
        self.raw().__bindgen_anon_3.i_fop = fops.as_raw();
        self
    }

    /// Sets the address space (page cache) operations.
    pub fn set_aops(mut self, aops: &'static AddressSpaceOps<T>) -> Self {
        // SAFETY: `i_mapping` of a new inode points to its embedded `i_data`.
        unsafe { (*self.raw().i_mapping).a_ops = aops.as_raw() };
        self
    }

    /// Makes the page cache of the inode memory-only: pages may come from high memory and are
    /// never reclaimed (`mapping_set_gfp_mask(GFP_HIGHUSER)`, `mapping_set_unevictable()`), as
    /// for file systems whose only copy of the data is the page cache.
    pub fn set_mapping_unevictable(mut self) -> Self {
        let mapping = self.raw().i_mapping;
        // SAFETY: `mapping` is the new inode's valid `i_data`.
        unsafe {
            bindings::mapping_set_gfp_mask(mapping, bindings::GFP_HIGHUSER);
            bindings::mapping_set_unevictable(mapping);
        }
        self
    }

    /// Initialises a special inode: FIFO, socket or device (`init_special_inode()`).
    pub fn init_special(mut self, mode: Mode, dev: Dev) -> Self {
        // SAFETY: The inode is new and owned by us.
        unsafe { bindings::init_special_inode(self.raw(), mode.0, dev.0) };
        self
    }

    /// Allocates the inode's page cache from low memory only (`inode_nohighmem()`), as needed by
    /// inodes whose pages the kernel maps directly, such as page-cache symlinks.
    pub fn set_nohighmem(mut self) -> Self {
        // SAFETY: The inode is new and owned by us.
        unsafe { bindings::inode_nohighmem(self.raw()) };
        self
    }

    /// Stores `target` as the body of a symlink in the inode's page cache and sets the size to its
    /// length (`page_symlink()`). The inode needs address space operations that can write, such
    /// as [`AddressSpaceOps::ram`]; otherwise this fails with `EINVAL`.
    pub fn page_symlink(mut self, target: &CStr) -> Result<Self> {
        let len = i32::try_from(target.to_bytes_with_nul().len()).map_err(|_| ENAMETOOLONG)?;
        let mapping = self.raw().i_mapping;
        // SAFETY: `i_mapping` of a new inode is its valid `i_data`, whose `a_ops` is never null.
        let aops = unsafe { &*(*mapping).a_ops };
        if aops.write_begin.is_none() || aops.write_end.is_none() {
            return Err(EINVAL);
        }
        // SAFETY: The inode is new and owned by us, its mapping can write; `target` is
        // NUL-terminated and `len` counts the NUL.
        to_result(unsafe { bindings::page_symlink(self.raw(), target.as_char_ptr(), len) })?;
        Ok(self)
    }

    /// Initialises the security attributes of an inode about to be linked as `entry` in `dir`
    /// (`security_inode_init_security()`), before it becomes visible.
    pub fn init_security(mut self, dir: &INode<T>, entry: &impl NewEntry<T>) -> Result<Self> {
        // SAFETY: The inode is new; the name of `entry` is stable (`NewEntry`).
        to_result(unsafe {
            bindings::security_inode_init_security(
                self.raw(),
                dir.as_raw(),
                entry.qstr(),
                None,
                ptr::null_mut(),
            )
        })?;
        Ok(self)
    }

    /// Finishes setting up the inode and returns it.
    pub fn into_inode(self) -> ARef<INode<T>> {
        // SAFETY: We own one reference, which is transferred to the `ARef`.
        unsafe { ARef::from_raw(self.into_raw().cast()) }
    }

    /// Finishes setting up the inode and returns the raw pointer with the reference we own. A
    /// new inode of the inode cache is unlocked (`unlock_new_inode()`), waking up those waiting
    /// for it.
    pub(crate) fn into_raw(self) -> NonNull<bindings::inode> {
        let me = ManuallyDrop::new(self);
        if me.locked {
            // SAFETY: The inode is `I_NEW` and fully set up.
            unsafe { bindings::unlock_new_inode(me.inode.as_ptr()) };
        }
        me.inode
    }
}

/// A dentry that a new inode is about to be attached to, whose name is stable: a [`Negative`]
/// dentry under a locked parent, or the private dentry of a [`TmpFile`].
///
/// This trait is sealed: only the kernel crate implements it.
pub trait NewEntry<T: FileSystem>: private::Sealed {
    /// Returns the name (`d_name`) of the dentry, stable while `self` exists.
    #[doc(hidden)]
    fn qstr(&self) -> *const bindings::qstr;
}

mod private {
    pub trait Sealed {}
}

impl<T: FileSystem> private::Sealed for Negative<'_, T> {}
impl<T: FileSystem> NewEntry<T> for Negative<'_, T> {
    fn qstr(&self) -> *const bindings::qstr {
        Negative::qstr(self)
    }
}

impl<T: FileSystem> private::Sealed for TmpFile<'_, T> {}
impl<T: FileSystem> NewEntry<T> for TmpFile<'_, T> {
    fn qstr(&self) -> *const bindings::qstr {
        TmpFile::qstr(self)
    }
}

impl<T: FileSystem> Drop for New<T> {
    fn drop(&mut self) {
        if self.locked {
            // SAFETY: We own the reference to an `I_NEW` inode: `iget_failed` marks it bad,
            // unhashes and unlocks it and releases it, so that waiters look it up again.
            unsafe { bindings::iget_failed(self.inode.as_ptr()) };
        } else {
            // SAFETY: We own a reference to an unhashed, unlinked inode: `iput` evicts and frees
            // it.
            unsafe { bindings::iput(self.inode.as_ptr()) };
        }
    }
}

/// Inode operations implemented in Rust, and the libfs implementations chosen for the others.
///
/// Methods run with the locks the VFS takes for them, expressed in their argument types:
/// namespace operations get the parent directory locked [`Exclusive`].
#[vtable]
pub trait Operations {
    /// The file system these operations belong to.
    type FileSystem: FileSystem;

    /// Operations taken from libfs instead of Rust.
    const LIBFS: Libfs = Libfs::NONE;

    /// Looks up the name of `dentry` in `dir` (`lookup`), with `dir` locked at least shared.
    ///
    /// Usually ends with [`Lookup::splice`], with the inode found or `None` for a name that does
    /// not exist, and returns its result.
    fn lookup(
        _dir: &Locked<'_, INode<Self::FileSystem>, Shared>,
        _dentry: Lookup<'_, Self::FileSystem>,
    ) -> Result<Option<ARef<DEntry<Self::FileSystem>>>> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Creates a regular file for the negative `dentry` in `dir` (`create`).
    fn create(
        _idmap: &MntIdmap,
        _dir: &Locked<'_, INode<Self::FileSystem>, Exclusive>,
        _dentry: Negative<'_, Self::FileSystem>,
        _mode: Mode,
        _excl: bool,
    ) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Creates a directory for the negative `dentry` in `dir` (`mkdir`).
    ///
    /// Returns `None` when `dentry` was instantiated, or another dentry to use instead.
    fn mkdir(
        _idmap: &MntIdmap,
        _dir: &Locked<'_, INode<Self::FileSystem>, Exclusive>,
        _dentry: Negative<'_, Self::FileSystem>,
        _mode: Mode,
    ) -> Result<Option<ARef<DEntry<Self::FileSystem>>>> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Removes the name `child` of a non-directory from `dir` (`unlink`). The VFS has checked
    /// permissions and that it is not a directory; it holds the locks of `dir` and of the inode.
    fn unlink(
        _dir: &Locked<'_, INode<Self::FileSystem>, Exclusive>,
        _child: Child<'_, Self::FileSystem>,
    ) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Removes the directory `child` from `dir` (`rmdir`); fails with `ENOTEMPTY` unless it is
    /// empty. The VFS holds the locks of `dir` and of the directory being removed.
    fn rmdir(
        _dir: &Locked<'_, INode<Self::FileSystem>, Exclusive>,
        _child: Child<'_, Self::FileSystem>,
    ) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Renames `old` in `old_dir` to `new` in `new_dir` (`rename`); the two directories may be
    /// the same. The VFS has checked permissions, `RENAME_NOREPLACE` and the kinds of source and
    /// target, and moves the dentry once this succeeds (`d_move()`).
    fn rename(
        _idmap: &MntIdmap,
        _old_dir: &Locked<'_, INode<Self::FileSystem>, Exclusive>,
        _old: RenameEntry<'_, Self::FileSystem>,
        _new_dir: &Locked<'_, INode<Self::FileSystem>, Exclusive>,
        _new: RenameEntry<'_, Self::FileSystem>,
        _flags: RenameFlags,
    ) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Creates a symbolic link to `target` for the negative `dentry` in `dir` (`symlink`).
    fn symlink(
        _idmap: &MntIdmap,
        _dir: &Locked<'_, INode<Self::FileSystem>, Exclusive>,
        _dentry: Negative<'_, Self::FileSystem>,
        _target: &CStr,
    ) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Creates a FIFO, socket, device node or regular file of `mode` for the negative `dentry`
    /// in `dir` (`mknod`). The VFS has checked the type and, for devices, `CAP_MKNOD`.
    fn mknod(
        _idmap: &MntIdmap,
        _dir: &Locked<'_, INode<Self::FileSystem>, Exclusive>,
        _dentry: Negative<'_, Self::FileSystem>,
        _mode: Mode,
        _dev: Dev,
    ) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Creates an unnamed file of `mode` in `dir` for an `O_TMPFILE` open and opens it
    /// (`tmpfile`), see [`TmpFile::open`]. The VFS does not lock `dir`: nothing becomes visible
    /// in it.
    fn tmpfile(
        _idmap: &MntIdmap,
        _dir: &INode<Self::FileSystem>,
        _file: TmpFile<'_, Self::FileSystem>,
        _mode: Mode,
    ) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
}

/// A set of libfs inode operations.
#[derive(Clone, Copy)]
pub struct Libfs(u32);

impl Libfs {
    /// None.
    pub const NONE: Self = Self(0);
    /// `lookup = simple_lookup`: names not in the dcache do not exist.
    pub const LOOKUP: Self = Self(1 << 0);
    /// `link = simple_link`.
    pub const LINK: Self = Self(1 << 1);
    /// `unlink = simple_unlink`.
    pub const UNLINK: Self = Self(1 << 2);
    /// `rmdir = simple_rmdir` (`ENOTEMPTY` unless empty).
    pub const RMDIR: Self = Self(1 << 3);
    /// `rename = simple_rename` (`RENAME_NOREPLACE` and `RENAME_EXCHANGE`).
    pub const RENAME: Self = Self(1 << 4);
    /// `setattr = simple_setattr`.
    pub const SETATTR: Self = Self(1 << 5);
    /// `getattr = simple_getattr` (`st_blocks` from the page cache).
    pub const GETATTR: Self = Self(1 << 6);
    /// The directory operations of an in-memory file system whose tree is the dcache.
    pub const DCACHE_DIR: Self =
        Self(Self::LOOKUP.0 | Self::LINK.0 | Self::UNLINK.0 | Self::RMDIR.0 | Self::RENAME.0);

    /// Returns the union of both sets.
    pub const fn union(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }

    const fn has(self, other: Self) -> bool {
        self.0 & other.0 != 0
    }
}

/// A table of inode operations (`struct inode_operations`).
#[repr(transparent)]
pub struct Ops<T: FileSystem>(bindings::inode_operations, PhantomData<T>);

// SAFETY: The table is immutable and only holds function pointers.
unsafe impl<T: FileSystem> Sync for Ops<T> {}

impl<T: FileSystem> Ops<T> {
    /// Builds the table for operations `U`.
    pub const fn new<U: Operations<FileSystem = T>>() -> Self {
        let l = U::LIBFS;
        Self(
            bindings::inode_operations {
                lookup: if U::HAS_LOOKUP {
                    Some(lookup_callback::<U>)
                } else if l.has(Libfs::LOOKUP) {
                    Some(bindings::simple_lookup)
                } else {
                    None
                },
                link: if l.has(Libfs::LINK) {
                    Some(bindings::simple_link)
                } else {
                    None
                },
                unlink: if U::HAS_UNLINK {
                    Some(unlink_callback::<U>)
                } else if l.has(Libfs::UNLINK) {
                    Some(bindings::simple_unlink)
                } else {
                    None
                },
                rmdir: if U::HAS_RMDIR {
                    Some(rmdir_callback::<U>)
                } else if l.has(Libfs::RMDIR) {
                    Some(bindings::simple_rmdir)
                } else {
                    None
                },
                rename: if U::HAS_RENAME {
                    Some(rename_callback::<U>)
                } else if l.has(Libfs::RENAME) {
                    Some(bindings::simple_rename)
                } else {
                    None
                },
                setattr: if l.has(Libfs::SETATTR) {
                    Some(bindings::simple_setattr)
                } else {
                    None
                },
                getattr: if l.has(Libfs::GETATTR) {
                    Some(bindings::simple_getattr)
                } else {
                    None
                },
                create: if U::HAS_CREATE {
                    Some(create_callback::<U>)
                } else {
                    None
                },
                mkdir: if U::HAS_MKDIR {
                    Some(mkdir_callback::<U>)
                } else {
                    None
                },
                symlink: if U::HAS_SYMLINK {
                    Some(symlink_callback::<U>)
                } else {
                    None
                },
                mknod: if U::HAS_MKNOD {
                    Some(mknod_callback::<U>)
                } else {
                    None
                },
                tmpfile: if U::HAS_TMPFILE {
                    Some(tmpfile_callback::<U>)
                } else {
                    None
                },
                ..pin_init::zeroed()
            },
            PhantomData,
        )
    }
}

impl<T: FileSystem> Ops<T> {
    /// The inode operations of symlinks whose target is stored in their page cache
    /// (`page_symlink_inode_operations`), see [`New::page_symlink`].
    pub fn page_symlink() -> &'static Self {
        // SAFETY: The C table is static and immutable; `Self` is `repr(transparent)` over it.
        unsafe { &*(&raw const bindings::page_symlink_inode_operations).cast::<Self>() }
    }
}

/// `inode_operations::lookup`.
///
/// # Safety
///
/// Called by the VFS with `dir` locked (shared or exclusive) and `dentry` a negative child of
/// `dir` being looked up.
unsafe extern "C" fn lookup_callback<U: Operations>(
    dir: *mut bindings::inode,
    dentry: *mut bindings::dentry,
    _flags: c_uint,
) -> *mut bindings::dentry {
    // `lookup_slow()` holds `dir` shared, `lookup_one_qstr_excl()` exclusively.
    // SAFETY: Valid arguments for the call, `dentry` a child of locked `dir` being looked up.
    let (dir, dentry) = unsafe { (Locked::new(INode::from_raw(dir)), Lookup::from_raw(dentry)) };
    match U::lookup(&dir, dentry) {
        Ok(None) => ptr::null_mut(),
        Ok(Some(d)) => ARef::into_raw(d).as_ptr().cast(),
        Err(e) => e.to_ptr(),
    }
}

/// `inode_operations::create`.
///
/// # Safety
///
/// Called by the VFS with valid arguments, `dir` locked exclusively and `dentry` a negative
/// child of `dir`.
unsafe extern "C" fn create_callback<U: Operations>(
    idmap: *mut bindings::mnt_idmap,
    dir: *mut bindings::inode,
    dentry: *mut bindings::dentry,
    mode: bindings::umode_t,
    excl: bool,
) -> c_int {
    from_result(|| {
        // `inode_lock()` in `lookup_open()`/`vfs_create()` holds `dir` exclusively.
        // SAFETY: Valid arguments for the call, `dentry` a negative child of locked `dir`.
        let (idmap, dir, dentry) = unsafe {
            (
                MntIdmap::from_raw(idmap),
                Locked::new(INode::from_raw(dir)),
                Negative::from_raw(dentry),
            )
        };
        U::create(idmap, &dir, dentry, Mode(mode), excl)?;
        Ok(0)
    })
}

/// `inode_operations::mkdir`.
///
/// # Safety
///
/// Called by the VFS with valid arguments, `dir` locked exclusively and `dentry` a negative
/// child of `dir`.
unsafe extern "C" fn mkdir_callback<U: Operations>(
    idmap: *mut bindings::mnt_idmap,
    dir: *mut bindings::inode,
    dentry: *mut bindings::dentry,
    mode: bindings::umode_t,
) -> *mut bindings::dentry {
    // `vfs_mkdir()` holds `dir` exclusively.
    // SAFETY: Valid arguments for the call, `dentry` a negative child of locked `dir`.
    let (idmap, dir, dentry) = unsafe {
        (
            MntIdmap::from_raw(idmap),
            Locked::new(INode::from_raw(dir)),
            Negative::from_raw(dentry),
        )
    };
    match U::mkdir(idmap, &dir, dentry, Mode(mode)) {
        Ok(None) => ptr::null_mut(),
        Ok(Some(d)) => ARef::into_raw(d).as_ptr().cast(),
        Err(e) => e.to_ptr(),
    }
}

/// `inode_operations::symlink`.
///
/// # Safety
///
/// Called by the VFS with valid arguments, `dir` locked exclusively, `dentry` a negative child of
/// `dir` and `symname` a NUL-terminated string.
unsafe extern "C" fn symlink_callback<U: Operations>(
    idmap: *mut bindings::mnt_idmap,
    dir: *mut bindings::inode,
    dentry: *mut bindings::dentry,
    symname: *const c_char,
) -> c_int {
    from_result(|| {
        // `vfs_symlink()` is called with `dir` locked exclusively by `start_creating()`.
        // SAFETY: Valid arguments for the call, `dentry` a negative child of locked `dir`.
        let (idmap, dir, dentry, target) = unsafe {
            (
                MntIdmap::from_raw(idmap),
                Locked::new(INode::from_raw(dir)),
                Negative::from_raw(dentry),
                CStr::from_char_ptr(symname),
            )
        };
        U::symlink(idmap, &dir, dentry, target)?;
        Ok(0)
    })
}

/// `inode_operations::mknod`.
///
/// # Safety
///
/// Called by the VFS with valid arguments, `dir` locked exclusively and `dentry` a negative
/// child of `dir`.
unsafe extern "C" fn mknod_callback<U: Operations>(
    idmap: *mut bindings::mnt_idmap,
    dir: *mut bindings::inode,
    dentry: *mut bindings::dentry,
    mode: bindings::umode_t,
    dev: bindings::dev_t,
) -> c_int {
    from_result(|| {
        // `vfs_mknod()` is called with `dir` locked exclusively by `start_creating()`.
        // SAFETY: Valid arguments for the call, `dentry` a negative child of locked `dir`.
        let (idmap, dir, dentry) = unsafe {
            (
                MntIdmap::from_raw(idmap),
                Locked::new(INode::from_raw(dir)),
                Negative::from_raw(dentry),
            )
        };
        U::mknod(idmap, &dir, dentry, Mode(mode), Dev(dev))?;
        Ok(0)
    })
}

/// `inode_operations::tmpfile`.
///
/// # Safety
///
/// Called by `vfs_tmpfile()` with valid arguments and `file` not yet opened, its dentry a new,
/// negative, unhashed child of `dir`.
unsafe extern "C" fn tmpfile_callback<U: Operations>(
    idmap: *mut bindings::mnt_idmap,
    dir: *mut bindings::inode,
    file: *mut bindings::file,
    mode: bindings::umode_t,
) -> c_int {
    from_result(|| {
        // SAFETY: Valid arguments for the call (see the safety requirements).
        let (idmap, dir, file) = unsafe {
            (
                MntIdmap::from_raw(idmap),
                INode::from_raw(dir),
                TmpFile::from_raw(file),
            )
        };
        U::tmpfile(idmap, dir, file, Mode(mode))?;
        Ok(0)
    })
}

/// `inode_operations::unlink`.
///
/// # Safety
///
/// Called by `vfs_unlink()` with `dir` and the inode of `dentry`, a positive child of `dir`, both
/// locked exclusively.
unsafe extern "C" fn unlink_callback<U: Operations>(
    dir: *mut bindings::inode,
    dentry: *mut bindings::dentry,
) -> c_int {
    from_result(|| {
        // `vfs_unlink()` holds `dir` (`start_removing()`) and the victim (`inode_lock()`).
        // SAFETY: Valid arguments for the call (see the safety requirements).
        let (dir, child) = unsafe { (Locked::new(INode::from_raw(dir)), Child::from_raw(dentry)) };
        U::unlink(&dir, child)?;
        Ok(0)
    })
}

/// `inode_operations::rmdir`.
///
/// # Safety
///
/// Called by `vfs_rmdir()` with `dir` and the inode of `dentry`, a positive child directory of
/// `dir`, both locked exclusively.
unsafe extern "C" fn rmdir_callback<U: Operations>(
    dir: *mut bindings::inode,
    dentry: *mut bindings::dentry,
) -> c_int {
    from_result(|| {
        // `vfs_rmdir()` holds `dir` (`start_removing()`) and the victim (`inode_lock()`).
        // SAFETY: Valid arguments for the call (see the safety requirements).
        let (dir, child) = unsafe { (Locked::new(INode::from_raw(dir)), Child::from_raw(dentry)) };
        U::rmdir(&dir, child)?;
        Ok(0)
    })
}

/// `inode_operations::rename`.
///
/// # Safety
///
/// Called by `vfs_rename()` with valid arguments: `old_dir` and `new_dir` locked exclusively
/// (`lock_rename()`), `old_dentry` a positive child of `old_dir` and `new_dentry` a child of
/// `new_dir`.
unsafe extern "C" fn rename_callback<U: Operations>(
    idmap: *mut bindings::mnt_idmap,
    old_dir: *mut bindings::inode,
    old_dentry: *mut bindings::dentry,
    new_dir: *mut bindings::inode,
    new_dentry: *mut bindings::dentry,
    flags: c_uint,
) -> c_int {
    from_result(|| {
        // SAFETY: Valid arguments for the call, both parents locked (see the safety reqs).
        let (idmap, old_dir, old, new_dir, new) = unsafe {
            (
                MntIdmap::from_raw(idmap),
                Locked::new(INode::from_raw(old_dir)),
                RenameEntry::from_raw(old_dentry),
                Locked::new(INode::from_raw(new_dir)),
                RenameEntry::from_raw(new_dentry),
            )
        };
        U::rename(idmap, &old_dir, old, &new_dir, new, RenameFlags(flags))?;
        Ok(0)
    })
}
