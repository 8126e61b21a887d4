//! "Test once, satisfy many": how far the organization's Annex A work reaches into the
//! other frameworks it uses, through the crosswalk, requirement by requirement.
//!
//! A requirement is **covered** when an applicable, implemented control reaches it by a
//! link stronger than `intersects`, or when a mapping set names Annex A controls for it
//! directly and every one of them applies and is implemented. It is **partly covered**
//! when some of the controls a mapping names are not implemented yet (or are excluded),
//! or when applicable controls reach it only through `intersects` links by way of
//! another framework. It is **not covered** when no Annex A control reaches it, or only
//! controls excluded from the SoA do. Every answer keeps the controls and the paths
//! behind it, each link with its mapping set and who says it holds.
//!
//! Every mapping to ISO/IEC 27001 in the library says `intersects` (that is how NIST's
//! OLIR mappings are published), so "covered" means "everything the mapping names is in
//! place", never "equivalent": the other framework's assessor still looks at the
//! requirement itself.

use std::collections::BTreeMap;
use std::sync::Arc;

use isms_domain::access::UseCase;
use isms_domain::crosswalk::Path;
use isms_domain::framework::{FrameworkId, ItemRef, Library, MappingProvenance, PIVOT, Relation};
use isms_domain::soa::ControlStatus;
use isms_reports::table::Table;
use serde::Serialize;

use crate::access::Actor;
use crate::controls::ControlView;
use crate::export::{DocFormat, render_table};
use crate::frameworks::{in_use_of, library};
use crate::{AppError, AppResult, Code, Cx};

/// How much of one requirement the ISMS covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Reach {
    /// Every control a mapping names for it applies and is implemented, or an
    /// implemented control is linked to it more closely than `intersects`.
    Covered,
    /// Some controls a mapping names are not implemented yet or are excluded, or
    /// applicable controls reach it only indirectly through `intersects` links.
    Partial,
    /// No Annex A control reaches it, or only controls excluded from the SoA do.
    NotCovered,
}

impl Reach {
    /// The written name.
    pub fn label(self) -> &'static str {
        match self {
            Reach::Covered => "covered",
            Reach::Partial => "partly covered",
            Reach::NotCovered => "not covered",
        }
    }
}

/// An Annex A control that reaches a requirement, and how.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ControlReach {
    /// The control (`A.5.15`).
    pub control: String,
    /// Its short title.
    pub title: String,
    /// Applicable in the SoA.
    pub applicable: bool,
    /// Its implementation status.
    pub status: ControlStatus,
    /// The strongest relation over its paths.
    pub relation: Relation,
    /// True when a mapping set links the control and the requirement directly.
    pub direct: bool,
    /// The paths from the control to the requirement: the direct link when there is
    /// one, else every path through another framework.
    pub paths: Vec<Path>,
}

impl ControlReach {
    fn counts(&self) -> bool {
        self.applicable && self.status != ControlStatus::NotApplicable
    }
}

/// One requirement of a framework and how much the ISMS covers it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RequirementCoverage {
    /// The requirement's id in its framework.
    pub item: String,
    /// Its title.
    pub title: String,
    /// How much is covered.
    pub reach: Reach,
    /// Why, in words naming the controls.
    pub why: String,
    /// The controls that reach it, strongest first.
    pub through: Vec<ControlReach>,
}

/// One framework in use: its requirements and how much of each the ISMS covers.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct FrameworkCoverage {
    /// The numbers.
    #[serde(flatten)]
    pub summary: CrosswalkCoverage,
    /// Every requirement, in the framework's order.
    pub items: Vec<RequirementCoverage>,
}

impl FrameworkCoverage {
    /// The requirements not fully covered: the gaps.
    pub fn gaps(&self) -> impl Iterator<Item = &RequirementCoverage> {
        self.items.iter().filter(|i| i.reach != Reach::Covered)
    }
}

