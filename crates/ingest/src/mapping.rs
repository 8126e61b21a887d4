//! Mapping files per tool: for results whose references reach no requirement (most
//! infrastructure-as-code and cloud-posture rules name none), which Annex A controls a
//! rule is evidence for, with where that reading comes from. isms ships some
//! (`crates/ingest/mappings/*.toml`); an installation adds or overrides them with
//! files of the same form in its mappings directory (docs/monitoring.md).
//!
//! ```toml
//! tool = "checkov"            # the tool, as runs name it (case-insensitive, * wildcard)
//! title = "Checkov policies → ISO/IEC 27001:2022 Annex A"
//! [provenance]
//! author = "isms maintainers"
//! method = "our reading of each policy against the controls' purpose"
//! date = "2026-12-06"
//! [[rules]]
//! rule = "CKV_AWS_19"         # the rule (* wildcard); the first rule that matches counts
//! controls = ["A.8.24"]
//! why = "S3 encryption at rest"
//! ```

use serde::Deserialize;

/// Where a mapping comes from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Provenance {
    /// Who wrote it.
    pub author: String,
    /// How the rules were matched to controls.
    pub method: String,
    /// When.
    #[serde(default)]
    pub date: String,
    /// What it was read from (the tool's policy index).
    #[serde(default)]
    pub source: String,
}

/// One rule (or family of rules) and the controls it is evidence for.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct RuleMap {
    /// The rule (`CKV_AWS_19`, or `CKV_AWS_*`).
    pub rule: String,
    /// The Annex A controls (`A.8.24`).
    pub controls: Vec<String>,
    /// Why, in a few words.
    #[serde(default)]
    pub why: String,
}

/// A mapping file.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct ToolMapping {
    /// Its name: the file's stem (`checkov`).
    #[serde(skip)]
    pub name: String,
    /// The tool it is for.
    pub tool: String,
    /// What it maps.
    pub title: String,
    /// Where it comes from.
    pub provenance: Provenance,
    /// The rules, in the order they are tried.
    pub rules: Vec<RuleMap>,
}

impl ToolMapping {
    /// True when it is for a run of `tool`.
    pub fn applies_to(&self, tool: &str) -> bool {
        isms_domain::check::glob(&self.tool.to_lowercase(), &tool.to_lowercase())
    }

    /// The first rule that matches `rule`.
    pub fn find(&self, rule: &str) -> Option<&RuleMap> {
        self.rules.iter().find(|r| isms_domain::check::glob(&r.rule, rule))
    }
}

/// Reads a mapping file named `name`; an error says what is wrong and where (line and
/// column).
pub fn parse(name: &str, text: &str) -> Result<ToolMapping, String> {
    let mut m: ToolMapping = toml::from_str(text).map_err(|e| {
        let place = e
            .span()
            .map(|s| {
                let line = text[..s.start.min(text.len())].matches('\n').count() + 1;
                format!(", line {line}")
            })
            .unwrap_or_default();
        format!("{name}{place}: {}", e.message())
    })?;
    if m.tool.trim().is_empty() {
        return Err(format!("{name}: `tool` is empty"));
    }
    if m.provenance.author.trim().is_empty() || m.provenance.method.trim().is_empty() {
        return Err(format!("{name}: [provenance] needs an author and a method"));
    }
    for (i, r) in m.rules.iter().enumerate() {
        if r.rule.trim().is_empty() || r.controls.is_empty() {
            return Err(format!("{name}: rules[{i}] needs a rule and at least one control"));
        }
    }
    m.name = name.trim_end_matches(".toml").to_owned();
    Ok(m)
}

/// The mapping files isms ships: (file name, text).
pub const SHIPPED: [(&str, &str); 1] = [("checkov.toml", include_str!("../mappings/checkov.toml"))];
