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
    cell::UnsafeCell,
    marker::{
        PhantomData,
        PhantomPinned, //
    },
    ptr,
    sync::atomic::{
        AtomicBool,
        AtomicUsize,
        Ordering, //
    },
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
    ///
    /// It is dropped after the superblock's inodes and dentries were evicted
    /// (`kill_anon_super()`), so it must not hold inode or dentry references
    /// ([`ARef<INode>`](super::inode::INode), [`ARef<DEntry>`](super::dentry::DEntry)): the VFS
    /// would report busy inodes at unmount.
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

/// The C file system type of `T` (`struct file_system_type`) with the inode cache of `T`, as
/// registered by a [`Registration`] or a [`StaticRegistration`].
///
/// # Invariants
///
/// While `fs` is registered or a superblock of it exists, `inode_cache` is the inode cache of
/// `T` (see [`FileSystem::INodeData`]) and does not change. `live_sbs` counts the superblocks of
/// the type between the start of `fill_super` and the end of `kill_sb`.
#[repr(C)]
pub(crate) struct FsType<T: FileSystem> {
    fs: Opaque<bindings::file_system_type>,
    inode_cache: UnsafeCell<InodeCache>,
    live_sbs: AtomicUsize,
    _p: PhantomData<T>,
}

// `inode_cache` only changes while the type is not registered, in `register`/`unregister`.
// SAFETY: The VFS locks the registered `file_system_type`; see above for `inode_cache`.
unsafe impl<T: FileSystem> Sync for FsType<T> {}
// SAFETY: As above; a file system type may be unregistered from any thread.
unsafe impl<T: FileSystem> Send for FsType<T> {}

impl<T: FileSystem> FsType<T> {
    const fn new() -> Self {
        Self {
            fs: Opaque::zeroed(),
            inode_cache: UnsafeCell::new(InodeCache::none()),
            live_sbs: AtomicUsize::new(0),
            _p: PhantomData,
        }
    }

    /// Creates the inode cache and registers the file system type, owned by `module`.
    ///
    /// # Safety
    ///
    /// `self` must not move until [`FsType::unregister`] is called, must not be registered, and
    /// no other thread may call `register` or `unregister` on it concurrently.
    unsafe fn register(&self, module: *mut bindings::module) -> Result {
        // SAFETY: The type is not registered: nobody else uses `inode_cache` (safety reqs).
        unsafe { *self.inode_cache.get() = InodeCache::new::<T>()? };
        let fs_ptr = self.fs.get();
        // SAFETY: `fs_ptr` is valid and, not being registered, not used by anybody else.
        let fs = unsafe { &mut *fs_ptr };
        *fs = pin_init::zeroed();
        fs.owner = module;
        fs.name = T::NAME.as_char_ptr();
        fs.fs_flags = T::FLAGS.bits();
        fs.init_fs_context = Some(Self::init_fs_context_callback);
        fs.parameters = T::PARAMS.map_or(ptr::null(), |p| p.as_raw());
        fs.kill_sb = Some(Self::kill_sb_callback);
        // SAFETY: `fs_ptr` is initialised and does not move until `unregister` (safety reqs).
        let ret = to_result(unsafe { bindings::register_filesystem(fs_ptr) });
        if ret.is_err() {
            // SAFETY: The type is not registered: nobody else uses `inode_cache`.
            unsafe { *self.inode_cache.get() = InodeCache::none() };
        }
        ret
    }

    /// Unregisters the file system type and destroys its inode cache.
    ///
    /// # Safety
    ///
    /// `self` must be registered by [`FsType::register`], and no other thread may call
    /// `register` or `unregister` on it concurrently.
    unsafe fn unregister(&self) {
        // SAFETY: `fs` is registered (safety requirements).
        unsafe { bindings::unregister_filesystem(self.fs.get()) };
        // No new superblock can appear now. Superblocks of a module's type pin the module, so
        // there are none when it unregisters; built-in code may unregister while one is still
        // being shut down (e.g. after `kern_unmount()` from a kernel thread): wait for it.
        let mut warned = false;
        while self.live_sbs.load(Ordering::Acquire) != 0 {
            if !warned {
                let name = T::NAME.to_str().unwrap_or("?");
                crate::pr_warn!("{name}: waiting for superblocks to go away\n");
                warned = true;
            }
            // SAFETY: `msleep` may be called in process context, where unregistering happens.
            unsafe { bindings::msleep(10) };
        }
        // No inode of `T` is left; `InodeCache::drop` waits for the inodes still being freed
        // after RCU grace periods before destroying the cache.
        // SAFETY: The type is not registered and has no superblocks: nobody uses `inode_cache`.
        unsafe { *self.inode_cache.get() = InodeCache::none() };
    }

