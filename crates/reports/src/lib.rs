//! isms-reports: documents made from read models, for auditors and spreadsheets.
//! Every writer takes the data and returns bytes or writes to `impl Write`; none
//! touches the store.

pub mod ics;
pub mod risk;
pub mod soa;
pub mod table;
