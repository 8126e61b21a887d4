//! Validated text newtypes (names, e-mail addresses, ids) share their conversions:
//! parsing from a `String` (so serde validates on the way in), back into a `String`,
//! and display as the text itself.

/// Implements `TryFrom<String>` (through the type's `parse`), `From<T> for String` and
/// `Display` for a newtype over `String`.
macro_rules! text_newtype {
    ($name:ident, $error:ty) => {
        impl TryFrom<String> for $name {
            type Error = $error;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::parse(&value)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> Self {
                value.0
            }
        }

        string_schema!($name, { "type": "string" });

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

pub(crate) use text_newtype;

/// A stored value as people read it: a `snake_case` word (`partially_implemented`,
/// `implementation_specification`) with spaces; any other text as it is.
pub fn words(value: &str) -> String {
    let machine = value.contains('_')
        && value.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !value.starts_with('_');
    if machine { value.replace('_', " ") } else { value.to_owned() }
}

/// `n` things, with the noun in the right number: `plural(1, "control", "controls")`.
pub fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 { format!("1 {one}") } else { format!("{n} {many}") }
}

#[cfg(test)]
mod words_tests {
    #[test]
    fn machine_words_read_as_words_and_other_text_is_left_alone() {
        assert_eq!(super::words("partially_implemented"), "partially implemented");
        assert_eq!(super::words("in_use"), "in use");
        assert_eq!(super::words("Keep_this as typed"), "Keep_this as typed");
        assert_eq!(super::words("a.b_c@example.com"), "a.b_c@example.com");
        assert_eq!(super::plural(1, "risk", "risks"), "1 risk");
        assert_eq!(super::plural(0, "risk", "risks"), "0 risks");
    }
}
