//! The module graph of docs/ARCHITECTURE.md: each stage depends on the ones below it, never back
//! (a cycle is how a stage ends up assembling another's work), and `problem` and `util` depend on
//! no stage. Read from the sources' `crate::` paths, tests left out.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Top-level module → the top-level modules it names.
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    let mut stack = vec![src.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    let module = |p: &Path| {
        let first =
            p.strip_prefix(&src).unwrap().components().next().unwrap().as_os_str().to_string_lossy().into_owned();
        first.trim_end_matches(".rs").to_owned()
    };
    let modules: BTreeSet<String> = files.iter().map(|p| module(p)).collect();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for path in &files {
        let from = module(path);
        if ["main", "lib", "cli", "bin"].contains(&from.as_str()) {
            continue;
        }
        let text = std::fs::read_to_string(path).unwrap();
        let code = text.split("#[cfg(test)]").next().unwrap();
        for part in code.split("crate::").skip(1) {
            let to: String = part.chars().take_while(|c| c.is_ascii_lowercase() || *c == '_').collect();
            if to != from && modules.contains(&to) {
                graph.entry(from.clone()).or_default().insert(to);
            }
        }
    }
    graph
}

#[test]
fn the_modules_depend_one_way() {
    let graph = graph();
    // Depth-first from every module: meeting a module on the current path is a cycle.
    fn walk(n: &str, graph: &BTreeMap<String, BTreeSet<String>>, path: &mut Vec<String>) {
        for next in graph.get(n).into_iter().flatten() {
            assert!(!path.contains(next), "a cycle: {} -> {next}", path.join(" -> "));
            path.push(next.clone());
            walk(next, graph, path);
            path.pop();
        }
    }
    for n in graph.keys() {
        walk(n, &graph, &mut vec![n.clone()]);
    }
    for leaf in ["problem", "util", "markdown"] {
        let deps: Vec<&String> = graph.get(leaf).into_iter().flatten().filter(|d| *d != "util").collect();
        assert!(deps.is_empty(), "{leaf} depends on {deps:?}");
    }
    assert!(!graph["serve"].contains("cli") && !graph["project"].contains("serve"), "{graph:?}");
}
