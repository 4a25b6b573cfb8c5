//! The evaluation engine: vertices (one per field value), the conjuncts that
//! define them, and their unification.
//!
//! A vertex collects conjuncts: expressions paired with the environment they
//! are evaluated in. Processing a vertex unifies them: struct literals add
//! arcs (child vertices) with conjuncts of their own, references to other
//! vertices contribute those vertices' conjuncts (so references inside them
//! resolve against the new place: spec, References), scalars meet in the
//! vertex's value. Children are processed lazily, when something needs them.
//!
//! Disjunctions are expanded by re-processing the vertex once per
//! combination of disjuncts (`choices`), keeping the combinations that do
//! not fail (spec: Disjunction, Default values).
//!
//! Closedness (spec: Closed structs, Definitions, Embedding) is tracked per
//! vertex as a small tree of `CloseNode`s that mirrors how conjuncts arrived:
//! a reference to a definition opens a closed node, a struct with
//! embeddings an embedding node; a field is allowed when every closed node
//! declares it somewhere below itself.

use std::collections::HashMap;
use std::rc::Rc;

use rcue_syntax::ast::{BinaryOp, Constraint, UnaryOp};
use smallvec::SmallVec;
use thin_vec::ThinVec;

use crate::fasthash::FastMap;
use crate::ir::*;
use crate::label::{Interner, Label, LabelKind};
use crate::limits::{Budget, Limits};
use crate::meet::{describe, meet, meet_owned};
use crate::num::Num;
use crate::value::*;

mod order;
use order::{OrderScratch, StructUse, NO_VIA};

pub type EnvId = u32;

/// Nesting of evaluation before "too deep" is reported.
pub const MAX_DEPTH: usize = 4_000;

/// Stack kept free at each level of processing and evaluation, and the
/// size of each extension when less is left: the recursion follows the
/// nesting of values (up to `MAX_DEPTH`), and embedders call in on threads
/// of any stack size.
const STACK_RED_ZONE: usize = 256 * 1024;
const STACK_GROWTH: usize = 8 << 20;
/// How often one expression may be evaluated as an operand inside its own
/// evaluation before it is taken for a structural cycle.
pub const MAX_SELF_NESTING: usize = 1;
/// Disjunctions expanded inside the candidates of other disjunctions before
/// the recursion is taken for a structural cycle (`#T: {sub: #T | #U}`).
pub const MAX_DISJ_NESTING: usize = 12;

#[derive(Clone, Debug)]
pub enum EnvKind {
    Root,
    Struct(VId),
    /// A comprehension's key and value, by index into `Engine::vars`
    /// (out of line: most environments are structs, and an environment
    /// is 12 bytes).
    Vars(u32),
    /// The label a pattern constraint applies to (interned: no string
    /// per environment).
    PatternLabel(Label),
}

#[derive(Clone, Debug)]
pub struct Env {
    /// The enclosing environment, `NO_ENV` for none (see `up()`).
    up: EnvId,
    pub kind: EnvKind,
}

const NO_ENV: EnvId = EnvId::MAX;

impl Env {
    pub fn up(&self) -> Option<EnvId> {
        (self.up != NO_ENV).then_some(self.up)
    }
}

#[derive(Clone, Copy, Debug)]
pub enum CKind {
    Expr(ExprId),
    /// A value, kept in `Engine::cvals` (`Engine::value_kind`): out of
    /// line, a conjunct is 16 bytes instead of 24, in every vertex.
    Value(u32),
    /// Every conjunct of another vertex (a reference's target).
    Vertex(VId),
}

#[derive(Clone, Debug)]
pub struct Conjunct {
    pub kind: CKind,
    pub env: EnvId,
    /// The closedness node, in the owning vertex, this conjunct belongs to.
    pub node: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeKind {
    Root,
    Plain,
    Def,
    Embed,
    Close,
}

#[derive(Clone, Debug)]
pub struct CloseNode {
    pub parent: u32,
    pub kind: NodeKind,
    /// The labels and patterns declared under this node, in one list
    /// behind one pointer: most nodes declare none (a node is 16 bytes:
    /// large configurations hold millions of them).
    pub decls: ThinVec<NodeDecl>,
    pub open: bool,
    /// Whether a struct literal arrived under this node: a definition
    /// closes structs, so a field of a definition declared `_` (or a
    /// scalar) does not restrict the fields it may later get.
    pub has_struct: bool,
    /// Whether this node mirrors one of the parent vertex's (`child_node`).
    /// A mirrored embedding absorbs the closedness only of the mirrored
    /// nodes below it: a node made in the field itself (its own `close()`
    /// or definition) is the field's value, not an embedded one.
    pub mirrored: bool,
}

/// A field label or a pattern constraint (an index into the vertex's
/// `patterns`) declared under one closedness node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeDecl {
    Label(Label),
    Pattern(u32),
}

impl CloseNode {
    pub fn new(parent: u32, kind: NodeKind) -> CloseNode {
        CloseNode {
            parent,
            kind,
            decls: ThinVec::new(),
            open: false,
            has_struct: false,
            mirrored: false,
        }
    }

    pub fn declares(&self, label: Label) -> bool {
        self.decls.contains(&NodeDecl::Label(label))
    }

    /// The patterns declared here (indices into the vertex's `patterns`).
    pub fn patterns(&self) -> impl Iterator<Item = usize> + '_ {
        self.decls.iter().filter_map(|d| match d {
            NodeDecl::Pattern(p) => Some(*p as usize),
            NodeDecl::Label(_) => None,
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ArcType {
    /// Not yet known to be declared.
    None,
    Optional,
    Required,
    Regular,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    New,
    Processing,
    Done,
}

#[derive(Clone, Debug)]
pub struct Pattern {
    pub pattern: ExprId,
    pub value: ExprId,
    pub env: EnvId,
    pub node: u32,
    pub matcher: Option<Value>,
    /// The reference its struct came in through (`Engine::via`).
    pub via: ExprId,
}

#[derive(Clone, Debug)]
pub struct ListLitInfo {
    pub len: usize,
    pub ellipsis: Option<Option<ExprId>>,
    pub env: EnvId,
    pub node: u32,
}

#[derive(Clone, Debug)]
pub struct DynFieldDecl {
    pub label: ExprId,
    pub constraint: Constraint,
    pub value: ExprId,
    pub env: EnvId,
    pub node: u32,
    pub pos: Pos,
    /// The first field with a static label declared after it in its
    /// literal: a new field it makes goes before that one, taking its
    /// declaration's place in field order.
    pub before: Option<Label>,
}

#[derive(Clone, Debug)]
pub struct Pending {
    pub comp: Rc<Comprehension>,
    pub env: EnvId,
    pub node: u32,
    /// The reference its struct came in through (`Engine::via`): its
    /// bodies came in the same way.
    pub via: ExprId,
}

/// A disjunction met while processing a vertex.
#[derive(Clone, Debug)]
pub struct DisjGroup {
    /// (Inline: most disjunctions have two or three disjuncts, and every
    /// field of every use of a definition meets its disjunctions again.)
    pub disjuncts: SmallVec<[(Conjunct, bool); 3]>,
    /// How deep inside chosen disjuncts it was met (`Vertex::choices`).
    pub level: u32,
}

#[derive(Clone, Debug)]
pub struct Vertex {
    /// The parent vertex, `NO_VERTEX` for none (see `parent()`).
    parent_id: VId,
    /// The label, packed (see `label()`): a field's id, an index with the
    /// top bit set, or `NO_LABEL`.
    label_bits: u32,
    pub arc_type: ArcType,
    pub conjuncts: SmallVec<[Conjunct; 1]>,
    pub state: State,
    pub arcs: ThinVec<VId>,
    pub value: Value,
    pub is_struct: bool,
    /// What few vertices need (see `Cold`); `None` for most.
    pub cold: Option<Box<Cold>>,
    /// The closedness nodes past the root and the mirror of the parent's
    /// (see `Nodes`); `None` for the seven vertices in eight that have
    /// neither.
    nodes: Option<Box<Nodes>>,
    /// The positions of `decl_pos()` (one per declaration, the first
    /// `n_decl`) then those of `pos()`, in one list: most vertices have
    /// four or fewer in all (kept inline: positions are one word).
    places: SmallVec<[Pos; 4]>,
    n_decl: u16,
    /// Rarely set conditions, one bit each (`flags`).
    flags: u8,
}

/// A vertex's closedness nodes, behind one pointer: one allocation for
/// both lists, where two vectors of their own cost two (and 8 bytes more
/// in every vertex).
#[derive(Clone, Debug, Default)]
pub struct Nodes {
    /// The nodes past the root (see `Vertex::node`): node 0, a plain root
    /// that most vertices have alone, is implied rather than stored.
    close: SmallVec<[CloseNode; 2]>,
    /// The node mirroring each node of the parent (see `child_node`),
    /// sorted by the parent node: searched by bisection (dozens of
    /// entries at most in practice, where a hash map cost an allocation
    /// and rehashes per vertex).
    mirror: SmallVec<[((VId, u32), u32); 1]>,
}

/// The parts of a vertex that few vertices use, behind one pointer: most
/// vertices are plain fields, and large configurations hold millions of
/// them (a vertex is 168 bytes with these out of line, over 300 with them
/// in).
/// Dropped again when processing ends with all of it empty.
#[derive(Clone, Debug, Default)]
pub struct Cold {
    /// The arcs by label, once there are more than `ARC_MAP_MIN` (most
    /// vertices have none or a few, found by scanning `arcs`).
    pub arc_map: Option<Box<FastMap<Label, VId>>>,
    /// The disjunct to take for each disjunction met, by level: level 0
    /// for those met among the vertex's conjuncts, level n+1 for those
    /// met while unifying a disjunct chosen at level n (a reference to
    /// another disjunction). Separate sequences, so that a chosen
    /// disjunct bringing its own disjunction does not shift the
    /// positions of the ones met after it.
    pub choices: ThinVec<ThinVec<usize>>,
    /// Where the value is, once a disjunction left one candidate.
    pub forward: Option<VId>,
    /// Why the value is bottom.
    pub err: Option<Rc<EvalError>>,
    pub lists: ThinVec<ListLitInfo>,
    pub patterns: ThinVec<Pattern>,
    pub pending: ThinVec<Pending>,
    pub pending_dyn: ThinVec<DynFieldDecl>,
    pub groups: ThinVec<DisjGroup>,
    /// Disjunctions met so far while processing at level 0, where nearly
    /// all are met (no list to allocate), then at levels 1, 2, ...
    pub seen_first: u32,
    pub seen_groups: ThinVec<usize>,
    /// The level of disjunctions met now.
    pub disj_level: u32,
    /// Validators to check once the value is complete.
    pub validators: ThinVec<(Rc<Validator>, Pos)>,
    /// Conjuncts that ran into a reference cycle, retried once the others
    /// are unified (spec: References, cycles that resolve).
    pub deferred: ThinVec<Conjunct>,
    /// Indices of conjuncts that are bodies of comprehensions, in
    /// increasing order, and whether each is a `for` body. Bodies are
    /// computed from this vertex's own values, so a reference to it does
    /// not take them (it runs the comprehensions itself). Also the
    /// reference the comprehension came in through (`Engine::via`).
    pub bodies: ThinVec<(usize, bool, ExprId)>,
    /// The candidates a disjunction left, each with whether it is a
    /// default (two or more: one left is the vertex's value).
    pub disjuncts: ThinVec<(VId, bool)>,
    /// The embeddings of struct literals met while processing, run once
    /// the vertex's conjuncts have declared their fields (`run_embeds`).
    pub embeds: ThinVec<Embeds>,
}

/// The embeddings of one struct literal, waiting for the fields of the
/// vertex's other conjuncts: an embedding that refers to a field
/// (`{#in: c: string, #in.c} & {#in: c: "b", _}`) must see all of it.
#[derive(Clone, Debug)]
pub struct Embeds {
    /// The struct literal (an `Expr::Struct`).
    pub lit: ExprId,
    pub env: EnvId,
    pub node: u32,
    /// The arcs the literal's fields made, by declaration index: where
    /// the embeddings' fields go in field order.
    pub rank: Vec<(VId, usize)>,
    /// Whether the literal is a comprehension's body (`Engine::generating`).
    pub generating: bool,
    /// The first vertex made after the literal's fields: arcs from here
    /// on that an embedding adds to were made by later conjuncts, and
    /// move to the embedding's place as if it had run in place.
    pub later: VId,
    /// The vertex's last arc when the literal was met: where embedded
    /// fields go when the literal declares no fields of its own.
    pub anchor: Option<VId>,
    /// The reference the literal came in through (`Engine::via`).
    pub via: ExprId,
}

/// `Vertex::parent_id` of a vertex without a parent.
const NO_VERTEX: VId = VId::MAX;

/// Pushes onto a list most vertices keep short (closedness nodes, list
/// literals, patterns): the first push makes room for one, where a
/// ThinVec would make room for four.
fn push_short<T>(list: &mut ThinVec<T>, x: T) {
    if list.capacity() == 0 {
        list.reserve_exact(1);
    }
    list.push(x);
}

/// Every vertex's node 0 (see `Vertex::node`).
static ROOT_NODE: CloseNode = CloseNode {
    parent: u32::MAX,
    kind: NodeKind::Root,
    decls: ThinVec::new(),
    open: false,
    has_struct: false,
    mirrored: false,
};

/// `Vertex::label_bits` of a vertex without a label.
const NO_LABEL: u32 = u32::MAX;
/// Marks an index label in `Vertex::label_bits`.
const INDEX_BIT: u32 = 1 << 31;

/// Bits of `Vertex::flags`.
pub mod flags {
    /// Pattern constraints have been applied to the arcs.
    pub const PATTERNS_APPLIED: u8 = 1;
    /// Every regular descendant has been processed.
    pub const FINALIZED: u8 = 2;
    /// Built to check validators, which it must not re-check.
    pub const NO_VALIDATORS: u8 = 4;
    /// Being processed again after a reference cycle.
    pub const RETRYING: u8 = 8;
    /// Created by a comprehension: such fields come first, as in the
    /// reference implementation's field order.
    pub const GENERATED: u8 = 16;
    /// Some arc is `GENERATED` (checked here rather than on every arc at
    /// the end of processing).
    pub const HAS_GENERATED: u8 = 32;
    /// The arcs are in output order (`Engine::sort_fields`).
    pub const FIELDS_SORTED: u8 = 64;
    /// Some conjunct came in through a reference (`Engine::inherited_via`).
    pub const VIA_INHERITED: u8 = 128;
}

impl Cold {
    /// Forgets what only guarded processing, once it ends: nothing unifies
    /// into a processed vertex again (a retry after a cycle starts these
    /// afresh), so the record of inlined vertices and the disjunction
    /// counts go. Returns whether nothing is left that matters.
    fn finish_processing(&mut self) -> bool {
        self.seen_groups = ThinVec::new();
        self.seen_first = 0;
        self.arc_map.is_none()
            && self.choices.is_empty()
            && self.forward.is_none()
            && self.err.is_none()
            && self.lists.is_empty()
            && self.patterns.is_empty()
            && self.pending.is_empty()
            && self.pending_dyn.is_empty()
            && self.groups.is_empty()
            && self.validators.is_empty()
            && self.deferred.is_empty()
            && self.bodies.is_empty()
            && self.disjuncts.is_empty()
            && self.embeds.is_empty()
    }
}

/// Read access to the fields of `Cold`: empty when a vertex has none.
macro_rules! cold_getters {
    ($($field:ident: $t:ty),* $(,)?) => {
        impl Vertex {
            $(
                pub fn $field(&self) -> &[$t] {
                    self.cold.as_deref().map_or(&[], |c| &c.$field)
                }
            )*
        }
    };
}

cold_getters!(
    lists: ListLitInfo,
    patterns: Pattern,
    pending: Pending,
    pending_dyn: DynFieldDecl,
    groups: DisjGroup,
    validators: (Rc<Validator>, Pos),
    deferred: Conjunct,
    bodies: (usize, bool, ExprId),
    disjuncts: (VId, bool),
);

impl Vertex {
    fn new(parent: Option<VId>, label: Option<Label>) -> Vertex {
        Vertex {
            parent_id: parent.unwrap_or(NO_VERTEX),
            label_bits: match label {
                None => NO_LABEL,
                // Interned ids and list indices stay far below 2^31
                // (sources are at most 512 MiB by default; a list that
                // long would not fit in memory).
                Some(Label::Field(id)) => id & !INDEX_BIT,
                Some(Label::Index(i)) => (i & !INDEX_BIT) | INDEX_BIT,
            },
            arc_type: ArcType::None,
            conjuncts: SmallVec::new(),
            state: State::New,
            arcs: ThinVec::new(),
            value: Value::Top,
            is_struct: false,
            cold: None,
            nodes: None,
            places: SmallVec::new(),
            n_decl: 0,
            flags: 0,
        }
    }

    /// Closedness node `n` (0 is the root).
    pub fn node(&self, n: u32) -> &CloseNode {
        match n {
            0 => &ROOT_NODE,
            _ => &self.close()[n as usize - 1],
        }
    }

    /// Node `n`, `None` past the last one (`u32::MAX`, the root's parent).
    fn get_node(&self, n: u32) -> Option<&CloseNode> {
        match n {
            0 => Some(&ROOT_NODE),
            _ => self.close().get(n as usize - 1),
        }
    }

    /// Node `n` to record in; `None` for the root, whose records
    /// (declared labels, `...`, struct literals) no closedness check reads:
    /// only nodes below it can close.
    fn node_mut(&mut self, n: u32) -> Option<&mut CloseNode> {
        match n {
            0 => None,
            _ => self.nodes.as_mut()?.close.get_mut(n as usize - 1),
        }
    }

    /// The closedness nodes past the root.
    fn close(&self) -> &[CloseNode] {
        self.nodes.as_deref().map_or(&[], |n| &n.close)
    }

    /// The node mirroring each node of the parent, by the parent's node.
    pub fn mirror(&self) -> &[((VId, u32), u32)] {
        self.nodes.as_deref().map_or(&[], |n| &n.mirror)
    }

    fn nodes_mut(&mut self) -> &mut Nodes {
        self.nodes.get_or_insert_with(Default::default)
    }

    /// How many of the conjuncts the vertex had before processing:
    /// processing appends only comprehension bodies (`bodies`), and
    /// disjunct candidates and a retry start from the others.
    pub fn orig_conjuncts(&self) -> usize {
        self.bodies().first().map_or(self.conjuncts.len(), |b| b.0)
    }

    /// How many closedness nodes there are, the root included.
    pub fn node_count(&self) -> usize {
        self.close().len() + 1
    }

    /// Every closedness node, the root first.
    pub fn nodes(&self) -> impl Iterator<Item = &CloseNode> {
        std::iter::once(&ROOT_NODE).chain(self.close().iter())
    }

    pub fn is_list(&self) -> bool {
        !self.lists().is_empty()
    }

    pub fn parent(&self) -> Option<VId> {
        (self.parent_id != NO_VERTEX).then_some(self.parent_id)
    }

    pub fn label(&self) -> Option<Label> {
        match self.label_bits {
            NO_LABEL => None,
            b if b & INDEX_BIT != 0 => Some(Label::Index(b & !INDEX_BIT)),
            b => Some(Label::Field(b)),
        }
    }

    pub fn flag(&self, f: u8) -> bool {
        self.flags & f != 0
    }

    pub fn set_flag(&mut self, f: u8, on: bool) {
        if on {
            self.flags |= f;
        } else {
            self.flags &= !f;
        }
    }

    /// Where the value comes from, as recorded: entries may be links to
    /// other vertices' positions (`Engine::positions` expands them).
    pub fn pos(&self) -> &[Pos] {
        &self.places[self.n_decl as usize..]
    }

    /// Where the field was declared, one position per declaration.
    pub fn decl_pos(&self) -> &[Pos] {
        &self.places[..self.n_decl as usize]
    }

    pub fn push_pos(&mut self, p: Pos) {
        self.places.push(p);
    }

    pub fn extend_pos(&mut self, ps: &[Pos]) {
        self.places.extend_from_slice(ps);
    }

    pub fn clear_pos(&mut self) {
        self.places.truncate(self.n_decl as usize);
    }

    pub fn set_pos(&mut self, ps: &[Pos]) {
        self.clear_pos();
        self.places.extend_from_slice(ps);
    }

    /// Records a declaration's position, once (past 65,535 declarations
    /// of one field, the rest go unnamed).
    pub fn add_decl_pos(&mut self, p: Pos) {
        if !self.decl_pos().contains(&p) && self.n_decl < u16::MAX {
            self.places.insert(self.n_decl as usize, p);
            self.n_decl += 1;
        }
    }

    /// Why the value is bottom, if it is.
    pub fn err(&self) -> Option<&Rc<EvalError>> {
        self.cold.as_ref().and_then(|c| c.err.as_ref())
    }

    /// Where the value is, once a disjunction left one candidate.
    pub fn forward(&self) -> Option<VId> {
        self.cold.as_ref().and_then(|c| c.forward)
    }

    /// The disjunct to take for each disjunction met, by level.
    pub fn choices(&self) -> &[ThinVec<usize>] {
        self.cold.as_deref().map_or(&[], |c| &c.choices)
    }

    /// The vertex's rarely used parts, made on first use.
    pub fn cold_mut(&mut self) -> &mut Cold {
        self.cold.get_or_insert_with(Default::default)
    }

    /// Takes one of the rarely used parts, leaving it empty.
    fn take_cold<T: Default>(&mut self, field: impl FnOnce(&mut Cold) -> &mut T) -> T {
        self.cold
            .as_mut()
            .map(|c| std::mem::take(field(c)))
            .unwrap_or_default()
    }
}

/// What `allowed_in_one_pass` folds up from each closedness node.
#[derive(Clone, Copy, Default)]
struct NodeFold {
    struct_below: bool,
    closed_below: bool,
    allows_below: bool,
    closed: bool,
    allows: bool,
    absorbed: bool,
}

pub struct Engine {
    /// Values of literal scalar disjuncts, by expression (`literal_scalar`).
    literal_cache: FastMap<ExprId, Value>,
    /// The disjunction a leaf field keeps when nothing decided it, by the
    /// first disjunct's expression: every use of a definition's field
    /// (`protocol: *"TCP" | "UDP"`) shares one list instead of two
    /// allocations each.
    leaf_disj_cache: FastMap<ExprId, Rc<Vec<(Value, bool)>>>,
    /// What `leaf_disjunction` decided for a disjunction of literal
    /// scalars met with a scalar: the same for every field that meets the
    /// same ones (a definition's `tier: *"backend" | "frontend"` in every
    /// use, with the value each use gives it).
    leaf_memo: FastMap<(ExprId, ScalarKey), LeafOutcome>,
    /// Scratch space of `allowed`, reused between calls.
    scratch_parents: Vec<usize>,
    scratch_fold: Vec<NodeFold>,
    pub prog: Program,
    pub labels: Interner,
    pub v: Vec<Vertex>,
    pub envs: Vec<Env>,
    /// The key and value of each comprehension environment (`EnvKind::Vars`).
    pub vars: Vec<(Value, Value)>,
    /// The values of `CKind::Value` conjuncts.
    pub cvals: Vec<Value>,
    let_cache: FastMap<(EnvId, ExprId), Value>,
    depth: usize,
    /// Vertices whose value is being computed for an expression: asking for
    /// one of them again is a reference cycle.
    evaluating: Vec<VId>,
    /// How many evaluations of each operand expression are under way.
    anon_active: FastMap<ExprId, usize>,
    disj_depth: usize,
    /// Why evaluation must stop (a limit of `budget` was reached): every
    /// further step fails fast with this message.
    pub stopped: Option<Rc<str>>,
    budget: Budget,
    eval_depth: usize,
    /// Nesting of `inline_vertex`.
    inline_depth: usize,
    /// The vertices inlined into each vertex being processed, with the
    /// closedness node each went under: (into, inlined, node). Entries are
    /// made while their vertex is processed and dropped when it is done,
    /// so those of the vertices being processed form a stack (kept here,
    /// the record cost a `Cold` box and a list per use of a definition).
    inlined: Vec<(VId, VId, u32)>,
    /// The comprehensions of vertices being processed that are running or
    /// still to run (`run_pending`): a field they may add is not known to
    /// be absent yet.
    comps_in_flight: Vec<(VId, Rc<Comprehension>)>,
    /// Vertices being processed whose fields a `for` clause ranged over:
    /// their set of fields is fixed from then on.
    iterated: Vec<VId>,
    /// The struct literals unified into each vertex, for the order of its
    /// fields in output (`order.rs`): one chain per vertex, from its head.
    struct_uses: Vec<StructUse>,
    struct_head: Vec<u32>,
    /// The first reference on the chain being inlined into the vertex
    /// being processed (`NO_VIA`: none).
    via: ExprId,
    /// The reference a field's conjunct came in through, when its struct
    /// did, by field and conjunct expression: the conjunct goes on from
    /// there (a field of a definition's use is placed where the use is).
    inherited_via: FastMap<(VId, ExprId), ExprId>,
    order_scratch: OrderScratch,
    /// The vertex whose waiting embeddings run now (`run_embeds`): struct
    /// literals they bring embed in place.
    embedding_into: VId,
    /// Computed labels being evaluated through an alias.
    labels_active: Vec<(EnvId, ExprId)>,
    /// Set while the body of a comprehension is unified.
    generating: bool,
    /// The root vertex of each imported non-standard package, by the key
    /// the compiler gave its imports.
    pub packages: HashMap<Rc<str>, VId>,
    /// Vertices below this id belong to a `Mark`: touching one in a way
    /// that could make it point at newer vertices sets `tainted`.
    frozen: VId,
    tainted: bool,
    /// Whether scalar disjunctions met at one vertex are multiplied out
    /// directly (`merge_scalar_groups`); off, every combination is tried
    /// as a candidate. Tests compare both.
    pub merge_scalar_disjunctions: bool,
    /// Set while a disjunction whose candidates all failed is expanded
    /// again without merging, for the reference's messages.
    exact_disjunctions: bool,
    /// How many times scalar groups were merged (to tell whether an
    /// expansion's messages could be affected).
    merges: u64,
}

/// The sizes of the engine's stores at one moment, so that everything
/// added after it can be dropped again (`vet` evaluates each data document
/// this way, in memory bounded by one document instead of the stream).
#[derive(Clone, Copy, Debug)]
pub struct Mark {
    vertices: usize,
    envs: usize,
    vars: usize,
    cvals: usize,
    exprs: usize,
    struct_uses: usize,
}

/// Scalar disjunction groups of one vertex multiplied out
/// (`Engine::merge_scalar_groups`).
struct MergedDisj {
    /// How many of the vertex's groups, from the first, took part.
    prefix: usize,
    /// Each distinct value, whether it is a default, and the first
    /// combination (one choice per merged group) that gives it.
    disjuncts: MergedValues,
}

/// For each disjunction group, the earlier group it repeats
/// (`Engine::repeated_groups`).
type SameAs = SmallVec<[Option<usize>; 8]>;

/// The values of merged scalar disjunctions: a few, inline.
type MergedValues = SmallVec<[(Value, bool, Choice); 4]>;

/// The disjunct chosen in each of a vertex's disjunction groups (a few
/// groups at most in practice: inline).
type Choice = SmallVec<[usize; 4]>;

/// A scalar a field holds before its disjunction is expanded, as the key
/// of `Engine::leaf_memo` (other values are not memoized).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum ScalarKey {
    Top,
    Null,
    Bool(bool),
    Str(Text),
    /// Coefficient, exponent and whether it is an int: one `Num` exactly.
    Num(i64, i64, bool),
}

impl ScalarKey {
    fn of(v: &Value) -> Option<ScalarKey> {
        Some(match v {
            Value::Top => ScalarKey::Top,
            Value::Null => ScalarKey::Null,
            Value::Bool(b) => ScalarKey::Bool(*b),
            Value::Str(t) => ScalarKey::Str(t.clone()),
            Value::Num(n) => {
                use num_traits::ToPrimitive;
                ScalarKey::Num(n.coef.to_i64()?, n.exp, n.is_int)
            }
            _ => return None,
        })
    }
}

/// A memoized `leaf_disjunction`: the value, and the positions of the
/// chosen literals the field adds to its own (`None`: it keeps its own).
#[derive(Clone, Debug)]
struct LeafOutcome {
    /// The disjuncts' expressions, to confirm a hit.
    disjuncts: SmallVec<[(ExprId, bool); 4]>,
    value: Value,
    positions: Option<SmallVec<[Pos; 4]>>,
}

/// Entries `leaf_memo` holds at most: a bound on what a configuration of
/// ever-new values can cost, far above what the same definitions used
/// many times need.
const LEAF_MEMO_MAX: usize = 1 << 16;

/// The value of an interpolation from its parts and the values of its
/// expressions (strings, bytes, numbers, booleans or null), in order.
fn interpolate(parts: &[InterpPart], vals: &[Value], bytes: bool) -> Value {
    let has_bytes = parts.iter().any(|p| matches!(p, InterpPart::Bytes(_)))
        || vals.iter().any(|v| matches!(v, Value::Bytes(_)));
    let mut vals = vals.iter();
    if bytes || has_bytes {
        let mut out: Vec<u8> = Vec::new();
        for p in parts {
            match p {
                InterpPart::Text(t) => out.extend_from_slice(t.as_bytes()),
                InterpPart::Bytes(b) => out.extend_from_slice(b),
                InterpPart::Expr(_) => match vals.next() {
                    Some(Value::Str(s)) => out.extend_from_slice(s.as_bytes()),
                    Some(Value::Bytes(b)) => out.extend_from_slice(b),
                    Some(Value::Num(n)) => out.extend_from_slice(n.to_json().as_bytes()),
                    Some(Value::Bool(b)) => out.extend_from_slice(b.to_string().as_bytes()),
                    _ => out.extend_from_slice(b"null"),
                },
            }
        }
        return match bytes {
            true => Value::Bytes(Rc::new(out)),
            false => Value::Str(Text::from(String::from_utf8_lossy(&out).as_ref())),
        };
    }
    let known: usize = parts
        .iter()
        .map(|p| match p {
            InterpPart::Text(t) => t.len(),
            _ => 0,
        })
        .sum::<usize>()
        + vals
            .clone()
            .map(|v| match v {
                Value::Str(s) => s.len(),
                _ => 8,
            })
            .sum::<usize>();
    let mut out = String::with_capacity(known);
    for p in parts {
        match p {
            InterpPart::Text(t) => out.push_str(t),
            InterpPart::Bytes(_) => {}
            InterpPart::Expr(_) => match vals.next() {
                Some(Value::Str(s)) => out.push_str(s),
                Some(Value::Num(n)) => n.write_json(&mut out),
                Some(Value::Bool(b)) => out.push_str(if *b { "true" } else { "false" }),
                _ => out.push_str("null"),
            },
        }
    }
    Value::Str(Text::from(out))
}

/// Values `merge_scalar_groups` can meet without an engine.
fn is_plain_scalar(v: &Value) -> bool {
    match v {
        Value::Top
        | Value::Null
        | Value::Bool(_)
        | Value::Num(_)
        | Value::Str(_)
        | Value::Bytes(_)
        | Value::Kind(_)
        | Value::Bound(..) => true,
        Value::Conj(parts) => parts
            .iter()
            .all(|p| matches!(p, Value::Kind(_) | Value::Bound(..))),
        _ => false,
    }
}

/// Whether two scalars are the same value written the same way (so one
/// may stand for the other in output): shared numbers, equal strings.
fn identical_scalar(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Top, Value::Top) | (Value::Null, Value::Null) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Kind(x), Value::Kind(y)) => x == y,
        (Value::Str(x), Value::Str(y)) => x == y,
        (Value::Num(x), Value::Num(y)) => Rc::ptr_eq(x, y),
        (Value::Bound(o1, v1), Value::Bound(o2, v2)) => o1 == o2 && identical_scalar(v1, v2),
        (Value::Conj(x), Value::Conj(y)) => Rc::ptr_eq(x, y),
        _ => false,
    }
}

