//! A test over rota's own source: no import circle between product files.
//!
//! Every file of the library reachable from `lib.rs` through `mod` lines that
//! are not `#[cfg(test)]` is a node. A file depends on another when it names
//! it: a `use crate::…`, `use super::…`, `use self::…` or `use child::…`, or a
//! path written inline in its code (`crate::plan::json::to_json(…)`). A name
//! a module re-exports (`pub use warnings::Warning` in `plan/mod.rs`) is
//! followed to the file that defines it, so a circle through a `mod.rs` is
//! seen for what it is. What is structure and not a dependency: a module's
//! `mod child;` lines, and its `pub use` of its own descendants.
//!
//! Test code (a `#[cfg(test)]` module, inline or in a file, and every file
//! under it) is left out: tests may use anything. The parse is line-based
//! and knows rota's formatting (rustfmt's), not all of Rust; it errs towards
//! seeing an edge (a reference in a string) rather than missing one.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use petgraph::algo::tarjan_scc;
use petgraph::graph::{DiGraph, NodeIndex};

/// One product module: its path from the crate root and its file.
struct Module {
    path: Vec<String>,
    file: PathBuf,
    /// The file's code, without comments and without its test code.
    code: String,
    /// Declared `mod` children (not test ones), by name.
    children: BTreeSet<String>,
}

/// A path named by a module, made absolute (`crate`, …).
struct Reference {
    path: Vec<String>,
    /// A `pub use` of one of the module's own descendants: structure.
    reexport_of_descendant: bool,
}

/// Every product module of the crate rooted at `src/lib.rs`.
fn product_modules(src: &Path) -> Vec<Module> {
    let mut modules = Vec::new();
    let mut pending = vec![(vec!["crate".to_string()], src.join("lib.rs"))];
    while let Some((path, file)) = pending.pop() {
        let text = std::fs::read_to_string(&file)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", file.display()));
        let (code, children) = product_code(&text);
        let dir = children_dir(&file);
        for (name, explicit) in &children {
            let child = match explicit {
                Some(relative) => file.parent().unwrap().join(relative),
                None => {
                    let flat = dir.join(format!("{name}.rs"));
                    if flat.exists() {
                        flat
                    } else {
                        dir.join(name).join("mod.rs")
                    }
                }
            };
            let mut child_path = path.clone();
            child_path.push(name.clone());
            pending.push((child_path, child));
        }
        modules.push(Module {
            path,
            file,
            code,
            children: children.into_keys().collect(),
        });
    }
    modules.sort_by(|a, b| a.path.cmp(&b.path));
    modules
}

/// Where a file's `mod child;` files are: beside `lib.rs` and `mod.rs`, in
/// the folder named after any other file.
fn children_dir(file: &Path) -> PathBuf {
    let dir = file.parent().unwrap();
    match file.file_name().and_then(|n| n.to_str()) {
        Some("lib.rs" | "mod.rs") => dir.to_path_buf(),
        _ => dir.join(file.file_stem().unwrap()),
    }
}

/// A file's code without comments and test items, and its product `mod`
/// children (with a `#[path]` when it has one).
fn product_code(text: &str) -> (String, BTreeMap<String, Option<String>>) {
    let mut code = String::new();
    let mut children = BTreeMap::new();
    let mut lines = text.lines().peekable();
    let mut path_attr: Option<String> = None;
    while let Some(line) = lines.next() {
        let line = strip_comment(line);
        let trimmed = line.trim();
        if trimmed == "#[cfg(test)]" {
            skip_item(&mut lines);
            continue;
        }
        if let Some(rest) = trimmed.strip_prefix("#[path = \"") {
            path_attr = rest.strip_suffix("\"]").map(str::to_string);
            continue;
        }
        if !line.starts_with(' ')
            && let Some(name) = mod_declaration(trimmed)
        {
            children.insert(name, path_attr.take());
            continue;
        }
        path_attr = None;
        code.push_str(line);
        code.push('\n');
    }
    (code, children)
}

