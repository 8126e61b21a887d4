//! Findings and corrective actions: raising, planning, carrying out and verifying them.

use super::*;

/// A finding to raise.
#[derive(Debug, Clone)]
pub struct NewFinding {
    /// The audit that raised it.
    pub audit: String,
    /// How serious.
    pub grade: Grade,
    /// The clause or control.
    pub requirement: String,
    /// What was found.
    pub description: String,
    /// The evidence seen.
    pub evidence: String,
    /// The certification body's deadline (default: the organization's setting for the
    /// grade).
    pub due: Option<Date>,
    /// Who must act.
    pub owner: Option<String>,
}

/// Raises a finding; its checklist line (when there is one and it is open) is marked
/// as a finding. Nonconformities get a due date from the certification body or the
/// organization's default.
pub async fn raise_finding(cx: &Cx, actor: &Actor, new: NewFinding) -> AppResult<Finding> {
    // An external auditor raises findings in the audits open to them; members by role.
    match actor.audit_scope(cx).await? {
        None => {
            actor.require(UseCase::RecordFindings)?;
        }
        Some(open) if !open.iter().any(|a| a.eq_ignore_ascii_case(new.audit.trim())) => {
            return Err(AppError::new(Code::NotFound, format!("there is no audit {}", new.audit.trim())));
        }
        Some(_) => {
            if new.owner.as_deref().is_some_and(|o| !o.trim().is_empty()) {
                return Err(AppError::invalid_field("owner", "the organization chooses who acts on a finding"));
            }
        }
    }
    let (org, trail) = (actor.org(), actor.trail());
    let actor = &trail;
    let today = cx.clock.today();
    let s = settings_of(cx, org).await?;
    let requirement = normalize_reference(&new.requirement);
    // The finding and its checklist line are written in one transaction.
    let mut tx = cx.write().await?;
    tx.lock_organization(org).await?;
    let json = tx
        .entry(org, Audit::KIND, &new.audit)
        .await?
        .ok_or_else(|| AppError::new(Code::NotFound, format!("there is no audit {}", new.audit)))?;
    let a: Audit = serde_json::from_str(&json)
        .map_err(|e| AppError::new(Code::CorruptData, format!("audit {}: {e}", new.audit)))?;
    if a.status == AuditStatus::Cancelled {
        return Err(refused(
            format!("{} was cancelled; findings come from audits that took place", a.id),
            Code::AuditClosed,
        ));
    }
    let raised_on = today.min(a.end).max(a.start.min(today));
    let default_days = if new.grade == Grade::Major { s.major_due_days } else { s.minor_due_days };
    let due = isms_domain::audit::deadline(new.grade, a.kind, a.end, new.due, default_days)
        .map_err(|m| AppError::invalid_field("due", m))?;
    let mut finding = Finding {
        id: String::new(),
        audit: a.id.clone(),
        check: None,
        grade: new.grade,
        requirement: requirement.clone(),
        description: new.description.trim().to_owned(),
        evidence: new.evidence.trim().to_owned(),
        raised_on,
        owner: new.owner.map(|o| o.trim().to_lowercase()).filter(|o| !o.is_empty()),
        due,
        correction: String::new(),
        root_cause: String::new(),
        corrective_action: String::new(),
        status: FindingStatus::Open,
        verification: None,
    };
    registers::create_in(&mut *tx, cx, actor, org, &mut finding).await?;
    let line_open = a.checklist.iter().any(|l| l.reference == requirement && l.result == CheckResult::Open);
    if line_open && a.status != AuditStatus::Completed {
        let note = format!("see {}", finding.id);
        registers::update_in(&mut *tx, cx, actor, org, &a.id, |a: &mut Audit| {
            a.record(&requirement, CheckResult::Finding, &note).map_err(|e| audit_refused(&e))
        })
        .await?;
    }
    tx.commit().await?;
    Ok(finding)
}

/// Every finding, newest first.
pub async fn findings(cx: &Cx, actor: &Actor) -> AppResult<Vec<Finding>> {
    actor.require(UseCase::ReadIsms)?;
    findings_of(cx, actor.org()).await
}

/// [`findings`] for the app's own use inside a checked use case.
pub(crate) async fn findings_of(cx: &Cx, org: OrgId) -> AppResult<Vec<Finding>> {
    let mut all = registers::list::<Finding>(cx, org).await?;
    all.sort_by(|a, b| b.raised_on.cmp(&a.raised_on).then(b.id.cmp(&a.id)));
    Ok(all)
}

/// One finding.
pub async fn finding(cx: &Cx, actor: &Actor, id: &str) -> AppResult<Finding> {
    actor.require(UseCase::ReadIsms)?;
    finding_of(cx, actor.org(), id).await
}

/// [`finding`] for the app's own use inside a checked use case.
pub(crate) async fn finding_of(cx: &Cx, org: OrgId, id: &str) -> AppResult<Finding> {
    registers::get::<Finding>(cx, org, id).await
}

