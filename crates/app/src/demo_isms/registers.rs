//! The demo's registers: scope, context, roles, objectives and assets.

use super::*;

/// The ISMS scope.
pub(super) async fn seed_scope(cx: &Cx, op: &Actor) -> AppResult<()> {
    let (trail, org) = (op.trail(), op.org());
    let actor = &trail;
    let scope = Scope {
        id: String::new(),
        statement: s(
            "The information security management system supporting the development, operation, support and sale of the Cedar Ridge clinical-scheduling SaaS platform, from the Austin, TX headquarters and remote staff in the United States.",
        ),
        boundaries: vec![
            s("All employees and contractors of Cedar Ridge Health Cloud, Inc."),
            s("Production, staging and corporate IT environments"),
        ],
        interfaces: vec![
            s("AWS (us-east-1, us-west-2) hosts production under the shared-responsibility model"),
            s("Customer EHR systems connect through the HL7/FHIR integration API"),
            s("Payroll and benefits are outsourced to a PEO"),
        ],
        locations: vec![
            s("Austin, TX headquarters (leased floor in a managed building)"),
            s("Remote employees' home offices (US only)"),
        ],
        exclusions: vec![ScopeExclusion {
            what: s("The 2025 acquisition 'SlotWise' until its migration completes"),
            justification: s(
                "Runs on separate infrastructure with no Cedar Ridge customer data; integration planned for Q3 2027.",
            ),
        }],
    };
    put_singleton(cx, actor, org, scope).await?;
    Ok(())
}

/// The context: internal and external issues, interested parties and their requirements.
pub(super) async fn seed_context(cx: &Cx, op: &Actor) -> AppResult<()> {
    let (trail, org) = (op.trail(), op.org());
    let actor = &trail;
    for (origin, title, description) in [
        (
            IssueOrigin::External,
            "Hospital customers require ISO/IEC 27001 certification in RFPs",
            "Three of the five largest deals in the pipeline list certification as mandatory.",
        ),
        (
            IssueOrigin::External,
            "HIPAA: we are a business associate of every customer",
            "BAAs oblige us to the Security Rule and breach notification.",
        ),
        (
            IssueOrigin::External,
            "Ransomware campaigns targeting healthcare vendors",
            "Sector-wide increase in extortion attacks on SaaS suppliers.",
        ),
        (
            IssueOrigin::Internal,
            "Rapid growth: headcount doubled in 18 months",
            "Onboarding and access reviews strain a small IT team.",
        ),
        (
            IssueOrigin::Internal,
            "Engineering culture values speed over process",
            "Change management must be light enough to be followed.",
        ),
        (
            IssueOrigin::Internal,
            "Fully cloud-hosted, no owned data centre",
            "Physical and environmental controls for production sit with AWS.",
        ),
    ] {
        create(
            cx,
            actor,
            org,
            ContextIssue { id: String::new(), origin, title: s(title), description: s(description) },
        )
        .await?;
    }
    let req = |kind, text: &str, addressed| PartyRequirement { kind, text: s(text), addressed };
    for (name, requirements) in [
        (
            "Hospital and clinic customers",
            vec![
                req(RequirementKind::Contractual, "ISO/IEC 27001 certificate and annual SOC 2 report", true),
                req(RequirementKind::Contractual, "Business associate agreement terms", true),
                req(RequirementKind::Expectation, "99.9% availability of scheduling", true),
            ],
        ),
        (
            "US Department of Health and Human Services (OCR)",
            vec![req(RequirementKind::Legal, "HIPAA Security Rule and Breach Notification Rule", true)],
        ),
        ("State attorneys general", vec![req(RequirementKind::Legal, "State data breach notification laws", true)]),
        ("Employees", vec![req(RequirementKind::Expectation, "Protection of their personal data in HR systems", true)]),
        (
            "Investors and the board",
            vec![
                req(RequirementKind::Expectation, "Security risks reported quarterly", true),
                req(RequirementKind::Contractual, "Cyber insurance conditions (MFA, backups, EDR)", false),
            ],
        ),
    ] {
        create(cx, actor, org, InterestedParty { id: String::new(), name: s(name), requirements }).await?;
    }
    Ok(())
}

