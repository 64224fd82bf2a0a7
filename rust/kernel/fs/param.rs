// SPDX-License-Identifier: GPL-2.0

//! Mount parameters.
//!
//! A file system declares the parameters it understands as a static, `NULL`-terminated table of
//! `struct fs_parameter_spec` built with [`Table::new`] and the constructors of [`Entry`]; the VFS
//! parses each parameter against the table (`fs_parse()`) and the file system receives the typed
//! result as a [`Value`].
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
//! static HUGE: Constants<3> = Constants::new([
//!     Constant::new(c"never", 0),
//!     Constant::new(c"always", 1),
//!     Constant::new(c"within_size", 2),
//! ]);
//! static PARAMS: Table<3> = Table::new([
//!     Entry::u32oct(c"mode", OPT_MODE),
//!     Entry::flag(c"debug", OPT_DEBUG),
//!     Entry::enumeration(c"huge", OPT_HUGE, &HUGE),
//! ]);
//! let spec: &Spec = PARAMS.spec();
//! assert_eq!(spec.len(), 3);
//! assert_eq!(HUGE.lookup(c"always"), Some(1));
//! assert_eq!(HUGE.lookup(c"sometimes"), None);
//! ```

use crate::{
    bindings,
    prelude::*,
    str::CStrExt as _, //
};
use core::{
    ffi::c_void,
    ptr, //
};

/// One mount parameter description (`struct fs_parameter_spec`).
#[repr(transparent)]
pub struct Entry(bindings::fs_parameter_spec);

impl Entry {
    const fn make(
        name: &'static CStr,
        opt: u8,
        ty: bindings::fs_param_type,
        data: *const c_void,
    ) -> Self {
        let mut s: bindings::fs_parameter_spec = pin_init::zeroed();
        s.name = crate::str::as_char_ptr_in_const_context(name);
        s.type_ = ty;
        s.opt = opt;
        s.data = data;
        Self(s)
    }

    /// A flag parameter without a value (`fsparam_flag`), e.g. `debug`.
    pub const fn flag(name: &'static CStr, opt: u8) -> Self {
        let mut e = Self::make(name, opt, Some(bindings::fs_param_is_bool), ptr::null());
        e.0.type_ = None;
        e
    }

    /// An unsigned decimal parameter (`fsparam_u32`), e.g. `nr_inodes=100`.
    pub const fn u32(name: &'static CStr, opt: u8) -> Self {
        Self::make(name, opt, Some(bindings::fs_param_is_u32), ptr::null())
    }

    /// An unsigned octal parameter (`fsparam_u32oct`), e.g. `mode=0755`.
    pub const fn u32oct(name: &'static CStr, opt: u8) -> Self {
        // The base of the number is passed in `data`.
        Self::make(
            name,
            opt,
            Some(bindings::fs_param_is_u32),
            ptr::without_provenance(8),
        )
    }

    /// A string parameter (`fsparam_string`).
    pub const fn string(name: &'static CStr, opt: u8) -> Self {
        Self::make(name, opt, Some(bindings::fs_param_is_string), ptr::null())
    }

    /// A parameter whose value is one of the names in `values` (`fsparam_enum`), e.g.
    /// `huge=always`; other names are rejected with `EINVAL`.
    pub const fn enumeration<const N: usize>(
        name: &'static CStr,
        opt: u8,
        values: &'static Constants<N>,
    ) -> Self {
        let values: *const Constants<N> = values;
        Self::make(name, opt, Some(bindings::fs_param_is_enum), values.cast())
    }

