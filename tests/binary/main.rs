//! Tests of the `infograph` binary, one test binary: its admin commands, and two instances
//! scaling out on one PostgreSQL database.

mod cli;
mod running;
mod scale_out;
