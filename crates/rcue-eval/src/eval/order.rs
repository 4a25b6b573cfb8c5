//! The order of a struct's fields in output.
//!
//! Evaluation keeps a vertex's fields in the order they were first met,
//! which is the order of the reference implementation whenever one struct
//! literal gave them. When several did (a definition and its use, two
//! declarations of one field, embeddings, comprehensions), the reference
//! orders fields by a graph of "comes before" edges taken from the
//! literals, sorted topologically with ties broken by name; this module
//! builds the same graph from the literals recorded while unifying:
//!
//! 1. Each struct literal unified into the vertex is one *use*, placed at
//!    the position of the reference that brought it in (the first one on
//!    the chain), or else at the position of its last field.
//! 2. Uses are taken in position order; uses at the same position, and
//!    uses that are operands of an explicit `&`, form one batch whose
//!    members do not order each other's fields.
//! 3. Within a use, each field comes after the one before it, and the
//!    first after the last fields of the previous batch. A field declared
//!    again by a later use in the same file adds nothing (its first place
//!    stands); across files, batches start afresh.
//! 4. The graph is sorted: among the fields that may come next, the
//!    smallest name first; inside a cycle (only explicit unifications make
//!    them) the field that breaks the fewest edges enters first.

use super::*;

/// One struct literal unified into a vertex: the literal, the reference
/// that brought it in (`NO_VIA` if written in place) and the previous use
/// recorded for the same vertex (`NO_USE` ends the chain).
#[derive(Clone, Copy, Debug)]
pub(super) struct StructUse {
    lit: ExprId,
    via: ExprId,
    next: u32,
}

pub(super) const NO_VIA: ExprId = ExprId::MAX;
const NO_USE: u32 = u32::MAX;

/// A use of a literal as the sort sees it.
struct Meta {
    lit: ExprId,
    via: ExprId,
    pos: Pos,
    file: usize,
    explicit: bool,
    dynamic: bool,
}

/// A field of the graph.
#[derive(Clone)]
struct Node {
    /// The use that placed it last (`u32::MAX`: none yet), and the file
    /// of that declaration (a package's files are one literal).
    meta: u32,
    file: u32,
    outgoing: SmallVec<[u32; 2]>,
    incoming: SmallVec<[u32; 2]>,
}

impl Default for Node {
    fn default() -> Node {
        Node {
            meta: u32::MAX,
            file: u32::MAX,
            outgoing: SmallVec::new(),
            incoming: SmallVec::new(),
        }
    }
}

/// Buffers `sort_fields` keeps between calls.
#[derive(Default)]
pub(super) struct OrderScratch {
    by_value: FastMap<ExprId, SmallVec<[(u32, Pos); 2]>>,
    dyn_labels: FastMap<ExprId, std::collections::VecDeque<Label>>,
    index: FastMap<Label, u32>,
    nodes: Vec<Node>,
    values: Vec<(ExprId, u32, Pos)>,
    dyn_values: Vec<ExprId>,
    leader: Vec<u32>,
    chained: Vec<bool>,
    leaders: FastMap<(ExprId, ExprId), u32>,
    labels: Vec<Label>,
}

impl Engine {
    /// Records that the struct literal `lit` is unified into `v`.
    pub(super) fn note_struct(&mut self, v: VId, lit: ExprId) {
        let vi = v as usize;
        if self.struct_head.len() <= vi {
            self.struct_head.resize(vi + 1, NO_USE);
        }
        let next = self.struct_head[vi];
        // (The same literal again through the same reference, as retries
        // and re-inlining make it, counts once: only the last is checked.)
        if let Some(u) = self.struct_uses.get(next as usize) {
            if next != NO_USE && u.lit == lit && u.via == self.via && !self.computes_labels(lit) {
                return;
            }
        }
        self.struct_head[vi] = self.struct_uses.len() as u32;
        self.struct_uses.push(StructUse {
            lit,
            via: self.via,
            next,
        });
    }

    fn computes_labels(&self, lit: ExprId) -> bool {
        match self.prog.expr(lit) {
            Expr::Struct(l) => l.decls.iter().any(|d| {
                matches!(
                    d,
                    Decl::Field {
                        label: FieldLabel::Dynamic(_),
                        ..
                    }
                )
            }),
            _ => false,
        }
    }

