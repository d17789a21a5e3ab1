//! Typed accessors over KDL nodes. Every value read keeps its span, and every
//! accessor that finds something wrong records a problem at that span and
//! goes on, so that one pass finds all the problems of a file.

use std::ops::RangeInclusive;

use kdl::{KdlDocument, KdlEntry, KdlNode, KdlValue};
use miette::SourceSpan;

use super::report::{plural, Problem};

/// A value and where it was written.
#[derive(Debug, Clone)]
pub(super) struct Spanned<T> {
    pub value: T,
    pub span: SourceSpan,
}

/// What a node may look like. The checks every node needs (argument count,
/// property names, block or not, repeats, presence) are made from this, once.
pub(super) struct Spec {
    pub name: &'static str,
    /// How many positional arguments it takes.
    pub args: RangeInclusive<usize>,
    pub props: &'static [&'static str],
    /// Whether it has a `{ }` block of children.
    pub block: bool,
    pub repeats: bool,
    pub required: bool,
    /// An example, shown in help lines.
    pub usage: &'static str,
}

/// Any number of arguments, but at least one.
pub(super) const ONE_OR_MORE: RangeInclusive<usize> = 1..=usize::MAX;

/// A node whose shape has been checked against its spec.
#[derive(Clone, Copy)]
pub(super) struct Node<'a> {
    kdl: &'a KdlNode,
    spec: &'a Spec,
}

/// One argument or property of a node.
pub(super) struct Entry<'a> {
    kdl: &'a KdlEntry,
    node: Node<'a>,
}

/// The known children of a block (or of the document when `parent` is
/// `None`), in order. Reports unknown nodes, repeats of nodes that may appear
/// once, missing required ones, and nodes whose shape is wrong.
pub(super) fn block<'a>(
    doc: Option<&'a KdlDocument>,
    parent: Option<Node<'_>>,
    specs: &'a [Spec],
    problems: &mut Vec<Problem>,
) -> Vec<Node<'a>> {
    let mut found: Vec<Node<'a>> = Vec::new();
    for kdl in doc.map(KdlDocument::nodes).unwrap_or_default() {
        let Some(spec) = specs.iter().find(|s| s.name == kdl.name().value()) else {
            problems.push(unknown(kdl, parent, specs));
            continue;
        };
        let node = Node { kdl, spec };
        if !spec.repeats && found.iter().any(|n| n.spec.name == spec.name) {
            problems.push(duplicate(node, parent));
            continue;
        }
        found.push(Node::checked(kdl, spec, problems));
    }
    for spec in specs.iter().filter(|s| s.required) {
        if find(&found, spec).is_none() {
            problems.push(missing(spec, parent));
        }
    }
    found
}

pub(super) fn find<'a>(nodes: &[Node<'a>], spec: &Spec) -> Option<Node<'a>> {
    nodes.iter().copied().find(|n| n.spec.name == spec.name)
}

fn unknown(kdl: &KdlNode, parent: Option<Node<'_>>, specs: &[Spec]) -> Problem {
    let names = list(specs.iter().map(|s| s.name));
    let (message, help) = match parent {
        None => (
            format!("unknown node `{}`", kdl.name().value()),
            format!(
                "remove it or fix its name: this version of orgrole supports only {names} at the top level"
            ),
        ),
        Some(p) => (
            format!("unknown node `{}` in `{}`", kdl.name().value(), p.name()),
            format!("remove it or fix its name: `{}` may contain only {names}", p.name()),
        ),
    };
    Problem::error(kdl.name().span(), message, help)
}

/// A second node where only one is allowed (a second `role`, a repeated tag key).
pub(super) fn duplicate(node: Node<'_>, parent: Option<Node<'_>>) -> Problem {
    let place = parent.map_or("the file".to_owned(), |p| format!("`{}`", p.name()));
    Problem::error(
        node.span(),
        format!("duplicate `{}`", node.name()),
        format!("`{}` may appear only once in {place}: merge the two or remove this one", node.name()),
    )
}

fn missing(spec: &Spec, parent: Option<Node<'_>>) -> Problem {
    match parent {
        // Nothing to point at but the start of the file.
        None => Problem::error(
            SourceSpan::from(0..0),
            format!("no `{}` in the file", spec.name),
            format!("add it: {}", spec.usage),
        ),
        Some(p) => Problem::error(
            p.span(),
            format!("`{}` has no `{}`", p.name(), spec.name),
            format!("add it inside `{}`: {}", p.name(), spec.usage),
        ),
    }
}

/// "`a`", "`a` and `b`", "`a`, `b` and `c`".
fn list<T: std::fmt::Display>(names: impl IntoIterator<Item = T>) -> String {
    let names: Vec<String> = names.into_iter().map(|n| format!("`{n}`")).collect();
    match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => names.concat(),
    }
}

impl<'a> Node<'a> {
    /// Checks a node's shape against `spec`. Used directly for nodes whose
    /// name is data (tag keys); `block` uses it for the others.
    pub fn checked(kdl: &'a KdlNode, spec: &'a Spec, problems: &mut Vec<Problem>) -> Self {
        let node = Self { kdl, spec };
        node.check_args(problems);
        for entry in kdl.entries() {
            if let Some(key) = entry.name() {
                if !spec.props.contains(&key.value()) {
                    problems.push(node.unknown_prop(entry, key.value()));
                }
            }
        }
        if !spec.block && kdl.children().is_some() {
            problems.push(Problem::error(
                node.span(),
                format!("`{}` takes no `{{ }}` block", node.name()),
                format!("remove the block: {}", spec.usage),
            ));
        }
        node
    }

