//! The demo workspace: a fictional US healthcare SaaS company and a fintech client of
//! the same consultant, so a newcomer sees a working product with one command.
//!
//! Every capability adds its part here, in the same transaction-per-step style, so the
//! demo grows with the product. Demo accounts share one documented password
//! ([`DEMO_PASSWORD`]): the demo is sample data for a laptop, never a real workspace.

use isms_domain::trail::TrailActor;
use isms_domain::{DisplayName, Email, OrgId, OrgName, Organization, Role, Workspace, WorkspaceKind};
use serde::Serialize;

use crate::access::Actor;
use crate::workspace::{
    CreatedWorkspace, NewWorkspace, add_member, add_organization, create, current_workspace, new_user,
};
use crate::{AppError, AppResult, Code, Cx};

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "isms-demo";

pub use crate::demo_isms::DEMO_ORG;
pub use crate::demo_isms::large::LargeSize;

/// A second client organization, run by the same ISMS manager (a consultant's view).
pub const DEMO_CLIENT_ORG: &str = "Bluefin Payments LLC";

/// One demo account and what it can show.
#[derive(Debug, Clone, Serialize)]
pub struct DemoLogin {
    /// Login.
    pub email: String,
    /// Name.
    pub name: String,
    /// Role in the organization.
    pub role: Role,
    /// The organization.
    pub organization: String,
}

/// What the demo contains.
#[derive(Debug, Clone, Serialize)]
pub struct DemoWorkspace {
    /// The workspace marker.
    pub workspace: Workspace,
    /// The demo organizations.
    pub organizations: Vec<Organization>,
    /// The accounts to log in with (all use [`DEMO_PASSWORD`]).
    pub logins: Vec<DemoLogin>,
    /// The shared password.
    pub password: &'static str,
}

/// People of the main organization, one per role (owner first: it creates the org).
const PEOPLE: [(&str, &str, Role); 6] = [
    ("dana.whitfield@cedarridge.example", "Dana Whitfield", Role::Owner),
    ("marcus.chen@cedarridge.example", "Marcus Chen", Role::IsmsManager),
    ("priya.raman@cedarridge.example", "Priya Raman", Role::ControlOwner),
    ("jordan.ellis@cedarridge.example", "Jordan Ellis", Role::Contributor),
    ("sam.okafor@certbody.example", "Sam Okafor", Role::Auditor),
    ("lee.park@cedarridge.example", "Lee Park", Role::Viewer),
];

/// People of the client organization; Marcus is the consultant in both.
const CLIENT_PEOPLE: [(&str, &str, Role); 2] = [
    ("ana.souza@bluefin.example", "Ana Souza", Role::Owner),
    ("marcus.chen@cedarridge.example", "Marcus Chen", Role::IsmsManager),
];

/// The payments client's questionnaire answers, the first set and the one after a
/// fact changed.
fn client_answers() -> [isms_domain::advice::Answers; 2] {
    use isms_domain::advice::{Answers, Maturity};
    let first = Answers {
        sector: "payments processing for US lenders".to_owned(),
        ftc_financial_institution: true,
        employees: 45,
        maturity: Some(Maturity::AdHoc),
        ..Answers::default()
    };
    let second = Answers {
        sector: "payments processing for US lenders and EU merchants".to_owned(),
        eu_personal_data: true,
        international: true,
        certificate_demanded: true,
        maturity: Some(Maturity::Defined),
        ..first
    };
    [first, second]
}

fn parsed(email: &str, name: &str) -> AppResult<(Email, DisplayName)> {
    let email = Email::parse(email).map_err(|e| AppError::invalid_field("email", e))?;
    let name = DisplayName::parse(name).map_err(|e| AppError::invalid_field("name", e))?;
    Ok((email, name))
}

fn org_name(name: &str) -> AppResult<OrgName> {
    OrgName::parse(name).map_err(|e| AppError::invalid_field("org", e))
}

/// Creates the demo workspace in an empty database. Refuses, changing nothing, when the
/// database already holds a workspace.
pub async fn create_demo(cx: &Cx) -> AppResult<DemoWorkspace> {
    create_demo_sized(cx, None).await
}

