// SPDX-License-Identifier: GPL-2.0

//! Inodes.
//!
//! [`Inode`] wraps `struct inode`; owned references are [`Ref`] (`ihold()`/`iput()`), bound to
//! the callback they are made in, or [`Owned`], which keeps the superblock active.
//! New inodes are built linearly with [`New`]: allocate on a superblock, set owner and mode
//! (`inode_init_owner()`), the type-specific operations and mapping, then hand it to the dentry
//! it becomes visible through. Dropping a [`New`] releases it.
//!
//! The inode operations are in [`Operations`] (submodule `operations`); the per-inode data of
//! [`FileSystem::InodeData`] and the inode slab cache holding it in the submodule `data`.
//!
//! C header: [`include/linux/fs.h`](srctree/include/linux/fs.h)

mod attr;
mod data;
mod operations;

pub use attr::{
    AttrChange,
    AttrMask,
    Kstat, //
};
pub(crate) use data::{
    alloc_inode_callback,
    destroy_inode_callback,
    free_inode_callback,
    init_data,
    InodeCache, //
};
pub(crate) use operations::{
    c_slot,
    slot, //
};
pub use operations::{
    Getattr,
    Link,
    Lookup,
    Operations,
    Ops,
    Rename,
    RenameFlags,
    Rmdir,
    SetAcl,
    Setattr,
    Unlink, //
};

use super::{
    address_space::{
        AddressSpaceOps,
        NoPages,
        PageCache,
        Provides,
        ReadWritePages, //
    },
    dentry::{
        Negative,
        RenameSource,
        TmpFile, //
    },
    file_operations::FileOps,
    filesystem::FileSystem,
    idmap::MntIdmap,
    lock::{
        Exclusive,
        Locked, //
    },
    sb::{
        Active,
        SuperBlock, //
    },
};
use crate::{
    bindings,
    error::{
        to_result,
        Result, //
    },
    prelude::*,
    str::CStrExt as _,
    sync::atomic::{
        atomic_load,
        Relaxed, //
    },
    task::Kuid,
    types::Opaque, //
};
use core::{
    marker::PhantomData,
    mem::ManuallyDrop,
    ptr,
    ptr::NonNull, //
};
use data::{
    has_data,
    WithData, //
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
    #[inline]
    pub fn file_type(self) -> Option<Type> {
        // Inline, and a `match` rather than a search: every new inode asks, on the path of
        // `create`, `mkdir` and `symlink`.
        Some(match u32::from(self.0) & bindings::S_IFMT {
            bindings::S_IFDIR => Type::Dir,
            bindings::S_IFREG => Type::Reg,
            bindings::S_IFLNK => Type::Lnk,
            bindings::S_IFIFO => Type::Fifo,
            bindings::S_IFSOCK => Type::Sock,
            bindings::S_IFCHR => Type::Chr,
            bindings::S_IFBLK => Type::Blk,
            _ => return None,
        })
    }
}

/// A group identifier as the kernel sees it, in the initial user namespace (`kgid_t`).
#[derive(Clone, Copy)]
pub struct Kgid(bindings::kgid_t);

impl Kgid {
    /// Creates a `Kgid` from the raw C value.
    pub fn from_raw(gid: bindings::kgid_t) -> Self {
        Self(gid)
    }

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

/// A device number (`dev_t`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dev(pub u32);

/// An inode of file system `T` (`struct inode`).
///
/// Callbacks get `&Inode` references that live as long as the call; an owned reference made
/// from one ([`Inode::ihold`], an [`inode::Ref`](Ref)) cannot outlive it either, so safe code
/// cannot keep an inode past the unmount of its superblock, nor carry it into another mount's
/// callback. [`Inode::to_owned`] makes a reference that can be kept (e.g. by a work item),
/// because it also keeps the superblock active.
///
/// # Invariants
///
/// The object is a valid inode of a set up superblock of type `T`; the VFS keeps it alive while
/// a reference to it exists (it is always reference counted). If `T` has inode data
/// (`has_data`), the inode is the `inode` field of a `WithData<T>` whose data is initialised.
#[repr(transparent)]
pub struct Inode<T: FileSystem>(Opaque<bindings::inode>, PhantomData<T>);

// SAFETY: The accessors of `&Inode` read fields atomically (`atomic_load`, `i_size_read()`), read
// fields that do not change once the inode is set up (`i_ino`, `i_sb`), or give out `Sync` data
// (`T::InodeData: Sync`); mutators need a `Locked` reference, whose lock serialises them.
unsafe impl<T: FileSystem> Sync for Inode<T> {}

/// An owned reference to an inode (`ihold()`, released by `iput()`), valid for `'a`: the
/// callback, or the borrow of the superblock, it was made in.
///
/// # Invariants
///
/// `inode` is a valid inode of a superblock of type `T` that stays set up for `'a`, of which
/// this object owns one reference.
pub struct Ref<'a, T: FileSystem> {
    inode: NonNull<bindings::inode>,
    _p: PhantomData<&'a Inode<T>>,
}

