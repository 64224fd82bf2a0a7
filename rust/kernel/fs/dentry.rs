// SPDX-License-Identifier: GPL-2.0

//! Directory entries.
//!
//! [`Dentry`] wraps `struct dentry`. Callbacks receive dentries, as references that cannot
//! outlive the call, in the state the VFS guarantees:
//!
//! - [`Negative`]: a negative dentry to instantiate, whose parent is locked exclusively, so its
//!   name is stable (`create`, `mkdir`, `mknod`, `symlink`).
//! - [`TmpFile`]: the private, unnamed dentry of an `O_TMPFILE` open (`tmpfile`).
//! - [`Lookup`]: a dentry being looked up, whose parent is locked at least shared (`lookup`).
//! - [`Child`]: a positive dentry being removed, whose parent and inode are locked exclusively
//!   (`unlink`, `rmdir`); the operation returns the [`Removed`] token it gives up for.
//! - [`RenameSource`], [`RenameTarget`]: the source and the target of `rename`, whose parents
//!   are locked exclusively; the target's inode, if it is replaced, too.
//! - [`Root`]: the root of a new superblock (`d_make_root()`).
//!
//! Only new inodes, still [`inode::New`] builders, can be attached to these dentries, so a
//! directory inode can never get a second dentry this way; hard links of existing inodes are made
//! by the VFS's `link` (e.g. `simple_link`).
//!
//! In-memory file systems keep their tree in the dcache: [`Negative::make_persistent`] pins the
//! new dentry (`d_make_persistent()`) until it is unlinked (`d_make_discardable()`, done by
//! `simple_unlink`/`simple_rmdir`, and for a Rust `unlink`, `rmdir` or `rename` by the
//! abstraction once the operation succeeded) or the superblock is shut down.
//!
//! Whenever an inode is attached to a dentry, both must belong to the same superblock; the
//! functions that attach fail with `EXDEV` otherwise.
//!
//! C header: [`include/linux/dcache.h`](srctree/include/linux/dcache.h)

use super::{
    address_space::PageCache,
    filesystem::FileSystem,
    inode::{
        self,
        Inode, //
    },
    lock::{
        Exclusive,
        Locked, //
    },
    sb::SuperBlock, //
};
use crate::fs::inode::RenameFlags;
use crate::sync::atomic::{
    atomic_load,
    Relaxed, //
};
use crate::{
    bindings,
    error::{
        code::*,
        to_result, //
    },
    prelude::*,
    types::Opaque, //
};
use core::{
    cell::Cell,
    marker::PhantomData,
    mem::ManuallyDrop,
    ptr::{
        self,
        NonNull, //
    },
};

/// A directory entry of file system `T` (`struct dentry`).
///
/// There is deliberately no accessor for the name: it is only stable in the states that say so
/// (see [`Negative::name`]). There is no owned reference type either: a dentry is only reachable
/// during the callback it is given to.
///
/// # Invariants
///
/// The object is a valid dentry of a superblock of type `T`, always reference counted.
#[repr(transparent)]
pub struct Dentry<T: FileSystem>(Opaque<bindings::dentry>, PhantomData<T>);

// SAFETY: The accessors of `&Dentry` read fields that do not change (`d_sb`) or that the locks of
// the state the dentry is given in keep stable (`d_inode`).
unsafe impl<T: FileSystem> Sync for Dentry<T> {}

impl<T: FileSystem> Dentry<T> {
    /// Creates a reference to a dentry from a raw pointer.
    ///
    /// # Safety
    ///
    /// `ptr` must be a valid dentry of a set up superblock of type `T`, valid for `'a`.
    pub unsafe fn from_raw<'a>(ptr: *mut bindings::dentry) -> &'a Self {
        // SAFETY: By the safety requirements `ptr` is valid for `'a`; the layouts match.
        unsafe { &*ptr.cast() }
    }

    /// Returns the raw pointer.
    pub fn as_raw(&self) -> *mut bindings::dentry {
        self.0.get()
    }