/// The ISMS roles and who holds them.
pub(super) async fn seed_roles(cx: &Cx, op: &Actor) -> AppResult<()> {
    let (trail, org) = (op.trail(), op.org());
    let actor = &trail;
    for (name, responsibilities, assigned) in [
        (
            "Executive sponsor",
            "Approves the ISMS policy, resources and risk appetite; chairs management review.",
            vec![s(OWNER)],
        ),
        (
            "ISMS manager",
            "Runs the ISMS: scope, risk assessment, SoA, internal audit programme, reporting to management.",
            vec![s(MANAGER)],
        ),
        (
            "IT and security operations lead",
            "Owns technical controls: identity, endpoints, cloud configuration, logging, backups.",
            vec![s(IT)],
        ),
        (
            "People operations lead",
            "Screening, onboarding and offboarding, awareness training, disciplinary process.",
            vec![s(HR)],
        ),
    ] {
        create(
            cx,
            actor,
            org,
            IsmsRole { id: String::new(), name: s(name), responsibilities: s(responsibilities), assigned },
        )
        .await?;
    }
    Ok(())
}

/// The information security objectives.
pub(super) async fn seed_objectives(cx: &Cx, op: &Actor) -> AppResult<()> {
    let (trail, org) = (op.trail(), op.org());
    let actor = &trail;
    let today = cx.clock.today();
    for (title, measure, target, owner, days, status) in [
        (
            "Phishing-resistant MFA for all workforce accounts",
            "share of active accounts enrolled in FIDO2",
            "100%",
            IT,
            120,
            ObjectiveStatus::OnTrack,
        ),
        (
            "Patch critical vulnerabilities quickly",
            "median days to remediate critical CVEs in production",
            "≤ 7 days",
            IT,
            180,
            ObjectiveStatus::AtRisk,
        ),
        (
            "Everyone completes security awareness training",
            "share of staff trained in the last 12 months",
            "≥ 98%",
            HR,
            90,
            ObjectiveStatus::OnTrack,
        ),
        (
            "Achieve ISO/IEC 27001 certification",
            "Stage 2 audit passed without major nonconformity",
            "certificate issued",
            MANAGER,
            240,
            ObjectiveStatus::Planned,
        ),
    ] {
        let objective = Objective {
            id: String::new(),
            title: s(title),
            measure: s(measure),
            target: s(target),
            owner: s(owner),
            due: today + Duration::days(days),
            status,
        };
        create(cx, actor, org, objective).await?;
    }
    Ok(())
}

/// The asset inventory.
pub(super) async fn seed_assets(cx: &Cx, op: &Actor) -> AppResult<()> {
    let (trail, org) = (op.trail(), op.org());
    let actor = &trail;
    for (name, kind, owner, class, (c, i, a), description) in assets() {
        let asset = Asset {
            id: String::new(),
            name: s(name),
            kind,
            owner: s(owner),
            classification: s(class),
            confidentiality: c,
            integrity: i,
            availability: a,
            lifecycle: Lifecycle::InUse,
            description: s(description),
        };
        crate::assets::add_asset(cx, actor, org, asset).await?;
    }
    Ok(())
}

type AssetRow = (&'static str, AssetType, &'static str, &'static str, (u8, u8, u8), &'static str);

