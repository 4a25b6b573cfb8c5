//! Package `struct`: validators on the number of regular fields.

use super::{v, Args, Def};
use crate::eval::{ArcType, Engine, NodeKind};
use crate::value::{ErrKind, Value};

pub const FUNCS: &[Def] = &[
    v("MinFields", 2, |en, a| {
        let (n, min) = (fields(en, a)?, a.int(1)?);
        if (n as i64) < min && is_open(en, a) {
            // More fields may still come: not an error yet.
            return Err((
                ErrKind::Incomplete,
                format!("len(fields) < MinFields({min}) ({n} < {min})"),
            ));
        }
        Ok(Value::Bool(n as i64 >= min))
    }),
    v("MaxFields", 2, |en, a| {
        let n = fields(en, a)?;
        Ok(Value::Bool(n as i64 <= a.int(1)?))
    }),
];

/// The number of regular (not optional, hidden or definition) fields of
/// the struct in argument 0.
fn fields(en: &mut Engine, a: &Args) -> Result<usize, super::Failure> {
    let v = a.value(0)?;
    let w = match v {
        Value::Vertex(w) => en.deref(*w),
        other => return Err(a.type_err(other, "struct", 0)),
    };
    en.process(w);
    let w = en.deref(w);
    if en.v[w as usize].is_list() {
        return Err(a.type_err(v, "struct", 0));
    }
    let arcs = en.v[w as usize].arcs.clone();
    Ok(arcs
        .into_iter()
        .filter(|&c| {
            let vx = &en.v[c as usize];
            vx.arc_type == ArcType::Regular && vx.label().is_some_and(|l| en.labels.is_regular(l))
        })
        .count())
}

/// Whether the struct may still gain fields: it is not closed, or it has
/// patterns or `...`.
fn is_open(en: &mut Engine, a: &Args) -> bool {
    let Some(Value::Vertex(w)) = a.vals.first() else {
        return true;
    };
    let w = en.deref(*w);
    let vx = &en.v[w as usize];
    let closed = vx
        .nodes()
        .any(|n| matches!(n.kind, NodeKind::Def | NodeKind::Close));
    !closed || vx.nodes().any(|n| n.open || n.patterns().next().is_some())
}
