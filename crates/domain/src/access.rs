//! Who may do what: one table from (role, use case) to a grant, consulted by the app
//! layer before every use case. Handlers never decide.

use serde::Serialize;

use crate::Role;

/// Every use case a member of an organization can invoke, grouped by what it touches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UseCase {
    /// Read the ISMS registers: scope, context, roles, objectives, assets, controls,
    /// the SoA, risks, the methodology, frameworks in use, reviews.
    ReadIsms,
    /// Read and export the audit trail.
    ReadAuditTrail,
    /// Verify the audit trail's hash chain.
    VerifyAuditTrail,
    /// Edit scope, context, interested parties, ISMS roles and objectives.
    EditContext,
    /// Add, edit, import and delete assets.
    EditAssets,
    /// Set control status, owner, notes and links.
    EditControls,
    /// Add, edit, import and delete risks and their treatment.
    EditRisks,
    /// Formally accept a residual risk.
    AcceptRisks,
    /// Change the risk methodology or the loss appetite.
    EditMethodology,
    /// Approve (version) the Statement of Applicability.
    ApproveSoa,
    /// Adopt, drop or import frameworks.
    ManageFrameworks,
    /// Record a periodic review.
    RecordReviews,
    /// Run and store FAIR simulations.
    RunSimulations,
    /// Add members, change roles, disable accounts in the organization.
    ManageMembers,
    /// Record audit findings.
    RecordFindings,
    /// Write documents and their drafts, submit them, record their periodic review.
    EditDocuments,
    /// Approve a document version (it becomes the version in force).
    ApproveDocuments,
    /// Plan audits, record management reviews and certificates, set audit defaults.
    ManageAudits,
    /// Plan and carry out corrective actions for findings.
    ActOnFindings,
}

impl UseCase {
    /// Every use case, for matrices and documentation.
    pub const ALL: [UseCase; 19] = [
        UseCase::ReadIsms,
        UseCase::ReadAuditTrail,
        UseCase::VerifyAuditTrail,
        UseCase::EditContext,
        UseCase::EditAssets,
        UseCase::EditControls,
        UseCase::EditRisks,
        UseCase::AcceptRisks,
        UseCase::EditMethodology,
        UseCase::ApproveSoa,
        UseCase::ManageFrameworks,
        UseCase::RecordReviews,
        UseCase::RunSimulations,
        UseCase::ManageMembers,
        UseCase::RecordFindings,
        UseCase::EditDocuments,
        UseCase::ApproveDocuments,
        UseCase::ManageAudits,
        UseCase::ActOnFindings,
    ];
}

/// How far a role may go in a use case, least first (so `min` narrows).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Grant {
    /// Not at all.
    Denied,
    /// Only on the controls, risks and tasks assigned to the caller.
    Assigned,
    /// On everything in the organization.
    Any,
}

/// The grant of `role` for `use_case`.
pub fn grant(role: Role, use_case: UseCase) -> Grant {
    use Grant::{Any, Assigned, Denied};
    use UseCase as U;
    match (role, use_case) {
        // External auditors hold no grant: the audit workspace admits them by their
        // audit access instead, and every other use case refuses them.
        (Role::ExternalAuditor, _) => Denied,
        (Role::Owner, _) => Any,
        (Role::IsmsManager, U::ManageMembers) => Denied,
        (Role::IsmsManager, _) => Any,
        (_, U::ReadIsms) => Any,
        (Role::Auditor, U::ReadAuditTrail | U::VerifyAuditTrail | U::RecordFindings) => Any,
        (
            Role::ControlOwner,
            U::EditControls | U::EditRisks | U::RecordReviews | U::EditDocuments | U::ActOnFindings,
        ) => Assigned,
        (
            Role::Contributor,
            U::EditContext | U::EditAssets | U::EditControls | U::EditRisks | U::EditDocuments | U::ActOnFindings,
        ) => Any,
        _ => Denied,
    }
}

/// True when `ceiling` grants nothing beyond `role` in any use case (a token's
/// ceiling must be within its owner's role).
pub fn within(ceiling: Role, role: Role) -> bool {
    UseCase::ALL.iter().all(|&u| grant(ceiling, u) <= grant(role, u))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The whole matrix, written out: a change to the table must change this test.
    /// Columns: owner, ISMS manager, control owner, contributor, auditor, viewer.
    /// A = any, o = assigned only, - = denied.
    const MATRIX: [(UseCase, &str); 19] = [
        (UseCase::ReadIsms, "AAAAAA"),
        (UseCase::ReadAuditTrail, "AA--A-"),
        (UseCase::VerifyAuditTrail, "AA--A-"),
        (UseCase::EditContext, "AA-A--"),
        (UseCase::EditAssets, "AA-A--"),
        (UseCase::EditControls, "AAoA--"),
        (UseCase::EditRisks, "AAoA--"),
        (UseCase::AcceptRisks, "AA----"),
        (UseCase::EditMethodology, "AA----"),
        (UseCase::ApproveSoa, "AA----"),
        (UseCase::ManageFrameworks, "AA----"),
        (UseCase::RecordReviews, "AAo---"),
        (UseCase::RunSimulations, "AA----"),
        (UseCase::ManageMembers, "A-----"),
        (UseCase::RecordFindings, "AA--A-"),
        (UseCase::EditDocuments, "AAoA--"),
        (UseCase::ApproveDocuments, "AA----"),
        (UseCase::ManageAudits, "AA----"),
        (UseCase::ActOnFindings, "AAoA--"),
    ];

    #[test]
    fn the_role_matrix_is_exactly_as_documented() {
        assert_eq!(MATRIX.len(), UseCase::ALL.len());
        for ((case, row), listed) in MATRIX.iter().zip(UseCase::ALL) {
            assert_eq!(*case, listed, "matrix rows follow UseCase::ALL");
            for (role, cell) in Role::ALL.iter().zip(row.chars()) {
                let expected = match cell {
                    'A' => Grant::Any,
                    'o' => Grant::Assigned,
                    _ => Grant::Denied,
                };
                assert_eq!(grant(*role, *case), expected, "{role:?} × {case:?}");
            }
        }
    }

    #[test]
    fn an_external_auditor_holds_no_grant() {
        for case in UseCase::ALL {
            assert_eq!(grant(Role::ExternalAuditor, case), Grant::Denied, "{case:?}");
        }
        assert!(!Role::ALL.contains(&Role::ExternalAuditor), "not a role a member is given");
        assert_eq!(Role::parse("external_auditor"), None);
        assert_eq!(Role::from_stored("external_auditor"), Some(Role::ExternalAuditor));
        assert!(!within(Role::Viewer, Role::ExternalAuditor), "no token of theirs reads the ISMS");
    }

    #[test]
    fn ceilings_within_a_role() {
        assert!(within(Role::Viewer, Role::Auditor));
        assert!(within(Role::Auditor, Role::IsmsManager));
        assert!(!within(Role::Auditor, Role::Contributor), "a contributor may not read the trail");
        assert!(!within(Role::Contributor, Role::Auditor), "an auditor may not edit assets");
        for r in Role::ALL {
            assert!(within(r, r) && within(r, Role::Owner) && within(Role::Viewer, r));
        }
    }

    #[test]
    fn the_auditor_changes_nothing_but_findings() {
        for case in UseCase::ALL {
            let writes = !matches!(case, UseCase::ReadIsms | UseCase::ReadAuditTrail | UseCase::VerifyAuditTrail);
            if writes && case != UseCase::RecordFindings {
                assert_eq!(grant(Role::Auditor, case), Grant::Denied, "{case:?}");
            }
        }
    }
}
