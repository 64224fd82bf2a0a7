// SPDX-License-Identifier: GPL-2.0

//! File system contexts: the parameters of a mount or a remount being set up.
//!
//! Every mount and every reconfiguration (`mount -o remount`, `FSCONFIG_CMD_RECONFIGURE`) goes
//! through a `struct fs_context`: the VFS creates it, passes each mount parameter to
//! [`FileSystem::parse_param`], then asks the file system to create or find a superblock
//! (`get_tree`, see [`Super`](super::filesystem::Super)) or to apply the parameters to an
//! existing one ([`FileSystem::reconfigure`]). [`Context`] is the view of the context those
//! callbacks get: where the mount comes from ([`Context::source`]), the proposed superblock
//! flags, the user namespace of the mounter, and the log that user space reads error messages
//! from (`fsconfig()` users read it from the context's file descriptor; `mount(2)` prints it to
//! the kernel log).
//!
//! C headers: [`include/linux/fs_context.h`](srctree/include/linux/fs_context.h),
//! [`Documentation/filesystems/mount_api.rst`](srctree/Documentation/filesystems/mount_api.rst)
//!
//! [`FileSystem::parse_param`]: super::filesystem::FileSystem::parse_param
//! [`FileSystem::reconfigure`]: super::filesystem::FileSystem::reconfigure

use super::inode::Kgid;
use crate::{
    bindings,
    error::code::*,
    prelude::*,
    str::CStrExt as _,
    task::Kuid,
    types::{
        NotThreadSafe,
        Opaque, //
    },
};
use core::{
    ffi::c_void,
    fmt,
    ptr, //
};

/// What a context is for (`enum fs_context_purpose`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// A new mount (`FS_CONTEXT_FOR_MOUNT`).
    Mount,
    /// A mount made by the kernel below another one, e.g. an automount (`FS_CONTEXT_FOR_SUBMOUNT`).
    Submount,
    /// A change of the parameters of a mounted superblock (`FS_CONTEXT_FOR_RECONFIGURE`).
    Reconfigure,
}

/// The file system context of a mount or remount being set up (`struct fs_context`).
///
/// # Invariants
///
/// The object is a valid `struct fs_context` of a file system type implemented in Rust, used by
/// the current task for the duration of a context callback (the VFS serialises them with
/// `uapi_mutex` or by owning the context); it is neither `Send` nor `Sync`.
#[repr(transparent)]
pub struct Context(Opaque<bindings::fs_context>, NotThreadSafe);

impl Context {
    /// Creates a reference to a context from a raw pointer.
    ///
    /// # Safety
    ///
    /// `ptr` must be a valid `struct fs_context` that only the current task uses for `'a`.
    pub(crate) unsafe fn from_raw<'a>(ptr: *mut bindings::fs_context) -> &'a Self {
        // SAFETY: By the safety requirements `ptr` is valid for `'a`; `Self` is
        // `repr(transparent)` over `Opaque<fs_context>` (`NotThreadSafe` is zero-sized).
        unsafe { &*ptr.cast() }
    }

    /// Returns the raw pointer.
    pub fn as_raw(&self) -> *mut bindings::fs_context {
        self.0.get()
    }

    /// Returns what the context is for.
    pub fn purpose(&self) -> Purpose {
        // SAFETY: By the type invariant the context is valid; `purpose` is set when it is
        // allocated and never changes.
        let purpose = unsafe { (*self.as_raw()).purpose() };
        match purpose {
            bindings::fs_context_purpose_FS_CONTEXT_FOR_SUBMOUNT => Purpose::Submount,
            bindings::fs_context_purpose_FS_CONTEXT_FOR_RECONFIGURE => Purpose::Reconfigure,
            _ => Purpose::Mount,
        }
    }

    /// Returns the source of the mount (`fc->source`): the device or other name given to
    /// `mount(2)` or as the `source` parameter, `None` if there was none.
    pub fn source(&self) -> Option<&CStr> {
        // SAFETY: By the type invariant the context is valid and only the current task changes
        // `source` (while parsing the `source` parameter, not during this borrow).
        let p = unsafe { (*self.as_raw()).source };
        // SAFETY: A non-null `source` is a NUL-terminated string owned by the context, freed only
        // when the context is (after `&self` ends) or replaced while parsing `source`.
        (!p.is_null()).then(|| unsafe { CStr::from_char_ptr(p) })
    }

    /// Returns `true` if the superblock is to be read-only (`SB_RDONLY` in `fc->sb_flags`).
    pub fn is_read_only(&self) -> bool {
        // SAFETY: By the type invariant the context is valid and only used by the current task.
        let flags = unsafe { (*self.as_raw()).sb_flags };
        flags & bindings::SB_RDONLY as u32 != 0
    }

    /// Returns `true` if this reconfiguration changes whether the superblock is read-only
    /// (`SB_RDONLY` in `fc->sb_flags_mask`).
    pub fn changes_read_only(&self) -> bool {
        // SAFETY: By the type invariant the context is valid and only used by the current task.
        let mask = unsafe { (*self.as_raw()).sb_flags_mask };
        mask & bindings::SB_RDONLY as u32 != 0
    }

