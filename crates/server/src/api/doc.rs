//! The API's routes and its OpenAPI 3.1 document come from one list: an API route can
//! only be added through [`Api::op`], which records what the document says about it.
//! So the document lists every route the server exposes, by construction; a product
//! test calls each documented operation, and CI validates the document.

use std::borrow::Cow;

use axum::Router;
use axum::routing::MethodRouter;
use schemars::generate::{SchemaGenerator, SchemaSettings};
use schemars::{JsonSchema, Schema};
use serde_json::{Map, Value, json};

use crate::AppState;
use crate::error::PROBLEM_BASE;

/// Media types of the documents the API generates.
pub(crate) mod media {
    pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    pub const CSV: &str = "text/csv";
    pub const MARKDOWN: &str = "text/markdown";
    pub const JSON: &str = "application/json";
    pub const ICALENDAR: &str = "text/calendar";
}

/// How an operation is authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Access {
    /// Anyone.
    Public,
    /// A session cookie (and the CSRF header when it changes state).
    Session,
    /// A session cookie or an API token.
    Member,
}

/// Makes the JSON Schema of a request body; the types it refers to land in the
/// generator's definitions (the document's `components/schemas`).
pub(crate) type BodySchema = fn(&mut SchemaGenerator) -> Schema;

/// The schema of `T` itself (not a `$ref`), so each operation shows its body's fields.
fn schema_of<T: JsonSchema>(generator: &mut SchemaGenerator) -> Schema {
    T::json_schema(generator)
}

/// Shows an enum of plain names (`oneOf` string constants, each with its doc comment,
/// as schemars writes a documented unit-variant enum) as an `enum`, the names' doc
/// comments in its description.
fn plain_enums(schema: &mut Value) {
    match schema {
        Value::Object(o) => {
            if let Some((values, list)) = o.get("oneOf").and_then(plain_names) {
                let description = o.get("description").and_then(Value::as_str).unwrap_or_default();
                let description = format!("{description}\n\n{list}").trim().to_owned();
                o.remove("oneOf");
                o.insert("type".into(), json!("string"));
                o.insert("enum".into(), Value::Array(values));
                o.insert("description".into(), json!(description));
            }
            o.values_mut().for_each(plain_enums);
        }
        Value::Array(items) => items.iter_mut().for_each(plain_enums),
        _ => {}
    }
}

/// Shows a tuple (`prefixItems`, one schema per position) as an array of fixed length
/// whose items are any of the positions' schemas, for answers: schemathesis rewrites
/// `prefixItems` in response schemas into a form its own check then refuses. The
/// description says what each position is.
fn plain_tuples(schema: &mut Value) {
    match schema {
        Value::Object(o) => {
            if let Some(Value::Array(positions)) = o.remove("prefixItems") {
                let mut alternatives: Vec<Value> = Vec::new();
                for p in &positions {
                    if !alternatives.contains(p) {
                        alternatives.push(p.clone());
                    }
                }
                let kinds: Vec<String> = positions
                    .iter()
                    .map(|p| p.get("type").and_then(Value::as_str).unwrap_or("value").to_owned())
                    .collect();
                let items =
                    if alternatives.len() == 1 { alternatives.remove(0) } else { json!({ "anyOf": alternatives }) };
                o.insert("items".into(), items);
                let description = o.get("description").and_then(Value::as_str).unwrap_or_default();
                let description = format!("{description} (a tuple: {})", kinds.join(", ")).trim().to_owned();
                o.insert("description".into(), json!(description));
            }
            o.values_mut().for_each(plain_tuples);
        }
        Value::Array(items) => items.iter_mut().for_each(plain_tuples),
        _ => {}
    }
}

/// The names of a `oneOf` of documented string constants, and a Markdown list of them
/// with their descriptions; `None` when an alternative is anything else.
fn plain_names(one_of: &Value) -> Option<(Vec<Value>, String)> {
    let mut values = Vec::new();
    let mut list = Vec::new();
    for alternative in one_of.as_array()? {
        let a = alternative.as_object()?;
        if a.get("type")? != "string" || !a.keys().all(|k| matches!(k.as_str(), "const" | "type" | "description")) {
            return None;
        }
        let name = a.get("const")?.as_str()?;
        values.push(json!(name));
        if let Some(about) = a.get("description").and_then(Value::as_str) {
            list.push(format!("- `{name}`: {about}"));
        }
    }
    Some((values, list.join("\n")))
}

