//! The threat catalog: about forty common threats in our own words, each suggesting
//! the Annex A controls that usually treat it, to speed up risk assessments.
//! (`frameworks/threats.csv`, compiled in.)

use std::sync::LazyLock;

use serde::Serialize;

/// A common threat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Threat {
    /// `T-01`.
    pub id: String,
    /// Its name.
    pub name: String,
    /// What it looks like.
    pub description: String,
    /// Annex A controls that usually treat it.
    pub controls: Vec<String>,
}

const THREATS_CSV: &str = include_str!("../../../frameworks/threats.csv");

static THREATS: LazyLock<Vec<Threat>> = LazyLock::new(|| {
    let mut reader = csv::Reader::from_reader(THREATS_CSV.as_bytes());
    reader
        .records()
        .filter_map(Result::ok)
        .map(|r| Threat {
            id: r.get(0).unwrap_or_default().to_owned(),
            name: r.get(1).unwrap_or_default().to_owned(),
            description: r.get(2).unwrap_or_default().to_owned(),
            controls: r
                .get(3)
                .unwrap_or_default()
                .split(';')
                .filter(|c| !c.is_empty())
                .map(ToOwned::to_owned)
                .collect(),
        })
        .collect()
});

/// The threat catalog.
pub fn threats() -> &'static [Threat] {
    &THREATS
}

#[cfg(test)]
mod tests {
    use isms_domain::framework::ItemKind;

    use super::*;

    #[test]
    fn the_catalog_has_about_forty_threats_each_suggesting_real_annex_a_controls() {
        let lib = crate::load_shipped().unwrap();
        let all = threats();
        assert_eq!(all.len(), 40);
        assert_eq!(
            all.iter().map(|t| t.id.as_str()).collect::<std::collections::BTreeSet<_>>().len(),
            40,
            "ids are unique"
        );
        for t in all {
            assert!(!t.name.is_empty() && !t.description.is_empty(), "{t:?}");
            assert!(!t.controls.is_empty(), "{} suggests no control", t.id);
            for c in &t.controls {
                let item = lib.item("iso27001-2022", c);
                assert!(item.is_some_and(|i| i.kind == ItemKind::Control), "{}: {c} is not an Annex A control", t.id);
            }
        }
        assert_eq!(all[0].name, "Ransomware");
    }
}