    fn check_args(&self, problems: &mut Vec<Problem>) {
        let args: Vec<&KdlEntry> = self.kdl.entries().iter().filter(|e| e.name().is_none()).collect();
        let (min, max) = (*self.spec.args.start(), *self.spec.args.end());
        if (min..=max).contains(&args.len()) {
            return;
        }
        let wanted = match (min, max) {
            (0, 0) => "no arguments".to_owned(),
            (min, usize::MAX) => format!("at least {}", plural(min, "argument")),
            (min, max) if min == max => plural(min, "argument"),
            (min, max) => format!("{min} to {max} arguments"),
        };
        // Point at the first argument too many, or at the node if too few.
        let span = args.get(max).map_or(self.span(), |e| e.span());
        problems.push(Problem::error(
            span,
            format!("`{}` takes {wanted}, found {}", self.name(), args.len()),
            format!("write it as: {}", self.spec.usage),
        ));
    }

    fn unknown_prop(&self, entry: &KdlEntry, key: &str) -> Problem {
        let help = match self.spec.props {
            [] => format!("remove it: `{}` takes no properties", self.name()),
            props => format!(
                "remove it or fix its name: `{}` takes only {}",
                self.name(),
                list(props.iter().map(|p| format!("{p}=")))
            ),
        };
        Problem::error(entry.span(), format!("unknown property `{key}=` on `{}`", self.name()), help)
    }

    pub fn name(&self) -> &'a str {
        self.kdl.name().value()
    }

    /// The span of the node's name: where to point at the node as a whole.
    pub fn span(&self) -> SourceSpan {
        self.kdl.name().span()
    }

    pub fn children(&self) -> Option<&'a KdlDocument> {
        self.kdl.children()
    }

    pub fn args(&self) -> impl Iterator<Item = Entry<'a>> + 'a {
        let node = *self;
        self.kdl.entries().iter().filter(|e| e.name().is_none()).map(move |kdl| Entry { kdl, node })
    }

    pub fn arg(&self) -> Option<Entry<'a>> {
        self.args().next()
    }

    /// The positional arguments that are strings; the others are reported.
    pub fn strings(&self, problems: &mut Vec<Problem>) -> Vec<Spanned<String>> {
        self.args().filter_map(|e| e.string(problems)).collect()
    }

    /// The first argument, when it is a string (the count was checked by the spec).
    pub fn string(&self, problems: &mut Vec<Problem>) -> Option<Spanned<String>> {
        self.arg()?.string(problems)
    }

    /// The property `key`: the last one written, as in KDL.
    pub fn prop(&self, key: &str) -> Option<Entry<'a>> {
        let node = *self;
        self.kdl
            .entries()
            .iter()
            .rev()
            .find(|e| e.name().is_some_and(|n| n.value() == key))
            .map(|kdl| Entry { kdl, node })
    }

    pub fn usage(&self) -> &'static str {
        self.spec.usage
    }
}

impl Entry<'_> {
    pub fn span(&self) -> SourceSpan {
        self.kdl.span()
    }

    pub fn value(&self) -> &KdlValue {
        self.kdl.value()
    }

    pub fn boolean(&self, problems: &mut Vec<Problem>) -> Option<bool> {
        match self.value() {
            KdlValue::Bool(b) => Some(*b),
            other => {
                problems.push(Problem::error(
                    self.span(),
                    format!("expected #true or #false, found {other}"),
                    format!("KDL writes booleans as #true and #false: {}", self.node.usage()),
                ));
                None
            }
        }
    }

    pub fn string(&self, problems: &mut Vec<Problem>) -> Option<Spanned<String>> {
        match self.value() {
            KdlValue::String(s) => Some(Spanned { value: s.clone(), span: self.span() }),
            other => {
                let what = match self.kdl.name() {
                    Some(key) => format!("`{}=`", key.value()),
                    None => format!("`{}`", self.node.name()),
                };
                problems.push(Problem::error(
                    self.span(),
                    format!("{what} takes a string, found {other}"),
                    format!("write it in quotes: {}", self.node.usage()),
                ));
                None
            }
        }
    }
}

/// One of a few words: its value, or a problem naming them all.
pub(super) fn keyword<T: Copy>(
    value: Spanned<String>,
    what: &str,
    choices: &[(&str, T)],
    help: &str,
    problems: &mut Vec<Problem>,
) -> Option<T> {
    if let Some((_, choice)) = choices.iter().find(|(word, _)| *word == value.value) {
        return Some(*choice);
    }
    let words: Vec<String> = choices.iter().map(|(word, _)| format!("\"{word}\"")).collect();
    let (last, rest) = words.split_last().expect("choices are given");
    problems.push(Problem::error(
        value.span,
        format!("{what} is {} or {last}, not \"{}\"", rest.join(", "), value.value),
        help,
    ));
    None
}
