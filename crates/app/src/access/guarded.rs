//! The use cases as a signed-in member invokes them: each checks the caller's role
//! first, then runs in the caller's organization only. The HTTP API calls these; the
//! installation's command line (run by whoever administers the host) calls the
//! unguarded functions directly.
//!
//! `Assigned` grants (a control owner's) are narrowed here, inside the use case: to
//! the controls assigned to the caller and the risks the caller owns.

use std::sync::Arc;
use std::sync::atomic::AtomicUsize;

use isms_domain::access::{Grant, UseCase};
use isms_domain::document::{Body, Document};
use isms_domain::fair::Settings;
use isms_domain::framework::{Framework, FrameworkId};
use isms_domain::review::{ReviewOutcome, ReviewStatus, Subject, SubjectKind};
use isms_domain::risk::{FairEstimates, HeatMapKind, LossAppetite, Methodology, Risk};
use isms_domain::soa::{ControlImplementation, SoaChange, SoaRow, SoaVersion};
use isms_domain::trail::TrailEntry;
use isms_domain::{DisplayName, Email, Role};

use super::Caller;
use crate::controls::{ControlChange, ControlDetail, ControlView};
use crate::documents::{Acknowledgements, DocumentSummary, MandatoryItem, NewDocument, Step as DocStep};
use crate::export::DocFormat;
use crate::fair::Simulation;
use crate::frameworks::{FrameworkSummary, SearchHit};
use crate::invitations::{InvitationView, Invited};
use crate::registers::Register;
use crate::reviews::DueReview;
use crate::risks::{PlanStep, RiskView};
use crate::soa::{SoaDraft, SoaExport, VersionRef};
use crate::trail::Verification;
use crate::users::Member;
use crate::{AppError, AppResult, Code, Cx};

fn forbidden(message: impl Into<String>) -> AppError {
    AppError::new(Code::Forbidden, message)
}

async fn my_email(cx: &Cx, caller: &Caller) -> AppResult<Email> {
    Ok(cx.store.read().await?.user(caller.user).await?.email)
}

/// The caller's e-mail.
pub async fn me(cx: &Cx, caller: &Caller) -> AppResult<Email> {
    my_email(cx, caller).await
}

// ---- controls ----------------------------------------------------------------------

/// The organization's controls.
pub async fn controls(cx: &Cx, caller: &Caller) -> AppResult<Vec<ControlView>> {
    caller.require(UseCase::ReadIsms)?;
    crate::controls::list_controls(cx, caller.org).await
}

/// One control with its guidance, record, history, links and mappings.
pub async fn control(cx: &Cx, caller: &Caller, id: &str) -> AppResult<ControlDetail> {
    caller.require(UseCase::ReadIsms)?;
    crate::controls::control_detail(cx, caller.org, id).await
}

/// Changes a control record. A control owner may change only the controls assigned
/// to them (checked in the same transaction as the write), and may not hand them on.
pub async fn update_control(
    cx: &Cx,
    caller: &Caller,
    id: &str,
    change: ControlChange,
) -> AppResult<ControlImplementation> {
    let only_for = match caller.require(UseCase::EditControls)? {
        Grant::Assigned if change.owner.is_some() => {
            return Err(forbidden("a control owner cannot reassign a control; ask the ISMS manager"));
        }
        Grant::Assigned => Some(caller.user),
        _ => None,
    };
    crate::controls::update_control_as(cx, &caller.actor(), caller.org, id, change, only_for).await
}

// ---- risks -------------------------------------------------------------------------

/// The organization's risks.
pub async fn risks(cx: &Cx, caller: &Caller) -> AppResult<Vec<RiskView>> {
    caller.require(UseCase::ReadIsms)?;
    crate::risks::list_risks(cx, caller.org).await
}

/// One risk by id ("not found" for another organization's id).
pub async fn risk(cx: &Cx, caller: &Caller, id: &str) -> AppResult<RiskView> {
    caller.require(UseCase::ReadIsms)?;
    crate::risks::risk(cx, caller.org, id).await
}

/// For a control owner: refuses unless they own the risk (by e-mail).
async fn require_risk_owner(cx: &Cx, caller: &Caller, owner: &str, what: &str) -> AppResult<()> {
    if caller.require(UseCase::EditRisks)? == Grant::Assigned {
        let me = my_email(cx, caller).await?;
        if !owner.eq_ignore_ascii_case(me.as_str()) {
            return Err(forbidden(format!("a control owner {what} only risks they own (owner must be {me})")));
        }
    }
    Ok(())
}

/// Adds a risk. A control owner may add only risks they own themselves.
pub async fn add_risk(cx: &Cx, caller: &Caller, risk: Risk) -> AppResult<RiskView> {
    require_risk_owner(cx, caller, &risk.owner, "adds").await?;
    let me = risk_owner_scope(cx, caller).await?;
    crate::risks::add_risk(cx, &caller.actor(), caller.org, risk, me.as_ref().map(Email::as_str)).await
}

