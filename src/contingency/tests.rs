//! The plan on the vendor guide's office: all six sections with the
//! office's facts, blanks where the policy is silent, a restore test set
//! against the RTO, and a content hash that ignores when it was made.
