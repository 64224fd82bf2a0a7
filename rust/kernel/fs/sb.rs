// SPDX-License-Identifier: GPL-2.0

//! Superblocks and super operations.
//!
//! A [`SuperBlock`] is typed by its file system and by its state: [`New`] while
//! [`FileSystem::fill_super`] sets it up (the only
//! time its parameters may be changed), [`Ready`] afterwards.
//!
//! C headers: [`include/linux/fs.h`](srctree/include/linux/fs.h),
//! [`include/linux/fs/super_types.h`](srctree/include/linux/fs/super_types.h)

use super::{
    dentry::Dentry,
    filesystem::FileSystem,
    inode::{
        self,
        Ino, //
    },
};
use crate::{
    bindings,
    error::{
        code::*,
        from_result,
        Result,
        VTABLE_DEFAULT_ERROR, //
    },
    prelude::*,
    seq_file::SeqFile,
    sync::atomic::{
        atomic_load,
        Relaxed, //
    },
    types::{
        ForeignOwnable,
        NotThreadSafe,
        Opaque, //
    },
};
use core::{
    marker::PhantomData,
    ptr::NonNull, //
};

/// Typestate of a superblock being set up by `fill_super`; such a superblock is only used by the
/// task that sets it up, so it is neither `Send` nor `Sync`.
pub struct New(NotThreadSafe);

/// Typestate of a superblock that is fully set up.
pub struct Ready;

/// The largest file size the page cache can address (`MAX_LFS_FILESIZE`): `i64::MAX` on 64-bit
/// architectures, 16 TiB with 4 KiB pages on 32-bit ones. The limit for
/// [`SuperBlock::set_maxbytes`].
pub const MAX_LFS_FILESIZE: i64 = bindings::MAX_LFS_FILESIZE;

/// A file system superblock (`struct super_block`).
///
/// # Invariants
///
/// - The object is a valid `struct super_block` of file system type `T`, whose `s_fs_info` holds
///   a `T::Data` from `into_foreign`.
/// - In state [`New`], it is being initialised by `fill_super` and no other code accesses its
///   parameters; in state [`Ready`], it is fully set up.
#[repr(transparent)]
pub struct SuperBlock<T: FileSystem, S = Ready>(Opaque<bindings::super_block>, PhantomData<(T, S)>);

impl<T: FileSystem, S> SuperBlock<T, S> {
    /// Returns the raw pointer.
    pub fn as_raw(&self) -> *mut bindings::super_block {
        self.0.get()
    }

    /// Returns the file system's data for this superblock, made by
    /// [`FileSystem::init_data`].
    pub fn data(&self) -> <T::Data as ForeignOwnable>::Borrowed<'_> {
        // SAFETY: By the type invariant `s_fs_info` is from `T::Data::into_foreign`; it is
        // released in `kill_sb`, after the last use of the superblock through `&self`, and never
        // borrowed mutably.
        unsafe { T::Data::borrow((*self.as_raw()).s_fs_info) }
    }
}

impl<T: FileSystem> SuperBlock<T, New> {
    /// Creates a reference to a new superblock from a raw pointer.
    ///
    /// # Safety
    ///
    /// - `ptr` must be a superblock of type `T` being set up by `fill_super`, whose parameters
    ///   nobody else accesses for `'a`.
    /// - Its `s_fs_info` must be a `T::Data` from `into_foreign`.
    pub(crate) unsafe fn from_raw_new<'a>(ptr: *mut bindings::super_block) -> &'a Self {
        // SAFETY: By the safety requirements `ptr` is valid for `'a`; `Self` is
        // `repr(transparent)` over `Opaque<super_block>`.
        unsafe { &*ptr.cast() }
    }

    /// Sets the magic number reported by `statfs` (`s_magic`).
    pub fn set_magic(&self, magic: u64) -> &Self {
        // SAFETY: By the type invariant only this task accesses the parameters of the new
        // superblock; the field is written through a raw pointer, without a reference to the
        // whole superblock, which other tasks may see on `super_blocks`.
        unsafe { (*self.as_raw()).s_magic = magic as c_ulong };
        self
    }

