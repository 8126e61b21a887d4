//! `isms demo --size large`: the demo organization grown to the size of a large
//! customer, for benchmarks and for trying the product at scale. Everything goes
//! through the product's own write paths (the CSV imports, the entry writer, the audit
//! use cases), in batches of one transaction each, with every change in the trail.

use std::fmt::Write as _;
use std::sync::atomic::AtomicUsize;

use isms_domain::audit::{AuditKind, CheckResult, Grade};
use isms_domain::document::{Body, Document, DocumentType};
use isms_domain::evidence::{Content, Evidence, Target, TargetKind};
use serde::Serialize;

use super::*;
use crate::certification::{NewAudit, NewFinding, plan_audit, raise_finding};

/// How much a large demo holds, on top of the ordinary demo.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct LargeSize {
    /// Risks, each linked to two Annex A controls and one asset.
    pub risks: usize,
    /// Assets.
    pub assets: usize,
    /// Evidence items, linked to controls.
    pub evidence: usize,
    /// Documents, each with an approved version.
    pub documents: usize,
    /// Completed internal audits, each with findings.
    pub audits: usize,
}

impl LargeSize {
    /// The size issue 20 names: a large organization.
    pub const LARGE: LargeSize =
        LargeSize { risks: 5_000, assets: 1_000, evidence: 20_000, documents: 300, audits: 50 };
}

/// Records written per transaction by the batch writers.
const BATCH: usize = 1_000;

const PEOPLE: [&str; 4] = [OWNER, MANAGER, IT, HR];

/// Every Annex A control id (5.1–5.37, 6.1–6.8, 7.1–7.14, 8.1–8.34).
fn annex_a() -> Vec<String> {
    [(5, 37), (6, 8), (7, 14), (8, 34)].iter().flat_map(|(t, n)| (1..=*n).map(move |i| format!("A.{t}.{i}"))).collect()
}

/// Grows the demo's main organization by `size`. Deterministic: the same size makes
/// the same records.
pub(crate) async fn grow(cx: &Cx, op: &Actor, size: LargeSize) -> AppResult<()> {
    let controls = annex_a();
    let done = AtomicUsize::new(0);
    // Assets, through the CSV import.
    let mut csv = String::from("name,type,owner,classification,confidentiality,integrity,availability,lifecycle\n");
    let kinds = ["system", "service", "information", "supplier"];
    let classes = ["Internal", "Confidential", "Restricted"];
    for i in 0..size.assets {
        let _ = writeln!(
            csv,
            "Generated asset {n:04},{kind},{owner},{class},{c},{i2},{a},in_use",
            n = i + 1,
            kind = kinds[i % kinds.len()],
            owner = PEOPLE[i % PEOPLE.len()],
            class = classes[i % classes.len()],
            c = 1 + i % 4,
            i2 = 1 + (i / 4) % 4,
            a = 1 + (i / 16) % 4,
        );
    }
    let assets = crate::assets::import_assets_csv(cx, op, &csv, false, &done).await?;
    if !assets.errors.is_empty() {
        return Err(crate::AppError::new(
            crate::Code::Demo,
            format!("generated assets refused: {:?}", assets.errors[0]),
        ));
    }
    let asset_ids: Vec<String> = assets.created.iter().map(|a| a.id.clone()).collect();
    // Risks, through the CSV import.
    let mut csv = String::from(
        "title,owner,inherent_likelihood,inherent_impact,residual_likelihood,residual_impact,treatment,threat,vulnerability,controls,assets,description\n",
    );
    let threats = ["Credential theft", "Ransomware", "Insider misuse", "Supplier breach", "Misconfiguration"];
    for i in 0..size.risks {
        let (a, b) = (&controls[i % controls.len()], &controls[(i * 7 + 3) % controls.len()]);
        let links = if a == b { a.clone() } else { format!("{a};{b}") };
        let asset = asset_ids.get(i % asset_ids.len().max(1)).map_or("", String::as_str);
        let _ = writeln!(
            csv,
            "Generated risk {n:05}: {threat} affecting {asset},{owner},{il},{ii},{rl},{ri},modify,{threat},Gaps in monitoring,{links},{asset},Generated for the large demo.",
            n = i + 1,
            threat = threats[i % threats.len()],
            owner = PEOPLE[i % PEOPLE.len()],
            il = 1 + i % 5,
            ii = 1 + (i / 5) % 5,
            rl = 1 + i % 3,
            ri = 1 + (i / 3) % 3,
        );
    }
    let risks = crate::risks::import_risks_csv(cx, op, &csv, false, &done).await?;
    if !risks.errors.is_empty() {
        return Err(crate::AppError::new(crate::Code::Demo, format!("generated risks refused: {:?}", risks.errors[0])));
    }
    grow_documents(cx, op, size.documents).await?;
    grow_evidence(cx, op, size.evidence, &controls).await?;
    grow_audits(cx, op, size.audits, &controls).await
}