// SAFETY: The reference may be released from any thread (`iput()` may sleep, and so may the
// owner's drop); it cannot outlive `'a` in any case.
unsafe impl<T: FileSystem> Send for Ref<'_, T> {}
// SAFETY: `&Ref` only gives out `&Inode`, which is `Sync`.
unsafe impl<T: FileSystem> Sync for Ref<'_, T> {}

impl<'a, T: FileSystem> Ref<'a, T> {
    /// Takes over a reference to an inode.
    ///
    /// # Safety
    ///
    /// `inode` must be a valid inode of a superblock of type `T` that stays set up for `'a`, and
    /// the caller must own a reference to it, which is transferred.
    pub(crate) unsafe fn from_raw(inode: NonNull<bindings::inode>) -> Self {
        // INVARIANT: By the safety requirements.
        Self {
            inode,
            _p: PhantomData,
        }
    }

    /// Gives up the reference, returning the raw pointer.
    pub(crate) fn into_raw(self) -> *mut bindings::inode {
        ManuallyDrop::new(self).inode.as_ptr()
    }
}

impl<T: FileSystem> core::ops::Deref for Ref<'_, T> {
    type Target = Inode<T>;

    fn deref(&self) -> &Inode<T> {
        // SAFETY: We own a reference to the valid inode (type invariant).
        unsafe { Inode::from_raw(self.inode.as_ptr()) }
    }
}

impl<T: FileSystem> Clone for Ref<'_, T> {
    fn clone(&self) -> Self {
        // SAFETY: We own a reference to the valid inode (type invariant), so the count is
        // nonzero.
        unsafe { bindings::ihold(self.inode.as_ptr()) };
        // INVARIANT: We took a new reference to the same inode, valid as long.
        Self {
            inode: self.inode,
            _p: PhantomData,
        }
    }
}

impl<T: FileSystem> Drop for Ref<'_, T> {
    fn drop(&mut self) {
        // SAFETY: We own a reference to the valid inode (type invariant), released here.
        unsafe { bindings::iput(self.inode.as_ptr()) };
    }
}

/// An owned reference to an inode that also keeps its superblock active ([`Active`]), so it
/// may be kept beyond the callback it was made in, e.g. by a work item; see [`Inode::to_owned`].
///
/// While it exists, the superblock is not shut down: unmounting its last mount detaches the
/// mount, and the superblock lives on, as after a lazy unmount, until this is dropped. Keeping
/// one in the superblock's own data (or in an inode of it) therefore keeps the superblock alive
/// for good.
///
/// # Invariants
///
/// `inode` is a valid inode of the superblock `sb`, of which this object owns one reference.
pub struct Owned<T: FileSystem> {
    inode: NonNull<bindings::inode>,
    // Dropped after `inode` is released: the superblock may shut down then.
    sb: Active<T>,
}

// SAFETY: The inode and the superblock's active reference may be released from any thread.
unsafe impl<T: FileSystem> Send for Owned<T> {}
// SAFETY: `&Owned` only gives out `&Inode`, which is `Sync`.
unsafe impl<T: FileSystem> Sync for Owned<T> {}

impl<T: FileSystem> Owned<T> {
    /// Returns the superblock, which this reference keeps active.
    pub fn super_block(&self) -> &SuperBlock<T> {
        &self.sb
    }
}

impl<T: FileSystem> core::ops::Deref for Owned<T> {
    type Target = Inode<T>;

    fn deref(&self) -> &Inode<T> {
        // SAFETY: We own a reference to the valid inode (type invariant).
        unsafe { Inode::from_raw(self.inode.as_ptr()) }
    }
}

impl<T: FileSystem> Drop for Owned<T> {
    fn drop(&mut self) {
        crate::task::might_sleep();
        // SAFETY: We own a reference to the valid inode (type invariant), released here, before
        // the superblock's active reference (`sb`).
        unsafe { bindings::iput(self.inode.as_ptr()) };
    }
}

/// An inode that its holder may look at but not take references to: one being evicted
/// (`evict_inode`), or the host of a folio being invalidated or released (`invalidate_folio`,
/// `release_folio`), which may run during eviction or from reclaim while nobody holds the inode.
/// Its reference count may be zero, so only what it is can be read: no new reference (which
/// `ihold()` refuses on such an inode and whose `iput()` would evict it again) can be taken.
/// During eviction, looking the inode up in the inode cache ([`SuperBlock::iget`] with its
/// number) waits for the eviction to end, which never happens if the evicting task waits.
///
/// # Invariants
///
/// `inode` is a valid inode of `T` for `'a`, which is not freed before `'a` ends; its data is
/// initialised if `WithData::has_data` says so, and is not dropped before `'a` ends.
pub struct Unreferenced<'a, T: FileSystem> {
    inode: &'a Inode<T>,
}

