//! The demo's Statement of Applicability: statuses, exclusions and links; then the
//! evidence, documents and certification history that rest on it.

use super::*;

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

pub(super) async fn seed_controls(cx: &Cx, op: &Actor) -> AppResult<()> {
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