/// Skips the item after a `#[cfg(test)]`: its other attributes, then a
/// one-line item or everything up to its closing brace at the margin.
fn skip_item<'a>(lines: &mut std::iter::Peekable<impl Iterator<Item = &'a str>>) {
    while let Some(line) = lines.next() {
        let trimmed = line.trim();
        if trimmed.starts_with("#[") {
            continue;
        }
        if trimmed.ends_with(';') {
            return;
        }
        let indent = line.len() - line.trim_start().len();
        let closing = format!("{}}}", " ".repeat(indent));
        for line in lines.by_ref() {
            if line == closing {
                return;
            }
        }
        return;
    }
}

/// `mod name;` (with any visibility) → `name`.
fn mod_declaration(line: &str) -> Option<String> {
    let rest = line.strip_suffix(';')?;
    let rest = strip_visibility(rest);
    let name = rest.strip_prefix("mod ")?.trim();
    is_ident(name).then(|| name.to_string())
}

fn strip_visibility(line: &str) -> &str {
    let Some(rest) = line.strip_prefix("pub") else {
        return line;
    };
    let rest = match rest.strip_prefix('(') {
        Some(inner) => &inner[inner.find(')').map_or(0, |at| at + 1)..],
        None => rest,
    };
    rest.trim_start()
}

fn is_ident(text: &str) -> bool {
    !text.is_empty()
        && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !text.starts_with(|c: char| c.is_ascii_digit())
}

/// The line up to a `//` that is not inside a string literal.
fn strip_comment(line: &str) -> &str {
    let mut in_string = false;
    let mut escaped = false;
    let bytes = line.as_bytes();
    for (at, &byte) in bytes.iter().enumerate() {
        match byte {
            _ if escaped => escaped = false,
            b'\\' if in_string => escaped = true,
            b'"' => in_string = !in_string,
            b'/' if !in_string && bytes.get(at + 1) == Some(&b'/') => return &line[..at],
            _ => {}
        }
    }
    line
}

/// The `use` statements of `code`, each joined onto one line, with whether
/// it is `pub` (any visibility).
fn use_statements(code: &str) -> Vec<(String, bool)> {
    let mut statements = Vec::new();
    let mut lines = code.lines();
    while let Some(line) = lines.next() {
        let trimmed = line.trim();
        let unqualified = strip_visibility(trimmed);
        if !unqualified.starts_with("use ") {
            continue;
        }
        let public = unqualified.len() != trimmed.len();
        let mut statement = unqualified["use ".len()..].to_string();
        while !statement.trim_end().ends_with(';') {
            match lines.next() {
                Some(next) => statement.push_str(next.trim()),
                None => break,
            }
        }
        let statement = statement.trim_end().trim_end_matches(';').to_string();
        statements.push((statement, public));
    }
    statements
}

/// A use tree (`a::{b,c::{self,D}}`) as the paths it names, each with the
/// name it binds (`as` aliases and `*` included).
fn expand_use_tree(tree: &str) -> Vec<(Vec<String>, String)> {
    fn expand(prefix: &[String], tree: &str, out: &mut Vec<(Vec<String>, String)>) {
        let tree = tree.trim_matches(',');
        if tree.is_empty() {
            return;
        }
        if let Some(open) = tree.find('{') {
            let head: Vec<String> = tree[..open]
                .split("::")
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect();
            let mut full = prefix.to_vec();
            full.extend(head);
            let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
            for part in split_top_level(inner) {
                expand(&full, part, out);
            }
            return;
        }
        let (path, alias) = match tree.split_once('@') {
            Some((path, alias)) => (path, Some(alias)),
            None => (tree, None),
        };
        let mut full = prefix.to_vec();
        for segment in path.split("::").filter(|s| !s.is_empty()) {
            if segment != "self" || full.is_empty() {
                full.push(segment.to_string());
            }
        }
        let name = alias
            .map(str::to_string)
            .or_else(|| full.last().cloned())
            .unwrap_or_default();
        out.push((full, name));
    }
    let tree = tree.replace(" as ", "@").replace(char::is_whitespace, "");
    let mut out = Vec::new();
    expand(&[], &tree, &mut out);
    out
}

