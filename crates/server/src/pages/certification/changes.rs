//! What changed since the last audit.

use super::*;

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/changes", get(changes))
}

#[derive(Template, WebTemplate)]
#[template(path = "changes.html")]
struct ChangesPage {
    shell: Shell,
    since: String,
    /// (entity, rows)
    groups: Vec<(String, Vec<Change>)>,
    total: usize,
}

impl ChangesPage {
    fn count(&self, changes: &[Change], kind: &str) -> usize {
        changes.iter().filter(|c| c.change == kind).count()
    }

    fn href(&self, c: &Change) -> String {
        super::super::record_href(&c.entity, &c.id).unwrap_or_else(|| "/context".into())
    }
}

async fn changes(
    State(s): State<AppState>,
    viewer: Viewer,
    Query(q): Query<BTreeMap<String, String>>,
) -> Result<ChangesPage, PageError> {
    let since = q.get("since").map(|d| date("since", d)).transpose()?;
    let (since, all) = isms_app::certification::changes_since(&s.cx, &viewer.caller, since).await?;
    let mut groups: BTreeMap<String, Vec<Change>> = BTreeMap::new();
    for c in all.iter().cloned() {
        groups.entry(c.entity.replace('_', " ")).or_default().push(c);
    }
    Ok(ChangesPage {
        shell: viewer.shell("audits"),
        since: since.to_string(),
        total: all.len(),
        groups: groups.into_iter().collect(),
    })
}
