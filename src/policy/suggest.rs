//! "Did you mean …?" for misspelt keys, weekdays, tiers and time zones.

/// The closest candidate to `typed`, if one is close enough to be a likely typo.
pub fn closest<'a>(typed: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let typed_lower = typed.to_ascii_lowercase();
    let mut best: Option<(usize, &str)> = None;
    for candidate in candidates {
        let distance = edit_distance(&typed_lower, &candidate.to_ascii_lowercase());
        if best.is_none_or(|(best_distance, _)| distance < best_distance) {
            best = Some((distance, candidate));
        }
    }
    let (distance, candidate) = best?;
    // Allow about one typo per three characters, and always one.
    let allowed = (typed.chars().count() / 3).max(1);
    (distance <= allowed).then_some(candidate)
}

/// Optimal string alignment distance: insertions, deletions, substitutions and
/// swaps of neighbours each cost one ("retian" is one step from "retain").
/// strsim's, counted in characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    strsim::osa_distance(a, b)
}

/// A help line for an unknown time zone: the closest IANA name, or the shape
/// known names have.
pub fn timezone_help(typed: &str) -> String {
    let names = chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name());
    // Compare the city part too, so "Chicago" finds "America/Chicago".
    let by_city = chrono_tz::TZ_VARIANTS
        .iter()
        .map(|tz| tz.name())
        .find(|name| {
            name.rsplit('/')
                .next()
                .is_some_and(|city| city.eq_ignore_ascii_case(&typed.replace(' ', "_")))
        });
    match by_city.or_else(|| closest(typed, names)) {
        Some(name) => format!("did you mean `{name}`? Time zones are IANA names"),
        None => {
            String::from("known time zones look like America/Chicago or Europe/London (IANA names)")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_find_their_key() {
        let keys = ["version", "office", "source", "retain", "disks"];
        assert_eq!(closest("retian", keys), Some("retain"));
        assert_eq!(closest("disk", keys), Some("disks"));
        assert_eq!(closest("Office", keys), Some("office"));
        assert_eq!(closest("zzzzzz", keys), None);
    }

    #[test]
    fn a_swap_of_neighbours_is_one_edit_and_is_not_reused() {
        assert_eq!(edit_distance("retian", "retain"), 1);
        assert_eq!(edit_distance("mnoday", "monday"), 1);
        assert_eq!(edit_distance("Ärzte", "Arzte"), 1);
        // Optimal string alignment, not full Damerau: a swapped pair is not
        // edited again.
        assert_eq!(edit_distance("ca", "abc"), 3);
        assert_eq!(edit_distance("", "disks"), 5);
    }

    #[test]
    fn time_zone_help() {
        assert!(timezone_help("America/Chicgo").contains("America/Chicago"));
        assert!(timezone_help("Chicago").contains("America/Chicago"));
        assert!(timezone_help("EST5").contains("IANA"));
    }
}