    /// Returns the superblock of the dentry.
    pub fn super_block(&self) -> &SuperBlock<T> {
        // SAFETY: `d_sb` never changes and outlives the dentry (type invariant: set up, of type
        // `T`).
        unsafe { SuperBlock::from_raw(self.super_block_ptr()) }
    }

    fn super_block_ptr(&self) -> *mut bindings::super_block {
        // SAFETY: The dentry is valid (type invariant); `d_sb` never changes.
        unsafe { (*self.as_raw()).d_sb }
    }

    /// Returns the inode of a positive dentry, `None` for a negative one.
    pub fn inode(&self) -> Option<&Inode<T>> {
        // SAFETY:
        // - The dentry is valid (type invariant), so its `d_inode` can be read.
        // - `d_inode` of a referenced dentry is null or a valid inode: a positive dentry keeps
        //   its inode while callers hold the locks that keep it positive.
        let p = unsafe { (*self.as_raw()).d_inode };
        // SAFETY: See above; a dentry's inode belongs to the dentry's superblock.
        (!p.is_null()).then(|| unsafe { Inode::from_raw(p) })
    }
}

/// How a file system keeps its dentries ([`FileSystem::Dentries`]): [`Persistent`] or
/// [`Cached`].
///
/// This trait is sealed: the kernel crate implements it for these two kinds only.
pub trait Kind: private::Sealed {
    /// Whether the dentries are persistent.
    const PERSISTENT: bool;
}

mod private {
    pub trait Sealed {}
}

/// The tree of the file system is the dcache, as in ramfs: every positive dentry is pinned
/// ([`Negative::make_persistent`], `simple_link()`) until it is removed, and names not in the
/// dcache do not exist (`simple_lookup()`). The libfs namespace operations
/// ([`libfs`](super::libfs)) work on such dentries only.
pub struct Persistent;

/// Dentries cache a tree the file system keeps itself: a Rust `lookup` finds names
/// ([`Lookup::splice`]) and the VFS may evict unused dentries, as for disk file systems.
pub struct Cached;

impl private::Sealed for Persistent {}
impl Kind for Persistent {
    const PERSISTENT: bool = true;
}
impl private::Sealed for Cached {}
impl Kind for Cached {
    const PERSISTENT: bool = false;
}

/// Returns the name of `dentry`.
///
/// # Safety
///
/// The name of `dentry` must not change for `'a`.
unsafe fn stable_name<'a, T: FileSystem>(dentry: &'a Dentry<T>) -> &'a [u8] {
    // SAFETY: The dentry is valid; `d_name` points to `len` bytes, stable for `'a`.
    unsafe {
        let q = &(*dentry.as_raw()).__bindgen_anon_1.d_name;
        core::slice::from_raw_parts(q.name, q.__bindgen_anon_1.__bindgen_anon_1.len as usize)
    }
}

/// Returns the inode of the parent of `dentry`.
///
/// # Safety
///
/// The parent of `dentry` must not change during the call (e.g. because it is locked).
unsafe fn parent_inode<T: FileSystem>(dentry: &Dentry<T>) -> *mut bindings::inode {
    // SAFETY: The dentry is valid, and so is its stable parent (safety requirements), which is a
    // directory and thus positive.
    unsafe { (*(*dentry.as_raw()).d_parent).d_inode }
}

/// A dentry being looked up by `lookup`: negative and not yet in the dcache's hash table (or
/// in-lookup), its parent directory locked at least shared.
///
/// # Invariants
///
/// `dentry` is negative and being looked up in its parent, whose `i_rwsem` is held for `'a`, so
/// its name and parent are stable.
pub struct Lookup<'a, T: FileSystem> {
    dentry: &'a Dentry<T>,
}

impl<'a, T: FileSystem> Lookup<'a, T> {
    /// Creates a [`Lookup`] from a raw pointer.
    ///
    /// # Safety
    ///
    /// `ptr` must be a valid dentry of type `T` passed to `lookup`, its parent locked for `'a`.
    pub(crate) unsafe fn from_raw(ptr: *mut bindings::dentry) -> Self {
        Self {
            // SAFETY: By the safety requirements, `ptr` is a valid dentry of type `T` for `'a`.
            dentry: unsafe { Dentry::from_raw(ptr) },
        }
    }

