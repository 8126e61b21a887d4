use super::*;

fn all(format: Option<Format>, text: &str) -> Result<(Format, Run, Vec<CheckResult>), IngestError> {
    let mut got = Vec::new();
    let (f, run) = read("f", &Bytes(text.as_bytes()), format, &mut |r| {
        got.push(r);
        Ok(())
    })?;
    Ok((f, run, got))
}

fn err(text: &str) -> String {
    all(None, text).map(|_| ()).unwrap_err().to_string()
}

/// Semgrep's order: results before the tool and its rules; the level and the CWE come
/// from the rule.
const SEMGREP: &str = r#"{"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0", "runs": [{
  "results": [
    {"ruleId": "subprocess-shell-true", "message": {"text": "shell=True is dangerous"},
     "locations": [{"physicalLocation": {"artifactLocation": {"uri": "app.py", "uriBaseId": "%SRCROOT%"}, "region": {"startLine": 3}}}]},
    {"ruleId": "subprocess-shell-true", "kind": "informational", "message": {"text": "noise"}}
  ],
  "tool": {"driver": {"name": "Semgrep OSS", "semanticVersion": "1.187.0", "rules": [
    {"id": "subprocess-shell-true", "shortDescription": {"text": "Shell injection"}, "defaultConfiguration": {"level": "error"},
     "properties": {"tags": ["CWE-78: Improper Neutralization of Special Elements used in an OS Command", "security"]}}
  ]}}
}]}"#;

#[test]
fn sarif_results_before_rules_get_the_rules_level_and_cwe_and_informational_ones_are_left_out() {
    let (f, run, got) = all(None, SEMGREP).unwrap();
    assert_eq!(f, Format::Sarif);
    assert_eq!((run.tool.as_str(), run.version.as_str()), ("Semgrep OSS", "1.187.0"));
    assert_eq!(got.len(), 1);
    let r = &got[0];
    assert_eq!(r.rule, "subprocess-shell-true");
    assert_eq!(r.title, "Shell injection");
    assert_eq!(r.target, "app.py:3");
    assert_eq!(r.outcome, Outcome::Fail);
    assert_eq!(r.severity, Severity::High);
    assert_eq!(r.references, vec![Reference { framework: "cwe".into(), id: "CWE-78".into() }]);
    assert_eq!(run.counts, [0, 1, 0, 0]);
}

#[test]
fn sarif_codeql_rules_in_extensions_with_security_severity_and_pass_results() {
    let text = r#"{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "CodeQL", "version": "2.20.0", "rules": []},
      "extensions": [{"name": "codeql/python-queries", "rules": [{"id": "py/sql-injection", "name": "SqlInjection",
        "properties": {"tags": ["security", "external/cwe/cwe-089"], "security-severity": "8.8"}}]}]},
      "results": [
        {"rule": {"id": "py/sql-injection", "toolComponent": {"index": 0}}, "message": {"text": "query built from user input"},
         "locations": [{"physicalLocation": {"artifactLocation": {"uri": "db.py"}, "region": {"startLine": 12}}}]},
        {"ruleId": "py/sql-injection", "kind": "pass", "level": "none", "message": {"text": "ok"}}
      ]}]}"#;
    let (_, run, got) = all(None, text).unwrap();
    assert_eq!(run.tool, "CodeQL");
    assert_eq!(got[0].severity, Severity::High, "8.8 is high");
    assert_eq!(got[0].references[0].id, "CWE-89");
    assert_eq!(got[0].target, "db.py:12");
    assert_eq!(got[1].outcome, Outcome::Pass);
    assert_eq!(got[1].target, "(no location)");
}

#[test]
fn a_cut_short_or_wrong_sarif_is_refused_naming_where_and_nothing_is_handed_on() {
    let cut = &SEMGREP[..SEMGREP.len() / 2];
    let mut handed = 0;
    let e = read("scan.sarif", &Bytes(cut.as_bytes()), None, &mut |_| {
        handed += 1;
        Ok(())
    })
    .unwrap_err()
    .to_string();
    assert!(e.starts_with("scan.sarif: "), "{e}");
    assert!(e.contains("cut short"), "{e}");
    assert!(e.contains("line "), "{e}");
    assert_eq!(handed, 0, "the first pass reads the whole file before any result is handed on");
    let e = err(&SEMGREP.replace("\"2.1.0\"", "\"2.0.0\""));
    assert!(e.contains("version: SARIF \"2.0.0\""), "{e}");
    let e = err(&SEMGREP.replace("\"message\": {\"text\": \"shell=True is dangerous\"},", ""));
    assert!(e.contains("runs[0].results[0]") && e.contains("message"), "{e}");
}

