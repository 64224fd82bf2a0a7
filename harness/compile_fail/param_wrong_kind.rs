// expect-error: no method named `as_u32`
//! A parameter's value cannot be read as another kind than its entry's: there is no untyped
//! accessor, only the `Value` of the entry's kind.
use kernel::fs::param::Param;

/// Tries to read a value as a string, whatever its kind.
pub fn f(p: &Param<'_>) -> Option<u32> {
    p.as_u32()
}