    /// Puts the fields of `v` in output order (see the module's notes).
    /// Done once per vertex, when it is exported.
    pub fn sort_fields(&mut self, v: VId) {
        let vx = &self.v[v as usize];
        if vx.flag(flags::FIELDS_SORTED) || vx.is_list() || vx.arcs.len() < 2 {
            return;
        }
        self.v[v as usize].set_flag(flags::FIELDS_SORTED, true);
        let mut uses: SmallVec<[StructUse; 4]> = SmallVec::new();
        let mut at = self.struct_head.get(v as usize).copied().unwrap_or(NO_USE);
        while at != NO_USE {
            let u = self.struct_uses[at as usize];
            uses.push(u);
            at = u.next;
        }
        // (A package's files are one literal, whose files order fields
        // each on their own.)
        if uses.len() < 2 && self.v[v as usize].parent().is_some() {
            return;
        }
        // Fields copied from values built elsewhere (builtin results) have
        // no literal here to order them by.
        if self.v[v as usize]
            .conjuncts
            .iter()
            .any(|c| matches!(c.kind, CKind::Vertex(_)))
        {
            return;
        }
        uses.reverse();
        let mut scratch = std::mem::take(&mut self.order_scratch);
        let order = self.field_order(v, &uses, &mut scratch);
        self.order_scratch = scratch;
        if let Some(order) = order {
            self.v[v as usize].arcs = order;
        }
    }

    fn lit(&self, e: ExprId) -> &StructLit {
        match self.prog.expr(e) {
            Expr::Struct(lit) => lit,
            _ => unreachable!("struct uses record struct literals"),
        }
    }

