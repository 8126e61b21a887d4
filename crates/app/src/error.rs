//! The one error type of the use cases. Its `code` is stable: the API's problem
//! `type`, the CLI's `--json` output and docs/errors.md all use it.

use std::fmt;

use isms_store::{MigrateError, StoreError};
use serde::Serialize;

/// The broad class of an error, which decides the HTTP status and the CLI exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The input was wrong; the fields say where.
    Invalid,
    /// The thing does not exist, or is not visible to the caller.
    NotFound,
    /// The caller may not do this.
    Forbidden,
    /// The caller is not signed in.
    Unauthenticated,
    /// The change clashes with the stored state.
    Conflict,
    /// Too many attempts (failed sign-ins); retrying later will help.
    Throttled,
    /// An upload was larger than the configured limit.
    TooLarge,
    /// A dependency (the database) is unavailable; retrying may help.
    Unavailable,
    /// A bug or corrupt data; details are logged, not shown.
    Internal,
}

/// Declares [`Code`]: each variant's stable text, its [`ErrorKind`] (which decides the
/// HTTP status and the CLI exit code) and, as its doc comment, the meaning
/// docs/errors.md shows (a test checks the two agree).
macro_rules! codes {
    ($($(#[doc = $doc:literal])+ $variant:ident = $code:literal, $kind:ident;)+) => {
        /// Every error code isms reports: the API's problem `type`, the CLI's `--json`
        /// `code`, and a row of docs/errors.md each.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code {
            $($(#[doc = $doc])+ $variant,)+
        }

        impl Code {
            /// Every code, in the order of docs/errors.md.
            pub const ALL: &'static [Code] = &[$(Code::$variant),+];

            /// The stable text (`not_found`).
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $code,)+
                }
            }

            /// The class, which decides the HTTP status and the CLI exit code.
            pub fn kind(self) -> ErrorKind {
                match self {
                    $(Code::$variant => ErrorKind::$kind,)+
                }
            }

            /// What it means, as docs/errors.md says it.
            pub fn meaning(self) -> &'static str {
                match self {
                    $(Code::$variant => concat!($($doc),+).trim_ascii(),)+
                }
            }
        }
    };
}