/// Replaces a risk's assessment and treatment. A control owner edits only risks they
/// own, and cannot give them to someone else.
pub async fn edit_risk(
    cx: &Cx,
    caller: &Caller,
    id: &str,
    change: impl FnOnce(&mut Risk) -> AppResult<()> + Send,
) -> AppResult<RiskView> {
    let me = risk_owner_scope(cx, caller).await?;
    crate::risks::edit_risk(cx, &caller.actor(), caller.org, id, change, me.as_ref().map(Email::as_str)).await
}

/// The e-mail a control owner's risk writes are narrowed to (checked by the use case
/// inside its write transaction), or `None` for a full grant.
async fn risk_owner_scope(cx: &Cx, caller: &Caller) -> AppResult<Option<Email>> {
    match caller.require(UseCase::EditRisks)? {
        Grant::Assigned => Ok(Some(my_email(cx, caller).await?)),
        _ => Ok(None),
    }
}

/// Deletes a risk. A control owner deletes only risks they own.
pub async fn delete_risk(cx: &Cx, caller: &Caller, id: &str) -> AppResult<()> {
    let me = risk_owner_scope(cx, caller).await?;
    crate::risks::delete_risk(cx, &caller.actor(), caller.org, id, me.as_ref().map(Email::as_str)).await
}

/// Sets or clears a risk's FAIR estimates.
pub async fn set_estimates(cx: &Cx, caller: &Caller, id: &str, estimates: Option<FairEstimates>) -> AppResult<Risk> {
    let me = risk_owner_scope(cx, caller).await?;
    crate::fair::set_estimates(cx, &caller.actor(), caller.org, id, estimates, me.as_ref().map(Email::as_str)).await
}

/// Accepts a risk's residual level as the caller (the methodology's acceptance
/// rules apply on top of the role).
pub async fn accept_risk(cx: &Cx, caller: &Caller, id: &str, comment: &str) -> AppResult<RiskView> {
    caller.require(UseCase::AcceptRisks)?;
    let me = my_email(cx, caller).await?;
    crate::risks::accept_risk(cx, caller.org, id, &me, comment).await
}

/// Counts of risks per cell of the methodology's matrix.
pub async fn heat_map(cx: &Cx, caller: &Caller, kind: HeatMapKind) -> AppResult<(Methodology, Vec<Vec<usize>>)> {
    caller.require(UseCase::ReadIsms)?;
    crate::risks::heat_map(cx, caller.org, kind).await
}

/// The risk treatment plan (6.1.3 e).
pub async fn treatment_plan(cx: &Cx, caller: &Caller) -> AppResult<Vec<PlanStep>> {
    caller.require(UseCase::ReadIsms)?;
    crate::risks::treatment_plan(cx, caller.org).await
}

/// Runs (and stores) the FAIR simulation of one risk or of every risk with estimates.
pub async fn simulate(cx: &Cx, caller: &Caller, only: Option<&str>, settings: Settings) -> AppResult<Simulation> {
    caller.require(UseCase::RunSimulations)?;
    let done = Arc::new(AtomicUsize::new(0));
    crate::fair::simulate_risks(cx, &caller.actor(), caller.org, only, settings, done).await
}

/// The loss appetite, if set.
pub async fn appetite(cx: &Cx, caller: &Caller) -> AppResult<Option<LossAppetite>> {
    caller.require(UseCase::ReadIsms)?;
    crate::fair::appetite(cx, caller.org).await
}

/// Replaces the loss appetite curve.
pub async fn set_appetite(cx: &Cx, caller: &Caller, points: Vec<(f64, f64)>) -> AppResult<LossAppetite> {
    caller.require(UseCase::EditMethodology)?;
    crate::fair::set_appetite(cx, &caller.actor(), caller.org, points).await
}

/// The risk register or treatment plan as a table.
pub async fn risk_table(
    cx: &Cx,
    caller: &Caller,
    report: crate::risks::RiskReport,
) -> AppResult<isms_reports::table::Table> {
    caller.require(UseCase::ReadIsms)?;
    crate::risks::risk_table(cx, caller.org, report).await
}

/// Imports risks from CSV (all rows or none, unless bad rows are skipped). Control
/// owners add risks one at a time instead.
pub async fn import_risks(
    cx: &Cx,
    caller: &Caller,
    csv_text: &str,
    skip_bad_rows: bool,
) -> AppResult<crate::risks::RiskImport> {
    if caller.require(UseCase::EditRisks)? == Grant::Assigned {
        return Err(forbidden("a control owner adds risks one at a time (POST /api/v1/risks)"));
    }
    crate::risks::import_risks_csv(cx, &caller.actor(), caller.org, csv_text, skip_bad_rows).await
}

// ---- methodology -------------------------------------------------------------------

/// The current risk methodology.
pub async fn methodology(cx: &Cx, caller: &Caller) -> AppResult<Methodology> {
    caller.require(UseCase::ReadIsms)?;
    crate::risks::methodology(cx, caller.org).await
}

/// Every version of the methodology, oldest first.
pub async fn methodology_versions(cx: &Cx, caller: &Caller) -> AppResult<Vec<Methodology>> {
    caller.require(UseCase::ReadIsms)?;
    crate::risks::methodology_versions(cx, caller.org).await
}

