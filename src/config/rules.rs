//! AWS's rules for names and identifiers, checked here so that a bad value is
//! reported at its place in the file rather than by IAM mid-apply.

use std::ops::RangeInclusive;

use super::reader::Spanned;
use super::report::{plural, Problem};

/// Checks that `value` has a length in `len` and only letters, digits, `_`
/// and `symbols`: AWS's `[\w<symbols>]{min,max}` (ASCII `\w`).
pub(super) fn word_chars(
    value: Spanned<String>,
    what: &str,
    len: RangeInclusive<usize>,
    symbols: &str,
) -> Result<String, Problem> {
    let (min, max) = (*len.start(), *len.end());
    let count = value.value.chars().count();
    if !len.contains(&count) {
        return Err(Problem::error(
            value.span,
            format!(
                "{what} `{}` is {} long; AWS allows {min} to {max}",
                value.value,
                plural(count, "character")
            ),
            format!("use {min} to {max} characters"),
        ));
    }
    let allowed = |c: char| c.is_ascii_alphanumeric() || c == '_' || symbols.contains(c);
    if let Some(bad) = value.value.chars().find(|&c| !allowed(c)) {
        return Err(Problem::error(
            value.span,
            format!("{what} `{}` contains `{bad}`, which AWS does not allow", value.value),
            format!("use only letters, digits, `_` and `{symbols}`"),
        ));
    }
    Ok(value.value)
}

/// Role and policy names: `[\w+=,.@-]`, 1 to `max` characters.
pub(super) fn iam_name(value: Spanned<String>, what: &str, max: usize) -> Result<String, Problem> {
    word_chars(value, what, 1..=max, "+=,.@-")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(s: &str) -> Result<String, Problem> {
        iam_name(Spanned { value: s.into(), span: (0..1).into() }, "role name", 8)
    }

    #[test]
    fn names_follow_iam() {
        assert_eq!(check("a_b+=,.@").unwrap(), "a_b+=,.@");
        assert!(check("").unwrap_err().message().contains("0 characters long"));
        assert!(check("123456789").unwrap_err().message().contains("AWS allows 1 to 8"));
        assert!(check("a b").unwrap_err().message().contains("contains ` `"));
        assert!(check("é").is_err());
    }
}
