// SPDX-License-Identifier: GPL-2.0

//! Attribute changes (`struct iattr`), as `setattr` applies them, and attribute reports
//! (`struct kstat`), as `getattr` makes them.
//!
//! C header: [`include/linux/fs.h`](srctree/include/linux/fs.h)

use super::Inode;
use crate::{
    bindings,
    fs::{
        dentry::Dentry,
        filesystem::FileSystem,
        idmap::MntIdmap,
        lock::{
            Exclusive,
            Locked, //
        },
    },
};
use core::marker::PhantomData;

/// The attributes an [`AttrChange`] changes (`ATTR_*` in `iattr::ia_valid`).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct AttrMask(u32);

impl AttrMask {
    /// The mode (`ATTR_MODE`).
    pub const MODE: Self = Self(bindings::ATTR_MODE);
    /// The owner (`ATTR_UID`).
    pub const UID: Self = Self(bindings::ATTR_UID);
    /// The group (`ATTR_GID`).
    pub const GID: Self = Self(bindings::ATTR_GID);
    /// The size (`ATTR_SIZE`).
    pub const SIZE: Self = Self(bindings::ATTR_SIZE);
    /// The access time (`ATTR_ATIME`).
    pub const ATIME: Self = Self(bindings::ATTR_ATIME);
    /// The modification time (`ATTR_MTIME`).
    pub const MTIME: Self = Self(bindings::ATTR_MTIME);
    /// The change time (`ATTR_CTIME`).
    pub const CTIME: Self = Self(bindings::ATTR_CTIME);

    /// Returns the raw bits.
    pub const fn bits(self) -> u32 {
        self.0
    }

    /// Returns `true` if all attributes of `other` are in `self`.
    pub const fn contains(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }
}

/// A change of the attributes of a dentry's inode, given to `setattr` by `notify_change()`.
///
/// # Invariants
///
/// - `dentry` is positive, and the `i_rwsem` of its inode is held exclusively for `'a`.
/// - `attr` points to a valid `iattr` for `'a`, which only this task uses.
pub struct AttrChange<'a, T: FileSystem> {
    dentry: &'a Dentry<T>,
    attr: *mut bindings::iattr,
    _p: PhantomData<&'a mut bindings::iattr>,
}

impl<'a, T: FileSystem> AttrChange<'a, T> {
    /// Creates an [`AttrChange`] from raw pointers.
    ///
    /// # Safety
    ///
    /// - `dentry` must be a valid positive dentry of type `T` whose inode is locked exclusively
    ///   for `'a`.
    /// - `attr` must be a valid `iattr` for `'a` that only this task uses.
    pub(crate) unsafe fn from_raw(
        dentry: *mut bindings::dentry,
        attr: *mut bindings::iattr,
    ) -> Self {
        Self {
            // SAFETY: `dentry` is a valid dentry of type `T` for `'a` (safety requirements).
            dentry: unsafe { Dentry::from_raw(dentry) },
            attr,
            _p: PhantomData,
        }
    }

    /// Returns the raw pointers to the dentry and the `iattr`.
    pub(crate) fn as_raw(&self) -> (*mut bindings::dentry, *mut bindings::iattr) {
        (self.dentry.as_raw(), self.attr)
    }

    /// Returns the inode whose attributes change, locked exclusively.
    pub fn inode(&self) -> Locked<'_, Inode<T>, Exclusive> {
        // SAFETY: The dentry is positive, and its inode is stable and locked exclusively for
        // `'a` (type invariant), longer than `'_`.
        unsafe { Locked::new(Inode::from_raw((*self.dentry.as_raw()).d_inode)) }
    }

    /// Returns the attributes that change.
    pub fn valid(&self) -> AttrMask {
        // SAFETY: `attr` is valid and only used by this task (type invariant).
        AttrMask(unsafe { (*self.attr).ia_valid })
    }

    /// Returns the new size, if the size changes.
    pub fn size(&self) -> Option<i64> {
        if !self.valid().contains(AttrMask::SIZE) {
            return None;
        }
        // SAFETY: `attr` is valid and only used by this task (type invariant).
        Some(unsafe { (*self.attr).ia_size })
    }
}

/// The attributes of an inode that `getattr` reports for `stat(2)` and `statx(2)`.
///
/// # Invariants
///
/// `stat` points to a valid `kstat` for `'a`, which only this task uses.
pub struct Kstat<'a> {
    stat: *mut bindings::kstat,
    _p: PhantomData<&'a mut bindings::kstat>,
}

impl Kstat<'_> {
    /// Creates a [`Kstat`] from a raw pointer.
    ///
    /// # Safety
    ///
    /// `stat` must be a valid `kstat` for `'a` that only this task uses.
    pub(crate) unsafe fn from_raw(stat: *mut bindings::kstat) -> Self {
        Self {
            stat,
            _p: PhantomData,
        }
    }

    /// Fills in the attributes of `inode` as the VFS does for file systems without `getattr`
    /// (`generic_fillattr()`): owner and group as seen through the mount's `idmap`, and what the
    /// caller asked for in `request_mask`.
    pub fn fill<T: FileSystem>(&mut self, idmap: &MntIdmap, request_mask: u32, inode: &Inode<T>) {
        // SAFETY:
        // - `idmap` and `inode` are valid.
        // - `stat` is valid and only used by this task (type invariant).
        unsafe {
            bindings::generic_fillattr(idmap.as_raw(), request_mask, inode.as_raw(), self.stat)
        };
    }

    /// Sets the number of 512-byte blocks the file uses.
    pub fn set_blocks(&mut self, blocks: u64) {
        // SAFETY: `stat` is valid and only used by this task (type invariant).
        unsafe { (*self.stat).blocks = blocks };
    }
}