/// The parts of a brace list at its own level.
fn split_top_level(list: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut depth = 0;
    let mut start = 0;
    for (at, c) in list.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&list[start..at]);
                start = at + 1;
            }
            _ => {}
        }
    }
    parts.push(&list[start..]);
    parts
}

/// Paths written inline in code: `crate::a::b`, `super::a`, `self::a`.
fn inline_paths(code: &str) -> Vec<Vec<String>> {
    let mut paths = Vec::new();
    for line in code.lines() {
        if strip_visibility(line.trim()).starts_with("use ") {
            continue;
        }
        let bytes = line.as_bytes();
        for start in ["crate::", "super::", "self::"] {
            for (at, _) in line.match_indices(start) {
                let before = at.checked_sub(1).map(|b| bytes[b]);
                if before.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b':') {
                    continue;
                }
                let rest = &line[at..];
                let end = rest
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
                    .unwrap_or(rest.len());
                let path: Vec<String> = rest[..end]
                    .split("::")
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect();
                paths.push(path);
            }
        }
    }
    paths
}

/// The graph: module index → the modules it depends on.
struct Crate {
    modules: Vec<Module>,
    by_path: BTreeMap<Vec<String>, usize>,
    /// Per module: the names its `use` lines bind, to absolute paths.
    imports: Vec<BTreeMap<String, Vec<String>>>,
    globs: Vec<Vec<Vec<String>>>,
}

impl Crate {
    fn new(modules: Vec<Module>) -> Crate {
        let by_path = modules
            .iter()
            .enumerate()
            .map(|(index, module)| (module.path.clone(), index))
            .collect();
        let mut krate = Crate {
            modules,
            by_path,
            imports: Vec::new(),
            globs: Vec::new(),
        };
        for index in 0..krate.modules.len() {
            let mut imports = BTreeMap::new();
            let mut globs = Vec::new();
            for (statement, _) in use_statements(&krate.modules[index].code) {
                for (path, name) in expand_use_tree(&statement) {
                    let Some(absolute) = krate.absolute(index, &path) else {
                        continue;
                    };
                    if name == "*" {
                        globs.push(absolute[..absolute.len() - 1].to_vec());
                    } else {
                        imports.insert(name, absolute);
                    }
                }
            }
            krate.imports.push(imports);
            krate.globs.push(globs);
        }
        krate
    }

    /// `path` as written in module `index`, from the crate root (`None`: a
    /// path into another crate).
    fn absolute(&self, index: usize, path: &[String]) -> Option<Vec<String>> {
        let module = &self.modules[index];
        let first = path.first()?;
        let mut absolute = match first.as_str() {
            "crate" => vec!["crate".to_string()],
            "self" => module.path.clone(),
            "super" => module.path[..module.path.len().saturating_sub(1)].to_vec(),
            name if module.children.contains(name) => {
                let mut here = module.path.clone();
                here.push(name.to_string());
                here
            }
            _ => return None,
        };
        let mut rest = &path[1..];
        if first == "super" {
            while rest.first().is_some_and(|s| s == "super") {
                absolute.pop();
                rest = &rest[1..];
            }
        }
        absolute.extend(rest.iter().cloned());
        Some(absolute)
    }

    /// The module that defines what an absolute path names, following
    /// re-exports (`None`: outside the crate).
    fn resolve(&self, path: &[String], depth: usize) -> Option<usize> {
        let known = (1..=path.len())
            .rev()
            .find(|&len| self.by_path.contains_key(&path[..len]))?;
        let module = self.by_path[&path[..known]];
        let Some(name) = path.get(known) else {
            return Some(module);
        };
        if depth > 16 {
            return Some(module);
        }
        if let Some(target) = self.imports[module].get(name) {
            let mut next = target.clone();
            next.extend(path[known + 1..].iter().cloned());
            return self.resolve(&next, depth + 1);
        }
        for glob in &self.globs[module] {
            let Some(source) = self.resolve(glob, depth + 1) else {
                continue;
            };
            if source != module && defines(&self.modules[source].code, name) {
                let mut next = self.modules[source].path.clone();
                next.extend(path[known..].iter().cloned());
                return self.resolve(&next, depth + 1);
            }
        }
        Some(module)
    }

