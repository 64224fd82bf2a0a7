// SPDX-License-Identifier: GPL-2.0

//! File system types and their registration.
//!
//! A file system implements [`FileSystem`] and registers it with a pinned [`Registration`]
//! (usually through [`module_fs!`](crate::module_fs)). Mounting goes through the `fs_context`
//! API: [`FileSystem::Options`] collects the parsed mount parameters
//! ([`FileSystem::PARAMS`], [`FileSystem::parse_param`]), then [`FileSystem::fill_super`] sets up
//! a new superblock and [`FileSystem::init_root`] creates its root.
//!
//! C headers: [`include/linux/fs.h`](srctree/include/linux/fs.h),
//! [`include/linux/fs_context.h`](srctree/include/linux/fs_context.h)

use super::{
    dentry,
    inode::InodeCache,
    param,
    sb,
    sb::SuperBlock, //
};
use crate::{
    alloc::KBox,
    bindings,
    error::{
        code::*,
        from_result,
        to_result,
        Result, //
    },
    prelude::*,
    str::CStrExt as _,
    types::{
        ForeignOwnable,
        Opaque, //
    },
    ThisModule, //
};
use core::{
    marker::PhantomData,
    ptr, //
};

/// File system type flags (`FS_*` in `struct file_system_type::fs_flags`).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Flags(i32);

impl Flags {
    /// No flags.
    pub const NONE: Self = Self(0);
    /// Mounts are allowed in user namespaces by their root (`FS_USERNS_MOUNT`).
    pub const USERNS_MOUNT: Self = Self(bindings::FS_USERNS_MOUNT as i32);

    /// Returns the union of both sets of flags.
    pub const fn union(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }

    /// Returns the raw value.
    pub const fn bits(self) -> i32 {
        self.0
    }
}

/// A file system type.
///
/// # Examples
///
/// ```
/// use kernel::fs::{dentry, filesystem::FileSystem, sb, sb::SuperBlock};
/// use kernel::prelude::*;
///
/// struct EmptyFs;
///
/// impl FileSystem for EmptyFs {
///     const NAME: &'static CStr = c"emptyfs";
///     type Options = ();
///     type Data = ();
///     type INodeData = ();
///
///     fn fill_super(sb: &mut SuperBlock<Self, sb::New>, _: &()) -> Result {
///         sb.set_magic(0x454d5054);
///         Ok(())
///     }
///
///     fn init_root(_sb: &SuperBlock<Self>) -> Result<dentry::Root<Self>> {
///         Err(EINVAL)
///     }
/// }
/// # assert_eq!(EmptyFs::NAME, c"emptyfs");
/// ```
pub trait FileSystem: Sized + Send + Sync + 'static {
    /// The name of the file system type, as used by `mount -t`.
    const NAME: &'static CStr;

    /// File system type flags.
    const FLAGS: Flags = Flags::NONE;

    /// The mount parameters understood by the file system.
    const PARAMS: Option<&'static param::Spec> = None;

    /// Whether mount parameters not in [`FileSystem::PARAMS`] are silently ignored (as ramfs does)
    /// instead of rejected with `EINVAL` ("Unknown parameter"). `source` is always handled.
    const IGNORE_UNKNOWN_PARAMS: bool = false;

    /// Mount options collected while the parameters are parsed, one per mount attempt.
    type Options: Default + Send;

    /// Per-superblock data, kept in `sb->s_fs_info` and dropped when the superblock is killed.
    type Data: ForeignOwnable + Send + Sync;

    /// Per-inode data, given when an inode is created and reachable with
    /// [`INode::data`](super::inode::INode::data).
    ///
    /// Unless it is `()` (or another zero-sized type without drop glue), the inodes of the file
    /// system are allocated from a slab cache of its own, with the data embedded beside each
    /// `struct inode` (`alloc_inode`); the data is dropped when the inode is freed after an RCU
    /// grace period (`free_inode`), and the cache is destroyed after `rcu_barrier()` when the
    /// file system is unregistered.
    type INodeData: Send + Sync;

    /// Handles one mount parameter that matched an entry of [`FileSystem::PARAMS`].
    fn parse_param(_opts: &mut Self::Options, _value: param::Value<'_>) -> Result {
        Err(EINVAL)
    }

    /// Initialises a new superblock (magic, block size, operations, ...) and returns its data.
    fn fill_super(sb: &mut SuperBlock<Self, sb::New>, opts: &Self::Options) -> Result<Self::Data>;

    /// Creates the root directory of a superblock that [`FileSystem::fill_super`] initialised.
    fn init_root(sb: &SuperBlock<Self>) -> Result<dentry::Root<Self>>;
}

/// A registration of a file system type.
///
/// # Invariants
///
/// `fs` is registered with `register_filesystem()` from initialisation until drop; `inode_cache`
/// is the inode cache of `T` (see [`FileSystem::INodeData`]) and outlives the registration.
#[pin_data(PinnedDrop)]
pub struct Registration<T: FileSystem> {
    // Dropped after `fs` is unregistered (in `PinnedDrop`), when no inode of `T` can be left.
    inode_cache: InodeCache,
    #[pin]
    fs: Opaque<bindings::file_system_type>,
    _p: PhantomData<T>,
}