const XCCDF: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Benchmark xmlns="http://checklists.nist.gov/xccdf/1.2" id="xccdf_org.ssgproject.content_benchmark_DEBIAN-11">
  <Group id="g"><Rule id="xccdf_org.ssgproject.content_rule_package_aide_installed" severity="medium">
    <title>Install AIDE</title>
    <reference href="http://nvlpubs.nist.gov/nistpubs/SpecialPublications/NIST.SP.800-53r4.pdf">CM-6(a)</reference>
    <reference href="http://nvlpubs.nist.gov/nistpubs/SpecialPublications/NIST.SP.800-53r4.pdf">AC-6 (1)</reference>
    <reference href="https://public.cyber.mil/stigs/cci/">CCI-002696</reference>
  </Rule>
  <Rule id="xccdf_org.ssgproject.content_rule_sshd_disable_root_login"><title>Disable SSH root login &amp; more</title></Rule></Group>
  <TestResult id="t" test-system="cpe:/a:redhat:openscap:1.3.7">
    <target>vm-01</target>
    <rule-result idref="xccdf_org.ssgproject.content_rule_package_aide_installed" severity="medium"><result>fail</result></rule-result>
    <rule-result idref="xccdf_org.ssgproject.content_rule_sshd_disable_root_login" severity="high"><result>pass</result></rule-result>
    <rule-result idref="xccdf_org.ssgproject.content_rule_other" severity="low"><result>notselected</result></rule-result>
    <rule-result idref="xccdf_org.ssgproject.content_rule_n_a" severity="low"><result>notapplicable</result></rule-result>
  </TestResult>
</Benchmark>"#;

#[test]
fn xccdf_results_carry_the_benchmarks_titles_and_sp_800_53_references() {
    let (f, run, got) = all(None, XCCDF).unwrap();
    assert_eq!(f, Format::Xccdf);
    assert_eq!((run.tool.as_str(), run.version.as_str()), ("OpenSCAP", "1.3.7"));
    assert_eq!(got.len(), 3, "notselected is not a result");
    assert_eq!(got[0].outcome, Outcome::Fail);
    assert_eq!(got[0].title, "Install AIDE");
    assert_eq!(got[0].target, "vm-01");
    let ids: Vec<&str> = got[0].references.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["CM-6", "AC-6(1)"]);
    assert!(got[0].references.iter().all(|r| r.framework == "nist-800-53r4"));
    assert_eq!(got[1].title, "Disable SSH root login & more");
    assert_eq!(got[1].severity, Severity::High);
    assert_eq!(got[2].outcome, Outcome::NotApplicable);
    // An ARF report holds the same benchmark and results under other elements, and
    // another file may write XCCDF with a prefix.
    let mut prefixed =
        XCCDF.trim_start_matches(r#"<?xml version="1.0" encoding="UTF-8"?>"#).replace("xmlns=", "xmlns:x=");
    for name in ["Benchmark", "Group", "Rule", "title", "reference", "TestResult", "target", "rule-result", "result"] {
        prefixed = prefixed
            .replace(&format!("<{name}"), &format!("<x:{name}"))
            .replace(&format!("</{name}>"), &format!("</x:{name}>"));
    }
    let arf = format!(
        r#"<arf:asset-report-collection xmlns:arf="http://scap.nist.gov/schema/asset-reporting-format/1.1"><arf:reports><arf:report id="x"><arf:content>{prefixed}</arf:content></arf:report></arf:reports></arf:asset-report-collection>"#
    );
    let (_, _, from_arf) = all(None, &arf).unwrap();
    assert_eq!(from_arf.len(), 3);
    assert_eq!(from_arf[0].references, got[0].references);
    assert_eq!(from_arf[1].title, got[1].title);
    // Cut short, or a benchmark without results.
    let e = err(&XCCDF[..XCCDF.len() - 200]);
    assert!(e.contains("Benchmark/TestResult") && e.contains("byte"), "{e}");
    let no_results = format!("{}</Benchmark>", XCCDF.split("  <TestResult").next().unwrap());
    let e = err(&no_results);
    assert!(e.contains("no TestResult"), "{e}");
}

