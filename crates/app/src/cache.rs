//! What this process keeps of organizations' data between requests: decoded
//! registers and control records, each kept with the organization's data version
//! ([`isms_store::OrgRead::data_version`]) it was read at. A read asks the database
//! for the version first (one small query) and uses what is kept only when it is the
//! same, so a write through any replica is seen at once by every other; nothing here
//! needs to be told about writes.

use std::any::Any;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use isms_domain::OrgId;

/// Most values kept at once (organizations × kinds); past it, the oldest read goes.
const MAX_SLOTS: usize = 512;

struct Slot {
    version: i64,
    value: Arc<dyn Any + Send + Sync>,
    used: u64,
}

/// The slots, with a counter of uses (the oldest use is dropped first).
type Slots = (u64, HashMap<(OrgId, &'static str), Slot>);

/// Values read at a data version, per organization and key.
#[derive(Default)]
pub struct ReadCache {
    slots: Mutex<Slots>,
}

impl std::fmt::Debug for ReadCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kept = self.slots.lock().map(|s| s.1.len()).unwrap_or_default();
        f.debug_struct("ReadCache").field("kept", &kept).finish()
    }
}

impl ReadCache {
    /// The value kept for `key` in `org` when it was read at `version`.
    fn get<T: Any + Send + Sync>(&self, org: OrgId, key: &'static str, version: i64) -> Option<Arc<T>> {
        let mut guard = self.slots.lock().ok()?;
        let (clock, slots) = &mut *guard;
        *clock += 1;
        let slot = slots.get_mut(&(org, key)).filter(|s| s.version == version)?;
        slot.used = *clock;
        slot.value.clone().downcast::<T>().ok()
    }

    /// Keeps `value`, read at `version`, for `key` in `org`.
    fn put<T: Any + Send + Sync>(&self, org: OrgId, key: &'static str, version: i64, value: Arc<T>) {
        let Ok(mut guard) = self.slots.lock() else { return };
        let (clock, slots) = &mut *guard;
        *clock += 1;
        if slots.len() >= MAX_SLOTS
            && !slots.contains_key(&(org, key))
            && let Some(oldest) = slots.iter().min_by_key(|(_, s)| s.used).map(|(k, _)| *k)
        {
            slots.remove(&oldest);
        }
        // A slower reader of an older version does not replace a newer value.
        if slots.get(&(org, key)).is_some_and(|s| s.version > version) {
            return;
        }
        slots.insert((org, key), Slot { version, value, used: *clock });
    }
}

/// What `make` computes for `org`, kept while the organization's data version stays the
/// same: the version is read first, so a value is never kept under a newer version than
/// the data it was made from.
pub(crate) async fn kept<T, F, Fut>(cx: &crate::Cx, org: OrgId, key: &'static str, make: F) -> crate::AppResult<Arc<T>>
where
    T: Any + Send + Sync,
    F: FnOnce() -> Fut,
    Fut: Future<Output = crate::AppResult<T>>,
{
    let version = cx.read().await?.data_version(org).await?;
    if let Some(value) = cx.cache.get::<T>(org, key, version) {
        return Ok(value);
    }
    let value = Arc::new(make().await?);
    cx.cache.put(org, key, version, value.clone());
    Ok(value)
}

/// [`kept`] for a value that also depends on the day (what is due, overdue, lapsed).
pub(crate) async fn kept_today<T, F, Fut>(
    cx: &crate::Cx,
    org: OrgId,
    key: &'static str,
    make: F,
) -> crate::AppResult<Arc<T>>
where
    T: Any + Send + Sync,
    F: FnOnce() -> Fut,
    Fut: Future<Output = crate::AppResult<T>>,
{
    let today = cx.clock.today();
    let version = cx.read().await?.data_version(org).await?;
    if let Some(value) = cx.cache.get::<(time::Date, Arc<T>)>(org, key, version)
        && value.0 == today
    {
        return Ok(value.1.clone());
    }
    let value = Arc::new(make().await?);
    cx.cache.put(org, key, version, Arc::new((today, value.clone())));
    Ok(value)
}