/// Whether two plain scalars are the same value (kind included: `1` and
/// `1.0` are different disjuncts).
fn same_scalar(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Top, Value::Top) => true,
        (Value::Kind(x), Value::Kind(y)) => x == y,
        (Value::Bound(o1, v1), Value::Bound(o2, v2)) => o1 == o2 && same_scalar(v1, v2),
        (Value::Conj(x), Value::Conj(y)) => {
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(p, q)| same_scalar(p, q))
        }
        _ => atoms_equal(a, b) == Some(true) && a.kind() == b.kind(),
    }
}

/// A leaf candidate's value and positions (`Engine::leaf_candidate`):
/// `None` when it fails.
type LeafValue = Option<(Value, SmallVec<[Pos; 4]>)>;

/// Arcs a vertex holds before it indexes them by label.
const ARC_MAP_MIN: usize = 8;

/// What an `a?` marker of a `try` clause gives when `a` is missing; the
/// clause looks for it (see `Clause::Try`).
const ABSENT: &str = "value of optional marker (?) is absent";

fn add_err(slot: &mut Option<Rc<EvalError>>, e: Rc<EvalError>) {
    match slot {
        None => *slot = Some(e),
        Some(old) => {
            // Keep the most permanent error.
            if old.is_incomplete() && !e.is_incomplete() {
                *slot = Some(e);
            }
        }
    }
}

impl Engine {
    pub fn new(prog: Program, labels: Interner) -> Engine {
        Engine {
            literal_cache: FastMap::default(),
            leaf_disj_cache: FastMap::default(),
            leaf_memo: FastMap::default(),
            scratch_parents: Vec::new(),
            scratch_fold: Vec::new(),
            prog,
            labels,
            v: Vec::new(),
            envs: vec![Env {
                up: NO_ENV,
                kind: EnvKind::Root,
            }],
            vars: Vec::new(),
            cvals: Vec::new(),
            let_cache: FastMap::default(),
            packages: HashMap::new(),
            depth: 0,
            evaluating: Vec::new(),
            anon_active: FastMap::default(),
            disj_depth: 0,
            stopped: None,
            budget: Budget::new(Limits::default()),
            eval_depth: 0,
            inline_depth: 0,
            inlined: Vec::new(),
            comps_in_flight: Vec::new(),
            embedding_into: NO_VERTEX,
            iterated: Vec::new(),
            struct_uses: Vec::new(),
            struct_head: Vec::new(),
            via: NO_VIA,
            inherited_via: FastMap::default(),
            order_scratch: OrderScratch::default(),
            labels_active: Vec::new(),
            generating: false,
            frozen: 0,
            tainted: false,
            merge_scalar_disjunctions: true,
            exact_disjunctions: false,
            merges: 0,
        }
    }

    /// Where `v` is declared, or else where its first expression is.
    fn where_defined(&self, mut v: VId) -> Vec<Pos> {
        loop {
            let vx = &self.v[v as usize];
            if !vx.decl_pos().is_empty() {
                return vx.decl_pos().to_vec();
            }
            let first = vx.conjuncts.iter().find_map(|c| match c.kind {
                CKind::Expr(e) => Some(self.pos_of(e)),
                _ => None,
            });
            match (first, vx.parent()) {
                (Some(p), _) => return vec![p],
                (None, Some(up)) => v = up,
                (None, None) => return Vec::new(),
            }
        }
    }

    /// Replaces the resource limits; a timeout counts from now.
    pub fn set_limits(&mut self, limits: Limits) {
        self.budget = Budget::new(limits);
    }

    pub fn limits(&self) -> &Limits {
        &self.budget.limits
    }

    /// Records the stores' sizes; `release` drops what was added since.
    pub fn mark(&mut self) -> Mark {
        self.frozen = self.v.len() as VId;
        self.tainted = false;
        Mark {
            vertices: self.v.len(),
            envs: self.envs.len(),
            vars: self.vars.len(),
            cvals: self.cvals.len(),
            exprs: self.prog.exprs.len(),
            struct_uses: self.struct_uses.len(),
        }
    }

    /// Drops the vertices, environments and expressions added since `m`,
    /// unless evaluation since then changed a vertex older than the mark
    /// (processed it for the first time, gave it arcs or conjuncts): such a
    /// vertex may now point at newer ones, so everything is kept. Returns
    /// whether the stores were reset.
    pub fn release(&mut self, m: Mark) -> bool {
        let reset = !self.tainted && self.evaluating.is_empty() && self.depth == 0;
        self.frozen = 0;
        self.tainted = false;
        if !reset {
            return false;
        }
        self.v.truncate(m.vertices);
        self.envs.truncate(m.envs);
        self.vars.truncate(m.vars);
        self.cvals.truncate(m.cvals);
        self.prog.exprs.truncate(m.exprs);
        self.prog.pos.truncate(m.exprs);
        self.struct_uses.truncate(m.struct_uses);
        if !self.inherited_via.is_empty() {
            let (nv, nx) = (m.vertices as VId, m.exprs as ExprId);
            self.inherited_via
                .retain(|&(v, x), via| v < nv && x < nx && *via < nx);
        }
        self.struct_head.truncate(m.vertices);
        let (nv, ne, nx) = (m.vertices as VId, m.envs as EnvId, m.exprs as ExprId);
        self.let_cache
            .retain(|&(env, e), val| env < ne && e < nx && !refers_past(val, nv));
        self.literal_cache.retain(|&e, _| e < nx);
        self.leaf_disj_cache
            .retain(|&e, ds| e < nx && !ds.iter().any(|(x, _)| refers_past(x, nv)));
        self.leaf_memo.retain(|(e, _), out| {
            *e < nx && out.disjuncts.iter().all(|&(x, _)| x < nx) && !refers_past(&out.value, nv)
        });
        if self.v.len() < self.budget.limits.max_values
            && self
                .stopped
                .as_deref()
                .is_some_and(|m| m.contains("--max-values"))
        {
            self.stopped = None;
        }
        debug_assert!(self.check_below(nv, ne, nx).is_ok());
        true
    }

    /// Checks that no vertex refers to a vertex, environment or expression
    /// at or past the given sizes (what `release` relies on).
    pub fn check_below(&self, nv: VId, ne: EnvId, nx: ExprId) -> Result<(), String> {
        let ck = |c: &Conjunct| -> bool {
            c.env < ne
                && match &c.kind {
                    CKind::Expr(e) => *e < nx,
                    CKind::Value(i) => self
                        .cvals
                        .get(*i as usize)
                        .is_some_and(|val| !refers_past(val, nv)),
                    CKind::Vertex(w) => *w < nv,
                }
        };
        for (i, vx) in self.v.iter().enumerate() {
            let bad = vx.arcs.iter().any(|&a| a >= nv)
                || vx.forward().is_some_and(|f| f >= nv)
                || vx.parent().is_some_and(|p| p >= nv)
                || vx.disjuncts().iter().any(|&(d, _)| d >= nv)
                || vx
                    .pos()
                    .iter()
                    .any(|p| p.as_link().is_some_and(|w| w >= nv))
                || refers_past(&vx.value, nv)
                || !vx.conjuncts.iter().all(ck)
                || !vx.deferred().iter().all(ck)
                || vx.patterns().iter().any(|p| p.env >= ne || p.value >= nx);
            if bad {
                return Err(format!(
                    "vertex {i} ({}) refers past the mark",
                    self.path(i as VId)
                ));
            }
        }
        for (i, env) in self.envs.iter().enumerate() {
            let bad = env.up().is_some_and(|u| u >= ne)
                || match &env.kind {
                    EnvKind::Struct(w) => *w >= nv,
                    EnvKind::Vars(i) => {
                        let kv = &self.vars[*i as usize];
                        refers_past(&kv.0, nv) || refers_past(&kv.1, nv)
                    }
                    _ => false,
                };
            if bad {
                return Err(format!("environment {i} refers past the mark"));
            }
        }
        Ok(())
    }

    /// Notes a change to `v`: if it is older than the current mark, the
    /// mark can no longer be released.
    fn touch(&mut self, v: VId) {
        if v < self.frozen {
            self.tainted = true;
        }
    }

    pub fn new_vertex(&mut self, parent: Option<VId>, label: Option<Label>) -> VId {
        if self.stopped.is_none() {
            self.stopped = self.budget.step().map(Rc::from);
        }
        if self.v.len() >= self.budget.limits.max_values && self.stopped.is_none() {
            let msg = format!(
                "evaluation too large: more than {} values (--max-values)",
                self.budget.limits.max_values
            );
            self.stopped = Some(msg.into());
        }
        self.v.push(Vertex::new(parent, label));
        (self.v.len() - 1) as VId
    }

    /// The environment kind of a comprehension's key and value.
    fn vars_of(&mut self, key: Value, val: Value) -> EnvKind {
        self.vars.push((key, val));
        EnvKind::Vars((self.vars.len() - 1) as u32)
    }

    pub fn new_env(&mut self, up: Option<EnvId>, kind: EnvKind) -> EnvId {
        self.envs.push(Env {
            up: up.unwrap_or(NO_ENV),
            kind,
        });
        (self.envs.len() - 1) as EnvId
    }

    /// Arc `i` of `v`, for loops that may touch the vertex store: indexing
    /// again on each turn instead of copying the arcs first (arcs are only
    /// ever appended, and sorted while the vertex is processed).
    pub fn arc_at(&self, v: VId, i: usize) -> Option<VId> {
        self.v[v as usize].arcs.get(i).copied()
    }

    /// The elements of list vertex `v`: its index arcs. A list may also
    /// have definitions and hidden fields (`{#a: 1, [1]}`); `finish_lists`
    /// puts those after the elements, so one look at the last arc settles
    /// the common case.
    pub fn elems(&self, v: VId) -> &[VId] {
        let arcs = &self.v[v as usize].arcs;
        let is_elem = |a: &VId| matches!(self.v[*a as usize].label(), Some(Label::Index(_)));
        match arcs.last() {
            Some(last) if !is_elem(last) => {
                &arcs[..arcs.iter().position(|a| !is_elem(a)).unwrap_or(arcs.len())]
            }
            _ => arcs,
        }
    }

    /// Records error `e` on `v` (see `add_err`).
    fn fail(&mut self, v: VId, e: Rc<EvalError>) {
        add_err(&mut self.v[v as usize].cold_mut().err, e);
    }

    pub fn add_conjunct(&mut self, v: VId, c: Conjunct) {
        self.touch(v);
        self.v[v as usize].conjuncts.push(c);
    }

    /// Follows disjunction resolution to the vertex that holds the value.
    pub fn deref(&self, mut v: VId) -> VId {
        while let Some(f) = self.v[v as usize].forward() {
            v = f;
        }
        v
    }

    /// The path of a vertex from the root, as `cue` prints it.
    pub fn path(&self, v: VId) -> String {
        let mut parts = Vec::new();
        let mut cur = Some(v);
        while let Some(c) = cur {
            let vx = &self.v[c as usize];
            if let Some(l) = vx.label() {
                parts.push(self.labels.path_elem(l));
            }
            cur = vx.parent();
        }
        parts.reverse();
        parts.join(".")
    }

    fn in_definition_or_hidden(&self, v: VId) -> bool {
        let mut cur = Some(v);
        while let Some(c) = cur {
            let vx = &self.v[c as usize];
            if let Some(l) = vx.label() {
                if !self.labels.is_regular(l) {
                    return true;
                }
            }
            cur = vx.parent();
        }
        false
    }

    fn in_definition(&self, v: VId) -> bool {
        let mut cur = Some(v);
        while let Some(c) = cur {
            let vx = &self.v[c as usize];
            if let Some(l) = vx.label() {
                if matches!(
                    self.labels.kind(l),
                    LabelKind::Definition | LabelKind::HiddenDefinition
                ) {
                    return true;
                }
            }
            cur = vx.parent();
        }
        false
    }

    fn is_ancestor(&self, a: VId, mut v: VId) -> bool {
        loop {
            if a == v {
                return true;
            }
            match self.v[v as usize].parent() {
                Some(p) => v = p,
                None => return false,
            }
        }
    }

    // ---- closedness nodes ----

    fn new_node(&mut self, v: VId, parent: u32, kind: NodeKind) -> u32 {
        self.new_node_as(v, parent, kind, false)
    }

    /// `new_node`, marked as mirroring a node of the parent vertex or not.
    fn new_node_as(&mut self, v: VId, parent: u32, kind: NodeKind, mirrored: bool) -> u32 {
        let nodes = &mut self.v[v as usize].nodes_mut().close;
        nodes.push(CloseNode {
            mirrored,
            ..CloseNode::new(parent, kind)
        });
        nodes.len() as u32
    }

    /// The node in `child` mirroring node `n` of its parent `v` (closedness
    /// of definitions applies to all nested structs; `close()` does not).
    fn child_node(&mut self, v: VId, n: u32, child: VId) -> u32 {
        if n == 0 {
            return 0;
        }
        let at = match self.find_mirror(v, n, child) {
            Ok(m) => return m,
            Err(at) => at,
        };
        // Room for the chain of ancestors at once: under the OPM catalog's
        // definitions chains of dozens of nodes grew both lists by
        // doubling, for every field.
        let mut chain = 0;
        let mut m = n;
        while let Some(node) = self.v[v as usize].get_node(m).filter(|_| m != 0) {
            chain += 1;
            m = node.parent;
        }
        if chain > 1 {
            let nodes = self.v[child as usize].nodes_mut();
            nodes.close.reserve(chain);
            nodes.mirror.reserve(chain);
        }
        self.add_mirror(v, n, child, at)
    }

    /// The node of `child` mirroring node `n` of its parent `v`, or where
    /// its entry would go.
    #[inline]
    fn find_mirror(&self, v: VId, n: u32, child: VId) -> Result<u32, usize> {
        let mirror = self.v[child as usize].mirror();
        mirror
            .binary_search_by_key(&(v, n), |e| e.0)
            .map(|i| mirror[i].1)
    }

    /// Mirrors node `n` of `v` in `child`, which has no mirror of it yet
    /// (its entry goes at `at`), after the ancestors not mirrored either.
    fn add_mirror(&mut self, v: VId, n: u32, child: VId, at: usize) -> u32 {
        let src = self.v[v as usize].node(n);
        let (src_parent, src_kind) = (src.parent, src.kind);
        debug_assert!(src_parent < n, "a node's parent is made before it");
        let before = self.v[child as usize].mirror().len();
        let parent = match src_parent {
            0 => 0,
            p => match self.find_mirror(v, p, child) {
                Ok(m) => m,
                Err(at) => self.add_mirror(v, p, child, at),
            },
        };
        let kind = match src_kind {
            NodeKind::Def => NodeKind::Def,
            NodeKind::Embed => NodeKind::Embed,
            _ => NodeKind::Plain,
        };
        let m = self.new_node_as(child, parent, kind, true);
        let mirror = &mut self.v[child as usize].nodes_mut().mirror;
        // The ancestors' entries went before this one (a node's parent
        // has a lower number): it moved by as many.
        let at = at + (mirror.len() - before);
        mirror.insert(at, ((v, n), m));
        m
    }

    /// Maps node `m` of vertex `w` into `v`, below `base`.
    fn graft_node(
        &mut self,
        w: VId,
        m: u32,
        v: VId,
        base: u32,
        map: &mut SmallVec<[(u32, u32); 8]>,
    ) -> u32 {
        if m == 0 {
            return base;
        }
        // (A few nodes per graft: a scan beats hashing, and needs no
        // allocation.)
        if let Some(&(_, x)) = map.iter().find(|e| e.0 == m) {
            return x;
        }
        let src = self.v[w as usize].node(m);
        let (src_parent, src_kind, mirrored) = (src.parent, src.kind, src.mirrored);
        let parent = self.graft_node(w, src_parent, v, base, map);
        // Grafted into an embedding made here, the value's nodes are all
        // embedded: an embedding among them absorbs what is below it.
        // Elsewhere they keep what they were.
        let mirrored = mirrored
            && !(base != 0 && {
                let b = self.v[v as usize].node(base);
                b.kind == NodeKind::Embed && !b.mirrored
            });
        let x = self.new_node_as(v, parent, src_kind, mirrored);
        map.push((m, x));
        x
    }