/// JSON Schema 2020-12 (OpenAPI 3.1's dialect), shared types under `components/schemas`,
/// for what the handlers read (request bodies).
fn generator() -> SchemaGenerator {
    SchemaSettings::draft2020_12()
        .with(|s| {
            s.definitions_path = "/components/schemas".into();
            s.meta_schema = None;
        })
        .into_generator()
}

/// The same for what the handlers write (answers): serde's serialize side, where a
/// field with a default is always there and one skipped when empty may be missing.
fn answer_generator() -> SchemaGenerator {
    SchemaSettings::draft2020_12()
        .with(|s| {
            s.definitions_path = "/components/schemas".into();
            s.meta_schema = None;
        })
        .for_serialize()
        .into_generator()
}

/// What the document says about one operation.
#[derive(Debug, Clone)]
pub(crate) struct Op {
    pub method: &'static str,
    pub path: &'static str,
    pub id: &'static str,
    pub tag: &'static str,
    pub summary: Cow<'static, str>,
    pub access: Access,
    /// A paged, filterable, sortable list.
    pub list: bool,
    /// The JSON body's schema, made from the type the handler deserializes it into.
    pub body: Option<BodySchema>,
    /// The JSON body may be left out (the handler reads an empty body as the default).
    pub body_optional: bool,
    /// What the JSON body is, beyond its schema.
    pub body_description: Option<&'static str>,
    /// The body is CSV text (`text/csv`).
    pub csv: bool,
    /// The body is a file of any type, streamed.
    pub file_body: bool,
    /// The success answer is a download, not JSON: the media types it can have (the
    /// `format` query chooses among them; `*/*` for files stored as uploaded).
    pub file: &'static [&'static str],
    /// The success status.
    pub ok: u16,
    /// The JSON answer's schema, made from the type the handler serializes.
    pub answer: Option<BodySchema>,
}

impl Op {
    pub const fn new(
        method: &'static str,
        path: &'static str,
        id: &'static str,
        tag: &'static str,
        summary: &'static str,
    ) -> Op {
        Op {
            method,
            path,
            id,
            tag,
            summary: Cow::Borrowed(summary),
            access: Access::Member,
            list: false,
            body: None,
            body_optional: false,
            body_description: None,
            csv: false,
            file_body: false,
            file: &[],
            ok: 200,
            answer: None,
        }
    }
    /// The same with a summary made at run time.
    pub fn described(mut self, summary: String) -> Op {
        self.summary = Cow::Owned(summary);
        self
    }
    /// The body is JSON read into `T`: the document shows `T`'s JSON Schema, so it
    /// says what the handler accepts (required fields, enums, formats, and
    /// `additionalProperties: false` where unknown fields are refused).
    pub fn body_type<T: JsonSchema>(mut self) -> Op {
        self.body = Some(schema_of::<T>);
        self
    }
    /// The success answer is `T` as JSON: the document shows `T`'s JSON Schema (as
    /// serialized), so clients know what they get and fuzzing checks it.
    pub fn answers<T: JsonSchema>(mut self) -> Op {
        self.answer = Some(schema_of::<T>);
        self
    }
    /// The success answer is a page of `T`s (see [`super::list`]).
    pub fn answers_page<T: JsonSchema>(mut self) -> Op {
        self.answer = Some(schema_of::<super::list::Page<T>>);
        self
    }
    /// The JSON body may be left out.
    pub const fn body_optional(mut self) -> Op {
        self.body_optional = true;
        self
    }
    /// What the JSON body is, beyond its schema.
    pub const fn body_description(mut self, description: &'static str) -> Op {
        self.body_description = Some(description);
        self
    }
    pub const fn csv(mut self) -> Op {
        self.csv = true;
        self
    }
    pub const fn file_body(mut self) -> Op {
        self.file_body = true;
        self
    }
    /// The answer is a file stored as uploaded, of whatever media type it had.
    pub const fn file(mut self) -> Op {
        self.file = &["*/*"];
        self
    }
    /// The answer is a generated document in one of these media types.
    pub const fn exports(mut self, media: &'static [&'static str]) -> Op {
        self.file = media;
        self
    }
    pub const fn access(mut self, a: Access) -> Op {
        self.access = a;
        self
    }
    pub const fn list(mut self) -> Op {
        self.list = true;
        self
    }
    pub const fn ok(mut self, status: u16) -> Op {
        self.ok = status;
        self
    }
}

