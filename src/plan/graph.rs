//! The plan's action DAG: petgraph orders the actions so every action runs after
//! the ones it depends on. The builder adds edges only from independent
//! deletions and archive moves to copies, and from copies and archive moves to
//! dependent deletions, so a cycle cannot arise; [`order`] still checks, and a
//! cycle is a bug that must stop the plan rather than reorder deletions.

use petgraph::algo::toposort;
use petgraph::graph::DiGraph;

/// The actions' dependencies form a cycle (a planner bug, or a rejected attempt
/// to let copies use space that dependent deletions free).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cycle;

/// A topological order of draft indices, given each draft's prerequisites.
/// Among ready drafts the lowest `priority` goes first, then the builder's own
/// order (newest backups first).
pub fn order(after: &[Vec<usize>], priority: &[u8]) -> Result<Vec<usize>, Cycle> {
    let mut graph: DiGraph<usize, ()> = DiGraph::with_capacity(after.len(), after.len());
    let nodes: Vec<_> = (0..after.len()).map(|i| graph.add_node(i)).collect();
    for (draft, prerequisites) in after.iter().enumerate() {
        for prerequisite in prerequisites {
            graph.add_edge(nodes[*prerequisite], nodes[draft], ());
        }
    }
    // Detect cycles with petgraph, then produce a stable order ourselves.
    if toposort(&graph, None).is_err() {
        return Err(Cycle);
    }
    Ok(stable_order(after, priority))
}

/// Kahn's algorithm, always taking the ready draft with the lowest (priority,
/// index), so the order is deterministic.
fn stable_order(after: &[Vec<usize>], priority: &[u8]) -> Vec<usize> {
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;
    let mut waiting: Vec<usize> = after.iter().map(Vec::len).collect();
    let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); after.len()];
    for (draft, prerequisites) in after.iter().enumerate() {
        for prerequisite in prerequisites {
            dependents[*prerequisite].push(draft);
        }
    }
    // Keys are unique (the index is part of them): a min-heap pops them in
    // one order.
    let key = |draft: usize| Reverse((priority.get(draft).copied().unwrap_or(0), draft));
    let mut ready: BinaryHeap<Reverse<(u8, usize)>> = (0..after.len())
        .filter(|d| waiting[*d] == 0)
        .map(key)
        .collect();
    let mut sequence = Vec::with_capacity(after.len());
    while let Some(Reverse((_, draft))) = ready.pop() {
        sequence.push(draft);
        for dependent in &dependents[draft] {
            waiting[*dependent] -= 1;
            if waiting[*dependent] == 0 {
                ready.push(key(*dependent));
            }
        }
    }
    sequence
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

    #[test]
    fn a_cycle_is_reported() {
        assert_eq!(order(&[vec![1], vec![0]], &[0, 0]), Err(Cycle));
    }
}