impl<'a, T: FileSystem> Unreferenced<'a, T> {
    /// Creates an [`Unreferenced`] from a raw pointer.
    ///
    /// # Safety
    ///
    /// `ptr` must be an inode of a superblock of type `T` that stays valid for `'a`, and whose
    /// data (if initialised) is not dropped before `'a` ends: one that `evict()` is evicting,
    /// or the host of a folio locked for `'a`.
    pub(crate) unsafe fn from_raw(ptr: *mut bindings::inode) -> Self {
        // INVARIANT: The data is dropped later, in `destroy_inode` (safety requirements).
        Self {
            // SAFETY: `ptr` is a valid inode of type `T` for `'a` (safety requirements).
            inode: unsafe { Inode::from_raw(ptr) },
        }
    }

    /// Returns the inode number.
    pub fn ino(&self) -> Ino {
        self.inode.ino()
    }

    /// Returns the mode.
    pub fn mode(&self) -> Mode {
        self.inode.mode()
    }

    /// Returns the link count: zero for an inode evicted because its last name went.
    pub fn nlink(&self) -> u32 {
        self.inode.nlink()
    }

    /// Returns the file system's data for this inode; `None` for an inode whose data could not
    /// be initialised, which is evicted as it failed to be set up.
    pub fn data(&self) -> Option<&T::InodeData> {
        // SAFETY: The inode is valid, and its data is not dropped during `'a` (type invariant).
        if unsafe { data::has_initialised_data::<T>(self.inode.as_raw()) } {
            Some(self.inode.data())
        } else {
            None
        }
    }

    /// Returns the superblock the inode belongs to.
    pub fn super_block(&self) -> &SuperBlock<T> {
        self.inode.super_block()
    }

    /// Returns the inode, for the kernel crate's helpers that only read what it is.
    pub(crate) fn inode(&self) -> &Inode<T> {
        self.inode
    }
}

/// An inode being evicted (`evict_inode`): nobody references it, nobody can take a new
/// reference ([`SuperBlock::iget`] waits for the eviction to end) and no file system callback
/// other than the one evicting it runs on it, so what it owns can be released.
///
/// # Invariants
///
/// The inode is one that `evict()` is evicting (`I_FREEING`) for `'a`, in the task of the
/// holder.
pub struct Evicting<'a, T: FileSystem> {
    inode: Unreferenced<'a, T>,
}

impl<'a, T: FileSystem> Evicting<'a, T> {
    /// Creates an [`Evicting`] from a raw pointer.
    ///
    /// # Safety
    ///
    /// `ptr` must be an inode of a superblock of type `T` that `evict()` is evicting in the
    /// current task for `'a`, before `destroy_inode`.
    pub(crate) unsafe fn from_raw(ptr: *mut bindings::inode) -> Self {
        // INVARIANT: By the safety requirements.
        Self {
            // SAFETY: An inode being evicted stays valid, with its data, until `evict()` calls
            // `destroy_inode`, after `'a` (safety requirements).
            inode: unsafe { Unreferenced::from_raw(ptr) },
        }
    }
}

impl<'a, T: FileSystem> core::ops::Deref for Evicting<'a, T> {
    type Target = Unreferenced<'a, T>;

    fn deref(&self) -> &Self::Target {
        &self.inode
    }
}