    /// Sets the block size to `1 << bits` bytes (`s_blocksize`, `s_blocksize_bits`), as
    /// `sb_set_blocksize()` allows: from 512 bytes to the page size. Fails with `EINVAL`
    /// otherwise.
    pub fn set_blocksize_bits(&self, bits: u8) -> Result<&Self> {
        if !(9..=crate::page::PAGE_SHIFT as u8).contains(&bits) {
            return Err(EINVAL);
        }
        // SAFETY: As in `set_magic`.
        unsafe {
            (*self.as_raw()).s_blocksize_bits = bits;
            (*self.as_raw()).s_blocksize = 1 << bits;
        }
        Ok(self)
    }

    /// Sets the maximum file size (`s_maxbytes`). Fails with `EINVAL` beyond what the page
    /// cache can address ([`MAX_LFS_FILESIZE`]) or below zero.
    pub fn set_maxbytes(&self, max: i64) -> Result<&Self> {
        if !(0..=MAX_LFS_FILESIZE).contains(&max) {
            return Err(EINVAL);
        }
        // SAFETY: As in `set_magic`.
        unsafe { (*self.as_raw()).s_maxbytes = max };
        Ok(self)
    }

    /// Sets the timestamp granularity in nanoseconds (`s_time_gran`), from 1 to one second.
    /// Fails with `EINVAL` otherwise.
    pub fn set_time_gran(&self, gran: u32) -> Result<&Self> {
        if !(1..=1_000_000_000).contains(&gran) {
            return Err(EINVAL);
        }
        // SAFETY: As in `set_magic`.
        unsafe { (*self.as_raw()).s_time_gran = gran };
        Ok(self)
    }

    /// Makes dentries of this superblock not cached once unused (`DCACHE_DONTCACHE` in
    /// `s_d_flags`), as in-memory file systems whose tree lives in pinned dentries do.
    pub fn set_dentries_dontcache(&self) -> &Self {
        // SAFETY: As in `set_magic`.
        unsafe { (*self.as_raw()).s_d_flags |= bindings::dentry_flags_DCACHE_DONTCACHE };
        self
    }

    /// Gives the superblock POSIX ACLs (`SB_POSIXACL`): the VFS then leaves the umask to the
    /// file system, which applies it or the parent's default ACL when it creates an inode
    /// ([`inode::New::simple_acl_create`]), and passes ACL changes to `set_acl`
    /// ([`inode::Operations::SET_ACL`]). Fails with `EOPNOTSUPP` without
    /// `CONFIG_FS_POSIX_ACL`.
    ///
    /// `mount(2)` with `MS_POSIXACL` sets the flag too, on any file system: one that has no
    /// POSIX ACLs then gets no umask from the VFS either, as C ramfs does. Such a file system
    /// decides by its own options whether it has ACLs, not by [`SuperBlock::has_posix_acl`].
    pub fn set_posix_acl(&self) -> Result<&Self> {
        if !cfg!(CONFIG_FS_POSIX_ACL) {
            return Err(EOPNOTSUPP);
        }
        // SAFETY: As in `set_magic`; the superblock is not active yet, so nobody reads
        // `s_flags` concurrently for inodes of it.
        unsafe { (*self.as_raw()).s_flags |= bindings::SB_POSIXACL as c_ulong };
        Ok(self)
    }

    /// Sets the super operations (`s_op`) to the table of `U`, which the abstraction builds at
    /// compile time.
    pub fn set_ops<U: Operations<FileSystem = T>>(&self) -> &Self {
        let ops: &'static Ops<T> = &Table::<U>::OPS;
        // SAFETY: As in `set_magic`; `ops` is static.
        unsafe { (*self.as_raw()).s_op = &ops.0 };
        self
    }
}

impl<T: FileSystem> SuperBlock<T> {
    /// Creates a reference to a ready superblock from a raw pointer.
    ///
    /// # Safety
    ///
    /// `ptr` must be a fully set up superblock of type `T` (its `s_fs_info` set from a
    /// `T::Data`) that stays valid for `'a`.
    pub unsafe fn from_raw<'a>(ptr: *mut bindings::super_block) -> &'a Self {
        // SAFETY: By the safety requirements `ptr` is valid for `'a`; the layouts match.
        unsafe { &*ptr.cast() }
    }

