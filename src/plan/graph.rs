//! The plan's action DAG: petgraph orders the actions so every action runs after
//! the ones it depends on. The builder adds edges only from independent
//! deletions and archive moves to copies, and from copies and archive moves to
//! dependent deletions, so a cycle cannot arise; [`order`] still checks, and a
//! cycle is a bug that must stop the plan rather than reorder deletions.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use petgraph::Direction;
use petgraph::graph::{DiGraph, NodeIndex};

/// The actions' dependencies form a cycle (a planner bug, or a rejected attempt
/// to let copies use space that dependent deletions free).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cycle;

/// A topological order of draft indices, given each draft's prerequisites
/// (each listed once). Among ready drafts the lowest `priority` goes first,
/// then the builder's own order (newest backups first).
///
/// Kahn's algorithm on the petgraph DAG: a draft becomes ready when the last
/// of its prerequisites is taken; drafts left over when nothing is ready are
/// on a cycle.
pub fn order(after: &[Vec<usize>], priority: &[u8]) -> Result<Vec<usize>, Cycle> {
    let edges: usize = after.iter().map(Vec::len).sum();
    let mut graph: DiGraph<(), ()> = DiGraph::with_capacity(after.len(), edges);
    for _ in after {
        graph.add_node(());
    }
    for (draft, prerequisites) in after.iter().enumerate() {
        for prerequisite in prerequisites {
            graph.add_edge(NodeIndex::new(*prerequisite), NodeIndex::new(draft), ());
        }
    }
    let mut waiting: Vec<usize> = after.iter().map(Vec::len).collect();
    let priority_of = |draft: usize| priority.get(draft).copied().unwrap_or(0);
    let mut ready = Ready::new((0..after.len()).filter(|d| waiting[*d] == 0), priority_of);
    let mut sequence = Vec::with_capacity(after.len());
    while let Some(draft) = ready.pop() {
        sequence.push(draft);
        for dependent in graph.neighbors_directed(NodeIndex::new(draft), Direction::Outgoing) {
            let dependent = dependent.index();
            waiting[dependent] -= 1;
            if waiting[dependent] == 0 {
                ready.push(dependent, priority_of(dependent));
            }
        }
    }
    if sequence.len() == after.len() {
        Ok(sequence)
    } else {
        Err(Cycle)
    }
}

/// The ready drafts, taken lowest (priority, index) first. Most drafts of a
/// large plan are ready from the start: those are sorted once (by priority
/// bucket, each in index order) and read off in turn; only drafts freed by
/// another go through a heap.
struct Ready {
    initial: Vec<(u8, usize)>,
    next: usize,
    freed: BinaryHeap<Reverse<(u8, usize)>>,
}

impl Ready {
    fn new(drafts: impl Iterator<Item = usize>, priority: impl Fn(usize) -> u8) -> Ready {
        let mut initial: Vec<(u8, usize)> = drafts.map(|d| (priority(d), d)).collect();
        // Indices are ascending already: a stable sort by priority suffices.
        initial.sort_by_key(|(priority, _)| *priority);
        Ready {
            initial,
            next: 0,
            freed: BinaryHeap::new(),
        }
    }

    fn push(&mut self, draft: usize, priority: u8) {
        self.freed.push(Reverse((priority, draft)));
    }

    fn pop(&mut self) -> Option<usize> {
        let initial = self.initial.get(self.next).copied();
        let freed = self.freed.peek().map(|Reverse(key)| *key);
        match (initial, freed) {
            (Some(a), Some(b)) if b < a => self.freed.pop().map(|Reverse((_, d))| d),
            (Some((_, draft)), _) => {
                self.next += 1;
                Some(draft)
            }
            (None, _) => self.freed.pop().map(|Reverse((_, d))| d),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prerequisites_come_first_and_ties_keep_their_order() {
        // 0: copy, 1: delete after 0, 2: independent delete, 3: copy after 2.
        let after = vec![vec![], vec![0], vec![], vec![2]];
        assert_eq!(order(&after, &[0, 2, 2, 0]), Ok(vec![0, 1, 2, 3]));
        assert_eq!(
            order(&[vec![], vec![], vec![]], &[2, 0, 1]),
            Ok(vec![1, 2, 0])
        );
        let after = vec![vec![3], vec![], vec![1], vec![]];
        assert_eq!(order(&after, &[0, 0, 0, 0]), Ok(vec![1, 2, 3, 0]));
    }

    /// The order by definition: repeatedly the lowest (priority, index) among
    /// drafts whose prerequisites are all taken.
    fn reference_order(after: &[Vec<usize>], priority: &[u8]) -> Vec<usize> {
        let mut taken = vec![false; after.len()];
        let mut sequence = Vec::new();
        while let Some(next) = (0..after.len())
            .filter(|d| !taken[*d] && after[*d].iter().all(|p| taken[*p]))
            .min_by_key(|d| (priority[*d], *d))
        {
            taken[next] = true;
            sequence.push(next);
        }
        sequence
    }

    #[test]
    fn large_random_dags_are_ordered_as_defined() {
        let mut rng = crate::simulate::SplitMix64::new(11);
        let mut random = move |below: usize| rng.below(below);
        for round in 0..20 {
            let count = 50 + round * 10;
            // Edges only from lower to higher indices: acyclic.
            let after: Vec<Vec<usize>> = (0..count)
                .map(|d| {
                    let mut prerequisites: Vec<usize> = (0..random(4))
                        .filter(|_| d > 0)
                        .map(|_| random(d))
                        .collect();
                    prerequisites.sort_unstable();
                    prerequisites.dedup();
                    prerequisites
                })
                .collect();
            let priority: Vec<u8> = (0..count).map(|_| random(3) as u8).collect();
            assert_eq!(
                order(&after, &priority),
                Ok(reference_order(&after, &priority)),
                "round {round}"
            );
        }
    }

    #[test]
    fn a_cycle_is_reported() {
        assert_eq!(order(&[vec![1], vec![0]], &[0, 0]), Err(Cycle));
        // A cycle behind drafts that are ordered fine.
        let after = vec![vec![], vec![0, 3], vec![1], vec![2]];
        assert_eq!(order(&after, &[0, 0, 0, 0]), Err(Cycle));
    }
}