impl<T: FileSystem> Inode<T> {
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
        let inode = self.as_raw();
        // SAFETY:
        // - `i_mode` of the valid inode is an aligned `umode_t` (`u16`), read as `i16` of the same
        //   size.
        // - C writes it plainly (`setattr_copy()`) under the inode lock; the read is a racy
        //   `READ_ONCE()`, as C readers without the lock do (FIXME(read_once): C writes are not
        //   `WRITE_ONCE()`).
        let bits = unsafe { atomic_load((&raw mut (*inode).i_mode).cast::<i16>(), Relaxed) };
        Mode(bits as u16)
    }

    /// Returns the size in bytes (`i_size_read()`).
    pub fn size(&self) -> i64 {
        // SAFETY: `i_size_read` may be called at any time on a valid inode.
        unsafe { bindings::i_size_read(self.as_raw()) }
    }

    /// Returns the number of pages in the inode's page cache (`i_mapping->nrpages`), e.g. to
    /// report the blocks of a file whose only copy of the data is the page cache.
    pub fn nrpages(&self) -> u64 {
        // SAFETY:
        // - The inode is valid and its `i_mapping` is set up and does not change.
        // - `nrpages` is an aligned `unsigned long`, read as `READ_ONCE()` does; the page cache
        //   writes it under the mapping's `i_pages` lock, which this does not take.
        let pages = unsafe {
            let mapping = (*self.as_raw()).i_mapping;
            atomic_load((&raw mut (*mapping).nrpages).cast::<usize>(), Relaxed)
        };
        pages as u64
    }

    /// Returns the link count.
    pub fn nlink(&self) -> u32 {
        // SAFETY: `i_nlink` of the valid inode is an aligned `u32`, read as `READ_ONCE()` does;
        // see `mode` for the plain writes on the C side.
        unsafe { atomic_load(&raw mut (*self.as_raw()).__bindgen_anon_1.i_nlink, Relaxed) }
    }

    /// Returns the owner.
    ///
    /// ```
    /// use kernel::fs::{filesystem::FileSystem, inode::Inode};
    ///
    /// /// Whether the current task's effective UID owns `inode`, and when it last changed.
    /// fn owned<T: FileSystem>(inode: &Inode<T>) -> (bool, i64) {
    ///     let euid = kernel::task::Kuid::current_euid();
    ///     (inode.uid() == euid, inode.mtime().sec.max(inode.ctime().sec))
    /// }
    /// ```
    pub fn uid(&self) -> Kuid {
        // SAFETY: `i_uid.val` of the valid inode is an aligned `u32`, read as `READ_ONCE()` does;
        // see `mode` for the plain writes on the C side. This is the raw `kuid_t`, not mapped
        // through a namespace (unlike `i_uid_read()`).
        let val = unsafe { atomic_load(&raw mut (*self.as_raw()).i_uid.val, Relaxed) };
        Kuid::from_raw(bindings::kuid_t { val })
    }

    /// Returns the group.
    pub fn gid(&self) -> Kgid {
        // SAFETY: As for `uid`, with `i_gid.val`.
        let val = unsafe { atomic_load(&raw mut (*self.as_raw()).i_gid.val, Relaxed) };
        Kgid(bindings::kgid_t { val })
    }

    /// Returns the last access time (`inode_get_atime()`).
    pub fn atime(&self) -> Timestamp {
        let i = self.as_raw();
        // SAFETY: Both fields of the valid inode are aligned, read as `READ_ONCE()` does in
        // `inode_get_atime()`; see `mode` for the plain writes on the C side.
        unsafe {
            Timestamp {
                sec: atomic_load(&raw mut (*i).i_atime_sec, Relaxed),
                nsec: atomic_load(&raw mut (*i).i_atime_nsec, Relaxed),
            }
        }
    }

    /// Returns the last modification time (`inode_get_mtime()`).
    pub fn mtime(&self) -> Timestamp {
        let i = self.as_raw();
        // SAFETY: Both fields of the valid inode are aligned, read as `READ_ONCE()` does in
        // `inode_get_mtime()`; see `mode` for the plain writes on the C side.
        unsafe {
            Timestamp {
                sec: atomic_load(&raw mut (*i).i_mtime_sec, Relaxed),
                nsec: atomic_load(&raw mut (*i).i_mtime_nsec, Relaxed),
            }
        }
    }

    /// Returns the last status change time (`inode_get_ctime()`).
    pub fn ctime(&self) -> Timestamp {
        let i = self.as_raw();
        // SAFETY: Both fields of the valid inode are aligned, read as `READ_ONCE()` does in
        // `inode_get_ctime()`; see `mode` for the plain writes on the C side.
        unsafe {
            Timestamp {
                sec: atomic_load(&raw mut (*i).i_ctime_sec, Relaxed),
                nsec: atomic_load(&raw mut (*i).i_ctime_nsec, Relaxed) & !bindings::I_CTIME_QUERIED,
            }
        }
    }

    /// Returns the file system's data for this inode, given when it was created
    /// ([`SuperBlock::new_inode`], [`SuperBlock::iget`]).
    pub fn data(&self) -> &T::InodeData {
        if !has_data::<T>() {
            // SAFETY:
            // - `T::InodeData` is zero-sized without drop glue (`has_data`), and a value of it
            //   existed, to create the inode.
            // - Any well-aligned pointer, such as `NonNull::dangling()`, is a valid reference to
            //   such a zero-sized type.
            return unsafe { NonNull::dangling().as_ref() };
        }
        // SAFETY:
        // - By the type invariant the inode is in a `WithData<T>` with initialised data.
        // - `has_data::<T>()` holds (checked above).
        // - The data lives as long as the inode, so it is valid for the lifetime of `self`.
        unsafe { WithData::<T>::data(self.as_raw()) }
    }

    /// Returns the superblock the inode belongs to.
    pub fn super_block(&self) -> &SuperBlock<T> {
        // SAFETY: By the type invariant the inode belongs to a set up superblock of type `T`;
        // `i_sb` does not change, and the superblock outlives its inodes.
        unsafe { SuperBlock::from_raw((*self.as_raw()).i_sb) }
    }

    /// Takes a new reference to the inode (`ihold()`), which lives as long as `&self`.
    pub fn ihold(&self) -> Ref<'_, T> {
        // SAFETY: The existence of `&self` means the reference count is nonzero.
        unsafe { bindings::ihold(self.as_raw()) };
        // SAFETY: We took the reference, valid as long as the borrow of `self`.
        unsafe { Ref::from_raw(NonNull::from(self).cast()) }
    }

    /// Takes a reference to the inode that may be kept beyond the current callback, because it
    /// also keeps the superblock active ([`Owned`]). Fails with `ENOENT` if the superblock is
    /// already shutting down.
    pub fn to_owned(&self) -> Result<Owned<T>> {
        let sb = self.super_block().active()?;
        let inode = ManuallyDrop::new(self.ihold()).inode;
        // INVARIANT: `inode` is an inode of `sb`, whose reference we took.
        Ok(Owned { inode, sb })
    }
}

