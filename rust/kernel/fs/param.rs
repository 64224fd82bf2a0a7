// SPDX-License-Identifier: GPL-2.0

//! Mount parameters.
//!
//! A file system declares the parameters it understands as a static, `NULL`-terminated table of
//! `struct fs_parameter_spec` built with [`Table::new`] and the constructors of [`Entry`]; the VFS
//! parses each parameter against the table (`fs_parse()`) and the file system receives it as a
//! [`Param`], whose [`Value`] has the kind its entry declares: a `u32` entry gives
//! [`Value::U32`], never anything else, so there is no way to read a value as the wrong kind.
//!
//! Besides the kinds of `fs_parser.h` (flags, negatable flags, `u32` in any base, `s32`, `u64`,
//! strings, enumerations, uids and gids), sizes and counts with the `memparse()` suffixes
//! (`k`, `m`, `g`, ...; sizes also `%` of RAM, as tmpfs's `size=`) are parsed here.
//!
//! C header: [`include/linux/fs_parser.h`](srctree/include/linux/fs_parser.h)
//!
//! # Examples
//!
//! ```
//! use kernel::fs::param::{Constant, Constants, Entry, Spec, Table};
//!
//! const OPT_MODE: u8 = 0;
//! const OPT_DEBUG: u8 = 1;
//! const OPT_HUGE: u8 = 2;
//! const OPT_SIZE: u8 = 3;
//! const OPT_UID: u8 = 4;
//! static HUGE: Constants<3> = Constants::new([
//!     Constant::new(c"never", 0),
//!     Constant::new(c"always", 1),
//!     Constant::new(c"within_size", 2),
//! ]);
//! static PARAMS: Table<5> = Table::new([
//!     Entry::u32oct(c"mode", OPT_MODE),
//!     Entry::flag_no(c"debug", OPT_DEBUG),
//!     Entry::enumeration(c"huge", OPT_HUGE, &HUGE),
//!     Entry::size(c"size", OPT_SIZE),
//!     Entry::uid(c"uid", OPT_UID),
//! ]);
//! let spec: Spec = PARAMS.spec();
//! assert_eq!(spec.len(), 5);
//! assert_eq!(HUGE.lookup(c"always"), Some(1));
//! assert_eq!(HUGE.lookup(c"sometimes"), None);
//! ```
//!
//! Every kind, parsed from the options of real mounts (the values are recorded in statics):
//!
//! ```
//! use core::sync::atomic::{AtomicI64, Ordering::Relaxed};
//! use kernel::fs::{
//!     context::Context,
//!     dentry,
//!     filesystem::{FileSystem, FileSystemType, Registration},
//!     idmap::MntIdmap,
//!     inode::{Ino, Mode, Type},
//!     kern_mount::KernMount,
//!     param::{Entry, Param, Spec, Table, Value},
//!     sb::{self, SuperBlock},
//! };
//! use kernel::{prelude::*, ThisModule};
//!
//! const OPT_SIZE: u8 = 0;
//! const OPT_NR: u8 = 1;
//! const OPT_UID: u8 = 2;
//! const OPT_GID: u8 = 3;
//! const OPT_ACL: u8 = 4;
//! const OPT_S: u8 = 5;
//! const OPT_BIG: u8 = 6;
//! static PARAMS: Table<7> = Table::new([
//!     Entry::size(c"size", OPT_SIZE),
//!     Entry::count(c"nr", OPT_NR),
//!     Entry::uid(c"uid", OPT_UID),
//!     Entry::gid(c"gid", OPT_GID),
//!     Entry::flag_no(c"acl", OPT_ACL),
//!     Entry::s32(c"s", OPT_S),
//!     Entry::u64(c"big", OPT_BIG),
//! ]);
//! static SEEN: [AtomicI64; 7] = [const { AtomicI64::new(-1) }; 7];
//!
//! struct ParamFs;
//!
//! #[vtable]
//! impl FileSystem for ParamFs {
//!     const NAME: &'static CStr = c"rust_paramfs_doctest";
//!     const PARAMS: Option<Spec> = Some(PARAMS.spec());
//!     type Options = ();
//!     type Dentries = dentry::Persistent;
//!     type Data = ();
//!     type InodeData = ();
//!
//!     fn parse_param(_fc: &Context, _opts: &mut (), p: Param<'_>) -> Result {
//!         let v = match p.value() {
//!             Value::Size(v) | Value::Count(v) | Value::U64(v) => v as i64,
//!             Value::Uid(uid) => uid.into_uid_in_current_ns().into(),
//!             Value::Gid(gid) => gid.into_gid_in_current_ns().into(),
//!             Value::Flag(on) => on.into(),
//!             Value::S32(v) => v.into(),
//!             _ => return Err(EINVAL),
//!         };
//!         SEEN[usize::from(p.opt())].store(v, Relaxed);
//!         Ok(())
//!     }
//!
//!     fn init_data(_fc: &Context, _opts: &()) -> Result {
//!         Ok(())
//!     }
//!
//!     fn fill_super(sb: &SuperBlock<Self, sb::New>, _fc: &Context) -> Result {
//!         sb.set_magic(0x50524d53);
//!         Ok(())
//!     }
//!
//!     fn init_root(sb: &SuperBlock<Self>) -> Result<dentry::Root<Self>> {
//!         let mode = Mode::new(Type::Dir, 0o755);
//!         let inode = sb.new_inode(())?.set_ino(Ino::next());
//!         dentry::Root::new(inode.init_owner(MntIdmap::nop(), None, mode).inc_nlink())
//!     }
//! }
//!
//! # // SAFETY: Doctests are built into the kernel, whose `THIS_MODULE` is null.
//! # static THIS_MODULE: ThisModule = unsafe { ThisModule::from_ptr(core::ptr::null_mut()) };
//! static FS: FileSystemType<ParamFs> = FileSystemType::new();
//! let _reg = Registration::new(&FS, &THIS_MODULE)?;
//! let mount = |options| KernMount::with_options(c"rust_paramfs_doctest", options).map(drop);
//! mount(c"size=2m,nr=1k,uid=0,gid=0,noacl,s=-5,big=0x10")?;
//! let seen = |opt: u8| SEEN[usize::from(opt)].load(Relaxed);
//! assert_eq!(seen(OPT_SIZE), 2 << 20);
//! assert_eq!(seen(OPT_NR), 1024);
//! assert_eq!((seen(OPT_UID), seen(OPT_GID)), (0, 0));
//! assert_eq!(seen(OPT_ACL), 0);
//! assert_eq!(seen(OPT_S), -5);
//! assert_eq!(seen(OPT_BIG), 16);
//! // A percentage of RAM, in bytes.
//! mount(c"size=50%,acl")?;
//! assert!(seen(OPT_SIZE) > 1 << 20);
//! assert_eq!(seen(OPT_ACL), 1);
//! // Malformed values and unknown parameters fail the mount.
//! for bad in [c"size=2x", c"size=", c"nr=1%", c"uid=4294967295", c"s=x", c"big=-1", c"bogus"] {
//!     assert_eq!(mount(bad), Err(EINVAL));
//! }
//! # Ok::<(), Error>(())
//! ```