/// [`create_demo`], with the main organization grown by `large` (`isms demo --size
/// large`: thousands of risks, assets and evidence items, for benchmarks).
pub async fn create_demo_sized(cx: &Cx, large: Option<LargeSize>) -> AppResult<DemoWorkspace> {
    let (owner_email, owner_name, _) = PEOPLE[0];
    let (email, name) = parsed(owner_email, owner_name)?;
    let new = NewWorkspace { org_name: org_name(DEMO_ORG)?, admin_email: email, admin_name: name };
    let CreatedWorkspace { workspace, organization, .. } =
        create(cx, WorkspaceKind::Demo, new, Some(DEMO_PASSWORD)).await?;
    let actor = TrailActor::System("isms demo".to_owned());

    let mut tx = cx.write().await?;
    for (email, name, role) in &PEOPLE[1..] {
        let (email, name) = parsed(email, name)?;
        let user = new_user(cx, email, name, DEMO_PASSWORD)?;
        add_member(&mut *tx, cx, &actor, &organization, &user, *role).await?;
    }
    let client = Organization {
        id: OrgId::from_random_bytes(cx.random_id_bytes()),
        name: org_name(DEMO_CLIENT_ORG)?,
        created_at: cx.clock.now(),
    };
    add_organization(&mut *tx, cx, &actor, &client).await?;
    for (email, name, role) in CLIENT_PEOPLE {
        let (email, name) = parsed(email, name)?;
        let user = new_user(cx, email, name, DEMO_PASSWORD)?;
        add_member(&mut *tx, cx, &actor, &client, &user, role).await?;
    }
    tx.commit().await?;

    // The healthcare company works with HIPAA and reports in CSF terms.
    for framework in ["hipaa-security", "nist-csf-2.0"] {
        crate::frameworks::adopt_framework(cx, &Actor::operator(organization.id, "isms demo"), framework).await?;
    }
    // The payments client is taken through the framework advisor by its consultant:
    // first as a US-only lender's processor, then after it starts serving EU merchants
    // and a European acquiring bank asks for a certificate. Each answer set is a
    // versioned record; each accepted advice adopts what it names.
    let (consultant, _) = parsed(CLIENT_PEOPLE[1].0, CLIENT_PEOPLE[1].1)?;
    let consultant = Actor::member(cx, client.id, &consultant).await?;
    for answers in client_answers() {
        crate::advisor::submit_answers(cx, &consultant, answers).await?;
        crate::advisor::accept_advice(cx, &consultant).await?;
    }

    crate::demo_isms::seed(cx, &Actor::operator(organization.id, "isms demo")).await?;
    if let Some(size) = large {
        crate::demo_isms::large::grow(cx, &Actor::operator(organization.id, "isms demo"), size).await?;
    }

    let logins = PEOPLE
        .iter()
        .map(|(e, n, r)| (e, n, r, DEMO_ORG))
        .chain(CLIENT_PEOPLE.iter().map(|(e, n, r)| (e, n, r, DEMO_CLIENT_ORG)))
        .map(|(email, name, role, org)| DemoLogin {
            email: (*email).to_owned(),
            name: (*name).to_owned(),
            role: *role,
            organization: org.to_owned(),
        })
        .collect();
    Ok(DemoWorkspace { workspace, organizations: vec![organization, client], logins, password: DEMO_PASSWORD })
}

/// What `isms serve --demo` found or made.
#[derive(Debug, Clone)]
pub enum DemoOutcome {
    /// A new demo was created.
    Created(Box<DemoWorkspace>),
    /// An earlier demo is served again, as it was left.
    Existing(Workspace),
}

/// Creates the demo, or reuses an earlier demo in the same place. Refuses a real
/// (`isms init`) workspace: the demo never touches one.
pub async fn create_or_reuse_demo(cx: &Cx) -> AppResult<DemoOutcome> {
    match current_workspace(cx).await? {
        Some(ws) if ws.kind == WorkspaceKind::Demo => {
            cx.store.migrate().await?;
            Ok(DemoOutcome::Existing(ws))
        }
        Some(ws) => Err(AppError::new(
            Code::WorkspaceExists,
            format!(
                "{} holds a real isms workspace (created {}), not a demo; `--demo` never touches one — run `isms serve` without --demo, or point --data-dir elsewhere",
                cx.store.location(),
                ws.created_at.date()
            ),
        )),
        None => Ok(DemoOutcome::Created(Box::new(create_demo(cx).await?))),
    }
}