impl<T: FileSystem> Locked<'_, Inode<T>, Exclusive> {
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
/// It cannot outlive `'a`, the borrow of the superblock it was allocated on. `P` is what its
/// address space operations can do with the page cache ([`PageCache`]): a new inode has none
/// (`empty_aops`, [`NoPages`]) until [`New::set_aops`] gives it some, and file or inode
/// operations that need more than that cannot be set, so the address space is set first.
///
/// # Invariants
///
/// `inode` is a new inode of a superblock of type `T` that stays set up for `'a`, with its data
/// initialised, of which this object owns one reference: an unhashed inode from `new_inode()`,
/// or, if `locked`, a hashed inode from `iget_locked()` still marked `I_NEW`. Nobody else sets
/// it up or reaches it through a dentry, but the VFS can see it (on `s_inodes`, and in the inode
/// hash if `locked`) and may update its reference count and state under `i_lock`, so it is only
/// written field by field, never through a `&mut` to the whole inode.
pub struct New<'a, T: FileSystem, P: PageCache = NoPages> {
    inode: NonNull<bindings::inode>,
    locked: bool,
    _p: PhantomData<(&'a SuperBlock<T>, P)>,
}

impl<'a, T: FileSystem> New<'a, T> {
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

    /// Sets the address space (page cache) operations, whose kind the builder takes on. If they
    /// have a Rust `invalidate_folio` or `release_folio`, the page cache calls it for every
    /// folio (`mapping_set_release_always()`).
    pub fn set_aops<Q: PageCache>(self, aops: &'static AddressSpaceOps<T, Q>) -> New<'a, T, Q> {
        // SAFETY: The inode is valid and only we set it up (type invariant); `i_mapping` of a
        // new inode points to its embedded `i_data`.
        let mapping = unsafe { (*self.raw()).i_mapping };
        // SAFETY: `mapping` is the new inode's valid `i_data`, which only we set up.
        unsafe {
            (*mapping).a_ops = aops.as_raw();
            if aops.release_always() {
                bindings::mapping_set_release_always(mapping);
            }
        }
        let me = ManuallyDrop::new(self);
        // INVARIANT: The same inode and reference, now with address space operations of kind `Q`.
        New {
            inode: me.inode,
            locked: me.locked,
            _p: PhantomData,
        }
    }
}

impl<'a, T: FileSystem> New<'a, T, ReadWritePages> {
    /// Stores `target` as the body of a symlink in the inode's page cache and sets the size to its
    /// length (`page_symlink()`), which needs address space operations that write pages, such as
    /// [`AddressSpaceOps::ram`].
    pub fn page_symlink(self, target: &CStr) -> Result<Self> {
        let len = i32::try_from(target.to_bytes_with_nul().len()).map_err(|_| ENAMETOOLONG)?;
        // SAFETY:
        // - The inode is new and set up only by us (type invariant); its address space
        //   operations write pages (`ReadWritePages`), as `page_symlink()` needs.
        // - `target` is NUL-terminated and `len` counts the NUL.
        to_result(unsafe { bindings::page_symlink(self.raw(), target.as_char_ptr(), len) })?;
        Ok(self)
    }
}

impl<'a, T: FileSystem, P: PageCache> New<'a, T, P> {
    /// Returns the inode number.
    pub fn ino(&self) -> Ino {
        // SAFETY: By the type invariant the inode is valid and only we set its number.
        Ino(unsafe { (*self.inode.as_ptr()).i_ino })
    }

