//! The frameworks and mappings compiled into the binary.

use isms_domain::framework::{Framework, Library, LibraryError, MappingSet};

use crate::format::{CatalogError, parse_framework, parse_mapping_set};

/// A shipped framework: its folder name and its two files.
#[derive(Debug, Clone, Copy)]
pub struct ShippedFramework {
    /// The folder under `frameworks/`.
    pub dir: &'static str,
    /// `framework.toml`.
    pub header: &'static str,
    /// `items.csv`.
    pub items: &'static str,
}

/// A shipped mapping set: its file stem and its two files.
#[derive(Debug, Clone, Copy)]
pub struct ShippedMapping {
    /// The file stem under `frameworks/mappings/`.
    pub name: &'static str,
    /// The `.toml` header.
    pub header: &'static str,
    /// The `.csv` links.
    pub links: &'static str,
}

macro_rules! framework {
    ($dir:literal) => {
        ShippedFramework {
            dir: $dir,
            header: include_str!(concat!("../../../frameworks/", $dir, "/framework.toml")),
            items: include_str!(concat!("../../../frameworks/", $dir, "/items.csv")),
        }
    };
}

macro_rules! mapping {
    ($name:literal) => {
        ShippedMapping {
            name: $name,
            header: include_str!(concat!("../../../frameworks/mappings/", $name, ".toml")),
            links: include_str!(concat!("../../../frameworks/mappings/", $name, ".csv")),
        }
    };
}

/// Every shipped framework, the pivot (ISO/IEC 27001:2022) first.
pub static SHIPPED_FRAMEWORKS: &[ShippedFramework] = &[
    framework!("iso27001-2022"),
    framework!("iso27001-2013"),
    framework!("nist-csf-2.0"),
    framework!("nist-800-53r5"),
    framework!("nist-800-171r2"),
    framework!("cmmc-2.0"),
    framework!("far-52.204-21"),
    framework!("hipaa-security"),
    framework!("glba-safeguards"),
    framework!("gdpr-art32"),
];

/// Every shipped mapping set.
pub static SHIPPED_MAPPINGS: &[ShippedMapping] = &[
    mapping!("iso27001-2013_to_iso27001-2022"),
    mapping!("nist-800-53r5_to_iso27001-2022"),
    mapping!("nist-csf-2.0_to_nist-800-53r5"),
    mapping!("nist-800-171r2_to_iso27001-2022"),
    mapping!("nist-800-171r2_to_iso27001-2022_isms"),
    mapping!("cmmc-2.0_to_nist-800-171r2"),
    mapping!("hipaa-security_to_nist-800-53r5"),
    mapping!("nist-csf-2.0_to_iso27001-2022"),
    mapping!("far-52.204-21_to_cmmc-2.0"),
    mapping!("hipaa-security_to_iso27001-2022"),
    mapping!("glba-safeguards_to_iso27001-2022"),
    mapping!("gdpr-art32_to_iso27001-2022"),
    mapping!("cmmc-2.0_to_iso27001-2022"),
    mapping!("far-52.204-21_to_iso27001-2022"),
];

fn located(e: &LibraryError) -> CatalogError {
    let file = match e {
        LibraryError::UnknownItem { mapping, .. } | LibraryError::UnknownFramework { mapping, .. } => {
            format!("frameworks/mappings/{mapping}.csv")
        }
        LibraryError::DuplicateFramework(id)
        | LibraryError::DuplicateItem { framework: id, .. }
        | LibraryError::MissingParent { framework: id, .. } => format!("framework {id}"),
    };
    let line = match e {
        LibraryError::UnknownItem { index, .. } => Some(*index as u64 + 1),
        _ => None,
    };
    CatalogError { file, line, field: None, message: e.to_string() }
}

/// Parses and validates the shipped library, plus `extra` frameworks (custom or
/// imported ones stored in the database).
pub fn load_with(extra: Vec<Framework>, extra_mappings: Vec<MappingSet>) -> Result<Library, Vec<CatalogError>> {
    let mut errors = Vec::new();
    let mut frameworks = Vec::with_capacity(SHIPPED_FRAMEWORKS.len() + extra.len());
    for f in SHIPPED_FRAMEWORKS {
        match parse_framework(&format!("frameworks/{}", f.dir), f.header, f.items) {
            Ok(fw) => frameworks.push(fw),
            Err(e) => errors.push(e),
        }
    }
    frameworks.extend(extra);
    let mut mappings = Vec::with_capacity(SHIPPED_MAPPINGS.len() + extra_mappings.len());
    for m in SHIPPED_MAPPINGS {
        match parse_mapping_set(m.name, m.header, m.links) {
            Ok(set) => mappings.push(set),
            Err(e) => errors.push(e),
        }
    }
    mappings.extend(extra_mappings);
    if !errors.is_empty() {
        return Err(errors);
    }
    Library::build(frameworks, mappings).map_err(|errs| errs.iter().map(located).collect())
}

/// Parses and validates the shipped library.
pub fn load_shipped() -> Result<Library, Vec<CatalogError>> {
    load_with(Vec::new(), Vec::new())
}

#[cfg(test)]
mod tests;
