// SPDX-License-Identifier: GPL-2.0

//! Lock states that the VFS guarantees around callbacks.
//!
//! The VFS calls most inode and file operations with some lock already held, most notably the
//! `i_rwsem` of the parent directory: shared for `lookup` and `iterate_shared`, exclusive for
//! operations that change the namespace (`create`, `mkdir`, `unlink`, `rmdir`, `rename`, ...).
//! [`Locked`] carries that guarantee in the type of the reference a callback receives, so that
//! operations which need the exclusive lock (changing a directory's link count or timestamps) are
//! only reachable from callbacks that hold it.
//!
//! C header: [`include/linux/fs.h`](srctree/include/linux/fs.h)

use core::{
    marker::PhantomData,
    ops::Deref, //
};

/// Marker: the lock is held shared (for reading), e.g. `inode_lock_shared()`.
pub struct Shared;

/// Marker: the lock is held exclusively (for writing), e.g. `inode_lock()`.
pub struct Exclusive;

/// A reference to a `T` whose lock is held in state `S` ([`Shared`] or [`Exclusive`]).
///
/// # Invariants
///
/// For the lifetime `'a`, the lock of the referenced object (for inodes, `i_rwsem`) is held by
/// the current task in mode `S`.
pub struct Locked<'a, T: ?Sized, S> {
    inner: &'a T,
    _state: PhantomData<S>,
}

impl<'a, T: ?Sized, S> Locked<'a, T, S> {
    /// Creates a new [`Locked`] reference.
    ///
    /// # Safety
    ///
    /// The caller must guarantee that the lock of `inner` is held in mode `S` for the whole
    /// lifetime `'a`.
    pub(crate) unsafe fn new(inner: &'a T) -> Self {
        // INVARIANT: The caller guarantees the lock state.
        Self {
            inner,
            _state: PhantomData,
        }
    }
}

impl<T: ?Sized, S> Deref for Locked<'_, T, S> {
    type Target = T;

    fn deref(&self) -> &T {
        self.inner
    }
}