// SAFETY: The VFS locks the registered `file_system_type`; it may be unregistered anywhere.
unsafe impl<T: FileSystem> Send for Registration<T> {}
// SAFETY: `&Registration` exposes nothing.
unsafe impl<T: FileSystem> Sync for Registration<T> {}

impl<T: FileSystem> Registration<T> {
    /// Registers file system type `T`, owned by `module`.
    ///
    /// The registration must live in static storage (e.g. a module's state) because `struct
    /// file_system_type` embeds lockdep class keys.
    pub fn new(module: &'static ThisModule) -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            inode_cache: InodeCache::new::<T>()?,
            fs <- Opaque::try_ffi_init(|fs_ptr: *mut bindings::file_system_type| {
                // SAFETY: `try_ffi_init` guarantees that `fs_ptr` is valid for writes.
                unsafe { fs_ptr.write(pin_init::zeroed()) };
                // SAFETY: `fs_ptr` is valid and was just initialised.
                let fs = unsafe { &mut *fs_ptr };
                fs.owner = module.as_ptr();
                fs.name = T::NAME.as_char_ptr();
                fs.fs_flags = T::FLAGS.bits();
                fs.init_fs_context = Some(Self::init_fs_context_callback);
                fs.parameters = T::PARAMS.map_or(ptr::null(), |p| p.as_raw());
                fs.kill_sb = Some(Self::kill_sb_callback);
                // SAFETY: `fs_ptr` is initialised, pinned and valid until `drop` unregisters it.
                to_result(unsafe { bindings::register_filesystem(fs_ptr) })
            }),
            _p: PhantomData,
        })
    }

    /// Returns the inode cache of the file system type of superblock `sb`.
    ///
    /// # Safety
    ///
    /// `sb` must be a valid superblock of type `T`, whose `s_type` is registered by a
    /// [`Registration<T>`].
    pub(crate) unsafe fn inode_cache(sb: *mut bindings::super_block) -> *mut bindings::kmem_cache {
        // SAFETY: `s_type` is the `fs` field of a live `Registration<T>` (safety requirements).
        unsafe {
            let fs = (*sb).s_type.cast::<Opaque<bindings::file_system_type>>();
            (*crate::container_of!(fs, Self, fs)).inode_cache.as_raw()
        }
    }

    const CONTEXT_OPS: bindings::fs_context_operations = bindings::fs_context_operations {
        free: Some(Self::free_callback),
        parse_param: Some(Self::parse_param_callback),
        get_tree: Some(Self::get_tree_callback),
        ..pin_init::zeroed()
    };

    /// `file_system_type::init_fs_context`.
    ///
    /// # Safety
    ///
    /// Called by the VFS with a valid, new `fs_context` of this file system type.
    unsafe extern "C" fn init_fs_context_callback(fc: *mut bindings::fs_context) -> c_int {
        from_result(|| {
            let opts = KBox::new(T::Options::default(), GFP_KERNEL)?;
            // SAFETY: The VFS passes a valid new `fs_context`, not shared during initialisation.
            unsafe {
                (*fc).fs_private = opts.into_foreign();
                (*fc).ops = &Self::CONTEXT_OPS;
            }
            Ok(0)
        })
    }

    /// `fs_context_operations::free`.
    ///
    /// # Safety
    ///
    /// Called by the VFS with a valid `fs_context` initialised by `init_fs_context_callback`.
    unsafe extern "C" fn free_callback(fc: *mut bindings::fs_context) {
        // SAFETY: `fs_private` is null or from `into_foreign` in `init_fs_context`; freed once.
        unsafe {
            let p = (*fc).fs_private;
            if !p.is_null() {
                drop(KBox::<T::Options>::from_foreign(p));
            }
        }
    }

    /// `fs_context_operations::parse_param`.
    ///
    /// # Safety
    ///
    /// Called by the VFS with a valid `fs_context` of this type and a valid parameter.
    unsafe extern "C" fn parse_param_callback(
        fc: *mut bindings::fs_context,
        param: *mut bindings::fs_parameter,
    ) -> c_int {
        from_result(|| {
            if let Some(spec) = T::PARAMS {
                let mut result = bindings::fs_parse_result::default();
                // SAFETY: `fc`, `param` are valid (VFS contract); `spec` is NULL-terminated.
                let opt = unsafe {
                    bindings::__fs_parse(&raw mut (*fc).log, spec.as_raw(), param, &mut result)
                };
                if opt >= 0 {
                    // SAFETY: `fs_private` is ours; the VFS serialises calls on an `fc`.
                    let opts = unsafe { KBox::<T::Options>::borrow_mut((*fc).fs_private) };
                    // SAFETY: `param` is valid; `__fs_parse` succeeded with `opt`.
                    let value = unsafe { param::Value::new(spec, opt as u8, param, &result) };
                    T::parse_param(opts, value)?;
                    return Ok(0);
                }
                if opt != ENOPARAM.to_errno() {
                    return Err(Error::from_errno(opt));
                }
            }
            // SAFETY: `fc` and `param` are valid (VFS contract).
            let ret = unsafe { bindings::vfs_parse_fs_param_source(fc, param) };
            if ret != ENOPARAM.to_errno() {
                return to_result(ret).map(|()| 0);
            }
            if T::IGNORE_UNKNOWN_PARAMS {
                Ok(0)
            } else {
                Err(ENOPARAM)
            }
        })
    }

    /// `fs_context_operations::get_tree`.
    ///
    /// # Safety
    ///
    /// Called by the VFS with a valid `fs_context` of this type.
    unsafe extern "C" fn get_tree_callback(fc: *mut bindings::fs_context) -> c_int {
        // SAFETY: `fc` is valid (VFS contract); `fill_super_callback` matches the prototype.
        unsafe { bindings::get_tree_nodev(fc, Some(Self::fill_super_callback)) }
    }

    /// The `fill_super` callback of `get_tree_nodev()`.
    ///
    /// # Safety
    ///
    /// Called with a new superblock of this type and the `fs_context` it is created for.
    unsafe extern "C" fn fill_super_callback(
        sb_ptr: *mut bindings::super_block,
        fc: *mut bindings::fs_context,
    ) -> c_int {
        from_result(|| {
            // Inodes of `T` must come from its `alloc_inode`, also when `fill_super` sets no ops.
            // SAFETY: `sb_ptr` is a new superblock nobody else uses until `fill_super` returns.
            unsafe { (*sb_ptr).s_op = sb::Ops::<T>::default_ops() };
            // SAFETY: `sget_fc` gives a new superblock nobody else uses until `fill_super` returns.
            let new_sb = unsafe { SuperBlock::<T, sb::New>::from_raw_mut(sb_ptr) };
            // SAFETY: `fs_private` came from `init_fs_context_callback`.
            let opts = unsafe { KBox::<T::Options>::borrow((*fc).fs_private) };
            let data = T::fill_super(new_sb, opts)?;
            // `fc->s_fs_info` is unused, so `s_fs_info` is ours; `kill_sb` also runs on failure.
            // SAFETY: `sb_ptr` is valid; `kill_sb_callback` releases the data exactly once.
            unsafe { (*sb_ptr).s_fs_info = data.into_foreign() };
            // SAFETY: The superblock is now initialised and has its data.
            let ready_sb = unsafe { SuperBlock::<T>::from_raw(sb_ptr) };
            let root = T::init_root(ready_sb)?;
            // SAFETY: `sb_ptr` is valid; `s_root` takes over the root's reference.
            unsafe { (*sb_ptr).s_root = root.into_raw() };
            Ok(0)
        })
    }

    /// `file_system_type::kill_sb`.
    ///
    /// # Safety
    ///
    /// Called by the VFS with a valid superblock of this type that is being shut down.
    unsafe extern "C" fn kill_sb_callback(sb_ptr: *mut bindings::super_block) {
        // Read the data before the superblock is shut down, drop it after all inodes are gone.
        // SAFETY: `sb_ptr` is a valid superblock being killed (VFS contract).
        let data = unsafe { (*sb_ptr).s_fs_info };
        // SAFETY: `get_tree_nodev` created the superblock with `set_anon_super`.
        unsafe { bindings::kill_anon_super(sb_ptr) };
        if !data.is_null() {
            // SAFETY: `s_fs_info` is from `into_foreign` in `fill_super_callback`; reclaimed once.
            drop(unsafe { T::Data::from_foreign(data) });
        }
    }
}

