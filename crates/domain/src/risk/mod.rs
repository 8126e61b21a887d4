//! Information security risk (ISO/IEC 27001:2022 6.1.2, 6.1.3, 8.2, 8.3): the
//! organization's methodology (scales, matrix, acceptance criteria), the risks
//! assessed with it, their treatment and their acceptance by the risk owner.
//!
//! Levels are never stored as the truth: they are read from the current methodology's
//! matrix, so changing the matrix re-levels every risk; each risk keeps the history of
//! the levels it had under earlier versions.

use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

use crate::register::Entry;

mod assessment;
mod methodology;
mod quantitative;

pub use assessment::*;
pub use methodology::*;
pub use quantitative::*;