/// The API router and the operations added to it.
#[derive(Default)]
pub(crate) struct Api {
    router: Router<AppState>,
    ops: Vec<Op>,
}

impl Api {
    /// Adds one operation: its handler (for `op.method`) and its documentation.
    pub fn op(mut self, op: Op, handler: MethodRouter<AppState>) -> Api {
        self.router = self.router.route(op.path, handler);
        self.ops.push(op);
        self
    }

    /// Combines two sets of operations.
    pub fn merge(mut self, other: Api) -> Api {
        self.router = self.router.merge(other.router);
        self.ops.extend(other.ops);
        self
    }

    /// The router and the operations.
    pub fn into_parts(self) -> (Router<AppState>, Vec<Op>) {
        (self.router, self.ops)
    }
}

fn path_params(path: &str) -> Vec<&str> {
    path.split('/').filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}'))).collect()
}

fn operation(op: &Op, generator: &mut SchemaGenerator, answers: &mut SchemaGenerator) -> Value {
    let mut params: Vec<Value> = path_params(op.path)
        .into_iter()
        .map(|p| json!({ "name": p, "in": "path", "required": true, "schema": { "type": "string" } }))
        .collect();
    if op.list {
        params.push(json!({ "name": "limit", "in": "query", "description": "Items per page (1 to 500, default 50).", "schema": { "type": "integer", "minimum": 1, "maximum": 500 } }));
        params.push(json!({ "name": "offset", "in": "query", "description": "Items to skip.", "schema": { "type": "integer", "minimum": 0 } }));
        params.push(json!({ "name": "sort", "in": "query", "description": "A field name; prefix with - for descending.", "schema": { "type": "string" } }));
    }
    let success = if op.ok == 204 {
        json!({ "description": "Done; no content." })
    } else if !op.file.is_empty() {
        let content: Map<String, Value> = op
            .file
            .iter()
            .map(|m| ((*m).to_owned(), json!({ "schema": { "type": "string", "format": "binary" } })))
            .collect();
        json!({ "description": "The document, as a download.", "content": content })
    } else {
        let schema = op.answer.map_or_else(
            || json!({ "type": "object" }),
            |schema| {
                let mut schema = schema(answers).to_value();
                plain_enums(&mut schema);
                plain_tuples(&mut schema);
                schema
            },
        );
        json!({ "description": "Success.", "content": { "application/json": { "schema": schema } } })
    };
    let mut o = json!({
        "operationId": op.id,
        "tags": [op.tag],
        "summary": op.summary,
        "responses": {
            op.ok.to_string(): success,
            "default": { "description": "An error (RFC 9457).", "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } } }
        }
    });
    if !params.is_empty() {
        o["parameters"] = Value::Array(params);
    }
    o["security"] = match op.access {
        Access::Public => json!([]),
        Access::Session => json!([{ "session": [] }]),
        Access::Member => json!([{ "session": [] }, { "bearer": [] }]),
    };
    if op.file_body {
        o["requestBody"] = json!({
            "required": true,
            "content": { "application/octet-stream": { "schema": { "type": "string", "format": "binary", "description": "The file; any media type is accepted and recorded." } } }
        });
    }
    if op.csv {
        o["requestBody"] = json!({
            "required": true,
            "content": { "text/csv": { "schema": { "type": "string", "description": "A header row, then one row per record." } } }
        });
    }
    if let Some(schema) = op.body {
        let mut schema = schema(generator).to_value();
        plain_enums(&mut schema);
        let mut body = json!({
            "required": !op.body_optional,
            "content": { "application/json": { "schema": schema } }
        });
        if let Some(description) = op.body_description {
            body["description"] = json!(description);
        }
        o["requestBody"] = body;
    }
    o
}

/// The OpenAPI 3.1 document of `ops`.
pub(crate) fn openapi(ops: &[Op]) -> Value {
    let mut generator = generator();
    let mut answers = answer_generator();
    let mut paths = Map::new();
    for op in ops {
        let entry = paths.entry(op.path.to_owned()).or_insert_with(|| json!({}));
        entry[op.method] = operation(op, &mut generator, &mut answers);
    }
    let mut schemas = generator.take_definitions(true);
    schemas.values_mut().for_each(plain_enums);
    let mut answer_schemas = answers.take_definitions(true);
    answer_schemas.values_mut().for_each(plain_enums);
    answer_schemas.values_mut().for_each(plain_tuples);
    let renamed = answer_names(&schemas, &mut answer_schemas);
    for op in paths.values_mut().filter_map(Value::as_object_mut).flat_map(|p| p.values_mut()) {
        if let Some(responses) = op.get_mut("responses") {
            rename_refs(responses, &renamed);
        }
    }
    for (name, schema) in answer_schemas {
        schemas.entry(name).or_insert(schema);
    }
    let ours = schemas.insert("Problem".to_owned(), problem_schema());
    debug_assert!(ours.is_none(), "a request body type is named Problem");
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "isms API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "The JSON API of isms, an Information Security Management System. Sign in with POST /api/v1/session (cookie + x-csrf-token on state changes) or send an API token as Authorization: Bearer.",
            "license": { "name": "Apache-2.0", "identifier": "Apache-2.0" }
        },
        "servers": [{ "url": "/" }],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "session": { "type": "apiKey", "in": "cookie", "name": crate::auth::SESSION_COOKIE },
                "bearer": { "type": "http", "scheme": "bearer", "description": "An API token (isms_…) from POST /api/v1/tokens." }
            },
            "schemas": schemas
        }
    })
}

