//! Off-site copies: what the vendor guide asks of a backup that leaves the
//! building, as reusable pieces the executor and the CLI put together.
//!
//! - [`crate::inventory::offsite_names`] (there because the scanner reads it too): how
//!   a backup is stored in a target's staging folder and on its remote (`NAME`,
//!   `NAME.age`, `NAME.tar.age`).
//! - [`encrypt`]: streaming age encryption to the policy's recipients, hashing
//!   plaintext and ciphertext in the same pass (the private key is never needed
//!   on the server).
//! - [`bundle`]: a directory bundle as one tar stream (written in content-hash
//!   order, so the stream is deterministic) and its safe restoration.
//! - [`identity`] and [`decrypt`]: restoring an encrypted copy with an identity
//!   file (plain or passphrase-protected), with clear errors for a wrong key, a
//!   truncated file and a tampered file.
//! - [`rclone`]: a small client for the `rclone` program (upload, list with
//!   hashes, delete), with errors that tell "network down, try again" from
//!   "something is wrong".
//! - [`remote`]: the upload-then-verify procedure built on it: which hash both
//!   sides can compute, and the check of size and hash after `copyto`.
//! - [`survey`]: the look at a remote before each `apply`: copies the catalog
//!   counts that are missing or damaged there, with a rolling hash re-check.
//! - [`environment`]: what `rota check` says about the machine (no rclone
//!   program, an unreadable recipients file); `apply` makes these errors for
//!   the targets it acts on.
//!
//! Nothing here decides what to copy or delete (that is the planner's job), and
//! nothing here ever writes outside the paths it is handed.

pub mod bundle;
pub mod decrypt;
pub mod encrypt;
pub mod environment;
pub mod identity;
pub mod rclone;
pub mod remote;
pub mod survey;