#[pinned_drop]
impl<T: FileSystem> PinnedDrop for Registration<T> {
    fn drop(self: Pin<&mut Self>) {
        // SAFETY: `fs` is registered (invariant); mounted superblocks pin the module via `owner`.
        unsafe { bindings::unregister_filesystem(self.fs.get()) };
    }
}

/// Declares a kernel module that registers a single file system type.
///
/// # Examples
///
/// ```ignore
/// kernel::module_fs! {
///     type: MyFs,
///     name: "myfs",
///     authors: ["Rust for Linux Contributors"],
///     description: "My file system",
///     license: "GPL",
/// }
/// ```
#[macro_export]
macro_rules! module_fs {
    (type: $type:ty, $($f:tt)*) => {
        #[$crate::prelude::pin_data]
        struct FsModule {
            #[pin]
            _fs: $crate::fs::filesystem::Registration<$type>,
        }

        impl $crate::InPlaceModule for FsModule {
            fn init(
                module: &'static $crate::ThisModule,
            ) -> impl ::pin_init::PinInit<Self, $crate::error::Error> {
                $crate::try_pin_init!(Self {
                    _fs <- $crate::fs::filesystem::Registration::new(module),
                })
            }
        }

        $crate::prelude::module! {
            type: FsModule,
            $($f)*
        }
    };
}