use super::{
    context::Context,
    inode::Kgid, //
};
use crate::{
    bindings,
    error::code::*,
    prelude::*,
    str::CStrExt as _,
    task::Kuid, //
};
use core::{
    ffi::c_void,
    ptr, //
};

/// The kind of value a parameter takes; each kind has one [`Value`] variant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Flag,
    U32,
    S32,
    U64,
    Size,
    Count,
    Str,
    Enum,
    Uid,
    Gid,
}

/// One mount parameter description (`struct fs_parameter_spec`) and the kind of its value.
pub struct Entry {
    spec: bindings::fs_parameter_spec,
    kind: Kind,
}

impl Entry {
    const fn make(
        name: &'static CStr,
        opt: u8,
        ty: bindings::fs_param_type,
        data: *const c_void,
        kind: Kind,
    ) -> Self {
        let mut s: bindings::fs_parameter_spec = pin_init::zeroed();
        s.name = crate::str::as_char_ptr_in_const_context(name);
        s.type_ = ty;
        s.opt = opt;
        s.data = data;
        Self { spec: s, kind }
    }

    /// A flag parameter without a value (`fsparam_flag`), e.g. `debug`: [`Value::Flag`]`(true)`.
    pub const fn flag(name: &'static CStr, opt: u8) -> Self {
        Self::make(name, opt, None, ptr::null(), Kind::Flag)
    }