    /// Allocates a new, unhashed inode on this superblock (`new_inode()`), with its
    /// [`Inode::data`](inode::Inode::data) initialised in place by `data` (a value, or a pinned
    /// initialiser such as `pin_init!`, so the data may embed locks).
    ///
    /// The inode is returned as an [`inode::New`] builder; see there. It cannot outlive the
    /// borrow of the superblock, that is, the callback it is made in.
    pub fn new_inode<E>(&self, data: impl PinInit<T::InodeData, E>) -> Result<inode::New<'_, T>>
    where
        Error: From<E>,
    {
        // SAFETY: `self` is a valid superblock (type invariant).
        let p = unsafe { bindings::new_inode(self.as_raw()) };
        let p = NonNull::new(p).ok_or(ENOMEM)?;
        // SAFETY: `new_inode` returned a new inode of `T` that nobody else uses yet, whose data
        // is not initialised yet.
        if let Err(e) = unsafe { inode::init_data::<T, E>(p.as_ptr(), data) } {
            // SAFETY: We own the only reference to the new, unhashed inode, whose data is not
            // initialised (so `destroy_inode` does not drop it); `iput` frees it.
            unsafe { bindings::iput(p.as_ptr()) };
            return Err(e.into());
        }
        // SAFETY: `new_inode` returned a new inode of this superblock with one reference, which
        // we own.
        Ok(unsafe { inode::New::from_raw(p) })
    }

    /// Returns the inode numbered `ino` from the inode cache (`iget_locked()`): [`IGet::Cached`]
    /// if it is there, otherwise a new inode to set up, with its
    /// [`Inode::data`](inode::Inode::data) initialised in place by `data` ([`IGet::New`]), as
    /// for [`SuperBlock::new_inode`]. Others looking for the same inode wait until the new one
    /// is set up.
    ///
    /// `data` is only used for a new inode; if it fails, the inode is dropped (`iget_failed()`).
    /// It must not look up the same inode number again: that waits for the new inode.
    pub fn iget<E>(&self, ino: Ino, data: impl PinInit<T::InodeData, E>) -> Result<IGet<'_, T>>
    where
        Error: From<E>,
    {
        // SAFETY: `self` is a valid superblock (type invariant).
        let p = unsafe { bindings::iget_locked(self.as_raw(), ino.0) };
        let p = NonNull::new(p).ok_or(ENOMEM)?;
        // SAFETY: `iget_locked` returned a valid, referenced inode.
        let state = unsafe { bindings::inode_state_read_once(p.as_ptr()) };
        if state & bindings::inode_state_flags_enum_I_NEW == 0 {
            // SAFETY: A cached inode of this superblock is set up; we own the reference
            // `iget_locked` took.
            return Ok(IGet::Cached(unsafe { inode::Ref::from_raw(p) }));
        }
        // SAFETY: The inode is new (`I_NEW`) and locked, so nobody else uses it; its data is not
        // initialised yet.
        match unsafe { inode::init_data::<T, E>(p.as_ptr(), data) } {
            // SAFETY: We own the reference to the locked new inode of this superblock, whose data
            // is initialised.
            Ok(()) => Ok(IGet::New(unsafe { inode::New::from_raw_locked(p) })),
            Err(e) => {
                // SAFETY: The inode is new and locked, its data not initialised; this marks it
                // bad, unhashes it and releases our reference.
                unsafe { bindings::iget_failed(p.as_ptr()) };
                Err(e.into())
            }
        }
    }