/// The numbers of one framework's coverage.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CrosswalkCoverage {
    /// The framework.
    pub framework: String,
    /// Its name.
    pub name: String,
    /// Its requirements (items that are not only headings).
    pub requirements: usize,
    /// Requirements covered.
    pub covered: usize,
    /// Requirements partly covered.
    pub partial: usize,
    /// Requirements not covered.
    pub not_covered: usize,
    /// `covered` as a whole percentage of `requirements`.
    pub percent: usize,
}

/// Who says a link holds, in words.
pub fn provenance_words(p: MappingProvenance) -> &'static str {
    match p {
        MappingProvenance::Official => "official mapping",
        MappingProvenance::OwnAnalysis => "isms analysis",
        MappingProvenance::Derived => "derived from official mappings",
    }
}

/// A relation in words (`subset of`).
pub fn relation_words(r: Relation) -> String {
    r.as_str().replace('_', " ")
}

/// A path as one line: `A.5.15 → NIST SP 800-53 AC-1 (intersects, official mapping) → …`.
pub fn path_text(path: &Path, name_of: impl Fn(&str) -> String) -> String {
    let mut text = path.steps.first().map(|s| s.from.item.clone()).unwrap_or_default();
    for s in &path.steps {
        text.push_str(&format!(
            " → {} {} ({}, {})",
            name_of(s.to.framework.as_str()),
            s.to.item,
            relation_words(s.relation),
            provenance_words(s.provenance)
        ));
    }
    text
}