    /// A flag that may also be given negated with a `no` prefix (`fsparam_flag_no`), e.g.
    /// `acl` and `noacl`: [`Value::Flag`]`(false)` for the negated form.
    pub const fn flag_no(name: &'static CStr, opt: u8) -> Self {
        let mut e = Self::make(name, opt, None, ptr::null(), Kind::Flag);
        e.spec.flags = bindings::fs_param_neg_with_no as u16;
        e
    }

    /// An unsigned decimal parameter (`fsparam_u32`), e.g. `nr_inodes=100`: [`Value::U32`].
    pub const fn u32(name: &'static CStr, opt: u8) -> Self {
        Self::make(
            name,
            opt,
            Some(bindings::fs_param_is_u32),
            ptr::null(),
            Kind::U32,
        )
    }

    /// An unsigned octal parameter (`fsparam_u32oct`), e.g. `mode=0755`: [`Value::U32`].
    pub const fn u32oct(name: &'static CStr, opt: u8) -> Self {
        // The base of the number is passed in `data`.
        Self::make(
            name,
            opt,
            Some(bindings::fs_param_is_u32),
            ptr::without_provenance(8),
            Kind::U32,
        )
    }

    /// A signed parameter in any base (`fsparam_s32`): [`Value::S32`].
    pub const fn s32(name: &'static CStr, opt: u8) -> Self {
        Self::make(
            name,
            opt,
            Some(bindings::fs_param_is_s32),
            ptr::null(),
            Kind::S32,
        )
    }

    /// An unsigned 64-bit parameter in any base (`fsparam_u64`): [`Value::U64`].
    pub const fn u64(name: &'static CStr, opt: u8) -> Self {
        Self::make(
            name,
            opt,
            Some(bindings::fs_param_is_u64),
            ptr::null(),
            Kind::U64,
        )
    }

    /// A size in bytes with an optional `memparse()` suffix (`k`, `m`, `g`, `t`, `p`, `e`) or a
    /// percentage of RAM (`%`), as tmpfs's `size=`: [`Value::Size`]. A malformed value is
    /// rejected with `EINVAL` and "Bad value for '`name`'" in the context's log.
    pub const fn size(name: &'static CStr, opt: u8) -> Self {
        Self::make(
            name,
            opt,
            Some(bindings::fs_param_is_string),
            ptr::null(),
            Kind::Size,
        )
    }

    /// A count with an optional `memparse()` suffix, as tmpfs's `nr_inodes=`: [`Value::Count`].
    pub const fn count(name: &'static CStr, opt: u8) -> Self {
        Self::make(
            name,
            opt,
            Some(bindings::fs_param_is_string),
            ptr::null(),
            Kind::Count,
        )
    }

    /// A string parameter (`fsparam_string`): [`Value::Str`].
    pub const fn string(name: &'static CStr, opt: u8) -> Self {
        Self::make(
            name,
            opt,
            Some(bindings::fs_param_is_string),
            ptr::null(),
            Kind::Str,
        )
    }

    /// A parameter whose value is one of the names in `values` (`fsparam_enum`), e.g.
    /// `huge=always`: [`Value::Enum`]; other names are rejected with `EINVAL`.
    pub const fn enumeration<const N: usize>(
        name: &'static CStr,
        opt: u8,
        values: &'static Constants<N>,
    ) -> Self {
        let values: *const Constants<N> = values;
        Self::make(
            name,
            opt,
            Some(bindings::fs_param_is_enum),
            values.cast(),
            Kind::Enum,
        )
    }