/// Replaces the methodology with a new version; answers it and how many risks changed
/// level.
pub async fn edit_methodology(cx: &Cx, caller: &Caller, new: Methodology) -> AppResult<(Methodology, usize)> {
    caller.require(UseCase::EditMethodology)?;
    crate::risks::edit_methodology(cx, &caller.actor(), caller.org, new).await
}

// ---- Statement of Applicability ------------------------------------------------------

/// The Statement of Applicability as the control records make it now, with what
/// blocks its approval.
pub async fn soa(cx: &Cx, caller: &Caller) -> AppResult<SoaDraft> {
    caller.require(UseCase::ReadIsms)?;
    crate::soa::soa_draft(cx, caller.org).await
}

/// Approves the draft as the next version, as the caller.
pub async fn approve_soa(cx: &Cx, caller: &Caller, comment: &str) -> AppResult<SoaVersion> {
    caller.require(UseCase::ApproveSoa)?;
    let me = my_email(cx, caller).await?;
    crate::soa::approve_soa(cx, caller.org, &me, comment).await
}

/// Records a review of the SoA as the caller.
pub async fn review_soa(cx: &Cx, caller: &Caller, outcome: ReviewOutcome, comment: &str) -> AppResult<ReviewStatus> {
    caller.require(UseCase::ApproveSoa)?;
    let me = my_email(cx, caller).await?;
    crate::soa::review_soa(cx, caller.org, &me, outcome, comment, None).await
}

/// Every approved version, oldest first.
pub async fn soa_versions(cx: &Cx, caller: &Caller) -> AppResult<Vec<SoaVersion>> {
    caller.require(UseCase::ReadIsms)?;
    crate::soa::soa_versions(cx, caller.org).await
}

/// The rows of a version (or the draft).
pub async fn soa_at(cx: &Cx, caller: &Caller, at: VersionRef) -> AppResult<(Option<SoaVersion>, Vec<SoaRow>)> {
    caller.require(UseCase::ReadIsms)?;
    crate::soa::soa_at(cx, caller.org, at).await
}

/// What changed between two versions.
pub async fn diff_soa(cx: &Cx, caller: &Caller, from: VersionRef, to: VersionRef) -> AppResult<Vec<SoaChange>> {
    caller.require(UseCase::ReadIsms)?;
    crate::soa::diff_soa(cx, caller.org, from, to).await
}

/// A version of the SoA as a document.
pub async fn export_soa(cx: &Cx, caller: &Caller, at: VersionRef, format: DocFormat) -> AppResult<SoaExport> {
    caller.require(UseCase::ReadIsms)?;
    crate::soa::export_soa(cx, caller.org, at, format).await
}

// ---- registers (scope, context, roles, objectives, assets) ---------------------------

/// Every entry of a register.
pub async fn entries<T: Register>(cx: &Cx, caller: &Caller) -> AppResult<Vec<T>> {
    caller.require(UseCase::ReadIsms)?;
    crate::registers::list::<T>(cx, caller.org).await
}

/// One entry of a register (a singleton by any id).
pub async fn entry<T: Register>(cx: &Cx, caller: &Caller, id: &str) -> AppResult<T> {
    caller.require(UseCase::ReadIsms)?;
    if T::SINGLETON {
        let stored = crate::registers::list::<T>(cx, caller.org).await?.into_iter().next();
        return stored
            .or_else(T::absent)
            .ok_or_else(|| AppError::new(Code::NotFound, format!("no {} is recorded yet", T::KIND.replace('_', " "))));
    }
    crate::registers::get::<T>(cx, caller.org, id).await
}

/// Adds an entry to a register.
pub async fn create_entry<T: Register>(cx: &Cx, caller: &Caller, value: T) -> AppResult<T> {
    caller.require(T::EDIT)?;
    T::create(cx, &caller.actor(), caller.org, value).await
}

/// Replaces an entry (a singleton is created when absent).
pub async fn replace_entry<T: Register>(cx: &Cx, caller: &Caller, id: &str, value: T) -> AppResult<T> {
    caller.require(T::EDIT)?;
    if T::SINGLETON {
        return crate::registers::put_singleton(cx, &caller.actor(), caller.org, value).await;
    }
    T::replace(cx, &caller.actor(), caller.org, id, value).await
}

/// Deletes an entry.
pub async fn delete_entry<T: Register>(cx: &Cx, caller: &Caller, id: &str) -> AppResult<()> {
    caller.require(T::EDIT)?;
    crate::registers::delete::<T>(cx, &caller.actor(), caller.org, id).await
}

/// Imports assets from CSV (all rows or none, unless bad rows are skipped).
pub async fn import_assets(
    cx: &Cx,
    caller: &Caller,
    csv_text: &str,
    skip_bad_rows: bool,
) -> AppResult<crate::assets::ImportReport> {
    caller.require(UseCase::EditAssets)?;
    crate::assets::import_assets_csv(cx, &caller.actor(), caller.org, csv_text, skip_bad_rows).await
}

// ---- reviews -----------------------------------------------------------------------

/// Reviews due or overdue (scope, objectives, assets, the SoA, ...).
pub async fn due_reviews(cx: &Cx, caller: &Caller) -> AppResult<Vec<DueReview>> {
    caller.require(UseCase::ReadIsms)?;
    crate::reviews::due_in_organization(cx, caller.org).await
}

