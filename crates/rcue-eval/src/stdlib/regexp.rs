//! Package `regexp`: RE2 matching (the `regex` crate implements the same
//! syntax family). "No match" is an error for the `Find` functions, as in
//! the reference.

use super::{f, str_list, string, v, Args, Def, Failure};
use crate::eval::Engine;
use crate::value::Value;

pub const FUNCS: &[Def] = &[
    v("Match", 2, |_, a| {
        let re = compile(a, 0)?;
        Ok(Value::Bool(re.is_match(&a.str(1)?)))
    }),
    v("Valid", 1, |_, a| compile(a, 0).map(|_| Value::Bool(true))),
    f("QuoteMeta", 1, |_, a| Ok(string(regex::escape(&a.str(0)?)))),
    f("Find", 2, |_, a| {
        let (re, s) = (compile(a, 0)?, a.str(1)?);
        match re.find(&s) {
            Some(m) => Ok(string(m.as_str())),
            None => Err(no_match(a)),
        }
    }),
    f("FindAll", 3, |en, a| {
        let (re, s, n) = (compile(a, 0)?, a.str(1)?, a.int(2)?);
        let found: Vec<String> = re
            .find_iter(&s)
            .take(limit(n))
            .map(|m| m.as_str().to_string())
            .collect();
        if found.is_empty() {
            return Err(no_match(a));
        }
        Ok(str_list(en, found))
    }),
    f("FindSubmatch", 2, |en, a| {
        let (re, s) = (compile(a, 0)?, a.str(1)?);
        let caps = re.captures(&s).ok_or_else(|| no_match(a))?;
        Ok(str_list(en, groups(&caps)))
    }),
    f("FindAllSubmatch", 3, |en, a| {
        let (re, s, n) = (compile(a, 0)?, a.str(1)?, a.int(2)?);
        let all: Vec<Vec<String>> = re
            .captures_iter(&s)
            .take(limit(n))
            .map(|c| groups(&c))
            .collect();
        if all.is_empty() {
            return Err(no_match(a));
        }
        let lists = all
            .into_iter()
            .map(|g| {
                let list = str_list(en, g);
                en.value_kind(list)
            })
            .collect();
        Ok(en.list_of(lists))
    }),
    f("FindNamedSubmatch", 2, |en, a| {
        let (re, s) = (compile(a, 0)?, a.str(1)?);
        let caps = re.captures(&s).ok_or_else(|| no_match(a))?;
        Ok(named(en, &re, &caps))
    }),
    f("FindAllNamedSubmatch", 3, |en, a| {
        let (re, s, n) = (compile(a, 0)?, a.str(1)?, a.int(2)?);
        let caps: Vec<regex::Captures> = re.captures_iter(&s).take(limit(n)).collect();
        if caps.is_empty() {
            return Err(no_match(a));
        }
        let structs = caps
            .iter()
            .map(|c| {
                let fields = named(en, &re, c);
                en.value_kind(fields)
            })
            .collect();
        Ok(en.list_of(structs))
    }),
    f("ReplaceAll", 3, |_, a| {
        let (re, s, repl) = (compile(a, 0)?, a.str(1)?, a.str(2)?);
        Ok(string(re.replace_all(&s, repl.as_ref())))
    }),
    f("ReplaceAllLiteral", 3, |_, a| {
        let (re, s, repl) = (compile(a, 0)?, a.str(1)?, a.str(2)?);
        Ok(string(re.replace_all(&s, regex::NoExpand(&repl))))
    }),
];

fn compile(a: &Args, i: usize) -> Result<std::rc::Rc<regex::Regex>, Failure> {
    crate::meet::regex(&a.str(i)?).map_err(|e| a.fail(format!("error parsing regexp: {e}")))
}

fn no_match(a: &Args) -> Failure {
    a.fail("no match")
}

/// Go's `n < 0` means all matches.
fn limit(n: i64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

fn groups(c: &regex::Captures) -> Vec<String> {
    c.iter()
        .map(|m| m.map_or(String::new(), |m| m.as_str().to_string()))
        .collect()
}

fn named(en: &mut Engine, re: &regex::Regex, c: &regex::Captures) -> Value {
    let fields = re
        .capture_names()
        .flatten()
        .map(|n| {
            let text = c.name(n).map_or("", |m| m.as_str());
            (n.to_string(), en.value_kind(string(text)))
        })
        .collect();
    en.struct_of(fields)
}
