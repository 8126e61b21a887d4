//! The parts of the OSCAL catalog and profile models that isms reads. Unknown members
//! are ignored, so any valid OSCAL document parses; missing required ones are errors.

use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub(crate) struct CatalogDoc {
    pub catalog: Catalog,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Catalog {
    #[expect(dead_code, reason = "required by OSCAL: its absence means the file is not a catalog")]
    pub uuid: String,
    pub metadata: Metadata,
    #[serde(default)]
    pub groups: Vec<Group>,
    #[serde(default)]
    pub controls: Vec<Control>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct Metadata {
    pub title: String,
    pub version: String,
    pub oscal_version: String,
    pub last_modified: String,
    #[serde(default)]
    pub parties: Vec<Party>,
}

impl Metadata {
    pub fn publisher(&self) -> Option<String> {
        self.parties.iter().find(|p| p.kind == "organization").map(|p| p.name.clone())
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct Party {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub name: String,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Group {
    pub id: Option<String>,
    pub title: String,
    #[serde(default)]
    pub props: Vec<Prop>,
    #[serde(default)]
    pub groups: Vec<Group>,
    #[serde(default)]
    pub controls: Vec<Control>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Control {
    pub id: String,
    pub class: Option<String>,
    pub title: String,
    #[serde(default)]
    pub params: Vec<Param>,
    #[serde(default)]
    pub props: Vec<Prop>,
    #[serde(default)]
    pub parts: Vec<Part>,
    #[serde(default)]
    pub controls: Vec<Control>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Param {
    pub id: String,
    pub label: Option<String>,
    pub select: Option<Select>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct Select {
    pub how_many: Option<String>,
    #[serde(default)]
    pub choice: Vec<String>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Prop {
    pub name: String,
    pub value: String,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Part {
    pub name: String,
    #[serde(default)]
    pub props: Vec<Prop>,
    pub prose: Option<String>,
    #[serde(default)]
    pub parts: Vec<Part>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct ProfileDoc {
    pub profile: Profile,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Profile {
    pub imports: Vec<Import>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct Import {
    #[serde(default)]
    pub include_controls: Vec<Selection>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct Selection {
    #[serde(default)]
    pub with_ids: Vec<String>,
}
