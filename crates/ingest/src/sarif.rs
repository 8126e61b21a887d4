//! SARIF 2.1.0 (Semgrep, Checkov, Trivy, CodeQL …). Read in two passes, so memory
//! stays flat whatever the order of a run's members (Semgrep writes its results
//! before its rules): the first reads each run's tool and rules and checks the whole
//! file is well-formed, skipping the results; the second hands the results on one by
//! one. A result without `kind` is a failure (SARIF's default); its severity is the
//! rule's `security-severity` (CodeQL), else the result's or the rule's level.

use std::collections::HashMap;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use crate::json::Walk;
use crate::{CheckResult, Found, IngestError, Outcome, Reference, Severity, Sink, Source, cwe};

#[derive(Deserialize)]
struct Pass1 {
    version: String,
    runs: Vec<Run1>,
}

#[derive(Deserialize)]
struct Run1 {
    tool: Tool,
    #[serde(default)]
    #[expect(dead_code, reason = "skipped in the first pass; its presence is checked")]
    results: IgnoredAny,
}

#[derive(Deserialize)]
struct Tool {
    driver: Driver,
    #[serde(default)]
    extensions: Vec<Driver>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: String,
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    semantic_version: Option<String>,
    #[serde(default)]
    rules: Vec<RuleDef>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RuleDef {
    id: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    short_description: Option<Text>,
    #[serde(default)]
    default_configuration: Option<Configuration>,
    #[serde(default)]
    properties: Option<Value>,
}

#[derive(Deserialize)]
struct Text {
    #[serde(default)]
    text: Option<String>,
}

#[derive(Deserialize)]
struct Configuration {
    #[serde(default)]
    level: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    #[serde(default)]
    rule_id: Option<String>,
    #[serde(default)]
    rule_index: Option<i64>,
    #[serde(default)]
    rule: Option<RuleRef>,
    #[serde(default)]
    level: Option<String>,
    #[serde(default)]
    kind: Option<String>,
    message: Message,
    #[serde(default)]
    locations: Vec<Location>,
    #[serde(default)]
    properties: Option<Value>,
}

#[derive(Deserialize)]
struct RuleRef {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    index: Option<i64>,
}

#[derive(Deserialize)]
struct Message {
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    #[serde(default)]
    physical_location: Option<Physical>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Physical {
    #[serde(default)]
    artifact_location: Option<Artifact>,
    #[serde(default)]
    region: Option<Region>,
}

#[derive(Deserialize)]
struct Artifact {
    #[serde(default)]
    uri: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    #[serde(default)]
    start_line: Option<u64>,
}

/// What a run's rules say.
#[derive(Default, Clone)]
struct RuleInfo {
    title: String,
    level: Option<String>,
    security_severity: Option<f64>,
    cwes: Vec<String>,
}

struct RunRules {
    by_id: HashMap<String, RuleInfo>,
    by_index: Vec<String>,
}

fn tags_of(properties: Option<&Value>) -> Vec<String> {
    properties
        .and_then(|p| p.get("tags"))
        .and_then(Value::as_array)
        .map(|tags| tags.iter().filter_map(Value::as_str).filter_map(cwe).collect())
        .unwrap_or_default()
}

fn rules_of(run: &Run1) -> RunRules {
    let mut by_id = HashMap::new();
    let mut by_index = Vec::new();
    for (n, driver) in std::iter::once(&run.tool.driver).chain(run.tool.extensions.iter()).enumerate() {
        for r in &driver.rules {
            if n == 0 {
                by_index.push(r.id.clone());
            }
            let security_severity =
                r.properties.as_ref().and_then(|p| p.get("security-severity")).and_then(|v| match v {
                    Value::String(s) => s.trim().parse::<f64>().ok(),
                    Value::Number(n) => n.as_f64(),
                    _ => None,
                });
            by_id.insert(
                r.id.clone(),
                RuleInfo {
                    title: r
                        .short_description
                        .as_ref()
                        .and_then(|t| t.text.clone())
                        .or_else(|| r.name.clone())
                        .unwrap_or_default(),
                    level: r.default_configuration.as_ref().and_then(|c| c.level.clone()),
                    security_severity,
                    cwes: tags_of(r.properties.as_ref()),
                },
            );
        }
    }
    RunRules { by_id, by_index }
}

fn severity(score: Option<f64>, level: Option<&str>) -> Severity {
    match score {
        Some(s) if s >= 9.0 => Severity::Critical,
        Some(s) if s >= 7.0 => Severity::High,
        Some(s) if s >= 4.0 => Severity::Medium,
        Some(s) if s > 0.0 => Severity::Low,
        Some(_) => Severity::Info,
        None => Severity::parse(level.unwrap_or("warning")),
    }
}

pub(crate) fn read(file: &str, source: &dyn Source, sink: &mut Sink<'_>) -> Result<Found, IngestError> {
    let io = |e| IngestError::Io { file: file.to_owned(), source: e };
    // Pass 1: the tools and rules; the whole file is checked well-formed.
    let walk = Walk::new(file);
    let mut de =
        serde_json::Deserializer::from_reader(std::io::BufReader::with_capacity(64 * 1024, source.open().map_err(io)?));
    let first = first_pass(&walk, &mut de)?;
    if first.version != "2.1.0" {
        return Err(IngestError::Malformed {
            file: file.to_owned(),
            element: "version".to_owned(),
            message: format!("SARIF {:?}: isms reads SARIF 2.1.0", first.version),
        });
    }
    let runs: Vec<RunRules> = first.runs.iter().map(rules_of).collect();
    let found = first
        .runs
        .first()
        .map(|r| Found {
            tool: r.tool.driver.name.clone(),
            version: r
                .tool
                .driver
                .semantic_version
                .clone()
                .or_else(|| r.tool.driver.version.clone())
                .unwrap_or_default(),
        })
        .unwrap_or_default();
    drop(first);
    // Pass 2: the results, one at a time.
    let walk = Walk::new(file);
    let mut de =
        serde_json::Deserializer::from_reader(std::io::BufReader::with_capacity(64 * 1024, source.open().map_err(io)?));
    de::Deserializer::deserialize_map(&mut de, Doc { walk: &walk, runs: &runs, sink }).map_err(|e| walk.error(&e))?;
    Ok(found)
}

/// Deserializes the first pass, naming where it failed.
fn first_pass<'de, R: serde_json::de::Read<'de>>(
    walk: &Walk,
    de: &mut serde_json::Deserializer<R>,
) -> Result<Pass1, IngestError> {
    let value = serde_path_to_error::deserialize::<_, Pass1>(&mut *de).map_err(|e| {
        let path = e.path().to_string();
        *walk.at.borrow_mut() = if path == "." { String::new() } else { path };
        walk.error(e.inner())
    })?;
    de.end().map_err(|e| walk.error(&e))?;
    Ok(value)
}

struct Doc<'a, 's> {
    walk: &'a Walk,
    runs: &'a [RunRules],
    sink: &'a mut Sink<'s>,
}

impl<'de> Visitor<'de> for Doc<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a SARIF log")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(k) = map.next_key::<String>()? {
            if k == "runs" {
                map.next_value_seed(Runs { walk: self.walk, runs: self.runs, sink: &mut *self.sink })?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

struct Runs<'a, 's> {
    walk: &'a Walk,
    runs: &'a [RunRules],
    sink: &'a mut Sink<'s>,
}

impl<'de> DeserializeSeed<'de> for Runs<'_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Runs<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the runs")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        // The first pass read every run's rules; the same runs come again here.
        let mut i = 0;
        while let Some(rules) = self.runs.get(i) {
            if seq.next_element_seed(OneRun { walk: self.walk, index: i, rules, sink: &mut *self.sink })?.is_none() {
                break;
            }
            i += 1;
        }
        Ok(())
    }
}

struct OneRun<'a, 's> {
    walk: &'a Walk,
    index: usize,
    rules: &'a RunRules,
    sink: &'a mut Sink<'s>,
}

impl<'de> DeserializeSeed<'de> for OneRun<'_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for OneRun<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a run")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(k) = map.next_key::<String>()? {
            if k == "results" {
                map.next_value_seed(Results {
                    walk: self.walk,
                    run: self.index,
                    rules: self.rules,
                    sink: &mut *self.sink,
                })?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

struct Results<'a, 's> {
    walk: &'a Walk,
    run: usize,
    rules: &'a RunRules,
    sink: &'a mut Sink<'s>,
}

impl<'de> DeserializeSeed<'de> for Results<'_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Results<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the results")
    }