/// Records a review of a subject as the caller. A control owner records reviews only
/// of the assets they own; the SoA is reviewed by those who approve it.
pub async fn record_review(
    cx: &Cx,
    caller: &Caller,
    subject: &Subject,
    outcome: ReviewOutcome,
    comment: &str,
) -> AppResult<ReviewStatus> {
    if subject.kind == SubjectKind::Soa {
        return review_soa(cx, caller, outcome, comment).await;
    }
    if subject.kind == SubjectKind::Document {
        // A document's review keeps its version in force; its cycle runs from there.
        if outcome != ReviewOutcome::NoChange {
            return Err(AppError::invalid_field(
                "outcome",
                "a document reviewed with changes gets a new version (start one); record no_change to keep the version in force",
            ));
        }
        let doc = change_document(cx, caller, &subject.id, DocStep::Review).await?;
        let today = cx.clock.today();
        return doc
            .review(today)
            .ok_or_else(|| AppError::new(Code::NoVersionInForce, format!("{} has no approved version", subject.id)));
    }
    let me = my_email(cx, caller).await?;
    if caller.require(UseCase::RecordReviews)? == Grant::Assigned {
        let own = subject.kind == SubjectKind::Asset
            && crate::registers::get::<isms_domain::asset::Asset>(cx, caller.org, &subject.id)
                .await
                .is_ok_and(|a| a.owner.eq_ignore_ascii_case(me.as_str()));
        if !own {
            return Err(forbidden("a control owner records reviews only of the assets they own"));
        }
    }
    crate::reviews::record_review(cx, caller.org, subject, &me, outcome, comment, None).await
}

// ---- frameworks --------------------------------------------------------------------

/// Every framework of the library.
pub async fn frameworks(cx: &Cx, caller: &Caller) -> AppResult<Vec<FrameworkSummary>> {
    caller.require(UseCase::ReadIsms)?;
    crate::frameworks::list_frameworks(cx).await
}

/// One framework, or the part of it under an item.
pub async fn framework(cx: &Cx, caller: &Caller, id: &str, under: Option<&str>) -> AppResult<Framework> {
    caller.require(UseCase::ReadIsms)?;
    crate::frameworks::show_framework(cx, id, under).await
}

/// Full-text search over the library.
pub async fn search(
    cx: &Cx,
    caller: &Caller,
    query: &str,
    framework: Option<&str>,
    limit: usize,
) -> AppResult<Vec<SearchHit>> {
    caller.require(UseCase::ReadIsms)?;
    crate::frameworks::search(cx, query, framework, limit).await
}

/// What an item covers in the other frameworks.
pub async fn crosswalk(
    cx: &Cx,
    caller: &Caller,
    item: &str,
    to: Option<&str>,
) -> AppResult<Vec<isms_domain::crosswalk::Hit>> {
    caller.require(UseCase::ReadIsms)?;
    let from = crate::frameworks::parse_item_ref(item)?;
    crate::frameworks::crosswalk(cx, &from, to).await
}

/// The frameworks the organization works to.
pub async fn frameworks_in_use(cx: &Cx, caller: &Caller) -> AppResult<Vec<FrameworkId>> {
    caller.require(UseCase::ReadIsms)?;
    crate::frameworks::frameworks_in_use(cx, caller.org).await
}

/// Adopts a framework.
pub async fn adopt_framework(cx: &Cx, caller: &Caller, framework: &str) -> AppResult<()> {
    caller.require(UseCase::ManageFrameworks)?;
    crate::frameworks::adopt_framework(cx, &caller.actor(), caller.org, framework).await
}

// ---- members -----------------------------------------------------------------------

/// The organization's members (every member may see who else is in it).
pub async fn members(cx: &Cx, caller: &Caller) -> AppResult<Vec<Member>> {
    caller.require(UseCase::ReadIsms)?;
    crate::users::members(cx, caller.org).await
}

/// Invites a person to the organization; the answer (a one-time link) is the same
/// whether or not the address has an account.
pub async fn invite_member(
    cx: &Cx,
    caller: &Caller,
    email: Email,
    name: DisplayName,
    role: Role,
    base_url: &str,
) -> AppResult<Invited> {
    caller.require(UseCase::ManageMembers)?;
    crate::invitations::invite(cx, &caller.actor(), caller.org, email, name, role, base_url).await
}

/// The organization's invitations, pending and settled.
pub async fn invitations(cx: &Cx, caller: &Caller) -> AppResult<Vec<InvitationView>> {
    caller.require(UseCase::ManageMembers)?;
    crate::invitations::list(cx, caller.org).await
}

/// Withdraws a pending invitation.
pub async fn revoke_invitation(cx: &Cx, caller: &Caller, id: &str) -> AppResult<InvitationView> {
    caller.require(UseCase::ManageMembers)?;
    crate::invitations::revoke(cx, &caller.actor(), caller.org, id).await
}

/// Changes a member's role, or removes them (`None`).
pub async fn change_member(cx: &Cx, caller: &Caller, email: &Email, role: Option<Role>) -> AppResult<Option<Member>> {
    caller.require(UseCase::ManageMembers)?;
    crate::users::change_member(cx, &caller.actor(), caller.org, email, role).await
}