    /// Returns the name being looked up.
    pub fn name(&self) -> &[u8] {
        // SAFETY: By the type invariant the name is stable.
        unsafe { stable_name(self.dentry) }
    }
}

impl<'a, T: FileSystem<Dentries = Cached>> Lookup<'a, T> {
    /// Completes the lookup with `inode`, or with `None` for a name that does not exist
    /// (`d_splice_alias()`).
    ///
    /// The result, which `lookup` returns, says whether this dentry was used or which dentry
    /// the VFS should use instead: the existing alias of a directory inode, moved here. Fails
    /// with `EXDEV` if `inode` belongs to another superblock.
    pub fn splice(self, inode: Option<inode::Ref<'_, T>>) -> Result<Looked<'a, T>> {
        let inode = match inode {
            Some(i) if i.super_block().as_raw() != self.dentry.super_block_ptr() => {
                return Err(EXDEV)
            }
            Some(i) => i.into_raw(),
            None => ptr::null_mut(),
        };
        // SAFETY:
        // - The dentry is being looked up, its parent locked (type invariant).
        // - `inode` is null or an inode of the dentry's superblock, whose reference
        //   `d_splice_alias()` consumes, also on failure.
        let d = unsafe { bindings::d_splice_alias(inode, self.dentry.as_raw()) };
        let dentry = crate::error::from_err_ptr(d)?;
        // INVARIANT: `dentry` is what `d_splice_alias()` returned for this lookup.
        Ok(Looked {
            dentry,
            _p: PhantomData,
        })
    }
}

/// The result of a lookup completed by [`Lookup::splice`], returned by `lookup`: the dentry to
/// use instead of the one looked up, if any.
///
/// The lifetime `'a` is invariant, so the token of one `lookup` call cannot stand for another's.
///
/// # Invariants
///
/// `dentry` is what `d_splice_alias()` returned for the dentry of the `lookup` call of `'a`:
/// null, or a dentry whose reference this object owns.
pub struct Looked<'a, T: FileSystem> {
    dentry: *mut bindings::dentry,
    _p: PhantomData<(Brand<'a>, T)>,
}

/// An invariant lifetime, for tokens that must not stand for those of another call.
type Brand<'a> = fn(&'a ()) -> &'a ();

impl<T: FileSystem> Looked<'_, T> {
    pub(crate) fn into_raw(self) -> *mut bindings::dentry {
        ManuallyDrop::new(self).dentry
    }
}

impl<T: FileSystem> Drop for Looked<'_, T> {
    fn drop(&mut self) {
        if !self.dentry.is_null() {
            // SAFETY: We own the reference to the dentry (type invariant).
            unsafe { bindings::dput(self.dentry) };
        }
    }
}

/// A positive dentry being removed by `unlink` or `rmdir`: its parent directory and its inode
/// are locked exclusively.
///
/// # Invariants
///
/// `dentry` is positive; the `i_rwsem` of its parent and of its inode are held exclusively for
/// `'a`, so its name, parent and inode are stable.
pub struct Child<'a, T: FileSystem> {
    dentry: &'a Dentry<T>,
}

impl<'a, T: FileSystem> Child<'a, T> {
    /// Creates a [`Child`] from a raw pointer.
    ///
    /// # Safety
    ///
    /// `ptr` must be a valid positive dentry of type `T` whose parent and inode are locked
    /// exclusively for `'a`.
    pub(crate) unsafe fn from_raw(ptr: *mut bindings::dentry) -> Self {
        Self {
            // SAFETY: By the safety requirements, `ptr` is a valid dentry of type `T` for `'a`.
            dentry: unsafe { Dentry::from_raw(ptr) },
        }
    }