    fn name(&self) -> &CStr {
        // SAFETY: `name` was set from a `&'static CStr` in `make`.
        unsafe { CStr::from_char_ptr(self.0.name) }
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

impl Constant {
    fn name(&self) -> &CStr {
        // SAFETY: `name` was set from a `&'static CStr` in `new`.
        unsafe { CStr::from_char_ptr(self.0.name) }
    }
}

/// A `NULL`-terminated table of `N` parameter descriptions.
#[repr(C)]
pub struct Table<const N: usize> {
    entries: [Entry; N],
    end: bindings::fs_parameter_spec,
}

// SAFETY: The table is immutable and only holds pointers to static data.
unsafe impl<const N: usize> Sync for Table<N> {}

impl<const N: usize> Table<N> {
    /// Creates a table from its entries, adding the terminating empty entry.
    pub const fn new(entries: [Entry; N]) -> Self {
        Self {
            entries,
            end: pin_init::zeroed(),
        }
    }

    /// Returns the table as an unsized [`Spec`].
    pub const fn spec(&'static self) -> &'static Spec {
        // Derived from the whole table: C reads the terminator through it.
        let p: *const [Entry] = ptr::slice_from_raw_parts(ptr::from_ref(self).cast::<Entry>(), N);
        // `repr(C)` places `end` right after the entries: the slice is followed by the terminator.
        // SAFETY: `Spec` is `repr(transparent)` over `[Entry]`.
        unsafe { &*(p as *const Spec) }
    }
}

/// A `NULL`-terminated parameter table of any length, as referenced by
/// `file_system_type::parameters`.
///
/// # Invariants
///
/// The entries are followed in memory by a zeroed terminating entry.
#[repr(transparent)]
pub struct Spec([Entry]);

impl Spec {
    /// Returns a pointer to the first entry, as expected by C.
    pub fn as_raw(&self) -> *const bindings::fs_parameter_spec {
        self.0.as_ptr().cast()
    }

    /// Returns the number of entries (without the terminator).
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Returns `true` if the table has no entries.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The value of a parsed mount parameter.
pub struct Value<'a> {
    opt: u8,
    key: &'a CStr,
    result: &'a bindings::fs_parse_result,
    param: *const bindings::fs_parameter,
    entry: Option<&'a Entry>,
}

impl<'a> Value<'a> {
    /// Creates a parsed value.
    ///
    /// # Safety
    ///
    /// `param` must be valid for `'a` and `result` must be what `fs_parse()` returned as option
    /// `opt` for it, against `spec`.
    pub(crate) unsafe fn new(
        spec: &'a Spec,
        opt: u8,
        param: *const bindings::fs_parameter,
        result: &'a bindings::fs_parse_result,
    ) -> Self {
        // SAFETY: `param` is valid and its key is a NUL-terminated string.
        let key = unsafe { CStr::from_char_ptr((*param).key) };
        let entry = spec.0.iter().find(|e| e.0.opt == opt && e.name() == key);
        Self {
            opt,
            key,
            result,
            param,
            entry,
        }
    }

    /// The option number of the matching [`Entry`].
    pub fn opt(&self) -> u8 {
        self.opt
    }

    /// The parameter's name.
    pub fn key(&self) -> &CStr {
        self.key
    }

    /// Whether a flag was given in its negated `no` form.
    pub fn negated(&self) -> bool {
        self.result.negated
    }

    /// The value of a [`Entry::u32`] or [`Entry::u32oct`] parameter.
    pub fn as_u32(&self) -> Option<u32> {
        let ty = self.entry?.0.type_?;
        if ty as usize == bindings::fs_param_is_u32 as *const () as usize {
            // SAFETY: `fs_param_is_u32` stores its result in `uint_32`.
            Some(unsafe { self.result.__bindgen_anon_1.uint_32 })
        } else {
            None
        }
    }

    /// The value of an [`Entry::enumeration`] parameter: the value of the name that was given.
    pub fn as_enum(&self) -> Option<i32> {
        let ty = self.entry?.0.type_?;
        if ty as usize == bindings::fs_param_is_enum as *const () as usize {
            // SAFETY: `fs_param_is_enum` stores the constant's value in `uint_32`.
            Some(unsafe { self.result.__bindgen_anon_1.uint_32 } as i32)
        } else {
            None
        }
    }

    /// The value of a [`Entry::string`] parameter.
    pub fn as_str(&self) -> Option<&CStr> {
        let ty = self.entry?.0.type_?;
        if ty as usize == bindings::fs_param_is_string as *const () as usize {
            // SAFETY: A string parameter's `string` is NUL-terminated and lives as long as `param`.
            Some(unsafe { CStr::from_char_ptr((*self.param).__bindgen_anon_1.string) })
        } else {
            None
        }
    }
}