codes! {
    /// Input was wrong; `fields` lists each field and what is wrong with it.
    InvalidInput = "invalid_input", Invalid;
    /// The thing does not exist, or belongs to another organization (existence never leaks).
    NotFound = "not_found", NotFound;
    /// The caller's role does not allow the action.
    Forbidden = "forbidden", Forbidden;
    /// Not signed in.
    Unauthenticated = "unauthenticated", Unauthenticated;
    /// The change clashes with stored data (a duplicate e-mail, a concurrent change).
    Conflict = "conflict", Conflict;
    /// `isms init` / `isms demo` found a workspace already; nothing was changed.
    WorkspaceExists = "workspace_exists", Conflict;
    /// Migrations are pending (`isms migrate --check` exits 1).
    SchemaNotCurrent = "schema_not_current", Conflict;
    /// The database was migrated by a newer isms; run that version or newer.
    SchemaTooNew = "schema_too_new", Conflict;
    /// A migration's SQL failed; it was rolled back and the message names it.
    MigrationFailed = "migration_failed", Internal;
    /// An applied migration was edited after it was applied (checksum mismatch).
    MigrationChanged = "migration_changed", Internal;
    /// The database cannot be reached or refused; the message names it (password masked).
    DatabaseUnavailable = "database_unavailable", Unavailable;
    /// Stored data cannot be read back (a bug or a manual edit).
    CorruptData = "corrupt_data", Internal;
    /// `/readyz`: the database is unreachable or the schema is not current.
    NotReady = "not_ready", Unavailable;
    /// `isms gap-analysis`: the roadmap cannot work as planned (exit 1); the problems name the milestones.
    PlanUnworkable = "plan_unworkable", Invalid;
    /// A configuration problem; the message names the file (line, column), variable or flag.
    Config = "config", Invalid;
    /// The data directory cannot be created.
    DataDir = "data_dir", Internal;
    /// `isms serve` cannot listen on the address (e.g. address already in use).
    Listen = "listen", Unavailable;
    /// No framework has that id (`isms framework list`).
    FrameworkNotFound = "framework_not_found", NotFound;
    /// The framework has no item with that id.
    ItemNotFound = "item_not_found", NotFound;
    /// An import would reuse the id of a shipped or imported framework.
    FrameworkExists = "framework_exists", Conflict;
    /// The organization already uses the framework (ISO/IEC 27001:2022 always).
    FrameworkInUse = "framework_in_use", Conflict;
    /// The shipped framework library failed validation (a build defect).
    CatalogInvalid = "catalog_invalid", Internal;
    /// An import file is unreadable or malformed; the message names the file and the element (path, line, column).
    Import = "import", Invalid;
    /// Not an ISO/IEC 27001:2022 Annex A control id.
    ControlNotFound = "control_not_found", NotFound;
    /// The SoA has problems that block approval; `fields` lists each.
    SoaInvalid = "soa_invalid", Invalid;
    /// Approval asked for a draft identical to the latest version (record a review instead).
    SoaUnchanged = "soa_unchanged", Conflict;
    /// No approved SoA version with that number.
    SoaVersionNotFound = "soa_version_not_found", NotFound;
    /// The residual risk is within appetite; nothing to accept.
    AcceptanceNotNeeded = "acceptance_not_needed", Conflict;
    /// The methodology does not allow accepting this level; treat the risk further.
    NotAcceptable = "not_acceptable", Conflict;
    /// The risk is already accepted at its current level.
    AlreadyAccepted = "already_accepted", Conflict;
    /// Password hashing failed (should not happen).
    PasswordHash = "password_hash", Internal;
    /// The e-mail or password is wrong, or the account is disabled (which one is not said).
    SignInFailed = "sign_in_failed", Unauthenticated;
    /// Too many failed sign-ins for the account from this address, from this address, or for the account from addresses it never used; the message says how long to wait (30 s, doubling to 15 minutes).
    SignInThrottled = "sign_in_throttled", Throttled;
    /// A sign-in or an invitation's acceptance was sent by a browser from another site's page (login CSRF).
    CrossSiteForm = "cross_site_form", Forbidden;
    /// The invitation link was used, withdrawn, or has expired (7 days); ask for a new one.
    InvitationInvalid = "invitation_invalid", NotFound;
    /// Only a pending invitation can be withdrawn.
    InvitationNotPending = "invitation_not_pending", Conflict;
    /// The address's account changed while the invitation was being accepted; open the link again.
    InvitationRetry = "invitation_retry", Conflict;
    /// The account with the invited address is disabled by the installation's administrator.
    AccountDisabled = "account_disabled", Forbidden;
    /// A text field of an upload form holds more than 64 KiB.
    FieldTooLarge = "field_too_large", TooLarge;
    /// No session cookie, or the session expired, was ended, or its account was disabled.
    NotSignedIn = "not_signed_in", Unauthenticated;
    /// A state-changing request lacked the session's `x-csrf-token` header (or it was wrong).
    CsrfTokenMissing = "csrf_token_missing", Forbidden;
    /// The account belongs to several organizations; `PUT /api/v1/session/organization` first.
    NoOrganizationChosen = "no_organization_chosen", Conflict;
    /// An invitation (or its acceptance) for someone who is already a member of the organization.
    AlreadyMember = "already_member", Conflict;
    /// `isms org add`: an organization with that name (ignoring case) exists.
    OrganizationExists = "organization_exists", Conflict;
    /// The API token was revoked before.
    AlreadyRevoked = "already_revoked", Conflict;
    /// The request body is not JSON or not of the expected shape; the detail names the field and position.
    InvalidJson = "invalid_json", Invalid;
    /// A path parameter is malformed (bad percent-encoding, not valid UTF-8, the wrong type).
    InvalidPath = "invalid_path", Invalid;
    /// The query string cannot be read into the operation's parameters.
    InvalidQuery = "invalid_query", Invalid;
    /// A CLI command needs an organization and the workspace has several: give `--org` or set `ISMS_ORG`.
    OrgRequired = "org_required", Invalid;
    /// A body was sent without `content-type: application/json` (this also stops cross-site HTML forms).
    UnsupportedMediaType = "unsupported_media_type", Invalid;
    /// The body is over 2 MiB.
    PayloadTooLarge = "payload_too_large", TooLarge;
    /// The request did not finish within 30 seconds.
    Timeout = "timeout", Unavailable;
    /// The member is the organization's only owner: make someone else owner before demoting or removing them.
    LastOwner = "last_owner", Conflict;
    /// An import's body is not UTF-8 text (imports take `Content-Type: text/csv`; other types are 415).
    InvalidCsv = "invalid_csv", Invalid;
    /// A report (XLSX, CSV, Markdown, JSON) could not be rendered (should not happen).
    ExportFailed = "export_failed", Internal;
    /// The FAIR simulation stopped unexpectedly (should not happen).
    SimulationFailed = "simulation_failed", Internal;
    /// An approved document version never changes; start a new version.
    VersionImmutable = "version_immutable", Conflict;
    /// The document already has a version in progress; finish or change that one.
    VersionOpen = "version_open", Conflict;
    /// The step does not fit the record's state (a document version or a finding); the message says which state it is in.
    WrongState = "wrong_state", Conflict;
    /// The document has no version in progress to change or submit.
    NoOpenVersion = "no_open_version", Conflict;
    /// The document has no approved version yet (nothing to acknowledge or review).
    NoVersionInForce = "no_version_in_force", Conflict;
    /// The audit is completed or cancelled; its checklist no longer changes.
    AuditClosed = "audit_closed", Conflict;
    /// The audit cannot be completed while a checklist line is still open.
    ChecklistOpen = "checklist_open", Conflict;
    /// A collector could not collect (the target unreachable, the tool failed).
    CollectorFailed = "collector_failed", Unavailable;
    /// The finding is closed; it no longer changes.
    FindingClosed = "finding_closed", Conflict;
    /// A certificate cannot be recorded while a major nonconformity of the audit is open.
    OpenMajorNonconformity = "open_major_nonconformity", Conflict;
    /// A certificate cannot be recorded while a minor nonconformity of a certification audit has no action plan.
    MinorWithoutActionPlan = "minor_without_action_plan", Conflict;
    /// The certification audit this step needs first is not completed (Stage 1 before Stage 2, Stage 2 or recertification before a certificate).
    CertificationAuditMissing = "certification_audit_missing", Conflict;
    /// The evidence item or document version is a link or text, not a stored file.
    NotAFile = "not_a_file", Conflict;
    /// An upload is over the configured `max_upload_mb`; nothing was stored.
    FileTooLarge = "file_too_large", TooLarge;
    /// The blob directory (evidence files, uploaded documents) cannot be read or written.
    BlobStore = "blob_store", Unavailable;
    /// No risk has FAIR estimates to simulate.
    NoEstimates = "no_estimates", Conflict;
    /// `isms document acks`: someone has not acknowledged the version in force.
    AcknowledgementsPending = "acknowledgements_pending", Internal;
    /// `isms document checklist`: mandatory documented information is missing.
    DocumentsMissing = "documents_missing", Internal;
    /// `isms evidence verify`: a stored file changed or went missing.
    EvidenceChanged = "evidence_changed", Internal;
    /// `isms audit programme`: clauses or applicable controls are not yet covered by an internal audit.
    ProgrammeIncomplete = "programme_incomplete", Internal;
    /// `isms audit-log verify`: the hash chain is broken; the message names the first bad entry.
    TrailBroken = "trail_broken", Internal;
    /// An export could not be written to the named file or directory.
    Export = "export", Internal;
    /// A FAIR scenario file cannot be read.
    Fair = "fair", Internal;
    /// Logging could not be set up.
    Logging = "logging", Internal;
    /// The async runtime could not start.
    Runtime = "runtime", Internal;
    /// A defect: the answer says no more, and the server log has the details under the request's id.
    Internal = "internal", Internal;
    /// The demo workspace could not be built (should not happen).
    Demo = "demo", Internal;
    /// `isms serve` stopped with an error.
    Serve = "serve", Internal;
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl PartialEq<&str> for Code {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// One field's problem, as shown next to the field in a form or in `--json` output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The field (`org`, `admin_email`, a column name, ...).
    pub field: String,
    /// What is wrong with it, as a sentence.
    pub message: String,
}

/// A use case's failure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppError {
    /// The class.
    pub kind: ErrorKind,
    /// The stable code (see docs/errors.md).
    pub code: Code,
    /// One sentence for people.
    pub message: String,
    /// Per-field problems, for `Invalid`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldError>,
}