    /// Returns `true` if the superblock has POSIX ACLs (`SB_POSIXACL`, `IS_POSIXACL()`), see
    /// [`SuperBlock::set_posix_acl`]; the mounter may have asked for them (`MS_POSIXACL`).
    pub fn has_posix_acl(&self) -> bool {
        let sb = self.as_raw();
        // SAFETY: `s_flags` of a valid superblock can be read here as `READ_ONCE()` would: a
        // remount may change other flags concurrently (FIXME(read_once): with `WRITE_ONCE()`,
        // not atomically); `SB_POSIXACL` is set before the superblock is ready and stays.
        let flags = unsafe { atomic_load(&raw mut (*sb).s_flags, Relaxed) };
        flags & bindings::SB_POSIXACL != 0
    }

    /// Takes an active reference to the superblock (`s_active`), which keeps it mounted as far
    /// as the VFS is concerned (like a lazily unmounted file system) until the reference is
    /// dropped. Fails with `ENOENT` if the superblock is already shutting down.
    ///
    /// This is the way to keep the superblock, or an inode of it
    /// ([`Inode::to_owned`](inode::Inode::to_owned)), beyond the callback: the references
    /// callbacks get cannot outlive it.
    pub fn active(&self) -> Result<Active<T>> {
        // SAFETY: `s_active` of a valid superblock is a valid `atomic_t`.
        if !unsafe { bindings::atomic_inc_not_zero(&raw mut (*self.as_raw()).s_active) } {
            return Err(ENOENT);
        }
        // INVARIANT: We took an active reference, which the `Active` owns.
        Ok(Active {
            sb: NonNull::from(self),
        })
    }
}

/// An active reference to a superblock (`s_active`), see [`SuperBlock::active`]; dropping it
/// may shut the superblock down (`deactivate_super()`), so it may sleep.
///
/// # Invariants
///
/// `sb` is a valid, set up superblock of type `T` of which this object owns an active
/// reference.
pub struct Active<T: FileSystem> {
    sb: NonNull<SuperBlock<T>>,
}

// SAFETY: An active reference may be used and dropped from any thread: `deactivate_super()`
// takes the locks it needs, and `&SuperBlock` is `Sync`.
unsafe impl<T: FileSystem> Send for Active<T> {}
// SAFETY: `&Active` only gives out `&SuperBlock`, which may be shared between threads.
unsafe impl<T: FileSystem> Sync for Active<T> {}

impl<T: FileSystem> core::ops::Deref for Active<T> {
    type Target = SuperBlock<T>;

    fn deref(&self) -> &SuperBlock<T> {
        // SAFETY: The active reference keeps the superblock set up and valid (type invariant).
        unsafe { self.sb.as_ref() }
    }
}

impl<T: FileSystem> Drop for Active<T> {
    fn drop(&mut self) {
        crate::task::might_sleep();
        // SAFETY: We own an active reference (type invariant), released here.
        unsafe { bindings::deactivate_super(self.sb.as_ref().as_raw()) };
    }
}

// SAFETY: `&SuperBlock` accessors read fields that do not change once it is set up, or call C
// functions that take the locks they need, so it may be shared between threads. (The `New`
// state is `!Sync` through `NotThreadSafe`.)
unsafe impl<T: FileSystem> Sync for SuperBlock<T> {}