    fn node_is_ancestor(&self, v: VId, a: u32, mut n: u32) -> bool {
        loop {
            if a == n {
                return true;
            }
            if n == 0 || n == u32::MAX {
                return false;
            }
            n = self.v[v as usize].node(n).parent;
        }
    }

    /// Whether a definition node lies on the path from `n` up to its
    /// ancestor `a` (`a` itself excluded).
    fn def_between(&self, v: VId, a: u32, mut n: u32) -> bool {
        while n != a && n != 0 && n != u32::MAX {
            let node = self.v[v as usize].node(n);
            if node.kind == NodeKind::Def {
                return true;
            }
            n = node.parent;
        }
        false
    }

    /// Whether node `n` of `v` or one of its ancestors is a definition or
    /// `close()`.
    fn closed_above(&self, v: VId, n: u32) -> bool {
        self.kind_above(v, n, |k| matches!(k, NodeKind::Def | NodeKind::Close))
    }

    /// Whether node `n` of `v` or one of its ancestors is of a kind `want`
    /// accepts.
    fn kind_above(&self, v: VId, mut n: u32, want: impl Fn(NodeKind) -> bool) -> bool {
        let vx = &self.v[v as usize];
        while let Some(node) = vx.get_node(n) {
            if want(node.kind) {
                return true;
            }
            n = node.parent;
        }
        false
    }

    /// Records a label or pattern declared under node `n` of `v`. Only
    /// closed nodes ask what their subtree declares (`allowed`), and a
    /// node's kind and ancestors never change: with no node on its path
    /// to the root that can close (a definition, `close()`, or an
    /// embedding, which a closed embedded value closes), the list would
    /// never be read (most nodes of a large configuration are such).
    fn declare_in_node(&mut self, v: VId, n: u32, decl: NodeDecl) {
        if self.may_close_above(v, n) {
            if let Some(node) = self.v[v as usize].node_mut(n) {
                node.decls.push(decl);
            }
        }
    }

    /// Whether node `n` of `v` or one of its ancestors can be closed.
    fn may_close_above(&self, v: VId, n: u32) -> bool {
        self.kind_above(v, n, |k| {
            matches!(k, NodeKind::Def | NodeKind::Close | NodeKind::Embed)
        })
    }

    /// Whether a struct literal arrived at node `i` or below it.
    fn struct_below(&self, v: VId, i: usize, children: &[Vec<usize>]) -> bool {
        self.v[v as usize].node(i as u32).has_struct
            || children[i]
                .iter()
                .any(|&c| self.struct_below(v, c, children))
    }

    fn node_closed(&self, v: VId, i: usize, children: &[Vec<usize>]) -> bool {
        let n = self.v[v as usize].node(i as u32);
        match n.kind {
            NodeKind::Close => true,
            NodeKind::Def if self.struct_below(v, i, children) => true,
            NodeKind::Def | NodeKind::Embed => children[i]
                .iter()
                .any(|&c| self.node_closed(v, c, children)),
            _ => false,
        }
    }

    fn subtree_allows(&mut self, v: VId, i: usize, label: Label, children: &[Vec<usize>]) -> bool {
        let n = self.v[v as usize].node(i as u32);
        if n.open || n.declares(label) {
            return true;
        }
        // (Copied out: matching a pattern evaluates it.)
        let patterns: SmallVec<[usize; 4]> = n.patterns().collect();
        for p in patterns {
            if self.pattern_matches(v, p, label) {
                return true;
            }
        }
        children[i]
            .iter()
            .any(|&c| self.subtree_allows(v, c, label, children))
    }

    fn allowed(&mut self, v: VId, label: Label) -> bool {
        if !self.labels.is_regular(label) {
            return true;
        }
        let n = self.v[v as usize].node_count();
        if n == 1 {
            return true;
        }
        // Scratch space kept between calls (this runs for every field of
        // every closed struct); a nested call finds it taken and makes its own.
        let mut parents = std::mem::take(&mut self.scratch_parents);
        parents.clear();
        parents.push(u32::MAX as usize);
        parents.extend(self.v[v as usize].close().iter().map(|c| c.parent as usize));
        if (1..n).all(|i| parents[i] < i) {
            let ok = self.allowed_in_one_pass(v, label, &parents);
            self.scratch_parents = parents;
            return ok;
        }
        self.scratch_parents = parents;
        let mut children = vec![Vec::new(); n];
        for i in 1..n {
            let p = self.v[v as usize].node(i as u32).parent as usize;
            children[p].push(i);
        }
        for i in 1..n {
            if self.absorbed(v, i as u32) || !self.node_closed(v, i, &children) {
                continue;
            }
            if !self.subtree_allows(v, i, label, &children) {
                return false;
            }
        }
        true
    }

    /// Whether the closedness of node `i` is absorbed by the struct it is
    /// embedded in: its parent is an embedding, and either that embedding
    /// was made in `v` or `i` mirrors a node embedded in the parent vertex.
    fn absorbed(&self, v: VId, i: u32) -> bool {
        let node = self.v[v as usize].node(i);
        let parent = self.v[v as usize].node(node.parent);
        parent.kind == NodeKind::Embed && (!parent.mirrored || node.mirrored)
    }

    /// `allowed` when every node comes after its parent (as nodes are
    /// created): one pass from the last node to the first folds each
    /// subtree into its root, where asking each closed node about its own
    /// subtree took time quadratic in the nodes (thousands of them where
    /// definitions are inlined into definitions).
    fn allowed_in_one_pass(&mut self, v: VId, label: Label, parents: &[usize]) -> bool {
        let n = parents.len();
        let mut f = std::mem::take(&mut self.scratch_fold);
        f.clear();
        f.resize(n, NodeFold::default());
        for i in (1..n).rev() {
            let node = self.v[v as usize].node(i as u32);
            let parent = self.v[v as usize].node(parents[i] as u32);
            // (`absorbed`, inline: this runs for every node of every field.)
            f[i].absorbed = parent.kind == NodeKind::Embed && (!parent.mirrored || node.mirrored);
            let has_struct = node.has_struct || f[i].struct_below;
            f[i].closed = match node.kind {
                NodeKind::Close => true,
                NodeKind::Def if has_struct => true,
                NodeKind::Def | NodeKind::Embed => f[i].closed_below,
                _ => false,
            };
            let mut ok = node.open || node.declares(label) || f[i].allows_below;
            if !ok {
                let patterns: SmallVec<[usize; 4]> = node.patterns().collect();
                for p in patterns {
                    if self.pattern_matches(v, p, label) {
                        ok = true;
                        break;
                    }
                }
            }
            f[i].allows = ok;
            let (p, closed) = (parents[i], f[i].closed);
            f[p].struct_below |= has_struct;
            f[p].closed_below |= closed;
            f[p].allows_below |= ok;
        }
        let ok = (1..n).all(|i| f[i].absorbed || !f[i].closed || f[i].allows);
        self.scratch_fold = f;
        ok
    }

    // ---- arcs ----

    pub fn arc(&self, v: VId, label: Label) -> Option<VId> {
        let vx = &self.v[v as usize];
        match vx.cold.as_ref().and_then(|c| c.arc_map.as_ref()) {
            Some(m) => m.get(&label).copied(),
            None => vx
                .arcs
                .iter()
                .copied()
                .find(|&a| self.v[a as usize].label() == Some(label)),
        }
    }

    /// Appends arc `a` (labelled `label`) to `v`.
    fn push_arc(&mut self, v: VId, label: Label, a: VId) {
        let vx = &mut self.v[v as usize];
        vx.arcs.push(a);
        if let Some(m) = vx.cold.as_mut().and_then(|c| c.arc_map.as_mut()) {
            m.insert(label, a);
        } else if vx.arcs.len() > ARC_MAP_MIN {
            let arcs = std::mem::take(&mut vx.arcs);
            let mut m = FastMap::default();
            m.reserve(arcs.len());
            for &x in &arcs {
                if let Some(l) = self.v[x as usize].label() {
                    m.insert(l, x);
                }
            }
            let vx = &mut self.v[v as usize];
            vx.arcs = arcs;
            vx.cold_mut().arc_map = Some(Box::new(m));
        }
    }

    fn get_or_create_arc(&mut self, v: VId, label: Label) -> VId {
        if let Some(a) = self.arc(v, label) {
            return a;
        }
        self.touch(v);
        let a = self.new_vertex(Some(v), Some(label));
        if self.generating {
            self.v[a as usize].set_flag(flags::GENERATED, true);
            self.v[v as usize].set_flag(flags::HAS_GENERATED, true);
        }
        self.push_arc(v, label, a);
        if self.v[v as usize].flag(flags::PATTERNS_APPLIED) {
            self.apply_patterns_to(v, a);
        }
        a
    }

    // ---- processing ----

    /// Unifies all conjuncts of `v`: after this, its arcs and value are known
    /// (the arcs themselves are processed lazily).
    pub fn process(&mut self, v: VId) {
        if self.v[v as usize].state != State::New {
            return;
        }
        rcue_syntax::stack::grow(STACK_RED_ZONE, STACK_GROWTH, || self.process_new(v))
    }

    fn process_new(&mut self, v: VId) {
        if self.v[v as usize].state != State::New {
            return;
        }
        self.touch(v);
        if self.stopped.is_none() {
            self.stopped = self.budget.step().map(Rc::from);
        }
        if let Some(msg) = &self.stopped {
            let e = Rc::new(EvalError {
                kind: ErrKind::Eval,
                msg: msg.to_string(),
                pos: self.where_defined(v),
            });
            self.fail(v, e);
            self.v[v as usize].state = State::Done;
            return;
        }
        if self.depth > MAX_DEPTH {
            let e = EvalError::new(
                ErrKind::Eval,
                format!("evaluation too deep: more than {MAX_DEPTH} nested values"),
            );
            self.fail(v, e);
            self.v[v as usize].state = State::Done;
            return;
        }
        self.depth += 1;
        if self.v[v as usize]
            .err()
            .is_some_and(|e| e.kind == ErrKind::Cycle)
        {
            // A previous attempt ran into a cycle: start afresh, now that
            // more of the values around may be known.
            let vx = &mut self.v[v as usize];
            // (Before the bodies are forgotten: they mark where the
            // original conjuncts end.)
            let n = vx.orig_conjuncts();
            if let Some(c) = &mut vx.cold {
                c.err = None;
            }
            vx.value = Value::Top;
            vx.clear_pos();
            if let Some(c) = &mut vx.cold {
                c.seen_groups.clear();
                c.seen_first = 0;
                c.groups.clear();
                c.validators.clear();
                c.deferred.clear();
                c.bodies.clear();
                c.embeds.clear();
            }
            vx.conjuncts.truncate(n);
        }
        self.v[v as usize].state = State::Processing;
        let inlined_before = self.inlined.len();
        let comps_before = self.comps_in_flight.len();
        let iterated_before = self.iterated.len();
        let via = std::mem::replace(&mut self.via, NO_VIA);
        let orig_nodes = self.v[v as usize].node_count();
        self.unify_conjuncts_from(v, 0);
        let deferred = self.v[v as usize].take_cold(|c| &mut c.deferred);
        if !deferred.is_empty() {
            self.v[v as usize].set_flag(flags::RETRYING, true);
            for c in deferred {
                self.unify_conjunct(v, c);
            }
            // (Struct literals among them left their embeddings waiting.)
            while self.run_embeds(v) {}
            self.v[v as usize].set_flag(flags::RETRYING, false);
        }
        if !self.v[v as usize].is_list() && self.v[v as usize].flag(flags::HAS_GENERATED) {
            let mut arcs = std::mem::take(&mut self.v[v as usize].arcs);
            arcs.sort_by_key(|&a| !self.v[a as usize].flag(flags::GENERATED));
            self.v[v as usize].arcs = arcs;
        }
        self.finish_lists(v);
        self.apply_patterns(v);
        if !self.v[v as usize].groups().is_empty() {
            self.expand_disjunctions(v, orig_nodes);
        } else {
            self.check_closedness(v);
            self.check_kind(v);
        }
        let vx = &mut self.v[v as usize];
        vx.state = State::Done;
        if vx.cold.as_mut().is_some_and(|c| c.finish_processing()) {
            vx.cold = None;
        }
        if self.v[v as usize]
            .err()
            .is_some_and(|e| e.kind == ErrKind::Cycle)
            && self.is_scalar_vertex(v)
        {
            // Let a later request evaluate it again.
            self.v[v as usize].state = State::New;
        }
        self.inlined.truncate(inlined_before);
        self.comps_in_flight.truncate(comps_before);
        self.iterated.truncate(iterated_before);
        self.via = via;
        self.depth -= 1;
    }

    /// Unifies the conjuncts of `v` from the `i`th on, and those they add,
    /// with the embeddings, computed labels and comprehensions they bring.
    fn unify_conjuncts_from(&mut self, v: VId, mut i: usize) {
        let original = self.v[v as usize].conjuncts.len();
        loop {
            while i < self.v[v as usize].conjuncts.len() {
                let c = self.v[v as usize].conjuncts[i].clone();
                // Conjuncts past the original ones are comprehension bodies.
                // (Searched by bisection: a `for` over 10^4 values adds as
                // many bodies.)
                let bodies = self.v[v as usize].bodies();
                let body = match i >= original {
                    true => bodies
                        .binary_search_by_key(&i, |b| b.0)
                        .ok()
                        .map(|k| bodies[k]),
                    false => None,
                };
                let gen = body.is_some_and(|b| b.1);
                let outer = std::mem::replace(&mut self.generating, gen);
                let via = match body {
                    Some(b) => std::mem::replace(&mut self.via, b.2),
                    None => match c.kind {
                        CKind::Expr(x) if self.v[v as usize].flag(flags::VIA_INHERITED) => {
                            let inherited = self.inherited_via.get(&(v, x)).copied();
                            std::mem::replace(&mut self.via, inherited.unwrap_or(NO_VIA))
                        }
                        _ => self.via,
                    },
                };
                self.unify_conjunct(v, c);
                self.generating = outer;
                self.via = via;
                i += 1;
            }
            if self.run_embeds(v) {
                continue;
            }
            let dyn_added = self.run_dyn(v);
            if !self.run_pending(v) && !dyn_added {
                break;
            }
        }
    }

    /// A struct evaluated already gets one more conjunct (a comprehension
    /// adds to a field its clauses read: `if x.a == 1 {x: b: 2}`). The
    /// conjunct is unified into it in place, as processing would have, and
    /// the walk that completes values visits it again. (Values taken from
    /// it before keep what they saw.) Disjunctions, lists and failed
    /// values keep what they were.
    #[cold]
    fn extend_done(&mut self, a: VId) {
        let ax = &self.v[a as usize];
        if ax.err().is_some()
            || ax.is_list()
            || !matches!(ax.value, Value::Top)
            || !ax.groups().is_empty()
            || ax.flag(flags::RETRYING)
        {
            return;
        }
        let from = ax.conjuncts.len() - 1;
        self.v[a as usize].state = State::Processing;
        let inlined_before = self.inlined.len();
        let comps_before = self.comps_in_flight.len();
        let iterated_before = self.iterated.len();
        let via = std::mem::replace(&mut self.via, NO_VIA);
        self.unify_conjuncts_from(a, from);
        self.via = via;
        if self.v[a as usize].groups().is_empty() {
            self.check_closedness(a);
            self.check_kind(a);
        }
        self.v[a as usize].state = State::Done;
        self.inlined.truncate(inlined_before);
        self.comps_in_flight.truncate(comps_before);
        self.iterated.truncate(iterated_before);
        // Completed subtrees above it are complete no more.
        let mut cur = Some(a);
        while let Some(c) = cur {
            if !self.v[c as usize].flag(flags::FINALIZED) {
                break;
            }
            self.v[c as usize].set_flag(flags::FINALIZED, false);
            cur = self.v[c as usize].parent();
        }
    }

    /// Processes the comprehensions waiting in `v`; returns whether any ran
    /// (and so new conjuncts may need unifying).
    fn run_pending(&mut self, v: VId) -> bool {
        let pending = self.v[v as usize].take_cold(|c| &mut c.pending);
        if pending.is_empty() {
            return false;
        }
        (self.comps_in_flight).extend(pending.iter().map(|p| (v, p.comp.clone())));
        // A comprehension that cannot run yet (`if x > 3` while `x` is
        // still `int`) waits while the others add fields; it fails once
        // none adds any.
        let mut waiting: Vec<(Pending, Rc<EvalError>)> = Vec::new();
        let mut added = false;
        for p in pending {
            let mut bodies = Vec::new();
            let r = self.comprehend(&p.comp, p.env, &mut bodies);
            if let Err(e) = r {
                if e.is_incomplete() {
                    waiting.push((p, e));
                } else {
                    self.fail(v, e);
                }
                continue;
            }
            let body_expr = p.comp.body;
            if bodies.is_empty() {
                if let Some(else_body) = p.comp.else_body {
                    bodies.push((else_body, p.env));
                }
            } else {
                bodies = bodies
                    .into_iter()
                    .map(|(_, env)| (body_expr, env))
                    .collect();
            }
            // Bodies of `for` comprehensions are new structs without a
            // source position: their fields come first.
            let is_for = p
                .comp
                .clauses
                .iter()
                .any(|c| matches!(c, Clause::For { .. }));
            for (expr, env) in bodies {
                let c = Conjunct {
                    kind: CKind::Expr(expr),
                    env,
                    node: p.node,
                };
                let n = self.v[v as usize].conjuncts.len();
                push_short(
                    &mut self.v[v as usize].cold_mut().bodies,
                    (n, is_for, p.via),
                );
                self.v[v as usize].conjuncts.push(c);
                added = true;
            }
        }
        if added {
            let cold = self.v[v as usize].cold_mut();
            cold.pending.extend(waiting.into_iter().map(|(p, _)| p));
        } else {
            for (_, e) in waiting {
                self.fail(v, e);
            }
        }
        true
    }

    /// `x.f == _|_` cannot be decided while `x` is being processed, `f` is
    /// not there and a comprehension of `x` still to finish may add it
    /// (`b: {if a.x == _|_ {y: 1}}, a: {if b.y == _|_ {x: 1}}`): a cycle,
    /// as in the reference. One whose comprehensions cannot add `f` is
    /// settled: `f` is absent.
    fn undecided_field(&mut self, e: ExprId, env: EnvId) -> Option<Rc<EvalError>> {
        let Expr::Select(base, label) = *self.prog.expr(e) else {
            return None;
        };
        if self.comps_in_flight.is_empty() {
            return None;
        }
        let Value::Vertex(w) = self.eval(base, env) else {
            return None;
        };
        let w = self.deref(w);
        if self.v[w as usize].state != State::Processing || self.arc(w, label).is_some() {
            return None;
        }
        if !(self.comps_in_flight.iter())
            .filter(|(x, _)| *x == w)
            .any(|(_, c)| self.may_yield(c, label))
        {
            return None;
        }
        Some(self.err_at(
            ErrKind::Cycle,
            format!("cyclic reference to field {}", self.labels.name(label)),
            e,
        ))
    }

    /// Whether comprehension `c` may add field `label`: one of its bodies
    /// declares it, or computes labels or embeds values, which may.
    fn may_yield(&self, c: &Comprehension, label: Label) -> bool {
        [Some(c.body), c.else_body].into_iter().flatten().any(|b| {
            let Expr::Struct(lit) = self.prog.expr(b) else {
                return true;
            };
            lit.decls.iter().any(|d| match d {
                Decl::Field {
                    label: FieldLabel::Static(l),
                    ..
                } => *l == label,
                Decl::Field { .. } | Decl::Embed(_) => true,
                Decl::Comprehension(c) => self.may_yield(c, label),
                Decl::Pattern { .. } | Decl::Ellipsis(_) => false,
            })
        })
    }

    /// Runs the clauses of a comprehension, collecting the environment of
    /// each body to yield.
    fn comprehend(
        &mut self,
        c: &Comprehension,
        env: EnvId,
        out: &mut Vec<(ExprId, EnvId)>,
    ) -> Result<(), Rc<EvalError>> {
        self.clauses(c, 0, env, out)
    }

    fn clauses(
        &mut self,
        c: &Comprehension,
        i: usize,
        env: EnvId,
        out: &mut Vec<(ExprId, EnvId)>,
    ) -> Result<(), Rc<EvalError>> {
        let Some(clause) = c.clauses.get(i) else {
            out.push((c.body, env));
            return Ok(());
        };
        match clause {
            Clause::If(cond) => match self.eval(*cond, env) {
                Value::Bool(true) => self.clauses(c, i + 1, env, out),
                Value::Bool(false) => Ok(()),
                Value::Bottom(e) => Err(e),
                // The reference's wording: a value that may still become a
                // bool is incomplete; anything else is the wrong type.
                other if !other.is_atom() && other.kind() & kind::BOOL != 0 => Err(self.err_at(
                    ErrKind::Incomplete,
                    format!("incomplete bool: {}", describe(&other)),
                    *cond,
                )),
                other => Err(self.err_at(
                    ErrKind::Eval,
                    format!(
                        "cannot use {} (type {}) as type bool",
                        describe(&other),
                        kind_name(other.kind())
                    ),
                    *cond,
                )),
            },
            Clause::Try(e) => {
                let val = self.eval_keep(*e, env);
                if let Value::Bottom(err) = &val {
                    if err.msg == ABSENT {
                        return Ok(());
                    }
                }
                let kind = self.vars_of(val, Value::Top);
                let env2 = self.new_env(Some(env), kind);
                self.clauses(c, i + 1, env2, out)
            }
            Clause::Let(e) => {
                let val = self.eval_keep(*e, env);
                let kind = self.vars_of(val, Value::Top);
                let env2 = self.new_env(Some(env), kind);
                self.clauses(c, i + 1, env2, out)
            }
            Clause::For { source, value_used } => {
                let src = self.eval(*source, env);
                let w = match src {
                    Value::Vertex(w) => self.deref(w),
                    Value::Bottom(e) => return Err(e),
                    other => {
                        let kind = if other.is_atom() {
                            ErrKind::Eval
                        } else {
                            ErrKind::Incomplete
                        };
                        return Err(self.err_at(
                            kind,
                            format!("cannot range over {}", describe(&other)),
                            *source,
                        ));
                    }
                };
                self.process(w);
                if self.v[w as usize].state == State::Processing && !self.iterated.contains(&w) {
                    self.iterated.push(w);
                }
                let arcs = self.v[w as usize].arcs.clone();
                for a in arcs {
                    if let Some(msg) = &self.stopped {
                        return Err(self.err_at(ErrKind::Eval, msg.to_string(), *source));
                    }
                    let a = self.deref(a);
                    let label = self.v[a as usize].label();
                    let Some(label) = label else { continue };
                    if !self.labels.is_regular(label)
                        || self.v[a as usize].arc_type != ArcType::Regular
                    {
                        continue;
                    }
                    let key = match label {
                        Label::Index(i) => Value::num(Num::int(i as i64)),
                        Label::Field(_) => Value::Str(self.labels.name_rc(label)),
                    };
                    // The parent's processing settled which arcs are
                    // regular fields; a blank value needs no more (as in
                    // the reference, whose value is a lazy reference).
                    let val = if *value_used {
                        self.vertex_value(a)
                    } else {
                        Value::Top
                    };
                    let kind = self.vars_of(key, val);
                    let env2 = self.new_env(Some(env), kind);
                    self.clauses(c, i + 1, env2, out)?;
                }
                Ok(())
            }
        }
    }

