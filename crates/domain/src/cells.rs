//! Spreadsheet cells from user text. A spreadsheet runs a cell that starts with `=`,
//! `+`, `-` or `@` (and some treat a leading tab or carriage return alike) as a
//! formula, so text such as `=HYPERLINK("https://evil.example","Click")` in a risk
//! title or an SoA justification would act when an auditor opens the export. Every CSV
//! and XLSX export puts its text cells through [`inert`]; readers of our own CSV
//! formats take the guard off again with [`restore`].

use std::borrow::Cow;

/// Whether a spreadsheet would run `text` as a formula. A plain negative number
/// (`-5`, `-0.25`) is a number, not a formula.
pub fn is_formula_like(text: &str) -> bool {
    match text.chars().next() {
        Some('=' | '+' | '@' | '\t' | '\r') => true,
        Some('-') => !is_plain_negative_number(text),
        _ => false,
    }
}

fn is_plain_negative_number(text: &str) -> bool {
    let Some(rest) = text.strip_prefix('-') else { return false };
    let (whole, fraction) = rest.split_once('.').unwrap_or((rest, "0"));
    !whole.is_empty()
        && !fraction.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.bytes().all(|b| b.is_ascii_digit())
}

/// The text with a leading apostrophe when a spreadsheet would run it as a formula
/// (the apostrophe is the spreadsheet convention for "this is text").
pub fn inert(text: &str) -> Cow<'_, str> {
    if is_formula_like(text) { Cow::Owned(format!("'{text}")) } else { Cow::Borrowed(text) }
}

/// Undoes [`inert`] when reading our own CSV back.
pub fn restore(text: &str) -> &str {
    match text.strip_prefix('\'') {
        Some(rest) if is_formula_like(rest) => rest,
        _ => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_get_an_apostrophe_and_numbers_and_plain_text_do_not() {
        for risky in [
            "=HYPERLINK(\"x\")",
            "+1+1",
            "-1+HYPERLINK(\"x\")",
            "@SUM(A1)",
            "\tcmd",
            "\rcmd",
            "-cmd",
            "-",
            "--5",
            "-5e3",
        ] {
            assert_eq!(inert(risky), format!("'{risky}"), "{risky:?}");
            assert_eq!(restore(&inert(risky)), risky);
        }
        for safe in ["-5", "-0.25", "plain", "", "5-3", "a=b", "'quoted"] {
            assert_eq!(inert(safe), safe, "{safe:?}");
            assert_eq!(restore(safe), safe);
        }
    }
}