    fn field_order(
        &self,
        v: VId,
        uses: &[StructUse],
        sc: &mut OrderScratch,
    ) -> Option<ThinVec<VId>> {
        let arcs: &[VId] = &self.v[v as usize].arcs;
        let n = arcs.len();
        // One meta per use; a literal used again through the same
        // reference counts once, unless it computes labels (each use of a
        // comprehension's body gives its own).
        let mut metas: SmallVec<[Meta; 4]> = SmallVec::new();
        let mut computes = false;
        for u in uses {
            let lit = match self.prog.expr(u.lit) {
                Expr::Struct(lit) => lit,
                _ => return None,
            };
            let dynamic = lit.decls.iter().any(|d| {
                matches!(
                    d,
                    Decl::Field {
                        label: FieldLabel::Dynamic(_),
                        ..
                    }
                )
            });
            computes |= dynamic;
            if !dynamic && metas.iter().any(|m| m.lit == u.lit && m.via == u.via) {
                continue;
            }
            let pos = self.prog.pos[u.lit as usize];
            metas.push(Meta {
                lit: u.lit,
                via: u.via,
                pos,
                file: 0,
                explicit: false,
                dynamic: false,
            });
        }
        // Which uses declared each field value (a declaration is known by
        // its value's expression, which the field's conjuncts carry): a
        // map for large vertices, a scan for the rest.
        sc.by_value.clear();
        sc.values.clear();
        // Uses of one literal through one reference always sit together:
        // the first stands for the others (a comprehension's body is used
        // once per value it ranges over).
        sc.leader.clear();
        sc.leaders.clear();
        for (i, m) in metas.iter().enumerate() {
            let lead = if metas.len() > 8 {
                *sc.leaders.entry((m.lit, m.via)).or_insert(i as u32)
            } else {
                (metas[..i].iter())
                    .position(|x| x.lit == m.lit && x.via == m.via)
                    .unwrap_or(i) as u32
            };
            sc.leader.push(lead);
            if lead != i as u32 {
                continue;
            }
            for d in &self.lit(m.lit).decls {
                if let Some((value, pos)) = decl_value(self, d) {
                    sc.values.push((value, i as u32, pos));
                }
            }
        }
        // The values of declarations with computed labels (few: metas
        // of one comprehension share its body's).
        sc.dyn_values.clear();
        if computes {
            for m in &metas {
                for d in &self.lit(m.lit).decls {
                    if let Decl::Field {
                        label: FieldLabel::Dynamic(_),
                        value,
                        ..
                    } = *d
                    {
                        if !sc.dyn_values.contains(&value) {
                            sc.dyn_values.push(value);
                        }
                    }
                }
            }
        }
        let big = sc.values.len() > 32;
        if big {
            for &(value, i, pos) in &sc.values {
                sc.by_value.entry(value).or_default().push((i, pos));
            }
        }
        // Positions: a use sits where its last field (in the current order)
        // is declared, or where the reference that brought it in is.
        // Computed labels: the fields each dynamic declaration made.
        sc.dyn_labels.clear();
        let set_pos = |metas: &mut SmallVec<[Meta; 4]>, i: usize, pos: Pos| {
            let m = &mut metas[i];
            m.pos = match m.via {
                NO_VIA => pos,
                via => self.prog.pos[via as usize],
            };
        };
        for &a in arcs {
            let ax = &self.v[a as usize];
            let label = ax.label()?;
            for (k, c) in ax.conjuncts.iter().enumerate() {
                let CKind::Expr(x) = c.kind else { continue };
                if big {
                    if let Some(ms) = sc.by_value.get(&x) {
                        for &(i, pos) in ms.iter() {
                            set_pos(&mut metas, i as usize, pos);
                        }
                    }
                } else {
                    for &(value, i, pos) in &sc.values {
                        if value == x {
                            set_pos(&mut metas, i as usize, pos);
                        }
                    }
                }
                if computes
                    && sc.dyn_values.contains(&x)
                    && !ax.conjuncts[..k]
                        .iter()
                        .any(|p| matches!(p.kind, CKind::Expr(y) if y == x))
                {
                    sc.dyn_labels.entry(x).or_default().push_back(label);
                }
            }
        }
        for i in 0..metas.len() {
            let lead = sc.leader[i] as usize;
            if lead != i {
                metas[i].pos = metas[lead].pos;
            }
        }
        for m in metas.iter_mut() {
            m.file = self.prog.file_of(m.pos);
            if computes {
                m.dynamic = self.lit(m.lit).decls.iter().any(|d| match *d {
                    Decl::Field {
                        label: FieldLabel::Dynamic(_),
                        value,
                        ..
                    } => sc.dyn_labels.get(&value).is_some_and(|l| !l.is_empty()),
                    _ => false,
                });
            }
        }
        // Operands of `&` among the vertex's conjuncts and the literals'
        // embeddings are unified explicitly.
        let mut work: SmallVec<[ExprId; 8]> = self.v[v as usize]
            .conjuncts
            .iter()
            .filter_map(|c| match c.kind {
                CKind::Expr(e) => Some(e),
                _ => None,
            })
            .collect();
        for m in &metas {
            for d in &self.lit(m.lit).decls {
                if let Decl::Embed(e) = *d {
                    work.push(e);
                }
            }
        }
        let mut steps = 0usize;
        while let Some(e) = work.pop() {
            steps += 1;
            if steps > 10_000 {
                break;
            }
            if let Expr::Binary(BinaryOp::And, a, b) = *self.prog.expr(e) {
                for o in [a, b] {
                    for m in metas.iter_mut() {
                        if m.lit == o || m.via == o {
                            m.explicit = true;
                        }
                    }
                    work.push(o);
                }
            }
        }
        // Batches, in position order (uses that compute labels last among
        // equals, each alone).
        let mut sorted: SmallVec<[usize; 4]> = (0..metas.len()).collect();
        sorted.sort_by_key(|&i| (metas[i].pos, metas[i].dynamic));
        let explicit = |b: &[usize], metas: &[Meta]| b.len() > 1 || metas[b[0]].explicit;
        let mut batches: SmallVec<[SmallVec<[usize; 2]>; 4]> = SmallVec::new();
        let mut batch: SmallVec<[usize; 2]> = SmallVec::new();
        let push_batch = |batch: SmallVec<[usize; 2]>,
                          batches: &mut SmallVec<[SmallVec<[usize; 2]>; 4]>,
                          metas: &[Meta]| {
            if batch.is_empty() {
                return;
            }
            if let Some(last) = batches.last_mut() {
                if explicit(&batch, metas)
                    && explicit(last, metas)
                    && metas[batch[0]].file == metas[last[0]].file
                {
                    last.extend(batch);
                    return;
                }
            }
            batches.push(batch);
        };
        for &i in &sorted {
            if batch.is_empty() || (metas[batch[0]].pos == metas[i].pos && !metas[i].dynamic) {
                batch.push(i);
            } else {
                push_batch(std::mem::take(&mut batch), &mut batches, &metas);
                batch.push(i);
            }
        }
        push_batch(batch, &mut batches, &metas);
        // The graph: every field is a node, numbered as the arcs are (the
        // label of a declaration that made no field is skipped: it has no
        // place in the output).
        sc.nodes.clear();
        sc.nodes.resize_with(n, Node::default);
        sc.index.clear();
        sc.labels.clear();
        for &a in arcs {
            sc.labels.push(self.v[a as usize].label()?);
        }
        if n > 16 {
            for (i, &l) in sc.labels.iter().enumerate() {
                sc.index.insert(l, i as u32);
            }
        }
        let find = |sc: &OrderScratch, l: Label| -> Option<usize> {
            if n > 16 {
                sc.index.get(&l).map(|&i| i as usize)
            } else {
                sc.labels.iter().position(|&x| x == l)
            }
        };
        // Without explicit unification, in one file, each new field comes
        // after the one before: one chain, in which the fields no literal
        // declared take their places by name.
        let one_file =
            self.v[v as usize].parent().is_some() && metas.iter().all(|m| m.file == metas[0].file);
        if one_file && !batches.iter().any(|b| explicit(b, &metas)) {
            let mut chained = std::mem::take(&mut sc.chained);
            chained.clear();
            chained.resize(n, false);
            let mut chain: SmallVec<[usize; 16]> = SmallVec::new();
            for batch in &batches {
                for &root in batch.iter() {
                    for d in &self.lit(metas[root].lit).decls {
                        let Some(label) = decl_label(d, &mut sc.dyn_labels) else {
                            continue;
                        };
                        if let Some(k) = find(sc, label) {
                            if !chained[k] {
                                chained[k] = true;
                                chain.push(k);
                            }
                        }
                    }
                }
            }
            let mut rest: SmallVec<[usize; 8]> = (0..n).filter(|&k| !chained[k]).collect();
            sc.chained = chained;
            // (Most often the fields are in that order already.)
            if rest.is_empty() && chain.iter().enumerate().all(|(i, &k)| i == k) {
                return None;
            }
            rest.sort_by(|&a, &b| self.compare_labels(sc.labels[a], sc.labels[b]));
            let mut out: ThinVec<VId> = ThinVec::with_capacity(n);
            let (mut i, mut j) = (0, 0);
            while i < chain.len() || j < rest.len() {
                let take_rest = i == chain.len()
                    || (j < rest.len()
                        && self
                            .compare_labels(sc.labels[rest[j]], sc.labels[chain[i]])
                            .is_lt());
                if take_rest {
                    out.push(arcs[rest[j]]);
                    j += 1;
                } else {
                    out.push(arcs[chain[i]]);
                    i += 1;
                }
            }
            return Some(out);
        }
        let mut previous: SmallVec<[usize; 4]> = SmallVec::new();
        let mut prev_file: Option<usize> = None;
        for batch in &batches {
            let is_explicit = explicit(batch, &metas);
            let file = metas[batch[0]].file;
            if prev_file.is_some_and(|f| f != file) {
                previous.clear();
            }
            let mut next: SmallVec<[usize; 4]> = SmallVec::new();
            for &root in batch.iter() {
                metas[root].explicit = is_explicit;
                let mut prev = previous.clone();
                let mut decl_file = file;
                for d in &self.lit(metas[root].lit).decls {
                    // Declarations from another file (a package's files
                    // merged) start afresh, as another file's literal would.
                    if let Some(p) = decl_pos(d) {
                        let f = self.prog.file_of(p);
                        if f != decl_file {
                            prev.clear();
                            decl_file = f;
                        }
                    }
                    let Some(label) = decl_label(d, &mut sc.dyn_labels) else {
                        continue;
                    };
                    let Some(k) = find(sc, label) else { continue };
                    let placed = sc.nodes[k].meta;
                    let same_file = sc.nodes[k].file == decl_file as u32;
                    if placed == root as u32 && same_file {
                        continue;
                    }
                    if placed != u32::MAX && !metas[root].explicit && same_file {
                        continue;
                    }
                    sc.nodes[k].meta = root as u32;
                    sc.nodes[k].file = decl_file as u32;
                    for &p in &prev {
                        if !sc.nodes[p].outgoing.contains(&(k as u32)) {
                            sc.nodes[p].outgoing.push(k as u32);
                            sc.nodes[k].incoming.push(p as u32);
                        }
                    }
                    prev.clear();
                    prev.push(k);
                }
                next.extend(prev);
            }
            previous = next;
            prev_file = Some(file);
        }
        let order = self.sort_graph(&sc.labels, &sc.nodes);
        (order.len() == n).then(|| order.into_iter().map(|i| arcs[i]).collect())
    }