    /// Returns the name of the entry.
    pub fn name(&self) -> &[u8] {
        // SAFETY: By the type invariant the name is stable.
        unsafe { stable_name(self.dentry) }
    }

    /// Returns the inode, which is locked exclusively.
    pub fn inode(&self) -> Locked<'_, Inode<T>, Exclusive> {
        // SAFETY: The dentry is positive and its inode stable (type invariant).
        let inode = unsafe { Inode::from_raw((*self.dentry.as_raw()).d_inode) };
        // SAFETY: The inode is locked exclusively for `'a` (type invariant), longer than `'_`.
        unsafe { Locked::new(inode) }
    }

    /// Returns `true` if the dentry, a directory kept in the dcache, has no positive children
    /// (`simple_empty()`).
    pub fn simple_empty(&self) -> bool {
        // SAFETY: The dentry is valid; `simple_empty` takes the locks it needs.
        unsafe { bindings::simple_empty(self.dentry.as_raw()) != 0 }
    }

    pub(crate) fn as_raw(&self) -> *mut bindings::dentry {
        self.dentry.as_raw()
    }

    /// Gives up the entry, whose inode lost this name: `unlink` or `rmdir` returns the token, and
    /// once it has returned it, a dentry made persistent by [`Negative::make_persistent`] is
    /// unpinned (`d_make_discardable()`), so that the VFS drops it from the dcache. Returning an
    /// error instead keeps the dentry as it is.
    pub fn removed(self) -> Removed<'a> {
        Removed(PhantomData)
    }
}

/// Proof that `unlink` or `rmdir` removed the entry of its [`Child`] ([`Child::removed`]).
///
/// The lifetime `'a` is invariant, so the token of one call cannot stand for another's.
pub struct Removed<'a>(PhantomData<Brand<'a>>);

/// Unpins `dentry` if it is persistent (`d_make_discardable()`).
///
/// # Safety
///
/// The parent of `dentry` must be locked exclusively, so that only this task can make it
/// persistent or discardable.
#[inline]
pub(crate) unsafe fn make_discardable(dentry: *mut bindings::dentry) {
    // SAFETY:
    // - The dentry is valid, so its `d_flags` can be read, here as `READ_ONCE()` would.
    // - The flag is stable: only `d_make_persistent()`/`d_make_discardable()` change it, under
    //   the parent's lock (and at unmount, when no operation runs), and the parent is locked
    //   exclusively (safety requirements).
    let flags = unsafe { atomic_load(&raw mut (*dentry).d_flags, Relaxed) };
    if flags & bindings::dentry_flags_DCACHE_PERSISTENT != 0 {
        // SAFETY: The dentry is valid and persistent, its parent locked (safety requirements).
        unsafe { bindings::d_make_discardable(dentry) };
    }
}

/// The source of `rename`: a positive dentry whose parent directory is locked exclusively
/// (`lock_rename()`). Its inode is also locked unless it is a directory that stays in the same
/// parent, so it is offered only as a plain reference.
///
/// # Invariants
///
/// - `dentry` is positive, and the `i_rwsem` of its parent is held exclusively for `'a`, so its
///   name, parent and inode are stable.
/// - `whiteout` is `true` while [`RenameSource::whiteout`] may still put a whiteout in place
///   of the source: for a rename with `RENAME_WHITEOUT` (never with `RENAME_EXCHANGE`), once.
pub struct RenameSource<'a, T: FileSystem> {
    dentry: &'a Dentry<T>,
    whiteout: Cell<bool>,
}

impl<'a, T: FileSystem> RenameSource<'a, T> {
    /// Creates a [`RenameSource`] from a raw pointer.
    ///
    /// # Safety
    ///
    /// `ptr` must be a valid positive dentry of type `T` whose parent is locked exclusively for
    /// `'a`, the source of a rename with `flags`.
    pub(crate) unsafe fn from_raw(ptr: *mut bindings::dentry, flags: RenameFlags) -> Self {
        // INVARIANT: A whiteout may be put in place of the source once, if the flags ask for one
        // (the VFS refuses `RENAME_WHITEOUT` together with `RENAME_EXCHANGE`; checked anyway).
        Self {
            // SAFETY: By the safety requirements, `ptr` is a valid dentry of type `T` for `'a`.
            dentry: unsafe { Dentry::from_raw(ptr) },
            whiteout: Cell::new(
                flags.contains(RenameFlags::WHITEOUT) && !flags.contains(RenameFlags::EXCHANGE),
            ),
        }
    }