    /// The value a vertex stands for in an expression: its scalar value, or
    /// itself for structs and lists. Processes it if needed.
    pub fn vertex_value(&mut self, w: VId) -> Value {
        let w = self.deref(w);
        if self.v[w as usize].state == State::New {
            self.process(w);
        }
        let w = self.deref(w);
        let vx = &self.v[w as usize];
        if let Some(e) = vx.err() {
            return Value::Bottom(e.clone());
        }
        if !vx.disjuncts().is_empty() {
            return Value::Vertex(w);
        }
        if vx.is_struct || vx.is_list() || !(vx.arcs.is_empty() || vx.value.is_atom()) {
            return Value::Vertex(w);
        }
        // A scalar with definitions or hidden fields beside it (`{3, #a: 1}`)
        // is used as the scalar, unless those fields are in error.
        let value = vx.value.clone();
        let mut i = 0;
        while let Some(a) = self.arc_at(w, i) {
            i += 1;
            if let Some(e) = self.first_error(a) {
                return Value::Bottom(e);
            }
        }
        value
    }

    fn unify_conjunct(&mut self, v: VId, c: Conjunct) {
        if self.stopped.is_none() {
            self.stopped = self.budget.step().map(Rc::from);
        }
        match c.kind {
            CKind::Value(i) => {
                let val = self.cvals[i as usize].clone();
                self.unify_value(v, val, c.node, None)
            }
            CKind::Vertex(w) => self.inline_vertex(v, w, c.node, false),
            CKind::Expr(e) => self.unify_expr(v, e, c.env, c.node),
        }
    }

    fn unify_expr(&mut self, v: VId, e: ExprId, env: EnvId, node: u32) {
        // Matched in place, taking copies or `Rc`s of what each arm needs
        // (cloning the whole expression per conjunct was a measurable cost).
        match *self.prog.expr(e) {
            Expr::Struct(ref lit) => {
                let lit = lit.clone();
                self.unify_struct(v, &lit, env, node, e)
            }
            Expr::List(ref lit) => {
                let lit = lit.clone();
                self.unify_list(v, &lit, env, node)
            }
            Expr::Binary(BinaryOp::And, a, b) => {
                // Literal constraints (`int & >0 & <65536`) meet as one
                // value, made once per expression: met side by side, each
                // use of a definition built the conjunction again. A
                // conflict is left to the sides, for their messages.
                if self.is_literal_scalar(e) {
                    let val = self.literal_scalar(e, env);
                    let m = meet_owned(&self.v[v as usize].value, val);
                    if !m.is_bottom() {
                        let mut pos: SmallVec<[Pos; 4]> = SmallVec::new();
                        self.literal_positions(e, &mut pos);
                        let vx = &mut self.v[v as usize];
                        vx.extend_pos(&pos);
                        vx.value = m;
                        return;
                    }
                }
                self.unify_expr(v, a, env, node);
                self.unify_expr(v, b, env, node);
            }
            Expr::Disjunction(ref ds) => {
                let disjuncts = ds
                    .iter()
                    .map(|&(d, def)| {
                        (
                            Conjunct {
                                kind: CKind::Expr(d),
                                env,
                                node,
                            },
                            def,
                        )
                    })
                    .collect();
                self.add_group(
                    v,
                    DisjGroup {
                        disjuncts,
                        level: 0,
                    },
                );
            }
            Expr::Call(f, ref args)
                if args.len() == 1
                    && matches!(self.prog.expr(f), Expr::Builtin(BuiltinFn::Close)) =>
            {
                let arg = args[0];
                let n = self.new_node(v, node, NodeKind::Close);
                self.unify_expr(v, arg, env, n);
            }
            Expr::Ref(_) | Expr::Select(..) | Expr::Index(..) => {
                let outer = self.via;
                if outer == NO_VIA {
                    self.via = e;
                }
                self.unify_ref(v, e, env, node);
                self.via = outer;
            }
            // A bound or regular expression of a literal (`>0`, `=~"^a"`):
            // one value per expression, not one per field of every use
            // of a definition.
            Expr::Unary(op, x)
                if !matches!(op, UnaryOp::Not | UnaryOp::Default) && self.is_literal_scalar(x) =>
            {
                let val = self.literal_scalar(e, env);
                self.unify_value(v, val, node, Some(e));
            }
            _ => {
                let val = self.eval_keep(e, env);
                if self.defer_cycle(v, &val, e, env, node) {
                    return;
                }
                self.unify_value(v, val, node, Some(e));
            }
        }
    }

    /// Unifies the target of reference `e` into `v`.
    fn unify_ref(&mut self, v: VId, e: ExprId, env: EnvId, node: u32) {
        match self.resolve_vertex(e, env) {
            Ok(Some(w)) => {
                // A target that evaluates to a plain scalar contributes
                // its value: cheaper than re-unifying its conjuncts, and
                // the same result (closedness does not apply to scalars).
                let wd = self.process_unless_cyclic(w, v);
                // (Not a disjunction kept as a value: its conjuncts
                // carry the positions messages name.)
                if self.v[wd as usize].state == State::Done
                    && self.is_scalar_vertex(wd)
                    && !matches!(self.v[wd as usize].value, Value::Disj(_))
                {
                    let val = match self.v[wd as usize].err() {
                        Some(err) => Value::Bottom(err.clone()),
                        None => self.v[wd as usize].value.clone(),
                    };
                    // The target's positions, by a link when there
                    // are several (`Pos::link`).
                    match *self.v[wd as usize].pos() {
                        [] => {}
                        [p] => self.v[v as usize].push_pos(p),
                        _ => self.v[v as usize].push_pos(Pos::link(wd)),
                    }
                    self.unify_value(v, val, node, Some(e));
                    return;
                }
                let def = self.in_definition(w);
                self.inline_vertex(v, w, node, def);
            }
            Ok(None) => {
                let val = self.eval_keep(e, env);
                if self.defer_cycle(v, &val, e, env, node) {
                    return;
                }
                self.unify_value(v, val, node, Some(e));
            }
            Err(err) => {
                let err = self.with_pos(err, e);
                self.fail(v, err);
            }
        }
    }

    /// Processes the target `w` of a reference met at `v` if it is new and
    /// processing it now is no cycle (it is not an ancestor of `v` nor
    /// being evaluated); the vertex holding its value.
    fn process_unless_cyclic(&mut self, w: VId, v: VId) -> VId {
        let w = self.deref(w);
        if self.v[w as usize].state == State::New
            && !self.is_ancestor(w, v)
            && !self.evaluating.contains(&w)
        {
            self.process(w);
        }
        self.deref(w)
    }

    /// Sets a conjunct aside when it ran into a reference cycle and this is
    /// the first attempt.
    fn defer_cycle(&mut self, v: VId, val: &Value, e: ExprId, env: EnvId, node: u32) -> bool {
        let cyclic = matches!(val, Value::Bottom(err) if err.kind == ErrKind::Cycle);
        if cyclic && self.v[v as usize].flag(flags::RETRYING) && self.v[v as usize].value.is_atom()
        {
            // Still cyclic, but the value is known from the other conjuncts:
            // the cycle resolves through them, and the other side checks
            // this conjunct when it is evaluated with that value.
            return true;
        }
        if cyclic && !self.v[v as usize].flag(flags::RETRYING) {
            self.v[v as usize].cold_mut().deferred.push(Conjunct {
                kind: CKind::Expr(e),
                env,
                node,
            });
            return true;
        }
        false
    }

    fn add_group(&mut self, v: VId, mut g: DisjGroup) {
        let vx = &mut self.v[v as usize];
        let cold = vx.cold.get_or_insert_with(Default::default);
        let level = cold.disj_level as usize;
        let idx = if level == 0 {
            cold.seen_first += 1;
            cold.seen_first as usize - 1
        } else {
            if cold.seen_groups.len() < level {
                cold.seen_groups.resize(level, 0);
            }
            cold.seen_groups[level - 1] += 1;
            cold.seen_groups[level - 1] - 1
        };
        if let Some(&choice) = vx.choices().get(level).and_then(|c| c.get(idx)) {
            // Disjunctions are met in the same order when a candidate is
            // re-processed; if evaluation took another path, this
            // candidate is not a valid combination.
            match g.disjuncts.get(choice) {
                Some((c, _)) => {
                    let c = c.clone();
                    self.v[v as usize].cold_mut().disj_level += 1;
                    self.unify_conjunct(v, c);
                    self.v[v as usize].cold_mut().disj_level -= 1;
                }
                None => {
                    let e = EvalError::new(
                        ErrKind::Eval,
                        "disjunction changed while it was being expanded".to_string(),
                    );
                    self.fail(v, e);
                }
            }
        } else {
            g.level = level as u32;
            push_short(&mut self.v[v as usize].cold_mut().groups, g);
        }
    }

    fn unify_value(&mut self, v: VId, val: Value, node: u32, src: Option<ExprId>) {
        match val {
            Value::Vertex(w) => {
                let def = self.in_definition(w);
                let outer = self.via;
                if let Some(e) = src.filter(|_| outer == NO_VIA) {
                    self.via = e;
                }
                self.inline_vertex(v, w, node, def);
                self.via = outer;
            }
            Value::Disj(ds) => {
                let env = 0;
                let disjuncts = ds
                    .iter()
                    .map(|(d, def)| {
                        (
                            Conjunct {
                                kind: self.value_kind(d.clone()),
                                env,
                                node,
                            },
                            *def,
                        )
                    })
                    .collect();
                self.add_group(
                    v,
                    DisjGroup {
                        disjuncts,
                        level: 0,
                    },
                );
            }
            Value::Bottom(e) => {
                let e = match src {
                    Some(s) if e.pos.is_empty() => self.with_pos(e, s),
                    _ => e,
                };
                self.fail(v, e)
            }
            // A validator named without a call (`a: json.Valid`).
            Value::Func(name) if crate::stdlib::bare_validator(&name).is_some() => {
                if let Some(val) = crate::stdlib::bare_validator(&name) {
                    self.unify_value(v, Value::Validator(val), node, src);
                }
            }
            Value::Builtin(_) | Value::Package(_) | Value::Func(_) => {
                let e = EvalError::new(
                    ErrKind::Eval,
                    "cannot use a function or package as a value".to_string(),
                );
                self.fail(v, e)
            }
            Value::Validator(val) => {
                if !self.v[v as usize].flag(flags::NO_VALIDATORS) {
                    let pos = src.map(|s| self.prog.pos[s as usize]).unwrap_or_default();
                    self.v[v as usize].cold_mut().validators.push((val, pos));
                }
            }
            val => {
                let m = meet_owned(&self.v[v as usize].value, val);
                match m {
                    Value::Bottom(e) => {
                        let mut e = (*e).clone();
                        if let Some(s) = src {
                            e.pos.push(self.prog.pos[s as usize]);
                        }
                        e.pos.extend(self.positions(v));
                        self.fail(v, Rc::new(e));
                    }
                    m => {
                        if let Some(s) = src {
                            self.v[v as usize].push_pos(self.prog.pos[s as usize]);
                        }
                        self.v[v as usize].value = m
                    }
                }
            }
        }
    }

    /// Adds the conjuncts of `w` to `v`. A reference to a definition closes
    /// them in a new node.
    fn inline_vertex(&mut self, v: VId, w: VId, node: u32, def: bool) {
        if w == v {
            return; // `a: a` adds nothing.
        }
        // Each inlining may inline a fresh vertex again (an operand built
        // from the field it is part of: `f: n: (f & {n: {}}).n`), which
        // the checks below cannot see as the same: bound the chain.
        if self.inline_depth >= MAX_DEPTH {
            let e = EvalError::new(
                ErrKind::StructuralCycle,
                format!("structural cycle: references nested more than {MAX_DEPTH} deep"),
            );
            self.fail(v, e);
            return;
        }
        self.inline_depth += 1;
        rcue_syntax::stack::grow(STACK_RED_ZONE, STACK_GROWTH, || {
            self.inline_vertex_here(v, w, node, def)
        });
        self.inline_depth -= 1;
    }

    fn inline_vertex_here(&mut self, v: VId, w: VId, node: u32, def: bool) {
        // Inlining the same vertex again under the same node, or below it,
        // adds nothing (unification is idempotent): a reference cycle.
        let seen: SmallVec<[u32; 2]> = self
            .inlined
            .iter()
            .filter(|&&(into, x, _)| into == v && x == w)
            .map(|&(_, _, n)| n)
            .collect();
        // Again under a definition nested below the first inlining, it
        // does add something: that definition's closedness must know the
        // target's fields (`x: #T & #A` with `#A: #T & {...}`).
        // Once is enough: a third inlining on the same chain is mutual
        // recursion (`#A: {#B}`, `#B: {#A}`) and would never end.
        let above: SmallVec<[u32; 2]> = seen
            .into_iter()
            .filter(|&n| self.node_is_ancestor(v, n, node))
            .collect();
        if above.len() >= 2 || above.iter().any(|&n| !self.def_between(v, n, node)) {
            return;
        }
        if self.is_ancestor(w, v) {
            let e = EvalError::new(ErrKind::StructuralCycle, "structural cycle".to_string());
            self.fail(v, e);
            return;
        }
        self.inlined.push((v, w, node));
        // The target's conjuncts are final once its parent is processed.
        if let Some(p) = self.v[w as usize].parent() {
            self.process(p);
        }
        let base = if def {
            self.new_node(v, node, NodeKind::Def)
        } else {
            node
        };
        let conjuncts = self.v[w as usize].conjuncts.clone();
        if conjuncts.is_empty() {
            // A vertex built from values only (results of builtins):
            // unify its value and arcs.
            self.process(w);
            let w = self.deref(w);
            // Only these parts of the target are needed: cloning the whole
            // vertex (maps and all) per reference was a hot spot.
            let wx = &self.v[w as usize];
            let (is_struct, arcs, is_list, value, err) = (
                wx.is_struct,
                wx.arcs.clone(),
                wx.is_list(),
                wx.value.clone(),
                wx.err().cloned(),
            );
            if is_struct {
                self.v[v as usize].is_struct = true;
            }
            for &a in &arcs {
                let label = self.v[a as usize].label().expect("arc label");
                let arc = self.get_or_create_arc(v, label);
                let at = self.v[a as usize].arc_type;
                if at > self.v[arc as usize].arc_type {
                    self.v[arc as usize].arc_type = at;
                }
                let n = self.child_node(v, base, arc);
                self.v[arc as usize].conjuncts.push(Conjunct {
                    kind: CKind::Vertex(a),
                    env: 0,
                    node: n,
                });
            }
            if is_list {
                let len = arcs.len();
                push_short(
                    &mut self.v[v as usize].cold_mut().lists,
                    ListLitInfo {
                        len,
                        ellipsis: None,
                        env: 0,
                        node: base,
                    },
                );
            }
            if !matches!(value, Value::Top) {
                self.unify_value(v, value, base, None);
            }
            if let Some(e) = err {
                self.fail(v, e);
            }
            return;
        }
        // Unify them here, in place of the reference, so that fields keep
        // the order in which the conjuncts are written.
        let bodies = self.v[w as usize].bodies().to_vec();
        let mut map = SmallVec::new();
        for (i, c) in conjuncts.into_iter().enumerate() {
            if bodies.binary_search_by_key(&i, |b| b.0).is_ok() {
                continue;
            }
            let n = self.graft_node(w, c.node, v, base, &mut map);
            let c = Conjunct { node: n, ..c };
            self.unify_conjunct(v, c);
        }
    }

    fn unify_struct(&mut self, v: VId, lit: &StructLit, env: EnvId, node: u32, e: ExprId) {
        self.note_struct(v, e);
        let senv = self.new_env(Some(env), EnvKind::Struct(v));
        if lit.is_struct {
            self.v[v as usize].is_struct = true;
            if let Some(n) = self.v[v as usize].node_mut(node) {
                n.has_struct = true;
            }
        }
        let has_embed = lit.shape.embeds;
        let arcs_before = self.v[v as usize].arcs.len();
        // (A literal with `...` but no struct of its own is `x...` of the
        // explicitopen experiment: its ellipsis opens the embedding only.)
        let opens = lit.shape.ellipsis;
        // Comprehensions embed their bodies: a definition a body embeds
        // adds its fields to the literal's instead of closing them
        // (`#T: {kind: string, if c {#D}}` allows `kind`).
        // (Only where something closes the literal: elsewhere the node
        // would change nothing, and every field would mirror it.)
        let has_comprehension =
            lit.shape.comprehensions && (self.closed_above(v, node) || self.in_definition(v));
        let n = if (has_embed || has_comprehension) && (lit.is_struct || opens) {
            self.new_node(v, node, NodeKind::Embed)
        } else {
            node
        };
        // Room for the literal's fields at once (they were pushed one by
        // one, growing both vectors several times per struct).
        let fields = lit.shape.static_fields as usize;
        if fields > 1 {
            let closed = self.may_close_above(v, n);
            let vx = &mut self.v[v as usize];
            if let Some(node) = vx.node_mut(n).filter(|_| closed) {
                node.decls.reserve(fields);
            }
            if vx.arcs.is_empty() {
                vx.arcs.reserve(fields);
            }
        }
        // For each declaration, the next static label after it (only
        // needed by literals with computed labels).
        let mut next_static: Vec<Option<Label>> = Vec::new();
        if (lit.decls.iter()).any(|d| {
            matches!(
                d,
                Decl::Field {
                    label: FieldLabel::Dynamic(_),
                    ..
                }
            )
        }) {
            next_static.resize(lit.decls.len(), None);
            let mut next = None;
            for (i, d) in lit.decls.iter().enumerate().rev() {
                next_static[i] = next;
                if let Decl::Field {
                    label: FieldLabel::Static(l),
                    ..
                } = d
                {
                    next = Some(*l);
                }
            }
        }
        for (i, d) in lit.decls.iter().enumerate() {
            match d {
                Decl::Field {
                    label,
                    constraint,
                    value,
                    pos,
                } => match label {
                    FieldLabel::Static(l) => {
                        self.add_field(v, *l, *constraint, *value, senv, n, *pos)
                    }
                    FieldLabel::Dynamic(e) => {
                        self.v[v as usize]
                            .cold_mut()
                            .pending_dyn
                            .push(DynFieldDecl {
                                label: *e,
                                constraint: *constraint,
                                value: *value,
                                env: senv,
                                node: n,
                                pos: *pos,
                                before: next_static.get(i).copied().flatten(),
                            })
                    }
                },
                Decl::Pattern { pattern, value } => {
                    let idx = self.v[v as usize].patterns().len();
                    push_short(
                        &mut self.v[v as usize].cold_mut().patterns,
                        Pattern {
                            pattern: *pattern,
                            value: *value,
                            env: senv,
                            node: n,
                            matcher: None,
                            via: self.via,
                        },
                    );
                    self.declare_in_node(v, n, NodeDecl::Pattern(idx as u32));
                    if self.v[v as usize].flag(flags::PATTERNS_APPLIED) {
                        let arcs = self.v[v as usize].arcs.clone();
                        for a in arcs {
                            self.apply_pattern(v, idx, a);
                        }
                    }
                }
                Decl::Embed(_) => {}
                Decl::Ellipsis(_) => {
                    if let Some(node) = self.v[v as usize].node_mut(n) {
                        node.open = true;
                    }
                }
                Decl::Comprehension(c) => {
                    self.v[v as usize].cold_mut().pending.push(Pending {
                        comp: c.clone(),
                        env: senv,
                        node: n,
                        via: self.via,
                    });
                }
            }
        }
        // Embeddings last: they may refer to fields declared after them.
        // Their fields still take the embedding's place in field order.
        if !has_embed {
            return;
        }
        let mut rank: Vec<(VId, usize)> = Vec::new();
        for (i, d) in lit.decls.iter().enumerate() {
            if let Decl::Field {
                label: FieldLabel::Static(l),
                ..
            } = d
            {
                if let Some(a) = self.arc(v, *l) {
                    rank.push((a, i));
                }
            }
        }
        // While the vertex is processed, its other conjuncts first declare
        // their fields (see `Embeds`).
        if self.v[v as usize].state == State::Processing
            && self.embedding_into != v
            && matches!(self.prog.expr(e), Expr::Struct(_))
        {
            let later = self.v.len() as VId;
            let anchor = self.v[v as usize].arcs.last().copied();
            push_short(
                &mut self.v[v as usize].cold_mut().embeds,
                Embeds {
                    lit: e,
                    env: senv,
                    node: n,
                    rank,
                    generating: self.generating,
                    later,
                    anchor,
                    via: self.via,
                },
            );
            return;
        }
        for (i, d) in lit.decls.iter().enumerate() {
            if let Decl::Embed(x) = d {
                let before = self.v[v as usize].arcs.len();
                self.unify_expr(v, *x, senv, n);
                let arcs = &self.v[v as usize].arcs;
                rank.extend(arcs[before.min(arcs.len())..].iter().map(|&a| (a, i)));
            }
        }
        self.reorder_new_arcs(v, arcs_before, &rank);
    }

    /// Runs the embeddings `unify_struct` left waiting; returns whether
    /// there were any. Each embedding's new fields go after the fields of
    /// its literal declared before it (or before the first declared after
    /// it), as if it had run in place.
    #[inline]
    fn run_embeds(&mut self, v: VId) -> bool {
        let vx = &self.v[v as usize];
        vx.cold.as_ref().is_some_and(|c| !c.embeds.is_empty()) && self.run_waiting_embeds(v)
    }

    fn run_waiting_embeds(&mut self, v: VId) -> bool {
        let waiting = self.v[v as usize].take_cold(|c| &mut c.embeds);
        // Arcs placed by the embeddings run so far, which came first.
        let mut placed: FastMap<VId, ()> = FastMap::default();
        for Embeds {
            lit,
            env,
            node,
            mut rank,
            generating,
            later,
            anchor,
            via,
        } in waiting
        {
            let Expr::Struct(l) = self.prog.expr(lit) else {
                continue;
            };
            let l = l.clone();
            let outer = std::mem::replace(&mut self.generating, generating);
            let outer_via = std::mem::replace(&mut self.via, via);
            for (i, d) in l.decls.iter().enumerate() {
                let Decl::Embed(x) = d else { continue };
                // Arcs later conjuncts made, with their conjunct counts.
                let counts: Vec<(VId, usize)> = (self.v[v as usize].arcs.iter())
                    .filter(|&&a| a >= later)
                    .map(|&a| (a, self.v[a as usize].conjuncts.len()))
                    .collect();
                let before = self.v[v as usize].arcs.len();
                let into = std::mem::replace(&mut self.embedding_into, v);
                self.unify_expr(v, *x, env, node);
                self.embedding_into = into;
                let arcs = &self.v[v as usize].arcs;
                let mut moved: Vec<VId> = (counts.iter())
                    .filter(|&&(a, n)| self.v[a as usize].conjuncts.len() > n)
                    .map(|&(a, _)| a)
                    .collect();
                moved.extend_from_slice(&arcs[before.min(arcs.len())..]);
                if moved.is_empty() {
                    continue;
                }
                let moving: FastMap<VId, ()> = moved.iter().map(|&a| (a, ())).collect();
                let mut rest: Vec<VId> = (arcs.iter())
                    .copied()
                    .filter(|a| !moving.contains_key(a))
                    .collect();
                // (One map, not a search per ranked arc: a literal may
                // have thousands of fields.)
                let index: FastMap<VId, usize> =
                    rest.iter().enumerate().map(|(p, &a)| (a, p)).collect();
                let pos = |a: VId| index.get(&a).copied();
                let after = (rank.iter())
                    .filter(|&&(_, r)| r <= i)
                    .filter_map(|&(a, _)| pos(a))
                    .max()
                    .map(|p| p + 1);
                let first_later = (rank.iter())
                    .filter(|&&(_, r)| r > i)
                    .filter_map(|&(a, _)| pos(a))
                    .min();
                let at = after.or(first_later).unwrap_or_else(|| {
                    let mut at = anchor.and_then(pos).map_or(0, |p| p + 1);
                    while rest.get(at).is_some_and(|a| placed.contains_key(a)) {
                        at += 1;
                    }
                    at
                });
                rest.splice(at..at, moved.iter().copied());
                let vx = &mut self.v[v as usize];
                vx.arcs.clear();
                vx.arcs.extend(rest);
                rank.extend(moved.iter().map(|&a| (a, i)));
                placed.extend(moved.iter().map(|&a| (a, ())));
            }
            self.generating = outer;
            self.via = outer_via;
        }
        true
    }

