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
    dentry::DEntry,
    filesystem::FileSystem,
    inode::{
        self,
        INode,
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
    sync::aref::ARef,
    types::{
        ForeignOwnable,
        Opaque, //
    },
};
use core::{
    marker::PhantomData,
    ptr::NonNull, //
};

/// Typestate of a superblock being set up by `fill_super`.
pub struct New;

/// Typestate of a superblock that is fully set up.
pub struct Ready;

/// A file system superblock (`struct super_block`).
///
/// # Invariants
///
/// The object is a valid `struct super_block` of file system type `T`. In state [`New`], it is
/// being initialised by `fill_super` and no other code accesses its parameters; in state
/// [`Ready`], `s_fs_info` holds a `T::Data` from `into_foreign`.
#[repr(transparent)]
pub struct SuperBlock<T: FileSystem, S = Ready>(Opaque<bindings::super_block>, PhantomData<(T, S)>);

impl<T: FileSystem, S> SuperBlock<T, S> {
    /// Returns the raw pointer.
    pub fn as_raw(&self) -> *mut bindings::super_block {
        self.0.get()
    }
}

impl<T: FileSystem> SuperBlock<T, New> {
    /// Creates a mutable reference to a new superblock from a raw pointer.
    ///
    /// # Safety
    ///
    /// `ptr` must be a superblock of type `T` being set up by `fill_super`, not accessed by
    /// anyone else for `'a`.
    pub(crate) unsafe fn from_raw_mut<'a>(ptr: *mut bindings::super_block) -> &'a mut Self {
        // SAFETY: By the safety requirements; the layouts match.
        unsafe { &mut *ptr.cast() }
    }

    fn raw(&mut self) -> &mut bindings::super_block {
        // SAFETY: By the type invariant we have exclusive access to the new superblock.
        unsafe { &mut *self.as_raw() }
    }

    /// Sets the magic number reported by `statfs` (`s_magic`).
    pub fn set_magic(&mut self, magic: u64) -> &mut Self {
        self.raw().s_magic = magic as c_ulong;
        self
    }

    /// Sets the block size to `1 << bits` bytes (`s_blocksize`, `s_blocksize_bits`).
    pub fn set_blocksize_bits(&mut self, bits: u8) -> &mut Self {
        let raw = self.raw();
        raw.s_blocksize_bits = bits;
        raw.s_blocksize = 1 << bits;
        self
    }

    /// Sets the maximum file size (`s_maxbytes`).
    pub fn set_maxbytes(&mut self, max: i64) -> &mut Self {
        self.raw().s_maxbytes = max;
        self
    }

    /// Sets the timestamp granularity in nanoseconds (`s_time_gran`).
    pub fn set_time_gran(&mut self, gran: u32) -> &mut Self {
        self.raw().s_time_gran = gran;
        self
    }

    /// Makes dentries of this superblock not cached once unused (`DCACHE_DONTCACHE` in
    /// `s_d_flags`), as in-memory file systems whose tree lives in pinned dentries do.
    pub fn set_dentries_dontcache(&mut self) -> &mut Self {
        self.raw().s_d_flags |= bindings::dentry_flags_DCACHE_DONTCACHE;
        self
    }

    /// Makes the superblock read-only (`SB_RDONLY`): every mount of it is read-only and writes
    /// fail with `EROFS`.
    pub fn set_read_only(&mut self) -> &mut Self {
        self.raw().s_flags |= bindings::SB_RDONLY;
        self
    }

    /// Sets the super operations (`s_op`).
    pub fn set_ops(&mut self, ops: &'static Ops<T>) -> &mut Self {
        self.raw().s_op = &ops.0;
        self
    }
}

impl<T: FileSystem> SuperBlock<T> {
    /// Creates a reference to a ready superblock from a raw pointer.
    ///
    /// # Safety
    ///
    /// `ptr` must be a fully set up superblock of type `T` (its `s_fs_info` set by `fill_super`)
    /// that stays valid for `'a`.
    pub unsafe fn from_raw<'a>(ptr: *mut bindings::super_block) -> &'a Self {
        // SAFETY: By the safety requirements; the layouts match.
        unsafe { &*ptr.cast() }
    }

    /// Allocates a new, unhashed inode on this superblock (`new_inode()`), with `data` as its
    /// [`INode::data`].
    ///
    /// The inode is returned as an [`inode::New`] builder; see there. Only ready superblocks
    /// create inodes, so that every inode can reach the superblock's data.
    pub fn new_inode(&self, data: T::INodeData) -> Result<inode::New<T>> {
        // SAFETY: `self` is a valid superblock.
        let p = unsafe { bindings::new_inode(self.as_raw()) };
        let p = NonNull::new(p).ok_or(ENOMEM)?;
        // SAFETY: `new_inode` returned a new inode of `T`, whose data is not initialised yet.
        unsafe { inode::init_data::<T>(p.as_ptr(), data) };
        // SAFETY: `new_inode` returned a new inode with one reference that we own.
        Ok(unsafe { inode::New::from_raw(p) })
    }