    /// Makes the superblock read-only (`SB_RDONLY` in `fc->sb_flags`): when a new superblock is
    /// set up, or when the reconfiguration is applied (`reconfigure_super()` copies the flags).
    pub(crate) fn force_read_only(&self) {
        // SAFETY: By the type invariant the context is valid and only the current task accesses
        // it; `sb_flags` is a plain field of the context, not of a shared superblock.
        unsafe { (*self.as_raw()).sb_flags |= bindings::SB_RDONLY as u32 };
    }

    /// Returns the user namespace the mount is made for (`fc->user_ns`): that of the mounter,
    /// or the initial one for a file system type mountable only there.
    pub fn user_ns(&self) -> &UserNamespace {
        // SAFETY: By the type invariant the context is valid; `user_ns` is set when it is
        // allocated and holds a reference until the context is freed, after `&self` ends.
        unsafe { UserNamespace::from_raw((*self.as_raw()).user_ns) }
    }

    /// Adds an error message to the context's log (`errorfc()`): `fsconfig()` users read it from
    /// the context's file descriptor; for `mount(2)` it goes to the kernel log. The message is
    /// prefixed with the file system's name.
    pub fn errorf(&self, args: fmt::Arguments<'_>) {
        // SAFETY: By the type invariant the context is valid; `log` is its `struct p_log`,
        // whose `log` may be null (then `logfc()` prints to the kernel log); the format "%pA"
        // takes a `fmt::Arguments`, valid for the call.
        unsafe {
            let log = &raw const (*self.as_raw()).log;
            bindings::logfc(
                (*log).log,
                (*log).prefix,
                b'e' as c_char,
                c"%pA".as_char_ptr(),
                ptr::from_ref(&args).cast::<c_void>(),
            )
        };
    }

    /// Logs an error message like [`Context::errorf`] and returns `EINVAL` (`invalfc()`), as
    /// for a malformed parameter value: `return Err(fc.invalf(fmt!("Bad value for '{key}'")))`.
    pub fn invalf(&self, args: fmt::Arguments<'_>) -> Error {
        self.errorf(args);
        EINVAL
    }
}

/// A user namespace (`struct user_namespace`), e.g. the one a mount is made for.
///
/// # Invariants
///
/// The object is a valid `struct user_namespace` for the lifetime of any reference to it.
#[repr(transparent)]
pub struct UserNamespace(Opaque<bindings::user_namespace>);

// SAFETY: User namespaces are reference counted and immutable once set up; the methods only
// read them through C functions that may be called from any thread.
unsafe impl Sync for UserNamespace {}

impl UserNamespace {
    /// Creates a reference to a user namespace from a raw pointer.
    ///
    /// # Safety
    ///
    /// `ptr` must be a valid `struct user_namespace` that stays valid for `'a`.
    pub(crate) unsafe fn from_raw<'a>(ptr: *mut bindings::user_namespace) -> &'a Self {
        // SAFETY: By the safety requirements `ptr` is valid for `'a`; the layouts match.
        unsafe { &*ptr.cast() }
    }

    /// Returns the initial user namespace (`init_user_ns`), whose ids `/proc/mounts` shows.
    pub fn init() -> &'static Self {
        // SAFETY: `init_user_ns` is a static, valid user namespace that is never freed.
        unsafe { Self::from_raw(&raw mut bindings::init_user_ns) }
    }

    /// Returns the raw pointer.
    pub fn as_raw(&self) -> *mut bindings::user_namespace {
        self.0.get()
    }

    /// Returns `uid` as seen in this namespace (`from_kuid()`), `None` if it has no mapping.
    pub fn uid_of(&self, uid: Kuid) -> Option<u32> {
        // SAFETY: By the type invariant the namespace is valid; `from_kuid` has no other
        // precondition.
        let id = unsafe { bindings::from_kuid(self.as_raw(), uid.into_raw()) };
        (id != u32::MAX).then_some(id)
    }

    /// Returns `gid` as seen in this namespace (`from_kgid()`), `None` if it has no mapping.
    pub fn gid_of(&self, gid: Kgid) -> Option<u32> {
        // SAFETY: By the type invariant the namespace is valid; `from_kgid` has no other
        // precondition.
        let id = unsafe { bindings::from_kgid(self.as_raw(), gid.into_raw()) };
        (id != u32::MAX).then_some(id)
    }

    /// Returns `true` if `uid` has a mapping in this namespace (`kuid_has_mapping()`).
    pub fn has_uid(&self, uid: Kuid) -> bool {
        self.uid_of(uid).is_some()
    }

    /// Returns `true` if `gid` has a mapping in this namespace (`kgid_has_mapping()`).
    pub fn has_gid(&self, gid: Kgid) -> bool {
        self.gid_of(gid).is_some()
    }
}