    /// Puts the arcs a struct literal created in the order of the
    /// declarations that created them.
    fn reorder_new_arcs(&mut self, v: VId, from: usize, rank: &[(VId, usize)]) {
        let arcs = &mut self.v[v as usize].arcs;
        if from >= arcs.len() {
            return;
        }
        let order: FastMap<VId, usize> = rank.iter().map(|&(a, i)| (a, i)).rev().collect();
        arcs[from..].sort_by_key(|a| order.get(a).copied().unwrap_or(usize::MAX));
    }

    // The field's parts travel separately: they come from two different
    // declaration shapes (static and computed labels).
    #[allow(clippy::too_many_arguments)]
    fn add_field(
        &mut self,
        v: VId,
        label: Label,
        constraint: Constraint,
        value: ExprId,
        env: EnvId,
        n: u32,
        pos: Pos,
    ) {
        self.declare_in_node(v, n, NodeDecl::Label(label));
        // A `for` clause ranged over the fields of `v` while it was being
        // evaluated: a new regular field would change what it saw.
        if !self.iterated.is_empty()
            && self.iterated.contains(&v)
            && self.labels.is_regular(label)
            && constraint == Constraint::Regular
            && self.arc(v, label).is_none()
        {
            let e = Rc::new(EvalError {
                kind: ErrKind::Eval,
                msg: format!(
                    "adding field {} not allowed as field set was already referenced",
                    self.labels.name(label)
                ),
                pos: vec![self.prog.pos[value as usize]],
            });
            self.fail(v, e);
        }
        let arc = self.get_or_create_arc(v, label);
        self.v[arc as usize].add_decl_pos(pos);
        let at = match constraint {
            Constraint::Regular => ArcType::Regular,
            Constraint::Optional => ArcType::Optional,
            Constraint::Required => ArcType::Required,
        };
        if at > self.v[arc as usize].arc_type {
            self.v[arc as usize].arc_type = at;
        }
        // A value that can only be a scalar never gives the field fields of
        // its own, so no closedness node of the field serves it: the root
        // does (a node mirrored for it cost two allocations, for most
        // fields of every use of a definition).
        // (Under the root, the field's root serves anyway.)
        // (Asked once: it is needed under a node, or to pass the
        // reference on.)
        let scalar = (n != 0 || self.via != NO_VIA) && self.is_scalar_literal_or_choice(value);
        let cn = if n == 0 || scalar {
            0
        } else {
            self.child_node(v, n, arc)
        };
        self.v[arc as usize].conjuncts.push(Conjunct {
            kind: CKind::Expr(value),
            env,
            node: cn,
        });
        if self.via != NO_VIA && !scalar {
            self.inherit_via(arc, value);
        }
        if self.v[arc as usize].state == State::Done {
            self.conjunct_after_done(v, arc);
        }
    }

    /// `arc` of `v` got a conjunct after it was evaluated: a struct takes
    /// it in place, a plain scalar is evaluated again.
    fn conjunct_after_done(&mut self, v: VId, arc: VId) {
        if self.v[arc as usize].is_struct {
            self.extend_done(arc);
        } else {
            self.reopen_scalar(v, arc);
        }
    }

    /// Records that conjunct `x` of `arc` came in through `self.via`.
    fn inherit_via(&mut self, arc: VId, x: ExprId) {
        // Only the order of exported fields is asked for: definitions and
        // hidden fields, and what is below them, need no record.
        if self.in_definition_or_hidden(arc) {
            return;
        }
        self.inherited_via.insert((arc, x), self.via);
        self.v[arc as usize].set_flag(flags::VIA_INHERITED, true);
    }

    /// A plain scalar field evaluated early (by a comprehension's guard
    /// that now waits) takes a new conjunct by being evaluated again.
    #[cold]
    fn reopen_scalar(&mut self, v: VId, arc: VId) {
        let ax = &self.v[arc as usize];
        if ax.cold.is_none()
            && ax.arcs.is_empty()
            && !ax.is_struct
            && self.v[v as usize].state == State::Processing
        {
            let ax = &mut self.v[arc as usize];
            ax.state = State::New;
            ax.value = Value::Top;
            ax.clear_pos();
            ax.set_flag(flags::FINALIZED, false);
        }
    }

    /// Moves the arc labelled `l` to just before the one labelled `b`,
    /// if both are there.
    fn place_before(&mut self, v: VId, l: Label, b: Label) {
        let (Some(a), Some(target)) = (self.arc(v, l), self.arc(v, b)) else {
            return;
        };
        let arcs = &mut self.v[v as usize].arcs;
        let (Some(from), Some(to)) = (
            arcs.iter().position(|&x| x == a),
            arcs.iter().position(|&x| x == target),
        ) else {
            return;
        };
        if from > to {
            arcs[to..=from].rotate_right(1);
        }
    }

    /// Adds the fields with computed labels, once the static fields are
    /// known (labels may refer to them). A label that cannot be computed
    /// yet waits for the others; returns whether any field was added.
    fn run_dyn(&mut self, v: VId) -> bool {
        let mut progress = false;
        loop {
            let pending = self.v[v as usize].take_cold(|c| &mut c.pending_dyn);
            if pending.is_empty() {
                return progress;
            }
            let mut waiting = Vec::new();
            let mut failed = Vec::new();
            let mut added = false;
            for d in pending {
                match self.eval(d.label, d.env) {
                    Value::Str(s) => {
                        let l = self.labels.string(&s);
                        let new = self.arc(v, l).is_none();
                        self.add_field(v, l, d.constraint, d.value, d.env, d.node, d.pos);
                        if let Some(b) = d.before.filter(|_| new) {
                            self.place_before(v, l, b);
                        }
                        added = true;
                    }
                    Value::Bottom(err) if !err.is_incomplete() => failed.push(err),
                    other => waiting.push((d, other)),
                }
            }
            for err in failed {
                self.fail(v, err);
            }
            progress |= added;
            if !added || waiting.is_empty() {
                for (d, other) in waiting {
                    let err = match other {
                        Value::Bottom(err) => err,
                        other => {
                            let kind = if other.is_atom() {
                                ErrKind::Eval
                            } else {
                                ErrKind::Incomplete
                            };
                            self.err_at(
                                kind,
                                format!("invalid label: cannot use {} as label", describe(&other)),
                                d.label,
                            )
                        }
                    };
                    self.fail(v, err);
                }
                return progress;
            }
            self.v[v as usize].cold_mut().pending_dyn =
                waiting.into_iter().map(|(d, _)| d).collect();
        }
    }

    fn unify_list(&mut self, v: VId, lit: &ListLit, env: EnvId, node: u32) {
        let mut idx = 0usize;
        for el in &lit.elems {
            match el {
                ListElem::Expr(e) => {
                    let arc = self.get_or_create_arc(v, Label::Index(idx as u32));
                    self.v[arc as usize].arc_type = ArcType::Regular;
                    let cn = self.child_node(v, node, arc);
                    self.v[arc as usize].conjuncts.push(Conjunct {
                        kind: CKind::Expr(*e),
                        env,
                        node: cn,
                    });
                    if self.via != NO_VIA {
                        self.inherit_via(arc, *e);
                    }
                    idx += 1;
                }
                ListElem::Comprehension(c) => {
                    let mut bodies = Vec::new();
                    if let Err(e) = self.comprehend(c, env, &mut bodies) {
                        self.fail(v, e);
                        continue;
                    }
                    if bodies.is_empty() {
                        if let Some(eb) = c.else_body {
                            bodies.push((eb, env));
                        }
                    }
                    for (body, benv) in bodies {
                        let arc = self.get_or_create_arc(v, Label::Index(idx as u32));
                        self.v[arc as usize].arc_type = ArcType::Regular;
                        let cn = self.child_node(v, node, arc);
                        self.v[arc as usize].conjuncts.push(Conjunct {
                            kind: CKind::Expr(body),
                            env: benv,
                            node: cn,
                        });
                        idx += 1;
                    }
                }
            }
        }
        push_short(
            &mut self.v[v as usize].cold_mut().lists,
            ListLitInfo {
                len: idx,
                ellipsis: lit.ellipsis,
                env,
                node,
            },
        );
    }

    fn finish_lists(&mut self, v: VId) {
        if self.v[v as usize].lists().is_empty() {
            return;
        }
        // A struct is no list, even one without fields (`{}`, `{...}`):
        // report the conflict of kinds, not a mismatch of lengths.
        if self.v[v as usize].is_struct {
            let e = Rc::new(EvalError {
                kind: ErrKind::Eval,
                msg: "conflicting values: list and struct".to_string(),
                pos: self.conflict_positions(v),
            });
            self.fail(v, e);
            return;
        }
        let lists = self.v[v as usize].lists().to_vec();
        // Definitions and hidden fields beside the elements go after them.
        let is_elem = |en: &Self, a: VId| matches!(en.v[a as usize].label(), Some(Label::Index(_)));
        let n = (self.v[v as usize].arcs.iter())
            .filter(|&&a| is_elem(self, a))
            .count();
        if n != self.v[v as usize].arcs.len() {
            let mut arcs = std::mem::take(&mut self.v[v as usize].arcs);
            arcs.sort_by_key(|&a| !is_elem(self, a));
            self.v[v as usize].arcs = arcs;
        }
        for l in &lists {
            if l.ellipsis.is_none() && l.len != n {
                let closed_lens: Vec<usize> = lists
                    .iter()
                    .filter(|x| x.ellipsis.is_none())
                    .map(|x| x.len)
                    .collect();
                let msg = if closed_lens.len() > 1 && closed_lens.iter().any(|&x| x != l.len) {
                    let other = closed_lens
                        .iter()
                        .find(|&&x| x != l.len)
                        .copied()
                        .unwrap_or(n);
                    format!(
                        "incompatible list lengths ({} and {})",
                        l.len.min(other),
                        l.len.max(other)
                    )
                } else {
                    format!("incompatible list lengths ({} and {})", l.len, n)
                };
                let e = Rc::new(EvalError {
                    kind: ErrKind::Eval,
                    msg,
                    pos: self.conflict_positions(v),
                });
                self.fail(v, e);
                return;
            }
        }
        for l in &lists {
            if let Some(Some(t)) = l.ellipsis {
                for i in l.len..n {
                    let arc = self.v[v as usize].arcs[i];
                    let cn = self.child_node(v, l.node, arc);
                    self.v[arc as usize].conjuncts.push(Conjunct {
                        kind: CKind::Expr(t),
                        env: l.env,
                        node: cn,
                    });
                }
            }
        }
    }

    fn pattern_matches(&mut self, v: VId, idx: usize, label: Label) -> bool {
        if self.labels.str(label).is_none() || !self.labels.is_regular(label) {
            return false;
        }
        let matcher = match self.v[v as usize].patterns()[idx].matcher.clone() {
            Some(m) => m,
            None => {
                let p = self.v[v as usize].patterns()[idx].clone();
                let m = self.eval(p.pattern, p.env);
                self.v[v as usize].cold_mut().patterns[idx].matcher = Some(m.clone());
                m
            }
        };
        let s = Value::Str(self.labels.name_rc(label));
        if let Value::Bottom(err) = &matcher {
            self.fail(v, err.clone());
            return false;
        }
        match &matcher {
            Value::Vertex(w) => {
                // A struct or list pattern never matches a label.
                let _ = w;
                false
            }
            Value::Disj(ds) => ds.iter().any(|(d, _)| !meet(d, &s).is_bottom()),
            m => !meet(m, &s).is_bottom(),
        }
    }

    fn apply_pattern(&mut self, v: VId, idx: usize, arc: VId) {
        let Some(label) = self.v[arc as usize].label() else {
            return;
        };
        if !self.pattern_matches(v, idx, label) {
            return;
        }
        let p = self.v[v as usize].patterns()[idx].clone();
        let penv = self.new_env(Some(p.env), EnvKind::PatternLabel(label));
        let cn = self.child_node(v, p.node, arc);
        // The pattern's value takes its place among the field's own
        // conjuncts by source position, which decides field order.
        let at = self.prog.pos[p.value as usize];
        let conj = &self.v[arc as usize].conjuncts;
        let idx = conj
            .iter()
            .position(|c| matches!(c.kind, CKind::Expr(x) if self.prog.pos[x as usize] > at))
            .unwrap_or(conj.len());
        let state = self.v[arc as usize].state;
        let c = Conjunct {
            kind: CKind::Expr(p.value),
            env: penv,
            node: cn,
        };
        if state == State::New {
            self.v[arc as usize].conjuncts.insert(idx, c);
        } else {
            self.v[arc as usize].conjuncts.push(c);
        }
        if p.via != NO_VIA {
            let outer = std::mem::replace(&mut self.via, p.via);
            self.inherit_via(arc, p.value);
            self.via = outer;
        }
        // A field evaluated before the patterns applied (a computed label
        // read it) takes the pattern's value now.
        if state == State::Done {
            self.conjunct_after_done(v, arc);
        }
    }

    fn apply_patterns_to(&mut self, v: VId, arc: VId) {
        for idx in 0..self.v[v as usize].patterns().len() {
            self.apply_pattern(v, idx, arc);
        }
    }

    fn apply_patterns(&mut self, v: VId) {
        self.v[v as usize].set_flag(flags::PATTERNS_APPLIED, true);
        if self.v[v as usize].patterns().is_empty() {
            return;
        }
        let mut i = 0;
        while let Some(a) = self.arc_at(v, i) {
            i += 1;
            self.apply_patterns_to(v, a);
        }
    }

    fn check_closedness(&mut self, v: VId) {
        if self.v[v as usize].node_count() == 1 {
            return;
        }
        let mut i = 0;
        while let Some(a) = self.arc_at(v, i) {
            i += 1;
            let Some(label) = self.v[a as usize].label() else {
                continue;
            };
            if matches!(label, Label::Index(_)) {
                continue;
            }
            if !self.allowed(v, label) {
                let e = Rc::new(EvalError {
                    kind: ErrKind::Eval,
                    msg: "field not allowed".to_string(),
                    pos: self.v[a as usize].decl_pos().to_vec(),
                });
                self.fail(a, e);
                self.v[a as usize].set_flag(flags::FINALIZED, true);
                if self.v[a as usize].state == State::New {
                    // Keep the error: the arc's own conjuncts no longer matter.
                    self.v[a as usize].state = State::Done;
                }
            }
        }
    }

    /// Structs and lists cannot also be scalars.
    fn check_kind(&mut self, v: VId) {
        let vx = &self.v[v as usize];
        let structural = vx.is_struct
            || vx.is_list()
            || vx.arcs.iter().any(|&a| {
                self.labels
                    .is_regular(self.v[a as usize].label().unwrap_or(Label::Index(0)))
            });
        if !structural {
            return;
        }
        let want = if vx.is_list() {
            kind::LIST
        } else {
            kind::STRUCT
        };
        match &vx.value {
            Value::Top => {}
            Value::Kind(k) if k & want != 0 => {
                self.v[v as usize].value = Value::Top;
            }
            other => {
                let msg = format!(
                    "conflicting values {} and {} (mismatched types {} and {})",
                    describe(other),
                    if want == kind::LIST { "[...]" } else { "{...}" },
                    kind_name(other.kind()),
                    kind_name(want)
                );
                let e = Rc::new(EvalError {
                    kind: ErrKind::Eval,
                    msg,
                    pos: self.conflict_positions(v),
                });
                self.fail(v, e);
            }
        }
    }

    /// Where the values of `v` come from, for a conflict between its scalar
    /// and its fields: the scalar's positions, then those of the conjuncts
    /// (one level into referenced vertices), each once.
    fn conflict_positions(&self, v: VId) -> Vec<Pos> {
        let mut pos = self.positions(v);
        let mut add = |p: Pos| {
            if !pos.contains(&p) {
                pos.push(p);
            }
        };
        for c in &self.v[v as usize].conjuncts {
            match c.kind {
                CKind::Expr(e) => add(self.prog.pos[e as usize]),
                CKind::Vertex(w) => {
                    for c in &self.v[w as usize].conjuncts {
                        if let CKind::Expr(e) = c.kind {
                            add(self.prog.pos[e as usize]);
                        }
                    }
                }
                CKind::Value(_) => {}
            }
        }
        pos.into_vec()
    }

    // ---- disjunctions ----

    /// `orig_nodes`: how many closedness nodes `v` had before processing
    /// (the conjuncts candidates start from refer to those).
    fn expand_disjunctions(&mut self, v: VId, orig_nodes: usize) {
        if self.disj_depth >= MAX_DISJ_NESTING {
            let e = EvalError::new(
                ErrKind::StructuralCycle,
                "structural cycle (disjunctions nested too deeply)".to_string(),
            );
            self.fail(v, e);
            return;
        }
        self.disj_depth += 1;
        self.expand_disjunctions_inner(v, orig_nodes);
        self.disj_depth -= 1;
    }

    /// Scalar disjunctions met at one vertex are multiplied out here, with
    /// equal results collapsed, so that only one candidate per distinct
    /// value is processed instead of one per combination: the same enum of
    /// strings unified in by seven paths is seven groups of four, 16,384
    /// combinations, but at most four values. Each value keeps the first
    /// combination that gives it, which the candidate then takes, so its
    /// positions and messages are those of trying every combination.
    /// `None` unless the first group consists of literal scalars.
    fn merge_scalar_groups(&mut self, groups: &[DisjGroup]) -> Option<MergedDisj> {
        if !self.merge_scalar_disjunctions || self.exact_disjunctions {
            return None;
        }
        if let [g] = groups {
            return self.merge_one_group(g);
        }
        // Candidates find their choices by the order groups are met in;
        // a disjunct of another kind may bring groups of its own and shift
        // the ones after it, so only the groups before the first such
        // group are merged.
        // The groups' values one after the other, and where each ends.
        let mut values: SmallVec<[(Value, bool); 8]> = SmallVec::new();
        let mut ends: SmallVec<[usize; 8]> = SmallVec::new();
        for g in groups {
            let start = values.len();
            for (c, def) in &g.disjuncts {
                match self.scalar_disjunct(c) {
                    Some(x) => values.push((x, *def)),
                    None => break,
                }
            }
            if values.len() - start != g.disjuncts.len() || values.len() == start {
                values.truncate(start);
                break;
            }
            ends.push(values.len());
        }
        if ends.is_empty() {
            return None;
        }
        let mut acc: MergedValues = smallvec::smallvec![(Value::Top, true, Choice::new())];
        let mut start = 0;
        for &end in &ends {
            let vals = &values[start..end];
            start = end;
            let has_default = vals.iter().any(|(_, d)| *d);
            let mut next = MergedValues::with_capacity(vals.len());
            for (a, da, first) in &acc {
                for (j, (b, db)) in vals.iter().enumerate() {
                    let Some(m) = crate::meet::meet_quiet(a, b) else {
                        continue;
                    };
                    let d = *da && (!has_default || *db);
                    match next.iter_mut().find(|(x, _, _)| same_scalar(x, &m)) {
                        Some(slot) => slot.1 |= d,
                        None => {
                            let mut first = first.clone();
                            first.push(j);
                            next.push((m, d, first));
                        }
                    }
                }
            }
            if next.is_empty() || next.len() > self.budget.limits.max_disjuncts {
                return None;
            }
            acc = next;
        }
        self.merges += 1;
        Some(MergedDisj {
            prefix: ends.len(),
            disjuncts: acc,
        })
    }

    /// `merge_scalar_groups` of a single group (most vertices with a
    /// disjunction have one): its distinct values, without the products.
    fn merge_one_group(&mut self, g: &DisjGroup) -> Option<MergedDisj> {
        let has_default = g.disjuncts.iter().any(|(_, d)| *d);
        let mut acc = MergedValues::with_capacity(g.disjuncts.len());
        for (j, (c, def)) in g.disjuncts.iter().enumerate() {
            // Met with top: the value itself, unless it is bottom.
            let m = self.scalar_disjunct(c)?;
            if m.is_bottom() {
                continue;
            }
            let d = !has_default || *def;
            match acc.iter_mut().find(|(x, _, _)| same_scalar(x, &m)) {
                Some(slot) => slot.1 |= d,
                None => acc.push((m, d, smallvec::smallvec![j])),
            }
        }
        if acc.is_empty() || acc.len() > self.budget.limits.max_disjuncts {
            return None;
        }
        self.merges += 1;
        Some(MergedDisj {
            prefix: 1,
            disjuncts: acc,
        })
    }

    /// The value of a disjunct that is a literal scalar, basic type or
    /// bound (or a conjunction of those), evaluated without looking
    /// anything up.
    fn scalar_disjunct(&mut self, c: &Conjunct) -> Option<Value> {
        let v = match &c.kind {
            CKind::Value(i) => self.cvals[*i as usize].clone(),
            CKind::Expr(e) if self.is_literal_scalar(*e) => self.literal_scalar(*e, c.env),
            _ => return None,
        };
        is_plain_scalar(&v).then_some(v)
    }

    /// Evaluates an expression `is_literal_scalar` accepts; a conjunction
    /// by meeting its sides (evaluating it as an expression would build
    /// a vertex for it).
    fn literal_scalar(&mut self, e: ExprId, env: EnvId) -> Value {
        // Literals read nothing from their environment: one value per
        // expression (disjunctions of them are met at every field of
        // every use of a definition).
        if let Some(v) = self.literal_cache.get(&e) {
            return v.clone();
        }
        let v = self.literal_scalar_here(e, env);
        self.literal_cache.insert(e, v.clone());
        v
    }

    fn literal_scalar_here(&mut self, e: ExprId, env: EnvId) -> Value {
        match *self.prog.expr(e) {
            Expr::Binary(BinaryOp::And, a, b) => {
                let a = self.literal_scalar(a, env);
                let b = self.literal_scalar(b, env);
                meet(&a, &b)
            }
            _ => self.eval(e, env),
        }
    }

    /// `is_literal_scalar`, or a disjunction of such expressions.
    fn is_scalar_literal_or_choice(&self, e: ExprId) -> bool {
        match self.prog.expr(e) {
            Expr::Disjunction(ds) => ds.iter().all(|&(d, _)| self.is_literal_scalar(d)),
            _ => self.is_literal_scalar(e),
        }
    }

    fn is_literal_scalar(&self, e: ExprId) -> bool {
        match self.prog.expr(e) {
            Expr::Top
            | Expr::Null
            | Expr::Bool(_)
            | Expr::Num(_)
            | Expr::Str(_)
            | Expr::Bytes(_)
            | Expr::Kind(_) => true,
            Expr::Unary(op, x) => {
                !matches!(op, UnaryOp::Not | UnaryOp::Default) && self.is_literal_scalar(*x)
            }
            Expr::Binary(BinaryOp::And, a, b) => {
                self.is_literal_scalar(*a) && self.is_literal_scalar(*b)
            }
            _ => false,
        }
    }

    /// Whether processing `v` again with other scalar conjuncts could only
    /// change its value: no fields, lists, comprehensions, validators or
    /// errors.
    fn is_plain_leaf(&self, v: VId) -> bool {
        let vx = &self.v[v as usize];
        vx.arcs.is_empty()
            && !vx.is_struct
            && vx.lists().is_empty()
            && vx.patterns().is_empty()
            && vx.pending().is_empty()
            && vx.pending_dyn().is_empty()
            && vx.validators().is_empty()
            && vx.deferred().is_empty()
            && vx.err().is_none()
            && vx.forward().is_none()
            && vx.disjuncts().is_empty()
            && is_plain_scalar(&vx.value)
    }