    /// Returns the [`FsType`] of superblock `sb`.
    ///
    /// # Safety
    ///
    /// `sb` must be a valid superblock of type `T`, whose `s_type` is a registered [`FsType<T>`],
    /// valid for `'a`.
    unsafe fn of_sb<'a>(sb: *mut bindings::super_block) -> &'a Self {
        // SAFETY: `s_type` is the `fs` field of a `FsType<T>` (safety requirements).
        unsafe {
            let fs = (*sb).s_type.cast::<Opaque<bindings::file_system_type>>();
            &*crate::container_of!(fs, Self, fs)
        }
    }

    /// Returns the inode cache of the file system type of superblock `sb`.
    ///
    /// # Safety
    ///
    /// `sb` must be a valid superblock of type `T`, whose `s_type` is a registered [`FsType<T>`].
    pub(crate) unsafe fn inode_cache(sb: *mut bindings::super_block) -> *mut bindings::kmem_cache {
        // `inode_cache` does not change while the superblock exists (type invariant).
        // SAFETY: `sb` is a superblock of a registered `FsType<T>` (safety requirements).
        unsafe { (*Self::of_sb(sb).inode_cache.get()).as_raw() }
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
        // `kill_sb` runs for every superblock that `fill_super` was called for, also on failure.
        // SAFETY: `sb_ptr` is a new superblock of this registered type.
        unsafe { Self::of_sb(sb_ptr) }
            .live_sbs
            .fetch_add(1, Ordering::AcqRel);
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
        // Last: the type may be unregistered as soon as this reaches zero.
        // The type is still registered or waiting in `unregister` for this count.
        // SAFETY: `sb_ptr` is a superblock of this type, in static storage (`Registration::new`).
        unsafe { Self::of_sb(sb_ptr) }
            .live_sbs
            .fetch_sub(1, Ordering::AcqRel);
    }
}

/// A registration of a file system type, for modules (usually through
/// [`module_fs!`](crate::module_fs)).
///
/// It must live in static storage (e.g. a module's state): `struct file_system_type` embeds
/// lockdep class keys, and the VFS still uses it right after the last superblock is shut down.
///
/// # Invariants
///
/// `ty` is registered from initialisation until drop.
#[pin_data(PinnedDrop)]
pub struct Registration<T: FileSystem> {
    #[pin]
    ty: FsType<T>,
    // `FsType` holds the C `file_system_type`, which must not move.
    #[pin]
    _pin: PhantomPinned,
}

impl<T: FileSystem> Registration<T> {
    /// Registers file system type `T`, owned by `module`.
    ///
    /// # Safety
    ///
    /// The registration must be initialised in static storage, such as the state of `module`,
    /// and only be dropped when `module` is unloaded.
    pub unsafe fn new(module: &'static ThisModule) -> impl PinInit<Self, Error> {
        let init = move |slot: *mut Self| {
            // SAFETY: `slot` is valid for writes and pinned (`pin_init_from_closure` contract).
            unsafe {
                let ty = &raw mut (*slot).ty;
                ty.write(FsType::new());
                // `ty` is pinned, new and only ours.
                (*ty).register(module.as_ptr())
            }
        };
        // On failure nothing needs to be dropped and `slot` may be reused.
        // SAFETY: On success the closure initialised all of `*slot` (`_pin` is zero-sized).
        unsafe { pin_init::pin_init_from_closure(init) }
    }
}