#[test]
fn junit_cases_pass_fail_error_or_are_skipped_and_name_their_controls() {
    let text = r#"<?xml version="1.0"?>
<testsuites name="control tests"><testsuite name="backups">
  <testcase classname="backup.Restore" name="restore_within_rto"><properties><property name="control" value="A.8.13"/></properties></testcase>
  <testcase classname="backup.Restore" name="encrypted"><failure message="backup bucket is not encrypted">details</failure></testcase>
  <testcase classname="backup.Restore" name="flaky"><error>timeout</error></testcase>
  <testcase classname="backup.Restore" name="offsite"><skipped/></testcase>
</testsuite></testsuites>"#;
    let (f, run, got) = all(None, text).unwrap();
    assert_eq!(f, Format::Junit);
    assert_eq!(run.tool, "control tests");
    let outcomes: Vec<Outcome> = got.iter().map(|r| r.outcome).collect();
    assert_eq!(outcomes, [Outcome::Pass, Outcome::Fail, Outcome::Error, Outcome::NotApplicable]);
    assert_eq!(got[0].references, vec![Reference { framework: "iso27001-2022".into(), id: "A.8.13".into() }]);
    assert_eq!(got[1].message, "backup bucket is not encrypted");
    assert_eq!(got[0].target, "backup.Restore");
}

#[test]
fn ocsf_findings_read_status_severity_resource_and_compliance() {
    let text = r#"[
 {"class_uid": 2004, "status_code": "FAIL", "status": "New", "severity": "High", "status_detail": "Root has no MFA",
  "metadata": {"event_code": "iam_root_mfa_enabled", "product": {"name": "Prowler", "version": "5.46.0"}},
  "finding_info": {"title": "Ensure MFA is enabled for the root account", "uid": "f1"},
  "resources": [{"uid": "arn:aws:iam::123456789012:root"}],
  "unmapped": {"compliance": {"NIST-800-53-Revision-5": ["ac_2_1", "ia_2"], "ISO27001-2022": ["A.5.17"]}}},
 {"class_uid": 2004, "status_code": "PASS", "status": "Suppressed", "severity": "Low", "metadata": {"event_code": "x"}},
 {"class_uid": 2004, "status_code": "MANUAL", "severity": "Medium", "metadata": {"event_code": "y"}}
]"#;
    let (f, run, got) = all(None, text).unwrap();
    assert_eq!(f, Format::Ocsf);
    assert_eq!((run.tool.as_str(), run.version.as_str()), ("Prowler", "5.46.0"));
    assert_eq!(got[0].outcome, Outcome::Fail);
    assert_eq!(got[0].severity, Severity::High);
    assert_eq!(got[0].target, "arn:aws:iam::123456789012:root");
    let refs: Vec<String> = got[0].references.iter().map(|r| format!("{}:{}", r.framework, r.id)).collect();
    assert_eq!(refs, ["iso27001-2022:A.5.17", "nist-800-53r5:AC-2(1)", "nist-800-53r5:IA-2"]);
    assert_eq!(got[1].outcome, Outcome::NotApplicable, "muted");
    assert_eq!(got[2].outcome, Outcome::Error, "manual");
    let e = err(&text.replace("\"MANUAL\"", "\"MAYBE\""));
    assert!(e.contains("[2].status_code") && e.contains("MAYBE"), "{e}");
}

#[test]
fn our_csv_and_json_formats_and_their_errors_by_line_and_element() {
    let csv = "rule,target,result,severity,message,references\nbackup-age,db-01,pass,low,fresh,A.8.13\nmfa,okta,FAILED,high,3 users without MFA,nist-800-53r5:IA-2;CWE-308\n";
    let (f, _, got) = all(None, csv).unwrap();
    assert_eq!(f, Format::Csv);
    assert_eq!(got[1].outcome, Outcome::Fail);
    assert_eq!(got[1].references.len(), 2);
    assert_eq!(got[1].references[1], Reference { framework: "cwe".into(), id: "CWE-308".into() });
    let e = err("rule,target,result\nbackup-age,db-01,pass\nmfa,okta,maybe\n");
    assert!(e.contains("line 3, column result") && e.contains("\"maybe\""), "{e}");
    let json = r#"{"tool": "our-checks", "version": "1", "results": [{"rule": "tls", "target": "api.example.com:443", "result": "fail", "severity": "critical", "references": ["A.8.24"]}]}"#;
    let (f, run, got) = all(None, json).unwrap();
    assert_eq!(f, Format::Json);
    assert_eq!(run.tool, "our-checks");
    assert_eq!(got[0].severity, Severity::Critical);
    let e = err(&json.replace("\"severity\"", "\"sevrity\""));
    assert!(e.contains("results[0]") && e.contains("sevrity"), "{e}");
    let e = err(&json.replace("\"fail\"", "\"bad\""));
    assert!(e.contains("results[0].result"), "{e}");
}