    /// What processing a candidate of plain leaf `v` (whose groups were
    /// all merged into `merged`, the chosen disjuncts met) would give:
    /// its value met with `v`'s, and the positions of the conjuncts and of
    /// the chosen literals. `Some(None)` when they conflict (the candidate
    /// fails); `None` when the value is a conjunction of constraints,
    /// whose written order follows the order of the conjuncts (the
    /// candidate is processed).
    fn leaf_candidate(
        &self,
        v: VId,
        merged: &Value,
        groups: &[DisjGroup],
        choice: &[usize],
    ) -> Option<LeafValue> {
        let Some(val) = crate::meet::meet_quiet(&self.v[v as usize].value, merged) else {
            return Some(None);
        };
        if matches!(val, Value::Conj(_)) {
            return None;
        }
        let mut pos: SmallVec<[Pos; 4]> = SmallVec::from_slice(self.v[v as usize].pos());
        for (g, &i) in groups.iter().zip(choice) {
            if let CKind::Expr(e) = g.disjuncts[i].0.kind {
                self.literal_positions(e, &mut pos);
            }
        }
        Some(Some((val, pos)))
    }

    /// For each group from `from` on, the earlier group it repeats, if
    /// any: the same disjuncts (by value, as they stand now), the same
    /// defaults and level, in a group where any two disjuncts meet to
    /// nothing or to one of them. Then choosing different disjuncts in the
    /// two gives nothing that choosing the same one does not (unification
    /// is idempotent), so only the same choice is tried: a definition
    /// unified in n times (`protocol: #Protocol | *"TCP"` through several
    /// paths) tries 2 combinations instead of 2^n.
    fn repeated_groups(&mut self, v: VId, groups: &[DisjGroup], from: usize) -> SameAs {
        let mut same_as: SameAs = smallvec::smallvec![None; groups.len()];
        if groups.len() - from < 2 {
            return same_as;
        }
        let mut keys: Vec<Option<Vec<(Value, bool)>>> = Vec::with_capacity(groups.len() - from);
        for j in from..groups.len() {
            let key = self.group_values(v, &groups[j]);
            if let Some(k) = &key {
                same_as[j] = (from..j).find(|&i| {
                    same_as[i].is_none()
                        && groups[i].level == groups[j].level
                        && keys[i - from].as_ref().is_some_and(|ki| {
                            ki.len() == k.len()
                                && ki
                                    .iter()
                                    .zip(k)
                                    .all(|((a, da), (b, db))| da == db && values_equal(a, b))
                        })
                });
            }
            keys.push(key);
        }
        same_as
    }

    /// The values of a group's disjuncts, if each is a plain scalar (or a
    /// disjunction of them) known without evaluating anything, and any two
    /// meet to nothing or to one of them.
    fn group_values(&mut self, v: VId, g: &DisjGroup) -> Option<Vec<(Value, bool)>> {
        let mut vals = Vec::with_capacity(g.disjuncts.len());
        for (c, def) in &g.disjuncts {
            let val = match &c.kind {
                CKind::Value(i) => self.cvals[*i as usize].clone(),
                CKind::Expr(e) if self.is_literal_scalar(*e) => self.literal_scalar(*e, c.env),
                CKind::Expr(e) => self.settled_scalar(v, *e, c.env)?,
                CKind::Vertex(_) => return None,
            };
            let plain = match &val {
                Value::Disj(ds) => ds.iter().all(|(x, _)| is_plain_scalar(x)),
                x => is_plain_scalar(x),
            };
            if !plain {
                return None;
            }
            vals.push((val, *def));
        }
        for (i, (a, _)) in vals.iter().enumerate() {
            for (b, _) in &vals[i + 1..] {
                match meet_alternatives(a, b) {
                    Ok(None) => {}
                    Ok(Some(m)) if values_equal(&m, a) || values_equal(&m, b) => {}
                    _ => return None,
                }
            }
        }
        Some(vals)
    }

    /// The value of a reference to a field (or to a package's field) that
    /// is a scalar, for a disjunct met at `v`. The target is processed if
    /// new, as unifying the reference would (not when that would be a
    /// cycle: an ancestor of `v`, or a vertex being evaluated); a field
    /// not there yet, or still being processed, gives `None`.
    fn settled_scalar(&mut self, v: VId, e: ExprId, env: EnvId) -> Option<Value> {
        let w = match *self.prog.expr(e) {
            Expr::Ref(Ref::Field { up, label }) => {
                let target = self.env_at(env, up);
                let EnvKind::Struct(s) = self.envs[target as usize].kind else {
                    return None;
                };
                self.arc(self.deref(s), label)?
            }
            Expr::Select(x, label) => match *self.prog.expr(x) {
                Expr::Ref(Ref::Import(ref p)) => {
                    self.arc(self.deref(*self.packages.get(p.as_str())?), label)?
                }
                _ => return None,
            },
            _ => return None,
        };
        let w = self.process_unless_cyclic(w, v);
        let x = &self.v[w as usize];
        let settled = x.state == State::Done
            && x.arc_type != ArcType::Optional
            && x.err().is_none()
            && self.is_scalar_vertex(w);
        settled.then(|| self.v[w as usize].value.clone())
    }

    /// A plain leaf whose disjunctions were all merged into `m` takes its
    /// value from them, without candidate vertices: the one value left, or
    /// (unless `v` is itself a candidate of another disjunction, whose
    /// default flag must be able to clear the inner defaults) their
    /// disjunction as a value, equal values collapsed and a default among
    /// equals kept. False, with
    /// nothing changed, when the candidates must be vertices after all: a
    /// value is a conjunction of constraints (written in the order of the
    /// conjuncts, which processing gives), none is left (their errors are
    /// for the candidates to report), or defaults met and cancelled out (a
    /// value with none marked reads as one without defaults, whose
    /// disjuncts all count as defaults when met again; the candidates keep
    /// the conjuncts that say otherwise).
    ///
    /// `Some` when it decided the field: with the positions of the chosen
    /// literals it added to the field's (`None` when it kept its own).
    fn leaf_disjunction(
        &mut self,
        v: VId,
        m: &MergedDisj,
        groups: &[DisjGroup],
    ) -> Option<Option<SmallVec<[Pos; 4]>>> {
        if !self.is_plain_leaf(v) {
            return None;
        }
        // In the order the candidates would be tried: by their choices.
        let mut order: SmallVec<[usize; 8]> = (0..m.disjuncts.len()).collect();
        order.sort_by(|&a, &b| m.disjuncts[a].2.cmp(&m.disjuncts[b].2));
        let mut vals: SmallVec<[(Value, bool); 4]> = SmallVec::new();
        // The merged value each one came from (the first of equals).
        let mut from: SmallVec<[usize; 8]> = SmallVec::new();
        for &k in &order {
            let (mv, def, _) = &m.disjuncts[k];
            let Some(val) = crate::meet::meet_quiet(&self.v[v as usize].value, mv) else {
                continue;
            };
            if matches!(val, Value::Conj(_)) {
                return None;
            }
            match vals.iter_mut().find(|(u, _)| values_equal(u, &val)) {
                Some(slot) => slot.1 |= *def,
                None => {
                    vals.push((val, *def));
                    from.push(k);
                }
            }
        }
        // Whose positions the field takes: the value's, or the default's
        // (what an incomplete default names).
        let at = match vals.len() {
            0 => return None,
            1 => Some(from[0]),
            _ if !self.v[v as usize].choices().is_empty() => return None,
            _ => {
                let mut defaults = (vals.iter().zip(&from)).filter(|((_, d), _)| *d);
                match (defaults.next(), defaults.next()) {
                    (None, _) => return None,
                    (Some((_, &k)), None) => Some(k),
                    (Some(_), Some(_)) => None,
                }
            }
        };
        let added = at.map(|k| {
            let mut added = SmallVec::new();
            for (g, &i) in groups.iter().zip(&m.disjuncts[k].2) {
                if let CKind::Expr(e) = g.disjuncts[i].0.kind {
                    self.literal_positions(e, &mut added);
                }
            }
            added
        });
        if let Some(added) = &added {
            self.add_positions(v, added);
        }
        self.v[v as usize].value = match vals.len() {
            1 => vals.pop().expect("one value").0,
            _ => Value::Disj(self.shared_leaf_disjunction(groups, vals)),
        };
        Some(added)
    }

    fn add_positions(&mut self, v: VId, added: &[Pos]) {
        self.v[v as usize].extend_pos(added);
    }

    /// The key under which `leaf_disjunction`'s outcome for `v` is
    /// memoized: for one group of disjuncts written as expressions, met
    /// at level 0 with a scalar, outside exact mode.
    fn leaf_memo_key(&self, v: VId) -> Option<(ExprId, ScalarKey)> {
        if !self.merge_scalar_disjunctions || self.exact_disjunctions {
            return None;
        }
        let vx = &self.v[v as usize];
        let [g] = vx.groups() else {
            return None;
        };
        if !vx.choices().is_empty() || g.level != 0 {
            return None;
        }
        let CKind::Expr(first) = g.disjuncts.first()?.0.kind else {
            return None;
        };
        Some((first, ScalarKey::of(&vx.value)?))
    }

    /// The group's disjuncts as `LeafOutcome::disjuncts` records them.
    fn disjunct_exprs(g: &DisjGroup) -> Option<SmallVec<[(ExprId, bool); 4]>> {
        (g.disjuncts.iter())
            .map(|(c, d)| match c.kind {
                CKind::Expr(e) => Some((e, *d)),
                _ => None,
            })
            .collect()
    }

    /// Applies a memoized `leaf_disjunction`, if there is one for `v`.
    fn leaf_from_memo(&mut self, v: VId, key: &(ExprId, ScalarKey)) -> bool {
        let Some(out) = self.leaf_memo.get(key) else {
            return false;
        };
        let [g] = self.v[v as usize].groups() else {
            return false;
        };
        let same = out.disjuncts.len() == g.disjuncts.len()
            && (out.disjuncts.iter().zip(&g.disjuncts))
                .all(|(&(e, d), (c, cd))| d == *cd && matches!(c.kind, CKind::Expr(x) if x == e));
        if !same || !self.is_plain_leaf(v) {
            return false;
        }
        let (value, positions) = (out.value.clone(), out.positions.clone());
        // As the path it stands for: the groups are used up, and merging
        // counts (see `expand_disjunctions_inner`'s retry).
        self.v[v as usize].take_cold(|c| &mut c.groups);
        self.merges += 1;
        if let Some(added) = positions {
            self.add_positions(v, &added);
        }
        self.v[v as usize].value = value;
        true
    }

    /// The list of a leaf's remaining disjuncts, shared with an earlier
    /// leaf that kept the very same values from the same disjunction.
    fn shared_leaf_disjunction(
        &mut self,
        groups: &[DisjGroup],
        vals: SmallVec<[(Value, bool); 4]>,
    ) -> Rc<Vec<(Value, bool)>> {
        let key = match groups.first().and_then(|g| g.disjuncts.first()) {
            Some((
                Conjunct {
                    kind: CKind::Expr(e),
                    ..
                },
                _,
            )) => *e,
            _ => return Rc::new(vals.into_vec()),
        };
        if let Some(ds) = self.leaf_disj_cache.get(&key) {
            let same = ds.len() == vals.len()
                && (ds.iter().zip(&vals)).all(|(a, b)| a.1 == b.1 && identical_scalar(&a.0, &b.0));
            if same {
                return ds.clone();
            }
        }
        let ds = Rc::new(vals.into_vec());
        self.leaf_disj_cache.insert(key, ds.clone());
        ds
    }

    /// The positions unifying literal `e` records (each side of `&`).
    fn literal_positions<A: smallvec::Array<Item = Pos>>(&self, e: ExprId, out: &mut SmallVec<A>) {
        match *self.prog.expr(e) {
            Expr::Binary(BinaryOp::And, a, b) => {
                self.literal_positions(a, out);
                self.literal_positions(b, out);
            }
            _ => out.push(self.prog.pos[e as usize]),
        }
    }

    fn expand_disjunctions_inner(&mut self, v: VId, orig_nodes: usize) {
        let memo_key = self.leaf_memo_key(v);
        if let Some(key) = &memo_key {
            if self.leaf_from_memo(v, key) {
                return;
            }
        }
        // Only the disjunctions met first matter here; nested ones are
        // expanded when the candidates are processed.
        let groups = self.v[v as usize].take_cold(|c| &mut c.groups);
        let base_choices: ThinVec<ThinVec<usize>> =
            self.v[v as usize].choices().iter().cloned().collect();
        let merges_before = self.merges;
        let merged = self.merge_scalar_groups(&groups);
        // Merged groups come first; the others are tried one combination
        // at a time.
        let prefix = merged.as_ref().map_or(0, |m| m.prefix);
        // A group repeating an earlier one takes the same choice (in exact
        // mode every combination is tried, for the messages).
        let same_as: SameAs = if self.exact_disjunctions {
            smallvec::smallvec![None; groups.len()]
        } else {
            self.repeated_groups(v, &groups, prefix)
        };
        if same_as.iter().any(Option::is_some) {
            // Combinations are skipped: if all that are tried fail, they are
            // tried again one by one, for the messages (as merged ones are).
            self.merges += 1;
        }
        let mut total = merged.as_ref().map_or(1, |m| m.disjuncts.len());
        for (g, same) in groups[prefix..].iter().zip(&same_as[prefix..]) {
            if same.is_none() {
                total = total.saturating_mul(g.disjuncts.len().max(1));
            }
        }
        if total > self.budget.limits.max_disjuncts {
            // Name where the first few disjunctions are.
            let pos = groups
                .iter()
                .filter_map(|g| match g.disjuncts.first() {
                    Some((
                        Conjunct {
                            kind: CKind::Expr(x),
                            ..
                        },
                        _,
                    )) => Some(self.prog.pos[*x as usize]),
                    _ => None,
                })
                .take(3)
                .collect();
            let e = Rc::new(EvalError {
                kind: ErrKind::Eval,
                msg: format!(
                    "too many disjuncts: {total} combinations (limit {}, --max-disjuncts)",
                    self.budget.limits.max_disjuncts
                ),
                pos,
            });
            self.fail(v, e);
            return;
        }
        if let Some(m) = merged.as_ref().filter(|m| m.prefix == groups.len()) {
            if let Some(positions) = self.leaf_disjunction(v, m, &groups) {
                let disjuncts = groups.first().and_then(Self::disjunct_exprs);
                if let (Some(key), Some(disjuncts)) = (memo_key, disjuncts) {
                    if self.leaf_memo.len() < LEAF_MEMO_MAX {
                        let value = self.v[v as usize].value.clone();
                        let out = LeafOutcome {
                            disjuncts,
                            value,
                            positions,
                        };
                        self.leaf_memo.insert(key, out);
                    }
                }
                return;
            }
        }
        // Each combination: a choice per group, whether it is a default,
        // and which merged value its first choices give.
        let mut combos: Vec<(Choice, bool, Option<usize>)> = match &merged {
            Some(m) => (m.disjuncts.iter().enumerate())
                .map(|(k, (_, def, first))| (first.clone(), *def, Some(k)))
                .collect(),
            None => vec![(Choice::new(), true, None)],
        };
        for (gi, g) in groups.iter().enumerate().skip(prefix) {
            if let Some(r) = same_as[gi] {
                for (c, _, _) in &mut combos {
                    let i = c[r];
                    c.push(i);
                }
                continue;
            }
            let has_default = g.disjuncts.iter().any(|(_, d)| *d);
            let mut next = Vec::new();
            for (c, d, k) in &combos {
                for (i, (_, def)) in g.disjuncts.iter().enumerate() {
                    let mut c2 = c.clone();
                    c2.push(i);
                    next.push((c2, *d && (!has_default || *def), *k));
                }
            }
            combos = next;
        }
        // In the order trying every combination meets them, so that equal
        // results collapse onto the same first one.
        if merged.is_some() {
            combos.sort_by(|a, b| a.0.cmp(&b.0));
        }
        let mut survivors: Vec<(VId, bool)> = Vec::new();
        // Whether each survivor came from a candidate with marked
        // disjuncts of its own (kept short: filled when one does).
        let mut inner_marked: Vec<bool> = Vec::new();
        let mut errors: Vec<Rc<EvalError>> = Vec::new();
        let parent = self.v[v as usize].parent();
        let label = self.v[v as usize].label();
        // A plain scalar field whose disjunctions are all literal scalars
        // gets its candidates' values by meeting, without processing them.
        let mut leaf_values = Vec::new();
        if let Some(m) = merged.as_ref().filter(|_| prefix == groups.len()) {
            if self.is_plain_leaf(v) {
                leaf_values = (combos.iter())
                    .map(|(choice, _, k)| {
                        let k = k.expect("merged combination");
                        self.leaf_candidate(v, &m.disjuncts[k].0, &groups, choice)
                    })
                    .collect();
            }
        }
        let leaf = !leaf_values.is_empty();
        for (k, (choice, def, _)) in combos.into_iter().enumerate() {
            let found = leaf_values.get_mut(k).map(std::mem::take);
            if let Some(Some(None)) = found {
                continue;
            }
            let w = self.new_vertex(parent, label);
            {
                let src = &self.v[v as usize];
                let conjuncts: SmallVec<[Conjunct; 1]> =
                    SmallVec::from(&src.conjuncts[..src.orig_conjuncts()]);
                // Conjunct nodes refer to v's closedness tree as it was
                // before processing: copy that shape, without what
                // processing recorded in it.
                let close: SmallVec<[CloseNode; 2]> = src.close()[..orig_nodes - 1]
                    .iter()
                    .map(|n| CloseNode {
                        mirrored: n.mirrored,
                        ..CloseNode::new(n.parent, n.kind)
                    })
                    .collect();
                // A leaf has no fields for the mirror to serve.
                let mirror = if leaf {
                    SmallVec::new()
                } else {
                    SmallVec::from_slice(src.mirror())
                };
                let nodes = (!close.is_empty() || !mirror.is_empty())
                    .then(|| Box::new(Nodes { close, mirror }));
                let arc_type = src.arc_type;
                let wx = &mut self.v[w as usize];
                wx.conjuncts = conjuncts;
                wx.nodes = nodes;
                wx.arc_type = arc_type;
            }
            if let Some(Some(Some((val, pos)))) = found {
                let wx = &mut self.v[w as usize];
                wx.value = val;
                wx.set_pos(&pos);
                wx.state = State::Done;
                survivors.push((w, def));
                continue;
            }
            // Processing meets the disjunctions again: it takes these.
            let mut ch = base_choices.clone();
            for (g, &i) in groups.iter().zip(&choice) {
                let level = g.level as usize;
                if ch.len() <= level {
                    ch.resize(level + 1, ThinVec::new());
                }
                ch[level].push(i);
            }
            self.v[w as usize].cold_mut().choices = ch;
            self.process(w);
            let wr = self.deref(w);
            if let Some(e) = self.first_error(wr) {
                errors.push(e);
                continue;
            }
            if !self.v[wr as usize].disjuncts().is_empty() {
                let inner = self.v[wr as usize].disjuncts().to_vec();
                let marked = inner.iter().any(|&(_, dd)| !dd) && inner.iter().any(|&(_, dd)| dd);
                inner_marked.resize(survivors.len(), false);
                for (d, dd) in inner {
                    survivors.push((d, def && dd));
                    inner_marked.push(marked);
                }
            } else {
                survivors.push((wr, def));
            }
        }
        // Disjunctions none of whose terms is marked keep the defaults of
        // the terms that have some (spec: Default values, rule D1): `3 |
        // (*1 | 2)` defaults to 1, not to 3 or 1.
        let unmarked = (groups.iter()).all(|g| g.disjuncts.iter().all(|&(_, d)| !d));
        if unmarked && inner_marked.contains(&true) {
            inner_marked.resize(survivors.len(), false);
            for (s, &m) in survivors.iter_mut().zip(&inner_marked) {
                s.1 &= m;
            }
        }
        // Equal results collapse; a default among equals keeps it.
        let mut unique: Vec<(VId, bool)> = Vec::new();
        for (s, d) in survivors {
            if let Some(u) = unique.iter_mut().find(|(u, _)| self.equal(*u, s)) {
                u.1 |= d;
            } else {
                unique.push((s, d));
            }
        }
        // The same failure reached through several disjuncts reads once.
        let mut seen = std::collections::HashSet::new();
        errors.retain(|e| seen.insert(e.msg.clone()));
        match unique.len() {
            0 if self.merges != merges_before
                && self.disj_depth == 1
                && !self.exact_disjunctions =>
            {
                // Every candidate failed, and merging skipped combinations
                // here or below: try them all, one by one, so that the
                // messages list every failure as the reference's do. (Only
                // at the outermost disjunction: a nested one's messages
                // matter only when the outer one fails too.)
                self.v[v as usize].cold_mut().groups = groups;
                self.exact_disjunctions = true;
                self.expand_disjunctions_inner(v, orig_nodes);
                self.exact_disjunctions = false;
            }
            0 => {
                let e = if errors.len() == 1 {
                    errors.pop().unwrap()
                } else {
                    let incomplete = !errors.is_empty() && errors.iter().all(|e| e.is_incomplete());
                    let mut msg = format!("{} errors in empty disjunction:", errors.len());
                    for e in &errors {
                        msg.push_str("\n  ");
                        msg.push_str(&e.msg);
                    }
                    let mut err = EvalError {
                        kind: if incomplete {
                            ErrKind::Incomplete
                        } else {
                            ErrKind::Eval
                        },
                        msg,
                        pos: Vec::new(),
                    };
                    for e in &errors {
                        err.pos.extend(e.pos.iter().copied());
                    }
                    Rc::new(err)
                };
                self.fail(v, e);
            }
            1 => self.v[v as usize].cold_mut().forward = Some(unique[0].0),
            _ => self.v[v as usize].cold_mut().disjuncts = unique.into(),
        }
    }

    /// The path of the first vertex below `v` (or `v`) holding a permanent
    /// error, for messages.
    pub fn error_path(&mut self, v: VId) -> String {
        let v = self.deref(v);
        if let Some(e) = self.v[v as usize].err() {
            if !e.is_incomplete() {
                return self.path(v);
            }
        }
        let mut i = 0;
        while let Some(a) = self.arc_at(v, i) {
            i += 1;
            if self.v[a as usize].arc_type == ArcType::Optional {
                continue;
            }
            if self.first_error(a).is_some() {
                return self.error_path(a);
            }
        }
        self.path(v)
    }

    /// The first permanent error in a vertex or its regular descendants.
    pub fn first_error(&mut self, v: VId) -> Option<Rc<EvalError>> {
        // A vertex whose own processing failed needs its fields no further:
        // a failing disjunct (`{...} | [...]` met with a struct) is dropped
        // whole, and finalizing its fields would evaluate them for nothing.
        self.process(v);
        if let Some(e) = self.own_error(v) {
            return Some(e);
        }
        self.finalize(v);
        if self.v[v as usize].state == State::Processing {
            return None;
        }
        // (Finalizing checks validators, which may fail the vertex itself.)
        if let Some(e) = self.own_error(v) {
            return Some(e);
        }
        let v = self.deref(v);
        let mut i = 0;
        while let Some(a) = self.arc_at(v, i) {
            i += 1;
            let at = self.v[a as usize].arc_type;
            if at == ArcType::Optional {
                continue;
            }
            if let Some(e) = self.first_error(a) {
                return Some(e);
            }
        }
        None
    }