/// A step in a finding's corrective action.
#[derive(Debug, Clone)]
pub enum FindingStep {
    /// Record correction, root cause, action, owner and due date.
    Plan {
        /// The immediate fix.
        correction: String,
        /// Why it happened.
        root_cause: String,
        /// What stops it recurring.
        action: String,
        /// Who acts.
        owner: String,
        /// By when (default: the finding's due date).
        due: Option<Date>,
    },
    /// The action is done.
    Implemented,
    /// Verified effective: closes the finding.
    Verify {
        /// What showed it works.
        note: String,
    },
}

/// Who applies a step to a finding.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Acting<'a> {
    /// Their e-mail, or the command that acted.
    pub by: &'a str,
    /// With a narrowed grant: the action must be owned by this e-mail (checked in the
    /// same transaction).
    pub only_owner: Option<&'a str>,
    /// Whether they may move a deadline already set (the certification body's, kept by
    /// auditors and audit managers; the people doing the work may not push it out).
    pub may_move_deadline: bool,
}

/// A step of a finding's corrective action, as the actor: planning and implementing
/// need the right to act on findings (a control owner: on actions assigned to them,
/// which they cannot hand on); verifying effectiveness needs the right to record
/// findings; only auditors and audit managers move a deadline already set.
pub async fn change_finding(cx: &Cx, actor: &Actor, id: &str, step: FindingStep) -> AppResult<Finding> {
    let only_owner = match &step {
        FindingStep::Verify { .. } => {
            actor.require(UseCase::RecordFindings)?;
            None
        }
        FindingStep::Plan { owner, .. } => match actor.narrowed(cx, UseCase::ActOnFindings).await? {
            Some(me) if !owner.trim().eq_ignore_ascii_case(me.as_str()) => {
                return Err(AppError::new(
                    Code::Forbidden,
                    "a control owner cannot hand a corrective action on; ask the ISMS manager",
                ));
            }
            me => me,
        },
        FindingStep::Implemented => actor.narrowed(cx, UseCase::ActOnFindings).await?,
    };
    let may_move_deadline = actor.may(UseCase::RecordFindings) || actor.may(UseCase::ManageAudits);
    let by = actor.who(cx).await?;
    let only_owner = only_owner.as_ref().map(isms_domain::Email::as_str);
    let acting = Acting { by: &by, only_owner, may_move_deadline };
    apply_step(cx, &actor.trail(), actor.org(), id, step, acting).await
}

/// Applies a step to a finding, read and written in one transaction.
pub(crate) async fn apply_step(
    cx: &Cx,
    actor: &TrailActor,
    org: OrgId,
    id: &str,
    step: FindingStep,
    acting: Acting<'_>,
) -> AppResult<Finding> {
    let Acting { by, only_owner, may_move_deadline } = acting;
    let today = cx.clock.today();
    // The audit that raised it sets the deadline's rules; a nonconformity found by
    // monitoring is the organization's own, like an internal audit's, from the day
    // it was raised.
    let rules = {
        let f = registers::get::<Finding>(cx, org, id).await?;
        // A nonconformity found by monitoring is not effective while its check fails.
        if let (FindingStep::Verify { .. }, Some(check)) = (&step, &f.check) {
            let c = registers::get::<isms_domain::check::Check>(cx, org, check).await?;
            if c.status(cx.clock.now()) == isms_domain::check::CheckStatus::Failing {
                return Err(refused(
                    format!("{check} is failing again: the corrective action is not effective yet"),
                    Code::WrongState,
                ));
            }
        }
        if f.audit.is_empty() {
            (AuditKind::Internal, f.raised_on)
        } else {
            let a = registers::get::<Audit>(cx, org, &f.audit).await?;
            (a.kind, a.end)
        }
    };
    registers::update(cx, actor, org, id, |f: &mut Finding| {
        if let Some(me) = only_owner
            && !f.owner.as_deref().is_some_and(|o| o.eq_ignore_ascii_case(me))
        {
            return Err(AppError::new(Code::Forbidden, format!("{id}'s corrective action is not assigned to you")));
        }
        let done = match step {
            FindingStep::Plan { correction, root_cause, action, owner, due } => {
                if !may_move_deadline && f.due.is_some() && due.is_some_and(|d| Some(d) != f.due) {
                    return Err(AppError::new(
                        Code::Forbidden,
                        format!(
                            "{id} is due {}, a deadline set by the audit; an auditor or the ISMS manager moves it",
                            f.due.map(|d| d.to_string()).unwrap_or_default()
                        ),
                    ));
                }
                if due.is_some_and(|d| d < f.raised_on) {
                    return Err(AppError::invalid_field("due", "must not be before the finding was raised"));
                }
                if let Some(d) = due {
                    isms_domain::audit::deadline(f.grade, rules.0, rules.1, Some(d), 0)
                        .map_err(|m| AppError::invalid_field("due", m))?;
                }
                let due = due.or(f.due).unwrap_or(today + Duration::days(90));
                f.plan(&correction, &root_cause, &action, &owner, due)
            }
            FindingStep::Implemented => f.implemented(),
            FindingStep::Verify { note } => f.verify(by, today, &note),
        };
        done.map_err(|e| finding_refused(&e))
    })
    .await
}