#[test]
fn formats_are_recognised_from_the_content_or_refused() {
    assert_eq!(detect("x", SEMGREP.as_bytes()).unwrap(), Format::Sarif);
    assert_eq!(detect("x", XCCDF.as_bytes()).unwrap(), Format::Xccdf);
    assert!(detect("x", b"<html><body/></html>").unwrap_err().to_string().contains("root is <html>"));
    assert!(detect("x", b"").unwrap_err().to_string().contains("empty"));
    assert!(detect("x", b"hello world").is_err());
    assert_eq!(Format::parse("ARF"), Some(Format::Xccdf));
}

#[test]
fn a_refusing_sink_stops_the_reading() {
    let e = read("f", &Bytes(SEMGREP.as_bytes()), None, &mut |_| Err("the disk is full".to_owned())).unwrap_err();
    assert!(matches!(e, IngestError::Stopped { .. }), "{e}");
    assert!(e.to_string().contains("the disk is full"));
}

#[test]
fn ids_are_written_the_way_their_publishers_do() {
    assert_eq!(sp800_53("ac_2_1").as_deref(), Some("AC-2(1)"));
    assert_eq!(sp800_53("AC-6 (1)").as_deref(), Some("AC-6(1)"));
    assert_eq!(sp800_53("CM-6(a)").as_deref(), Some("CM-6"));
    assert_eq!(sp800_53("ac-2.1").as_deref(), Some("AC-2(1)"));
    assert_eq!(sp800_53("ac_17_b").as_deref(), Some("AC-17"));
    assert_eq!(sp800_53("A.8.8"), None);
    assert_eq!(cwe("external/cwe/cwe-078").as_deref(), Some("CWE-78"));
    assert_eq!(cwe("CWE-79: Cross-site Scripting").as_deref(), Some("CWE-79"));
    assert_eq!(cwe("security"), None);
}

#[test]
fn sarif_edge_cases_from_the_spec_read_without_panics() {
    // No runs at all; a run whose results are null; rule index -1 (SARIF's "none").
    let (_, run, got) = all(None, r#"{"version": "2.1.0", "runs": []}"#).unwrap();
    assert_eq!((run.total(), got.len()), (0, 0));
    let (_, _, got) =
        all(None, r#"{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "t"}}, "results": null}]}"#).unwrap();
    assert!(got.is_empty());
    let text = r#"{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "t", "rules": [{"id": "r0"}]}},
      "results": [{"ruleIndex": -1, "message": {"text": "m"}}, {"ruleIndex": 0, "kind": "review", "message": {"text": "m"}}]}]}"#;
    let (_, _, got) = all(None, text).unwrap();
    assert_eq!(got[0].rule, "(no rule)");
    assert_eq!((got[1].rule.as_str(), got[1].outcome), ("r0", Outcome::Error));
}

#[test]
fn an_xccdf_rule_keeps_its_own_title_and_each_test_result_its_own_target() {
    let text = r#"<Benchmark xmlns="http://checklists.nist.gov/xccdf/1.2">
  <Group id="g1"><title>Group one</title>
    <Rule id="r1"><title>Rule one</title><description><title>not the rule's</title></description></Rule>
  </Group>
  <Group id="g2"><title>Group two</title><reference href="https://nvlpubs.nist.gov/800-53">AC-1</reference></Group>
  <Profile id="p"><title>A profile</title></Profile>
  <TestResult id="t1"><target>host-a</target><rule-result idref="r1"><result>pass</result></rule-result></TestResult>
  <TestResult id="t2"><rule-result idref="r1"><result>fail</result></rule-result></TestResult>
</Benchmark>"#;
    let (_, _, got) = all(None, text).unwrap();
    assert_eq!(got[0].title, "Rule one");
    assert!(got[0].references.is_empty(), "a group's reference is not the rule's");
    assert_eq!(got[0].target, "host-a");
    assert_eq!(got[1].target, "the scanned system", "the second test result named no target");
}