// ---- audit trail -------------------------------------------------------------------

/// A page of the audit trail.
pub async fn trail(cx: &Cx, caller: &Caller, after: i64, limit: u32) -> AppResult<Vec<TrailEntry>> {
    caller.require(UseCase::ReadAuditTrail)?;
    crate::trail::trail(cx, caller.org, after, limit).await
}

/// The whole trail as CSV or JSON.
pub async fn export_trail(cx: &Cx, caller: &Caller, format: DocFormat) -> AppResult<(usize, Vec<u8>)> {
    caller.require(UseCase::ReadAuditTrail)?;
    crate::trail::export_trail(cx, caller.org, format).await
}

/// Verifies the organization's audit trail.
pub async fn verify_trail(cx: &Cx, caller: &Caller) -> AppResult<Verification> {
    caller.require(UseCase::VerifyAuditTrail)?;
    crate::trail::verify_trail(cx, caller.org).await
}

// ---- evidence ----------------------------------------------------------------------

/// A control owner attaches evidence only to the controls assigned to them.
async fn require_evidence_targets(
    cx: &Cx,
    caller: &Caller,
    targets: &[isms_domain::evidence::Target],
) -> AppResult<()> {
    if caller.require(UseCase::EditControls)? == Grant::Assigned {
        let records = cx.store.read().await?.control_implementations(caller.org).await?;
        for t in targets {
            let id = crate::controls::normalize_control_id(&t.id);
            let mine = t.kind == isms_domain::evidence::TargetKind::Control
                && records.iter().any(|r| r.control == id && r.owner == Some(caller.user));
            if !mine {
                return Err(forbidden(format!(
                    "a control owner attaches evidence only to controls assigned to them ({} is not)",
                    t.id
                )));
            }
        }
    }
    Ok(())
}

/// Adds an evidence file, streamed from `data`, as the caller.
pub async fn add_evidence_file(
    cx: &Cx,
    caller: &Caller,
    new: crate::evidence::NewEvidence,
    filename: &str,
    media_type: &str,
    data: &mut (dyn tokio::io::AsyncRead + Unpin + Send),
) -> AppResult<isms_domain::evidence::Evidence> {
    require_evidence_targets(cx, caller, &new.targets).await?;
    let me = my_email(cx, caller).await?;
    crate::evidence::add_file(cx, &caller.actor(), caller.org, me.as_str(), new, filename, media_type, data).await
}

/// Adds an evidence link as the caller.
pub async fn add_evidence_link(
    cx: &Cx,
    caller: &Caller,
    new: crate::evidence::NewEvidence,
    url: &str,
) -> AppResult<isms_domain::evidence::Evidence> {
    require_evidence_targets(cx, caller, &new.targets).await?;
    let me = my_email(cx, caller).await?;
    crate::evidence::add_link(cx, &caller.actor(), caller.org, me.as_str(), new, url).await
}

/// Every evidence item, newest first.
pub async fn evidence_list(cx: &Cx, caller: &Caller) -> AppResult<Vec<isms_domain::evidence::Evidence>> {
    caller.require(UseCase::ReadIsms)?;
    crate::evidence::list_evidence(cx, caller.org).await
}

/// One evidence item.
pub async fn evidence_item(cx: &Cx, caller: &Caller, id: &str) -> AppResult<isms_domain::evidence::Evidence> {
    caller.require(UseCase::ReadIsms)?;
    crate::evidence::evidence(cx, caller.org, id).await
}

/// An evidence file's content.
pub async fn evidence_file(
    cx: &Cx,
    caller: &Caller,
    id: &str,
) -> AppResult<(isms_domain::evidence::Evidence, isms_store::BlobReader, u64)> {
    caller.require(UseCase::ReadIsms)?;
    crate::evidence::open_file(cx, caller.org, id).await
}

/// Applicable controls with their evidence coverage.
pub async fn evidence_freshness(cx: &Cx, caller: &Caller) -> AppResult<Vec<crate::evidence::ControlEvidence>> {
    caller.require(UseCase::ReadIsms)?;
    crate::evidence::freshness(cx, caller.org).await
}

/// Re-hashes the organization's evidence files.
pub async fn verify_evidence(cx: &Cx, caller: &Caller) -> AppResult<crate::evidence::FileCheck> {
    caller.require(UseCase::VerifyAuditTrail)?;
    crate::evidence::verify_files(cx, caller.org).await
}

// ---- documents ---------------------------------------------------------------------

/// Every document.
pub async fn documents(cx: &Cx, caller: &Caller) -> AppResult<Vec<Document>> {
    caller.require(UseCase::ReadIsms)?;
    crate::documents::list_documents(cx, caller.org).await
}

/// The document register: every document with where it stands.
pub async fn document_register(cx: &Cx, caller: &Caller) -> AppResult<Vec<DocumentSummary>> {
    caller.require(UseCase::ReadIsms)?;
    crate::documents::summaries(cx, caller.org).await
}

/// One document with all its versions.
pub async fn document(cx: &Cx, caller: &Caller, id: &str) -> AppResult<Document> {
    caller.require(UseCase::ReadIsms)?;
    crate::documents::document(cx, caller.org, id).await
}