pub(super) fn assets() -> Vec<AssetRow> {
    use AssetType::*;
    vec![
        (
            "Patient appointment records",
            Information,
            IT,
            "Restricted",
            (4, 4, 4),
            "ePHI: names, dates of birth, appointment reasons",
        ),
        (
            "Customer contracts and BAAs",
            Information,
            OWNER,
            "Confidential",
            (3, 3, 2),
            "Signed agreements in the contract repository",
        ),
        ("Source code", Information, IT, "Confidential", (3, 4, 3), "Platform monorepo and infrastructure code"),
        ("Employee records", Information, HR, "Restricted", (4, 3, 2), "HR files, payroll data, background checks"),
        (
            "Security logs",
            Information,
            IT,
            "Confidential",
            (3, 4, 3),
            "CloudTrail, application audit logs, EDR telemetry",
        ),
        ("Backups of production data", Information, IT, "Restricted", (4, 4, 4), "Encrypted snapshots, cross-region"),
        ("Financial records", Information, OWNER, "Confidential", (3, 4, 2), "General ledger, invoices"),
        ("Product roadmap", Information, MANAGER, "Internal", (2, 2, 1), "Plans shared internally"),
        ("Scheduling platform (production)", System, IT, "Restricted", (4, 4, 4), "Kubernetes on AWS EKS"),
        ("Production database cluster", System, IT, "Restricted", (4, 4, 4), "Amazon Aurora PostgreSQL, encrypted"),
        ("Staging environment", System, IT, "Internal", (2, 3, 2), "Synthetic data only"),
        ("CI/CD pipeline", System, IT, "Confidential", (3, 4, 3), "GitHub Actions with OIDC to AWS"),
        ("FHIR integration gateway", System, IT, "Restricted", (4, 4, 4), "Connects to customer EHRs"),
        ("Identity provider", System, IT, "Confidential", (3, 4, 4), "Okta workforce SSO"),
        ("Employee laptops", System, IT, "Confidential", (3, 3, 2), "About 210 MacBooks managed by MDM"),
        ("Mobile phones with company apps", System, IT, "Internal", (3, 2, 2), "BYOD enrolled in MDM"),
        ("Corporate network (HQ)", System, IT, "Internal", (2, 3, 3), "Office Wi-Fi and firewall"),
        ("Secrets manager", System, IT, "Restricted", (4, 4, 3), "AWS Secrets Manager and KMS"),
        ("Endpoint detection and response", System, IT, "Confidential", (3, 3, 3), "EDR agent on all endpoints"),
        ("Logging and SIEM", System, IT, "Confidential", (3, 4, 3), "Central log platform"),
        (
            "Customer support desk",
            Service,
            MANAGER,
            "Confidential",
            (3, 3, 3),
            "Ticketing with restricted PHI handling",
        ),
        ("Customer-facing status page", Service, IT, "Public", (1, 3, 3), "Hosted status page"),
        ("Corporate e-mail and documents", Service, IT, "Confidential", (3, 3, 3), "Google Workspace"),
        ("Payroll and benefits (PEO)", Service, HR, "Restricted", (4, 3, 2), "Outsourced payroll"),
        ("Video conferencing", Service, IT, "Internal", (2, 2, 3), "Zoom"),
        ("Amazon Web Services", Supplier, IT, "Restricted", (4, 4, 4), "Hosting of production and backups"),
        ("Okta", Supplier, IT, "Confidential", (3, 4, 4), "Identity provider"),
        ("GitHub", Supplier, IT, "Confidential", (3, 4, 3), "Source code and CI"),
        ("Google", Supplier, IT, "Confidential", (3, 3, 3), "E-mail and documents"),
        ("Zendesk", Supplier, MANAGER, "Confidential", (3, 3, 3), "Support desk"),
        ("PEO provider", Supplier, HR, "Restricted", (4, 3, 2), "Payroll and benefits"),
        ("Penetration testing firm", Supplier, MANAGER, "Confidential", (3, 2, 1), "Annual external test"),
        ("Austin headquarters", Location, OWNER, "Internal", (2, 2, 2), "Leased floor, badge access, managed building"),
        ("Remote home offices", Location, HR, "Internal", (2, 2, 2), "US remote staff"),
        ("Site reliability engineers", Person, IT, "Confidential", (3, 3, 4), "Five engineers with production access"),
        ("Customer success team", Person, MANAGER, "Confidential", (3, 2, 2), "Handles customer configurations"),
        ("Executive team", Person, OWNER, "Confidential", (3, 3, 3), "Officers and directors"),
        ("Data warehouse", System, IT, "Restricted", (4, 3, 2), "De-identified analytics in Snowflake"),
        ("Marketing website", System, MANAGER, "Public", (1, 3, 2), "Static site, no customer data"),
        (
            "Legacy SlotWise servers",
            System,
            IT,
            "Confidential",
            (3, 3, 2),
            "Acquired platform, outside scope until migration",
        ),
    ]
}
