//! Where a copy's trust comes from (safety invariant 14): from rota's own
//! record, never from what a disk says about itself.
//!
//! A disk's manifest travels with the disk: anyone can edit it, and a disk
//! from elsewhere brings its own. The server's catalog records every copy rota
//! wrote and verified, as it wrote it. So a manifest entry counts as a copy
//! only when the catalog recorded the same copy (same size, hash and source
//! fingerprint). An entry that disagrees with the catalog is no copy at all
//! (`unverified-copy`: never counted, never deleted). An entry the catalog has
//! no record of (a rebuilt server, a catalog moved aside) holds its backup but
//! justifies no deletion until rota has re-read the copy and found the
//! source's hash (the copy step adopts it then).
//!
//! Pure: two sets of records in, a verdict out.

use std::collections::{BTreeMap, BTreeSet};

use super::model::{CopyRecord, StrayFile, StrayReason};

/// A folder's copies, judged against the catalog.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Vouched {
    /// Copies that count: the catalog recorded them, or (see `unconfirmed`)
    /// it has no record of them at all.
    pub copies: BTreeMap<String, CopyRecord>,
    /// Names among `copies` the catalog has no record of.
    pub unconfirmed: BTreeSet<String>,
    /// Manifest entries that disagree with the catalog: strays.
    pub disagreeing: Vec<StrayFile>,
}

/// Judges the copies a disk's manifest vouches for (`found`) against what
/// the catalog recorded for that disk (`None`: it has never seen the disk).
pub fn vouch(
    found: BTreeMap<String, CopyRecord>,
    recorded: Option<&BTreeMap<String, CopyRecord>>,
) -> Vouched {
    let mut vouched = Vouched::default();
    for (name, record) in found {
        match recorded.and_then(|recorded| recorded.get(&name)) {
            Some(ours) if ours.same_copy(&record) => {
                vouched.copies.insert(name, record);
            }
            Some(_) => vouched.disagreeing.push(StrayFile {
                name,
                size: record.size,
                why: StrayReason::Disagrees,
            }),
            None => {
                vouched.unconfirmed.insert(name.clone());
                vouched.copies.insert(name, record);
            }
        }
    }
    vouched
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::EntryKind;
    use chrono::{TimeZone, Utc};

    fn record(name: &str, hash: &str) -> CopyRecord {
        CopyRecord {
            name: name.to_string(),
            size: 10,
            kind: EntryKind::File,
            hash: hash.repeat(32),
            copied_at: Utc.with_ymd_and_hms(2026, 3, 2, 22, 0, 0).unwrap(),
            verified_at: Some(Utc.with_ymd_and_hms(2026, 3, 2, 22, 1, 0).unwrap()),
            ciphertext_hash: None,
            fingerprint: None,
        }
    }

    fn map(records: &[CopyRecord]) -> BTreeMap<String, CopyRecord> {
        records
            .iter()
            .map(|r| (r.name.clone(), r.clone()))
            .collect()
    }

    #[test]
    fn invariant_14_a_manifest_entry_that_disagrees_with_the_catalog_is_no_copy() {
        let ours = map(&[record("a", "ab"), record("b", "cd")]);
        let mut forged = record("b", "00");
        forged.verified_at = Some(Utc.with_ymd_and_hms(2026, 3, 9, 1, 0, 0).unwrap());
        let mut reverified = record("a", "ab");
        reverified.verified_at = Some(Utc.with_ymd_and_hms(2026, 3, 20, 1, 0, 0).unwrap());
        let vouched = vouch(map(&[reverified.clone(), forged]), Some(&ours));
        assert_eq!(
            vouched.copies,
            map(&[reverified]),
            "a later verification time is the same copy"
        );
        assert!(vouched.unconfirmed.is_empty());
        assert_eq!(vouched.disagreeing.len(), 1);
        assert_eq!(vouched.disagreeing[0].name, "b");
        assert_eq!(vouched.disagreeing[0].why, StrayReason::Disagrees);
    }

    #[test]
    fn a_copy_the_catalog_never_recorded_holds_but_is_unconfirmed() {
        let found = map(&[record("a", "ab"), record("c", "ef")]);
        let vouched = vouch(found.clone(), Some(&map(&[record("a", "ab")])));
        assert_eq!(vouched.copies, found);
        assert_eq!(vouched.unconfirmed, BTreeSet::from(["c".to_string()]));
        let unknown_disk = vouch(found.clone(), None);
        assert_eq!(unknown_disk.unconfirmed.len(), 2);
        assert!(unknown_disk.disagreeing.is_empty());
    }
}