/// Creates a document with its first draft. A control owner creates documents they
/// own.
pub async fn create_document(cx: &Cx, caller: &Caller, new: NewDocument) -> AppResult<Document> {
    let grant = caller.require(UseCase::EditDocuments)?;
    let me = my_email(cx, caller).await?;
    if grant == Grant::Assigned && !new.owner.trim().eq_ignore_ascii_case(me.as_str()) {
        return Err(forbidden("a control owner creates only documents they own themselves"));
    }
    crate::documents::create_document(cx, &caller.actor(), caller.org, me.as_str(), new).await
}

/// Applies one step to a document as the caller: approving needs the approval right;
/// acknowledging only membership; everything else the edit right (a control owner:
/// on documents they own, and they cannot hand them on).
pub async fn change_document(cx: &Cx, caller: &Caller, id: &str, step: DocStep) -> AppResult<Document> {
    let me = my_email(cx, caller).await?;
    let only_owner = match &step {
        DocStep::Approve { .. } => {
            caller.require(UseCase::ApproveDocuments)?;
            None
        }
        DocStep::Describe(p) => match caller.require(UseCase::EditDocuments)? {
            Grant::Assigned if p.owner.is_some() => {
                return Err(forbidden("a control owner cannot hand a document on; ask the ISMS manager"));
            }
            Grant::Assigned => Some(me.as_str()),
            _ => None,
        },
        _ => match caller.require(UseCase::EditDocuments)? {
            Grant::Assigned => Some(me.as_str()),
            _ => None,
        },
    };
    crate::documents::apply(cx, &caller.actor(), caller.org, id, me.as_str(), step, only_owner).await
}

/// Acknowledges a document's version in force as the caller (every member may).
pub async fn acknowledge_document(cx: &Cx, caller: &Caller, id: &str) -> AppResult<Document> {
    caller.require(UseCase::ReadIsms)?;
    let me = my_email(cx, caller).await?;
    crate::documents::acknowledge(cx, &caller.actor(), caller.org, id, me.as_str()).await
}

/// Who must acknowledge a document and who has.
pub async fn document_acknowledgements(cx: &Cx, caller: &Caller, id: &str) -> AppResult<Acknowledgements> {
    caller.require(UseCase::ReadIsms)?;
    crate::documents::acknowledgements(cx, caller.org, id).await
}

/// The documents the caller still has to acknowledge.
pub async fn my_acknowledgements(cx: &Cx, caller: &Caller) -> AppResult<Vec<Document>> {
    caller.require(UseCase::ReadIsms)?;
    let me = my_email(cx, caller).await?;
    crate::documents::to_acknowledge(cx, caller.org, me.as_str(), caller.role).await
}

/// A version's uploaded file.
pub async fn document_file(
    cx: &Cx,
    caller: &Caller,
    id: &str,
    number: u32,
) -> AppResult<(String, isms_store::BlobReader, u64)> {
    caller.require(UseCase::ReadIsms)?;
    crate::documents::open_version_file(cx, caller.org, id, number).await
}

/// Refuses, before an upload is read, a caller who may not edit this document (a
/// control owner: documents they own). The step itself checks again in its
/// transaction.
pub async fn check_document_editable(cx: &Cx, caller: &Caller, id: &str) -> AppResult<()> {
    let grant = caller.require(UseCase::EditDocuments)?;
    let doc = crate::documents::document(cx, caller.org, id).await?;
    if grant == Grant::Assigned {
        let me = my_email(cx, caller).await?;
        if !doc.owner.eq_ignore_ascii_case(me.as_str()) {
            return Err(forbidden(format!(
                "{id} is owned by {}; a control owner may only change documents they own",
                doc.owner
            )));
        }
    }
    Ok(())
}

/// Streams a file into the blob store as a version body; refused before reading a
/// byte when the caller may not edit documents.
pub async fn upload_document_body(
    cx: &Cx,
    caller: &Caller,
    filename: &str,
    data: &mut (dyn tokio::io::AsyncRead + Unpin + Send),
) -> AppResult<Body> {
    caller.require(UseCase::EditDocuments)?;
    crate::documents::upload_body(cx, filename, data).await
}

/// The mandatory documented information checklist.
pub async fn mandatory_checklist(cx: &Cx, caller: &Caller) -> AppResult<Vec<MandatoryItem>> {
    caller.require(UseCase::ReadIsms)?;
    crate::documents::mandatory_checklist(cx, caller.org).await
}

/// Adopts a starter template as a new document owned by `owner` (the caller when
/// `None`; a control owner adopts only for themselves).
pub async fn adopt_starter(cx: &Cx, caller: &Caller, key: &str, owner: Option<&str>) -> AppResult<Document> {
    let grant = caller.require(UseCase::EditDocuments)?;
    let me = my_email(cx, caller).await?;
    let owner = owner.map(str::trim).filter(|o| !o.is_empty()).unwrap_or(me.as_str());
    if grant == Grant::Assigned && !owner.eq_ignore_ascii_case(me.as_str()) {
        return Err(forbidden("a control owner adopts templates only as documents they own themselves"));
    }
    crate::starters::adopt(cx, &caller.actor(), caller.org, me.as_str(), key, owner).await
}

// ---- audits and certification ------------------------------------------------------

