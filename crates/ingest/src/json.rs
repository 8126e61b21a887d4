//! Streaming over a JSON array of records, at the top level or under one key of the
//! top-level object, one element at a time: a file of any size is read with flat
//! memory. Errors name the element (`results[17]`) with serde's line and column.

use std::cell::{Cell, RefCell};
use std::fmt;
use std::io::BufRead;
use std::marker::PhantomData;

use serde::de::{self, DeserializeOwned, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use crate::IngestError;

/// What the walk keeps while it runs: where it is, and why it stopped.
pub(crate) struct Walk {
    pub file: String,
    pub at: RefCell<String>,
    pub stopped: RefCell<Option<String>>,
    pub index: Cell<usize>,
}

impl Walk {
    pub(crate) fn new(file: &str) -> Walk {
        Walk {
            file: file.to_owned(),
            at: RefCell::new(String::new()),
            stopped: RefCell::new(None),
            index: Cell::new(0),
        }
    }

    /// The error for a serde error at the current place (or the stop the sink asked for).
    pub(crate) fn error(&self, e: &serde_json::Error) -> IngestError {
        if let Some(message) = self.stopped.borrow_mut().take() {
            return IngestError::Stopped { file: self.file.clone(), message };
        }
        let at = self.at.borrow();
        let place = if at.is_empty() { "the document".to_owned() } else { at.clone() };
        let message = e.to_string();
        let message = message.split(" at line ").next().unwrap_or(&message).to_owned();
        let message = if e.is_eof() { format!("{message} (the file is cut short)") } else { message };
        IngestError::Malformed {
            file: self.file.clone(),
            element: format!("{place} (line {}, column {})", e.line(), e.column()),
            message,
        }
    }
}

/// Reads `input` and hands each element of the records array to `each`: the
/// top-level array, or the array under `key` of the top-level object (whose other
/// members go to `other`, as values; a top-level object without `key` is one record
/// when `key` is `None`).
pub(crate) fn records<T: DeserializeOwned>(
    walk: &Walk,
    input: Box<dyn BufRead + '_>,
    key: Option<&'static str>,
    each: &mut dyn FnMut(T) -> Result<(), String>,
    other: &mut dyn FnMut(&str, Value),
) -> Result<bool, IngestError> {
    let mut de = serde_json::Deserializer::from_reader(std::io::BufReader::with_capacity(64 * 1024, input));
    let seen = de::Deserializer::deserialize_any(&mut de, Top::<T> { walk, key, each, other, _t: PhantomData })
        .map_err(|e| walk.error(&e))?;
    de.end().map_err(|e| walk.error(&e))?;
    Ok(seen)
}

struct Top<'w, 'f, T> {
    walk: &'w Walk,
    key: Option<&'static str>,
    each: &'f mut dyn FnMut(T) -> Result<(), String>,
    other: &'f mut dyn FnMut(&str, Value),
    _t: PhantomData<T>,
}

impl<'de, T: DeserializeOwned> Visitor<'de> for Top<'_, '_, T> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.key {
            Some(k) => write!(f, "an object with an array {k:?}, or an array"),
            None => f.write_str("an array of records, or one record"),
        }
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<bool, A::Error> {
        Elements { walk: self.walk, prefix: "", each: self.each, _t: PhantomData }.visit_seq(seq)?;
        Ok(true)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
        let Some(key) = self.key else {
            // One record: gather it, then read it as a record.
            let mut object = serde_json::Map::new();
            while let Some(k) = map.next_key::<String>()? {
                *self.walk.at.borrow_mut() = k.clone();
                let v: Value = map.next_value()?;
                object.insert(k, v);
            }
            *self.walk.at.borrow_mut() = "the record".to_owned();
            let record = T::deserialize(Value::Object(object)).map_err(de::Error::custom)?;
            if let Err(m) = (self.each)(record) {
                *self.walk.stopped.borrow_mut() = Some(m);
                return Err(de::Error::custom("stopped"));
            }
            return Ok(true);
        };
        let mut seen = false;
        while let Some(k) = map.next_key::<String>()? {
            *self.walk.at.borrow_mut() = k.clone();
            if k == key {
                map.next_value_seed(Elements { walk: self.walk, prefix: key, each: &mut *self.each, _t: PhantomData })?;
                seen = true;
            } else {
                let v: Value = map.next_value()?;
                (self.other)(&k, v);
            }
        }
        Ok(seen)
    }
}

struct Elements<'w, 'f, T> {
    walk: &'w Walk,
    prefix: &'static str,
    each: &'f mut dyn FnMut(T) -> Result<(), String>,
    _t: PhantomData<T>,
}

impl<'de, T: DeserializeOwned> DeserializeSeed<'de> for Elements<'_, '_, T> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de, T: DeserializeOwned> Visitor<'de> for Elements<'_, '_, T> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of records")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut i = 0usize;
        loop {
            *self.walk.at.borrow_mut() = format!("{}[{i}]", self.prefix);
            self.walk.index.set(i);
            let Some(record) = seq.next_element::<T>()? else { break };
            if let Err(m) = (self.each)(record) {
                *self.walk.stopped.borrow_mut() = Some(m);
                return Err(de::Error::custom("stopped"));
            }
            i += 1;
        }
        *self.walk.at.borrow_mut() = String::new();
        Ok(())
    }
}
