// SPDX-License-Identifier: GPL-2.0

//! Directory entries.
//!
//! [`DEntry`] wraps `struct dentry` and is reference counted with [`ARef`] (`dget()`/`dput()`).
//! Callbacks receive dentries in the state the VFS guarantees:
//!
//! - [`Negative`]: a negative dentry to instantiate, whose parent is locked exclusively, so its
//!   name is stable (`create`, `mkdir`, `mknod`, `symlink`).
//! - [`TmpFile`]: the private, unnamed dentry of an `O_TMPFILE` open (`tmpfile`).
//! - [`Lookup`]: a dentry being looked up, whose parent is locked at least shared (`lookup`).
//! - [`Child`]: a positive dentry being removed, whose parent and inode are locked exclusively
//!   (`unlink`, `rmdir`).
//! - [`RenameEntry`]: the source or the target of `rename`, whose parent is locked exclusively.
//! - [`Root`]: the root of a new superblock (`d_make_root()`).
//!
//! Only new inodes, still [`inode::New`] builders, can be attached to these dentries, so a
//! directory inode can never get a second dentry this way; hard links of existing inodes are made
//! by the VFS's `link` (e.g. `simple_link`).
//!
//! In-memory file systems keep their tree in the dcache: [`Negative::make_persistent`] pins the
//! new dentry (`d_make_persistent()`) until it is unlinked (`d_make_discardable()`, done by
//! `simple_unlink`/`simple_rmdir`) or the superblock is shut down.
//!
//! C header: [`include/linux/dcache.h`](srctree/include/linux/dcache.h)

use super::{
    filesystem::FileSystem,
    inode::{
        self,
        INode, //
    },
    lock::{
        Exclusive,
        Locked, //
    },
    sb::SuperBlock, //
};
use crate::{
    bindings,
    error::{
        code::*,
        to_result, //
    },
    prelude::*,
    sync::aref::{
        ARef,
        AlwaysRefCounted, //
    },
    types::Opaque, //
};
use core::{
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
/// (see [`Negative::name`]).
///
/// # Invariants
///
/// The object is a valid dentry of a superblock of type `T`, always reference counted.
#[repr(transparent)]
pub struct DEntry<T: FileSystem>(Opaque<bindings::dentry>, PhantomData<T>);

// SAFETY: Dentries are reference counted and may be released from any thread.
unsafe impl<T: FileSystem> Send for DEntry<T> {}
// SAFETY: The accessors of `&DEntry` are safe to call from any thread.
unsafe impl<T: FileSystem> Sync for DEntry<T> {}

// SAFETY: `dget` and `dput` implement the dentry's reference count.
unsafe impl<T: FileSystem> AlwaysRefCounted for DEntry<T> {
    fn inc_ref(&self) {
        // SAFETY: The existence of `&self` means the refcount is nonzero.
        unsafe { bindings::dget(self.as_raw()) };
    }

    unsafe fn dec_ref(obj: NonNull<Self>) {
        // SAFETY: The caller owns a reference, which is released here.
        unsafe { bindings::dput(obj.as_ptr().cast()) };
    }
}

impl<T: FileSystem> DEntry<T> {
    /// Creates a reference to a dentry from a raw pointer.
    ///
    /// # Safety
    ///
    /// `ptr` must be a valid dentry of a ready superblock of type `T`, valid for `'a`.
    pub unsafe fn from_raw<'a>(ptr: *mut bindings::dentry) -> &'a Self {
        // SAFETY: By the safety requirements; the layouts match.
        unsafe { &*ptr.cast() }
    }

    /// Returns the raw pointer.
    pub fn as_raw(&self) -> *mut bindings::dentry {
        self.0.get()
    }

    /// Returns the superblock of the dentry.
    pub fn super_block(&self) -> &SuperBlock<T> {
        // SAFETY: `d_sb` never changes and outlives the dentry (type invariant: ready, type `T`).
        unsafe { SuperBlock::from_raw((*self.as_raw()).d_sb) }
    }

    /// Returns the inode of a positive dentry, `None` for a negative one.
    pub fn inode(&self) -> Option<&INode<T>> {
        // A positive dentry keeps its inode while callers hold the locks that keep it positive.
        // SAFETY: `d_inode` of a referenced dentry is null or a valid inode (see above).
        let p = unsafe { (*self.as_raw()).d_inode };
        // SAFETY: See above; the inode belongs to the same superblock.
        (!p.is_null()).then(|| unsafe { INode::from_raw(p) })
    }
}

/// Returns the name of `dentry`.
///
/// # Safety
///
/// The name of `dentry` must not change for `'a`.
unsafe fn stable_name<'a, T: FileSystem>(dentry: &'a DEntry<T>) -> &'a [u8] {
    // SAFETY: The dentry is valid; `d_name` points to `len` bytes, stable for `'a`.
    unsafe {
        let q = &(*dentry.as_raw()).__bindgen_anon_1.d_name;
        core::slice::from_raw_parts(q.name, q.__bindgen_anon_1.__bindgen_anon_1.len as usize)
    }
}