/// Every audit, by start date.
pub async fn audits(cx: &Cx, caller: &Caller) -> AppResult<Vec<isms_domain::audit::Audit>> {
    caller.require(UseCase::ReadIsms)?;
    crate::certification::audits(cx, caller.org).await
}

/// One audit with its independence warnings.
pub async fn audit(cx: &Cx, caller: &Caller, id: &str) -> AppResult<crate::certification::Planned> {
    caller.require(UseCase::ReadIsms)?;
    let audit = crate::certification::audit(cx, caller.org, id).await?;
    let warnings = crate::certification::independence(cx, caller.org, &audit).await?;
    Ok(crate::certification::Planned { audit, warnings })
}

/// The audit programme over the cycle.
pub async fn audit_programme(cx: &Cx, caller: &Caller) -> AppResult<crate::certification::Programme> {
    caller.require(UseCase::ReadIsms)?;
    crate::certification::programme(cx, caller.org).await
}

/// Plans an audit.
pub async fn plan_audit(
    cx: &Cx,
    caller: &Caller,
    new: crate::certification::NewAudit,
) -> AppResult<crate::certification::Planned> {
    caller.require(UseCase::ManageAudits)?;
    crate::certification::plan_audit(cx, &caller.actor(), caller.org, new).await
}

/// Plans next cycle's audit from an earlier one.
pub async fn copy_audit(
    cx: &Cx,
    caller: &Caller,
    id: &str,
    start: time::Date,
    end: time::Date,
) -> AppResult<crate::certification::Planned> {
    caller.require(UseCase::ManageAudits)?;
    crate::certification::copy_audit(cx, &caller.actor(), caller.org, id, start, end).await
}

/// Moves, reassigns or cancels an audit.
pub async fn reschedule_audit(
    cx: &Cx,
    caller: &Caller,
    id: &str,
    change: crate::certification::Reschedule,
) -> AppResult<isms_domain::audit::Audit> {
    caller.require(UseCase::ManageAudits)?;
    crate::certification::reschedule(cx, &caller.actor(), caller.org, id, change).await
}

/// Records the result of a checklist line.
pub async fn record_audit_result(
    cx: &Cx,
    caller: &Caller,
    id: &str,
    reference: &str,
    result: isms_domain::audit::CheckResult,
    notes: &str,
) -> AppResult<isms_domain::audit::Audit> {
    caller.require(UseCase::RecordFindings)?;
    crate::certification::record_result(cx, &caller.actor(), caller.org, id, reference, result, notes).await
}

/// Completes an audit.
pub async fn complete_audit(
    cx: &Cx,
    caller: &Caller,
    id: &str,
    conclusion: &str,
) -> AppResult<isms_domain::audit::Audit> {
    caller.require(UseCase::RecordFindings)?;
    crate::certification::complete_audit(cx, &caller.actor(), caller.org, id, conclusion).await
}

/// Raises a finding.
pub async fn raise_finding(
    cx: &Cx,
    caller: &Caller,
    new: crate::certification::NewFinding,
) -> AppResult<isms_domain::audit::Finding> {
    caller.require(UseCase::RecordFindings)?;
    crate::certification::raise_finding(cx, &caller.actor(), caller.org, new).await
}

/// Every finding.
pub async fn findings(cx: &Cx, caller: &Caller) -> AppResult<Vec<isms_domain::audit::Finding>> {
    caller.require(UseCase::ReadIsms)?;
    crate::certification::findings(cx, caller.org).await
}

/// One finding.
pub async fn finding(cx: &Cx, caller: &Caller, id: &str) -> AppResult<isms_domain::audit::Finding> {
    caller.require(UseCase::ReadIsms)?;
    crate::certification::finding(cx, caller.org, id).await
}

/// A step of a finding's corrective action: planning and implementing need the right
/// to act on findings (a control owner: on actions assigned to them, which they cannot
/// hand on); verifying effectiveness needs the right to record findings.
pub async fn change_finding(
    cx: &Cx,
    caller: &Caller,
    id: &str,
    step: crate::certification::FindingStep,
) -> AppResult<isms_domain::audit::Finding> {
    use crate::certification::FindingStep;
    let me = my_email(cx, caller).await?;
    let only_owner = match &step {
        FindingStep::Verify { .. } => {
            caller.require(UseCase::RecordFindings)?;
            None
        }
        FindingStep::Plan { owner, .. } => match caller.require(UseCase::ActOnFindings)? {
            Grant::Assigned if !owner.trim().eq_ignore_ascii_case(me.as_str()) => {
                return Err(forbidden("a control owner cannot hand a corrective action on; ask the ISMS manager"));
            }
            Grant::Assigned => Some(me.as_str()),
            _ => None,
        },
        FindingStep::Implemented => match caller.require(UseCase::ActOnFindings)? {
            Grant::Assigned => Some(me.as_str()),
            _ => None,
        },
    };
    let may_move_deadline =
        caller.require(UseCase::RecordFindings).is_ok() || caller.require(UseCase::ManageAudits).is_ok();
    let acting = crate::certification::Acting { by: me.as_str(), only_owner, may_move_deadline };
    crate::certification::change_finding(cx, &caller.actor(), caller.org, id, step, acting).await
}

