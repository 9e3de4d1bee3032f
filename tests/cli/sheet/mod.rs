//! `rota sheet`: the text and Markdown sheets, and the HTML sheet printed by a
//! real browser.

mod browser;
mod command;
