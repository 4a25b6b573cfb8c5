//! A fast reader for the block subset of YAML that most data files use.
//!
//! `vet` spends nearly all of its time reading YAML. Most documents of a
//! large stream are block mappings and sequences of plain or simply quoted
//! scalars, one per line, like Kubernetes manifests. This reader handles
//! exactly that subset, straight from the bytes, into a flat tree that
//! borrows its text from the source and reuses its storage from one
//! document to the next. It has no positions and no messages: anything
//! outside the subset (flow collections with content, block scalars,
//! multi-line scalars, escapes, anchors, tags, tabs, `\r`, duplicate or
//! merge keys, exotic numbers...) makes it give up, and the caller reads
//! that document with the full YAML parser instead, which gives the exact
//! values and errors. So giving up is always safe; reading a document
//! differently from the full parser is the one thing it must never do
//! (checked by unit tests and the `data` fuzz target).

use std::ops::Range;

use crate::ast::{Decl, Expr, ExprKind, ListElem, UnaryOp};

/// A node of a document read by `read_block_document`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum BlockNode<'a> {
    Null,
    Bool(bool),
    /// A decimal integer without leading zeros: `0`, `-12`.
    Int(&'a str),
    /// Digits on both sides of a decimal point: `1.5`, `-0.25`.
    Float(&'a str),
    Str(&'a str),
    /// Elements: a range of `BlockTree::items`.
    List(u32, u32),
    /// Fields: a range of `BlockTree::fields`.
    Map(u32, u32),
}

/// One document's nodes; `clear`ed and refilled for each document, so a
/// stream is read without allocating per node.
#[derive(Default, Debug)]
pub struct BlockTree<'a> {
    nodes: Vec<BlockNode<'a>>,
    items: Vec<u32>,
    fields: Vec<(&'a str, u32)>,
    /// Children of the collections being read, moved to `items`/`fields`
    /// when their collection ends, so each collection's are contiguous.
    open_items: Vec<u32>,
    open_fields: Vec<(&'a str, u32)>,
    root: u32,
}

impl<'a> BlockTree<'a> {
    pub fn root(&self) -> u32 {
        self.root
    }

    pub fn node(&self, id: u32) -> BlockNode<'a> {
        self.nodes[id as usize]
    }

    pub fn items(&self, start: u32, end: u32) -> &[u32] {
        &self.items[start as usize..end as usize]
    }

    pub fn fields(&self, start: u32, end: u32) -> &[(&'a str, u32)] {
        &self.fields[start as usize..end as usize]
    }

    fn clear(&mut self) {
        self.nodes.clear();
        self.items.clear();
        self.fields.clear();
        self.open_items.clear();
        self.open_fields.clear();
    }

    /// The list of the open items from `base` on, which it moves to
    /// `items`.
    fn close_list(&mut self, base: usize) -> BlockNode<'a> {
        let start = self.items.len() as u32;
        let open = self.open_items.drain(base..);
        self.items.extend(open);
        BlockNode::List(start, self.items.len() as u32)
    }

    fn add(&mut self, n: BlockNode<'a>) -> u32 {
        self.nodes.push(n);
        (self.nodes.len() - 1) as u32
    }

    /// Whether node `id` is the same data as `e`, a document from the full
    /// parser (positions aside).
    pub fn same_as(&self, id: u32, e: &Expr) -> bool {
        match (self.node(id), &e.kind) {
            (BlockNode::Null, ExprKind::Null) => true,
            (BlockNode::Bool(a), ExprKind::Bool(b)) => a == *b,
            (BlockNode::Int(t), _) | (BlockNode::Float(t), _) => {
                let (neg, digits) = match t.strip_prefix('-') {
                    Some(d) => (true, d),
                    None => (false, t),
                };
                let lit = match &e.kind {
                    ExprKind::Unary(UnaryOp::Neg, x) if neg => &x.kind,
                    k if !neg => k,
                    _ => return false,
                };
                match (self.node(id), lit) {
                    (BlockNode::Int(_), ExprKind::Int(x)) => x == digits,
                    (BlockNode::Float(_), ExprKind::Float(x)) => x == digits,
                    _ => false,
                }
            }
            (BlockNode::Str(a), ExprKind::String(s)) => !s.is_bytes && s.as_plain() == Some(a),
            (BlockNode::List(start, end), ExprKind::List(l)) => {
                let items = self.items(start, end);
                items.len() == l.elems.len()
                    && items.iter().zip(&l.elems).all(|(&i, el)| match el {
                        ListElem::Expr(x) => self.same_as(i, x),
                        _ => false,
                    })
            }
            (BlockNode::Map(start, end), ExprKind::Struct(s)) => {
                let fields = self.fields(start, end);
                fields.len() == s.decls.len()
                    && fields.iter().zip(&s.decls).all(|(&(k, v), d)| match d {
                        Decl::Field(f) => {
                            super::key_of(&f.label.kind) == Some(k) && self.same_as(v, &f.value)
                        }
                        _ => false,
                    })
            }
            _ => false,
        }
    }
}

/// Where the document starting at `from` ends: at the start of the next
/// line that is a document marker (`---` followed by a space, a line
/// break or the end), or at `end`. `from` is a line start.
pub fn yaml_document_end(src: &str, from: usize, end: usize) -> usize {
    let b = &src.as_bytes()[..end];
    // The document's own marker line does not end it.
    let mut at = from + 1;
    while at < end {
        let Some(i) = memchr::memmem::find(&b[at - 1..], b"\n---") else {
            return end;
        };
        let start = at - 1 + i + 1;
        match b.get(start + 3) {
            None | Some(b' ' | b'\t' | b'\r' | b'\n') => return start,
            _ => at = start + 1,
        }
    }
    end
}

/// Reads the document `src[region]` (one document: from a line start to
/// the next marker line, as `yaml_document_end` gives) into `tree`. `false`
/// when it is not entirely in the subset this reader knows; `tree` then
/// holds nothing useful.
pub fn read_block_document<'a>(
    src: &'a str,
    region: Range<usize>,
    tree: &mut BlockTree<'a>,
) -> bool {
    tree.clear();
    let mut r = Reader {
        s: src,
        b: src.as_bytes(),
        pos: region.start,
        end: region.end,
        line_start: region.start,
        depth: 0,
        t: tree,
    };
    r.document().is_ok()
}

/// Giving up: the document is outside the subset.
struct Bail;

type R<T> = Result<T, Bail>;

/// Deepest nesting read here; deeper documents take the full parser.
const MAX_DEPTH: u32 = 200;
/// YAML's limit on the length of an implicit key.
const MAX_KEY: usize = 1024;

struct Reader<'a, 't> {
    s: &'a str,
    b: &'a [u8],
    pos: usize,
    end: usize,
    line_start: usize,
    depth: u32,
    t: &'t mut BlockTree<'a>,
}

impl<'a> Reader<'a, '_> {
    fn document(&mut self) -> R<()> {
        let head = &self.b[self.pos..self.end];
        if head.starts_with(b"\xEF\xBB\xBF") {
            return Err(Bail);
        }
        // The marker line: `---` and nothing else but a comment.
        if head.starts_with(b"---") {
            match head.get(3) {
                None | Some(b' ' | b'\n') => {
                    self.pos += 3;
                    self.skip_spaces();
                    if !self.at_line_end() {
                        return Err(Bail);
                    }
                }
                Some(b'\t' | b'\r') => return Err(Bail),
                // `---x` is text.
                Some(_) => {}
            }
        }
        let root = match self.peek()? {
            // An empty document: let the full parser say what it is.
            None => return Err(Bail),
            Some(col) => self.node_at(col)?,
        };
        if self.peek()?.is_some() {
            return Err(Bail);
        }
        self.t.root = root;
        Ok(())
    }

    fn byte(&self, at: usize) -> Option<u8> {
        if at < self.end {
            Some(self.b[at])
        } else {
            None
        }
    }

    fn skip_spaces(&mut self) {
        while self.byte(self.pos) == Some(b' ') {
            self.pos += 1;
        }
    }

    /// At a line break, a comment (after a space) or the end.
    fn at_line_end(&self) -> bool {
        matches!(self.byte(self.pos), None | Some(b'\n' | b'#'))
    }

    /// Moves to the next content, past spaces, blank lines and comments;
    /// its column, or `None` at the end of the document.
    fn peek(&mut self) -> R<Option<usize>> {
        loop {
            self.skip_spaces();
            match self.byte(self.pos) {
                None => return Ok(None),
                Some(b'\n') => {
                    self.pos += 1;
                    self.line_start = self.pos;
                }
                Some(b'#') => {
                    let line_end = memchr::memchr(b'\n', &self.b[self.pos..self.end])
                        .map_or(self.end, |i| self.pos + i);
                    // yaml-rust2 reads a NUL as the end of the text, even
                    // in a comment: controls are the full parser's business.
                    if self.b[self.pos..line_end]
                        .iter()
                        .any(|&c| c < 0x20 || c == 0x7f)
                    {
                        return Err(Bail);
                    }
                    self.pos = line_end;
                }
                Some(b'\t' | b'\r') => return Err(Bail),
                Some(_) => {
                    let col = self.pos - self.line_start;
                    // A document end marker (`...`) belongs to the full parser.
                    if col == 0 && self.b[self.pos..self.end].starts_with(b"...") {
                        return Err(Bail);
                    }
                    return Ok(Some(col));
                }
            }
        }
    }

    /// Whether the content here is a block sequence entry (`- ` or `-` at
    /// the end of its line).
    fn at_entry(&self) -> bool {
        self.byte(self.pos) == Some(b'-')
            && matches!(self.byte(self.pos + 1), None | Some(b' ' | b'\n'))
    }

    fn enter(&mut self) -> R<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(Bail);
        }
        Ok(())
    }

    /// The block node whose content starts here, at column `col`.
    fn node_at(&mut self, col: usize) -> R<u32> {
        if self.at_entry() {
            return self.sequence(col);
        }
        if self.key()?.is_some() {
            return self.mapping(col);
        }
        // A scalar alone on its line may go on over the next lines.
        Err(Bail)
    }

    /// The value of a key or entry of column `col` that has nothing after
    /// its indicator on the same line. `entries`: a sequence at the same
    /// column is the value (as it may be for a mapping's key).
    fn block_value(&mut self, col: usize, entries: bool) -> R<u32> {
        match self.peek()? {
            Some(c) if c > col => self.node_at(c),
            Some(c) if c == col && entries && self.at_entry() => self.sequence(c),
            _ => Ok(self.t.add(BlockNode::Null)),
        }
    }

    /// A block sequence whose entries are at column `col`; at the first.
    fn sequence(&mut self, col: usize) -> R<u32> {
        self.enter()?;
        let base = self.t.open_items.len();
        loop {
            self.pos += 1; // the `-`
            self.skip_spaces();
            let item = if self.at_line_end() {
                self.block_value(col, false)?
            } else {
                let c = self.pos - self.line_start;
                if self.at_entry() {
                    self.sequence(c)?
                } else if self.key()?.is_some() {
                    self.mapping(c)?
                } else {
                    self.inline()?
                }
            };
            self.t.open_items.push(item);
            match self.peek()? {
                Some(c) if c == col && self.at_entry() => {}
                Some(c) if c > col => return Err(Bail),
                _ => break,
            }
        }
        self.depth -= 1;
        let list = self.t.close_list(base);
        Ok(self.t.add(list))
    }

    /// A block mapping whose keys are at column `col`; at the first.
    fn mapping(&mut self, col: usize) -> R<u32> {
        self.enter()?;
        let base = self.t.open_fields.len();
        loop {
            if self.at_entry() {
                return Err(Bail);
            }
            let Some((key, after)) = self.key()? else {
                return Err(Bail);
            };
            // Merge keys and duplicates: the full parser's business.
            if key == "<<" || self.t.open_fields[base..].iter().any(|(k, _)| *k == key) {
                return Err(Bail);
            }
            self.pos = after;
            self.skip_spaces();
            let value = if self.at_line_end() {
                self.block_value(col, true)?
            } else {
                self.inline()?
            };
            self.t.open_fields.push((key, value));
            match self.peek()? {
                Some(c) if c == col => {}
                Some(c) if c > col => return Err(Bail),
                _ => break,
            }
        }
        self.depth -= 1;
        let start = self.t.fields.len() as u32;
        let open = self.t.open_fields.drain(base..);
        self.t.fields.extend(open);
        let map = BlockNode::Map(start, self.t.fields.len() as u32);
        Ok(self.t.add(map))
    }

    /// The end of the line's text from `from`: a line break, a comment
    /// (`#` after a space) or the end. `Bail` at a tab or `\r`.
    fn text_end(&self, from: usize) -> R<usize> {
        let mut i = from;
        while let Some(c) = self.byte(i) {
            match c {
                b'\n' => break,
                b'#' if i > from && self.b[i - 1] == b' ' => break,
                // Tabs, `\r` and other controls: the full parser's business.
                0..=0x1f | 0x7f => return Err(Bail),
                _ => i += 1,
            }
        }
        Ok(i)
    }

    /// The closing quote of a quoted scalar opening here, if it is on
    /// this line and the text between has no escapes.
    fn quoted(&self) -> R<usize> {
        let q = self.b[self.pos];
        let line_end =
            memchr::memchr(b'\n', &self.b[self.pos..self.end]).map_or(self.end, |i| self.pos + i);
        let body = &self.b[self.pos + 1..line_end];
        let close = memchr::memchr(q, body).ok_or(Bail)? + self.pos + 1;
        let text = &self.b[self.pos + 1..close];
        let escaped = if q == b'"' {
            memchr::memchr(b'\\', text).is_some()
        } else {
            self.byte(close + 1) == Some(b'\'')
        };
        // Control characters (tabs included) are left to the full parser.
        if escaped || text.iter().any(|&c| c < 0x20 || c == 0x7f) {
            return Err(Bail);
        }
        Ok(close)
    }

    /// The quoted scalar that opens here, read past its closing quote.
    fn quoted_str(&mut self) -> R<BlockNode<'a>> {
        let close = self.quoted()?;
        let text = &self.s[self.pos + 1..close];
        self.pos = close + 1;
        Ok(BlockNode::Str(text))
    }

    /// If a mapping key starts here: its text and the position after its
    /// `:`. `None` when the line holds no key.
    fn key(&self) -> R<Option<(&'a str, usize)>> {
        let (text, mut i) = match self.b[self.pos] {
            b'"' | b'\'' => {
                let close = self.quoted()?;
                (&self.s[self.pos + 1..close], close + 1)
            }
            // Not a key this reader knows (a flow collection may be a
            // value, which `inline` reads).
            c if starts_indicator(c) => return Ok(None),
            _ => {
                // A plain key ends at the first `: ` (or `:` at the end).
                let end = self.text_end(self.pos)?;
                let line = &self.b[self.pos..end];
                let mut at = None;
                for i in memchr::memchr_iter(b':', line) {
                    if matches!(line.get(i + 1), None | Some(b' ' | b'\n')) {
                        at = Some(i);
                        break;
                    }
                }
                let Some(at) = at else {
                    return Ok(None);
                };
                let key = self.s[self.pos..self.pos + at].trim_end_matches(' ');
                // Keys are resolved like values (`.inf` is an error).
                plain(key)?;
                (key, self.pos + at)
            }
        };
        if text.len() > MAX_KEY {
            return Err(Bail);
        }
        while self.byte(i) == Some(b' ') {
            i += 1;
        }
        if self.byte(i) != Some(b':') || !matches!(self.byte(i + 1), None | Some(b' ' | b'\n')) {
            return Ok(None);
        }
        Ok(Some((text, i + 1)))
    }

    /// A scalar (or empty flow collection) that starts here and ends its
    /// line.
    fn inline(&mut self) -> R<u32> {
        let node = match self.b[self.pos] {
            b'"' | b'\'' => self.quoted_str()?,
            b'[' => self.flow_sequence()?,
            b'{' if self.byte(self.pos + 1) == Some(b'}') => {
                self.pos += 2;
                let at = self.t.fields.len() as u32;
                BlockNode::Map(at, at)
            }
            c if starts_indicator(c) => return Err(Bail),
            b'-' if matches!(self.byte(self.pos + 1), None | Some(b' ' | b'\n')) => {
                return Err(Bail)
            }
            _ => {
                let end = self.text_end(self.pos)?;
                let text = self.s[self.pos..end].trim_end_matches(' ');
                // `a: b: c` is an error; a `:` inside a plain scalar must
                // be followed by something else than a space.
                let b = text.as_bytes();
                if memchr::memchr_iter(b':', b).any(|i| b.get(i + 1).is_none_or(|&c| c == b' ')) {
                    return Err(Bail);
                }
                self.pos += text.len();
                plain(text)?
            }
        };
        // Nothing but a comment may follow on the line.
        let before = self.pos;
        self.skip_spaces();
        let ends = match self.byte(self.pos) {
            None | Some(b'\n') => true,
            Some(b'#') => self.pos > before,
            Some(_) => false,
        };
        if !ends {
            return Err(Bail);
        }
        Ok(self.t.add(node))
    }
}

