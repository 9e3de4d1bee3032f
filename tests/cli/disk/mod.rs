//! Disks: `rota disk init|list|retire`, media accountability, encrypted disks
//! and the volumes the disks live on.

mod commands;
mod encryption;
mod media;
mod volume_encryption;
mod volumes;
