//! Interned field labels. Labels are compared by id everywhere in the
//! evaluator; the text is only needed for output and messages.

use crate::value::Text;
use std::collections::HashMap;

/// What kind of field a label names (spec: Definitions and hidden fields).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LabelKind {
    /// A regular field, exported and subject to closedness.
    Regular,
    /// `#name`: a definition, never exported.
    Definition,
    /// `_name`: hidden, never exported.
    Hidden,
    /// `_#name`: a hidden definition.
    HiddenDefinition,
}

/// A field label: an interned string with its kind, or a list index.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Label {
    Field(u32),
    Index(u32),
}

#[derive(Default, Debug)]
pub struct Interner {
    names: Vec<(Text, LabelKind)>,
    /// Ids by name, one slot per kind (`LabelKind as usize`): looked up
    /// by `&str`, without making a key.
    ids: HashMap<Text, [Option<u32>; 4], foldhash::fast::RandomState>,
    /// Each label's name quoted as a JSON key, one after the other, and
    /// where each is: export writes a key per value, and quoting it once
    /// here saves the escape check and a chase through `names` each time.
    json: String,
    json_spans: Vec<(u32, u32)>,
}

impl Interner {
    /// Interns an identifier label: its kind follows from its spelling.
    pub fn ident(&mut self, name: &str) -> Label {
        self.intern(name, Self::ident_kind(name))
    }

    fn ident_kind(name: &str) -> LabelKind {
        if name.starts_with("_#") {
            LabelKind::HiddenDefinition
        } else if name.starts_with('#') {
            LabelKind::Definition
        } else if name.starts_with('_') {
            LabelKind::Hidden
        } else {
            LabelKind::Regular
        }
    }

    /// The label `ident` would give `name`, if it was ever interned.
    pub fn find_ident(&self, name: &str) -> Option<Label> {
        let kind = Self::ident_kind(name);
        let id = self.ids.get(name).and_then(|slots| slots[kind as usize])?;
        Some(Label::Field(id))
    }

    /// Interns a quoted label, which is always a regular field.
    pub fn string(&mut self, name: &str) -> Label {
        self.intern(name, LabelKind::Regular)
    }

    fn intern(&mut self, name: &str, kind: LabelKind) -> Label {
        if let Some(id) = self.ids.get(name).and_then(|slots| slots[kind as usize]) {
            return Label::Field(id);
        }
        let id = self.names.len() as u32;
        let rc: Text = match self.ids.get_key_value(name) {
            Some((k, _)) => k.clone(),
            None => Text::from(name),
        };
        self.names.push((rc.clone(), kind));
        let start = self.json.len();
        rcue_syntax::data::quote_into(name, &mut self.json);
        // (Past 4 GiB of names, keys are quoted as they are written.)
        let span = u32::try_from(start)
            .and_then(|a| u32::try_from(self.json.len()).map(|b| (a, b)))
            .unwrap_or((0, 0));
        self.json_spans.push(span);
        self.ids.entry(rc).or_default()[kind as usize] = Some(id);
        Label::Field(id)
    }

    pub fn name(&self, l: Label) -> String {
        match l {
            Label::Field(id) => self.names[id as usize].0.to_string(),
            Label::Index(i) => i.to_string(),
        }
    }

    /// `name`, shared with the interner where it can be (no copy).
    pub fn name_rc(&self, l: Label) -> Text {
        match l {
            Label::Field(id) => self.names[id as usize].0.clone(),
            Label::Index(i) => Text::from(i.to_string()),
        }
    }

    /// The name of a field label quoted as a JSON key.
    pub fn json_key(&self, l: Label) -> Option<&str> {
        match l {
            Label::Field(id) => match self.json_spans[id as usize] {
                (0, 0) => None,
                (a, b) => self.json.get(a as usize..b as usize),
            },
            Label::Index(_) => None,
        }
    }

    pub fn str(&self, l: Label) -> Option<&str> {
        match l {
            Label::Field(id) => Some(&self.names[id as usize].0),
            Label::Index(_) => None,
        }
    }

    pub fn kind(&self, l: Label) -> LabelKind {
        match l {
            Label::Field(id) => self.names[id as usize].1,
            Label::Index(_) => LabelKind::Regular,
        }
    }

    /// Whether the label is exported (regular fields and list indices).
    pub fn is_regular(&self, l: Label) -> bool {
        self.kind(l) == LabelKind::Regular
    }

    /// How the label reads in a path: `a`, `#D`, `"a-b"`, or `3`.
    pub fn path_elem(&self, l: Label) -> String {
        match l {
            Label::Index(i) => i.to_string(),
            Label::Field(id) => {
                let (name, kind) = &self.names[id as usize];
                if *kind != LabelKind::Regular || is_identifier(name) {
                    name.to_string()
                } else {
                    format!("{:?}", name.as_ref())
                }
            }
        }
    }
}

pub fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) if c.is_alphabetic() || c == '_' || c == '$' => {}
        _ => return false,
    }
    chars.all(|c| c.is_alphanumeric() || c == '_' || c == '$')
}
