//! The framework advisor's rules as shipped (`frameworks/advice/rules.toml`).

use isms_domain::advice::AdviceRules;

const RULES: &str = include_str!("../../../frameworks/advice/rules.toml");

/// The shipped rules, read once. An error names the file, line and what is wrong (a
/// broken file is a defect of the build; its test fails first).
pub fn advice_rules() -> Result<AdviceRules, String> {
    static RULES_READ: std::sync::LazyLock<Result<AdviceRules, String>> = std::sync::LazyLock::new(read);
    RULES_READ.clone()
}

fn read() -> Result<AdviceRules, String> {
    let rules: AdviceRules = toml::from_str(RULES).map_err(|e| {
        let line = e.span().map_or(1, |s| RULES[..s.start.min(RULES.len())].matches('\n').count() + 1);
        format!("frameworks/advice/rules.toml, line {line}: {}", e.message().trim())
    })?;
    let problems = rules.problems();
    if problems.is_empty() { Ok(rules) } else { Err(format!("frameworks/advice/rules.toml: {}", problems.join("; "))) }
}

#[cfg(test)]
mod tests {
    use isms_domain::advice::{Advice, Answers, Maturity, Verdict, advise};

    use super::*;

    fn advice(answers: &Answers) -> Advice {
        advise(answers, &advice_rules().unwrap())
    }

    fn mandatory(a: &Advice) -> Vec<&str> {
        let mut ids: Vec<&str> = a.mandatory.iter().flat_map(|c| c.frameworks.iter().map(String::as_str)).collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    #[test]
    fn the_shipped_rules_load_and_name_frameworks_of_the_library() {
        let rules = advice_rules().unwrap();
        let library = crate::load_shipped().unwrap();
        for r in &rules.mandatory {
            for f in &r.frameworks {
                assert!(library.framework(f).is_some(), "rule {}: {f} is not in the library", r.id);
            }
            assert!(!r.citation.is_empty() && !r.why.is_empty() && !r.regulator.is_empty(), "rule {}", r.id);
        }
    }

    #[test]
    fn a_defense_subcontractor_with_cui_must_meet_cmmc_level_2_and_may_certify() {
        let a = advice(&Answers {
            sector: "aerospace machining".into(),
            federal_contracts: true,
            handles_fci: true,
            handles_cui: true,
            employees: 120,
            maturity: Some(Maturity::Defined),
            ..Answers::default()
        });
        assert_eq!(mandatory(&a), ["cmmc-2.0", "far-52.204-21", "nist-800-171r2"]);
        let cui = a.mandatory.iter().find(|c| c.what.contains("CMMC Level 2")).unwrap();
        assert_eq!(cui.because, ["handles_cui = true"]);
        assert!(cui.rule.contains("DFARS 252.204-7012"), "{}", cui.rule);
        assert_eq!(a.certification.verdict, Some(Verdict::Optional), "{:?}", a.certification);
        assert_eq!(a.operative, "nist-800-171r2");
    }

    #[test]
    fn a_health_tech_saas_whose_customers_demand_a_certificate_must_meet_hipaa_and_should_certify() {
        let a = advice(&Answers {
            sector: "health-tech SaaS".into(),
            handles_phi: true,
            certificate_demanded: true,
            employees: 200,
            maturity: Some(Maturity::Defined),
            ..Answers::default()
        });
        assert_eq!(mandatory(&a), ["hipaa-security"]);
        assert!(a.mandatory[0].rule.contains("45 CFR Part 160 and Part 164"), "{}", a.mandatory[0].rule);
        assert_eq!(a.certification.verdict, Some(Verdict::Advised));
        assert!(a.certification.because.contains(&"certificate_demanded = true".to_owned()));
        assert_eq!(a.csf.verdict, Some(Verdict::Optional));
        assert_eq!(a.operative, "iso27001-2022");
    }

    #[test]
    fn a_small_us_only_company_without_a_demand_for_a_certificate_adopts_csf() {
        let a = advice(&Answers {
            sector: "regional logistics software".into(),
            employees: 25,
            maturity: Some(Maturity::AdHoc),
            ..Answers::default()
        });
        assert!(a.mandatory.is_empty());
        assert_eq!(a.csf.verdict, Some(Verdict::Advised));
        assert_eq!(a.certification.verdict, Some(Verdict::NotYet));
        assert!(a.certification.because.contains(&"international = false".to_owned()), "{:?}", a.certification);
        assert_eq!(a.operative, "nist-csf-2.0");
        // The same company once mature: certification is optional, CSF still advised.
        let mature = advice(&Answers { maturity: Some(Maturity::Managed), ..Answers::default() });
        assert_eq!(mature.certification.verdict, Some(Verdict::Optional));
        assert_eq!(mature.csf.verdict, Some(Verdict::Advised));
    }

    #[test]
    fn an_agency_system_operator_works_to_sp_800_53_with_iso_27001_as_a_supplement() {
        let a = advice(&Answers {
            sector: "federal IT services".into(),
            federal_contracts: true,
            operates_federal_system: true,
            maturity: Some(Maturity::Managed),
            ..Answers::default()
        });
        assert_eq!(mandatory(&a), ["nist-800-53r5"]);
        assert!(a.mandatory[0].rule.contains("FIPS 199"));
        assert_eq!(a.operative, "nist-800-53r5");
        assert_eq!(a.certification.verdict, Some(Verdict::Optional));
        assert!(a.certification.rule.contains("supplement"));
    }

    #[test]
    fn personal_data_of_people_in_the_eu_adds_gdpr_article_32_and_international_work_weighs_for_certification() {
        let us_only = advice(&Answers {
            ftc_financial_institution: true,
            maturity: Some(Maturity::Defined),
            ..Answers::default()
        });
        assert_eq!(mandatory(&us_only), ["glba-safeguards"]);
        assert_eq!(us_only.certification.verdict, Some(Verdict::Optional));
        let abroad = advice(&Answers {
            ftc_financial_institution: true,
            eu_personal_data: true,
            international: true,
            maturity: Some(Maturity::Defined),
            ..Answers::default()
        });
        assert_eq!(mandatory(&abroad), ["gdpr-art32", "glba-safeguards"]);
        assert!(abroad.mandatory.iter().any(|c| c.rule.contains("Article 32")));
        assert_eq!(abroad.certification.verdict, Some(Verdict::Advised), "{:?}", abroad.certification);
        // Abroad but ad hoc: not yet.
        let early = advice(&Answers { international: true, maturity: Some(Maturity::AdHoc), ..Answers::default() });
        assert_eq!(early.certification.verdict, Some(Verdict::NotYet));
    }

    #[test]
    fn bad_rules_are_refused_with_what_is_wrong() {
        let rules: AdviceRules = toml::from_str(
            "[[mandatory]]\nid = \"x\"\nregime = \"X\"\nwhen = [\"sells_ice\"]\nframeworks = []\ncitation = \"c\"\nwhy = \"w\"\nregulator = \"r\"\n",
        )
        .unwrap();
        assert_eq!(rules.problems(), ["rule x: \"sells_ice\" is not a fact of the questionnaire"]);
    }
}