fn judge(through: &[ControlReach]) -> (Reach, String) {
    let list = |v: &[&ControlReach]| {
        v.iter()
            .map(|c| {
                let state = if c.counts() { c.status.as_str().replace('_', " ") } else { "excluded".to_owned() };
                format!("{} ({state})", c.control)
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let done = |c: &&ControlReach| c.counts() && c.status == ControlStatus::Implemented;
    let strong: Vec<&ControlReach> =
        through.iter().filter(done).filter(|c| c.relation != Relation::Intersects).collect();
    if !strong.is_empty() {
        return (Reach::Covered, format!("implemented, linked more closely than intersects: {}", list(&strong)));
    }
    let direct: Vec<&ControlReach> = through.iter().filter(|c| c.direct).collect();
    if !direct.is_empty() && direct.iter().all(done) {
        return (Reach::Covered, format!("every control the mapping names is implemented: {}", list(&direct)));
    }
    let counting: Vec<&ControlReach> = through.iter().filter(|c| c.counts()).collect();
    if direct.iter().any(|c| c.counts()) {
        let open: Vec<&ControlReach> = direct.iter().copied().filter(|c| !done(c)).collect();
        return (
            Reach::Partial,
            format!("of the controls the mapping names, not implemented or excluded: {}", list(&open)),
        );
    }
    if !counting.is_empty() {
        let state = if counting.iter().any(done) { "" } else { ", none implemented yet" };
        return (
            Reach::Partial,
            format!("reached only through intersects links via another framework{state}: {}", list(&counting)),
        );
    }
    if !through.is_empty() {
        let all: Vec<&ControlReach> = through.iter().collect();
        return (Reach::NotCovered, format!("reached only by controls excluded from the SoA: {}", list(&all)));
    }
    (Reach::NotCovered, "no Annex A control maps to it".to_owned())
}

fn compute(lib: &Library, controls: &[ControlView], in_use: &[FrameworkId]) -> AppResult<Vec<FrameworkCoverage>> {
    let pivot = FrameworkId::parse(PIVOT).map_err(|m| AppError::new(Code::CatalogInvalid, m))?;
    let wanted: Vec<&FrameworkId> = in_use.iter().filter(|f| f.as_str() != PIVOT).collect();
    // framework -> requirement -> the controls reaching it: one walk per control.
    let mut reached: BTreeMap<String, BTreeMap<String, Vec<ControlReach>>> = BTreeMap::new();
    for c in controls {
        let from = ItemRef { framework: pivot.clone(), item: c.record.control.clone() };
        let Ok(hits) = lib.crosswalk(&from, None) else { continue };
        for h in hits {
            if !wanted.contains(&&h.target.framework) {
                continue;
            }
            // A direct link is what the answer rests on; the indirect ways to the same
            // requirement add nothing to it (the crosswalk explorer shows them all).
            let paths = if h.direct { h.paths.into_iter().filter(|p| p.steps.len() == 1).collect() } else { h.paths };
            reached.entry(h.target.framework.to_string()).or_default().entry(h.target.item).or_default().push(
                ControlReach {
                    control: c.record.control.clone(),
                    title: c.title.clone(),
                    applicable: c.record.applicable,
                    status: c.record.status,
                    relation: h.relation,
                    direct: h.direct,
                    paths,
                },
            );
        }
    }
    let mut out = Vec::new();
    for id in wanted {
        let Some(fw) = lib.framework(id.as_str()) else { continue };
        let mut by_item = reached.remove(id.as_str()).unwrap_or_default();
        let items: Vec<RequirementCoverage> = fw
            .items
            .iter()
            .filter(|i| !i.kind.is_grouping())
            .map(|i| {
                let mut through = by_item.remove(&i.id).unwrap_or_default();
                through.sort_by_key(|c| (!c.direct, !c.counts(), c.status != ControlStatus::Implemented));
                let (reach, why) = judge(&through);
                RequirementCoverage { item: i.id.clone(), title: i.title.clone(), reach, why, through }
            })
            .collect();
        let count = |r: Reach| items.iter().filter(|i| i.reach == r).count();
        let (covered, partial, not_covered) = (count(Reach::Covered), count(Reach::Partial), count(Reach::NotCovered));
        out.push(FrameworkCoverage {
            summary: CrosswalkCoverage {
                framework: id.to_string(),
                name: fw.name.clone(),
                requirements: items.len(),
                covered,
                partial,
                not_covered,
                percent: (covered * 100).checked_div(items.len()).unwrap_or(0),
            },
            items,
        });
    }
    Ok(out)
}

/// What the coverage was computed from and the answer, as kept per data version.
struct Kept {
    library: Arc<Library>,
    coverage: Arc<Vec<FrameworkCoverage>>,
}

pub(crate) async fn coverage_of(cx: &Cx, org: isms_domain::OrgId) -> AppResult<Arc<Vec<FrameworkCoverage>>> {
    let lib = library(cx).await?;
    let make = || async {
        let controls = crate::controls::controls_of(cx, org).await?;
        let in_use = in_use_of(cx, org).await?;
        Ok(Kept { library: lib.clone(), coverage: Arc::new(compute(&lib, &controls, &in_use)?) })
    };
    let kept = crate::cache::kept(cx, org, "coverage", make).await?;
    if Arc::ptr_eq(&kept.library, &lib) {
        return Ok(kept.coverage.clone());
    }
    // A framework was imported since: the library changed, not the organization's data.
    let controls = crate::controls::controls_of(cx, org).await?;
    Ok(Arc::new(compute(&lib, &controls, &in_use_of(cx, org).await?)?))
}

/// The coverage of one framework, whether the organization uses it or not (the OSCAL
/// SSP presented against another framework).
pub(crate) async fn coverage_for(
    cx: &Cx,
    org: isms_domain::OrgId,
    framework: &FrameworkId,
) -> AppResult<FrameworkCoverage> {
    let lib = library(cx).await?;
    let controls = crate::controls::controls_of(cx, org).await?;
    compute(&lib, &controls, std::slice::from_ref(framework))?
        .into_iter()
        .next()
        .ok_or_else(|| AppError::new(Code::FrameworkNotFound, format!("there is no framework {framework}")))
}

/// For each framework the organization uses besides ISO/IEC 27001: every requirement
/// and how much the ISMS covers it, with the controls and paths behind each answer.
/// `framework` narrows to one (it must be in use).
pub async fn coverage(cx: &Cx, actor: &Actor, framework: Option<&str>) -> AppResult<Vec<FrameworkCoverage>> {
    actor.require(UseCase::ReadIsms)?;
    let all = coverage_of(cx, actor.org()).await?;
    let Some(wanted) = framework else { return Ok(all.as_ref().clone()) };
    let wanted = wanted.trim();
    match all.iter().find(|f| f.summary.framework == wanted) {
        Some(f) => Ok(vec![f.clone()]),
        None if wanted == PIVOT => Err(AppError::invalid_field(
            "framework",
            "ISO/IEC 27001 is the ISMS itself: coverage is shown for the other frameworks in use",
        )),
        None => {
            let known = library(cx).await?.framework(wanted).is_some();
            let in_use: Vec<String> = all.iter().map(|f| f.summary.framework.clone()).collect();
            let hint = if in_use.is_empty() { "none besides ISO/IEC 27001".to_owned() } else { in_use.join(", ") };
            Err(if known {
                AppError::invalid_field(
                    "framework",
                    format!("{wanted} is not in use: adopt it first (`isms framework adopt {wanted}`); in use: {hint}"),
                )
            } else {
                AppError::new(Code::FrameworkNotFound, format!("there is no framework {wanted}; in use: {hint}"))
            })
        }
    }
}

/// The numbers per framework in use, without the requirements (the dashboard's and the
/// crosswalk page's summary).
pub async fn crosswalk_coverage(cx: &Cx, actor: &Actor) -> AppResult<Vec<CrosswalkCoverage>> {
    actor.require(UseCase::ReadIsms)?;
    Ok(coverage_of(cx, actor.org()).await?.iter().map(|f| f.summary.clone()).collect())
}

/// The coverage as a table: one row per requirement, with its reach, why, the controls
/// and every path with its provenance. `gaps_only` keeps the requirements not covered.
pub async fn coverage_table(cx: &Cx, actor: &Actor, framework: Option<&str>, gaps_only: bool) -> AppResult<Table> {
    actor.require(UseCase::ReadIsms)?;
    let all = coverage(cx, actor, framework).await?;
    let lib = library(cx).await?;
    let name_of = |id: &str| lib.framework(id).map_or(id.to_owned(), |f| f.name.clone());
    let organization = cx.read().await?.organization(actor.org()).await?.name;
    let summary: Vec<String> = all
        .iter()
        .map(|f| &f.summary)
        .map(|f| {
            format!(
                "{}: {}% covered ({} covered, {} partly, {} not of {})",
                f.name, f.percent, f.covered, f.partial, f.not_covered, f.requirements
            )
        })
        .collect();
    let mut rows = Vec::new();
    for f in all.iter() {
        for r in &f.items {
            if gaps_only && r.reach == Reach::Covered {
                continue;
            }
            let controls = r
                .through
                .iter()
                .map(|c| {
                    let scope = if c.counts() { c.status.as_str().replace('_', " ") } else { "excluded".to_owned() };
                    format!("{} {} ({scope})", c.control, c.title)
                })
                .collect::<Vec<_>>()
                .join("\n");
            let paths = r
                .through
                .iter()
                .flat_map(|c| c.paths.iter().map(|p| path_text(p, name_of)))
                .collect::<Vec<_>>()
                .join("\n");
            rows.push(vec![
                f.summary.name.clone(),
                r.item.clone(),
                r.title.clone(),
                r.reach.label().to_owned(),
                r.why.clone(),
                controls,
                paths,
            ]);
        }
    }
    Ok(Table {
        title: if gaps_only { "Coverage gaps".to_owned() } else { "Coverage across frameworks".to_owned() },
        subtitle: format!("{organization} — {} — {}", cx.clock.today(), summary.join("; ")),
        headers: [
            "Framework",
            "Requirement",
            "Title",
            "Coverage",
            "Why",
            "Annex A controls",
            "Paths (relation, provenance)",
        ]
        .map(String::from)
        .to_vec(),
        rows,
        widths: vec![22, 14, 40, 14, 40, 40, 70],
    })
}

/// [`coverage_table`] rendered as XLSX, CSV, Markdown or JSON.
pub async fn coverage_export(
    cx: &Cx,
    actor: &Actor,
    framework: Option<&str>,
    gaps_only: bool,
    format: DocFormat,
) -> AppResult<Vec<u8>> {
    actor.require(UseCase::ReadIsms)?;
    render_table(&coverage_table(cx, actor, framework, gaps_only).await?, format)
}
