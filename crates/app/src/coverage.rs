//! How far the organization's Annex A work reaches into the other frameworks it uses,
//! through the crosswalk: the requirements mapped, and those met by applicable,
//! implemented controls.

use isms_domain::access::UseCase;
use isms_domain::framework::{FrameworkId, ItemRef, PIVOT};
use serde::Serialize;

use crate::access::Actor;
use crate::frameworks::{in_use_of, library};
use crate::{AppError, AppResult, Code, Cx};

/// How far the organization's Annex A controls reach into one framework it uses,
/// through the crosswalk.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CrosswalkCoverage {
    /// The framework.
    pub framework: String,
    /// Its name.
    pub name: String,
    /// Its requirements (items that are not only headings).
    pub requirements: usize,
    /// Requirements some Annex A control maps to, directly or through another framework.
    pub mapped: usize,
    /// Requirements an applicable control maps to.
    pub applicable: usize,
    /// Requirements an applicable, implemented control maps to.
    pub implemented: usize,
}

impl CrosswalkCoverage {
    /// `implemented` as a whole percentage of `requirements`.
    pub fn percent(&self) -> usize {
        (self.implemented * 100).checked_div(self.requirements).unwrap_or(0)
    }
}

/// For each framework the organization uses (besides ISO/IEC 27001 itself): how many of
/// its requirements the Annex A controls reach through the crosswalk, and how many of
/// those through controls that apply and are implemented in the SoA.
pub async fn crosswalk_coverage(cx: &Cx, actor: &Actor) -> AppResult<Vec<CrosswalkCoverage>> {
    use isms_domain::soa::ControlStatus;
    actor.require(UseCase::ReadIsms)?;
    let org = actor.org();
    let lib = library(cx).await?;
    let controls = crate::controls::controls_of(cx, org).await?;
    let mut out = Vec::new();
    for id in in_use_of(cx, org).await?.into_iter().filter(|f| f.as_str() != PIVOT) {
        let Some(fw) = lib.framework(id.as_str()) else { continue };
        let mut mapped = std::collections::HashSet::new();
        let mut applicable = std::collections::HashSet::new();
        let mut implemented = std::collections::HashSet::new();
        for c in &controls {
            let from = ItemRef {
                framework: FrameworkId::parse(PIVOT).map_err(|m| AppError::new(Code::CatalogInvalid, m))?,
                item: c.record.control.clone(),
            };
            let Ok(hits) = lib.crosswalk(&from, Some(&id)) else { continue };
            for h in hits {
                if c.record.applicable {
                    applicable.insert(h.target.item.clone());
                    if c.record.status == ControlStatus::Implemented {
                        implemented.insert(h.target.item.clone());
                    }
                }
                mapped.insert(h.target.item);
            }
        }
        let requirements: Vec<&str> =
            fw.items.iter().filter(|i| !i.kind.is_grouping()).map(|i| i.id.as_str()).collect();
        let count = |set: &std::collections::HashSet<String>| requirements.iter().filter(|r| set.contains(**r)).count();
        out.push(CrosswalkCoverage {
            framework: id.to_string(),
            name: fw.name.clone(),
            requirements: requirements.len(),
            mapped: count(&mapped),
            applicable: count(&applicable),
            implemented: count(&implemented),
        });
    }
    Ok(out)
}
