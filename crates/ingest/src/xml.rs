//! A small streaming XML reader over quick-xml: elements by namespace and local name
//! (prefixes differ between files of the same format), text with its references
//! resolved, and the element path and byte offset for error messages.

use std::collections::HashMap;
use std::io::BufRead;

use quick_xml::NsReader;
use quick_xml::XmlVersion;
use quick_xml::events::Event;
use quick_xml::name::ResolveResult;

use crate::IngestError;

/// What the reader met.
#[derive(Debug)]
pub(crate) enum Ev {
    /// An element opens (`empty`: it also closes, `<a/>`).
    Start { ns: String, name: String, attrs: Vec<(String, String)>, empty: bool },
    /// The element last opened closes.
    End,
    /// A piece of text.
    Text(String),
    /// The end of the file.
    Eof,
}

/// How deep elements may nest: result files nest a dozen levels; more is hostile.
const MAX_DEPTH: usize = 256;
/// The most text kept of one element (a test's failure output can be long).
const MAX_TEXT: usize = 64 * 1024;

pub(crate) struct Xml<'a> {
    reader: NsReader<Box<dyn BufRead + 'a>>,
    buf: Vec<u8>,
    file: String,
    /// The open elements, each with how many children of each name it has had.
    path: Vec<(String, HashMap<String, usize>)>,
    top: HashMap<String, usize>,
}

impl<'a> Xml<'a> {
    pub(crate) fn new(file: &str, input: Box<dyn BufRead + 'a>) -> Xml<'a> {
        Xml {
            reader: NsReader::from_reader(input),
            buf: Vec::new(),
            file: file.to_owned(),
            path: Vec::new(),
            top: HashMap::new(),
        }
    }

    /// Where the reader is: `Benchmark/TestResult/rule-result[3] (byte 1200)`.
    pub(crate) fn here(&self) -> String {
        let names: Vec<&str> = self.path.iter().map(|(n, _)| n.as_str()).collect();
        let path = if names.is_empty() { "the document".to_owned() } else { names.join("/") };
        format!("{path} (byte {})", self.reader.buffer_position())
    }

    pub(crate) fn malformed(&self, message: impl Into<String>) -> IngestError {
        IngestError::Malformed { file: self.file.clone(), element: self.here(), message: message.into() }
    }

    fn label(&mut self, name: &str) -> String {
        let counts = match self.path.last_mut() {
            Some((_, c)) => c,
            None => &mut self.top,
        };
        let n = counts.entry(name.to_owned()).or_insert(0);
        *n += 1;
        if *n == 1 { name.to_owned() } else { format!("{name}[{n}]") }
    }

    pub(crate) fn next(&mut self) -> Result<Ev, IngestError> {
        loop {
            self.buf.clear();
            let (ns, event) = match self.reader.read_resolved_event_into(&mut self.buf) {
                Ok(found) => found,
                Err(e) => {
                    let message = format!("not well-formed XML: {e}");
                    return Err(IngestError::Malformed { file: self.file.clone(), element: self.here(), message });
                }
            };
            let ns = match ns {
                ResolveResult::Bound(n) => String::from_utf8_lossy(n.as_ref()).into_owned(),
                _ => String::new(),
            };
            match event {
                Event::Start(e) => {
                    let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                    let attrs = attributes(&e);
                    let label = self.label(&name);
                    self.path.push((label, HashMap::new()));
                    if self.path.len() > MAX_DEPTH {
                        return Err(self.malformed(format!("elements nest deeper than {MAX_DEPTH}")));
                    }
                    return Ok(Ev::Start { ns, name, attrs, empty: false });
                }
                Event::Empty(e) => {
                    let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                    let attrs = attributes(&e);
                    self.label(&name);
                    return Ok(Ev::Start { ns, name, attrs, empty: true });
                }
                Event::End(_) => {
                    self.path.pop();
                    return Ok(Ev::End);
                }
                Event::Text(t) => {
                    let decoded = t.xml10_content().map(|c| c.into_owned()).map_err(|e| e.to_string());
                    let text = decoded.map_err(|e| self.malformed(format!("text cannot be decoded: {e}")))?;
                    if !text.is_empty() {
                        return Ok(Ev::Text(text));
                    }
                }
                Event::CData(t) => {
                    let decoded = t.decode().map(|c| c.into_owned()).map_err(|e| e.to_string());
                    let text = decoded.map_err(|e| self.malformed(format!("CDATA cannot be decoded: {e}")))?;
                    return Ok(Ev::Text(text));
                }
                Event::GeneralRef(r) => {
                    let char_ref = r.resolve_char_ref().map_err(|e| e.to_string());
                    let name = r.decode().map(|c| c.into_owned()).map_err(|e| e.to_string());
                    let resolved = match char_ref {
                        Ok(Some(c)) => c.to_string(),
                        Ok(None) => {
                            let name = name.map_err(|e| self.malformed(e))?;
                            match name.as_str() {
                                "lt" => "<".to_owned(),
                                "gt" => ">".to_owned(),
                                "amp" => "&".to_owned(),
                                "apos" => "'".to_owned(),
                                "quot" => "\"".to_owned(),
                                other => format!("&{other};"),
                            }
                        }
                        Err(e) => return Err(self.malformed(format!("a bad character reference: {e}"))),
                    };
                    return Ok(Ev::Text(resolved));
                }
                Event::Eof => {
                    if !self.path.is_empty() {
                        return Err(self.malformed("the file ends before its elements close (cut short?)"));
                    }
                    return Ok(Ev::Eof);
                }
                _ => {}
            }
        }
    }

    /// Reads the text of the element just opened, up to its end (children's text
    /// included).
    pub(crate) fn text(&mut self) -> Result<String, IngestError> {
        let mut depth = 1;
        let mut out = String::new();
        while depth > 0 {
            match self.next()? {
                Ev::Start { empty: false, .. } => depth += 1,
                Ev::Start { .. } => {}
                Ev::End => depth -= 1,
                Ev::Text(t) if out.len() < MAX_TEXT => out.push_str(&t),
                Ev::Text(_) => {}
                Ev::Eof => return Err(self.malformed("the file ends inside an element")),
            }
        }
        Ok(out.trim().to_owned())
    }

    /// Skips the rest of the element just opened.
    pub(crate) fn skip(&mut self) -> Result<(), IngestError> {
        self.text().map(drop)
    }
}

fn attributes(e: &quick_xml::events::BytesStart<'_>) -> Vec<(String, String)> {
    e.attributes()
        .flatten()
        .map(|a| {
            let key = String::from_utf8_lossy(a.key.local_name().as_ref()).into_owned();
            let value = a
                .normalized_value(XmlVersion::Implicit1_0)
                .map(|v| v.into_owned())
                .unwrap_or_else(|_| String::from_utf8_lossy(&a.value).into_owned());
            (key, value)
        })
        .collect()
}

/// The value of attribute `name`.
pub(crate) fn attr<'v>(attrs: &'v [(String, String)], name: &str) -> Option<&'v str> {
    attrs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// The local name of the root element of an XML text's beginning.
pub(crate) fn root_name(text: &str) -> Option<String> {
    let mut rest = text;
    loop {
        let at = rest.find('<')?;
        rest = &rest[at + 1..];
        if rest.starts_with('?') || rest.starts_with('!') {
            continue;
        }
        let name: String = rest.chars().take_while(|c| !c.is_whitespace() && *c != '>' && *c != '/').collect();
        return Some(name.rsplit(':').next().unwrap_or(&name).to_owned());
    }
}