/// The result of [`SuperBlock::iget`], valid for the borrow `'a` of the superblock.
pub enum IGet<'a, T: FileSystem> {
    /// The inode was in the inode cache.
    Cached(inode::Ref<'a, T>),
    /// A new inode, to be set up; lookups of the same inode wait until it is finished.
    New(inode::New<'a, T>),
}

/// Super operations: each slot is either a Rust method of this trait or a C implementation
/// named by its associated constant (see [`libfs`](super::libfs)), as a C file system writes
/// `.statfs = simple_statfs`.
#[vtable]
pub trait Operations {
    /// The file system these operations belong to.
    type FileSystem: FileSystem;

    /// The C implementation of `statfs`, e.g.
    /// [`libfs::SIMPLE_STATFS`](super::libfs::SIMPLE_STATFS); none by default (`statfs(2)`
    /// fails with `ENOSYS`).
    const STATFS: Statfs = Statfs(None);

    /// The C implementation of `drop_inode`, e.g.
    /// [`libfs::INODE_JUST_DROP`](super::libfs::INODE_JUST_DROP); by default the VFS keeps
    /// unused inodes cached while they are hashed and linked (`inode_generic_drop()`).
    const DROP_INODE: DropInode = DropInode(None);

    /// Shows the mount options of a superblock in `/proc/mounts` (`show_options`). Each option
    /// starts with a comma.
    fn show_options(_s: &SeqFile, _sb: &SuperBlock<Self::FileSystem>) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Runs when an inode is evicted (`evict_inode`), before its page cache is dropped and it is
    /// marked clean (`truncate_inode_pages_final()`, `clear_inode()`, which the abstraction
    /// calls after it): the place to give back what the inode held, such as its share of a
    /// limit on the number of inodes.
    fn evict_inode(_inode: &inode::Evicting<'_, Self::FileSystem>) {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Reports the statistics of the file system of `dentry` for `statfs(2)` (`statfs`), in
    /// place of [`Operations::STATFS`]. It can start from what libfs reports,
    /// [`libfs::simple_statfs`](super::libfs::simple_statfs), and add counts of its own.
    fn statfs(_dentry: &Dentry<Self::FileSystem>, _buf: &mut Kstatfs) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
}

/// File system statistics being reported to `statfs(2)` (`struct kstatfs`), which the VFS
/// passes zeroed.
#[repr(transparent)]
pub struct Kstatfs(bindings::kstatfs);

impl Kstatfs {
    /// Creates a reference to the statistics at `ptr`.
    ///
    /// # Safety
    ///
    /// `ptr` must point to a valid `kstatfs` that nothing else uses for `'a`.
    pub(crate) unsafe fn from_raw<'a>(ptr: *mut bindings::kstatfs) -> &'a mut Self {
        // SAFETY: `Kstatfs` is a transparent wrapper, and `ptr` is valid and ours for `'a`
        // (safety requirements).
        unsafe { &mut *ptr.cast() }
    }

    /// Returns the raw pointer to the statistics.
    pub(crate) fn as_raw(&mut self) -> *mut bindings::kstatfs {
        &mut self.0
    }

    /// Returns the total number of blocks (`f_blocks`), of [`Kstatfs::block_size`] bytes.
    pub fn blocks(&self) -> u64 {
        self.0.f_blocks
    }

    /// Returns the block size (`f_bsize`).
    pub fn block_size(&self) -> i64 {
        self.0.f_bsize as i64
    }

    /// Returns the total number of inodes (`f_files`).
    pub fn files(&self) -> u64 {
        self.0.f_files
    }

    /// Sets the total, free and available (to unprivileged users) numbers of blocks
    /// (`f_blocks`, `f_bfree`, `f_bavail`).
    pub fn set_blocks(&mut self, total: u64, free: u64, available: u64) -> &mut Self {
        self.0.f_blocks = total;
        self.0.f_bfree = free;
        self.0.f_bavail = available;
        self
    }

    /// Sets the total and free numbers of inodes (`f_files`, `f_ffree`).
    pub fn set_files(&mut self, total: u64, free: u64) -> &mut Self {
        self.0.f_files = total;
        self.0.f_ffree = free;
        self
    }
}

inode::c_slot!(
    /// A C implementation of `super_operations::statfs`.
    Statfs: unsafe extern "C" fn(*mut bindings::dentry, *mut bindings::kstatfs) -> c_int
);
inode::c_slot!(
    /// A C implementation of `super_operations::drop_inode`.
    DropInode: unsafe extern "C" fn(*mut bindings::inode) -> c_int
);

/// A table of super operations (`struct super_operations`).
#[repr(transparent)]
pub(crate) struct Ops<T: FileSystem>(bindings::super_operations, PhantomData<T>);

/// The table of super operations `U`, built at compile time.
struct Table<U>(PhantomData<U>);

impl<U: Operations> Table<U> {
    const OPS: Ops<U::FileSystem> = Ops::new::<U>();
}

// SAFETY: The table is immutable and only holds function pointers.
unsafe impl<T: FileSystem> Sync for Ops<T> {}

impl<T: FileSystem> Ops<T> {
    const DEFAULT: bindings::super_operations = bindings::super_operations {
        alloc_inode: inode::alloc_inode_callback::<T>(),
        destroy_inode: inode::destroy_inode_callback::<T>(),
        free_inode: inode::free_inode_callback::<T>(),
        ..pin_init::zeroed()
    };

    /// The operations of a superblock of `T` that sets none: the VFS defaults, and the inode
    /// allocation for [`FileSystem::InodeData`].
    pub(crate) fn default_ops() -> &'static bindings::super_operations {
        &Self::DEFAULT
    }

    /// Builds the table for operations `U`.
    ///
    /// The inode allocation for [`FileSystem::InodeData`] is always part of the table.
    const fn new<U: Operations<FileSystem = T>>() -> Self {
        Self(
            bindings::super_operations {
                alloc_inode: inode::alloc_inode_callback::<T>(),
                destroy_inode: inode::destroy_inode_callback::<T>(),
                free_inode: inode::free_inode_callback::<T>(),
                statfs: inode::slot!(U::HAS_STATFS, statfs_callback::<U>, U::STATFS.0, "statfs"),
                drop_inode: U::DROP_INODE.0,
                evict_inode: if U::HAS_EVICT_INODE {
                    Some(evict_inode_callback::<U>)
                } else {
                    None
                },
                show_options: if U::HAS_SHOW_OPTIONS {
                    Some(show_options_callback::<U>)
                } else {
                    None
                },
                ..pin_init::zeroed()
            },
            PhantomData,
        )
    }
}

/// `super_operations::show_options`.
///
/// # Safety
///
/// Called by the VFS with a valid `seq_file` and the root dentry of a mounted superblock of
/// `U::FileSystem`.
unsafe extern "C" fn show_options_callback<U: Operations>(
    m: *mut bindings::seq_file,
    root: *mut bindings::dentry,
) -> c_int {
    from_result(|| {
        // SAFETY: The VFS passes a valid `seq_file`, used only by this thread during the call.
        let seq = unsafe { SeqFile::from_raw(m) };
        // SAFETY: `root` is the root dentry of a mounted, hence ready, `U::FileSystem` superblock.
        let sb = unsafe { Dentry::<U::FileSystem>::from_raw(root) }.super_block();
        U::show_options(seq, sb)?;
        Ok(0)
    })
}

/// `super_operations::statfs`.
///
/// # Safety
///
/// Called by the VFS (`statfs_by_dentry()`) with a valid dentry of a ready `U::FileSystem`
/// superblock and a valid, zeroed `kstatfs` that only this call uses.
unsafe extern "C" fn statfs_callback<U: Operations>(
    dentry: *mut bindings::dentry,
    buf: *mut bindings::kstatfs,
) -> c_int {
    from_result(|| {
        // SAFETY: `dentry` is a valid dentry of a ready `U::FileSystem` superblock, valid
        // during the call (safety requirements).
        let dentry = unsafe { Dentry::<U::FileSystem>::from_raw(dentry) };
        // SAFETY: `buf` is valid and only used by this call (safety requirements).
        let buf = unsafe { Kstatfs::from_raw(buf) };
        U::statfs(dentry, buf)?;
        Ok(0)
    })
}

/// `super_operations::evict_inode`.
///
/// # Safety
///
/// Called by `evict()` with an inode of `U::FileSystem` that it is evicting (`I_FREEING`), whose
/// page cache is not yet dropped.
unsafe extern "C" fn evict_inode_callback<U: Operations>(inode: *mut bindings::inode) {
    // SAFETY: `inode` is an inode of `U::FileSystem` that `evict()` is evicting in this task,
    // before `destroy_inode` (safety requirements).
    U::evict_inode(&unsafe { inode::Evicting::from_raw(inode) });
    // SAFETY:
    // - `inode` is valid and being evicted (safety requirements): nothing else uses its page
    //   cache, which is dropped here.
    // - `clear_inode()` then marks it clean, as `evict()` does for file systems without
    //   `evict_inode`.
    unsafe {
        bindings::truncate_inode_pages_final(&raw mut (*inode).i_data);
        bindings::clear_inode(inode);
    }
}
