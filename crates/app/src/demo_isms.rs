//! The demo organization's ISMS: a 200-person US B2B SaaS company selling a
//! clinical-scheduling platform to healthcare providers. Scope, context, roles,
//! objectives, about forty assets, and a complete Statement of Applicability with a
//! realistic mix of statuses, approved once and edited since.

use std::collections::BTreeSet;

use isms_domain::Email;
use isms_domain::asset::{Asset, AssetType, Lifecycle};
use isms_domain::register::{
    ContextIssue, InterestedParty, IsmsRole, IssueOrigin, Objective, ObjectiveStatus, PartyRequirement,
    RequirementKind, Scope, ScopeExclusion,
};
use isms_domain::soa::{ControlStatus, InclusionReason};
use time::Duration;

use crate::access::Actor;
use crate::controls::{ControlChange, controls_of, update_control};
use crate::registers::{create, put_singleton};
use crate::{AppResult, Cx};

/// The demo's main organization.
pub const DEMO_ORG: &str = "Cedar Ridge Health Cloud, Inc.";

const OWNER: &str = "dana.whitfield@cedarridge.example";
const MANAGER: &str = "marcus.chen@cedarridge.example";
const IT: &str = "priya.raman@cedarridge.example";
const HR: &str = "jordan.ellis@cedarridge.example";

fn s(text: &str) -> String {
    text.to_owned()
}

/// Seeds the registers and the SoA of the demo's main organization.
pub(crate) async fn seed(cx: &Cx, op: &Actor) -> AppResult<()> {
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

    seed_risks(cx, op).await?;
    seed_controls(cx, op).await
}

type AssetRow = (&'static str, AssetType, &'static str, &'static str, (u8, u8, u8), &'static str);

