//! The framework advisor: from an organization's facts, which regimes bind it and which
//! voluntary path fits — ISO/IEC 27001 certification, NIST CSF 2.0 adoption, or both.
//! The binding regimes come from rules kept as data with their citations
//! (`frameworks/advice.toml`, loaded by the catalog); the voluntary path is weighed on
//! the three factors that decide it: a certifiable credential demanded by a customer or
//! contract, work across jurisdictions where ISO/IEC 27001 carries procurement weight,
//! and whether the organization's maturity can sustain a certified ISMS through
//! surveillance and recertification. Every conclusion carries the answers and the rule
//! that led to it.

use serde::{Deserialize, Serialize};

/// How mature the organization's risk management is today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Maturity {
    /// Risks are handled as they come; nothing is written down or repeated.
    AdHoc,
    /// A written method, a register, owners; applied at least once.
    Defined,
    /// Reviewed on a cycle, measured, improved: it would survive yearly surveillance.
    Managed,
}

impl Maturity {
    /// Every level, least mature first.
    pub const ALL: [Maturity; 3] = [Maturity::AdHoc, Maturity::Defined, Maturity::Managed];

    /// Parses the written name (`ad_hoc`, `defined`, `managed`).
    pub fn parse(s: &str) -> Option<Maturity> {
        Maturity::ALL.into_iter().find(|m| m.as_str() == s.trim())
    }

    /// The written name, as answers give it (`ad_hoc`).
    pub fn as_str(self) -> &'static str {
        match self {
            Maturity::AdHoc => "ad_hoc",
            Maturity::Defined => "defined",
            Maturity::Managed => "managed",
        }
    }
}

/// The questionnaire's answers: the facts the advice rests on.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
pub struct Answers {
    /// The sector, in the organization's words (`health-tech SaaS`).
    pub sector: String,
    /// Holds or bids for US federal contracts or subcontracts.
    pub federal_contracts: bool,
    /// Handles Federal Contract Information (FCI) under those contracts.
    pub handles_fci: bool,
    /// Handles Controlled Unclassified Information (CUI).
    pub handles_cui: bool,
    /// Operates an information system for or on behalf of a federal agency.
    pub operates_federal_system: bool,
    /// A HIPAA covered entity or business associate: creates, receives, keeps or sends
    /// electronic protected health information.
    pub handles_phi: bool,
    /// A financial institution under the FTC's jurisdiction holding customer
    /// information (nonpublic personal information).
    pub ftc_financial_institution: bool,
    /// Processes personal data of people in the EU (offering them goods or services,
    /// or monitoring them).
    pub eu_personal_data: bool,
    /// A customer or contract demands a certificate (ISO/IEC 27001 or equivalent).
    pub certificate_demanded: bool,
    /// Sells or operates across international jurisdictions.
    pub international: bool,
    /// People employed.
    pub employees: u32,
    /// How mature risk management is.
    pub maturity: Option<Maturity>,
}

impl Answers {
    /// The value of a yes/no fact by its name, as rules name them; `None` for a name
    /// that is not one.
    pub fn fact(&self, name: &str) -> Option<bool> {
        Some(match name {
            "federal_contracts" => self.federal_contracts,
            "handles_fci" => self.handles_fci,
            "handles_cui" => self.handles_cui,
            "operates_federal_system" => self.operates_federal_system,
            "handles_phi" => self.handles_phi,
            "ftc_financial_institution" => self.ftc_financial_institution,
            "eu_personal_data" => self.eu_personal_data,
            "certificate_demanded" => self.certificate_demanded,
            "international" => self.international,
            _ => return None,
        })
    }

    /// The names of every yes/no fact.
    pub const FACTS: [&'static str; 9] = [
        "federal_contracts",
        "handles_fci",
        "handles_cui",
        "operates_federal_system",
        "handles_phi",
        "ftc_financial_institution",
        "eu_personal_data",
        "certificate_demanded",
        "international",
    ];
}

/// A rule that makes a regime binding when all its facts hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct MandatoryRule {
    /// The rule's id (`cui`).
    pub id: String,
    /// The regime, as people name it (`CMMC Level 2 and NIST SP 800-171`).
    pub regime: String,
    /// Facts that must all be true.
    pub when: Vec<String>,
    /// Frameworks of the library it makes binding.
    pub frameworks: Vec<String>,
    /// The public sources (`DFARS 252.204-7012`).
    pub citation: String,
    /// Why, in our own words.
    pub why: String,
    /// Who enforces it, for the interested parties (4.2).
    pub regulator: String,
}

/// The rules, as shipped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct AdviceRules {
    /// The binding regimes.
    pub mandatory: Vec<MandatoryRule>,
}

