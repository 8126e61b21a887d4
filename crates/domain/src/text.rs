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