    /// Returns the name of the entry.
    pub fn name(&self) -> &[u8] {
        // SAFETY: By the type invariant the name is stable.
        unsafe { stable_name(self.dentry) }
    }

    /// Returns the raw pointer to the dentry.
    pub(crate) fn as_raw(&self) -> *mut bindings::dentry {
        self.dentry.as_raw()
    }

    /// Returns `true` if the entry is in directory `dir`.
    pub(crate) fn is_in(&self, dir: &Inode<T>) -> bool {
        // SAFETY: The parent is stable (type invariant).
        unsafe { parent_inode(self.dentry) == dir.as_raw() }
    }

    /// Returns the inode being renamed.
    pub fn inode(&self) -> &Inode<T> {
        // SAFETY: The dentry is positive and its inode stable (type invariant).
        unsafe { Inode::from_raw((*self.dentry.as_raw()).d_inode) }
    }

    pub(crate) fn qstr(&self) -> *const bindings::qstr {
        // SAFETY: The dentry is valid.
        unsafe { &raw const (*self.dentry.as_raw()).__bindgen_anon_1.d_name }
    }
}

impl<'a, T: FileSystem<Dentries = Persistent>> RenameSource<'a, T> {
    /// Puts `inode`, a whiteout (a character device with device number 0:0), in place of the
    /// source, as `RENAME_WHITEOUT` asks: under a new persistent dentry of the same name in the
    /// same directory (`d_alloc()`, `d_make_persistent()`), which lookups find once the VFS has
    /// moved the source (as tmpfs does it). Like tmpfs, call it after every check that can
    /// make the rename fail.
    ///
    /// Fails with `EINVAL` unless the rename has `RENAME_WHITEOUT`, for a second whiteout, or if
    /// `inode` is not a 0:0 character device, and with `EXDEV` if it belongs to another
    /// superblock; the inode is dropped on failure.
    pub fn whiteout<P: PageCache>(&self, inode: inode::New<'_, T, P>) -> Result {
        if !inode.is_whiteout() || !self.whiteout.replace(false) {
            return Err(EINVAL);
        }
        let dentry = self.dentry.as_raw();
        // SAFETY: The dentry is valid and its parent and name are stable (type invariant), so
        // they can be read and passed to `d_alloc()`, which copies the name.
        let whiteout = unsafe { bindings::d_alloc((*dentry).d_parent, self.qstr()) };
        if whiteout.is_null() {
            return Err(ENOMEM);
        }
        let res = inode.finish(self.dentry.super_block_ptr(), |inode| {
            // SAFETY: `whiteout` is a new negative child of the locked parent of the source
            // (type invariant), and the inode is new; the dentry takes the inode reference.
            unsafe { bindings::d_make_persistent(whiteout, inode) };
        });
        // SAFETY: We own the reference `d_alloc()` returned; a persistent whiteout keeps the
        // pinning one.
        unsafe { bindings::dput(whiteout) };
        res
    }
}

/// The target of `rename`: a negative or positive dentry whose parent directory is locked
/// exclusively (`lock_rename()`).
///
/// A positive target of a plain rename is replaced: its inode (the "victim") is locked
/// exclusively (`Documentation/filesystems/locking.rst`, `vfs_rename()`), and once `rename`
/// succeeded, a target made persistent by [`Negative::make_persistent`] is unpinned
/// (`d_make_discardable()`), as `simple_rename()` does.
///
/// # Invariants
///
/// The `i_rwsem` of the parent of `dentry` is held exclusively for `'a`, so its name, parent and
/// inode (or its absence) are stable; if `victim_locked`, the `i_rwsem` of its inode is held
/// exclusively for `'a` too.
pub struct RenameTarget<'a, T: FileSystem> {
    dentry: &'a Dentry<T>,
    victim_locked: bool,
}

