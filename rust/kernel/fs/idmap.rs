// SPDX-License-Identifier: GPL-2.0

//! Mount id mappings.
//!
//! C header: [`include/linux/mnt_idmapping.h`](srctree/include/linux/mnt_idmapping.h)

use crate::{
    bindings,
    types::Opaque, //
};

/// The id mapping of a mount (`struct mnt_idmap`), as passed to inode operations.
///
/// # Invariants
///
/// The object is a valid `struct mnt_idmap` for the lifetime of any reference to it.
#[repr(transparent)]
pub struct MntIdmap(Opaque<bindings::mnt_idmap>);

// SAFETY: `struct mnt_idmap` is refcounted and immutable after creation.
unsafe impl Sync for MntIdmap {}

impl MntIdmap {
    /// Returns the identity mapping (`nop_mnt_idmap`), used by filesystems that do not support
    /// idmapped mounts.
    ///
    /// ```
    /// use kernel::fs::idmap::MntIdmap;
    /// let a = MntIdmap::nop();
    /// assert!(core::ptr::eq(a.as_raw(), MntIdmap::nop().as_raw()));
    /// ```
    pub fn nop() -> &'static Self {
        // SAFETY: `nop_mnt_idmap` is static and lives forever; `Self` is `repr(transparent)`.
        unsafe { Self::from_raw(&raw const bindings::nop_mnt_idmap) }
    }

    /// Creates a reference to an [`MntIdmap`] from a raw pointer.
    ///
    /// # Safety
    ///
    /// `ptr` must point to a valid `struct mnt_idmap` that stays valid for `'a`.
    pub unsafe fn from_raw<'a>(ptr: *const bindings::mnt_idmap) -> &'a Self {
        // SAFETY: By the safety requirements, `ptr` is valid for `'a`; the layouts match.
        unsafe { &*ptr.cast() }
    }

    /// Returns the raw pointer.
    pub fn as_raw(&self) -> *mut bindings::mnt_idmap {
        self.0.get()
    }
}