    fn raw(&self) -> *mut bindings::inode {
        self.inode.as_ptr()
    }

    /// Sets the inode number of an inode from [`SuperBlock::new_inode`]. An inode from the inode
    /// cache ([`SuperBlock::iget`]) keeps the number it is hashed under.
    pub fn set_ino(self, ino: Ino) -> Self {
        if !self.locked {
            // SAFETY: The inode is valid and only we set it up (type invariant).
            unsafe { (*self.raw()).i_ino = ino.0 };
        }
        self
    }

    /// Sets owner, group and mode as for a new file created in `dir` (`inode_init_owner()`): the
    /// owner is the caller's fsuid; the group and the set-gid bit follow the parent's set-gid
    /// bit. `dir` is `None` for a root directory.
    pub fn init_owner(self, idmap: &MntIdmap, dir: Option<&Inode<T>>, mode: Mode) -> Self {
        if mode.file_type() != Some(Type::Lnk) {
            self.forget_cached_link();
        }
        let dir = dir.map_or(ptr::null(), |d| d.as_raw().cast_const());
        // SAFETY: The inode is new and owned by us; `idmap` and `dir` are valid.
        unsafe { bindings::inode_init_owner(idmap.as_raw(), self.raw(), dir, mode.0) };
        self
    }

    /// Sets the owner, e.g. to the one given as a mount option for a root directory.
    pub fn set_uid(self, uid: Kuid) -> Self {
        // SAFETY: The inode is new and owned by us; nothing else writes its owner yet.
        unsafe { (*self.raw()).i_uid = uid.into_raw() };
        self
    }

    /// Sets the group, as [`New::set_uid`] sets the owner.
    pub fn set_gid(self, gid: Kgid) -> Self {
        // SAFETY: The inode is new and owned by us; nothing else writes its group yet.
        unsafe { (*self.raw()).i_gid = gid.into_raw() };
        self
    }

    /// Sets access, modification and change times to the current time (`simple_inode_init_ts()`).
    pub fn simple_inode_init_ts(self) -> Self {
        // SAFETY: The inode is new and owned by us.
        unsafe { bindings::simple_inode_init_ts(self.raw()) };
        self
    }

    /// Makes the inode a symlink to `target`, kept in memory beside the inode (`i_link`,
    /// `inode_set_cached_link()`) as tmpfs keeps short symlinks and disk file systems their fast
    /// symlinks, with `simple_symlink_inode_operations` as inode operations and the length of
    /// `target` as size.
    ///
    /// Path walks read the target without calling the file system, also in RCU-walk mode, where
    /// an evicted inode may still be seen: the copy is therefore freed only after an RCU grace
    /// period, with the inode (`free_inode`). Fails with `EINVAL` if the inode is not a symlink
    /// (see [`New::init_owner`]), whose `i_link` shares its place with the pipe and device
    /// pointers of other inodes.
    pub fn set_cached_link(self, target: &CStr) -> Result<Self> {
        // SAFETY: The inode is new and owned by us; nothing else writes its mode yet.
        let mode = Mode(unsafe { (*self.raw()).i_mode });
        if mode.file_type() != Some(Type::Lnk) {
            return Err(EINVAL);
        }
        let len = i32::try_from(target.to_bytes().len()).map_err(|_| ENAMETOOLONG)?;
        let mut copy = KVec::new();
        copy.extend_from_slice(target.to_bytes_with_nul(), GFP_KERNEL)?;
        let (link, _, _) = copy.into_raw_parts();
        self.forget_cached_link();
        // SAFETY:
        // - The inode is new and owned by us; it has no cached link (we just forgot any).
        // - `link` is a `kmalloc()`ed copy of `target` with its NUL, whose length is `len`; the
        //   inode owns it from now on, and `free_inode` frees it after an RCU grace period
        //   (`free_cached_link`), as nothing else does for a symlink.
        // - `simple_symlink_inode_operations` is static and only reads `i_link`.
        unsafe {
            bindings::inode_set_cached_link(self.raw(), link.cast(), len);
            (*self.raw()).i_op = &raw const bindings::simple_symlink_inode_operations;
            bindings::i_size_write(self.raw(), len.into());
        }
        Ok(self)
    }

    /// Returns `true` if the inode is a whiteout: a character device with device number 0:0.
    pub(crate) fn is_whiteout(&self) -> bool {
        // SAFETY: The inode is new and owned by us; nothing else writes its mode or device yet.
        let (mode, rdev) = unsafe { (Mode((*self.raw()).i_mode), (*self.raw()).i_rdev) };
        mode.file_type() == Some(Type::Chr) && rdev == 0
    }