impl<'a, T: FileSystem> RenameTarget<'a, T> {
    /// Creates a [`RenameTarget`] from a raw pointer.
    ///
    /// # Safety
    ///
    /// - `ptr` must be a valid dentry of type `T` whose parent is locked exclusively for `'a`.
    /// - It must be the target of a rename from the directory `old_dir` to the one `new_dir`
    ///   with `flags`, and `vfs_rename()` must have taken the locks it takes for that.
    pub(crate) unsafe fn from_raw(
        ptr: *mut bindings::dentry,
        old_dir: *mut bindings::inode,
        new_dir: *mut bindings::inode,
        flags: RenameFlags,
    ) -> Self {
        // SAFETY: By the safety requirements, `ptr` is a valid dentry of type `T` for `'a`.
        let dentry = unsafe { Dentry::<T>::from_raw(ptr) };
        // `vfs_rename()` locks a positive target unless it is a directory exchanged within one
        // parent ("lock_new_subdir").
        let victim_locked = match dentry.inode() {
            None => false,
            Some(inode) => {
                old_dir != new_dir
                    || !flags.contains(RenameFlags::EXCHANGE)
                    || inode.mode().file_type() != Some(super::inode::Type::Dir)
            }
        };
        Self {
            dentry,
            victim_locked,
        }
    }

    /// Returns the name of the entry.
    pub fn name(&self) -> &[u8] {
        // SAFETY: By the type invariant the name is stable.
        unsafe { stable_name(self.dentry) }
    }

    /// Returns the inode, `None` for a target that does not exist.
    pub fn inode(&self) -> Option<&Inode<T>> {
        self.dentry.inode()
    }

    /// Returns the raw pointer to the dentry.
    pub(crate) fn as_raw(&self) -> *mut bindings::dentry {
        self.dentry.as_raw()
    }

    /// Returns `true` if the entry is in directory `dir`.
    pub(crate) fn is_in(&self, dir: &Inode<T>) -> bool {
        // SAFETY: The parent is stable (type invariant).
        unsafe { parent_inode(self.dentry) == dir.as_raw() }
    }

    /// Returns the inode of a positive target that the rename replaces, locked exclusively, so
    /// that a Rust `rename` can drop its link count; `None` for a negative target or one that
    /// `RENAME_EXCHANGE` only moves within its directory.
    pub fn victim(&self) -> Option<Locked<'_, Inode<T>, Exclusive>> {
        if !self.victim_locked {
            return None;
        }
        let inode = self.dentry.inode()?;
        // SAFETY: The inode is locked exclusively for `'a` (type invariant), longer than `'_`.
        Some(unsafe { Locked::new(inode) })
    }

    /// Returns `true` unless the entry is a directory kept in the dcache with positive children
    /// (`simple_empty()`).
    pub fn simple_empty(&self) -> bool {
        // SAFETY: The dentry is valid; `simple_empty` takes the locks it needs.
        unsafe { bindings::simple_empty(self.dentry.as_raw()) != 0 }
    }
}

/// The existing entry that `link` gives another name: positive, its inode locked exclusively
/// (`vfs_link()`).
///
/// # Invariants
///
/// `dentry` is positive and the `i_rwsem` of its inode is held exclusively for `'a`, so its
/// inode is stable.
pub struct LinkSource<'a, T: FileSystem> {
    dentry: &'a Dentry<T>,
}

impl<'a, T: FileSystem> LinkSource<'a, T> {
    /// Creates a [`LinkSource`] from a raw pointer.
    ///
    /// # Safety
    ///
    /// `ptr` must be a valid positive dentry of type `T` whose inode is locked exclusively for
    /// `'a`.
    pub(crate) unsafe fn from_raw(ptr: *mut bindings::dentry) -> Self {
        Self {
            // SAFETY: By the safety requirements, `ptr` is a valid dentry of type `T` for `'a`.
            dentry: unsafe { Dentry::from_raw(ptr) },
        }
    }