    /// A user id (`fsparam_uid`), mapped from the mounter's user namespace: [`Value::Uid`].
    /// Ids without a mapping in the user namespace of the mount ([`Context::user_ns`]) are
    /// rejected with `EINVAL`, as tmpfs does.
    pub const fn uid(name: &'static CStr, opt: u8) -> Self {
        Self::make(
            name,
            opt,
            Some(bindings::fs_param_is_uid),
            ptr::null(),
            Kind::Uid,
        )
    }

    /// A group id (`fsparam_gid`), like [`Entry::uid`]: [`Value::Gid`].
    pub const fn gid(name: &'static CStr, opt: u8) -> Self {
        Self::make(
            name,
            opt,
            Some(bindings::fs_param_is_gid),
            ptr::null(),
            Kind::Gid,
        )
    }
}

/// One name of an enumerated parameter and its value (`struct constant_table`).
#[repr(transparent)]
pub struct Constant(bindings::constant_table);

impl Constant {
    /// Creates the constant `name` with value `value`.
    pub const fn new(name: &'static CStr, value: i32) -> Self {
        let mut c: bindings::constant_table = pin_init::zeroed();
        c.name = crate::str::as_char_ptr_in_const_context(name);
        c.value = value;
        Self(c)
    }

    fn name(&self) -> &CStr {
        // SAFETY: `name` was set from a `&'static CStr` in `new`.
        unsafe { CStr::from_char_ptr(self.0.name) }
    }
}

/// A `NULL`-terminated table of the `N` names an [`Entry::enumeration`] parameter accepts.
#[repr(C)]
pub struct Constants<const N: usize> {
    entries: [Constant; N],
    end: bindings::constant_table,
}

// SAFETY: The table is immutable and only holds pointers to static strings.
unsafe impl<const N: usize> Sync for Constants<N> {}

impl<const N: usize> Constants<N> {
    /// Creates a table from its entries, adding the terminating empty entry.
    pub const fn new(entries: [Constant; N]) -> Self {
        Self {
            entries,
            end: pin_init::zeroed(),
        }
    }

    /// Returns the value of `name`, as `fs_parse()` would (`lookup_constant()`), or `None` if
    /// the table does not contain it.
    pub fn lookup(&self, name: &CStr) -> Option<i32> {
        self.entries
            .iter()
            .find(|c| c.name() == name)
            .map(|c| c.0.value)
    }
}

/// A table of `N` parameter descriptions: the `NULL`-terminated C table and the kinds of the
/// entries.
///
/// # Invariants
///
/// `specs` is followed in memory by the zeroed terminating entry `end`; `kinds[i]` is the kind of
/// `specs[i]`.
#[repr(C)]
pub struct Table<const N: usize> {
    specs: [bindings::fs_parameter_spec; N],
    end: bindings::fs_parameter_spec,
    kinds: [Kind; N],
}

// SAFETY: The table is immutable and only holds pointers to static data.
unsafe impl<const N: usize> Sync for Table<N> {}

impl<const N: usize> Table<N> {
    /// Creates a table from its entries, adding the terminating empty entry.
    pub const fn new(entries: [Entry; N]) -> Self {
        let mut specs = [pin_init::zeroed::<bindings::fs_parameter_spec>(); N];
        let mut kinds = [Kind::Flag; N];
        let mut i = 0;
        while i < N {
            specs[i] = entries[i].spec;
            kinds[i] = entries[i].kind;
            i += 1;
        }
        // INVARIANT: `repr(C)` places `end` right after `specs`; the kinds are copied in order.
        Self {
            specs,
            end: pin_init::zeroed(),
            kinds,
        }
    }

    /// Returns the table as a [`Spec`] of any length.
    pub const fn spec(&'static self) -> Spec {
        Spec {
            specs: &self.specs,
            kinds: &self.kinds,
        }
    }
}

/// A `NULL`-terminated parameter table of any length, as referenced by
/// `file_system_type::parameters`.
///
/// # Invariants
///
/// `specs` is followed in memory by a zeroed terminating entry; `kinds` has the kind of each
/// entry of `specs`.
#[derive(Clone, Copy)]
pub struct Spec {
    specs: &'static [bindings::fs_parameter_spec],
    kinds: &'static [Kind],
}

