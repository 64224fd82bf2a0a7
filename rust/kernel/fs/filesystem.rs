// SPDX-License-Identifier: GPL-2.0

//! File system types and their registration.
//!
//! A file system implements [`FileSystem`] and registers its [`FileSystemType`], a `static`, with
//! a [`Registration`] (usually through [`module_fs!`](crate::module_fs)). Mounting goes through
//! the `fs_context` API: [`FileSystem::Options`] collects the parsed mount parameters
//! ([`FileSystem::PARAMS`], [`FileSystem::parse_param`]), then [`FileSystem::fill_super`] sets up
//! a new superblock and [`FileSystem::init_root`] creates its root.
//!
//! C headers: [`include/linux/fs.h`](srctree/include/linux/fs.h),
//! [`include/linux/fs_context.h`](srctree/include/linux/fs_context.h)

use super::{
    context::Context,
    dentry,
    inode::InodeCache,
    param,
    sb,
    sb::SuperBlock,
    xattr, //
};
use crate::{
    alloc::KBox,
    bindings,
    error::{
        code::*,
        from_result,
        to_result,
        Result,
        VTABLE_DEFAULT_ERROR, //
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
    ffi::c_void,
    marker::PhantomData,
    ptr,
    sync::atomic::{
        AtomicU8,
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
    /// Mounts may be idmapped (`FS_ALLOW_IDMAP`, `mount_setattr(MOUNT_ATTR_IDMAP)`): the file
    /// system must then honour the [`MntIdmap`](super::idmap::MntIdmap) its inode operations
    /// get wherever it sets or reports owners, e.g. in
    /// [`New::init_owner`](super::inode::New::init_owner); the libfs helpers do.
    pub const ALLOW_IDMAP: Self = Self(bindings::FS_ALLOW_IDMAP as i32);

    /// Returns the union of both sets of flags.
    pub const fn union(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }

    /// Returns the raw value.
    pub const fn bits(self) -> i32 {
        self.0
    }
}

/// How the superblocks of a file system type are found or created (`get_tree`), and the
/// matching way to kill them (`kill_sb`).
///
/// All of these create anonymous superblocks (`set_anon_super_fc()`, killed by
/// `kill_anon_super()`); file systems on block devices (`get_tree_bdev()`, `kill_block_super()`)
/// will be another variant.
///
/// # Examples
///
/// Mounts of a [`Super::Single`] type share one superblock; mounts of a [`Super::Keyed`] type
/// share one per key, here the `Arc` the data of the mount is a clone of:
///
/// ```
/// use kernel::fs::{
///     context::Context,
///     dentry,
///     filesystem::{FileSystem, FileSystemType, Registration, Super},
///     idmap::MntIdmap,
///     inode::{Ino, Mode, Type},
///     kern_mount::KernMount,
///     param::{Entry, Param, Spec, Table},
///     sb::{self, SuperBlock},
/// };
/// use kernel::{prelude::*, sync::{Arc, SetOnce}, ThisModule};
///
/// static KEYS: [SetOnce<Arc<u32>>; 2] = [SetOnce::new(), SetOnce::new()];
/// static PARAMS: Table<1> = Table::new([Entry::flag(c"other", 0)]);
///
/// /// Mounts with `other` use the second key.
/// struct ShareFs<const KEYED: bool>;
///
/// #[vtable]
/// impl<const KEYED: bool> FileSystem for ShareFs<KEYED> {
///     const NAME: &'static CStr = if KEYED {
///         c"rust_keyedfs_doctest"
///     } else {
///         c"rust_singlefs_doctest"
///     };
///     const SUPER: Super = if KEYED { Super::Keyed } else { Super::Single };
///     const PARAMS: Option<Spec> = Some(PARAMS.spec());
///     type Options = usize;
///     type Dentries = dentry::Persistent;
///     type Data = Arc<u32>;
///     type InodeData = ();
///
///     fn parse_param(_fc: &Context, key: &mut usize, _param: Param<'_>) -> Result {
///         *key = 1;
///         Ok(())
///     }
///
///     fn init_data(_fc: &Context, key: &usize) -> Result<Arc<u32>> {
///         KEYS[*key].as_ref().cloned().ok_or(EINVAL)
///     }
///
///     fn fill_super(sb: &SuperBlock<Self, sb::New>, _fc: &Context) -> Result {
///         sb.set_magic(0x53484152);
///         Ok(())
///     }
///
///     fn init_root(sb: &SuperBlock<Self>) -> Result<dentry::Root<Self>> {
///         let mode = Mode::new(Type::Dir, 0o755);
///         let inode = sb.new_inode(())?.set_ino(Ino::next());
///         dentry::Root::new(inode.init_owner(MntIdmap::nop(), None, mode).inc_nlink())
///     }
/// }
///
/// # // SAFETY: Doctests are built into the kernel, whose `THIS_MODULE` is null.
/// # static THIS_MODULE: ThisModule = unsafe { ThisModule::from_ptr(core::ptr::null_mut()) };
/// static SINGLE: FileSystemType<ShareFs<false>> = FileSystemType::new();
/// static KEYED: FileSystemType<ShareFs<true>> = FileSystemType::new();
/// KEYS[0].populate(Arc::new(0, GFP_KERNEL)?);
/// KEYS[1].populate(Arc::new(1, GFP_KERNEL)?);
/// let _single = Registration::new(&SINGLE, &THIS_MODULE)?;
/// let _keyed = Registration::new(&KEYED, &THIS_MODULE)?;
/// let root_ino = |m: &KernMount| m.stat(c"").map(|st| st.ino);
///
/// let (a, b) = (KernMount::new(ShareFs::<false>::NAME)?, KernMount::new(ShareFs::<false>::NAME)?);
/// let c = KernMount::with_options(ShareFs::<false>::NAME, c"other")?;
/// assert_eq!(root_ino(&a)?, root_ino(&b)?);
/// assert_eq!(root_ino(&a)?, root_ino(&c)?);
///
/// let (a, b) = (KernMount::new(ShareFs::<true>::NAME)?, KernMount::new(ShareFs::<true>::NAME)?);
/// let c = KernMount::with_options(ShareFs::<true>::NAME, c"other")?;
/// assert_eq!(root_ino(&a)?, root_ino(&b)?);
/// assert_ne!(root_ino(&a)?, root_ino(&c)?);
/// # Ok::<(), Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Super {
    /// A new superblock for every mount (`get_tree_nodev()`), as ramfs and tmpfs do.
    Nodev,
    /// One superblock shared by all mounts (`get_tree_single()`), as debugfs and securityfs do;
    /// later mounts share the first one's tree and ignore their own parameters.
    Single,
    /// One superblock per key (`get_tree_keyed()`): mounts whose [`FileSystem::Data`] is the
    /// same object (the same pointer from `into_foreign()`, e.g. clones of one `Arc`) share a
    /// superblock, as mounts of one mqueue namespace do.
    Keyed,
}

/// A file system type.
///
/// Mounting goes through the `fs_context` API ([`Context`]): the VFS creates a context with
/// default [`FileSystem::Options`], calls [`FileSystem::parse_param`] for each mount parameter,
/// then creates the superblock as [`FileSystem::SUPER`] says. A new superblock gets the data
/// [`FileSystem::init_data`] makes from the context, is set up by [`FileSystem::fill_super`] and
/// gets its root from [`FileSystem::init_root`]. A remount parses its parameters into a new
/// context the same way and applies them with [`FileSystem::reconfigure`].
///
/// # Examples
///
/// ```
/// use kernel::fs::{context::Context, dentry, filesystem::FileSystem, sb, sb::SuperBlock};
/// use kernel::prelude::*;
///
/// struct EmptyFs;
///
/// #[vtable]
/// impl FileSystem for EmptyFs {
///     const NAME: &'static CStr = c"emptyfs";
///     const READ_ONLY: bool = true;
///     type Options = ();
///     type Dentries = dentry::Cached;
///     type Data = ();
///     type InodeData = ();
///
///     fn init_data(_fc: &Context, _opts: &()) -> Result {
///         Ok(())
///     }
///
///     fn fill_super(sb: &SuperBlock<Self, sb::New>, _fc: &Context) -> Result {
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
#[vtable]
pub trait FileSystem: Sized + Send + Sync + 'static {
    /// The name of the file system type, as used by `mount -t`.
    const NAME: &'static CStr;

    /// File system type flags.
    const FLAGS: Flags = Flags::NONE;

    /// How superblocks are found or created.
    const SUPER: Super = Super::Nodev;

    /// Whether the file system is read-only: its superblocks are created read-only
    /// (`SB_RDONLY` in the context's flags) and stay read-only under every remount, whether or
    /// not the file system implements [`FileSystem::reconfigure`], as romfs and squashfs do.
    const READ_ONLY: bool = false;

    /// The mount parameters understood by the file system.
    const PARAMS: Option<param::Spec> = None;

    /// Whether mount parameters not in [`FileSystem::PARAMS`] are silently ignored (as ramfs does)
    /// instead of rejected with `EINVAL` ("Unknown parameter"). `source` is always handled.
    const IGNORE_UNKNOWN_PARAMS: bool = false;

    /// Mount parameters whose values, in `mount(2)` data, go on past a comma followed by a
    /// digit, as all values do in tmpfs's (`shmem_next_opt()`, for lists of numbers such as
    /// `mpol=bind:0,2`): with `size` here, `size=1,5` is one parameter whose value `1,5` is
    /// malformed, as on tmpfs, not `size=1` and a parameter `5`. Other parameters end at
    /// every comma (`generic_parse_monolithic()`); `fsconfig(2)` passes values whole anyway.
    const NUMBER_LIST_PARAMS: &'static [&'static CStr] = &[];

    /// Mount options collected while the parameters are parsed, one per context (mount or
    /// remount attempt).
    type Options: Default + Send;

    /// How the file system keeps its dentries: [`dentry::Persistent`] if its tree is the dcache
    /// (as ramfs), [`dentry::Cached`] if it finds names itself (`lookup`).
    type Dentries: dentry::Kind;

    /// Per-superblock data, created on the context by [`FileSystem::init_data`] before the
    /// superblock exists, then kept in `sb->s_fs_info` and dropped when the superblock is
    /// killed (or with the context, if no new superblock took it).
    ///
    /// It is dropped after the superblock's inodes and dentries were evicted
    /// (`kill_anon_super()`); it cannot hold references to them, which only live as long as the
    /// callback they were made in (see [`inode::Ref`](super::inode::Ref)).
    type Data: ForeignOwnable + Send + Sync;

    /// Per-inode data, given when an inode is created and reachable with
    /// [`Inode::data`](super::inode::Inode::data).
    ///
    /// Unless it is `()` (or another zero-sized type without drop glue), the inodes of the file
    /// system are allocated from a slab cache of its own, with the data embedded beside each
    /// `struct inode` (`alloc_inode`). The data is dropped when the inode is evicted, in process
    /// context (`destroy_inode`), and the memory is freed after an RCU grace period
    /// (`free_inode`). The cache is destroyed after `rcu_barrier()` when the type is
    /// unregistered.
    ///
    /// The data is dropped before the RCU grace period because no Rust callback runs in RCU-walk
    /// mode, where an evicted inode may still be seen; what path walks read in that mode, such
    /// as the target of a symlink kept in memory
    /// ([`New::set_cached_link`](super::inode::New::set_cached_link)), is freed with the inode,
    /// after the grace period.
    type InodeData: Send + Sync;

    /// Handles one mount parameter that matched an entry of [`FileSystem::PARAMS`], with `opts`
    /// the options of this context. A malformed value should be reported with
    /// [`Context::invalf`].
    fn parse_param(_fc: &Context, _opts: &mut Self::Options, _param: param::Param<'_>) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Creates the data of a new superblock from the parsed options of the context.
    fn init_data(fc: &Context, opts: &Self::Options) -> Result<Self::Data>;

    /// Initialises a new superblock (magic, block size, operations, ...).
    fn fill_super(sb: &SuperBlock<Self, sb::New>, fc: &Context) -> Result;

    /// Creates the root directory of a superblock that [`FileSystem::fill_super`] initialised.
    fn init_root(sb: &SuperBlock<Self>) -> Result<dentry::Root<Self>>;

    /// Applies the options of a remount to a mounted superblock (`reconfigure`); the superblock
    /// is locked exclusively (`s_umount`), and the VFS applies the `ro`/`rw` change of the
    /// context afterwards.
    ///
    /// Without it, a remount that gives any parameter of [`FileSystem::PARAMS`] fails with
    /// `EINVAL` ("... cannot change mount options on remount"); one without succeeds (e.g.
    /// `ro` or `rw`). Either way, a [`FileSystem::READ_ONLY`] file system stays read-only.
    fn reconfigure(_sb: &SuperBlock<Self>, _fc: &Context, _opts: &Self::Options) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Runs when a mounted superblock is being killed, before its dentries are shrunk and its
    /// inodes are evicted (before `generic_shutdown_super()`): the place to stop and flush work
    /// of the file system, such as work items that create or look up inodes.
    fn shutdown(_sb: &SuperBlock<Self>) {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
}

/// The context of `T` while it is parsed (`fc->fs_private`): the options, and whether any
/// parameter of the file system's table was given.
struct Private<T: FileSystem> {
    opts: T::Options,
    has_params: bool,
}

/// The file system type of `T` (`struct file_system_type`) with the inode cache of `T`, in a
/// `static`; a [`Registration`] registers it (usually made by [`module_fs!`](crate::module_fs)).
///
/// The VFS keeps using a `file_system_type` after its last superblock is killed (`put_super()`
/// unlinks the superblock from `fs_supers` when its last passive reference goes, e.g. after a
/// concurrent `sync`), and it embeds lockdep class keys: hence static storage. A type may be
/// registered again after its [`Registration`] is dropped; the C structure is set up once and
/// never reset, so a late `put_super()` of an earlier registration stays valid.
///
/// # Invariants
///
/// - `state` is `UNREGISTERED` while the C type is not on the list of file system types and
///   no context or superblock of it is in use; `REGISTERED` while contexts of it may be
///   created; `BUSY` while one thread registers or unregisters it.
/// - `users` counts the `fs_context`s and superblocks of the type that are alive; it is zero in
///   the `UNREGISTERED` state.
/// - While `users` is not zero or the state is `REGISTERED`, `inode_cache` is the inode cache
///   of `T` (see [`FileSystem::InodeData`]) and does not change.
/// - `fs` is either all zeroes (never registered) or set up for `T` and owned by `fs.owner`.
#[repr(C)]
pub struct FileSystemType<T: FileSystem> {
    fs: Opaque<bindings::file_system_type>,
    inode_cache: UnsafeCell<InodeCache>,
    xattr_cache: xattr::Cache,
    state: AtomicU8,
    users: AtomicUsize,
    _p: PhantomData<T>,
}

/// [`FileSystemType::state`]: not registered.
const UNREGISTERED: u8 = 0;
/// [`FileSystemType::state`]: being registered or unregistered by one thread.
const BUSY: u8 = 1;
/// [`FileSystemType::state`]: registered; new contexts may be created.
const REGISTERED: u8 = 2;

// SAFETY: The VFS serialises its uses of the registered `file_system_type` with its own locks
// (`file_systems_lock`, `sb_lock`); `inode_cache` only changes in the `BUSY` state while the
// type has no users, and is only read otherwise (type invariants).
unsafe impl<T: FileSystem> Sync for FileSystemType<T> {}
// SAFETY: As above; a file system type may be unregistered from any thread.
unsafe impl<T: FileSystem> Send for FileSystemType<T> {}

impl<T: FileSystem> Default for FileSystemType<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: FileSystem> FileSystemType<T> {
    /// Creates the type, unregistered, to be put in a `static`.
    pub const fn new() -> Self {
        Self {
            fs: Opaque::zeroed(),
            inode_cache: UnsafeCell::new(InodeCache::none()),
            xattr_cache: Opaque::zeroed(),
            state: AtomicU8::new(UNREGISTERED),
            users: AtomicUsize::new(0),
            _p: PhantomData,
        }
    }

    /// Creates the inode cache and registers the type, owned by `module`.
    ///
    /// Fails with `EBUSY` if the type is registered or being registered or unregistered, and
    /// with `EINVAL` if it was registered before by another module.
    fn register(&'static self, module: *mut bindings::module) -> Result {
        self.state
            .compare_exchange(UNREGISTERED, BUSY, Ordering::Acquire, Ordering::Relaxed)
            .map_err(|_| EBUSY)?;
        let fs = self.fs.get();
        // SAFETY: `fs` is valid; `name` is only written below, by the first registration, when
        // nobody else knows the type.
        let first = unsafe { (*fs).name.is_null() };
        // SAFETY: Once set up, `owner` never changes, so this read does not race.
        if !first && unsafe { (*fs).owner } != module {
            self.state.store(UNREGISTERED, Ordering::Release);
            return Err(EINVAL);
        }
        let cache = match InodeCache::new::<T>() {
            Ok(cache) => cache,
            Err(e) => {
                self.state.store(UNREGISTERED, Ordering::Release);
                return Err(e);
            }
        };
        // SAFETY: In the `BUSY` state with no users (an `UNREGISTERED` type has none), nobody
        // else uses `inode_cache`.
        unsafe { *self.inode_cache.get() = cache };
        if first {
            // SAFETY: `fs` is valid for writes and was never registered, so nobody else uses
            // it; the fields are written through the raw pointer, never through a reference.
            unsafe {
                (*fs).owner = module;
                (*fs).fs_flags = T::FLAGS.bits();
                (*fs).init_fs_context = Some(Self::init_fs_context_callback);
                (*fs).parameters = T::PARAMS.map_or(ptr::null(), |p| p.as_raw());
                (*fs).kill_sb = Some(Self::kill_sb_callback);
                (*fs).name = T::NAME.as_char_ptr();
            }
        }
        // Contexts may be created as soon as the type is on the list.
        self.state.store(REGISTERED, Ordering::SeqCst);
        // SAFETY:
        // - `fs` is set up and static; its name and parameter table are `'static`.
        // - It is not on the list: it was unregistered, or never registered.
        if let Err(e) = to_result(unsafe { bindings::register_filesystem(fs) }) {
            self.retire();
            return Err(e);
        }
        Ok(())
    }

    /// Unregisters the type, then waits until none of its contexts and superblocks is left
    /// and destroys its inode cache.
    ///
    /// # Safety
    ///
    /// The type must have been registered by `register`, and this must be the only call of
    /// `unregister` for that registration.
    unsafe fn unregister(&self) {
        crate::task::might_sleep();
        // SAFETY: `fs` is on the list (safety requirements).
        unsafe { bindings::unregister_filesystem(self.fs.get()) };
        self.retire();
    }

    /// Refuses new contexts, waits until the last context and superblock of the type are gone,
    /// destroys the inode cache and leaves the type unregistered.
    fn retire(&self) {
        // A context created from here on sees `BUSY` and backs off (`get_user`).
        self.state.store(BUSY, Ordering::SeqCst);
        self.wait_unused();
        // SAFETY:
        // - No context or superblock of the type is left and none can be made (`BUSY`), so
        //   nobody uses `inode_cache` and this write does not race.
        // - No inode of `T` is left; `InodeCache::drop` waits for the inodes still being freed
        //   after RCU grace periods before destroying the cache.
        unsafe { *self.inode_cache.get() = InodeCache::none() };
        // SAFETY: `rcu_barrier` may sleep, as `retire` may. It waits for the inodes still being
        // freed after RCU grace periods, which free the attributes their file system left.
        unsafe { bindings::rcu_barrier() };
        // SAFETY: No inode of `T` is left, so neither are their extended attributes (freed on
        // eviction or with the inode, `SimpleXattrs`), and nobody uses the table.
        unsafe { xattr::cache_cleanup(&self.xattr_cache) };
        self.state.store(UNREGISTERED, Ordering::Release);
    }

    /// Sleeps until `users` is zero, like `wait_var_event(&users, !users)`.
    fn wait_unused(&self) {
        let var = self.users.as_ptr().cast::<c_void>();
        let mut entry: bindings::wait_bit_queue_entry = pin_init::zeroed();
        // SAFETY: `entry` is valid for writes; `var` is the address `put_user` wakes up.
        unsafe { bindings::init_wait_var_entry(&mut entry, var, 0) };
        // SAFETY: Any address has a wait queue, which lives for good.
        let wq = unsafe { bindings::__var_waitqueue(var) };
        loop {
            // SAFETY: `wq` is valid; `entry` was initialised for this task above and does not
            // move until `finish_wait` takes it off the queue.
            unsafe {
                bindings::prepare_to_wait_event(
                    wq,
                    &mut entry.wq_entry,
                    bindings::TASK_UNINTERRUPTIBLE as c_int,
                )
            };
            // Pairs with the full barrier of the `fetch_sub` in `put_user`.
            if self.users.load(Ordering::SeqCst) == 0 {
                break;
            }
            // SAFETY: The task is queued on `wq` in a sleeping state; `put_user` wakes it.
            unsafe { bindings::schedule() };
        }
        // SAFETY: `entry` is the entry queued on `wq` above.
        unsafe { bindings::finish_wait(wq, &mut entry.wq_entry) };
    }

    /// Counts a new context of the type; fails with `ENODEV` once the type is being
    /// unregistered (or was, for a context created from a lookup that raced with it).
    fn get_user(&self) -> Result {
        self.users.fetch_add(1, Ordering::SeqCst);
        // Either `retire` sees the user above and waits for it, or this sees its `BUSY`.
        if self.state.load(Ordering::SeqCst) != REGISTERED {
            self.put_user();
            return Err(ENODEV);
        }
        Ok(())
    }

    /// Counts a new superblock of the type, made for a context counted by `get_user`.
    fn get_sb_user(&self) {
        self.users.fetch_add(1, Ordering::Relaxed);
    }

    /// Ends one use counted by `get_user` or `get_sb_user`.
    fn put_user(&self) {
        if self.users.fetch_sub(1, Ordering::SeqCst) == 1 {
            // SAFETY: Any address may be woken up; `wait_unused` waits on this one.
            unsafe { bindings::wake_up_var(self.users.as_ptr().cast()) };
        }
    }

    /// Returns the [`FileSystemType`] of context `fc`.
    ///
    /// # Safety
    ///
    /// `fc` must be a valid context of type `T`, whose `fs_type` is a [`FileSystemType<T>`].
    unsafe fn of_fc<'a>(fc: *mut bindings::fs_context) -> &'a Self {
        // SAFETY: `fs_type` is the `fs` field of a static `FileSystemType<T>` (safety
        // requirements); `fs` is the first field of the `repr(C)` struct.
        unsafe {
            let fs = (*fc).fs_type.cast::<Opaque<bindings::file_system_type>>();
            &*crate::container_of!(fs, Self, fs)
        }
    }

    /// Returns the [`FileSystemType`] of superblock `sb`.
    ///
    /// # Safety
    ///
    /// `sb` must be a valid superblock of type `T`, whose `s_type` is a [`FileSystemType<T>`],
    /// valid for `'a`.
    unsafe fn of_sb<'a>(sb: *mut bindings::super_block) -> &'a Self {
        // SAFETY: `s_type` is the `fs` field of a `FileSystemType<T>` valid for `'a` (safety
        // requirements); `fs` is the first field of the `repr(C)` struct.
        unsafe {
            let fs = (*sb).s_type.cast::<Opaque<bindings::file_system_type>>();
            &*crate::container_of!(fs, Self, fs)
        }
    }

    /// Returns the table of extended attributes ([`SimpleXattrs`](xattr::SimpleXattrs)) of the
    /// file system type of superblock `sb`, which lives until the type is unregistered, after
    /// the last inode of `T` is gone.
    ///
    /// # Safety
    ///
    /// `sb` must be a valid superblock of type `T`, whose `s_type` is a [`FileSystemType<T>`].
    pub(crate) unsafe fn xattr_cache(
        sb: *mut bindings::super_block,
    ) -> *mut bindings::simple_xattr_cache {
        // SAFETY: `sb` is a superblock of `FileSystemType<T>` (safety requirements).
        unsafe { Self::of_sb(sb).xattr_cache.get() }
    }

    /// Returns the inode cache of the file system type of superblock `sb`.
    ///
    /// # Safety
    ///
    /// `sb` must be a valid superblock of type `T`, whose `s_type` is a [`FileSystemType<T>`].
    pub(crate) unsafe fn inode_cache(sb: *mut bindings::super_block) -> *mut bindings::kmem_cache {
        // SAFETY:
        // - `sb` is a superblock of `FileSystemType<T>`, which counts it as a user (safety
        //   requirements).
        // - `inode_cache` does not change while the superblock exists (type invariant).
        unsafe { (*Self::of_sb(sb).inode_cache.get()).as_raw() }
    }

    const CONTEXT_OPS: bindings::fs_context_operations = bindings::fs_context_operations {
        free: Some(Self::free_callback),
        parse_param: Some(Self::parse_param_callback),
        parse_monolithic: if T::NUMBER_LIST_PARAMS.is_empty() {
            None
        } else {
            Some(Self::parse_monolithic_callback)
        },
        get_tree: Some(Self::get_tree_callback),
        reconfigure: Some(Self::reconfigure_callback),
        ..pin_init::zeroed()
    };

    /// `file_system_type::init_fs_context`.
    ///
    /// # Safety
    ///
    /// Called by the VFS with a valid, new `fs_context` of this file system type.
    unsafe extern "C" fn init_fs_context_callback(fc: *mut bindings::fs_context) -> c_int {
        // SAFETY: `fc` is a valid context of this type, a `FileSystemType<T>`.
        let ty = unsafe { Self::of_fc(fc) };
        from_result(|| {
            ty.get_user()?;
            let private = KBox::new(
                Private::<T> {
                    opts: T::Options::default(),
                    has_params: false,
                },
                GFP_KERNEL,
            )
            .inspect_err(|_| ty.put_user())?;
            // SAFETY: The VFS passes a valid new `fs_context`, which nobody else uses while it
            // is initialised.
            unsafe {
                (*fc).fs_private = private.into_foreign();
                (*fc).ops = &Self::CONTEXT_OPS;
            }
            if T::READ_ONLY {
                // SAFETY: `fc` is valid and only used by this task during the call.
                unsafe { Context::from_raw(fc) }.force_read_only();
            }
            Ok(0)
        })
    }

    /// `fs_context_operations::free`.
    ///
    /// # Safety
    ///
    /// Called by the VFS with a valid `fs_context` initialised by `init_fs_context_callback`,
    /// which is not used anymore.
    unsafe extern "C" fn free_callback(fc: *mut bindings::fs_context) {
        // SAFETY:
        // - `fs_private` is null or from `into_foreign` in `init_fs_context_callback`, and this
        //   is the only place that reclaims it.
        // - `s_fs_info` is null or a `T::Data` from `get_tree_callback` that no superblock took
        //   (`sget_fc()` clears it when one does).
        unsafe {
            let p = (*fc).fs_private;
            if !p.is_null() {
                drop(KBox::<Private<T>>::from_foreign(p));
            }
            let data = (*fc).s_fs_info;
            if !data.is_null() {
                drop(T::Data::from_foreign(data));
            }
        }
        // SAFETY: `fc` is a valid context of this type, a `FileSystemType<T>`.
        unsafe { Self::of_fc(fc) }.put_user();
    }

    /// `fs_context_operations::parse_param`.
    ///
    /// # Safety
    ///
    /// Called by the VFS with a valid `fs_context` of this type, not used concurrently
    /// (`uapi_mutex`), and a valid parameter.
    unsafe extern "C" fn parse_param_callback(
        fc: *mut bindings::fs_context,
        param: *mut bindings::fs_parameter,
    ) -> c_int {
        from_result(|| {
            // SAFETY: `fc` is valid and only used by this task during the call (safety
            // requirements).
            let ctx = unsafe { Context::from_raw(fc) };
            if let Some(spec) = T::PARAMS {
                // SAFETY: `param` is a valid parameter of `fc` for the call.
                if let Some(param) = unsafe { param::Param::parse(ctx, spec, param) }? {
                    // SAFETY:
                    // - `fs_private` is the `Private<T>` of `init_fs_context_callback`.
                    // - Only this callback borrows it mutably, and the VFS does not run two
                    //   callbacks of one context at the same time.
                    let private = unsafe { KBox::<Private<T>>::borrow_mut((*fc).fs_private) };
                    private.has_params = true;
                    if T::HAS_PARSE_PARAM {
                        T::parse_param(ctx, &mut private.opts, param)?;
                    }
                    return Ok(0);
                }
            }
            // SAFETY: `fc` and `param` are valid (safety requirements).
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

    /// `fs_context_operations::parse_monolithic`, for [`FileSystem::NUMBER_LIST_PARAMS`].
    ///
    /// # Safety
    ///
    /// Called by the VFS with a valid context of this file system type and `data` null or a
    /// NUL-terminated string that the call may change.
    unsafe extern "C" fn parse_monolithic_callback(
        fc: *mut bindings::fs_context,
        data: *mut c_void,
    ) -> c_int {
        // SAFETY: `fc` and `data` are as `vfs_parse_monolithic_sep()` requires (safety
        // requirements), and `next_option` is a separator as it expects.
        unsafe { bindings::vfs_parse_monolithic_sep(fc, data, Some(Self::next_option)) }
    }

    /// Cuts the next option off the mount data `*s` and returns it, or null at the end: up to
    /// the next comma, or, for [`FileSystem::NUMBER_LIST_PARAMS`], the next comma not followed
    /// by a digit, as tmpfs's `shmem_next_opt()`.
    ///
    /// # Safety
    ///
    /// `s` points to null or to a pointer into a NUL-terminated string that the call may
    /// change, as `vfs_parse_monolithic_sep()` passes it.
    unsafe extern "C" fn next_option(s: *mut *mut c_char) -> *mut c_char {
        // SAFETY: `s` is valid for reads and writes (safety requirements).
        let begin = unsafe { *s };
        if begin.is_null() {
            return begin;
        }
        let end = {
            // SAFETY: `begin` points into a NUL-terminated string (safety requirements), which
            // is not changed while `opt` is used.
            let opt = unsafe { CStr::from_char_ptr(begin) }.to_bytes();
            let key = opt.split(|&c| c == b'=' || c == b',').next().unwrap_or(&[]);
            let list = T::NUMBER_LIST_PARAMS.iter().any(|p| p.to_bytes() == key);
            let mut at = 0;
            loop {
                match opt[at..].iter().position(|&c| c == b',') {
                    None => break None,
                    Some(i) if list && opt.get(at + i + 1).is_some_and(u8::is_ascii_digit) => {
                        at += i + 1
                    }
                    Some(i) => break Some(at + i),
                }
            }
        };
        if let Some(end) = end {
            // SAFETY: `end` is the index of a comma in the string at `begin`, which the call
            // may change (safety requirements): the option ends there.
            unsafe { *begin.add(end) = 0 };
            // SAFETY: `s` is valid for writes (safety requirements); the next option starts
            // after the comma, at the latest at the NUL terminator.
            unsafe { *s = begin.add(end + 1) };
        } else {
            // SAFETY: `s` is valid for writes (safety requirements).
            unsafe { *s = ptr::null_mut() };
        }
        begin
    }

    /// `fs_context_operations::get_tree`.
    ///
    /// # Safety
    ///
    /// Called by the VFS with a valid `fs_context` of this type for a new mount.
    unsafe extern "C" fn get_tree_callback(fc: *mut bindings::fs_context) -> c_int {
        from_result(|| {
            // SAFETY: `fc` is valid and only used by this task during the call.
            let ctx = unsafe { Context::from_raw(fc) };
            // SAFETY: `fs_private` is the `Private<T>` of `init_fs_context_callback`, not
            // borrowed mutably during `get_tree`.
            let private = unsafe { KBox::<Private<T>>::borrow((*fc).fs_private) };
            let data = T::init_data(ctx, &private.opts)?;
            // SAFETY:
            // - `fc` is valid; `s_fs_info` is ours until `sget_fc()` moves it to a new
            //   superblock (then `kill_sb_callback` reclaims it) or `free_callback` reclaims it.
            // - A previous `get_tree` of the same context cannot have left one behind: a
            //   context gets one tree.
            unsafe { (*fc).s_fs_info = data.into_foreign() };
            type FillSuper = unsafe extern "C" fn(
                *mut bindings::super_block,
                *mut bindings::fs_context,
            ) -> c_int;
            let fill: Option<FillSuper> = Some(Self::fill_super_callback);
            // SAFETY: `fc` is valid; `fill_super_callback` has the prototype `get_tree_*` needs;
            // superblocks of all these kinds are anonymous, killed by `kill_anon_super()`.
            to_result(unsafe {
                match T::SUPER {
                    Super::Nodev => bindings::get_tree_nodev(fc, fill),
                    Super::Single => bindings::get_tree_single(fc, fill),
                    // The key is the data: `get_tree_keyed()` stores it in `fc->s_fs_info`
                    // again, where a superblock it finds leaves it for `free_callback`.
                    Super::Keyed => bindings::get_tree_keyed(fc, fill, (*fc).s_fs_info),
                }
            })?;
            Ok(0)
        })
    }

    /// The `fill_super` callback of `get_tree_*()`.
    ///
    /// # Safety
    ///
    /// Called with a new superblock of this type, whose `s_fs_info` is the `T::Data` of the
    /// `fs_context` it is created for.
    unsafe extern "C" fn fill_super_callback(
        sb_ptr: *mut bindings::super_block,
        fc: *mut bindings::fs_context,
    ) -> c_int {
        // SAFETY: `sb_ptr` is a valid superblock of this type, a `FileSystemType<T>`.
        // `kill_sb_callback` follows whether this succeeds or not.
        unsafe { Self::of_sb(sb_ptr) }.get_sb_user();
        from_result(|| {
            // SAFETY: `sb_ptr` is a new superblock whose parameters nobody else uses until
            // `fill_super` returns, so this task may set `s_op`. The default ops make inodes of
            // `T` come from its `alloc_inode`, as they must, also when `fill_super` sets no ops.
            unsafe { (*sb_ptr).s_op = sb::Ops::<T>::default_ops() };
            // SAFETY: `fc` is valid and only used by this task during the call.
            let ctx = unsafe { Context::from_raw(fc) };
            // SAFETY:
            // - `sget_fc()` gives a new superblock of type `T`, set up only by this task until
            //   `fill_super` returns.
            // - Its `s_fs_info` is the `T::Data` of the context (safety requirements).
            let new_sb = unsafe { SuperBlock::<T, sb::New>::from_raw_new(sb_ptr) };
            T::fill_super(new_sb, ctx)?;
            // SAFETY: The superblock is now set up and has its data.
            let ready_sb = unsafe { SuperBlock::<T>::from_raw(sb_ptr) };
            let root = T::init_root(ready_sb)?;
            if root.super_block_ptr() != sb_ptr {
                return Err(EXDEV);
            }
            // SAFETY: `sb_ptr` is valid and has no root yet; `s_root` takes over the root's
            // reference.
            unsafe { (*sb_ptr).s_root = root.into_raw() };
            Ok(0)
        })
    }

    /// `fs_context_operations::reconfigure`.
    ///
    /// # Safety
    ///
    /// Called by `reconfigure_super()` with a valid `fs_context` of this type whose `root` is
    /// the root of a mounted superblock, locked exclusively (`s_umount`).
    unsafe extern "C" fn reconfigure_callback(fc: *mut bindings::fs_context) -> c_int {
        from_result(|| {
            // SAFETY: `fc` is valid and only used by this task during the call.
            let ctx = unsafe { Context::from_raw(fc) };
            // SAFETY: `fs_private` is the `Private<T>` of `init_fs_context_callback`, not
            // borrowed mutably during `reconfigure`.
            let private = unsafe { KBox::<Private<T>>::borrow((*fc).fs_private) };
            // SAFETY: `root` of a reconfiguration context is the root dentry of a mounted, hence
            // set up, superblock of `T`, which stays valid during the call.
            let sb = unsafe { SuperBlock::<T>::from_raw((*(*fc).root).d_sb) };
            if T::HAS_RECONFIGURE {
                T::reconfigure(sb, ctx, &private.opts)?;
            } else if private.has_params {
                return Err(ctx.invalf(fmt!(
                    "{} cannot change mount options on remount",
                    T::NAME.to_str()?
                )));
            }
            if T::READ_ONLY {
                ctx.force_read_only();
            }
            Ok(0)
        })
    }

    /// `file_system_type::kill_sb`.
    ///
    /// # Safety
    ///
    /// Called by the VFS with a valid superblock of this type that is being shut down.
    unsafe extern "C" fn kill_sb_callback(sb_ptr: *mut bindings::super_block) {
        // SAFETY: `sb_ptr` is a valid superblock being killed.
        let (root, data) = unsafe { ((*sb_ptr).s_root, (*sb_ptr).s_fs_info) };
        if T::HAS_SHUTDOWN && !root.is_null() {
            // SAFETY: A superblock with a root was set up by `fill_super_callback`; it stays
            // valid while it is killed.
            T::shutdown(unsafe { SuperBlock::<T>::from_raw(sb_ptr) });
        }
        // SAFETY: `get_tree_*()` created the superblock with `set_anon_super_fc()`.
        unsafe { bindings::kill_anon_super(sb_ptr) };
        if !data.is_null() {
            // SAFETY: `s_fs_info` came from `into_foreign` in `get_tree_callback` (via
            // `sget_fc()`), and this is the only place that reclaims it, after all inodes of
            // the superblock are gone.
            drop(unsafe { T::Data::from_foreign(data) });
        }
        // SAFETY: `sb_ptr` is a valid superblock of this type, a `FileSystemType<T>`, counted
        // by `fill_super_callback`. Nothing of the type is used after this.
        unsafe { Self::of_sb(sb_ptr) }.put_user();
    }
}

/// A registration of a [`FileSystemType`] in a `static`, owned by a module (usually made by
/// [`module_fs!`](crate::module_fs)); dropping it unregisters the type.
///
/// Dropping a registration waits until the last superblock of the type is killed (a lazy
/// unmount or an [`inode::Owned`](super::inode::Owned) can keep one alive), so that the inode
/// cache of the type can be destroyed. In a module that is no wait: each superblock pins the
/// module (`get_filesystem()`), so none is left when the module is unloaded.
///
/// # Examples
///
/// A file system whose inodes carry pinned data that counts itself and embeds a lock, with
/// `unlink` and `rename` in Rust, and an inode reference kept past the unmount
/// ([`inode::Owned`](super::inode::Owned)), which the registration's drop waits for:
///
/// ```
/// use core::sync::atomic::{AtomicBool, AtomicPtr, AtomicUsize, Ordering};
/// use kernel::fs::{
///     context::Context,
///     dentry::{self, Child, Negative, Removed, RenameSource, RenameTarget},
///     filesystem::{FileSystem, FileSystemType, Registration},
///     idmap::MntIdmap,
///     inode::{self, AttrChange, Inode, Ino, Mode, Owned, RenameFlags, Type},
///     kern_mount::KernMount,
///     libfs,
///     lock::{Exclusive, Locked},
///     sb::{self, SuperBlock},
/// };
/// use kernel::{new_mutex, prelude::*, sync::Mutex, types::ForeignOwnable, ThisModule};
/// use kernel::{time::{delay::fsleep, Delta}, workqueue};
///
/// /// Inodes alive: the per-inode data counts itself.
/// static LIVE: AtomicUsize = AtomicUsize::new(0);
/// /// A directory reference kept by `create` of a file called `park`.
/// static PARKED: AtomicPtr<c_void> = AtomicPtr::new(core::ptr::null_mut());
///
/// #[pin_data(PinnedDrop)]
/// struct Tag {
///     n: u64,
///     /// How often the inode was renamed.
///     #[pin]
///     renames: Mutex<u32>,
/// }
///
/// impl Tag {
///     fn new(n: u64) -> impl PinInit<Self> {
///         LIVE.fetch_add(1, Ordering::Relaxed);
///         pin_init!(Self { n, renames <- new_mutex!(0) })
///     }
/// }
///
/// #[pinned_drop]
/// impl PinnedDrop for Tag {
///     fn drop(self: Pin<&mut Self>) {
///         LIVE.fetch_sub(1, Ordering::Relaxed);
///     }
/// }
///
/// /// A flat file system of empty files, whose inodes carry a tag, removed and renamed in Rust.
/// struct TagFs;
///
/// #[vtable]
/// impl FileSystem for TagFs {
///     const NAME: &'static CStr = c"rust_tagfs_doctest";
///     type Options = ();
///     type Dentries = dentry::Persistent;
///     type Data = ();
///     type InodeData = Tag;
///
///     fn init_data(_fc: &Context, _opts: &()) -> Result {
///         Ok(())
///     }
///
///     fn fill_super(sb: &SuperBlock<Self, sb::New>, _fc: &Context) -> Result {
///         sb.set_magic(0x54414753).set_ops::<SuperOps>().set_dentries_dontcache();
///         Ok(())
///     }
///
///     fn init_root(sb: &SuperBlock<Self>) -> Result<dentry::Root<Self>> {
///         let mode = Mode::new(Type::Dir, 0o755);
///         let dir_iops = inode::Ops::of::<DirOps>();
///         dentry::Root::new(new_inode(sb, None, mode, 0)?.set_iops(dir_iops).inc_nlink())
///     }
/// }
///
/// struct FileIOps;
///
/// #[vtable]
/// impl inode::Operations for FileIOps {
///     type FileSystem = TagFs;
///
///     /// Sizes up to 4096 bytes; a size change updates the times, as in tmpfs.
///     fn setattr(idmap: &MntIdmap, change: AttrChange<'_, TagFs>) -> Result {
///         let resized = change.size().filter(|&size| size != change.inode().size());
///         if resized.is_some_and(|size| size > 4096) {
///             return Err(EFBIG);
///         }
///         libfs::simple_setattr(idmap, &change)?;
///         if resized.is_some() {
///             change.inode().touch_mtime_ctime();
///         }
///         Ok(())
///     }
/// }
///
/// struct SuperOps;
///
/// #[vtable]
/// impl sb::Operations for SuperOps {
///     type FileSystem = TagFs;
///
///     /// What libfs reports, and up to 1024 inodes.
///     fn statfs(dentry: &dentry::Dentry<TagFs>, buf: &mut sb::Kstatfs) -> Result {
///         libfs::simple_statfs(dentry, buf);
///         let live = LIVE.load(Ordering::Relaxed) as u64;
///         buf.set_files(1024, 1024u64.saturating_sub(live));
///         Ok(())
///     }
/// }
///
/// fn new_inode<'a>(
///     sb: &'a SuperBlock<TagFs>,
///     dir: Option<&Inode<TagFs>>,
///     mode: Mode,
///     tag: u64,
/// ) -> Result<inode::New<'a, TagFs>> {
///     Ok(sb
///         .new_inode(Tag::new(tag))?
///         .set_ino(Ino::next())
///         .init_owner(MntIdmap::nop(), dir, mode)
///         .simple_inode_init_ts())
/// }
///
/// struct DirOps;
///
/// #[vtable]
/// impl inode::Operations for DirOps {
///     type FileSystem = TagFs;
///     const LOOKUP: inode::Lookup = libfs::SIMPLE_LOOKUP;
///
///     fn create(
///         _: &MntIdmap,
///         dir: &Locked<'_, Inode<TagFs>, Exclusive>,
///         dentry: Negative<'_, TagFs>,
///         mode: Mode,
///         _excl: bool,
///     ) -> Result {
///         let tag = dentry.name().len() as u64;
///         let park = dentry.name() == b"park";
///         let inode = new_inode(dir.super_block(), Some(dir), mode, tag)?;
///         dentry.make_persistent(inode.set_iops(inode::Ops::of::<FileIOps>()))?;
///         dir.touch_mtime_ctime();
///         if park {
///             let owned: KBox<Owned<TagFs>> = KBox::new(dir.to_owned()?, GFP_KERNEL)?;
///             PARKED.store(owned.into_foreign(), Ordering::Relaxed);
///         }
///         Ok(())
///     }
///
///     fn unlink<'a>(
///         dir: &Locked<'_, Inode<TagFs>, Exclusive>,
///         child: Child<'a, TagFs>,
///     ) -> Result<Removed<'a>> {
///         let inode = child.inode();
///         // Only files with an odd tag may be removed.
///         if inode.data().n % 2 == 0 {
///             return Err(EPERM);
///         }
///         inode.touch_ctime();
///         dir.touch_mtime_ctime();
///         inode.drop_nlink();
///         Ok(child.removed())
///     }
///
///     fn rename(
///         idmap: &MntIdmap,
///         old_dir: &Locked<'_, Inode<TagFs>, Exclusive>,
///         old: RenameSource<'_, TagFs>,
///         new_dir: &Locked<'_, Inode<TagFs>, Exclusive>,
///         new: RenameTarget<'_, TagFs>,
///         flags: RenameFlags,
///     ) -> Result {
///         // Exchanges as libfs does them.
///         if flags.contains(RenameFlags::EXCHANGE) {
///             return libfs::simple_rename(idmap, old_dir, &old, new_dir, &new, flags);
///         }
///         // Plain renames in Rust; the VFS moves the dentry. A replaced target loses its link.
///         if flags.bits() != 0 {
///             return Err(EINVAL);
///         }
///         if let Some(victim) = new.victim() {
///             victim.touch_ctime();
///             victim.drop_nlink();
///         }
///         *old.inode().data().renames.lock() += 1;
///         old_dir.touch_mtime_ctime();
///         Ok(())
///     }
/// }
///
/// # // SAFETY: Doctests are built into the kernel, whose `THIS_MODULE` is null.
/// # static THIS_MODULE: ThisModule = unsafe { ThisModule::from_ptr(core::ptr::null_mut()) };
/// static TAGFS: FileSystemType<TagFs> = FileSystemType::new();
///
/// let live = LIVE.load(Ordering::Relaxed);
/// let reg = Registration::new(&TAGFS, &THIS_MODULE)?;
/// // A type is registered once at a time.
/// assert_eq!(Registration::new(&TAGFS, &THIS_MODULE).err(), Some(EBUSY));
/// {
///     let m = KernMount::new(c"rust_tagfs_doctest")?;
///     let st = m.statfs()?;
///     assert_eq!((st.fs_type, st.files, st.namelen), (0x54414753, 1024, 255));
///     m.create(c"", c"odd", 0o644)?;
///     m.create(c"", c"even", 0o644)?;
///     assert_eq!(LIVE.load(Ordering::Relaxed), live + 3);
///     assert_eq!(m.unlink(c"", c"even"), Err(EPERM));
///     m.unlink(c"", c"odd")?;
///     assert_eq!(m.stat(c"odd").err(), Some(ENOENT));
///     assert_eq!(m.stat(c"even")?.nlink, 1);
///     m.rename(c"", c"even", c"", c"even2", 0)?;
///     m.create(c"", c"odd", 0o644)?;
///     assert_eq!(LIVE.load(Ordering::Relaxed), live + 3);
///     // Replacing `even2` drops its last link: its inode (and data) goes away.
///     m.rename(c"", c"odd", c"", c"even2", 0)?;
///     assert_eq!(LIVE.load(Ordering::Relaxed), live + 2);
///     assert_eq!(m.rename(c"", c"even2", c"", c"x", RenameFlags::WHITEOUT.bits()), Err(EINVAL));
///     assert_eq!(m.stat(c"odd").err(), Some(ENOENT));
///     assert_eq!(m.stat(c"even2")?.nlink, 1);
///     // A Rust `setattr` checks the size, then lets `simple_setattr()` apply it.
///     m.truncate(c"even2", 100)?;
///     assert_eq!(m.stat(c"even2")?.size, 100);
///     assert_eq!(m.truncate(c"even2", 4097), Err(EFBIG));
///     assert_eq!(m.stat(c"even2")?.size, 100);
///     // `simple_rename()` swaps two entries.
///     m.create(c"", c"four", 0o644)?;
///     let (four, even2) = (m.stat(c"four")?.ino, m.stat(c"even2")?.ino);
///     m.rename(c"", c"four", c"", c"even2", RenameFlags::EXCHANGE.bits())?;
///     assert_eq!((m.stat(c"four")?.ino, m.stat(c"even2")?.ino), (even2, four));
///     // The inodes, with their tags, went along: `even2` now has the even tag.
///     assert_eq!(m.unlink(c"", c"even2"), Err(EPERM));
///     m.unlink(c"", c"four")?;
/// }
/// // The last mount is gone and the superblock with it: all data is dropped.
/// assert_eq!(LIVE.load(Ordering::Relaxed), live);
///
/// // An `Owned` inode reference keeps the superblock alive past the unmount.
/// {
///     let m = KernMount::new(c"rust_tagfs_doctest")?;
///     m.create(c"", c"park", 0o644)?;
/// }
/// assert_eq!(LIVE.load(Ordering::Relaxed), live + 2);
/// let p = PARKED.swap(core::ptr::null_mut(), Ordering::Relaxed);
/// // SAFETY: `create` stored a `KBox<Owned<TagFs>>` from `into_foreign`, taken back once here.
/// let parked = unsafe { KBox::<Owned<TagFs>>::from_foreign(p) };
/// assert_eq!(parked.data().n, 0);
/// assert_eq!(*parked.data().renames.lock(), 0);
/// assert_eq!(parked.nlink(), 2);
///
/// // Dropping the registration waits for the superblock that `parked` keeps alive.
/// static STARTED: AtomicBool = AtomicBool::new(false);
/// static DROPPED: AtomicBool = AtomicBool::new(false);
/// workqueue::system_long().try_spawn(GFP_KERNEL, move || {
///     STARTED.store(true, Ordering::Release);
///     drop(reg);
///     DROPPED.store(true, Ordering::Release);
/// })?;
/// while !STARTED.load(Ordering::Acquire) {
///     fsleep(Delta::from_millis(1));
/// }
/// fsleep(Delta::from_millis(200));
/// assert!(!DROPPED.load(Ordering::Acquire));
/// // Dropping `parked` shuts the superblock down, which lets the registration go.
/// drop(parked);
/// assert_eq!(LIVE.load(Ordering::Relaxed), live);
/// while !DROPPED.load(Ordering::Acquire) {
///     fsleep(Delta::from_millis(1));
/// }
/// // Unregistered, the same type registers and mounts again.
/// let reg = Registration::new(&TAGFS, &THIS_MODULE)?;
/// drop(KernMount::new(c"rust_tagfs_doctest")?);
/// drop(reg);
/// # Ok::<(), Error>(())
/// ```
///
/// # Invariants
///
/// `ty` was registered by this registration, which is the only one to unregister it.
pub struct Registration<T: FileSystem> {
    ty: &'static FileSystemType<T>,
}

impl<T: FileSystem> Registration<T> {
    /// Registers file system type `ty`, owned by `module`.
    ///
    /// Fails with `EBUSY` while `ty` is registered, with `EINVAL` if `ty` was registered by
    /// another module before, and with the errors of `register_filesystem()` (e.g. `EBUSY` if
    /// another type has the same name).
    pub fn new(ty: &'static FileSystemType<T>, module: &'static ThisModule) -> Result<Self> {
        ty.register(module.as_ptr())?;
        Ok(Self { ty })
    }
}

impl<T: FileSystem> Drop for Registration<T> {
    fn drop(&mut self) {
        // SAFETY: `ty` was registered by this registration, and this is the only `unregister`
        // (type invariant).
        unsafe { self.ty.unregister() };
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
        struct FsModule {
            _fs: $crate::fs::filesystem::Registration<$type>,
        }

        impl $crate::Module for FsModule {
            fn init(module: &'static $crate::ThisModule) -> $crate::error::Result<Self> {
                static TYPE: $crate::fs::filesystem::FileSystemType<$type> =
                    $crate::fs::filesystem::FileSystemType::new();
                Ok(Self {
                    _fs: $crate::fs::filesystem::Registration::new(&TYPE, module)?,
                })
            }
        }

        $crate::prelude::module! {
            type: FsModule,
            $($f)*
        }
    };
}