/// Result of a use case.
pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    /// An error with its code (which gives its kind) and message.
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Self { kind: code.kind(), code, message: message.into(), fields: Vec::new() }
    }

    /// Invalid input in the named fields.
    pub fn invalid(fields: Vec<FieldError>) -> Self {
        let message = fields.iter().map(|f| format!("{}: {}", f.field, f.message)).collect::<Vec<_>>().join("; ");
        Self { kind: ErrorKind::Invalid, code: Code::InvalidInput, message, fields }
    }

    /// Invalid input in one field.
    pub fn invalid_field(field: &str, message: impl fmt::Display) -> Self {
        Self::invalid(vec![FieldError { field: field.to_owned(), message: message.to_string() }])
    }

    /// The thing was not found.
    pub fn not_found(what: impl fmt::Display) -> Self {
        Self::new(Code::NotFound, format!("{what} was not found"))
    }
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for AppError {}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(what) => AppError::not_found(what),
            StoreError::Conflict(message) => AppError::new(Code::Conflict, message),
            StoreError::Unavailable(_) => AppError::new(Code::DatabaseUnavailable, e.to_string()),
            StoreError::Corrupt(_) => AppError::new(Code::CorruptData, e.to_string()),
            StoreError::Invalid(message) => AppError::new(Code::InvalidInput, message),
        }
    }
}

