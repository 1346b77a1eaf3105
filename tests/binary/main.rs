//! Tests of the `infograph` binary, one test binary: its admin commands, a backup taken under
//! load and restored, and two instances scaling out on one PostgreSQL database.

mod backup;
mod cli;
mod logs;
mod models;
mod modes;
mod running;
mod scale_out;
mod shutdown;
mod unit;