    /// Frees the target set by [`New::set_cached_link`], if any, before the inode's mode changes.
    fn forget_cached_link(&self) {
        // SAFETY: The inode is new and owned by us: its link, if it has one, is used by nobody.
        unsafe { data::free_cached_link(self.raw()) };
    }

    /// Sets the size in bytes (`i_size_write()`).
    pub fn set_size(self, size: i64) -> Self {
        // SAFETY: The inode is new and owned by us.
        unsafe { bindings::i_size_write(self.raw(), size) };
        self
    }

    /// Sets the link count (`set_nlink()`), e.g. of an inode read from storage.
    pub fn set_nlink(self, nlink: u32) -> Self {
        // SAFETY: The inode is new and owned by us.
        unsafe { bindings::set_nlink(self.raw(), nlink) };
        self
    }

    /// Increments the link count, e.g. to 2 for the `.` entry of a new directory.
    pub fn inc_nlink(self) -> Self {
        // SAFETY: The inode is new and owned by us.
        unsafe { bindings::inc_nlink(self.raw()) };
        self
    }

    /// Sets the inode operations, e.g. [`Ops::of`]; operations that read the page cache
    /// ([`Ops::page_symlink`]) need an address space that provides that.
    pub fn set_iops<Q: PageCache>(self, iops: &'static Ops<T, Q>) -> Self
    where
        P: Provides<Q>,
    {
        // SAFETY: The inode is valid and only we set it up (type invariant).
        unsafe { (*self.raw()).i_op = iops.as_raw() };
        self
    }

    /// Sets the file operations used when the inode is opened.
    ///
    /// File operations served from the page cache ([`FileOps::ram`],
    /// [`FileOps::generic_read_only`]) need address space operations that read pages, and
    /// writable ones also write them ([`AddressSpaceOps::ram`]): a build error otherwise.
    pub fn set_fops<Q: PageCache>(self, fops: &'static FileOps<T, Q>) -> Self
    where
        P: Provides<Q>,
    {
        // SAFETY: The inode is valid and only we set it up (type invariant).
        unsafe { (*self.raw()).__bindgen_anon_3.i_fop = fops.as_raw() };
        self
    }

    /// Makes the page cache of the inode memory-only: pages may come from high memory and are
    /// never reclaimed (`mapping_set_gfp_mask(GFP_HIGHUSER)`, `mapping_set_unevictable()`), as
    /// for file systems whose only copy of the data is the page cache.
    pub fn set_mapping_unevictable(self) -> Self {
        // SAFETY: The inode is valid (type invariant).
        let mapping = unsafe { (*self.raw()).i_mapping };
        // SAFETY: `mapping` is the new inode's valid `i_data`, which only we set up.
        unsafe {
            bindings::mapping_set_gfp_mask(mapping, bindings::GFP_HIGHUSER);
            bindings::mapping_set_unevictable(mapping);
        }
        self
    }

    /// Initialises a special inode: FIFO, socket or device (`init_special_inode()`).
    pub fn init_special_inode(self, mode: Mode, dev: Dev) -> Self {
        self.forget_cached_link();
        // SAFETY: The inode is new and owned by us.
        unsafe { bindings::init_special_inode(self.raw(), mode.0, dev.0) };
        self
    }

    /// Allocates the inode's page cache from low memory only (`inode_nohighmem()`), as needed by
    /// inodes whose pages the kernel maps directly, such as page-cache symlinks.
    pub fn set_nohighmem(self) -> Self {
        // SAFETY: The inode is new and owned by us.
        unsafe { bindings::inode_nohighmem(self.raw()) };
        self
    }

    /// Initialises the security attributes of an inode about to be linked as `entry` in `dir`
    /// (`security_inode_init_security()`), before it becomes visible.
    pub fn init_security(self, dir: &Inode<T>, entry: &impl NewEntry<T>) -> Result<Self> {
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

    /// Gives the inode, about to be linked in `dir`, the POSIX ACLs that the default ACL of
    /// `dir` passes on, and the mode bits they allow, or applies the umask if `dir` has none
    /// (`simple_acl_create()`). Does nothing on a superblock without POSIX ACLs
    /// ([`SuperBlock::set_posix_acl`](crate::fs::sb::SuperBlock::set_posix_acl)), where the VFS
    /// applied the umask, or on a symlink.
    ///
    /// A file system without [`inode::Operations::SET_ACL`](Operations::SET_ACL) does not call
    /// it: on a superblock mounted with `MS_POSIXACL`, it would apply the umask the VFS left
    /// out, where C file systems without ACLs, such as ramfs, apply none.
    pub fn simple_acl_create(self, dir: &Inode<T>) -> Result<Self> {
        // Without POSIX ACLs, `simple_acl_create()` would only cache "no ACL" in the new inode,
        // which nothing reads then: skip the calls on the path of every create.
        if dir.super_block().has_posix_acl() {
            #[cfg(CONFIG_FS_POSIX_ACL)]
            // SAFETY: `dir` is valid; the inode is new and only this task sets it up, as
            // `simple_acl_create()` requires of the inode whose mode and ACLs it sets.
            to_result(unsafe { bindings::simple_acl_create(dir.as_raw(), self.raw()) })?;
        }
        Ok(self)
    }

    /// Records that the inode has no POSIX ACLs (`cache_no_acl()`), as tmpfs does for each new
    /// inode. An inode starts with its ACLs not yet read ("not cached"), which the VFS lists in
    /// `listxattr(2)` as if they existed; a file system that keeps ACLs only in memory has none
    /// to read, so it records their absence until `set_acl` or
    /// [`New::simple_acl_create`] gives it some.
    pub fn cache_no_acl(self) -> Self {
        #[cfg(CONFIG_FS_POSIX_ACL)]
        // SAFETY: The inode is new and owned by us: nothing reads its ACLs yet.
        unsafe {
            (*self.raw()).i_acl = ptr::null_mut();
            (*self.raw()).i_default_acl = ptr::null_mut();
        }
        self
    }

    /// Finishes setting up the inode and returns it.
    pub fn into_inode(self) -> Result<Ref<'a, T>> {
        let sb = self.super_block_ptr();
        self.finish(sb, |inode| {
            // SAFETY: `finish` passes the reference we own to a valid (non-null) inode of a
            // superblock set up for `'a`, which is transferred to the `Ref`.
            unsafe { Ref::from_raw(NonNull::new_unchecked(inode)) }
        })
    }

    pub(crate) fn super_block_ptr(&self) -> *mut bindings::super_block {
        // SAFETY: The inode is valid (type invariant); `i_sb` never changes.
        unsafe { (*self.raw()).i_sb }
    }

    /// Finishes setting up the inode: lets `attach` take over our reference, e.g. by attaching
    /// the inode to a dentry. A new inode of the inode cache is unlocked (`unlock_new_inode()`)
    /// only after that, so that nobody finds it before it is attached.
    ///
    /// Fails with `EXDEV` (dropping the inode) unless the inode belongs to superblock `sb`, the
    /// superblock of the dentry it is attached to.
    #[inline(always)]
    pub(crate) fn finish<R>(
        self,
        sb: *mut bindings::super_block,
        attach: impl FnOnce(*mut bindings::inode) -> R,
    ) -> Result<R> {
        // SAFETY: The inode is valid (type invariant); `i_sb` never changes.
        if unsafe { (*self.raw()).i_sb } != sb {
            return Err(EXDEV);
        }
        let me = ManuallyDrop::new(self);
        let inode = me.inode.as_ptr();
        if me.locked {
            // SAFETY: We own a reference to the valid inode, so we may take another one, which
            // keeps the inode alive until it is unlocked, even if `attach` releases it.
            unsafe { bindings::ihold(inode) };
        }
        let r = attach(inode);
        if me.locked {
            // SAFETY: The inode is `I_NEW`, set up and attached; we hold the extra reference.
            unsafe {
                bindings::unlock_new_inode(inode);
                bindings::iput(inode);
            }
        }
        Ok(r)
    }
}

/// A dentry that a new inode is about to be attached to, whose name is stable: a [`Negative`]
/// dentry under a locked parent, the private dentry of a [`TmpFile`], or the whiteout that
/// replaces a [`RenameSource`].
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

impl<T: FileSystem> private::Sealed for RenameSource<'_, T> {}
impl<T: FileSystem> NewEntry<T> for RenameSource<'_, T> {
    fn qstr(&self) -> *const bindings::qstr {
        RenameSource::qstr(self)
    }
}

impl<T: FileSystem> private::Sealed for TmpFile<'_, T> {}
impl<T: FileSystem> NewEntry<T> for TmpFile<'_, T> {
    fn qstr(&self) -> *const bindings::qstr {
        TmpFile::qstr(self)
    }
}

impl<T: FileSystem, P: PageCache> Drop for New<'_, T, P> {
    fn drop(&mut self) {
        if self.locked {
            // SAFETY: We own the reference to an `I_NEW` inode, which `iget_failed` takes over:
            // it marks the inode bad, unhashes, unlocks and releases it, so waiters look again.
            unsafe { bindings::iget_failed(self.inode.as_ptr()) };
        } else {
            // SAFETY: We own a reference to an unhashed, unlinked inode, which `iput` frees.
            unsafe { bindings::iput(self.inode.as_ptr()) };
        }
    }
}