    /// Returns the inode numbered `ino` from the inode cache (`iget_locked()`): [`IGet::Cached`]
    /// if it is there, otherwise a new inode to set up, with `data()` as its [`INode::data`]
    /// ([`IGet::New`]). Others looking for the same inode wait until the new one is set up.
    ///
    /// `data` is only called for a new inode; if it fails, the inode is dropped (`iget_failed()`).
    /// It must not look up the same inode number again: that waits for the new inode.
    pub fn iget(&self, ino: Ino, data: impl FnOnce() -> Result<T::INodeData>) -> Result<IGet<T>> {
        // SAFETY: `self` is a valid superblock.
        let p = unsafe { bindings::iget_locked(self.as_raw(), ino.0) };
        let p = NonNull::new(p).ok_or(ENOMEM)?;
        // SAFETY: `iget_locked` returned a referenced inode.
        let state = unsafe { bindings::inode_state_read_once(p.as_ptr()) };
        if state & bindings::inode_state_flags_enum_I_NEW == 0 {
            // SAFETY: A cached inode is set up; we own the reference `iget_locked` took.
            return Ok(IGet::Cached(unsafe { ARef::from_raw(p.cast()) }));
        }
        match data() {
            Ok(data) => {
                // SAFETY: The inode is new (`I_NEW`), its data not initialised yet.
                unsafe { inode::init_data::<T>(p.as_ptr(), data) };
                // SAFETY: We own the reference to the locked new inode.
                Ok(IGet::New(unsafe { inode::New::from_raw_locked(p) }))
            }
            Err(e) => {
                // SAFETY: The inode is new and locked; this releases our reference.
                unsafe { bindings::iget_failed(p.as_ptr()) };
                Err(e)
            }
        }
    }

    /// Returns the file system's data for this superblock.
    pub fn data(&self) -> <T::Data as ForeignOwnable>::Borrowed<'_> {
        // SAFETY: `s_fs_info` is from `T::Data::into_foreign`, released in `kill_sb` after `&self`.
        unsafe { T::Data::borrow((*self.as_raw()).s_fs_info) }
    }
}

/// The result of [`SuperBlock::iget`].
pub enum IGet<T: FileSystem> {
    /// The inode was in the inode cache.
    Cached(ARef<INode<T>>),
    /// A new inode, to be set up; lookups of the same inode wait until it is finished.
    New(inode::New<T>),
}

/// Super operations implemented in Rust, and the libfs implementations chosen for the others.
#[vtable]
pub trait Operations {
    /// The file system these operations belong to.
    type FileSystem: FileSystem;

    /// Operations taken from libfs instead of Rust.
    const LIBFS: Libfs = Libfs::NONE;

    /// Shows the mount options of a superblock in `/proc/mounts` (`show_options`). Each option
    /// starts with a comma.
    fn show_options(_s: &SeqFile, _sb: &SuperBlock<Self::FileSystem>) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
}

/// A set of libfs super operations.
#[derive(Clone, Copy)]
pub struct Libfs(u32);

impl Libfs {
    /// None.
    pub const NONE: Self = Self(0);
    /// `statfs = simple_statfs`: block and inode counts of zero.
    pub const STATFS: Self = Self(1);
    /// `drop_inode = inode_just_drop`: evict inodes on their last `iput()`.
    pub const DROP_INODE: Self = Self(2);

    /// Returns the union of both sets.
    pub const fn union(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }

    const fn has(self, other: Self) -> bool {
        self.0 & other.0 != 0
    }
}

/// A table of super operations (`struct super_operations`).
#[repr(transparent)]
pub struct Ops<T: FileSystem>(bindings::super_operations, PhantomData<T>);

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
    /// allocation for [`FileSystem::INodeData`].
    pub(crate) fn default_ops() -> &'static bindings::super_operations {
        &Self::DEFAULT
    }

    /// Builds the table for operations `U`.
    ///
    /// The inode allocation for [`FileSystem::INodeData`] is always part of the table.
    pub const fn new<U: Operations<FileSystem = T>>() -> Self {
        Self(
            bindings::super_operations {
                alloc_inode: inode::alloc_inode_callback::<T>(),
                destroy_inode: inode::destroy_inode_callback::<T>(),
                free_inode: inode::free_inode_callback::<T>(),
                statfs: if U::LIBFS.has(Libfs::STATFS) {
                    Some(bindings::simple_statfs)
                } else {
                    None
                },
                drop_inode: if U::LIBFS.has(Libfs::DROP_INODE) {
                    Some(bindings::inode_just_drop)
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
        let sb = unsafe { DEntry::<U::FileSystem>::from_raw(root) }.super_block();
        U::show_options(seq, sb)?;
        Ok(0)
    })
}
