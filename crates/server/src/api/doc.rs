//! The API's routes and its OpenAPI 3.1 document come from one list: an API route can
//! only be added through [`Api::op`], which records what the document says about it.
//! So the document lists every route the server exposes, by construction; a product
//! test calls each documented operation, and CI validates the document.

use std::borrow::Cow;

use axum::Router;
use axum::routing::MethodRouter;
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
    /// Fields of the JSON body: (name, JSON type, required, description).
    pub body: &'static [(&'static str, &'static str, bool, &'static str)],
    /// The body is a whole resource as GET answers it (described here), instead of
    /// the `body` fields.
    pub entity: Option<&'static str>,
    /// The body is CSV text (`text/csv`).
    pub csv: bool,
    /// The body is a file of any type, streamed.
    pub file_body: bool,
    /// The success answer is a download, not JSON: the media types it can have (the
    /// `format` query chooses among them; `*/*` for files stored as uploaded).
    pub file: &'static [&'static str],
    /// The success status.
    pub ok: u16,
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
            body: &[],
            entity: None,
            csv: false,
            file_body: false,
            file: &[],
            ok: 200,
        }
    }
    /// The same with a summary made at run time.
    pub fn described(mut self, summary: String) -> Op {
        self.summary = Cow::Owned(summary);
        self
    }
    pub const fn entity(mut self, description: &'static str) -> Op {
        self.entity = Some(description);
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
    pub const fn body(mut self, b: &'static [(&'static str, &'static str, bool, &'static str)]) -> Op {
        self.body = b;
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

fn operation(op: &Op) -> Value {
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
        json!({ "description": "Success.", "content": { "application/json": { "schema": { "type": "object" } } } })
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
    if let Some(description) = op.entity {
        o["requestBody"] = json!({
            "required": true,
            "content": { "application/json": { "schema": { "type": "object", "description": description } } }
        });
    }
    if !op.body.is_empty() {
        let mut props = Map::new();
        let mut required = Vec::new();
        for (name, kind, req, description) in op.body {
            props.insert((*name).to_owned(), json!({ "type": kind, "description": description }));
            if *req {
                required.push(*name);
            }
        }
        o["requestBody"] = json!({
            "required": true,
            "content": { "application/json": { "schema": { "type": "object", "properties": props, "required": required } } }
        });
    }
    o
}

/// The OpenAPI 3.1 document of `ops`.
pub(crate) fn openapi(ops: &[Op]) -> Value {
    let mut paths = Map::new();
    for op in ops {
        let entry = paths.entry(op.path.to_owned()).or_insert_with(|| json!({}));
        entry[op.method] = operation(op);
    }
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
            "schemas": {
                "Problem": {
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
                }
            }
        }
    })
}
