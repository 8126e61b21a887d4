//! Management reviews (clause 9.3): the inputs they consider, and the decisions and
//! actions they record.

use super::*;

/// The inputs a management review considers (ISO/IEC 27001:2022 9.3.2, in our words).
pub const REVIEW_INPUTS: [(&str, &str); 10] = [
    ("previous_actions", "Status of actions from previous management reviews"),
    ("issues", "Changes in external and internal issues relevant to the ISMS"),
    ("interested_parties", "Changes in the needs and expectations of interested parties"),
    ("nonconformities", "Nonconformities and corrective actions"),
    ("monitoring", "Monitoring and measurement results"),
    ("audits", "Audit results"),
    ("objectives", "Fulfilment of information security objectives"),
    ("feedback", "Feedback from interested parties"),
    ("risks", "Results of risk assessment and status of the risk treatment plan"),
    ("improvement", "Opportunities for continual improvement"),
];

/// What the meeting said about one input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ReviewInput {
    /// The input's key (see [`REVIEW_INPUTS`]).
    pub topic: String,
    /// What was presented and concluded.
    pub notes: String,
}

/// An action decided by a management review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ReviewAction {
    /// What.
    pub title: String,
    /// Who (e-mail).
    pub owner: String,
    /// By when.
    #[serde(with = "crate::dates::date")]
    #[cfg_attr(feature = "schema", schemars(with = "String", extend("format" = "date")))]
    pub due: Date,
    /// Done?
    #[serde(default)]
    pub done: bool,
}

/// A management review meeting (9.3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ManagementReview {
    /// `MRV-001`.
    #[serde(default)]
    pub id: String,
    /// When it was held.
    #[serde(with = "crate::dates::date")]
    #[cfg_attr(feature = "schema", schemars(with = "String", extend("format" = "date")))]
    pub held_on: Date,
    /// Who attended.
    #[serde(default)]
    pub attendees: Vec<String>,
    /// The inputs considered.
    #[serde(default)]
    pub inputs: Vec<ReviewInput>,
    /// Decisions on improvement and changes to the ISMS.
    #[serde(default)]
    pub decisions: Vec<String>,
    /// Actions decided.
    #[serde(default)]
    pub actions: Vec<ReviewAction>,
}

impl ManagementReview {
    /// The inputs of 9.3.2 the record does not cover.
    pub fn missing_inputs(&self) -> Vec<&'static str> {
        REVIEW_INPUTS
            .iter()
            .filter(|(key, _)| !self.inputs.iter().any(|i| i.topic == *key && !i.notes.trim().is_empty()))
            .map(|(_, title)| *title)
            .collect()
    }

    /// True when every input is covered.
    pub fn complete(&self) -> bool {
        self.missing_inputs().is_empty()
    }
}

impl Entry for ManagementReview {
    const KIND: &'static str = "management_review";
    const PREFIX: &'static str = "MRV";
    crate::entry_id!();
    fn problems(&self) -> Vec<(&'static str, String)> {
        let mut p = Vec::new();
        for i in &self.inputs {
            if !REVIEW_INPUTS.iter().any(|(k, _)| *k == i.topic) {
                p.push(("inputs", format!("{:?} is not a management review input", i.topic)));
            }
        }
        if self.attendees.iter().all(|a| a.trim().is_empty()) {
            p.push(("attendees", "name who attended (top management must)".to_owned()));
        }
        for a in &self.actions {
            if a.title.trim().is_empty() || a.owner.trim().is_empty() {
                p.push(("actions", "every action needs a title and an owner".to_owned()));
            }
        }
        p
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    #[test]
    fn a_management_review_lists_the_inputs_it_did_not_cover() {
        let mut r = ManagementReview {
            id: "MRV-001".into(),
            held_on: date!(2026 - 01 - 20),
            attendees: vec!["ceo@acme.test".into()],
            inputs: vec![],
            decisions: vec![],
            actions: vec![],
        };
        assert_eq!(r.missing_inputs().len(), 10);
        r.inputs =
            REVIEW_INPUTS.iter().map(|(k, _)| ReviewInput { topic: (*k).into(), notes: "discussed".into() }).collect();
        assert!(r.complete());
        r.inputs[5].notes.clear();
        assert_eq!(r.missing_inputs(), ["Audit results"]);
        r.inputs.push(ReviewInput { topic: "weather".into(), notes: "x".into() });
        assert_eq!(r.problems().len(), 1);
    }
}