// SAFETY: The tables are immutable and only hold pointers to static data.
unsafe impl Sync for Spec {}
// SAFETY: As above.
unsafe impl Send for Spec {}

impl Spec {
    /// Returns a pointer to the first entry, as expected by C.
    pub fn as_raw(&self) -> *const bindings::fs_parameter_spec {
        self.specs.as_ptr()
    }

    /// Returns the number of entries (without the terminator).
    pub fn len(&self) -> usize {
        self.specs.len()
    }

    /// Returns `true` if the table has no entries.
    pub fn is_empty(&self) -> bool {
        self.specs.is_empty()
    }
}

/// The value of a parsed mount parameter, of the kind its [`Entry`] declares.
#[derive(Clone, Copy)]
pub enum Value<'a> {
    /// [`Entry::flag`], [`Entry::flag_no`]: `false` if given in its negated `no` form.
    Flag(bool),
    /// [`Entry::u32`], [`Entry::u32oct`].
    U32(u32),
    /// [`Entry::s32`].
    S32(i32),
    /// [`Entry::u64`].
    U64(u64),
    /// [`Entry::size`]: bytes, suffixes applied (saturating at `u64::MAX`).
    Size(u64),
    /// [`Entry::count`]: suffixes applied.
    Count(u64),
    /// [`Entry::string`].
    Str(&'a CStr),
    /// [`Entry::enumeration`]: the value of the name that was given.
    Enum(i32),
    /// [`Entry::uid`], with a mapping in the mount's user namespace.
    Uid(Kuid),
    /// [`Entry::gid`], with a mapping in the mount's user namespace.
    Gid(Kgid),
}

/// A parsed mount parameter: its option number ([`Param::opt`]), name and typed value.
pub struct Param<'a> {
    opt: u8,
    key: &'a CStr,
    value: Value<'a>,
}

impl<'a> Param<'a> {
    /// Parses `param` against `spec` (`__fs_parse()`): `Ok(None)` if no entry matches its name
    /// (`ENOPARAM`).
    ///
    /// # Safety
    ///
    /// `param` must be a valid parameter of the context `fc`, valid for `'a`.
    pub(crate) unsafe fn parse(
        fc: &Context,
        spec: Spec,
        param: *mut bindings::fs_parameter,
    ) -> Result<Option<Self>> {
        let mut result = bindings::fs_parse_result::default();
        // SAFETY: The context is valid (type invariant of `Context`) and `log` is its logging
        // buffer; `param` is valid (safety requirements); `spec` is `NULL`-terminated (type
        // invariant of `Spec`); `result` is a valid local.
        let opt = unsafe {
            bindings::__fs_parse(
                &raw mut (*fc.as_raw()).log,
                spec.as_raw(),
                param,
                &mut result,
            )
        };
        if opt == ENOPARAM.to_errno() {
            return Ok(None);
        }
        let opt = u8::try_from(opt).map_err(|_| Error::from_errno(opt))?;
        // SAFETY: `param` is valid for `'a` and its key is a NUL-terminated string.
        let key = unsafe { CStr::from_char_ptr((*param).key) };
        // `__fs_parse` found the entry by name (and `no` prefix), so exactly one matches.
        let kind = spec
            .specs
            .iter()
            .zip(spec.kinds)
            .find(|(s, _)| s.opt == opt && name_matches(s, key))
            .map(|(_, k)| *k)
            .ok_or(EINVAL)?;
        // The union member `fs_parse()` writes depends on the kind, hence the `unsafe` reads.
        let value = match kind {
            Kind::Flag => Value::Flag(!result.negated),
            // SAFETY: `fs_param_is_u32` stores its result in `uint_32`.
            Kind::U32 => Value::U32(unsafe { result.__bindgen_anon_1.uint_32 }),
            // SAFETY: `fs_param_is_s32` stores its result in `int_32`.
            Kind::S32 => Value::S32(unsafe { result.__bindgen_anon_1.int_32 }),
            // SAFETY: `fs_param_is_u64` stores its result in `uint_64`.
            Kind::U64 => Value::U64(unsafe { result.__bindgen_anon_1.uint_64 }),
            // SAFETY: `fs_param_is_enum` stores the constant's value in `uint_32`.
            Kind::Enum => Value::Enum(unsafe { result.__bindgen_anon_1.uint_32 } as i32),
            Kind::Uid => {
                // SAFETY: `fs_param_is_uid` stores its result in `uid`.
                let uid = Kuid::from_raw(unsafe { result.__bindgen_anon_1.uid });
                if !fc.user_ns().has_uid(uid) {
                    return Err(fc.invalf(fmt!("Bad value for '{}'", key.to_str()?)));
                }
                Value::Uid(uid)
            }
            Kind::Gid => {
                // SAFETY: `fs_param_is_gid` stores its result in `gid`.
                let gid = Kgid::from_raw(unsafe { result.__bindgen_anon_1.gid });
                if !fc.user_ns().has_gid(gid) {
                    return Err(fc.invalf(fmt!("Bad value for '{}'", key.to_str()?)));
                }
                Value::Gid(gid)
            }
            Kind::Str | Kind::Size | Kind::Count => {
                // SAFETY: `fs_param_is_string` accepted a string value: `string` is a
                // NUL-terminated string owned by `param`, valid for `'a`.
                let s = unsafe { CStr::from_char_ptr((*param).__bindgen_anon_1.string) };
                match kind {
                    Kind::Size => Value::Size(parse_size(fc, key, s, true)?),
                    Kind::Count => Value::Count(parse_size(fc, key, s, false)?),
                    _ => Value::Str(s),
                }
            }
        };
        Ok(Some(Self { opt, key, value }))
    }