/// Types written in answers share a name (and a schema) with the types read in bodies
/// when both sides serialize alike; a type whose answer differs (a field with a
/// default that is always written, one skipped when empty, a field only written) is
/// shown as `<Name>Answer`. Renames `answers`' own references and answers the renames.
fn answer_names(read: &Map<String, Value>, answers: &mut Map<String, Value>) -> Map<String, Value> {
    let mut renamed = Map::new();
    loop {
        let before = renamed.len();
        for (name, schema) in answers.iter() {
            if renamed.contains_key(name) {
                continue;
            }
            let mut schema = schema.clone();
            rename_refs(&mut schema, &renamed);
            if read.get(name).is_some_and(|r| *r != schema) {
                renamed.insert(name.clone(), json!(format!("{name}Answer")));
            }
        }
        if renamed.len() == before {
            break;
        }
    }
    let old = std::mem::take(answers);
    for (name, mut schema) in old {
        rename_refs(&mut schema, &renamed);
        let name = renamed.get(&name).and_then(Value::as_str).map_or(name.clone(), ToOwned::to_owned);
        answers.insert(name, schema);
    }
    renamed
}

/// Points `$ref`s to renamed component schemas at their new names.
fn rename_refs(schema: &mut Value, renamed: &Map<String, Value>) {
    match schema {
        Value::Object(o) => {
            if let Some(Value::String(r)) = o.get_mut("$ref")
                && let Some(new) = r.strip_prefix("#/components/schemas/").and_then(|n| renamed.get(n))
                && let Some(new) = new.as_str()
            {
                *r = format!("#/components/schemas/{new}");
            }
            o.values_mut().for_each(|v| rename_refs(v, renamed));
        }
        Value::Array(items) => items.iter_mut().for_each(|v| rename_refs(v, renamed)),
        _ => {}
    }
}