    /// Orders the graph's nodes: topologically, the smallest name first
    /// among those free to come next. Where that gets stuck, strongly
    /// connected components are entered as a whole.
    fn sort_graph(&self, labels: &[Label], nodes: &[Node]) -> Vec<usize> {
        let name_cmp = |a: usize, b: usize| self.compare_labels(labels[a], labels[b]);
        // Without cycles: take the smallest free node each time.
        let n = nodes.len();
        let mut waiting: Vec<u32> = nodes.iter().map(|x| x.incoming.len() as u32).collect();
        let mut free: Vec<usize> = (0..n).filter(|&i| waiting[i] == 0).collect();
        let mut sorted: Vec<usize> = Vec::with_capacity(n);
        while !free.is_empty() {
            let mut best = 0;
            for k in 1..free.len() {
                if name_cmp(free[k], free[best]).is_lt() {
                    best = k;
                }
            }
            let i = free.swap_remove(best);
            sorted.push(i);
            for &j in &nodes[i].outgoing {
                waiting[j as usize] -= 1;
                if waiting[j as usize] == 0 {
                    free.push(j as usize);
                }
            }
        }
        if sorted.len() == n {
            return sorted;
        }
        self.sort_graph_with_cycles(nodes, &name_cmp)
    }

    fn sort_graph_with_cycles(
        &self,
        nodes: &[Node],
        name_cmp: &dyn Fn(usize, usize) -> std::cmp::Ordering,
    ) -> Vec<usize> {
        let n = nodes.len();
        // Components (Tarjan), each with its nodes by name.
        let comp = strongly_connected(nodes);
        let ncomp = comp.iter().copied().max().map_or(0, |m| m + 1);
        let mut members: Vec<Vec<usize>> = vec![Vec::new(); ncomp];
        for (i, &c) in comp.iter().enumerate() {
            members[c].push(i);
        }
        for m in members.iter_mut() {
            m.sort_by(|&a, &b| name_cmp(a, b));
        }
        let mut comp_in: Vec<usize> = vec![0; ncomp];
        let mut comp_out: Vec<Vec<usize>> = vec![Vec::new(); ncomp];
        for (i, node) in nodes.iter().enumerate() {
            for &j in &node.outgoing {
                let (a, b) = (comp[i], comp[j as usize]);
                if a != b && !comp_out[a].contains(&b) {
                    comp_out[a].push(b);
                    comp_in[b] += 1;
                }
            }
        }
        let comp_cmp = |a: usize, b: usize| {
            let (x, y) = (&members[a], &members[b]);
            for (&p, &q) in x.iter().zip(y.iter()) {
                match name_cmp(p, q) {
                    std::cmp::Ordering::Equal => continue,
                    o => return o,
                }
            }
            x.len().cmp(&y.len())
        };
        let mut ready: Vec<usize> = (0..ncomp).filter(|&c| comp_in[c] == 0).collect();
        ready.sort_by(|&a, &b| comp_cmp(a, b));
        let mut position: Vec<usize> = vec![usize::MAX; n];
        let mut sorted: Vec<usize> = Vec::with_capacity(n);
        let is_sorted = |position: &[usize], i: usize| position[i] != usize::MAX;
        while !ready.is_empty() {
            let c = ready.remove(0);
            let mut free: Vec<usize> = members[c]
                .iter()
                .copied()
                .filter(|&i| (nodes[i].incoming.iter()).all(|&p| is_sorted(&position, p as usize)))
                .collect();
            let mut left = members[c].len();
            while left > 0 {
                let next = if free.is_empty() {
                    // A cycle: enter where the fewest edges are broken,
                    // then where a predecessor came earliest, then by name.
                    let key = |i: usize| {
                        let inc = &nodes[i].incoming;
                        let broken = inc
                            .iter()
                            .filter(|&&p| !is_sorted(&position, p as usize))
                            .count();
                        let since = inc
                            .iter()
                            .map(|&p| position[p as usize])
                            .min()
                            .unwrap_or(usize::MAX);
                        (broken, since)
                    };
                    match (members[c].iter().copied())
                        .filter(|&i| !is_sorted(&position, i))
                        .min_by(|&a, &b| key(a).cmp(&key(b)).then_with(|| name_cmp(a, b)))
                    {
                        Some(i) => i,
                        None => break,
                    }
                } else {
                    free.remove(0)
                };
                if is_sorted(&position, next) {
                    continue;
                }
                position[next] = sorted.len();
                sorted.push(next);
                left -= 1;
                let mut enabled = false;
                for &j in &nodes[next].outgoing {
                    let j = j as usize;
                    if comp[j] == c
                        && !is_sorted(&position, j)
                        && !free.contains(&j)
                        && (nodes[j].incoming.iter()).all(|&p| is_sorted(&position, p as usize))
                    {
                        free.push(j);
                        enabled = true;
                    }
                }
                if enabled {
                    free.sort_by(|&a, &b| name_cmp(a, b));
                }
            }
            let mut added = false;
            for &d in &comp_out[c] {
                comp_in[d] -= 1;
                if comp_in[d] == 0 {
                    ready.push(d);
                    added = true;
                }
            }
            if added {
                ready.sort_by(|&a, &b| comp_cmp(a, b));
            }
        }
        sorted
    }