impl<'a> Reader<'a, '_> {
    /// A one-line flow sequence of scalars (`[]`, `["sh", "-c"]`,
    /// `[80, 443]`); its plain scalars are limited to words, numbers and
    /// paths, which read the same in flow and block context.
    fn flow_sequence(&mut self) -> R<BlockNode<'a>> {
        let base = self.t.open_items.len();
        self.pos += 1; // the `[`
        self.skip_spaces();
        if self.byte(self.pos) == Some(b']') {
            self.pos += 1;
        } else {
            loop {
                let node = match self.byte(self.pos) {
                    Some(b'"' | b'\'') => self.quoted_str()?,
                    _ => {
                        let from = self.pos;
                        while self
                            .byte(self.pos)
                            .is_some_and(|c| c.is_ascii_alphanumeric() || b"._/-".contains(&c))
                        {
                            self.pos += 1;
                        }
                        let text = &self.s[from..self.pos];
                        let first = text.as_bytes().first().copied().ok_or(Bail)?;
                        let second = text.as_bytes().get(1).copied();
                        if !(first.is_ascii_alphanumeric()
                            || first == b'-' && second.is_some_and(|c| c.is_ascii_digit()))
                        {
                            return Err(Bail);
                        }
                        plain(text)?
                    }
                };
                let id = self.t.add(node);
                self.t.open_items.push(id);
                self.skip_spaces();
                match self.byte(self.pos) {
                    Some(b',') => {
                        self.pos += 1;
                        self.skip_spaces();
                        // A trailing comma is left to the full parser.
                        if self.byte(self.pos) == Some(b']') {
                            return Err(Bail);
                        }
                    }
                    Some(b']') => {
                        self.pos += 1;
                        break;
                    }
                    _ => return Err(Bail),
                }
            }
        }
        Ok(self.t.close_list(base))
    }
}

