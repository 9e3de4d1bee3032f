//! A new office: `rota init`, `rota demo`, the first week and the first month.

mod demo;
mod first_week;
mod init;
mod init_to_a_month;