    /// Every file-to-file dependency.
    fn edges(&self) -> BTreeSet<(usize, usize)> {
        let mut edges = BTreeSet::new();
        for index in 0..self.modules.len() {
            for reference in self.references(index) {
                if reference.reexport_of_descendant {
                    continue;
                }
                if let Some(target) = self.resolve(&reference.path, 0)
                    && target != index
                    && target != 0
                {
                    edges.insert((index, target));
                }
            }
        }
        edges
    }

    fn references(&self, index: usize) -> Vec<Reference> {
        let module = &self.modules[index];
        let mut references = Vec::new();
        for (statement, public) in use_statements(&module.code) {
            for (path, _) in expand_use_tree(&statement) {
                let Some(mut absolute) = self.absolute(index, &path) else {
                    continue;
                };
                if absolute.last().is_some_and(|s| s == "*") {
                    absolute.pop();
                }
                let descendant =
                    absolute.len() > module.path.len() && absolute.starts_with(&module.path);
                references.push(Reference {
                    path: absolute,
                    reexport_of_descendant: public && descendant,
                });
            }
        }
        for path in inline_paths(&module.code) {
            if let Some(absolute) = self.absolute(index, &path) {
                references.push(Reference {
                    path: absolute,
                    reexport_of_descendant: false,
                });
            }
        }
        references
    }

    fn name(&self, index: usize, src: &Path) -> String {
        let file = &self.modules[index].file;
        file.strip_prefix(src).unwrap_or(file).display().to_string()
    }
}

/// Whether `code` defines an item called `name` at its margin.
fn defines(code: &str, name: &str) -> bool {
    code.lines().any(|line| {
        let rest = strip_visibility(line);
        [
            "struct ", "enum ", "fn ", "const ", "static ", "type ", "trait ", "mod ",
        ]
        .iter()
        .any(|kind| {
            rest.strip_prefix(kind).is_some_and(|after| {
                after.starts_with(name)
                    && !after[name.len()..]
                        .starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
            })
        })
    })
}

/// An import circle: the files that reach each other (sorted), and the
/// shortest way around from the first of them.
#[derive(Debug, PartialEq)]
struct Circle {
    files: Vec<String>,
    around: Vec<String>,
}

/// Every import circle among `names` joined by `edges`, smallest first.
fn import_circles(names: &[String], edges: &BTreeSet<(usize, usize)>) -> Vec<Circle> {
    let mut graph: DiGraph<usize, ()> = DiGraph::new();
    let nodes: Vec<NodeIndex> = (0..names.len()).map(|i| graph.add_node(i)).collect();
    for &(from, to) in edges {
        graph.add_edge(nodes[from], nodes[to], ());
    }
    let mut circles: Vec<Circle> = tarjan_scc(&graph)
        .into_iter()
        .filter(|component| component.len() > 1)
        .map(|component| {
            let members: BTreeSet<usize> = component.iter().map(|n| graph[*n]).collect();
            let mut files: Vec<String> = members.iter().map(|&i| names[i].clone()).collect();
            files.sort();
            let start = members.iter().copied().min_by_key(|&i| &names[i]).unwrap();
            let around = shortest_circle(start, &members, edges)
                .into_iter()
                .map(|i| names[i].clone())
                .collect();
            Circle { files, around }
        })
        .collect();
    circles.sort_by(|a, b| (a.files.len(), &a.files).cmp(&(b.files.len(), &b.files)));
    circles
}

/// The shortest way from `start` back to itself within `members`.
fn shortest_circle(
    start: usize,
    members: &BTreeSet<usize>,
    edges: &BTreeSet<(usize, usize)>,
) -> Vec<usize> {
    let mut came_from: BTreeMap<usize, usize> = BTreeMap::new();
    let mut frontier = vec![start];
    while !frontier.is_empty() {
        let mut next = Vec::new();
        for &at in &frontier {
            for &(_, to) in edges.range((at, 0)..=(at, usize::MAX)) {
                if !members.contains(&to) {
                    continue;
                }
                if to == start {
                    let mut circle = vec![start, at];
                    let mut back = at;
                    while back != start {
                        back = came_from[&back];
                        circle.push(back);
                    }
                    circle.reverse();
                    return circle;
                }
                if let std::collections::btree_map::Entry::Vacant(entry) = came_from.entry(to) {
                    entry.insert(at);
                    next.push(to);
                }
            }
        }
        frontier = next;
    }
    vec![start]
}