/// Every management review.
pub async fn management_reviews(cx: &Cx, caller: &Caller) -> AppResult<Vec<isms_domain::audit::ManagementReview>> {
    caller.require(UseCase::ReadIsms)?;
    crate::certification::management_reviews(cx, caller.org).await
}

/// What isms knows for each management-review input.
pub async fn review_briefing(cx: &Cx, caller: &Caller) -> AppResult<Vec<isms_domain::audit::ReviewInput>> {
    caller.require(UseCase::ReadIsms)?;
    crate::certification::review_briefing(cx, caller.org).await
}

/// Records a management review.
pub async fn record_management_review(
    cx: &Cx,
    caller: &Caller,
    review: isms_domain::audit::ManagementReview,
) -> AppResult<isms_domain::audit::ManagementReview> {
    caller.require(UseCase::ManageAudits)?;
    crate::certification::record_management_review(cx, &caller.actor(), caller.org, review).await
}

/// Marks a management review's action done: the action's owner, or whoever manages
/// audits.
pub async fn review_action_done(
    cx: &Cx,
    caller: &Caller,
    id: &str,
    index: usize,
    done: bool,
) -> AppResult<isms_domain::audit::ManagementReview> {
    caller.require(UseCase::ReadIsms)?;
    if caller.require(UseCase::ManageAudits).is_err() {
        let me = my_email(cx, caller).await?;
        let review = crate::registers::get::<isms_domain::audit::ManagementReview>(cx, caller.org, id).await?;
        let mine = review.actions.get(index).is_some_and(|a| a.owner.eq_ignore_ascii_case(me.as_str()));
        if !mine {
            return Err(forbidden("only the action's owner, an owner or an ISMS manager marks it done"));
        }
    }
    crate::certification::review_action_done(cx, &caller.actor(), caller.org, id, index, done).await
}

/// Every certificate.
pub async fn certificates(cx: &Cx, caller: &Caller) -> AppResult<Vec<isms_domain::certification::Certificate>> {
    caller.require(UseCase::ReadIsms)?;
    crate::certification::certificates(cx, caller.org).await
}

/// Records a certificate.
pub async fn add_certificate(
    cx: &Cx,
    caller: &Caller,
    c: isms_domain::certification::Certificate,
) -> AppResult<isms_domain::certification::Certificate> {
    caller.require(UseCase::ManageAudits)?;
    crate::certification::add_certificate(cx, &caller.actor(), caller.org, c).await
}

/// Changes a certificate's status.
pub async fn set_certificate_status(
    cx: &Cx,
    caller: &Caller,
    id: &str,
    status: isms_domain::certification::CertificateStatus,
) -> AppResult<isms_domain::certification::Certificate> {
    caller.require(UseCase::ManageAudits)?;
    crate::certification::set_certificate_status(cx, &caller.actor(), caller.org, id, status).await
}

/// Readiness for a stage (the next one when `None`).
pub async fn readiness(
    cx: &Cx,
    caller: &Caller,
    stage: Option<isms_domain::readiness::Stage>,
) -> AppResult<isms_domain::readiness::Readiness> {
    caller.require(UseCase::ReadIsms)?;
    let stage = match stage {
        Some(s) => s,
        None => crate::certification::next_stage(cx, caller.org).await?,
    };
    crate::certification::readiness(cx, caller.org, stage).await
}

/// What changed since a date (the last completed audit when `None`). It is read from
/// the audit trail, so it needs the right to read the trail.
pub async fn changes_since(
    cx: &Cx,
    caller: &Caller,
    since: Option<time::Date>,
) -> AppResult<(time::Date, Vec<crate::certification::Change>)> {
    caller.require(UseCase::ReadAuditTrail)?;
    let since = match since {
        Some(d) => d,
        None => crate::certification::last_audit_end(cx, caller.org)
            .await?
            .unwrap_or_else(|| cx.clock.today() - time::Duration::days(365)),
    };
    Ok((since, crate::certification::changes_since(cx, caller.org, since).await?))
}

/// The calendar's events.
pub async fn calendar_events(cx: &Cx, caller: &Caller) -> AppResult<Vec<crate::certification::Event>> {
    caller.require(UseCase::ReadIsms)?;
    crate::certification::events(cx, caller.org).await
}

/// The iCalendar feed; `base` is the server's address for links.
pub async fn calendar(cx: &Cx, caller: &Caller, base: &str) -> AppResult<String> {
    caller.require(UseCase::ReadIsms)?;
    crate::certification_reports::calendar(cx, caller.org, base).await
}

/// The audit settings.
pub async fn audit_settings(cx: &Cx, caller: &Caller) -> AppResult<isms_domain::certification::AuditSettings> {
    caller.require(UseCase::ReadIsms)?;
    crate::certification::settings(cx, caller.org).await
}

/// Saves the audit settings.
pub async fn save_audit_settings(
    cx: &Cx,
    caller: &Caller,
    s: isms_domain::certification::AuditSettings,
) -> AppResult<isms_domain::certification::AuditSettings> {
    caller.require(UseCase::ManageAudits)?;
    crate::certification::save_settings(cx, &caller.actor(), caller.org, s).await
}
