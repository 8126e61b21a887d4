//! XCCDF 1.1/1.2 result files and ARF reports (OpenSCAP): each `rule-result` of each
//! `TestResult`, with the rule's title and its NIST SP 800-53 references from the
//! benchmark, which comes first in both kinds of file. Rules not selected, not
//! checked or informational are not results and are left out.

use std::collections::HashMap;

use crate::xml::{Ev, Xml, attr};
use crate::{CheckResult, Found, IngestError, Outcome, Reference, Severity, Sink, Source, sp800_53};

const NS: [&str; 2] = ["http://checklists.nist.gov/xccdf/1.2", "http://checklists.nist.gov/xccdf/1.1"];

#[derive(Default)]
struct Rule {
    title: String,
    references: Vec<Reference>,
}

/// The framework of an XCCDF reference's href, when it is one isms knows.
fn framework_of(href: &str) -> Option<&'static str> {
    let h = href.to_ascii_lowercase();
    if h.contains("800-53r4") || h.contains("800-53 revision 4") || h.contains("800-53-rev4") {
        Some("nist-800-53r4")
    } else if h.contains("800-53") {
        Some("nist-800-53r5")
    } else if h.contains("800-171") {
        Some("nist-800-171r2")
    } else {
        None
    }
}

pub(crate) fn read(file: &str, source: &dyn Source, sink: &mut Sink<'_>) -> Result<Found, IngestError> {
    let input = source.open().map_err(|e| IngestError::Io { file: file.to_owned(), source: e })?;
    let mut x = Xml::new(file, input);
    let mut rules: HashMap<String, Rule> = HashMap::new();
    let mut found = Found::default();
    let mut target = String::new();
    let mut test_results = 0usize;
    loop {
        let (ns, name, attrs, empty) = match x.next()? {
            Ev::Start { ns, name, attrs, empty } => (ns, name, attrs, empty),
            Ev::End | Ev::Text(_) => continue,
            Ev::Eof => break,
        };
        if !NS.contains(&ns.as_str()) {
            continue;
        }
        match name.as_str() {
            "Rule" => {
                let id = attr(&attrs, "id").unwrap_or_default().to_owned();
                let mut rule = Rule::default();
                // The rule's own title and references: its direct children only, up to
                // its end, so no later Group, Value or Profile title lands on it.
                let mut depth = usize::from(!empty);
                while depth > 0 {
                    match x.next()? {
                        Ev::Start { ns, name, attrs, empty: false } if depth == 1 && NS.contains(&ns.as_str()) => {
                            match name.as_str() {
                                "title" => rule.title = x.text()?,
                                "reference" => {
                                    let href = attr(&attrs, "href").unwrap_or_default().to_owned();
                                    let text = x.text()?;
                                    if let Some(fw) = framework_of(&href) {
                                        let id = if fw.starts_with("nist-800-53") {
                                            sp800_53(&text)
                                        } else {
                                            Some(text.trim().to_owned())
                                        };
                                        if let Some(id) = id.filter(|i| !i.is_empty()) {
                                            let reference = Reference { framework: fw.to_owned(), id };
                                            if !rule.references.contains(&reference) {
                                                rule.references.push(reference);
                                            }
                                        }
                                    }
                                }
                                _ => depth += 1,
                            }
                        }
                        Ev::Start { empty: false, .. } => depth += 1,
                        Ev::Start { .. } | Ev::Text(_) => {}
                        Ev::End => depth -= 1,
                        Ev::Eof => return Err(x.malformed("the file ends inside a Rule")),
                    }
                }
                rules.insert(id, rule);
            }
            "TestResult" => {
                test_results += 1;
                target.clear();
                if found.tool.is_empty() {
                    let system = attr(&attrs, "test-system").unwrap_or_default();
                    // cpe:/a:redhat:openscap:1.3.7
                    let parts: Vec<&str> = system.split(':').collect();
                    if system.contains("openscap") {
                        found.tool = "OpenSCAP".to_owned();
                        found.version = parts.last().copied().unwrap_or_default().to_owned();
                    } else {
                        found.tool = system.to_owned();
                    }
                }
            }
            "target" if test_results > 0 && !empty => target = x.text()?,
            "rule-result" if !empty => {
                let idref = attr(&attrs, "idref").ok_or_else(|| x.malformed("a rule-result has no idref"))?.to_owned();
                let severity = Severity::parse(attr(&attrs, "severity").unwrap_or_default());
                let mut result = None;
                let mut message = String::new();
                let mut depth = 1;
                while depth > 0 {
                    match x.next()? {
                        Ev::Start { ns, name, empty: false, .. } if NS.contains(&ns.as_str()) && name == "result" => {
                            result = Some(x.text()?);
                        }
                        Ev::Start { ns, name, empty: false, .. } if NS.contains(&ns.as_str()) && name == "message" => {
                            let m = x.text()?;
                            if !m.is_empty() {
                                if !message.is_empty() {
                                    message.push_str("; ");
                                }
                                message.push_str(&m);
                            }
                        }
                        Ev::Start { empty: false, .. } => depth += 1,
                        Ev::Start { .. } | Ev::Text(_) => {}
                        Ev::End => depth -= 1,
                        Ev::Eof => return Err(x.malformed("the file ends inside a rule-result")),
                    }
                }
                let result = result.ok_or_else(|| x.malformed(format!("the rule-result for {idref} has no result")))?;
                let outcome = match result.as_str() {
                    "pass" | "fixed" => Outcome::Pass,
                    "fail" => Outcome::Fail,
                    "error" | "unknown" => Outcome::Error,
                    "notapplicable" => Outcome::NotApplicable,
                    "notselected" | "notchecked" | "informational" => continue,
                    other => return Err(x.malformed(format!("{other:?} is not an XCCDF result"))),
                };
                let rule = rules.get(&idref);
                let r = CheckResult {
                    rule: idref.clone(),
                    title: rule.map(|r| r.title.clone()).unwrap_or_default(),
                    target: if target.is_empty() { "the scanned system".to_owned() } else { target.clone() },
                    outcome,
                    severity,
                    message,
                    references: rule.map(|r| r.references.clone()).unwrap_or_default(),
                };
                sink(r).map_err(|message| IngestError::Stopped { file: file.to_owned(), message })?;
            }
            _ => {}
        }
    }
    if test_results == 0 {
        return Err(IngestError::Malformed {
            file: file.to_owned(),
            element: "the document".to_owned(),
            message: "no TestResult: this is a benchmark or data stream, not the results of an evaluation (run `oscap xccdf eval --results FILE …`)".to_owned(),
        });
    }
    Ok(found)
}
