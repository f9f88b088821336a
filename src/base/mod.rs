//! What every stage shares and nothing of the project's own: this module imports no other
//! module of planpress, so that the stages after it import it and it imports none of them.

pub mod files;