fn assets() -> Vec<AssetRow> {
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

/// Controls excluded from the demo SoA, with the reason.
const EXCLUDED: [(&str, &str); 4] = [
    (
        "A.7.4",
        "No owned data centre or office perimeter to monitor: production runs in AWS (monitored by AWS under its SOC 2 / ISO 27001 controls) and the office is a leased floor in a managed building whose landlord monitors entrances.",
    ),
    (
        "A.7.11",
        "Supporting utilities for production are AWS's responsibility under the shared-responsibility model; the office holds no information processing facilities needing protected power.",
    ),
    (
        "A.7.12",
        "No owned cabling carries information: production networking is AWS's, the office uses the building's managed network and encrypted Wi-Fi only.",
    ),
    (
        "A.8.34",
        "No audit testing is performed on operational systems; external auditors and penetration testers work on staging with synthetic data.",
    ),
];

async fn seed_controls(cx: &Cx, op: &Actor) -> AppResult<()> {
    let org = op.org();
    let owners = [IT, MANAGER, HR, OWNER];
    let controls = controls_of(cx, org).await?;
    for (i, c) in controls.iter().enumerate() {
        let id = c.record.control.as_str();
        if let Some((_, why)) = EXCLUDED.iter().find(|(x, _)| *x == id) {
            let change = ControlChange {
                applicable: Some(false),
                justification: Some(Some(s(why))),
                ..ControlChange::default()
            };
            update_control(cx, op, id, change).await?;
            continue;
        }
        let status = match i % 10 {
            0..=5 => ControlStatus::Implemented,
            6 | 7 => ControlStatus::PartiallyImplemented,
            8 => ControlStatus::Planned,
            _ => ControlStatus::NotStarted,
        };
        let mut reasons = BTreeSet::from([InclusionReason::BusinessPractice]);
        if id.starts_with("A.5.3") || id.starts_with("A.8.1") || id == "A.5.34" || id == "A.8.24" {
            reasons.insert(InclusionReason::LegalRegulatory);
        }
        if ["A.5.19", "A.5.20", "A.5.21", "A.5.22", "A.5.23", "A.8.13", "A.8.14", "A.5.30"].contains(&id) {
            reasons.insert(InclusionReason::Contractual);
        }
        let theme_owner = match &c.theme[..] {
            "A.6" => HR,
            "A.8" => IT,
            "A.7" => OWNER,
            _ => owners[i % owners.len()],
        };
        let change = ControlChange {
            status: Some(status),
            reasons: Some(reasons),
            owner: Some(Some(Email::parse(theme_owner).map_err(|e| crate::AppError::invalid_field("owner", e))?)),
            target_date: (status != ControlStatus::Implemented)
                .then(|| Some(cx.clock.today() + Duration::days(30 * (1 + (i as i64 % 6))))),
            implementation: (status == ControlStatus::Implemented).then(|| {
                format!(
                    "In place and evidenced; see the control's documents and evidence. Owner reviews it yearly ({}).",
                    c.title
                )
            }),
            ..ControlChange::default()
        };
        update_control(cx, op, id, change).await?;
    }
    let approver = Email::parse(MANAGER).map_err(|e| crate::AppError::invalid_field("approver", e))?;
    let approver = Actor::member(cx, org, &approver).await?;
    crate::soa::approve_soa(cx, &approver, "Initial Statement of Applicability for the Stage 1 audit.").await?;
    seed_evidence(cx, op).await?;
    seed_documents(cx, op).await?;
    seed_certification(cx, op).await?;
    // Work has moved on since the approval: the draft differs from version 1.
    for (id, status) in [("A.8.8", ControlStatus::Implemented), ("A.5.7", ControlStatus::PartiallyImplemented)] {
        update_control(cx, op, id, ControlChange { status: Some(status), ..ControlChange::default() }).await?;
    }
    Ok(())
}

/// Evidence for most implemented controls: exports stored as files (by SHA-256 in the
/// blob store, when one is configured) and links to tickets and reports; a few items
/// are past their validity and a few implemented controls have none, so the freshness
/// views have something to show.
async fn seed_evidence(cx: &Cx, op: &Actor) -> AppResult<()> {
    let (trail, org) = (op.trail(), op.org());
    let actor = &trail;
    use isms_domain::evidence::{Content, Evidence, Target, TargetKind};
    let now = cx.clock.now();
    let today = now.date();
    let controls = controls_of(cx, org).await?;
    let implemented = controls.iter().filter(|c| c.record.status == ControlStatus::Implemented);
    for (i, c) in implemented.enumerate() {
        if i % 11 == 10 {
            continue;
        }
        let id = &c.record.control;
        let content = if i % 3 == 0 {
            let text = format!(
                "{id} {} — evidence export\nSystem: Cedar Ridge production\nResult: control operating as described; no exceptions.\n",
                c.title
            );
            match cx.blobs.put(&mut text.as_bytes(), cx.max_upload).await {
                Ok(blob) => Content::File {
                    sha256: blob.sha256,
                    size: blob.size,
                    filename: format!("{}-export.txt", id.replace('.', "-")),
                    media_type: "text/plain".into(),
                },
                Err(_) => Content::Link { url: format!("https://intranet.cedarridge.example/evidence/{id}") },
            }
        } else {
            Content::Link { url: format!("https://tickets.cedarridge.example/browse/SEC-{}", 100 + i) }
        };
        let age = Duration::days(3 * i as i64 + 5);
        let valid_until =
            if i % 7 == 6 { today - Duration::days(10) } else { today + Duration::days(60 + 10 * i as i64) };
        let mut item = Evidence {
            id: String::new(),
            title: format!("{} — operating evidence", c.title),
            content,
            targets: vec![Target { kind: TargetKind::Control, id: id.clone() }],
            collected_by: c.owner_email.clone().unwrap_or_else(|| IT.to_owned()),
            collected_at: now - age,
            period_start: Some(today - age - Duration::days(90)),
            period_end: Some(today - age),
            valid_until: Some(valid_until),
            note: String::new(),
        };
        if id == "A.8.13" {
            item.targets
                .push(Target { kind: TargetKind::Requirement, id: "hipaa-security:164.308(a)(7)(ii)(A)".into() });
        }
        create(cx, actor, org, item).await?;
    }
    Ok(())
}

/// The starter documents, adopted and at different points of their life: most
/// approved (the information security policy twice, its first version superseded),
/// one approved thirteen months ago and so overdue for review, one waiting for
/// approval, one still a draft; the policies everyone acknowledges partly
/// acknowledged.
async fn seed_documents(cx: &Cx, op: &Actor) -> AppResult<()> {
    let (trail, org) = (op.trail(), op.org());
    let actor = &trail;
    use isms_domain::document::{Acknowledgement, Audience, Body, Document};

    use crate::starters::{STARTERS, text_for};
    let now = cx.clock.now();
    // (starter, owner, months since its approval; None: not approved)
    let plan: [(&str, &str, Option<i64>); 8] = [
        ("information-security-policy", OWNER, Some(2)),
        ("risk-assessment-methodology", MANAGER, Some(10)),
        ("operational-planning-procedure", MANAGER, Some(9)),
        ("access-control-policy", IT, Some(13)),
        ("acceptable-use-policy", HR, Some(6)),
        ("incident-response-procedure", IT, Some(5)),
        ("supplier-security-policy", MANAGER, None),
        ("business-continuity-plan", IT, None),
    ];
    for (key, owner, approved_months_ago) in plan {
        let Some(st) = STARTERS.iter().find(|s| s.key == key) else { continue };
        let text = text_for(st, DEMO_ORG);
        let mut doc = Document {
            id: String::new(),
            title: st.title.to_owned(),
            kind: st.kind,
            owner: owner.to_owned(),
            classification: "Internal".to_owned(),
            clauses: st.clauses.iter().map(|c| (*c).to_owned()).collect(),
            controls: st.controls.iter().map(|c| (*c).to_owned()).collect(),
            review_months: 12,
            acknowledged_by: st.everyone_acknowledges.then_some(Audience::Everyone),
            versions: vec![],
            acknowledgements: vec![],
            reviewed_on: None,
        };
        let refused = |e: isms_domain::document::DocumentError| crate::AppError::new(crate::Code::Demo, e.to_string());
        match approved_months_ago {
            Some(months) => {
                let approved = now - Duration::days(30 * months);
                if key == "information-security-policy" {
                    // Version 1 a year and a half ago, superseded by version 2.
                    let first = now - Duration::days(540);
                    let v1 = text.replace("continual improvement", "improvement");
                    doc.start_version(Body::Markdown { text: v1 }, owner, first, "first issue").map_err(refused)?;
                    doc.submit().map_err(refused)?;
                    doc.approve(OWNER, first, "Approved by the leadership team").map_err(refused)?;
                    doc.acknowledgements.push(Acknowledgement { version: 1, by: HR.to_owned(), at: first });
                }
                let body = Body::Markdown { text: text.clone() };
                doc.start_version(body, owner, approved - Duration::days(14), "adopted from the isms starter")
                    .map_err(refused)?;
                doc.submit().map_err(refused)?;
                doc.approve(OWNER, approved, "Approved at the management review").map_err(refused)?;
                if doc.acknowledged_by.is_some() {
                    for (who, days) in [(MANAGER, 1), (IT, 3)] {
                        let version = doc.in_force().map_or(1, |v| v.number);
                        doc.acknowledgements.push(Acknowledgement {
                            version,
                            by: who.to_owned(),
                            at: approved + Duration::days(days),
                        });
                    }
                }
            }
            None => {
                let body = Body::Markdown { text: text.clone() };
                doc.start_version(body, owner, now - Duration::days(20), "adopted from the isms starter")
                    .map_err(refused)?;
                if key == "supplier-security-policy" {
                    doc.submit().map_err(refused)?;
                }
            }
        }
        // Acknowledgements are entries of their own, as people make them.
        let acks = std::mem::take(&mut doc.acknowledgements);
        let doc = create(cx, actor, org, doc).await?;
        for ack in acks {
            let entry =
                isms_domain::document::DocumentAcknowledgement { id: String::new(), document: doc.id.clone(), ack };
            create(cx, actor, org, entry).await?;
        }
    }
    // Competence records (7.2): a record, approved, not acknowledged.
    let mut training = Document {
        id: String::new(),
        title: "Security awareness and role training records 2026".into(),
        kind: isms_domain::document::DocumentType::Record,
        owner: HR.into(),
        classification: "Confidential".into(),
        clauses: vec!["7.2".into(), "7.3".into()],
        controls: vec!["A.6.3".into()],
        review_months: 12,
        acknowledged_by: None,
        versions: vec![],
        acknowledgements: vec![],
        reviewed_on: None,
    };
    let text = "# Security awareness and role training records 2026\n\n\
        | Programme | Audience | Completed | Due |\n|---|---|---|---|\n\
        | Annual security awareness | all staff (204) | 198 | 6 on leave, due on return |\n\
        | Secure development | engineering (61) | 61 | — |\n\
        | Incident handling tabletop | on-call engineers (14) | 14 | — |\n\
        | Privacy and PHI handling | support and success (37) | 35 | 2 new hires, due in 30 days |\n\n\
        Completion exported from the learning platform; individual records are kept there for three years.\n";
    let at = now - Duration::days(20);
    let refused = |e: isms_domain::document::DocumentError| crate::AppError::new(crate::Code::Demo, e.to_string());
    training.start_version(Body::Markdown { text: text.into() }, HR, at, "2026 completion").map_err(refused)?;
    training.submit().map_err(refused)?;
    training.approve(MANAGER, at, "Figures checked against the learning platform").map_err(refused)?;
    create(cx, actor, org, training).await?;
    Ok(())
}

/// A certified organization in its first surveillance year: an internal audit and a
/// management review before certification, Stage 1 and Stage 2 audits (Stage 2 raised
/// two minor nonconformities: one closed after verification, one in progress), the
/// certificate issued about eight months ago, next year's internal audit copied from
/// last year's and the first surveillance audit planned.
async fn seed_certification(cx: &Cx, op: &Actor) -> AppResult<()> {
    let (trail, org) = (op.trail(), op.org());
    let actor = &trail;
    use isms_domain::audit::{AuditKind, CheckResult, Finding, Grade, ManagementReview, ReviewAction};
    use isms_domain::certification::{Certificate, CertificateStatus};

    use crate::certification::{NewAudit, NewFinding, copy_audit, plan_audit, raise_finding};
    use crate::registers::update;

    let today = cx.clock.today();
    let issued = today - Duration::days(255);
    const INTERNAL_AUDITOR: &str = "audits@northwind-assurance.example";
    const BODY: &str = "Keystone Certification Services";
    let plan = |kind, title: &str, auditor: &str, start, days, controls: Vec<&str>| NewAudit {
        kind,
        title: title.to_owned(),
        scope: String::new(),
        criteria: String::new(),
        auditor: auditor.to_owned(),
        certification_body: (kind != AuditKind::Internal).then(|| BODY.to_owned()),
        start,
        end: start + Duration::days(days),
        controls: controls.into_iter().map(str::to_owned).collect(),
        sample: Some(0),
    };
    // Complete an audit: every line conforming except those with findings.
    let complete = async |id: &str, findings: &[&str], conclusion: &str| -> AppResult<()> {
        let findings: Vec<String> = findings.iter().map(|f| (*f).to_owned()).collect();
        let conclusion = conclusion.to_owned();
        update(cx, actor, org, id, |a: &mut isms_domain::audit::Audit| {
            for l in &mut a.checklist {
                if findings.contains(&l.reference) {
                    l.result = CheckResult::Finding;
                } else {
                    l.result = CheckResult::Conforming;
                    l.notes = "Sampled records and interviews; conforming.".into();
                }
            }
            a.complete(&conclusion).map_err(|e| crate::AppError::new(crate::Code::Demo, e.to_string()))
        })
        .await?;
        Ok(())
    };

    let internal = plan_audit(
        cx,
        op,
        plan(
            AuditKind::Internal,
            "Internal audit — full ISMS",
            INTERNAL_AUDITOR,
            issued - Duration::days(120),
            3,
            vec!["A.5.15", "A.5.23", "A.5.24", "A.8.8", "A.8.13", "A.8.15", "A.8.16", "A.6.3", "A.5.30", "A.8.32"],
        ),
    )
    .await?
    .audit;
    complete(
        &internal.id,
        &[],
        "The ISMS conforms to ISO/IEC 27001:2022 and is effectively implemented; ready for Stage 1.",
    )
    .await?;

    let review = ManagementReview {
        id: String::new(),
        held_on: issued - Duration::days(90),
        attendees: vec![OWNER.to_owned(), MANAGER.to_owned(), "ceo@cedarridge.example".to_owned()],
        inputs: isms_domain::audit::REVIEW_INPUTS
            .iter()
            .map(|(k, t)| isms_domain::audit::ReviewInput {
                topic: (*k).to_owned(),
                notes: format!("{t}: presented by the ISMS manager and discussed; no change to the ISMS scope."),
            })
            .collect(),
        decisions: vec![
            "Proceed to certification with Keystone Certification Services.".into(),
            "Fund a second on-call security engineer.".into(),
        ],
        actions: vec![ReviewAction {
            title: "Quarterly phishing simulation for all staff".into(),
            owner: HR.into(),
            due: today + Duration::days(45),
            done: false,
        }],
    };
    create(cx, actor, org, review).await?;

    let stage1 = plan_audit(
        cx,
        op,
        plan(AuditKind::Stage1, "Stage 1 — documentation review", "Sam Okafor", issued - Duration::days(75), 1, vec![]),
    )
    .await?
    .audit;
    complete(&stage1.id, &[], "The ISMS is documented; Stage 2 may proceed.").await?;

    let stage2 = plan_audit(
        cx,
        op,
        plan(
            AuditKind::Stage2,
            "Stage 2 — certification audit",
            "Sam Okafor",
            issued - Duration::days(35),
            3,
            vec!["A.5.15", "A.5.18", "A.8.13", "A.8.15", "A.8.16", "A.5.24", "A.6.3"],
        ),
    )
    .await?
    .audit;
    let mut raised = Vec::new();
    for (req, text, evidence) in [
        (
            "A.5.18",
            "Quarterly access reviews of the production AWS accounts were not performed in Q2.",
            "Access review tickets SEC-201 (Q1) and SEC-318 (Q3); none for Q2.",
        ),
        (
            "A.8.13",
            "No restore test of the scheduling database backup had been performed in the last six months.",
            "Backup runbook v3 requires quarterly restore tests; latest test record dated eight months before the audit.",
        ),
    ] {
        let f = raise_finding(
            cx,
            op,
            NewFinding {
                audit: stage2.id.clone(),
                grade: Grade::Minor,
                requirement: req.to_owned(),
                description: text.to_owned(),
                evidence: evidence.to_owned(),
                due: None,
                owner: Some(IT.to_owned()),
            },
        )
        .await?;
        raised.push(f.id);
    }
    complete(
        &stage2.id,
        &["A.5.18", "A.8.13"],
        "Two minor nonconformities; recommended for certification once corrective action plans are accepted.",
    )
    .await?;
    // The first is closed; the second is in progress, due in a few weeks.
    let closed = &raised[0];
    let refused = |e: isms_domain::audit::FindingError| crate::AppError::new(crate::Code::Demo, e.to_string());
    update(cx, actor, org, closed, |f: &mut Finding| {
        f.raised_on = issued - Duration::days(33);
        f.plan(
            "Performed the missed Q2 review; removed 4 stale accounts.",
            "Reviews were scheduled by hand and lapsed during a staff change.",
            "Automated quarterly review tickets with escalation to the ISMS manager.",
            IT,
            issued + Duration::days(60),
        )
        .map_err(refused)?;
        f.implemented().map_err(refused)?;
        f.verify(MANAGER, issued + Duration::days(100), "Q3 and Q4 reviews completed on time from automated tickets.")
            .map_err(refused)
    })
    .await?;
    update(cx, actor, org, &raised[1], |f: &mut Finding| {
        f.raised_on = issued - Duration::days(33);
        f.plan(
            "Restored the scheduling database to a scratch account and checked row counts.",
            "Restore tests had no owner after the platform team was reorganized.",
            "Monthly automated restore test with the result posted to the evidence store.",
            IT,
            today + Duration::days(21),
        )
        .map_err(refused)
    })
    .await?;

    let certificate = Certificate {
        id: String::new(),
        number: "KCS-ISMS-2026-0417".into(),
        certification_body: BODY.into(),
        accreditation_body: "ANAB".into(),
        issued,
        scope: "The information security management system supporting the development, operation, support and sale of the Cedar Ridge clinical-scheduling SaaS platform.".into(),
        status: CertificateStatus::Active,
        standard: "ISO/IEC 27001:2022".into(),
    };
    let certificate = crate::certification::add_certificate(cx, op, certificate).await?;

    // This year: the internal audit copied from last year's, then surveillance 1.
    copy_audit(cx, op, &internal.id, today + Duration::days(30), today + Duration::days(33)).await?;
    let s1 = certificate.cycle().surveillance_1_due - Duration::days(40);
    plan_audit(
        cx,
        op,
        plan(AuditKind::Surveillance1, "Surveillance audit 1", "Sam Okafor", s1, 2, vec!["A.5.18", "A.8.13", "A.5.30"]),
    )
    .await?;
    Ok(())
}

/// About sixty risks built from the threat catalog against the demo's assets, with
/// treatment actions and acceptances where the methodology calls for them; a few are
/// left unaccepted or due for review so the views have something to show.
pub(crate) async fn seed_risks(cx: &Cx, op: &Actor) -> AppResult<()> {
    let org = op.org();
    use isms_domain::risk::{ActionStatus, Rating, Risk, TreatmentAction, TreatmentOption};

    use crate::risks::{accept_risk, add_risk};

    // Which asset each threat mostly concerns (ids follow the order of `assets()`).
    let primary = |threat: &str| -> &'static str {
        match threat {
            "T-01" | "T-05" | "T-08" | "T-12" | "T-13" | "T-15" | "T-23" | "T-35" => "AST-009",
            "T-02" | "T-03" | "T-09" | "T-20" => "AST-014",
            "T-04" | "T-10" | "T-19" => "AST-010",
            "T-06" | "T-16" | "T-29" => "AST-026",
            "T-07" | "T-32" | "T-33" => "AST-015",
            "T-11" | "T-26" | "T-27" => "AST-001",
            "T-14" => "AST-006",
            "T-17" => "AST-003",
            "T-18" | "T-37" => "AST-004",
            "T-21" | "T-22" => "AST-033",
            "T-24" | "T-40" => "AST-020",
            "T-25" => "AST-002",
            "T-28" => "AST-011",
            "T-30" => "AST-040",
            "T-31" => "AST-018",
            "T-34" => "AST-013",
            "T-36" => "AST-035",
            "T-38" => "AST-003",
            "T-39" => "AST-015",
            _ => "AST-009",
        }
    };
    let owner_of = |threat: &str| -> &'static str {
        match threat {
            "T-02" | "T-03" | "T-18" | "T-20" | "T-36" | "T-37" => HR,
            "T-06" | "T-24" | "T-25" | "T-26" | "T-27" | "T-29" | "T-40" => MANAGER,
            "T-01" | "T-13" | "T-22" => OWNER,
            _ => IT,
        }
    };
    let secondary =
        ["AST-013", "AST-006", "AST-012", "AST-021", "AST-023", "AST-038", "AST-024", "AST-027", "AST-028", "AST-017"];
    let today = cx.clock.today();
    let threats = isms_catalog::threats();
    let mut plan: Vec<(String, String, &str)> =
        threats.iter().map(|t| (t.id.clone(), primary(&t.id).to_owned(), "")).collect();
    for (n, t) in threats.iter().step_by(2).take(20).enumerate() {
        plan.push((t.id.clone(), secondary[n % secondary.len()].to_owned(), " (secondary)"));
    }
    for (i, (threat_id, asset, _)) in plan.iter().enumerate() {
        let Some(threat) = threats.iter().find(|t| &t.id == threat_id) else { continue };
        let n = i as u32;
        let inherent = Rating { likelihood: (2 + (n * 3) % 4) as u8, impact: (1 + (n * 2 + n / 4) % 5).max(2) as u8 };
        let residual = Rating {
            likelihood: inherent.likelihood.saturating_sub(if n % 6 == 5 { 1 } else { 2 }).max(1),
            impact: inherent.impact.saturating_sub(if n.is_multiple_of(3) { 2 } else { 1 }).max(1),
        };
        let owner = owner_of(threat_id);
        let asset_name =
            assets().get(asset.trim_start_matches("AST-").parse::<usize>().unwrap_or(1) - 1).map_or("", |a| a.0);
        let actions = if residual.likelihood + residual.impact >= 5 {
            vec![
                TreatmentAction {
                    title: format!(
                        "Strengthen {} for {asset_name}",
                        threat.controls.first().map_or("controls", String::as_str)
                    ),
                    owner: owner.into(),
                    due: today + Duration::days(20 * (i as i64 % 9) - 30),
                    status: [ActionStatus::Open, ActionStatus::InProgress, ActionStatus::Done][i % 3],
                },
                TreatmentAction {
                    title: "Verify effectiveness and update the risk".into(),
                    owner: MANAGER.into(),
                    due: today + Duration::days(90 + 15 * (i as i64 % 5)),
                    status: ActionStatus::Open,
                },
            ]
        } else {
            Vec::new()
        };
        let risk = Risk {
            id: String::new(),
            title: format!("{} — {asset_name}", threat.name),
            description: threat.description.clone(),
            assets: vec![asset.clone()],
            threat: threat.name.clone(),
            vulnerability: match i % 4 {
                0 => "Control not yet applied everywhere".into(),
                1 => "Relies on people following a manual procedure".into(),
                2 => "Monitoring would notice late".into(),
                _ => "Depends on a supplier's safeguards".into(),
            },
            owner: owner.into(),
            inherent,
            existing_controls: "See the linked controls' implementation notes.".into(),
            treatment: if residual == inherent {
                TreatmentOption::Retain
            } else if i % 11 == 5 {
                TreatmentOption::Share
            } else {
                TreatmentOption::Modify
            },
            actions,
            controls: threat.controls.iter().take(3).cloned().collect(),
            residual,
            acceptance: None,
            next_review: today + Duration::days(if i % 13 == 4 { -10 } else { 60 + 5 * i as i64 }),
            history: Vec::new(),
            fair: None,
        };
        let saved = add_risk(cx, op, risk).await?;
        let needs = matches!(saved.acceptance_state, isms_domain::risk::AcceptanceState::Unaccepted { .. });
        if needs && i % 5 != 2 {
            let by = Email::parse(owner).map_err(|e| crate::AppError::invalid_field("owner", e))?;
            // Executive-level risks owned by someone without the owner role stay open:
            // the "above appetite without acceptance" view shows them.
            let owner = Actor::member(cx, org, &by).await?;
            let _ = accept_risk(
                cx,
                &owner,
                &saved.risk.id,
                "Residual risk reviewed with the ISMS manager and accepted for this year.",
            )
            .await;
        }
        if i % 5 == 0 {
            // Quantified in Open FAIR terms: frequency follows the likelihood rating,
            // magnitude the impact rating.
            let l = f64::from(inherent.likelihood);
            let m = f64::from(inherent.impact);
            let pert = |low: f64, mode: f64, high: f64| isms_domain::fair::Estimate::Pert { low, mode, high };
            let estimates = isms_domain::risk::FairEstimates {
                frequency: isms_domain::fair::Frequency::Vulnerability {
                    tef: pert(0.05 * l, 0.2 * l, 0.8 * l),
                    vuln: pert(0.05, 0.15 + 0.05 * l, 0.6),
                },
                pl: pert(2_000.0 * m * m, 15_000.0 * m * m, 150_000.0 * m * m),
                slef: pert(0.05, 0.2, 0.5),
                slem: pert(5_000.0 * m * m, 40_000.0 * m * m, 600_000.0 * m * m),
            };
            crate::fair::set_estimates(cx, op, &saved.risk.id, Some(estimates)).await?;
        }
    }
    crate::fair::set_appetite(cx, op, vec![(2_000_000.0, 0.5), (10_000_000.0, 0.1), (25_000_000.0, 0.01)]).await?;
    let settings =
        isms_domain::fair::Settings { iterations: 10_000, seed: 1, ..isms_domain::fair::Settings::default() };
    crate::fair::simulate_risks(cx, op, None, settings, std::sync::Arc::default()).await?;
    Ok(())
}