#[pinned_drop]
impl<T: FileSystem> PinnedDrop for Registration<T> {
    fn drop(self: Pin<&mut Self>) {
        // SAFETY: `ty` is registered (type invariant) and this is the only `unregister`.
        unsafe { self.ty.unregister() };
    }
}

/// A file system type in a `static` that built-in code registers and unregisters at run time,
/// such as a test. Modules use [`Registration`].
///
/// # Examples
///
/// ```
/// use core::sync::atomic::{AtomicUsize, Ordering};
/// use kernel::fs::{
///     dentry::{self, Child, Negative, RenameEntry},
///     filesystem::{FileSystem, StaticRegistration},
///     idmap::MntIdmap,
///     inode::{self, INode, Ino, Mode, RenameFlags, Type},
///     kern_mount::KernMount,
///     lock::{Exclusive, Locked},
///     sb::{self, SuperBlock},
/// };
/// use kernel::prelude::*;
///
/// /// Inodes alive: the per-inode data counts itself.
/// static LIVE: AtomicUsize = AtomicUsize::new(0);
///
/// struct Tag(u64);
///
/// impl Tag {
///     fn new(n: u64) -> Self {
///         LIVE.fetch_add(1, Ordering::Relaxed);
///         Self(n)
///     }
/// }
///
/// impl Drop for Tag {
///     fn drop(&mut self) {
///         LIVE.fetch_sub(1, Ordering::Relaxed);
///     }
/// }
///
/// /// A flat file system of empty files, whose inodes carry a tag, removed and renamed in Rust.
/// struct TagFs;
///
/// impl FileSystem for TagFs {
///     const NAME: &'static CStr = c"rust_tagfs_doctest";
///     type Options = ();
///     type Data = ();
///     type INodeData = Tag;
///
///     fn fill_super(sb: &mut SuperBlock<Self, sb::New>, _: &()) -> Result {
///         sb.set_magic(0x54414753).set_dentries_dontcache();
///         Ok(())
///     }
///
///     fn init_root(sb: &SuperBlock<Self>) -> Result<dentry::Root<Self>> {
///         let mode = Mode::new(Type::Dir, 0o755);
///         dentry::Root::new(new_inode(sb, None, mode, 0)?.set_iops(&DIR_IOPS).inc_nlink())
///     }
/// }
///
/// fn new_inode(
///     sb: &SuperBlock<TagFs>,
///     dir: Option<&INode<TagFs>>,
///     mode: Mode,
///     tag: u64,
/// ) -> Result<inode::New<TagFs>> {
///     Ok(sb
///         .new_inode(Tag::new(tag))?
///         .set_ino(Ino::next())
///         .init_owner(MntIdmap::nop(), dir, mode)
///         .init_times_now())
/// }
///
/// struct DirOps;
///
/// #[vtable]
/// impl inode::Operations for DirOps {
///     type FileSystem = TagFs;
///     const LIBFS: inode::Libfs = inode::Libfs::LOOKUP;
///
///     fn create(
///         _: &MntIdmap,
///         dir: &Locked<'_, INode<TagFs>, Exclusive>,
///         dentry: Negative<'_, TagFs>,
///         mode: Mode,
///         _excl: bool,
///     ) -> Result {
///         let tag = dentry.name().len() as u64;
///         dentry.make_persistent(new_inode(dir.super_block(), Some(dir), mode, tag)?)?;
///         dir.touch_mtime_ctime();
///         Ok(())
///     }
///
///     fn unlink(dir: &Locked<'_, INode<TagFs>, Exclusive>, child: Child<'_, TagFs>) -> Result {
///         let inode = child.inode();
///         // Only files with an odd tag may be removed.
///         if inode.data().0 % 2 == 0 {
///             return Err(EPERM);
///         }
///         inode.touch_ctime();
///         dir.touch_mtime_ctime();
///         inode.drop_nlink();
///         child.make_discardable();
///         Ok(())
///     }
///
///     fn rename(
///         _: &MntIdmap,
///         old_dir: &Locked<'_, INode<TagFs>, Exclusive>,
///         _old: RenameEntry<'_, TagFs>,
///         _new_dir: &Locked<'_, INode<TagFs>, Exclusive>,
///         new: RenameEntry<'_, TagFs>,
///         flags: RenameFlags,
///     ) -> Result {
///         // Plain renames to new names only; the VFS moves the dentry.
///         if flags.bits() != 0 {
///             return Err(EINVAL);
///         }
///         if new.inode().is_some() {
///             return Err(EEXIST);
///         }
///         old_dir.touch_mtime_ctime();
///         Ok(())
///     }
/// }
///
/// static DIR_IOPS: inode::Ops<TagFs> = inode::Ops::new::<DirOps>();
/// static TAGFS: StaticRegistration<TagFs> = StaticRegistration::new();
///
/// let live = LIVE.load(Ordering::Relaxed);
/// let registered = TAGFS.register()?;
/// assert_eq!(TAGFS.register().err(), Some(EBUSY));
/// {
///     let m = KernMount::new(c"rust_tagfs_doctest")?;
///     m.create(c"", c"odd", 0o644)?;
///     m.create(c"", c"even", 0o644)?;
///     assert_eq!(LIVE.load(Ordering::Relaxed), live + 3);
///     assert_eq!(m.unlink(c"", c"even"), Err(EPERM));
///     m.unlink(c"", c"odd")?;
///     assert_eq!(m.stat(c"odd").err(), Some(ENOENT));
///     assert_eq!(m.stat(c"even")?.nlink, 1);
///     m.rename(c"", c"even", c"", c"even2", 0)?;
///     m.create(c"", c"odd", 0o644)?;
///     assert_eq!(m.rename(c"", c"odd", c"", c"even2", 0), Err(EEXIST));
///     assert_eq!(m.rename(c"", c"odd", c"", c"x", RenameFlags::WHITEOUT.bits()), Err(EINVAL));
///     assert_eq!(m.stat(c"even").err(), Some(ENOENT));
///     assert_eq!(m.stat(c"even2")?.nlink, 1);
/// }
/// // Unregistering waits for the inodes freed after RCU grace periods: all data is dropped.
/// drop(registered);
/// assert_eq!(LIVE.load(Ordering::Relaxed), live);
/// # Ok::<(), Error>(())
/// ```
pub struct StaticRegistration<T: FileSystem> {
    ty: FsType<T>,
    registered: AtomicBool,
}

