//! isms-catalog: the framework library.
//!
//! Frameworks and mappings are plain files under `frameworks/` in the repository,
//! compiled into the binary: per framework a `framework.toml` (what it is, where the
//! data came from) and an `items.csv` (one item per row); per mapping set a `.toml`
//! header and a `.csv` of links. The same format is what users write for custom
//! frameworks. [`load_shipped`] parses and validates everything at start-up.

mod advice;
mod format;
mod shipped;
mod threats;

pub use advice::advice_rules;
pub use format::{CatalogError, parse_framework, parse_mapping_set, write_items_csv};
pub use shipped::{SHIPPED_FRAMEWORKS, SHIPPED_MAPPINGS, load_shipped, load_with};
pub use threats::{Threat, threats};