impl AdviceRules {
    /// What is wrong with the rules: unknown facts, empty conditions, duplicate ids.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        for (i, r) in self.mandatory.iter().enumerate() {
            if r.when.is_empty() {
                problems.push(format!("rule {}: it has no condition", r.id));
            }
            for f in &r.when {
                if !Answers::FACTS.contains(&f.as_str()) {
                    problems.push(format!("rule {}: {f:?} is not a fact of the questionnaire", r.id));
                }
            }
            if self.mandatory[..i].iter().any(|o| o.id == r.id) {
                problems.push(format!("rule {}: the id is used twice", r.id));
            }
        }
        problems
    }
}

/// How strongly a voluntary path is advised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// It is the path to take.
    Advised,
    /// It would add value but nothing calls for it.
    Optional,
    /// Not yet: first build what it needs.
    NotYet,
}

impl Verdict {
    /// In words (`not yet`).
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Advised => "advised",
            Verdict::Optional => "optional",
            Verdict::NotYet => "not yet",
        }
    }
}

/// One conclusion and what led to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Conclusion {
    /// What is concluded (`ISO/IEC 27001 certification`).
    pub what: String,
    /// Frameworks of the library it concerns.
    pub frameworks: Vec<String>,
    /// Mandatory, or the voluntary verdict.
    pub verdict: Option<Verdict>,
    /// The answers it rests on, as `fact = value`.
    pub because: Vec<String>,
    /// The rule or reasoning, with its citation where there is one.
    pub rule: String,
    /// A binding regime's sources (empty for a voluntary path).
    pub citation: String,
    /// Why a binding regime binds, in our words (empty for a voluntary path).
    pub why: String,
    /// Who enforces a binding regime (empty for a voluntary path).
    pub regulator: String,
}

/// The advice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Advice {
    /// Regimes that bind the organization.
    pub mandatory: Vec<Conclusion>,
    /// ISO/IEC 27001 certification.
    pub certification: Conclusion,
    /// NIST CSF 2.0 adoption.
    pub csf: Conclusion,
    /// The framework the organization's security work is organized around.
    pub operative: String,
}

fn said(name: &str, value: impl std::fmt::Display) -> String {
    format!("{name} = {value}")
}

/// The advice for `answers` under `rules`.
pub fn advise(answers: &Answers, rules: &AdviceRules) -> Advice {
    let mandatory: Vec<Conclusion> = rules
        .mandatory
        .iter()
        .filter(|r| r.when.iter().all(|f| answers.fact(f) == Some(true)))
        .map(|r| Conclusion {
            what: r.regime.clone(),
            frameworks: r.frameworks.clone(),
            verdict: None,
            because: r.when.iter().map(|f| said(f, true)).collect(),
            rule: format!("{} ({}): {}", r.id, r.citation, r.why),
            citation: r.citation.clone(),
            why: r.why.clone(),
            regulator: r.regulator.clone(),
        })
        .collect();
    let maturity = answers.maturity.unwrap_or(Maturity::AdHoc);
    let maturity_said = said("maturity", maturity.as_str());
    let demanded = said("certificate_demanded", answers.certificate_demanded);
    let international = said("international", answers.international);
    let fisma = mandatory.iter().any(|c| c.frameworks.iter().any(|f| f == "nist-800-53r5"));
    let (verdict, because, rule) = if answers.certificate_demanded {
        let rule = if maturity == Maturity::AdHoc {
            "a customer or contract demands a certificate, so certification is the path; risk management is ad hoc today, so plan a runway: a certified ISMS must run through yearly surveillance and recertification"
        } else {
            "a customer or contract demands a certificate: only a certification answers that demand"
        };
        (Verdict::Advised, vec![demanded, maturity_said], rule)
    } else if answers.international && maturity >= Maturity::Defined {
        (
            Verdict::Advised,
            vec![demanded, international, maturity_said],
            "work across jurisdictions where ISO/IEC 27001 carries procurement weight, and risk management mature enough to sustain a certified ISMS",
        )
    } else if fisma {
        (
            Verdict::Optional,
            vec![demanded, said("operates_federal_system", true)],
            "SP 800-53 governs the federal system; an ISO/IEC 27001 ISMS can supplement it for the rest of the organization, but nothing demands a certificate",
        )
    } else if maturity == Maturity::AdHoc {
        (
            Verdict::NotYet,
            vec![demanded, international, maturity_said],
            "no one demands a certificate and risk management is ad hoc: build the practice first (CSF 2.0 is the lighter start); certify when a customer or market asks",
        )
    } else {
        (
            Verdict::Optional,
            vec![demanded, international, maturity_said],
            "no one demands a certificate and the work is not across jurisdictions: certification would add a credential, not protection",
        )
    };
    let certification = Conclusion {
        what: "ISO/IEC 27001 certification".into(),
        frameworks: vec!["iso27001-2022".into()],
        verdict: Some(verdict),
        because,
        rule: rule.into(),
        citation: String::new(),
        why: String::new(),
        regulator: String::new(),
    };
    let csf = if verdict == Verdict::Advised {
        Conclusion {
            what: "NIST CSF 2.0 adoption".into(),
            frameworks: vec!["nist-csf-2.0".into()],
            verdict: Some(Verdict::Optional),
            because: vec![said("certification", "advised")],
            rule: "the certified ISMS covers the ground; a CSF 2.0 profile, drawn through the crosswalk, speaks to US customers and boards".into(),
            citation: String::new(),
            why: String::new(),
            regulator: String::new(),
        }
    } else {
        Conclusion {
            what: "NIST CSF 2.0 adoption".into(),
            frameworks: vec!["nist-csf-2.0".into()],
            verdict: Some(Verdict::Advised),
            because: vec![said("certification", verdict.label().to_owned())],
            rule: "without a demand for a certificate, CSF 2.0 gives the same structure of outcomes without the audit cycle; the ISMS work here still counts if certification comes later".into(),
            citation: String::new(),
            why: String::new(),
            regulator: String::new(),
        }
    };
    let operative = if fisma {
        "nist-800-53r5"
    } else if mandatory.iter().any(|c| c.frameworks.iter().any(|f| f == "nist-800-171r2")) {
        "nist-800-171r2"
    } else if verdict == Verdict::Advised {
        "iso27001-2022"
    } else {
        "nist-csf-2.0"
    };
    Advice { mandatory, certification, csf, operative: operative.into() }
}