/// Creates `count` entries made by `make`, `per_batch` to a transaction (each under the
/// organization's write turn, every creation in the trail).
async fn create_in_batches<T: isms_domain::register::Entry>(
    cx: &Cx,
    op: &Actor,
    count: usize,
    per_batch: usize,
    mut make: impl FnMut(usize) -> AppResult<T>,
) -> AppResult<()> {
    let (trail, org) = (op.trail(), op.org());
    for start in (0..count).step_by(per_batch.max(1)) {
        let mut tx = cx.write().await?;
        tx.lock_organization(org).await?;
        for i in start..(start + per_batch).min(count) {
            let mut value = make(i)?;
            crate::registers::create_in(&mut *tx, cx, &trail, org, &mut value).await?;
        }
        tx.commit().await?;
    }
    Ok(())
}

async fn grow_documents(cx: &Cx, op: &Actor, count: usize) -> AppResult<()> {
    let now = cx.clock.now();
    let kinds = [DocumentType::Policy, DocumentType::Procedure, DocumentType::Record];
    let refused = |e: isms_domain::document::DocumentError| crate::AppError::new(crate::Code::Demo, e.to_string());
    create_in_batches(cx, op, count, BATCH / 10, |i| {
        let owner = PEOPLE[i % PEOPLE.len()];
        let mut doc = Document {
            id: String::new(),
            title: format!("Generated procedure {:03}", i + 1),
            kind: kinds[i % kinds.len()],
            owner: owner.to_owned(),
            classification: "Internal".to_owned(),
            clauses: vec![],
            controls: vec![],
            review_months: 12,
            acknowledged_by: None,
            versions: vec![],
            acknowledgements: vec![],
            reviewed_on: None,
        };
        let approved = now - Duration::days(20 + (i % 300) as i64);
        let text = format!("# {}\n\nHow the team carries out task {} of the ISMS.\n", doc.title, i + 1);
        doc.start_version(Body::Markdown { text }, owner, approved - Duration::days(7), "generated")
            .map_err(refused)?;
        doc.submit().map_err(refused)?;
        doc.approve(OWNER, approved, "Approved").map_err(refused)?;
        Ok(doc)
    })
    .await
}

async fn grow_evidence(cx: &Cx, op: &Actor, count: usize, controls: &[String]) -> AppResult<()> {
    let now = cx.clock.now();
    let today = now.date();
    create_in_batches(cx, op, count, BATCH, |i| {
        let control = &controls[i % controls.len()];
        let age = Duration::days((i % 400) as i64);
        Ok(Evidence {
            id: String::new(),
            title: format!("{control} — operating evidence {:05}", i + 1),
            content: Content::Link { url: format!("https://tickets.cedarridge.example/browse/OPS-{}", 1000 + i) },
            targets: vec![Target { kind: TargetKind::Control, id: control.clone() }],
            collected_by: PEOPLE[i % PEOPLE.len()].to_owned(),
            collected_at: now - age,
            period_start: Some(today - age - Duration::days(30)),
            period_end: Some(today - age),
            valid_until: Some(today - age + Duration::days(365)),
            note: String::new(),
        })
    })
    .await
}

async fn grow_audits(cx: &Cx, op: &Actor, count: usize, controls: &[String]) -> AppResult<()> {
    let (trail, org) = (op.trail(), op.org());
    let today = cx.clock.today();
    for i in 0..count {
        let start = today - Duration::days(400 + 14 * i as i64);
        let sampled: Vec<String> = (0..5).map(|k| controls[(i * 5 + k) % controls.len()].clone()).collect();
        let audit = plan_audit(
            cx,
            op,
            NewAudit {
                kind: AuditKind::Internal,
                title: format!("Internal audit {:02} — sampled controls", i + 1),
                scope: String::new(),
                criteria: String::new(),
                auditor: "audits@northwind-assurance.example".into(),
                certification_body: None,
                start,
                end: start + Duration::days(2),
                controls: sampled.clone(),
                sample: Some(0),
            },
        )
        .await?
        .audit;
        let grade = if i % 5 == 0 { Grade::Minor } else { Grade::Observation };
        raise_finding(
            cx,
            op,
            NewFinding {
                audit: audit.id.clone(),
                grade,
                requirement: sampled[0].clone(),
                description: format!("Sampled records for {} were incomplete in audit {}.", sampled[0], i + 1),
                evidence: "Two of ten sampled tickets lacked an approval.".into(),
                due: None,
                owner: Some(IT.to_owned()),
            },
        )
        .await?;
        let flagged = sampled[0].clone();
        crate::registers::update(cx, &trail, org, &audit.id, |a: &mut isms_domain::audit::Audit| {
            for l in &mut a.checklist {
                l.result = if l.reference == flagged { CheckResult::Finding } else { CheckResult::Conforming };
            }
            a.complete("Conforms, with the findings raised.")
                .map_err(|e| crate::AppError::new(crate::Code::Demo, e.to_string()))
        })
        .await?;
    }
    Ok(())
}