    /// Returns the inode getting another name, which is locked exclusively.
    pub fn inode(&self) -> Locked<'_, Inode<T>, Exclusive> {
        // SAFETY: The dentry is positive and its inode stable (type invariant).
        let inode = unsafe { Inode::from_raw((*self.dentry.as_raw()).d_inode) };
        // SAFETY: The inode is locked exclusively for `'a` (type invariant), longer than `'_`.
        unsafe { Locked::new(inode) }
    }

    pub(crate) fn as_raw(&self) -> *mut bindings::dentry {
        self.dentry.as_raw()
    }
}

/// A negative dentry whose parent directory is locked exclusively, to be instantiated by
/// `create`, `mkdir`, `mknod`, `symlink` or `link`.
///
/// # Invariants
///
/// `dentry` is negative and its parent's `i_rwsem` is held exclusively for `'a`, so its name and
/// parent are stable.
pub struct Negative<'a, T: FileSystem> {
    dentry: &'a Dentry<T>,
}

impl<'a, T: FileSystem> Negative<'a, T> {
    /// Creates a [`Negative`] from a raw pointer.
    ///
    /// # Safety
    ///
    /// `ptr` must be a valid negative dentry of type `T` whose parent is locked exclusively for
    /// `'a`.
    pub(crate) unsafe fn from_raw(ptr: *mut bindings::dentry) -> Self {
        Self {
            // SAFETY: By the safety requirements, `ptr` is a valid dentry of type `T` for `'a`.
            dentry: unsafe { Dentry::from_raw(ptr) },
        }
    }

    /// Returns the name of the entry.
    pub fn name(&self) -> &[u8] {
        // SAFETY: By the type invariant the name is stable.
        unsafe { stable_name(self.dentry) }
    }

    pub(crate) fn qstr(&self) -> *const bindings::qstr {
        // SAFETY: The dentry is valid.
        unsafe { &raw const (*self.dentry.as_raw()).__bindgen_anon_1.d_name }
    }

    pub(crate) fn as_raw(&self) -> *mut bindings::dentry {
        self.dentry.as_raw()
    }
}

impl<'a, T: FileSystem<Dentries = Persistent>> Negative<'a, T> {
    /// Attaches the new `inode` to the dentry and pins the dentry in the dcache until it is
    /// unlinked or the superblock is shut down (`d_make_persistent()`).
    ///
    /// Fails with `EXDEV`, dropping the inode, if it belongs to another superblock.
    #[inline(always)]
    pub fn make_persistent<P: PageCache>(self, inode: inode::New<'_, T, P>) -> Result {
        // The inode reference moves to the dentry; the extra (pinning) dentry reference is dropped
        // by `d_make_discardable()` or at umount.
        inode.finish(self.dentry.super_block_ptr(), |inode| {
            // SAFETY: The dentry is negative, its parent locked (type invariant); the inode is new.
            unsafe { bindings::d_make_persistent(self.dentry.as_raw(), inode) };
        })
    }
}

/// The file of an `O_TMPFILE` open being created by `tmpfile`, with its private, unnamed,
/// negative dentry.
///
/// # Invariants
///
/// `file` is a file that `vfs_tmpfile()` is opening and has not opened yet (no `FMODE_OPENED`);
/// its dentry is a negative, unhashed dentry of type `T` that nobody else can reach, valid for
/// `'a`.
pub struct TmpFile<'a, T: FileSystem> {
    file: NonNull<bindings::file>,
    _p: PhantomData<(&'a bindings::file, T)>,
}