impl From<MigrateError> for AppError {
    fn from(e: MigrateError) -> Self {
        match e {
            MigrateError::Unavailable(_) => AppError::new(Code::DatabaseUnavailable, e.to_string()),
            MigrateError::Failed { .. } => AppError::new(Code::MigrationFailed, e.to_string()),
            MigrateError::Changed { .. } => AppError::new(Code::MigrationChanged, e.to_string()),
            MigrateError::Newer { .. } => AppError::new(Code::SchemaTooNew, e.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// docs/errors.md has one row per code, saying what [`Code::meaning`] says, and no
    /// row for a code that does not exist.
    #[test]
    fn docs_errors_md_lists_every_code_with_its_meaning() {
        let docs = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/errors.md")).unwrap();
        let mut rows = std::collections::BTreeMap::new();
        for line in docs.lines() {
            let Some(rest) = line.strip_prefix("| `") else { continue };
            let (code, rest) = rest.split_once('`').unwrap();
            let meaning = rest.trim_end().trim_end_matches('|').rsplit(" | ").next().unwrap().trim();
            assert!(rows.insert(code.to_owned(), meaning.to_owned()).is_none(), "{code} has two rows");
        }
        let mut problems = Vec::new();
        for code in Code::ALL {
            match rows.remove(code.as_str()) {
                None => problems.push(format!("no row for `{code}`: | `{code}` | … | {} |", code.meaning())),
                Some(m) if m != code.meaning() => {
                    problems.push(format!("`{code}`: the docs say {m:?}, the code says {:?}", code.meaning()));
                }
                Some(_) => {}
            }
        }
        problems.extend(rows.keys().map(|c| format!("a row for `{c}`, which is no code")));
        assert!(problems.is_empty(), "docs/errors.md and error::Code disagree:\n{}", problems.join("\n"));
    }

    #[test]
    fn codes_are_unique_snake_case_and_keep_their_kind() {
        let mut seen = std::collections::BTreeSet::new();
        for code in Code::ALL {
            assert!(seen.insert(code.as_str()), "{code} twice");
            assert!(code.as_str().bytes().all(|b| b.is_ascii_lowercase() || b == b'_'), "{code}");
            assert_eq!(AppError::new(*code, "x").kind, code.kind());
        }
        assert_eq!(AppError::not_found("RSK-9").code, "not_found");
    }
}