/// One submission of the questionnaire, kept as a versioned record of the organization
/// (`ADV-001`, `ADV-002`, …): the advice is recomputed from it, and the next submission
/// is compared with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AdvisorAnswers {
    /// `ADV-001`.
    #[serde(default)]
    pub id: String,
    /// The answers.
    pub answers: Answers,
    /// Who answered (an e-mail, or the command line).
    pub by: String,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "schema", schemars(with = "String", extend("format" = "date-time")))]
    pub at: time::OffsetDateTime,
}

impl crate::register::Entry for AdvisorAnswers {
    const KIND: &'static str = "advisor_answers";
    const PREFIX: &'static str = "ADV";
    crate::entry_id!();

    fn problems(&self) -> Vec<(&'static str, String)> {
        let mut problems = Vec::new();
        if self.answers.sector.trim().is_empty() {
            problems.push(("sector", "say what the organization does (e.g. health-tech SaaS)".to_owned()));
        }
        if self.answers.handles_fci && !self.answers.federal_contracts {
            problems.push((
                "handles_fci",
                "Federal Contract Information comes with federal contracts: answer federal_contracts too".to_owned(),
            ));
        }
        problems
    }
}

/// One answer that differs between two submissions: the fact, before, after.
pub fn changed_answers(before: &Answers, after: &Answers) -> Vec<(String, String, String)> {
    let (Ok(serde_json::Value::Object(b)), Ok(serde_json::Value::Object(a))) =
        (serde_json::to_value(before), serde_json::to_value(after))
    else {
        return Vec::new();
    };
    a.iter()
        .filter(|(k, v)| b.get(*k) != Some(*v))
        .map(|(k, v)| (k.clone(), b.get(k).map_or_else(String::new, shown), shown(v)))
        .collect()
}

fn shown(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => "—".into(),
        other => other.to_string(),
    }
}

/// How the advice changed between two submissions, in sentences.
pub fn changed_advice(before: &Advice, after: &Advice) -> Vec<String> {
    let mut lines = Vec::new();
    for c in &after.mandatory {
        if !before.mandatory.iter().any(|b| b.what == c.what) {
            lines.push(format!("now binding: {}", c.what));
        }
    }
    for c in &before.mandatory {
        if !after.mandatory.iter().any(|a| a.what == c.what) {
            lines.push(format!("no longer binding: {}", c.what));
        }
    }
    for (b, a) in [(&before.certification, &after.certification), (&before.csf, &after.csf)] {
        if b.verdict != a.verdict {
            let word = |v: Option<Verdict>| v.map_or("", Verdict::label);
            lines.push(format!("{}: {} → {}", a.what, word(b.verdict), word(a.verdict)));
        }
    }
    if before.operative != after.operative {
        lines.push(format!("operative framework: {} → {}", before.operative, after.operative));
    }
    lines
}