    /// The permanent error of `v` itself, if it has one (none while it is
    /// being processed).
    fn own_error(&self, v: VId) -> Option<Rc<EvalError>> {
        if self.v[v as usize].state == State::Processing {
            return None;
        }
        let e = self.v[self.deref(v) as usize].err()?;
        (!e.is_incomplete()).then(|| e.clone())
    }

    /// Processes `v` and all its non-optional descendants.
    pub fn finalize(&mut self, v: VId) {
        let v = self.deref(v);
        if self.v[v as usize].flag(flags::FINALIZED) {
            return;
        }
        rcue_syntax::stack::grow(STACK_RED_ZONE, STACK_GROWTH, || self.finalize_here(v))
    }

    fn finalize_here(&mut self, v: VId) {
        self.touch(v);
        self.v[v as usize].set_flag(flags::FINALIZED, true);
        self.process(v);
        let v = self.deref(v);
        self.v[v as usize].set_flag(flags::FINALIZED, true);
        if self.depth > MAX_DEPTH {
            return;
        }
        self.depth += 1;
        let mut i = 0;
        while let Some(a) = self.arc_at(v, i) {
            i += 1;
            if self.v[a as usize].arc_type == ArcType::Optional {
                continue;
            }
            self.finalize(a);
        }
        let mut i = 0;
        while let Some(&(d, _)) = self.v[v as usize].disjuncts().get(i) {
            i += 1;
            self.finalize(d);
        }
        self.depth -= 1;
        self.check_validators(v);
    }

    /// Checks the validators of a complete vertex.
    fn check_validators(&mut self, v: VId) {
        let validators = self.v[v as usize].take_cold(|c| &mut c.validators);
        for (val, pos) in validators {
            if self.v[v as usize].err().is_some() {
                return;
            }
            // Each validator says whether it holds, and what to add to the
            // message when it does not.
            // A package function may answer that it cannot tell yet
            // (`struct.MinFields` on an open struct): an incomplete error.
            let mut kind = ErrKind::Eval;
            let (ok, text, detail) = match val.as_ref() {
                Validator::Func { name, args, text } => {
                    let value = self.vertex_value(v);
                    let value = self.default_of(value);
                    if !value.is_atom() && !matches!(value, Value::Vertex(_)) {
                        continue; // not concrete yet: nothing to check
                    }
                    let mut all = vec![value];
                    all.extend(args.iter().cloned());
                    let r = crate::stdlib::call(self, name, &all);
                    if matches!(r, Err((ErrKind::Incomplete, _))) {
                        kind = ErrKind::Incomplete;
                    }
                    (matches!(r, Ok(Value::Bool(true))), text, String::new())
                }
                Validator::MatchIf {
                    cond,
                    then,
                    otherwise,
                    text,
                } => {
                    let cond = self.value_kind(cond.clone());
                    let (branch, ok) = if self.unifies_with(v, cond) {
                        let then = self.value_kind(then.clone());
                        ("then", self.unifies_with(v, then))
                    } else {
                        let otherwise = self.value_kind(otherwise.clone());
                        ("else", self.unifies_with(v, otherwise))
                    };
                    (ok, text, format!(": {branch} branch fails"))
                }
                Validator::MatchN {
                    count,
                    schemas,
                    text,
                } => {
                    let schemas = self.elems(*schemas).to_vec();
                    let mut matched = 0i64;
                    for s in schemas {
                        if self.unifies_with(v, CKind::Vertex(s)) {
                            matched += 1;
                        }
                    }
                    let ok = !meet(count, &Value::num(Num::int(matched))).is_bottom();
                    (
                        ok,
                        text,
                        format!(": {matched} matched, expected {}", describe(count)),
                    )
                }
            };
            if !ok {
                let msg = format!(
                    "invalid value {} (does not satisfy {text}){detail}",
                    self.describe_vertex(v)
                );
                self.fail(v, EvalError::at(kind, msg, pos));
            }
        }
    }

    /// Whether `v` unified with a schema has no error (validators are not
    /// re-checked in the trial vertex).
    fn unifies_with(&mut self, v: VId, schema: CKind) -> bool {
        let w = self.new_vertex(self.v[v as usize].parent(), self.v[v as usize].label());
        self.v[w as usize].set_flag(flags::NO_VALIDATORS, true);
        // Package-function validators of the schema (`math.MultipleOf(3)`)
        // are checked directly, as the trial vertex collects none.
        let funcs = match &schema {
            CKind::Vertex(s) => {
                let s = self.deref(*s);
                self.process(s);
                self.v[s as usize].validators().iter().cloned().collect()
            }
            _ => ThinVec::new(),
        };
        for kind in [CKind::Vertex(v), schema] {
            self.v[w as usize].conjuncts.push(Conjunct {
                kind,
                env: 0,
                node: 0,
            });
        }
        self.process(w);
        if self.first_error(w).is_some() {
            return false;
        }
        for (val, _) in funcs {
            if let Validator::Func { name, args, .. } = &*val {
                let value = self.vertex_value(w);
                let value = self.default_of(value);
                if !value.is_atom() && !matches!(value, Value::Vertex(_)) {
                    continue;
                }
                let mut all = vec![value];
                all.extend(args.iter().cloned());
                if !matches!(crate::stdlib::call(self, name, &all), Ok(Value::Bool(true))) {
                    return false;
                }
            }
        }
        true
    }

    /// A short rendering of a vertex's value for messages.
    pub fn describe_vertex(&self, v: VId) -> String {
        let vx = &self.v[v as usize];
        if vx.is_list() {
            "[...]".to_string()
        } else if vx.is_struct || !vx.arcs.is_empty() {
            "{...}".to_string()
        } else {
            describe(&vx.value)
        }
    }

    /// Structural equality of two processed values (for collapsing equal
    /// disjuncts).
    pub fn equal(&mut self, a: VId, b: VId) -> bool {
        let (a, b) = (self.deref(a), self.deref(b));
        if a == b {
            return true;
        }
        self.process(a);
        self.process(b);
        let (a, b) = (self.deref(a), self.deref(b));
        let (va, vb) = (&self.v[a as usize], &self.v[b as usize]);
        if va.disjuncts().len() != vb.disjuncts().len() || va.is_list() != vb.is_list() {
            return false;
        }
        if !values_equal(&va.value, &vb.value) {
            return false;
        }
        let (va_arcs, vb_arcs) = (va.arcs.clone(), vb.arcs.clone());
        let arcs_a: Vec<VId> = va_arcs
            .iter()
            .copied()
            .filter(|&x| self.v[x as usize].arc_type != ArcType::None)
            .collect();
        let arcs_b: Vec<VId> = vb_arcs
            .iter()
            .copied()
            .filter(|&x| self.v[x as usize].arc_type != ArcType::None)
            .collect();
        if arcs_a.len() != arcs_b.len() {
            return false;
        }
        for x in arcs_a {
            let l = self.v[x as usize].label().unwrap();
            let Some(y) = self.arc(b, l) else {
                return false;
            };
            if self.v[x as usize].arc_type != self.v[y as usize].arc_type {
                return false;
            }
            if !self.equal(x, y) {
                return false;
            }
        }
        true
    }

    /// An operand of `==`/`!=` as data: a scalar, or a list or struct
    /// vertex (defaults chosen); an error when it is not concrete.
    fn operand(&mut self, v: Value, e: ExprId) -> Result<Operand, Rc<EvalError>> {
        let v = match v {
            Value::Vertex(w) => {
                let w = self.deref(w);
                self.process(w);
                let d = self.resolve_default(w)?;
                self.process(d);
                let d = self.deref(d);
                match self.default_value(d) {
                    Value::Vertex(x) => {
                        let x = self.deref(x);
                        return Ok(if self.v[x as usize].is_list() {
                            Operand::List(x)
                        } else {
                            Operand::Struct(x)
                        });
                    }
                    other => other,
                }
            }
            other => other,
        };
        match v {
            Value::Bottom(err) => Err(err),
            v if v.is_atom() => Ok(Operand::Atom(v)),
            other => Err(self.err_at(
                ErrKind::Incomplete,
                format!("incomplete value {}", describe(&other)),
                e,
            )),
        }
    }

    /// `==` on data: scalars as the operator says, lists element by
    /// element, structs by their regular fields (optional ones do not
    /// exist; definitions and hidden fields are ignored). Values of
    /// different kinds are not equal.
    fn data_equal(&mut self, a: Operand, b: Operand, e: ExprId) -> Result<bool, Rc<EvalError>> {
        // Data nests as deep as users write it.
        rcue_syntax::stack::grow(STACK_RED_ZONE, STACK_GROWTH, || {
            self.data_equal_here(a, b, e)
        })
    }