/// RFC 9457 problem details, as every error answers.
fn problem_schema() -> Value {
    json!({
        "type": "object",
        "description": format!("RFC 9457 problem details; `type` is {PROBLEM_BASE}<code>."),
        "properties": {
            "type": { "type": "string" },
            "title": { "type": "string" },
            "status": { "type": "integer" },
            "detail": { "type": "string" },
            "code": { "type": "string" },
            "errors": { "type": "array", "items": { "type": "object", "properties": { "field": { "type": "string" }, "message": { "type": "string" } } } }
        },
        "required": ["type", "title", "status", "detail", "code"]
    })
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    fn refs<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
        match v {
            Value::Object(o) => {
                if let Some(r) = o.get("$ref").and_then(Value::as_str) {
                    out.push(r);
                }
                o.values().for_each(|c| refs(c, out));
            }
            Value::Array(items) => items.iter().for_each(|c| refs(c, out)),
            _ => {}
        }
    }

    #[test]
    fn answer_types_that_differ_from_body_types_are_renamed_with_what_refers_to_them() {
        use serde_json::{Map, json};
        let read: Map<String, Value> = serde_json::from_value(json!({
            "Same": { "type": "string" },
            "Differs": { "type": "object", "properties": { "id": { "type": "string" } } },
            "Holder": { "type": "object", "properties": { "d": { "$ref": "#/components/schemas/Differs" } } }
        }))
        .unwrap();
        let mut answers: Map<String, Value> = serde_json::from_value(json!({
            "Same": { "type": "string" },
            "Differs": { "type": "object", "properties": { "id": { "type": "string" } }, "required": ["id"] },
            "Holder": { "type": "object", "properties": { "d": { "$ref": "#/components/schemas/Differs" } } },
            "New": { "$ref": "#/components/schemas/Holder" }
        }))
        .unwrap();
        let renamed = super::answer_names(&read, &mut answers);
        assert_eq!(renamed.keys().collect::<Vec<_>>(), ["Differs", "Holder"], "a holder of a renamed type differs too");
        let names: Vec<&String> = answers.keys().collect();
        assert_eq!(names, ["DiffersAnswer", "HolderAnswer", "New", "Same"]);
        assert_eq!(answers["HolderAnswer"]["properties"]["d"]["$ref"], "#/components/schemas/DiffersAnswer");
        assert_eq!(answers["New"]["$ref"], "#/components/schemas/HolderAnswer");
    }

    #[test]
    fn every_schema_reference_resolves_and_no_two_types_share_a_name() {
        let doc = crate::api::openapi_document();
        let schemas = doc["components"]["schemas"].as_object().unwrap();
        let mut found = Vec::new();
        refs(&doc, &mut found);
        assert!(found.len() > 20, "{found:?}");
        for r in found {
            let name = r.strip_prefix("#/components/schemas/").unwrap_or_else(|| panic!("{r}"));
            assert!(schemas.contains_key(name), "{r} points nowhere");
        }
        // schemars names a second type of the same name `Name2`: rename one of them.
        for name in schemas.keys() {
            let base = name.trim_end_matches(|c: char| c.is_ascii_digit());
            assert!(base == name || !schemas.contains_key(base), "{name} and {base} are two types of one name");
        }
        // Documented unit enums are shown as plain enums.
        assert_eq!(schemas["TreatmentOption"]["enum"], serde_json::json!(["modify", "retain", "avoid", "share"]));
        assert!(schemas["TreatmentOption"].get("oneOf").is_none());
        assert!(schemas["Estimate"]["oneOf"].is_array(), "tagged enums keep their alternatives");
        // Answers have the schemas of the types the handlers write.
        let risk =
            &doc["paths"]["/api/v1/risks/{id}"]["get"]["responses"]["200"]["content"]["application/json"]["schema"];
        assert!(risk["required"].as_array().unwrap().iter().any(|f| f == "residual_level"), "{risk}");
        assert!(risk["properties"]["fair"].is_object(), "the flattened risk's fields are there: {risk}");
        let page = &doc["paths"]["/api/v1/risks"]["get"]["responses"]["200"]["content"]["application/json"]["schema"];
        assert_eq!(page["required"], serde_json::json!(["items", "total", "limit", "offset"]));
        assert_eq!(page["properties"]["items"]["items"]["$ref"], "#/components/schemas/RiskView");
    }
}
