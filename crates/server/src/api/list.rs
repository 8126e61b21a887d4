//! One way to page, filter and sort every list: `?limit=50&offset=0&sort=-field` and
//! `field=value` for equality on a top-level field. Unknown fields are errors that
//! name the parameter, not silently ignored.

use std::collections::BTreeMap;

use isms_app::{AppError, AppResult, FieldError};
use serde::Serialize;
use serde_json::Value;

/// Items per page when `limit` is not given.
pub const DEFAULT_LIMIT: usize = 50;
/// The largest page.
pub const MAX_LIMIT: usize = 500;

fn invalid(field: &str, message: String) -> AppError {
    AppError::invalid(vec![FieldError { field: field.to_owned(), message }])
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn compare(a: &Value, b: &Value) -> std::cmp::Ordering {
    match (a, b) {
        (Value::String(x), Value::String(y)) => x.cmp(y),
        _ => match (a.as_f64(), b.as_f64()) {
            (Some(x), Some(y)) => x.total_cmp(&y),
            _ => text(a).cmp(&text(b)),
        },
    }
}

/// A page of a list, as every list answers.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Page<T> {
    /// This page's items.
    pub items: Vec<T>,
    /// How many items match the filters, over all pages.
    pub total: usize,
    /// The most items a page holds.
    pub limit: usize,
    /// Items skipped before this page.
    pub offset: usize,
}

/// Applies the query's filters, sort and page to `items`; answers
/// `{items, total, limit, offset}` where `total` counts the filtered items.
pub fn page<T: Serialize>(items: &[T], query: &BTreeMap<String, String>) -> AppResult<Value> {
    let rows: Vec<Value> = items.iter().map(|i| serde_json::to_value(i).unwrap_or(Value::Null)).collect();
    page_rows(&rows, query)
}

/// [`page`] over items already turned into JSON (a register kept between requests):
/// filters and sorts references and copies only the page it answers.
pub fn page_rows(all: &[Value], query: &BTreeMap<String, String>) -> AppResult<Value> {
    let fields: Vec<String> =
        all.first().and_then(Value::as_object).map(|o| o.keys().cloned().collect()).unwrap_or_default();
    let empty = all.is_empty();
    let known = |f: &str| empty || fields.iter().any(|k| k == f);
    let number = |name: &str, default: usize| -> AppResult<usize> {
        query.get(name).map_or(Ok(default), |v| {
            v.parse().map_err(|_| invalid(name, format!("{v:?} is not a non-negative whole number")))
        })
    };
    let limit = number("limit", DEFAULT_LIMIT)?;
    if limit == 0 || limit > MAX_LIMIT {
        return Err(invalid("limit", format!("must be between 1 and {MAX_LIMIT}")));
    }
    let offset = number("offset", 0)?;
    let mut rows: Vec<&Value> = all.iter().collect();
    for (name, wanted) in query.iter().filter(|(k, _)| !matches!(k.as_str(), "limit" | "offset" | "sort")) {
        if !known(name) {
            return Err(invalid(name, format!("unknown filter; the fields are {}", fields.join(", "))));
        }
        rows.retain(|r| text(&r[name.as_str()]) == *wanted);
    }
    if let Some(sort) = query.get("sort") {
        let (field, descending) = sort.strip_prefix('-').map_or((sort.as_str(), false), |f| (f, true));
        if !known(field) {
            return Err(invalid("sort", format!("unknown field {field:?}; the fields are {}", fields.join(", "))));
        }
        rows.sort_by(|a, b| {
            let o = compare(&a[field], &b[field]);
            if descending { o.reverse() } else { o }
        });
    }
    let total = rows.len();
    let items: Vec<Value> = rows.into_iter().skip(offset).take(limit).cloned().collect();
    Ok(serde_json::to_value(Page { items, total, limit, offset }).unwrap_or(Value::Null))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn q(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    fn rows() -> Vec<Value> {
        (1..=7)
            .map(|i| json!({ "id": format!("R-{i}"), "score": i * 3 % 7, "owner": if i % 2 == 0 { "a" } else { "b" } }))
            .collect()
    }

    #[test]
    fn pages_filters_and_sorts() {
        let out = page(&rows(), &q(&[("owner", "a"), ("sort", "-score"), ("limit", "2")])).unwrap();
        assert_eq!(out["total"], 3);
        let ids: Vec<&str> = out["items"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect();
        assert_eq!(ids, ["R-2", "R-4"], "scores 6, 5, 4 descending, first two");
        let next = page(&rows(), &q(&[("owner", "a"), ("sort", "-score"), ("limit", "2"), ("offset", "2")])).unwrap();
        assert_eq!(next["items"][0]["id"], "R-6");
    }

    #[test]
    fn bad_parameters_name_themselves() {
        for (query, field) in [
            (q(&[("limit", "0")]), "limit"),
            (q(&[("limit", "x")]), "limit"),
            (q(&[("offset", "-1")]), "offset"),
            (q(&[("sort", "nope")]), "sort"),
            (q(&[("colour", "red")]), "colour"),
        ] {
            let e = page(&rows(), &query).unwrap_err();
            assert_eq!(e.fields[0].field, field, "{query:?}");
        }
    }
}