impl<T: FileSystem> StaticRegistration<T> {
    /// Creates an unregistered file system type, to be put in a `static`.
    pub const fn new() -> Self {
        Self {
            ty: FsType::new(),
            registered: AtomicBool::new(false),
        }
    }

    /// Registers the file system type, as part of the kernel (without an owning module), until
    /// the returned guard is dropped. Fails with `EBUSY` if it is registered already.
    pub fn register(&'static self) -> Result<Registered<T>> {
        if self
            .registered
            .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            return Err(EBUSY);
        }
        // SAFETY: `self` is static; `registered` makes us the only one to register it.
        if let Err(e) = unsafe { self.ty.register(ptr::null_mut()) } {
            self.registered.store(false, Ordering::Release);
            return Err(e);
        }
        // INVARIANT: `ty` is registered.
        Ok(Registered(self))
    }
}

impl<T: FileSystem> Default for StaticRegistration<T> {
    fn default() -> Self {
        Self::new()
    }
}

/// A registration by [`StaticRegistration::register`], undone on drop.
///
/// # Invariants
///
/// The file system type of `.0` is registered, by this guard.
pub struct Registered<T: FileSystem + 'static>(&'static StaticRegistration<T>);

impl<T: FileSystem> Drop for Registered<T> {
    fn drop(&mut self) {
        // SAFETY: Registered by `register` (type invariant); only this guard unregisters it.
        unsafe { self.0.ty.unregister() };
        self.0.registered.store(false, Ordering::Release);
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
                    // SAFETY: The module's state is static and dropped when it is unloaded.
                    _fs <- unsafe { $crate::fs::filesystem::Registration::new(module) },
                })
            }
        }

        $crate::prelude::module! {
            type: FsModule,
            $($f)*
        }
    };
}
