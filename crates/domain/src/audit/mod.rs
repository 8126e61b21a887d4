//! Audits (internal, ISO/IEC 27001 clause 9.2, and the certification body's Stage 1,
//! Stage 2, surveillance, recertification and special audits), their checklists, the
//! findings they raise, corrective actions (clause 10.2), and management reviews
//! (clause 9.3).

use serde::{Deserialize, Serialize};
use time::Date;

use crate::register::Entry;

mod checklist;
mod external;
mod finding;
mod management_review;

pub use checklist::*;
pub use external::*;
pub use finding::*;
pub use management_review::*;
