//! JUnit XML (test suites used as control tests): each `testcase`, passing unless it
//! has a `failure` (fail), an `error` (error) or is `skipped` (not applicable). A
//! test names the requirements it checks with `<property name="control" value="A.8.8"/>`
//! (or `requirement`; `framework:id` for another framework than ISO/IEC 27001).

use crate::own::reference;
use crate::xml::{Ev, Xml, attr};
use crate::{CheckResult, Found, IngestError, Outcome, Severity, Sink, Source};

pub(crate) fn read(file: &str, source: &dyn Source, sink: &mut Sink<'_>) -> Result<Found, IngestError> {
    let input = source.open().map_err(|e| IngestError::Io { file: file.to_owned(), source: e })?;
    let mut x = Xml::new(file, input);
    let mut suites: Vec<String> = Vec::new();
    // The element depth, and the depth each open suite started at.
    let mut depth = 0usize;
    let mut suite_depths: Vec<usize> = Vec::new();
    let mut found = Found::default();
    loop {
        let (name, attrs, empty) = match x.next()? {
            Ev::Start { name, attrs, empty, .. } => {
                if !empty && name != "testcase" {
                    depth += 1;
                }
                (name, attrs, empty)
            }
            Ev::End => {
                // Closing a suite (or anything else at the suites' depth) ends it.
                depth = depth.saturating_sub(1);
                if suite_depths.last() == Some(&depth) {
                    suite_depths.pop();
                    suites.pop();
                }
                continue;
            }
            Ev::Text(_) => continue,
            Ev::Eof => break,
        };
        match name.as_str() {
            "testsuites" | "testsuite" => {
                if found.tool.is_empty() {
                    found.tool = attr(&attrs, "name").unwrap_or("JUnit").to_owned();
                }
                if name == "testsuite" && !empty {
                    suites.push(attr(&attrs, "name").unwrap_or_default().to_owned());
                    suite_depths.push(depth - 1);
                }
            }
            "testcase" => {
                let test = attr(&attrs, "name").ok_or_else(|| x.malformed("a testcase has no name"))?.to_owned();
                let class = attr(&attrs, "classname").or_else(|| attr(&attrs, "file")).unwrap_or_default().to_owned();
                let mut outcome = Outcome::Pass;
                let mut message = String::new();
                let mut references = Vec::new();
                if !empty {
                    let mut depth = 1;
                    while depth > 0 {
                        match x.next()? {
                            Ev::Start { name, attrs, empty, .. } => {
                                let kind = match name.as_str() {
                                    "failure" => Some(Outcome::Fail),
                                    "error" => Some(Outcome::Error),
                                    "skipped" => Some(Outcome::NotApplicable),
                                    _ => None,
                                };
                                if let Some(kind) = kind {
                                    // The worst of several wins: fail over error over skipped.
                                    let rank = |o: Outcome| match o {
                                        Outcome::Fail => 3,
                                        Outcome::Error => 2,
                                        Outcome::NotApplicable => 1,
                                        Outcome::Pass => 0,
                                    };
                                    if rank(kind) > rank(outcome) {
                                        outcome = kind;
                                    }
                                    let said = attr(&attrs, "message").unwrap_or_default().to_owned();
                                    let body = if empty { String::new() } else { x.text()? };
                                    let text = if said.is_empty() { body } else { said };
                                    if !text.is_empty() && message.is_empty() {
                                        message = text.lines().next().unwrap_or_default().to_owned();
                                    }
                                } else if name == "property" {
                                    let key = attr(&attrs, "name").unwrap_or_default().to_ascii_lowercase();
                                    if ["control", "requirement", "controls", "requirements"].contains(&key.as_str()) {
                                        for v in attr(&attrs, "value").unwrap_or_default().split([';', ',']) {
                                            references.extend(reference(v));
                                        }
                                    }
                                    if !empty {
                                        x.skip()?;
                                    }
                                } else if !empty {
                                    depth += 1;
                                }
                            }
                            Ev::End => depth -= 1,
                            Ev::Text(_) => {}
                            Ev::Eof => return Err(x.malformed("the file ends inside a testcase")),
                        }
                    }
                }
                let target = if class.is_empty() { suites.last().cloned().unwrap_or_default() } else { class };
                let r = CheckResult {
                    rule: test.clone(),
                    title: test,
                    target,
                    outcome,
                    severity: if outcome == Outcome::Fail { Severity::Medium } else { Severity::Unknown },
                    message,
                    references,
                };
                sink(r).map_err(|message| IngestError::Stopped { file: file.to_owned(), message })?;
            }
            _ => {}
        }
    }
    Ok(found)
}