    /// `"results": null` is allowed: the run has none.
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut i = 0usize;
        loop {
            *self.walk.at.borrow_mut() = format!("runs[{}].results[{i}]", self.run);
            let Some(r) = seq.next_element::<SarifResult>()? else { break };
            i += 1;
            let Some(check) = convert(r, self.rules) else { continue };
            if let Err(m) = (self.sink)(check) {
                *self.walk.stopped.borrow_mut() = Some(m);
                return Err(de::Error::custom("stopped"));
            }
        }
        Ok(())
    }
}

fn convert(r: SarifResult, rules: &RunRules) -> Option<CheckResult> {
    let outcome = match r.kind.as_deref().unwrap_or("fail") {
        "pass" => Outcome::Pass,
        "fail" => Outcome::Fail,
        "notApplicable" => Outcome::NotApplicable,
        "informational" => return None, // not a check
        _ => Outcome::Error,            // open, review, or a kind SARIF 2.1.0 does not define
    };
    let rule = r
        .rule_id
        .clone()
        .or_else(|| r.rule.as_ref().and_then(|x| x.id.clone()))
        .or_else(|| {
            // -1 is SARIF's "no index".
            let i = r.rule_index.or(r.rule.as_ref().and_then(|x| x.index)).filter(|i| *i >= 0)?;
            rules.by_index.get(usize::try_from(i).ok()?).cloned()
        })
        .unwrap_or_else(|| "(no rule)".to_owned());
    let info = rules.by_id.get(&rule).cloned().unwrap_or_default();
    let level = r.level.as_deref().or(info.level.as_deref());
    let mut cwes = info.cwes.clone();
    for c in tags_of(r.properties.as_ref()) {
        if !cwes.contains(&c) {
            cwes.push(c);
        }
    }
    let target = r
        .locations
        .first()
        .and_then(|l| l.physical_location.as_ref())
        .map(|p| {
            let uri = p.artifact_location.as_ref().and_then(|a| a.uri.clone()).unwrap_or_default();
            match p.region.as_ref().and_then(|r| r.start_line) {
                Some(line) => format!("{uri}:{line}"),
                None => uri,
            }
        })
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| "(no location)".to_owned());
    Some(CheckResult {
        rule,
        title: info.title,
        target,
        outcome,
        severity: severity(info.security_severity, level),
        message: r.message.text.or(r.message.id).unwrap_or_default(),
        references: cwes.into_iter().map(|id| Reference { framework: "cwe".to_owned(), id }).collect(),
    })
}