    /// Field names in the order ties are broken: list indices first, by
    /// number, then names by their bytes.
    fn compare_labels(&self, a: Label, b: Label) -> std::cmp::Ordering {
        match (a, b) {
            (Label::Index(x), Label::Index(y)) => x.cmp(&y),
            (Label::Index(_), _) => std::cmp::Ordering::Less,
            (_, Label::Index(_)) => std::cmp::Ordering::Greater,
            _ => self.labels.str(a).cmp(&self.labels.str(b)),
        }
    }
}

/// The label a field declaration gives: its own, or for a computed one the
/// next of the labels it computed (in field order).
fn decl_label(
    d: &Decl,
    dyn_labels: &mut FastMap<ExprId, std::collections::VecDeque<Label>>,
) -> Option<Label> {
    match *d {
        Decl::Field {
            label: FieldLabel::Static(l),
            ..
        } => Some(l),
        Decl::Field {
            label: FieldLabel::Dynamic(_),
            value,
            ..
        } => dyn_labels.get_mut(&value).and_then(|q| q.pop_front()),
        _ => None,
    }
}

/// The value expression and position of a field or pattern declaration.
fn decl_value(en: &Engine, d: &Decl) -> Option<(ExprId, Pos)> {
    match *d {
        Decl::Field { value, pos, .. } => Some((value, pos)),
        Decl::Pattern { pattern, value } => Some((value, en.prog.pos[pattern as usize])),
        _ => None,
    }
}

