//! Management reviews: the list, recording one, and marking its actions done.

use super::*;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/management-reviews", get(reviews).post(record_review))
        .route("/management-reviews/{id}/actions/{number}", post(review_action))
}

#[derive(Template, WebTemplate)]
#[template(path = "management_reviews.html")]
struct ReviewsPage {
    shell: Shell,
    names: crate::pages::Names,
    reviews: Vec<ManagementReview>,
    /// (key, title, briefing)
    inputs: Vec<(&'static str, &'static str, String)>,
    can_manage: bool,
    me: String,
    today: String,
    done: Option<String>,
}

impl ReviewsPage {
    fn input_title(&self, key: &str) -> &'static str {
        REVIEW_INPUTS.iter().find(|(k, _)| *k == key).map_or("", |(_, t)| *t)
    }
}

async fn reviews(
    State(s): State<AppState>,
    viewer: Viewer,
    Query(q): Query<BTreeMap<String, String>>,
) -> Result<ReviewsPage, PageError> {
    let caller = viewer.caller;
    let shell = viewer.shell("audits");
    let can_manage = shell.can.any(UseCase::ManageAudits);
    let briefing = if can_manage { isms_app::certification::review_briefing(&s.cx, &caller).await? } else { vec![] };
    Ok(ReviewsPage {
        names: crate::pages::Names::load(&s.cx, &caller).await?,
        reviews: isms_app::certification::management_reviews(&s.cx, &caller).await?,
        inputs: REVIEW_INPUTS
            .iter()
            .map(|(k, t)| {
                (*k, *t, briefing.iter().find(|b| b.topic == *k).map(|b| b.notes.clone()).unwrap_or_default())
            })
            .collect(),
        can_manage,
        me: viewer.principal.user.email.to_string(),
        today: s.cx.clock.today().to_string(),
        shell,
        done: notice(q.get("done").map(String::as_str)),
    })
}

async fn record_review(
    State(s): State<AppState>,
    CsrfForm(viewer, form): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let get = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
    let lines = |text: String| -> Vec<String> {
        text.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect()
    };
    let mut actions = Vec::new();
    for l in lines(get("actions")) {
        let parts: Vec<&str> = l.split('|').map(str::trim).collect();
        let [title, owner, due] = parts.as_slice() else {
            return Err(invalid("actions", format!("{l:?}: write each action as title | owner | YYYY-MM-DD")));
        };
        actions.push(ReviewAction {
            title: (*title).to_owned(),
            owner: (*owner).to_owned(),
            due: date("actions", due)?,
            done: false,
        });
    }
    let review = ManagementReview {
        id: String::new(),
        held_on: date("held_on", &get("held_on"))?,
        attendees: lines(get("attendees").replace(',', "\n")),
        inputs: REVIEW_INPUTS
            .iter()
            .map(|(k, _)| ReviewInput { topic: (*k).to_owned(), notes: get(&format!("input_{k}")).trim().to_owned() })
            .filter(|i| !i.notes.is_empty())
            .collect(),
        decisions: lines(get("decisions")),
        actions,
    };
    let saved = isms_app::certification::record_management_review(&s.cx, &viewer.caller, review).await?;
    let missing = saved.missing_inputs().len();
    let message = if missing == 0 {
        format!("Recorded {}.", saved.id)
    } else {
        format!(
            "Recorded {}; {} not covered.",
            saved.id,
            match missing {
                1 => "1 required input was".to_owned(),
                n => format!("{n} required inputs were"),
            }
        )
    };
    Ok(see_other(&format!("/management-reviews?done={}", encode(&message))))
}

#[derive(Debug, Deserialize)]
struct DoneForm {
    done: bool,
}

async fn review_action(
    State(s): State<AppState>,
    Path((id, number)): Path<(String, usize)>,
    CsrfForm(viewer, f): CsrfForm<DoneForm>,
) -> Result<Response, PageError> {
    if number == 0 {
        return Err(invalid("number", "actions are numbered from 1"));
    }
    isms_app::certification::review_action_done(&s.cx, &viewer.caller, &id, number - 1, f.done).await?;
    let message = if f.done { "Marked done." } else { "Reopened." };
    Ok(see_other(&format!("/management-reviews?done={}#{id}", encode(message))))
}