#[test]
fn junit_takes_the_worst_outcome_and_the_suite_each_case_is_in() {
    let text = r#"<testsuites><testsuite name="outer">
  <testsuite name="inner"><testcase name="a"><skipped/><error>boom</error></testcase></testsuite>
  <testcase name="b"/>
</testsuite></testsuites>"#;
    let (_, _, got) = all(None, text).unwrap();
    assert_eq!(got[0].outcome, Outcome::Error, "error over skipped");
    assert_eq!(got[0].target, "inner");
    assert_eq!(got[1].target, "outer", "the inner suite closed");
}

#[test]
fn hostile_nesting_is_refused() {
    let deep = format!("<testsuites>{}{}</testsuites>", "<x>".repeat(300), "</x>".repeat(300));
    let e = err(&deep);
    assert!(e.contains("nest deeper than 256"), "{e}");
}

#[test]
fn checkov_reports_list_passed_failed_and_skipped_checks_of_every_framework() {
    let text = include_str!("../../../testdata/ingest/checkov.json");
    let (f, run, got) = all(None, text).unwrap();
    assert_eq!(f, Format::Checkov);
    assert_eq!((run.tool.as_str(), run.version.as_str()), ("Checkov", "3.2.300"));
    assert_eq!(run.counts, [2, 3, 0, 1]);
    let ssh = got.iter().find(|r| r.rule == "CKV_AWS_24").unwrap();
    assert_eq!(ssh.outcome, Outcome::Fail);
    assert_eq!(ssh.severity, Severity::High);
    assert_eq!(ssh.target, "/network.tf:3 aws_security_group.bastion");
    assert!(ssh.references.is_empty(), "Checkov names no requirement: the mapping file does");
    assert_eq!(got.iter().find(|r| r.rule == "CKV_AWS_18").unwrap().outcome, Outcome::NotApplicable);
    // A single report (not a list) reads the same; a broken one names the element.
    let one = r#"{"check_type": "terraform", "results": {"passed_checks": [{"check_id": "CKV_AWS_19", "file_path": "/a.tf"}]}}"#;
    assert_eq!(all(None, one).unwrap().2.len(), 1);
    let bad = r#"{"check_type": "terraform", "results": {"failed_checks": [{"check_name": "no id"}]}}"#;
    let e = err(bad);
    assert!(e.contains("results.failed_checks[0]") && e.contains("check_id"), "{e}");
    let cut = &text[..text.len() / 2];
    assert!(err(cut).contains("cut short"), "{}", err(cut));
}

#[test]
fn mapping_files_parse_with_their_provenance_and_the_first_matching_rule_counts() {
    for (name, text) in mapping::SHIPPED {
        let m = mapping::parse(name, text).unwrap();
        assert!(!m.provenance.method.is_empty() && !m.rules.is_empty());
    }
    let m = mapping::parse("checkov.toml", mapping::SHIPPED[0].1).unwrap();
    assert_eq!(m.name, "checkov");
    assert!(m.applies_to("Checkov") && !m.applies_to("Semgrep"));
    assert_eq!(m.find("CKV_AWS_24").unwrap().controls, ["A.8.20", "A.8.22"]);
    assert_eq!(m.find("CKV_AWS_999").unwrap().controls, ["A.8.9"], "the family catches the rest");
    assert_eq!(m.find("CKV2_AWS_6").unwrap().controls, ["A.8.3", "A.5.15"], "named before the family");
    assert!(m.find("SOMETHING_ELSE").is_none());
    let e = mapping::parse("mine.toml", "tool = \"x\"\ntitle = \"t\"\n[provenance]\nauthor = \"me\"\nmethod = \"m\"\n[[rules]]\nrule = \"R\"\ncontrols = 5\n").unwrap_err();
    assert!(e.starts_with("mine.toml, line 8"), "{e}");
    let e = mapping::parse("mine.toml", "tool = \"x\"\ntitle = \"t\"\nrules = []\n").unwrap_err();
    assert!(e.contains("provenance"), "{e}");
}
