//! What is where: backups in the source folder, labelled disks and their copies,
//! the server's catalog of disks as last seen. The model is plain data; scanning,
//! labels, manifests and the catalog are the only readers of the filesystem
//! besides the executor, and nothing here ever deletes or moves a backup.

pub mod accepted;
pub mod atomic;
pub mod catalog;
pub mod device;
mod entry_kind;
mod fingerprint;
pub mod freshness;
pub mod fsinfo;
mod glob;
pub mod inodes;
pub mod json_lines;
pub mod label;
pub mod layout;
pub mod manifest;
pub mod media_log;
mod model;
mod mount_search;
pub mod offsite_names;
pub mod provenance;
pub mod restore_log;
mod scan;
pub mod state_file;
pub mod volumes;

pub use catalog::{Catalog, CatalogError};
pub use entry_kind::EntryKind;
pub use fingerprint::{BundleTally, Fingerprint};
pub use fsinfo::Space;
pub use label::{DiskLabel, LabelError, read_label, write_label};
pub use manifest::{Manifest, ManifestError};
pub use model::*;
pub use mount_search::mount_candidates;
pub use scan::look_at_capture;
pub use scan::{bundle_size, fingerprint_of, scan, scan_loading_catalog, scan_with_catalog};
pub use state_file::StateFileError;
pub use volumes::UnlabelledVolume;