impl<'a, T: FileSystem> TmpFile<'a, T> {
    /// Creates a [`TmpFile`] from a raw pointer.
    ///
    /// # Safety
    ///
    /// `file` must be a file that `vfs_tmpfile()` passes to `tmpfile` of a directory of type `T`,
    /// valid and not yet opened for `'a`.
    pub(crate) unsafe fn from_raw(file: *mut bindings::file) -> Self {
        Self {
            // SAFETY: The caller guarantees that `file` is valid, hence not null.
            file: unsafe { NonNull::new_unchecked(file) },
            _p: PhantomData,
        }
    }

    fn dentry(&self) -> *mut bindings::dentry {
        // SAFETY: `file` is valid (type invariant); `vfs_tmpfile()` set `f_path` before the call.
        unsafe { (*self.file.as_ptr()).__bindgen_anon_1.f_path.dentry }
    }

    pub(crate) fn qstr(&self) -> *const bindings::qstr {
        // SAFETY: The dentry is valid and private to this open, so its name is stable.
        unsafe { &raw const (*self.dentry()).__bindgen_anon_1.d_name }
    }

    /// Attaches the new `inode` to the file's dentry with a link count reduced to zero
    /// (`d_tmpfile()`), so that it disappears on the last close unless it is linked with
    /// `linkat()`, and opens the file (`finish_open()`).
    ///
    /// `tmpfile` returns the [`Opened`] token this gives, so that it cannot report success
    /// without an open file.
    /// Fails with `EXDEV` if the inode belongs to another superblock.
    pub fn open<P: PageCache>(self, inode: inode::New<'_, T, P>) -> Result<Opened<'a>> {
        let (file, dentry) = (self.file.as_ptr(), self.dentry());
        // SAFETY: The dentry is valid (type invariant); `d_sb` never changes.
        let sb = unsafe { (*dentry).d_sb };
        inode.finish(sb, |inode| {
            // SAFETY:
            // - `file` is being opened and its dentry is negative (type invariant).
            // - `inode` is the new inode, whose reference `d_tmpfile` takes over.
            unsafe { bindings::d_tmpfile(file, inode) };
        })?;
        // SAFETY: `file` is not opened yet (type invariant); `dentry`, its dentry, is positive.
        to_result(unsafe { bindings::finish_open(file, dentry, None) })?;
        Ok(Opened(PhantomData))
    }
}

/// Proof that [`TmpFile::open`] opened the file of a `tmpfile` call.
///
/// The lifetime `'a` is invariant, so the token of one call cannot stand for another's.
pub struct Opened<'a>(PhantomData<Brand<'a>>);

/// The root dentry of a new superblock, returned by
/// [`FileSystem::init_root`].
///
/// # Invariants
///
/// `dentry` is a root dentry made by `d_make_root()`, of which this object owns a reference.
pub struct Root<T: FileSystem> {
    dentry: NonNull<bindings::dentry>,
    _p: PhantomData<T>,
}

impl<T: FileSystem> Root<T> {
    /// Creates the root dentry for the new directory inode `inode` (`d_make_root()`).
    pub fn new<P: PageCache>(inode: inode::New<'_, T, P>) -> Result<Self> {
        let sb = inode.super_block_ptr();
        // SAFETY: `d_make_root` consumes the inode reference, also on failure.
        let p = inode.finish(sb, |inode| unsafe { bindings::d_make_root(inode) })?;
        Ok(Self {
            dentry: NonNull::new(p).ok_or(ENOMEM)?,
            _p: PhantomData,
        })
    }

    pub(crate) fn into_raw(self) -> *mut bindings::dentry {
        ManuallyDrop::new(self).dentry.as_ptr()
    }

    /// Returns the superblock the root belongs to, to be checked against the one it is the root
    /// of.
    pub(crate) fn super_block_ptr(&self) -> *mut bindings::super_block {
        // SAFETY: We own a reference to the valid dentry (type invariant); `d_sb` never changes.
        unsafe { (*self.dentry.as_ptr()).d_sb }
    }
}

impl<T: FileSystem> Drop for Root<T> {
    fn drop(&mut self) {
        // SAFETY: We own a reference to the root dentry.
        unsafe { bindings::dput(self.dentry.as_ptr()) };
    }
}
