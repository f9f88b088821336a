//! What every stage shares and nothing of the project's own: this module imports no other
//! module of planpress, so that the stages after it import it and it imports none of them.

pub mod diagnostics;
pub mod files;
pub mod hash;
pub mod numbering;
pub mod program;
pub mod roc;
pub mod routes;