/// A dentry being looked up by `lookup`: negative and not yet in the dcache's hash table (or
/// in-lookup), its parent directory locked at least shared.
///
/// # Invariants
///
/// `dentry` is negative and being looked up in its parent, whose `i_rwsem` is held for `'a`, so
/// its name and parent are stable.
pub struct Lookup<'a, T: FileSystem> {
    dentry: &'a DEntry<T>,
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
            dentry: unsafe { DEntry::from_raw(ptr) },
        }
    }

    /// Returns the name being looked up.
    pub fn name(&self) -> &[u8] {
        // SAFETY: By the type invariant the name is stable.
        unsafe { stable_name(self.dentry) }
    }

    /// Completes the lookup with `inode`, or with `None` for a name that does not exist
    /// (`d_splice_alias()`).
    ///
    /// The result, which `lookup` returns, says whether this dentry was used or which dentry
    /// the VFS should use instead: the existing alias of a directory inode, moved here.
    pub fn splice(self, inode: Option<ARef<INode<T>>>) -> Result<Looked<'a, T>> {
        let inode = inode.map_or(core::ptr::null_mut(), |i| ARef::into_raw(i).as_ptr().cast());
        // `d_splice_alias` consumes the inode reference, also on failure.
        // SAFETY: The dentry is being looked up (type invariant).
        let d = unsafe { bindings::d_splice_alias(inode, self.dentry.as_raw()) };
        let d = crate::error::from_err_ptr(d)?;
        Ok(Looked {
            // SAFETY: A non-null result is a referenced dentry of the same superblock, now ours.
            dentry: NonNull::new(d).map(|d| unsafe { ARef::from_raw(d.cast()) }),
            _p: PhantomData,
        })
    }
}

/// The result of a lookup completed by [`Lookup::splice`], returned by `lookup`: the dentry to
/// use instead of the one looked up, if any.
///
/// # Invariants
///
/// `dentry` is what `d_splice_alias()` returned for the dentry of the `lookup` call of `'a`.
pub struct Looked<'a, T: FileSystem> {
    dentry: Option<ARef<DEntry<T>>>,
    _p: PhantomData<&'a ()>,
}

impl<T: FileSystem> Looked<'_, T> {
    pub(crate) fn into_raw(self) -> *mut bindings::dentry {
        self.dentry
            .map_or(core::ptr::null_mut(), |d| ARef::into_raw(d).as_ptr().cast())
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
    dentry: &'a DEntry<T>,
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
            dentry: unsafe { DEntry::from_raw(ptr) },
        }
    }

    /// Returns the name of the entry.
    pub fn name(&self) -> &[u8] {
        // SAFETY: By the type invariant the name is stable.
        unsafe { stable_name(self.dentry) }
    }

    /// Returns the inode, which is locked exclusively.
    pub fn inode(&self) -> Locked<'_, INode<T>, Exclusive> {
        // SAFETY: The dentry is positive and its inode stable (type invariant).
        let inode = unsafe { INode::from_raw((*self.dentry.as_raw()).d_inode) };
        // SAFETY: The inode is locked exclusively for `'a` (type invariant), longer than `'_`.
        unsafe { Locked::new(inode) }
    }

    /// Returns `true` if the dentry, a directory kept in the dcache, has no positive children
    /// (`simple_empty()`).
    pub fn is_empty_in_dcache(&self) -> bool {
        // SAFETY: The dentry is valid; `simple_empty` takes the locks it needs.
        unsafe { bindings::simple_empty(self.dentry.as_raw()) != 0 }
    }

    /// Unpins the dentry made persistent by [`Negative::make_persistent`] once its inode lost
    /// this name (`d_make_discardable()`); the VFS then drops it from the dcache. Does nothing
    /// for a dentry that is not persistent.
    pub fn make_discardable(self) {
        // SAFETY: The parent is locked exclusively (type invariant).
        unsafe { make_discardable(self.dentry) };
    }
}

/// Unpins `dentry` if it is persistent (`d_make_discardable()`).
///
/// # Safety
///
/// The parent of `dentry` must be locked exclusively, so that only this task can make it
/// persistent or discardable.
unsafe fn make_discardable<T: FileSystem>(dentry: &DEntry<T>) {
    // Only `d_make_persistent()`/`d_make_discardable()` change the flag, under the parent's lock
    // (and at unmount, when no operation runs), so it is stable here.
    // SAFETY: The dentry is valid; see above for the flag.
    let flags = unsafe { ptr::read_volatile(&raw const (*dentry.as_raw()).d_flags) };
    if flags & bindings::dentry_flags_DCACHE_PERSISTENT != 0 {
        // SAFETY: The dentry is valid and persistent, its parent locked.
        unsafe { bindings::d_make_discardable(dentry.as_raw()) };
    }
}

