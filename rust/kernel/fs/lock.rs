// SPDX-License-Identifier: GPL-2.0

//! Lock states that the VFS guarantees around callbacks.
//!
//! The VFS calls most inode and file operations with some lock already held, most notably the
//! `i_rwsem` of the parent directory: shared for `lookup` and `iterate_shared`, exclusive for
//! operations that change the namespace (`create`, `mkdir`, `unlink`, `rmdir`, `rename`, ...).
//! [`Locked`] carries that guarantee in the type of the reference a callback receives, so that
//! operations which need the exclusive lock (changing a directory's link count or timestamps) are
//! only reachable from callbacks that hold it. An exclusively locked reference can be used where
//! a shared one is expected (it dereferences to one), never the other way round.
//!
//! C header: [`include/linux/fs.h`](srctree/include/linux/fs.h)

use super::{
    filesystem::FileSystem,
    inode::Inode, //
};
use crate::types::NotThreadSafe;
use core::{
    marker::PhantomData,
    ops::Deref, //
};

/// A state a lock can be held in: [`Shared`] or [`Exclusive`].
///
/// This trait is sealed: the kernel crate implements it for these two states only.
pub trait LockState: private::Sealed {}

mod private {
    pub trait Sealed {}
}

/// An object whose lock the VFS holds around callbacks: an inode, whose lock is `i_rwsem`.
///
/// This trait is sealed: the kernel crate implements it for inodes only.
pub trait Lockable: private::Sealed {}

impl<T: FileSystem> private::Sealed for Inode<T> {}
impl<T: FileSystem> Lockable for Inode<T> {}

/// Marker: the lock is held shared (for reading), e.g. `inode_lock_shared()`.
pub struct Shared;

/// Marker: the lock is held exclusively (for writing), e.g. `inode_lock()`.
pub struct Exclusive;

impl private::Sealed for Shared {}
impl LockState for Shared {}
impl private::Sealed for Exclusive {}
impl LockState for Exclusive {}

/// A reference to a `T` whose lock is held in state `S` ([`Shared`] or [`Exclusive`]).
///
/// The lock is held by the current task, so the reference is neither `Send` nor `Sync`.
///
/// # Invariants
///
/// For the lifetime `'a`, the lock of the referenced object (for inodes, `i_rwsem`) is held by
/// the current task in mode `S`.
#[repr(transparent)]
pub struct Locked<'a, T: Lockable + ?Sized, S: LockState> {
    inner: &'a T,
    _state: PhantomData<(S, NotThreadSafe)>,
}

impl<'a, T: Lockable + ?Sized, S: LockState> Locked<'a, T, S> {
    /// Creates a new [`Locked`] reference.
    ///
    /// # Safety
    ///
    /// The caller must guarantee that the lock of `inner` is held by the current task in mode
    /// `S` for the whole lifetime `'a`.
    pub(crate) unsafe fn new(inner: &'a T) -> Self {
        // INVARIANT: The caller guarantees the lock state.
        Self {
            inner,
            _state: PhantomData,
        }
    }
}

impl<'a, T: Lockable + ?Sized> Deref for Locked<'a, T, Exclusive> {
    type Target = Locked<'a, T, Shared>;

    fn deref(&self) -> &Locked<'a, T, Shared> {
        let p: *const Self = self;
        // SAFETY:
        // - Both types are `repr(transparent)` over `&'a T` (the other field is zero-sized), so
        //   the cast keeps layout and validity.
        // - INVARIANT: A lock held exclusively by the current task for `'a` is in particular held
        //   for everything the shared state allows.
        unsafe { &*p.cast::<Locked<'a, T, Shared>>() }
    }
}

impl<T: Lockable + ?Sized> Deref for Locked<'_, T, Shared> {
    type Target = T;

    fn deref(&self) -> &T {
        self.inner
    }
}