    fn data_equal_here(
        &mut self,
        a: Operand,
        b: Operand,
        e: ExprId,
    ) -> Result<bool, Rc<EvalError>> {
        match (a, b) {
            (Operand::Atom(x), Operand::Atom(y)) => {
                match crate::ops::binary(BinaryOp::Eq, x, y, self.budget.limits.max_string_bytes) {
                    Ok(Value::Bool(b)) => Ok(b),
                    Ok(Value::Bottom(err)) => Err(err),
                    Ok(_) => Ok(false),
                    Err(m) => Err(self.err_at(m.0, m.1, e)),
                }
            }
            (Operand::List(x), Operand::List(y)) | (Operand::Struct(x), Operand::Struct(y)) => {
                let list = self.v[x as usize].is_list();
                let xs = self.data_arcs(x, e)?;
                let ys = self.data_arcs(y, e)?;
                if xs.len() != ys.len() {
                    return Ok(false);
                }
                for (i, a) in xs.into_iter().enumerate() {
                    // Elements pair by index; fields by label (with as many
                    // data fields on both sides, each of x's must be y's).
                    let b = if list {
                        ys[i]
                    } else {
                        let found = self.v[a as usize].label().and_then(|l| self.arc(y, l));
                        match found {
                            Some(b)
                                if self.v[self.deref(b) as usize].arc_type == ArcType::Regular =>
                            {
                                b
                            }
                            _ => return Ok(false),
                        }
                    };
                    let (oa, ob) = (
                        self.operand(Value::Vertex(a), e)?,
                        self.operand(Value::Vertex(b), e)?,
                    );
                    if !self.data_equal(oa, ob, e)? {
                        return Ok(false);
                    }
                }
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    /// The regular fields or elements of a struct or list, in order; an
    /// error for a required field that is not set.
    fn data_arcs(&mut self, v: VId, e: ExprId) -> Result<Vec<VId>, Rc<EvalError>> {
        let mut out = Vec::new();
        for a in self.v[v as usize].arcs.clone() {
            let a = self.deref(a);
            let Some(label) = self.v[a as usize].label() else {
                continue;
            };
            if !self.labels.is_regular(label) {
                continue;
            }
            match self.v[a as usize].arc_type {
                ArcType::Regular => out.push(a),
                ArcType::Required => {
                    return Err(self.err_at(
                        ErrKind::Incomplete,
                        "field is required but not present".into(),
                        e,
                    ))
                }
                ArcType::Optional | ArcType::None => {}
            }
        }
        Ok(out)
    }

    // ---- expressions ----

    fn err_at(&self, kind: ErrKind, msg: String, e: ExprId) -> Rc<EvalError> {
        EvalError::at(kind, msg, self.prog.pos[e as usize])
    }

    fn with_pos(&self, e: Rc<EvalError>, at: ExprId) -> Rc<EvalError> {
        if !e.pos.is_empty() {
            return e;
        }
        let mut x = (*e).clone();
        x.pos.push(self.prog.pos[at as usize]);
        Rc::new(x)
    }

    fn env_at(&self, mut env: EnvId, up: u32) -> EnvId {
        for _ in 0..up {
            env = self.envs[env as usize].up().unwrap_or(0);
        }
        env
    }

    /// Resolves a reference-like expression to a vertex without evaluating
    /// that vertex, when it denotes one.
    pub fn resolve_vertex(&mut self, e: ExprId, env: EnvId) -> Result<Option<VId>, Rc<EvalError>> {
        // Matched in place (the fields taken are copies): cloning the
        // expression for every reference was a measurable cost.
        match *self.prog.expr(e) {
            Expr::Ref(Ref::Field { up, label }) => {
                let target = self.env_at(env, up);
                let EnvKind::Struct(v) = self.envs[target as usize].kind else {
                    return Ok(None);
                };
                let v = self.deref(v);
                if self.v[v as usize].state == State::New {
                    self.process(v);
                }
                let v = self.deref(v);
                match self.arc(v, label) {
                    Some(a)
                        if self.v[a as usize].arc_type == ArcType::Optional
                            && self.labels.is_regular(label) =>
                    {
                        Err(self.err_at(
                            ErrKind::Incomplete,
                            format!(
                                "cannot reference optional field: {}",
                                self.labels.path_elem(label)
                            ),
                            e,
                        ))
                    }
                    Some(a) => Ok(Some(a)),
                    None => Err(self.err_at(
                        ErrKind::Incomplete,
                        format!("reference {:?} not found", self.labels.name(label)),
                        e,
                    )),
                }
            }
            Expr::Ref(Ref::Var { up, slot }) => {
                let target = self.env_at(env, up);
                let val = match &self.envs[target as usize].kind {
                    EnvKind::Vars(i) => {
                        let kv = &self.vars[*i as usize];
                        if slot == 0 {
                            &kv.0
                        } else {
                            &kv.1
                        }
                    }
                    _ => &Value::Top,
                };
                match *val {
                    Value::Vertex(w) => Ok(Some(w)),
                    _ => Ok(None),
                }
            }
            Expr::Ref(Ref::Import(ref p)) => match self.packages.get(p.as_str()).copied() {
                Some(root) => {
                    if self.v[root as usize].state == State::New {
                        self.process(root);
                    }
                    Ok(Some(self.deref(root)))
                }
                None => Ok(None),
            },
            Expr::Ref(Ref::SelfStruct { up }) => {
                let target = self.env_at(env, up);
                match self.envs[target as usize].kind {
                    EnvKind::Struct(v) => Ok(Some(self.deref(v))),
                    _ => Ok(None),
                }
            }
            Expr::Ref(Ref::DynField { up, label }) => {
                let target = self.env_at(env, up);
                let EnvKind::Struct(v) = self.envs[target as usize].kind else {
                    return Ok(None);
                };
                if self.labels_active.contains(&(target, label)) {
                    return Err(self.err_at(
                        ErrKind::Cycle,
                        "cycle in field label: the label refers to its own field".into(),
                        e,
                    ));
                }
                self.labels_active.push((target, label));
                let l = self.eval(label, target);
                self.labels_active.pop();
                match l {
                    Value::Str(s) => {
                        let l = self.labels.string(&s);
                        let v = self.deref(v);
                        self.process(v);
                        Ok(self.arc(self.deref(v), l))
                    }
                    Value::Bottom(err) => Err(err),
                    _ => Err(self.err_at(
                        ErrKind::Incomplete,
                        "unresolved label of aliased field".into(),
                        e,
                    )),
                }
            }
            Expr::Ref(Ref::PatternField { up }) => {
                let target = self.env_at(env, up);
                let (EnvKind::PatternLabel(matched), Some(parent)) = (
                    self.envs[target as usize].kind.clone(),
                    self.envs[target as usize].up(),
                ) else {
                    return Ok(None);
                };
                let EnvKind::Struct(v) = self.envs[parent as usize].kind else {
                    return Ok(None);
                };
                let name = self.labels.name_rc(matched);
                let label = self.labels.string(&name);
                Ok(self.arc(self.deref(v), label))
            }
            Expr::Select(base, label) => {
                let b = match self.resolve_vertex(base, env)? {
                    Some(b) => b,
                    None => match self.eval(base, env) {
                        Value::Vertex(b) => b,
                        Value::Bottom(err) => return Err(err),
                        _ => return Ok(None),
                    },
                };
                self.select(b, label, e).map(Some)
            }
            _ => Ok(None),
        }
    }

    /// `b.label`: resolves disjunctions to their default first.
    fn select(&mut self, b: VId, label: Label, e: ExprId) -> Result<VId, Rc<EvalError>> {
        let b = self.deref(b);
        if self.evaluating.contains(&b) || self.v[b as usize].state == State::Processing {
            if let Some(a) = self.arc(b, label) {
                return Ok(a);
            }
        }
        self.process(b);
        let b = self
            .resolve_default(b)
            .map_err(|err| self.with_pos(err, e))?;
        if let Some(err) = self.v[b as usize].err() {
            return Err(err.clone());
        }
        match self.arc(b, label) {
            Some(a)
                if self.v[a as usize].arc_type == ArcType::Optional
                    && self.labels.is_regular(label) =>
            {
                Err(self.err_at(
                    ErrKind::Incomplete,
                    format!(
                        "cannot reference optional field: {}",
                        self.labels.path_elem(label)
                    ),
                    e,
                ))
            }
            Some(a) => Ok(a),
            None => {
                let vx = &self.v[b as usize];
                let structural = vx.is_struct || !vx.arcs.is_empty();
                if !structural && !matches!(vx.value, Value::Top) {
                    return Err(self.err_at(
                        ErrKind::Eval,
                        format!(
                            "invalid selector {}: cannot select from {}",
                            self.labels.name(label),
                            describe(&vx.value.clone())
                        ),
                        e,
                    ));
                }
                // A closed struct that is done and does not allow the
                // field never will: a permanent error, as in the
                // reference (`x.undefined == _|_` tells them apart).
                let kind = if self.v[b as usize].state == State::Done
                    && self.v[b as usize].node_count() > 1
                    && !self.allowed(b, label)
                {
                    ErrKind::Eval
                } else {
                    ErrKind::Incomplete
                };
                Err(self.err_at(
                    kind,
                    format!("undefined field: {}", self.labels.path_elem(label)),
                    e,
                ))
            }
        }
    }

    /// The default of a disjunction vertex, or the vertex itself.
    pub fn resolve_default(&mut self, v: VId) -> Result<VId, Rc<EvalError>> {
        let v = self.deref(v);
        let ds = &self.v[v as usize].disjuncts();
        if ds.is_empty() {
            return Ok(v);
        }
        let mut defaults = ds.iter().filter(|(_, d)| *d);
        if let (Some(&(only, _)), None) = (defaults.next(), defaults.next()) {
            return Ok(self.deref(only));
        }
        Err(EvalError::new(
            ErrKind::Incomplete,
            format!("unresolved disjunction (ambiguous: {} values)", ds.len()),
        ))
    }

    /// Evaluates an expression to a value, resolving defaults.
    pub fn eval(&mut self, e: ExprId, env: EnvId) -> Value {
        let v = self.eval_keep(e, env);
        self.default_of(v)
    }

    /// Default resolution of a value (spec: Default values).
    pub fn default_of(&mut self, v: Value) -> Value {
        match v {
            Value::Disj(ds) => {
                let mut defaults = ds.iter().filter(|(_, d)| *d);
                if let (Some((x, _)), None) = (defaults.next(), defaults.next()) {
                    return self.default_of(x.clone());
                }
                if ds.len() == 1 {
                    return ds[0].0.clone();
                }
                Value::Disj(ds)
            }
            Value::Vertex(w) => {
                let w = self.deref(w);
                if self.v[w as usize].disjuncts().is_empty() {
                    return Value::Vertex(w);
                }
                match self.resolve_default(w) {
                    Ok(d) => self.default_value(d),
                    Err(_) => {
                        let ds = self.v[w as usize].disjuncts().to_vec();
                        let vals = ds
                            .iter()
                            .map(|&(d, def)| (self.vertex_value(d), def))
                            .collect();
                        Value::Disj(Rc::new(vals))
                    }
                }
            }
            v => v,
        }
    }

    /// The value of vertex `d` (a disjunction's default candidate), with
    /// its own default taken if it is a leaf disjunction kept as a value.
    fn default_value(&mut self, d: VId) -> Value {
        match self.vertex_value(d) {
            x @ Value::Disj(_) => self.default_of(x),
            x => x,
        }
    }

    /// Evaluates an expression to a value, keeping disjunctions.
    pub fn eval_keep(&mut self, e: ExprId, env: EnvId) -> Value {
        // Every path of unbounded recursion passes through here: stop it
        // with an error long before the stack runs out.
        if self.eval_depth >= MAX_DEPTH {
            return Value::Bottom(self.err_at(ErrKind::StructuralCycle, format!("evaluation too deep (more than {MAX_DEPTH} nested expressions): structural cycle?"), e));
        }
        self.eval_depth += 1;
        let r = rcue_syntax::stack::grow(STACK_RED_ZONE, STACK_GROWTH, || {
            self.eval_keep_inner(e, env)
        });
        self.eval_depth -= 1;
        r
    }

    fn eval_keep_inner(&mut self, e: ExprId, env: EnvId) -> Value {
        let expr = self.prog.expr(e).clone();
        match expr {
            Expr::Top => Value::Top,
            Expr::Bottom => Value::Bottom(self.err_at(
                ErrKind::Eval,
                "explicit error (_|_ literal) in source".into(),
                e,
            )),
            Expr::Null => Value::Null,
            Expr::Bool(b) => Value::Bool(b),
            Expr::Num(n) => Value::Num(n),
            Expr::Str(s) => Value::Str(s),
            Expr::Bytes(b) => Value::Bytes(b),
            Expr::Kind(k) => Value::Kind(k),
            Expr::Builtin(b) => Value::Builtin(b),
            Expr::Error(msg) => Value::Bottom(self.err_at(ErrKind::Eval, msg.to_string(), e)),
            Expr::Unsupported(msg) => Value::Bottom(self.err_at(
                ErrKind::Unsupported,
                format!("not supported yet: {msg}"),
                e,
            )),
            Expr::Optional(x) => match self.eval(x, env) {
                // Missing, or optional and unset: the `try` clause that
                // holds the marker yields nothing.
                Value::Bottom(err) if err.kind == ErrKind::Incomplete => {
                    Value::Bottom(self.err_at(ErrKind::Incomplete, ABSENT.to_string(), e))
                }
                v => v,
            },
            Expr::Struct(_) | Expr::List(_) | Expr::Binary(BinaryOp::And, ..) => {
                self.anonymous(e, env)
            }
            Expr::Disjunction(ref ds) => {
                if ds.iter().all(|(d, _)| self.is_scalar_expr(*d)) {
                    // Defaults of nested disjunctions by the spec's rules
                    // (`nested_default`). No value marked means no default.
                    let marked = ds.iter().any(|&(_, def)| def);
                    let mut vals = Vec::new();
                    for &(d, def) in ds.iter() {
                        let x = self.eval_keep(d, env);
                        match x {
                            Value::Disj(inner) => {
                                let inner_marked = inner.iter().any(|&(_, dd)| dd);
                                vals.extend(inner.iter().map(|(v, dd)| {
                                    (v.clone(), nested_default(marked, def, inner_marked, *dd))
                                }))
                            }
                            Value::Bottom(_) => {}
                            x => vals.push((x, def)),
                        }
                    }
                    return match vals.len() {
                        0 => {
                            Value::Bottom(self.err_at(ErrKind::Eval, "empty disjunction".into(), e))
                        }
                        1 => vals.pop().unwrap().0,
                        _ => Value::Disj(Rc::new(vals)),
                    };
                }
                self.anonymous(e, env)
            }
            Expr::Ref(Ref::Let { up, expr, .. }) => {
                let target = self.env_at(env, up);
                if let Some(v) = self.let_cache.get(&(target, expr)) {
                    return v.clone();
                }
                let v = self.eval_keep(expr, target);
                self.let_cache.insert((target, expr), v.clone());
                v
            }
            Expr::Ref(Ref::PatternLabel { up }) => {
                let target = self.env_at(env, up);
                match &self.envs[target as usize].kind {
                    EnvKind::PatternLabel(l) => Value::Str(self.labels.name_rc(*l)),
                    _ => Value::Top,
                }
            }
            Expr::Ref(Ref::Import(p)) => match self.packages.get(p.as_str()) {
                Some(&root) => {
                    self.process(root);
                    Value::Vertex(self.deref(root))
                }
                None => Value::Package(p),
            },
            Expr::Ref(_) | Expr::Select(..) => match self.resolve_vertex(e, env) {
                Ok(Some(w)) => self.value_of_ref(w, e),
                Ok(None) => match expr {
                    Expr::Ref(Ref::Var { up, slot }) => {
                        let target = self.env_at(env, up);
                        match &self.envs[target as usize].kind {
                            EnvKind::Vars(i) => {
                                let kv = &self.vars[*i as usize];
                                if slot == 0 {
                                    kv.0.clone()
                                } else {
                                    kv.1.clone()
                                }
                            }
                            _ => Value::Top,
                        }
                    }
                    Expr::Select(base, label) => {
                        let b = self.eval(base, env);
                        match b {
                            Value::Package(p) => {
                                let name = format!("{}.{}", p, self.labels.name(label));
                                match crate::stdlib::constant(self, &name) {
                                    Some(v) => v,
                                    None if crate::stdlib::exists(&name) => {
                                        Value::Func(Text::from(name.as_str()))
                                    }
                                    None => Value::Bottom(self.err_at(
                                        ErrKind::Unsupported,
                                        format!(
                                            "not supported yet: {}.{} (standard package {p})",
                                            p.rsplit('/').next().unwrap_or(&p),
                                            self.labels.name(label)
                                        ),
                                        e,
                                    )),
                                }
                            }
                            Value::Bottom(err) => Value::Bottom(err),
                            other => Value::Bottom(self.err_at(
                                if other.is_atom() {
                                    ErrKind::Eval
                                } else {
                                    ErrKind::Incomplete
                                },
                                format!(
                                    "invalid selector {}: cannot select from {}",
                                    self.labels.name(label),
                                    describe(&other)
                                ),
                                e,
                            )),
                        }
                    }
                    _ => Value::Top,
                },
                Err(err) => Value::Bottom(self.with_pos(err, e)),
            },
            Expr::Index(x, i) => self.index(x, i, env, e),
            Expr::Slice(x, lo, hi) => self.slice(x, lo, hi, env, e),
            Expr::Call(f, args) => self.call(f, &args, env, e),
            Expr::Unary(op, x) => {
                let val = self.eval(x, env);
                crate::ops::unary(op, val)
                    .map_err(|m| self.err_at(m.0, m.1, e))
                    .unwrap_or_else(Value::Bottom)
            }
            Expr::Binary(op @ (BinaryOp::Eq | BinaryOp::Ne), a, b)
                if matches!(self.prog.expr(a), Expr::Bottom)
                    || matches!(self.prog.expr(b), Expr::Bottom) =>
            {
                // `x == _|_` tests whether x is an error (spec: Comparison
                // operators).
                let other = if matches!(self.prog.expr(a), Expr::Bottom) {
                    b
                } else {
                    a
                };
                // A struct or list with a permanent error inside is an
                // error here too (`{a: 1} & {a: 2}`), as in the reference;
                // an incomplete one (an undefined field of an open struct)
                // is not.
                if let Some(e) = self.undecided_field(other, env) {
                    return Value::Bottom(e);
                }
                let is_err = match self.prog.expr(other) {
                    Expr::Bottom => true,
                    _ => match self.eval(other, env) {
                        Value::Bottom(_) => true,
                        Value::Vertex(w) => self.first_error(w).is_some(),
                        _ => false,
                    },
                };
                Value::Bool(if op == BinaryOp::Eq { is_err } else { !is_err })
            }
            Expr::ShortCircuit(op, a, b) => match (op, self.eval(a, env)) {
                // `false && x` and `true || x` do not look at x.
                (BinaryOp::LogicalAnd, Value::Bool(false)) => Value::Bool(false),
                (BinaryOp::LogicalOr, Value::Bool(true)) => Value::Bool(true),
                (_, va) => {
                    let vb = self.eval(b, env);
                    crate::ops::binary(op, va, vb, self.budget.limits.max_string_bytes)
                        .unwrap_or_else(|m| Value::Bottom(self.err_at(m.0, m.1, e)))
                }
            },
            Expr::Binary(op, a, b) => {
                let va = self.eval(a, env);
                let vb = self.eval(b, env);
                match (op, &va, &vb) {
                    (BinaryOp::Eq | BinaryOp::Ne, Value::Null, Value::Vertex(_))
                    | (BinaryOp::Eq | BinaryOp::Ne, Value::Vertex(_), Value::Null) => {
                        Value::Bool(op == BinaryOp::Ne)
                    }

                    (BinaryOp::Or, ..) => unreachable!("disjunctions are flattened"),
                    (BinaryOp::Eq | BinaryOp::Ne, Value::Vertex(_), _)
                    | (BinaryOp::Eq | BinaryOp::Ne, _, Value::Vertex(_)) => {
                        // Structs and lists compare by their data (the
                        // structcmp experiment's rules).
                        let compared = self
                            .operand(va.clone(), e)
                            .and_then(|x| Ok((x, self.operand(vb.clone(), e)?)))
                            .and_then(|(x, y)| self.data_equal(x, y, e));
                        match compared {
                            Ok(eq) => Value::Bool(if op == BinaryOp::Eq { eq } else { !eq }),
                            Err(err) => Value::Bottom(self.with_pos(err, e)),
                        }
                    }
                    (BinaryOp::Add, Value::Vertex(x), Value::Vertex(y))
                    | (BinaryOp::Mul, Value::Vertex(x), Value::Vertex(y))
                        if self.v[*x as usize].is_list() || self.v[*y as usize].is_list() =>
                    {
                        Value::Bottom(
                            self.err_at(
                                ErrKind::Eval,
                                "list arithmetic is not supported; use list.Concat and list.Repeat"
                                    .into(),
                                e,
                            ),
                        )
                    }
                    _ => crate::ops::binary(op, va, vb, self.budget.limits.max_string_bytes)
                        .unwrap_or_else(|m| Value::Bottom(self.err_at(m.0, m.1, e))),
                }
            }
            Expr::Interpolation(parts, bytes) => {
                // The parts' values first, then the text in one buffer of
                // about the right size (interpolations build many of the
                // strings of a generated configuration).
                let mut vals: SmallVec<[Value; 4]> = SmallVec::new();
                for p in parts.iter() {
                    if let InterpPart::Expr(x) = p {
                        match self.eval(*x, env) {
                            v @ (Value::Str(_)
                            | Value::Bytes(_)
                            | Value::Num(_)
                            | Value::Bool(_)
                            | Value::Null) => vals.push(v),
                            Value::Bottom(err) => return Value::Bottom(err),
                            other => {
                                let kind = if matches!(other, Value::Vertex(_)) {
                                    ErrKind::Eval
                                } else {
                                    ErrKind::Incomplete
                                };
                                let what = match &other {
                                    Value::Vertex(w) if self.v[*w as usize].is_list() => "cannot use [] (type list) as type (bool|string|bytes|number)".to_string(),
                                    Value::Vertex(_) => "cannot use {} (type struct) as type (bool|string|bytes|number)".to_string(),
                                    o => format!("non-concrete value {}", describe(o)),
                                };
                                return Value::Bottom(self.err_at(
                                    kind,
                                    format!("invalid interpolation: {what}"),
                                    *x,
                                ));
                            }
                        }
                    }
                }
                interpolate(&parts, &vals, bytes)
            }
        }
    }

    fn is_scalar_vertex(&self, w: VId) -> bool {
        let x = &self.v[w as usize];
        x.arcs.is_empty()
            && !x.is_struct
            && !x.is_list()
            && x.disjuncts().is_empty()
            && x.groups().is_empty()
            && x.validators().is_empty()
    }

    fn is_scalar_expr(&self, e: ExprId) -> bool {
        matches!(
            self.prog.expr(e),
            Expr::Null
                | Expr::Bool(_)
                | Expr::Num(_)
                | Expr::Str(_)
                | Expr::Bytes(_)
                | Expr::Kind(_)
                | Expr::Top
                | Expr::Unary(..)
        )
    }

    /// The value of a referenced vertex; a reference to a vertex whose value
    /// is being computed is a cycle.
    fn value_of_ref(&mut self, w: VId, e: ExprId) -> Value {
        let w = self.deref(w);
        if self.v[w as usize].state == State::Processing || self.evaluating.contains(&w) {
            let vx = &self.v[w as usize];
            if vx.is_struct || vx.is_list() || !vx.arcs.is_empty() {
                return Value::Vertex(w);
            }
            // A concrete value already known resolves the cycle.
            if vx.value.is_atom() && vx.err().is_none() && vx.groups().is_empty() {
                return vx.value.clone();
            }
            return Value::Bottom(self.err_at(ErrKind::Cycle, "cycle in evaluation".into(), e));
        }
        self.evaluating.push(w);
        let v = self.vertex_value(w);
        self.evaluating.pop();
        match v {
            Value::Bottom(err) => Value::Bottom(err),
            v => v,
        }
    }

    /// A fresh vertex holding one expression (struct literals and
    /// conjunctions used as operands).
    fn anonymous(&mut self, e: ExprId, env: EnvId) -> Value {
        let active = self.anon_active.entry(e).or_insert(0);
        if *active >= MAX_SELF_NESTING {
            return Value::Bottom(self.err_at(
                ErrKind::StructuralCycle,
                "structural cycle".into(),
                e,
            ));
        }
        *active += 1;
        let r = self.anonymous_inner(e, env);
        if let Some(a) = self.anon_active.get_mut(&e) {
            *a -= 1;
        }
        r
    }

    fn anonymous_inner(&mut self, e: ExprId, env: EnvId) -> Value {
        let w = self.new_vertex(None, None);
        self.v[w as usize].conjuncts.push(Conjunct {
            kind: CKind::Expr(e),
            env,
            node: 0,
        });
        self.process(w);
        let w = self.deref(w);
        if !self.v[w as usize].disjuncts().is_empty() {
            let ds = self.v[w as usize].disjuncts().to_vec();
            let vals = ds
                .iter()
                .map(|&(d, def)| (self.vertex_value(d), def))
                .collect();
            return Value::Disj(Rc::new(vals));
        }
        self.vertex_value(w)
    }

    fn index(&mut self, x: ExprId, i: ExprId, env: EnvId, e: ExprId) -> Value {
        let base = self.eval(x, env);
        let idx = self.eval(i, env);
        match (&base, &idx) {
            (Value::Bottom(_), _) => base,
            (_, Value::Bottom(_)) => idx,
            (Value::Vertex(w), Value::Num(n)) if self.v[*w as usize].is_list() => {
                let Some(k) = n.to_i64().filter(|_| n.is_int) else {
                    return Value::Bottom(self.err_at(
                        ErrKind::Eval,
                        format!("invalid list index {}", n.to_json()),
                        i,
                    ));
                };
                let len = self.elems(*w).len() as i64;
                if k < 0 || k >= len {
                    return Value::Bottom(self.err_at(
                        ErrKind::Eval,
                        format!("index out of range [{k}] with length {len}"),
                        i,
                    ));
                }
                let a = self.elems(*w)[k as usize];
                self.value_of_ref(a, e)
            }
            (Value::Vertex(w), Value::Str(s)) => {
                let label = self.labels.string(s);
                match self.select(*w, label, e) {
                    Ok(a) => self.value_of_ref(a, e),
                    Err(err) => Value::Bottom(err),
                }
            }
            (Value::Str(_) | Value::Bytes(_), Value::Num(_)) => Value::Bottom(self.err_at(
                ErrKind::Eval,
                "indexing strings and bytes is not supported".into(),
                e,
            )),
            _ if !base.is_atom() && !matches!(base, Value::Vertex(_)) || !idx.is_atom() => {
                Value::Bottom(self.err_at(
                    ErrKind::Incomplete,
                    "incomplete index expression".into(),
                    e,
                ))
            }
            _ => Value::Bottom(self.err_at(
                ErrKind::Eval,
                format!("invalid operation: {}[{}]", describe(&base), describe(&idx)),
                e,
            )),
        }
    }

    fn call(&mut self, f: ExprId, args: &[ExprId], env: EnvId, e: ExprId) -> Value {
        let fv = self.eval(f, env);
        match fv {
            Value::Builtin(b) => crate::builtins::call(self, b, args, env, e),
            Value::Func(name) => {
                let vals: Vec<Value> = args.iter().map(|&a| self.eval(a, env)).collect();
                if let Some(err) = vals.iter().find_map(|v| match v {
                    Value::Bottom(err) => Some(err.clone()),
                    _ => None,
                }) {
                    return Value::Bottom(err);
                }
                match crate::stdlib::call(self, &name, &vals) {
                    // A limit reached while building the result.
                    Ok(Value::Bottom(err)) if err.pos.is_empty() => {
                        Value::Bottom(self.with_pos(err, e))
                    }
                    Ok(v) => v,
                    // One argument short: a validator for the value it is
                    // unified with (spec: Builtin validators).
                    Err((_, msg)) if msg == format!("missing argument {}", vals.len() + 1) => {
                        let text = format!(
                            "{}({})",
                            name.rsplit('/').next().unwrap_or(&name),
                            vals.iter().map(describe).collect::<Vec<_>>().join(", ")
                        );
                        Value::Validator(Rc::new(Validator::Func {
                            name: name.clone(),
                            args: vals,
                            text,
                        }))
                    }
                    Err((kind, msg)) => Value::Bottom(self.err_at(
                        kind,
                        format!("error in call to {name}: {msg}"),
                        e,
                    )),
                }
            }
            Value::Bottom(err) => Value::Bottom(err),
            other => Value::Bottom(self.err_at(
                ErrKind::Eval,
                format!("cannot call non-function {}", describe(&other)),
                e,
            )),
        }
    }

    /// `x[lo:hi]` on a list: a new list of the same elements.
    fn slice(
        &mut self,
        x: ExprId,
        lo: Option<ExprId>,
        hi: Option<ExprId>,
        env: EnvId,
        e: ExprId,
    ) -> Value {
        let base = self.eval(x, env);
        let w = match base {
            Value::Vertex(w) if self.v[self.deref(w) as usize].is_list() => self.deref(w),
            Value::Bottom(_) => return base,
            other => {
                let kind = if other.is_atom() {
                    ErrKind::Eval
                } else {
                    ErrKind::Incomplete
                };
                return Value::Bottom(self.err_at(
                    kind,
                    format!("cannot slice {}", describe(&other)),
                    e,
                ));
            }
        };
        let len = self.elems(w).len() as i64;
        let mut bound = |b: Option<ExprId>, default: i64| -> Result<i64, Value> {
            let Some(b) = b else { return Ok(default) };
            match self.eval(b, env) {
                Value::Num(n) if n.is_int => n.to_i64().ok_or_else(|| {
                    Value::Bottom(self.err_at(ErrKind::Eval, "slice index out of range".into(), b))
                }),
                Value::Bottom(err) => Err(Value::Bottom(err)),
                other => Err(Value::Bottom(self.err_at(
                    ErrKind::Eval,
                    format!("invalid slice index {}", describe(&other)),
                    b,
                ))),
            }
        };
        let (lo, hi) = match (bound(lo, 0), bound(hi, len)) {
            (Ok(l), Ok(h)) => (l, h),
            (Err(v), _) | (_, Err(v)) => return v,
        };
        if lo < 0 || hi > len || lo > hi {
            return Value::Bottom(self.err_at(
                ErrKind::Eval,
                format!("invalid slice index: [{lo}:{hi}] with length {len}"),
                e,
            ));
        }
        let elems: Vec<VId> = self.elems(w)[lo as usize..hi as usize].to_vec();
        self.list_of(elems.into_iter().map(CKind::Vertex).collect())
    }

    /// A conjunct kind holding `val`.
    pub fn value_kind(&mut self, val: Value) -> CKind {
        self.cvals.push(val);
        CKind::Value((self.cvals.len() - 1) as u32)
    }

    /// A new list whose elements are the given conjuncts.
    pub fn list_of(&mut self, elems: Vec<CKind>) -> Value {
        let l = self.new_vertex(None, None);
        let n = elems.len();
        for (i, c) in elems.into_iter().enumerate() {
            if let Some(msg) = &self.stopped {
                return Value::Bottom(EvalError::new(ErrKind::Eval, msg.to_string()));
            }
            self.add_built_arc(l, Label::Index(i as u32), c);
        }
        push_short(
            &mut self.v[l as usize].cold_mut().lists,
            ListLitInfo {
                len: n,
                ellipsis: None,
                env: 0,
                node: 0,
            },
        );
        self.v[l as usize].state = State::Done;
        Value::Vertex(l)
    }

    /// A new struct whose fields are the given conjuncts, in order.
    pub fn struct_of(&mut self, fields: Vec<(String, CKind)>) -> Value {
        let s = self.new_vertex(None, None);
        self.v[s as usize].is_struct = true;
        for (name, c) in fields {
            let label = self.labels.string(&name);
            self.add_built_arc(s, label, c);
        }
        self.v[s as usize].state = State::Done;
        Value::Vertex(s)
    }

    /// A regular arc of a value built by a builtin, holding one conjunct.
    fn add_built_arc(&mut self, parent: VId, label: Label, c: CKind) {
        let a = self.new_vertex(Some(parent), Some(label));
        self.v[a as usize].arc_type = ArcType::Regular;
        self.v[a as usize].conjuncts.push(Conjunct {
            kind: c,
            env: 0,
            node: 0,
        });
        self.push_arc(parent, label, a);
    }

    /// The elements of a list value, processed; `None` if it is not a list.
    pub fn list_elems(&mut self, v: &Value) -> Option<Vec<VId>> {
        let Value::Vertex(w) = v else { return None };
        let w = self.deref(*w);
        self.process(w);
        let w = self.deref(w);
        if !self.v[w as usize].is_list() {
            return None;
        }
        Some(self.elems(w).to_vec())
    }

    /// Where the value of `v` comes from: its positions, with the links
    /// among them (`Pos::link`) expanded.
    pub fn positions(&self, v: VId) -> SmallVec<[Pos; 8]> {
        let mut out = SmallVec::new();
        let mut seen = SmallVec::new();
        self.expand_positions(v, &mut out, &mut seen, 0);
        out
    }

    /// Each linked vertex is expanded once: `a2: a1 & a1` with
    /// `a1: a0 & a0` links twice at every level, and expanding every link
    /// would double the work per level (messages list a position once).
    fn expand_positions(
        &self,
        v: VId,
        out: &mut SmallVec<[Pos; 8]>,
        seen: &mut SmallVec<[VId; 8]>,
        depth: usize,
    ) {
        for &p in self.v[v as usize].pos() {
            match p.as_link() {
                // (Links only name vertices done before: no cycle; the
                // bound is for safety.)
                Some(w) if depth < 64 && (w as usize) < self.v.len() && !seen.contains(&w) => {
                    seen.push(w);
                    self.expand_positions(w, out, seen, depth + 1)
                }
                Some(_) => {}
                None => out.push(p),
            }
        }
    }

    pub fn pos_of(&self, e: ExprId) -> Pos {
        self.prog.pos[e as usize]
    }

    pub fn error_at(&self, kind: ErrKind, msg: String, e: ExprId) -> Rc<EvalError> {
        self.err_at(kind, msg, e)
    }
}

fn values_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Top, Value::Top) => true,
        _ if a.is_atom() && b.is_atom() => atoms_equal(a, b) == Some(true) && a.kind() == b.kind(),
        // A literal never reads like a constraint (no text needed).
        (x, y) | (y, x) if x.is_atom() && reads_unlike_atom(y) => false,
        // The same shape reads the same (and comparing the shape needs no
        // text); otherwise as they read.
        _ => same_shape(a, b) || describe(a) == describe(b),
    }
}

/// Whether `v` reads unlike any literal in messages: an operator first
/// (bounds), ` & ` between parts, braces or a call.
fn reads_unlike_atom(v: &Value) -> bool {
    matches!(
        v,
        Value::Bound(..) | Value::Conj(_) | Value::Vertex(_) | Value::Validator(_)
    )
}

/// Whether two constraints are built alike from equal parts.
fn same_shape(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Kind(x), Value::Kind(y)) => x == y,
        (Value::Bound(o1, x), Value::Bound(o2, y)) => o1 == o2 && values_equal(x, y),
        // Conjunction commutes: `>0 & int` is `int & >0`, in whatever order
        // the paths that built them met their parts.
        (Value::Conj(xs), Value::Conj(ys)) => {
            let mut used: SmallVec<[bool; 8]> = smallvec::smallvec![false; ys.len()];
            xs.len() == ys.len()
                && xs.iter().all(|x| {
                    let found =
                        (ys.iter().zip(used.iter_mut())).find(|(y, u)| !**u && values_equal(x, y));
                    found.map(|(_, u)| *u = true).is_some()
                })
        }
        _ => a.is_atom() && b.is_atom() && atoms_equal(a, b) == Some(true) && a.kind() == b.kind(),
    }
}

/// An operand of `==`/`!=` on data (see `Engine::operand`).
enum Operand {
    Atom(Value),
    List(VId),
    Struct(VId),
}

/// Whether a value refers to a vertex at or past `nv`.
fn refers_past(v: &Value, nv: VId) -> bool {
    match v {
        Value::Vertex(w) => *w >= nv,
        Value::Conj(xs) => xs.iter().any(|x| refers_past(x, nv)),
        Value::Disj(xs) => xs.iter().any(|(x, _)| refers_past(x, nv)),
        Value::Bound(_, x) => refers_past(x, nv),
        Value::Validator(val) => match &**val {
            Validator::MatchN { count, schemas, .. } => *schemas >= nv || refers_past(count, nv),
            Validator::MatchIf {
                cond,
                then,
                otherwise,
                ..
            } => [cond, then, otherwise].iter().any(|x| refers_past(x, nv)),
            Validator::Func { args, .. } => args.iter().any(|x| refers_past(x, nv)),
        },
        _ => false,
    }
}

/// The meet of two disjuncts as values, a disjunction value meeting the
/// other value alternative by alternative: `Ok(None)` when nothing is
/// left, `Ok(Some(m))` when one value is, `Err` when several are.
fn meet_alternatives(a: &Value, b: &Value) -> Result<Option<Value>, ()> {
    let (alts, other) = match (a, b) {
        (Value::Disj(_), Value::Disj(_)) => return Err(()),
        (Value::Disj(ds), x) | (x, Value::Disj(ds)) => (ds, x),
        _ => return Ok(crate::meet::meet_quiet(a, b)),
    };
    let mut left: Option<Value> = None;
    for (alt, _) in alts.iter() {
        if let Some(m) = crate::meet::meet_quiet(alt, other) {
            match &left {
                Some(l) if values_equal(l, &m) => {}
                Some(_) => return Err(()),
                None => left = Some(m),
            }
        }
    }
    Ok(left)
}

#[cfg(test)]
mod size_tests {
    /// Large configurations hold millions of vertices: a field added to
    /// `Vertex` belongs in `Cold` unless most vertices use it.
    #[test]
    fn labels_survive_packing() {
        use super::{Label, Vertex};
        for l in [
            None,
            Some(Label::Field(0)),
            Some(Label::Field(7)),
            Some(Label::Index(0)),
        ]
        .into_iter()
        .chain([
            Some(Label::Index(123_456)),
            Some(Label::Field((1 << 31) - 2)),
        ]) {
            let v = Vertex::new(Some(3), l);
            assert_eq!(v.label(), l);
            assert_eq!(v.parent(), Some(3));
        }
        assert_eq!(Vertex::new(None, None).parent(), None);
    }

    #[test]
    fn vertex_stays_small() {
        assert!(std::mem::size_of::<super::Vertex>() <= 104);
        assert!(std::mem::size_of::<super::Conjunct>() <= 16);
        assert!(std::mem::size_of::<crate::value::Value>() <= 16);
        assert!(std::mem::size_of::<super::Cold>() <= 128);
        assert!(std::mem::size_of::<super::Env>() <= 12);
    }
}