/// The source (positive) or the target (negative or positive) of `rename`, whose parent
/// directory is locked exclusively (`lock_rename()`). Whether its inode is locked depends on the
/// kind of rename, so it is not available as [`Locked`].
///
/// # Invariants
///
/// The `i_rwsem` of the parent of `dentry` is held exclusively for `'a`, so its name, parent and
/// inode (or its absence) are stable.
pub struct RenameEntry<'a, T: FileSystem> {
    dentry: &'a DEntry<T>,
}

impl<'a, T: FileSystem> RenameEntry<'a, T> {
    /// Creates a [`RenameEntry`] from a raw pointer.
    ///
    /// # Safety
    ///
    /// `ptr` must be a valid dentry of type `T` whose parent is locked exclusively for `'a`.
    pub(crate) unsafe fn from_raw(ptr: *mut bindings::dentry) -> Self {
        Self {
            // SAFETY: By the safety requirements, `ptr` is a valid dentry of type `T` for `'a`.
            dentry: unsafe { DEntry::from_raw(ptr) },
        }
    }

    /// Returns the name of the entry.
    pub fn name(&self) -> &[u8] {
        // SAFETY: By the type invariant the name is stable.
        unsafe { stable_name(self.dentry) }
    }

    /// Returns the inode, `None` for a target that does not exist.
    pub fn inode(&self) -> Option<&INode<T>> {
        self.dentry.inode()
    }

    /// Returns `true` unless the entry is a directory kept in the dcache with positive children
    /// (`simple_empty()`).
    pub fn is_empty_in_dcache(&self) -> bool {
        // SAFETY: The dentry is valid; `simple_empty` takes the locks it needs.
        unsafe { bindings::simple_empty(self.dentry.as_raw()) != 0 }
    }

    /// Unpins a persistent target that a rename replaces (`d_make_discardable()`), as
    /// [`Child::make_discardable`] does for unlink. Does nothing for a dentry that is not
    /// persistent.
    pub fn make_discardable(self) {
        // SAFETY: The parent is locked exclusively (type invariant).
        unsafe { make_discardable(self.dentry) };
    }
}

/// A negative dentry whose parent directory is locked exclusively, to be instantiated by
/// `create`, `mkdir`, `mknod` or `symlink`.
///
/// # Invariants
///
/// `dentry` is negative and its parent's `i_rwsem` is held exclusively for `'a`, so its name and
/// parent are stable.
pub struct Negative<'a, T: FileSystem> {
    dentry: &'a DEntry<T>,
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
            dentry: unsafe { DEntry::from_raw(ptr) },
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

    /// Attaches the new `inode` to the dentry and pins the dentry in the dcache until it is
    /// unlinked or the superblock is shut down (`d_make_persistent()`).
    ///
    /// Fails with `EINVAL`, dropping the inode, if its operations do not fit together.
    pub fn make_persistent(self, inode: inode::New<T>) -> Result {
        // The inode reference moves to the dentry; the extra (pinning) dentry reference is dropped
        // by `d_make_discardable()` or at umount.
        inode.finish(|inode| {
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
    pub fn open(self, inode: inode::New<T>) -> Result<Opened<'a>> {
        let (file, dentry) = (self.file.as_ptr(), self.dentry());
        inode.finish(|inode| {
            // `d_tmpfile` takes over the new inode's reference.
            // SAFETY: `file` is being opened and its dentry is negative (type invariant).
            unsafe { bindings::d_tmpfile(file, inode) };
        })?;
        // SAFETY: `file` is not opened yet (type invariant); `dentry`, its dentry, is positive.
        to_result(unsafe { bindings::finish_open(file, dentry, None) })?;
        Ok(Opened(PhantomData))
    }
}

/// Proof that [`TmpFile::open`] opened the file of a `tmpfile` call.
pub struct Opened<'a>(PhantomData<&'a ()>);

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
    pub fn new(inode: inode::New<T>) -> Result<Self> {
        // SAFETY: `d_make_root` consumes the inode reference, also on failure.
        let p = inode.finish(|inode| unsafe { bindings::d_make_root(inode) })?;
        Ok(Self {
            dentry: NonNull::new(p).ok_or(ENOMEM)?,
            _p: PhantomData,
        })
    }

    pub(crate) fn into_raw(self) -> *mut bindings::dentry {
        ManuallyDrop::new(self).dentry.as_ptr()
    }
}

impl<T: FileSystem> Drop for Root<T> {
    fn drop(&mut self) {
        // SAFETY: We own a reference to the root dentry.
        unsafe { bindings::dput(self.dentry.as_ptr()) };
    }
}
