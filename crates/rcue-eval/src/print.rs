//! Evaluated values printed as CUE, for `rcue eval`: like export, but
//! non-concrete values, definitions, hidden and optional fields, and errors
//! are shown instead of rejected.

use crate::eval::{ArcType, Engine, MAX_DEPTH};
use crate::meet::describe;
use crate::value::{VId, Value};

/// Which fields `rcue eval` shows besides regular, required fields and
/// definitions.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    /// Hidden fields (`_x`): `-H`, `-a`.
    pub hidden: bool,
    /// Optional fields (`x?`): `-O`, `-a`.
    pub optional: bool,
}

/// The fields of the root vertex, without enclosing braces.
pub fn print_file(en: &mut Engine, root: VId, opts: Options) -> String {
    OPTIONS.with(|o| o.set(opts));
    let mut out = String::new();
    let root = en.deref(root);
    let arcs = en.v[root as usize].arcs.clone();
    for a in arcs {
        field(en, a, 0, &mut out);
    }
    if let Some(e) = en.v[root as usize].err().cloned() {
        out.push_str(&format!("_|_ // {}\n", e.msg));
    }
    out
}

/// One value in CUE syntax, showing the fields `opts` asks for.
pub fn print_value_with(en: &mut Engine, v: &Value, opts: Options) -> String {
    OPTIONS.with(|o| o.set(opts));
    print_value(en, v)
}

/// One value in CUE syntax.
pub fn print_value(en: &mut Engine, v: &Value) -> String {
    let mut out = String::new();
    match v {
        Value::Vertex(w) => vertex(en, *w, 0, &mut out),
        Value::Disj(ds) => {
            let marked = ds.iter().any(|(_, d)| !d);
            let parts: Vec<String> = ds
                .iter()
                .map(|(x, d)| {
                    format!(
                        "{}{}",
                        if *d && marked { "*" } else { "" },
                        print_value(en, x)
                    )
                })
                .collect();
            out.push_str(&parts.join(" | "));
        }
        Value::Bottom(e) => out.push_str(&format!("_|_ // {}", e.msg)),
        other => out.push_str(&describe(other)),
    }
    out
}

fn label(en: &Engine, a: VId) -> String {
    let l = en.v[a as usize].label().expect("arc label");
    let name = en.labels.path_elem(l);
    // `path_elem` quotes labels that are not identifiers.
    match en.v[a as usize].arc_type {
        ArcType::Optional => format!("{name}?"),
        ArcType::Required => format!("{name}!"),
        _ => name,
    }
}

thread_local! {
    static OPTIONS: std::cell::Cell<Options> = const {
        std::cell::Cell::new(Options { hidden: false, optional: true })
    };
}

/// Whether arc `a` is shown under the current options.
fn shown(en: &Engine, a: VId) -> bool {
    let opts = OPTIONS.with(|o| o.get());
    let vx = &en.v[a as usize];
    match vx.arc_type {
        ArcType::None => return false,
        ArcType::Optional if !opts.optional => return false,
        _ => {}
    }
    let Some(l) = vx.label() else { return true };
    let hidden = matches!(
        en.labels.kind(l),
        crate::label::LabelKind::Hidden | crate::label::LabelKind::HiddenDefinition
    );
    !hidden || opts.hidden
}

thread_local! {
    /// Declaration positions of the optional fields being printed, outer
    /// first (see `field`).
    static OPTIONAL_STACK: std::cell::RefCell<Vec<Vec<crate::ir::Pos>>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

fn field(en: &mut Engine, a: VId, indent: usize, out: &mut String) {
    if !shown(en, a) {
        return;
    }
    out.push_str(&"\t".repeat(indent));
    out.push_str(&label(en, a));
    out.push_str(": ");
    if en.v[a as usize].arc_type != ArcType::Optional {
        vertex(en, a, indent, out);
        out.push('\n');
        return;
    }
    // An optional field declared by the same declarations as an optional
    // field around it is a recursive schema (`Foo: foo?: Foo`): expanding
    // it would never end, so it is shown once.
    let mut decls = en.v[a as usize].decl_pos().to_vec();
    decls.sort();
    decls.dedup();
    if OPTIONAL_STACK.with(|s| s.borrow().contains(&decls)) {
        out.push_str("_ // recursive optional field, not expanded\n");
        return;
    }
    OPTIONAL_STACK.with(|s| s.borrow_mut().push(decls));
    vertex(en, a, indent, out);
    OPTIONAL_STACK.with(|s| s.borrow_mut().pop());
    out.push('\n');
}

fn vertex(en: &mut Engine, v: VId, indent: usize, out: &mut String) {
    // One level per nesting level of the value: grow the stack as needed.
    rcue_syntax::stack::grow(64 * 1024, 4 << 20, || vertex_here(en, v, indent, out))
}

fn vertex_here(en: &mut Engine, v: VId, indent: usize, out: &mut String) {
    if indent > MAX_DEPTH {
        out.push_str("_|_ // value too deep");
        return;
    }
    // Optional fields are not evaluated by export; evaluate them here.
    en.process(v);
    let v = en.deref(v);
    let vx = en.v[v as usize].clone();
    if let Some(e) = vx.err() {
        out.push_str(&format!("_|_ // {}", e.msg));
        return;
    }
    if !vx.disjuncts().is_empty() {
        let marked = vx.disjuncts().iter().any(|(_, d)| !d);
        for (i, (d, def)) in vx.disjuncts().iter().enumerate() {
            if i > 0 {
                out.push_str(" | ");
            }
            if *def && marked {
                out.push('*');
            }
            vertex(en, *d, indent, out);
        }
        return;
    }
    if vx.is_list() {
        let elems = en.elems(v).to_vec();
        if elems.is_empty() {
            out.push_str("[]");
            return;
        }
        out.push('[');
        for (i, a) in elems.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            vertex(en, *a, indent, out);
        }
        out.push(']');
        return;
    }
    if vx.is_struct || !vx.arcs.is_empty() {
        let arcs: Vec<VId> = vx.arcs.iter().copied().filter(|&a| shown(en, a)).collect();
        if arcs.is_empty() {
            out.push_str("{}");
            return;
        }
        out.push_str("{\n");
        for a in arcs {
            field(en, a, indent + 1, out);
        }
        out.push_str(&"\t".repeat(indent));
        out.push('}');
        return;
    }
    out.push_str(&describe(&vx.value));
}