#[test]
fn no_product_file_imports_itself_through_others() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let krate = Crate::new(product_modules(&src));
    assert!(
        krate.modules.len() > 150,
        "found only {} product files: the parse is broken",
        krate.modules.len()
    );
    let names: Vec<String> = (0..krate.modules.len())
        .map(|i| krate.name(i, &src))
        .collect();
    let circles = import_circles(&names, &krate.edges());
    let found: Vec<String> = circles
        .iter()
        .map(|circle| {
            let around = circle.around.join(" → ");
            format!(
                "{around}\n  (all that reach each other: {})",
                circle.files.join(", ")
            )
        })
        .collect();
    assert!(
        found.is_empty(),
        "import circles between product files (move what both need into a \
         file both use, or pass values instead of reaching back):\n{}",
        found.join("\n")
    );
}

#[test]
fn the_circle_finder_names_a_circle_through_three_files() {
    let names: Vec<String> = ["a.rs", "b.rs", "c.rs", "d.rs"]
        .map(str::to_string)
        .to_vec();
    let edges: BTreeSet<(usize, usize)> = [(0, 1), (1, 2), (2, 0), (2, 3)].into();
    assert_eq!(
        import_circles(&names, &edges),
        vec![Circle {
            files: ["a.rs", "b.rs", "c.rs"].map(str::to_string).to_vec(),
            around: ["a.rs", "b.rs", "c.rs", "a.rs"]
                .map(str::to_string)
                .to_vec(),
        }]
    );
    let acyclic: BTreeSet<(usize, usize)> = [(0, 1), (1, 2), (0, 2), (2, 3)].into();
    assert!(import_circles(&names, &acyclic).is_empty());
}

#[test]
fn a_reexport_is_followed_to_the_file_that_defines_the_name() {
    let module = |path: &[&str], code: &str, children: &[&str]| Module {
        path: path.iter().map(|s| s.to_string()).collect(),
        file: PathBuf::from(path.join("/")),
        code: code.to_string(),
        children: children.iter().map(|s| s.to_string()).collect(),
    };
    let krate = Crate::new(vec![
        module(&["crate"], "", &["plan", "inventory"]),
        module(
            &["crate", "plan"],
            "pub use warnings::Warning;\n",
            &["warnings"],
        ),
        module(
            &["crate", "plan", "warnings"],
            "use crate::inventory::Entry;\npub struct Warning;\n",
            &[],
        ),
        module(
            &["crate", "inventory"],
            "pub struct Entry;\nfn f() { crate::plan::Warning; }\n",
            &[],
        ),
    ]);
    // plan/mod.rs re-exporting its child is structure; the inline path in
    // inventory leads to the file that defines Warning.
    assert_eq!(krate.edges(), [(2, 3), (3, 2)].into());
}

#[test]
fn a_use_tree_expands_to_every_path_it_names() {
    let paths =
        expand_use_tree("crate::inventory::{Catalog,offsite_names::{self,Stored},layout as l}");
    let shown: Vec<(String, String)> = paths
        .into_iter()
        .map(|(path, name)| (path.join("::"), name))
        .collect();
    assert_eq!(
        shown,
        [
            ("crate::inventory::Catalog", "Catalog"),
            ("crate::inventory::offsite_names", "offsite_names"),
            ("crate::inventory::offsite_names::Stored", "Stored"),
            ("crate::inventory::layout", "l"),
        ]
        .map(|(p, n)| (p.to_string(), n.to_string()))
    );
}

#[test]
fn test_code_is_left_out() {
    let (code, children) = product_code(
        "use crate::a::B;\n#[cfg(test)]\nmod tests;\nmod real;\n\n#[cfg(test)]\nmod inline {\n    use crate::c::D;\n}\n",
    );
    assert_eq!(code.trim(), "use crate::a::B;");
    assert_eq!(children.into_keys().collect::<Vec<_>>(), ["real"]);
}
