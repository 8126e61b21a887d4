//! Schema migrations and readiness, as the CLI and the server ask for them.

use isms_store::{Engine, MigrationId, SchemaStatus};

use crate::{AppError, AppResult, Code, Cx};

/// Applies every pending migration (run by `isms migrate` and on start of `isms serve`).
pub async fn migrate(cx: &Cx) -> AppResult<Vec<MigrationId>> {
    Ok(cx.store.migrate().await?)
}

/// Which migrations are applied and pending, without changing anything.
pub async fn schema_status(cx: &Cx) -> AppResult<SchemaStatus> {
    crate::reads::end_request_read(); // a transaction of its own
    Ok(cx.store.schema_status().await?)
}

/// Whether this process can serve requests: the database answers and its schema is
/// exactly the one this binary expects.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Readiness {
    /// True when both checks pass.
    pub ready: bool,
    /// The engine behind the store.
    pub engine: String,
    /// The applied schema version (0 when unknown).
    pub schema_version: i64,
    /// Why it is not ready, as a sentence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

/// Checks readiness. Never fails: problems are reported in the result.
pub async fn readiness(cx: &Cx) -> Readiness {
    let engine = match cx.store.engine() {
        Engine::Sqlite => "sqlite",
        Engine::Postgres => "postgres",
    }
    .to_owned();
    let not_ready = |schema_version, problem: String| Readiness {
        ready: false,
        engine: engine.clone(),
        schema_version,
        problem: Some(problem),
    };
    if let Err(e) = cx.store.ping().await {
        return not_ready(0, e.to_string());
    }
    crate::reads::end_request_read(); // a transaction of its own
    match cx.store.schema_status().await {
        Err(e) => not_ready(0, e.to_string()),
        Ok(status) if !status.unknown.is_empty() => not_ready(
            status.version(),
            format!("the database schema (version {}) is newer than this binary", status.version()),
        ),
        Ok(status) if !status.pending.is_empty() => {
            let pending: Vec<String> = status.pending.iter().map(ToString::to_string).collect();
            not_ready(status.version(), format!("migrations pending: {}", pending.join(", ")))
        }
        Ok(status) => {
            Readiness { ready: true, engine: engine.clone(), schema_version: status.version(), problem: None }
        }
    }
}

/// Fails unless the schema is current: commands that need data refuse to run on a
/// half-migrated or newer database.
pub async fn require_current_schema(cx: &Cx) -> AppResult<SchemaStatus> {
    let status = schema_status(cx).await?;
    if !status.unknown.is_empty() {
        return Err(AppError::new(
            Code::SchemaTooNew,
            format!(
                "the database at {} was upgraded by a newer isms (schema version {}); run that version or newer",
                cx.store.location(),
                status.version()
            ),
        ));
    }
    if !status.pending.is_empty() {
        return Err(AppError::new(
            Code::SchemaNotCurrent,
            format!("the database at {} needs migrations first: run `isms migrate`", cx.store.location()),
        ));
    }
    Ok(status)
}