    /// The option number of the matching [`Entry`].
    pub fn opt(&self) -> u8 {
        self.opt
    }

    /// The parameter's name as given (for a negated flag, with its `no` prefix).
    pub fn key(&self) -> &CStr {
        self.key
    }

    /// The value.
    pub fn value(&self) -> Value<'a> {
        self.value
    }
}

/// Whether `key` names the entry `s`: its name, or `no` and its name for a negatable flag.
fn name_matches(s: &bindings::fs_parameter_spec, key: &CStr) -> bool {
    // SAFETY: Entry names are `&'static CStr` (`Entry::make`).
    let name = unsafe { CStr::from_char_ptr(s.name) }.to_bytes();
    let key = key.to_bytes();
    key == name
        || (s.flags & bindings::fs_param_neg_with_no as u16 != 0
            && key.strip_prefix(b"no") == Some(name))
}

/// Parses a number with `memparse()` suffixes; with `percent`, also `N%` of RAM, in bytes (as
/// tmpfs's `size=`). Logs "Bad value for '`key`'" and fails with `EINVAL` if anything follows.
fn parse_size(fc: &Context, key: &CStr, s: &CStr, percent: bool) -> Result<u64> {
    let bad = || fc.invalf(fmt!("Bad value for '{}'", key.to_str().unwrap_or("?")));
    let mut rest: *mut c_char = ptr::null_mut();
    // SAFETY: `s` is NUL-terminated; `memparse` stores a pointer into it in `rest`.
    let mut n = unsafe { bindings::memparse(s.as_char_ptr(), &mut rest) };
    // SAFETY: `rest` points into `s`, at most at its NUL terminator.
    let mut at = unsafe { *rest } as u8;
    if percent && at == b'%' {
        // SAFETY: `totalram_pages` has no preconditions.
        let ram = unsafe { bindings::totalram_pages() } as u64;
        // As tmpfs computes it (`size << PAGE_SHIFT * totalram_pages() / 100`), wrapping as
        // `memparse()` itself does: an absurd percentage gives what it gives on tmpfs.
        n = n.wrapping_mul(ram.wrapping_mul(crate::page::PAGE_SIZE as u64)) / 100;
        // SAFETY: `rest` points at the `%`, which is followed by at least the NUL terminator.
        at = unsafe { *rest.add(1) } as u8;
    }
    if at != 0 || s.to_bytes().is_empty() {
        return Err(bad());
    }
    Ok(n)
}