/// Where a field or pattern is declared.
fn decl_pos(d: &Decl) -> Option<Pos> {
    match *d {
        Decl::Field { pos, .. } => Some(pos),
        _ => None,
    }
}

/// The strongly connected component of each node (Tarjan's algorithm,
/// iterative: field graphs can be long chains).
fn strongly_connected(nodes: &[Node]) -> Vec<usize> {
    let n = nodes.len();
    let mut index = vec![usize::MAX; n];
    let mut low = vec![0usize; n];
    let mut on_stack = vec![false; n];
    let mut stack: Vec<usize> = Vec::new();
    let mut comp = vec![usize::MAX; n];
    let mut next_index = 0;
    let mut ncomp = 0;
    for start in 0..n {
        if index[start] != usize::MAX {
            continue;
        }
        // (node, next outgoing edge to look at)
        let mut call: Vec<(usize, usize)> = vec![(start, 0)];
        index[start] = next_index;
        low[start] = next_index;
        next_index += 1;
        stack.push(start);
        on_stack[start] = true;
        while let Some(&mut (v, ref mut k)) = call.last_mut() {
            if let Some(&w) = nodes[v].outgoing.get(*k) {
                let w = w as usize;
                *k += 1;
                if index[w] == usize::MAX {
                    index[w] = next_index;
                    low[w] = next_index;
                    next_index += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    call.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            call.pop();
            if let Some(&(p, _)) = call.last() {
                low[p] = low[p].min(low[v]);
            }
            if low[v] == index[v] {
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    comp[w] = ncomp;
                    if w == v {
                        break;
                    }
                }
                ncomp += 1;
            }
        }
    }
    comp
}