/// Characters that start something other than a plain scalar (or that a
/// plain scalar may start with only in cases left to the full parser).
fn starts_indicator(c: u8) -> bool {
    matches!(
        c,
        b'?' | b':'
            | b','
            | b'['
            | b']'
            | b'{'
            | b'}'
            | b'#'
            | b'&'
            | b'*'
            | b'!'
            | b'|'
            | b'>'
            | b'%'
            | b'@'
            | b'`'
            | b'"'
            | b'\''
    )
}

/// A plain scalar resolved as the full parser does (the YAML 1.2 core
/// schema), or `Bail` for the rare forms whose text it rewrites or rejects.
fn plain(text: &str) -> R<BlockNode<'_>> {
    Ok(match text {
        "~" | "null" | "Null" | "NULL" => BlockNode::Null,
        "true" | "True" | "TRUE" => BlockNode::Bool(true),
        "false" | "False" | "FALSE" => BlockNode::Bool(false),
        _ => {
            let b = text.as_bytes();
            let digits = b.strip_prefix(b"-").unwrap_or(b);
            let int = digits.iter().take_while(|c| c.is_ascii_digit()).count();
            let simple_int = int > 0 && (int == 1 || digits[0] != b'0');
            if simple_int && int == digits.len() {
                BlockNode::Int(text)
            } else if simple_int
                && digits.get(int) == Some(&b'.')
                && digits.len() > int + 1
                && digits[int + 1..].iter().all(u8::is_ascii_digit)
            {
                BlockNode::Float(text)
            } else if matches!(b.first(), Some(b'0'..=b'9' | b'-' | b'+' | b'.'))
                && super::yaml::special_plain(text)
            {
                // Some other number (`0x1F`, `1e3`, `.5`, `+1`), or `.inf`.
                return Err(Bail);
            } else {
                BlockNode::Str(text)
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads every document of `src` both ways, each region between
    /// marker lines on its own; `true` when the block reader read them all
    /// (and then as the full parser does).
    fn both_ways(src: &str) -> bool {
        let mut tree = BlockTree::default();
        let mut from = 0;
        let mut all = true;
        let mut count = 0;
        while from < src.len() {
            let end = yaml_document_end(src, from, src.len());
            let full = super::super::parse_yaml_stream(&src[from..end]);
            if read_block_document(src, from..end, &mut tree) {
                let docs = full
                    .as_ref()
                    .expect("the full parser rejects what the block reader read");
                assert!(
                    docs.len() == 1 && tree.same_as(tree.root(), &docs[0]),
                    "{:?} read differently: {tree:?} vs {docs:?}",
                    &src[from..end]
                );
            } else {
                all = false;
            }
            count += full.map_or(0, |d| d.len());
            from = end;
        }
        // Documents split at marker lines are those of one pass (the
        // pieces here have no block scalars, which yaml-rust2 lets run
        // over a marker line at the top level).
        if let Ok(docs) = super::super::parse_yaml_stream(src) {
            assert_eq!(docs.len(), count, "{src:?}");
        }
        all
    }

    #[test]
    fn reads_kubernetes_style_documents() {
        let src = "\
apiVersion: apps/v1   # a comment
kind: Deployment
metadata:
  name: web
  labels: {}
  annotations:
    note: 'single quoted'
    other: \"double: quoted\"
spec:
  replicas: -3
  ratio: 0.25
  on: yes
  nothing:
  tilde: ~
  flag: TRUE
  containers:
  - name: a
    image: registry/x:v1.8
    args:
      - --port=80
      - -1
      -
      - []
  -   name: b

      ports: [] # empty
      command: [\"sh\", '-c', run.sh, -1, 2.5, true, null, a/b-c_d.e]
      empty: [ ]
---
- a
- - b
  - c
- k: v
---   # only a comment
x: y#z
";
        assert!(both_ways(src));
    }

    #[test]
    fn gives_up_outside_the_subset() {
        for src in [
            "a: |\n  text\n",
            "a: >\n  text\n",
            "a: [1, 2\n",
            "a: [1, 2,]\n",
            "a: [[1]]\n",
            "a: [b c]\n",
            "a: [b: c]\n",
            "a: [-]\n",
            "a: [1, 2] x\n",
            "a: {b: 1}\n",
            "a: &x 1\nb: *x\n",
            "a: !!str 1\n",
            "a: \"x\\ty\"\n",
            "a: 'it''s'\n",
            "a: multi\n  line\n",
            "a: 1\na: 2\n",
            "<<: {a: 1}\n",
            "a:\tb\n",
            "a: b\r\n",
            "a: 0x1F\n",
            "a: 1e3\n",
            "a: .5\n",
            "a: 007\n",
            "a: .inf\n",
            "a: b: c\n",
            "? a\n: b\n",
            "scalar\n",
            "",
            "# only a comment\n",
            "---\n",
            "a: 1\n...\n",
            "--- x\n",
            "a:\n  b: 1\n c: 2\n",
            "- a\n b\n",
            "a: - b\n",
            "\"a\" : 1 : 2\n",
            "# \0\na: 1\n",
            ".inf: 1\n",
        ] {
            let mut tree = BlockTree::default();
            assert!(
                !read_block_document(src, 0..src.len(), &mut tree),
                "{src:?} read as {tree:?}"
            );
            // And the streams are still read as the full parser does.
            both_ways(src);
        }
    }

    #[test]
    fn document_ends_are_marker_lines() {
        let src = "a: 1\n---\nb: ---x\n---x: 1\n--- \nc: 2\n";
        let first = yaml_document_end(src, 0, src.len());
        assert_eq!(&src[first..first + 4], "---\n");
        let second = yaml_document_end(src, first, src.len());
        assert_eq!(&src[second..], "--- \nc: 2\n");
        assert_eq!(yaml_document_end(src, second, src.len()), src.len());
        assert!(both_ways(&src[..first]));
    }

    proptest::proptest! {
        /// Documents built from pieces of the subset and of its borders
        /// read the same both ways whenever the block reader takes them.
        #[test]
        fn agrees_with_the_full_parser(lines in proptest::collection::vec(
            (0usize..6, proptest::sample::select(vec![
                "a: 1", "b:", "- x", "-", "- k: v", "c: 'q'", "d: \"e f\"", "e: [] ",
                "f: -0.5", "g: 01", "h: x # c", "# c", "", "i: j:k", "---", "- - 1",
                "k: 'a'b", "\"l\": 2", "m :  n", "- ", "o: {}", "p: \"\"", "q: -",
                "r: ~", "s: 1.", "t: -x", "u: 🦀", "v: [a, 'b', 1]", "w: [-1,x]", "y: [ ]",
                "z: [a,", "- [1, .5]", "- [x: 1]",
            ])),
            0..12,
        )) {
            let src: String = lines
                .iter()
                .map(|(indent, text)| format!("{}{text}\n", " ".repeat(*indent)))
                .collect();
            both_ways(&src);
        }
    }
}
