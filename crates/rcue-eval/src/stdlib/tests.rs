//! Unit tests: each case evaluates `x: <expr>` with the package imported
//! and compares the compact JSON of `x`, or checks that the error message
//! contains a fragment.

use crate::export::to_compact_json;
use crate::Instance;

fn eval(imports: &str, expr: &str) -> Result<String, String> {
    // Only the packages the expression uses: an unused import is an error.
    let used: Vec<&str> = imports
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|p| !p.is_empty())
        .filter(|p| {
            let path = p.trim_matches('"');
            let name = path.rsplit('/').next().unwrap_or(path);
            expr.contains(&format!("{name}."))
        })
        .collect();
    let src = format!("import (\n{}\n)\nx: {expr}\n", used.join("\n"));
    let mut inst = Instance::from_sources(&[("t.cue", &src)]).map_err(|e| {
        e.iter()
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    })?;
    // Export the whole file so that validators on `x` are checked.
    inst.export(None)
        .map(|d| {
            let all = to_compact_json(&d);
            all["{\"x\":".len()..all.len() - 1].to_string()
        })
        .map_err(|e| {
            e.iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        })
}

fn ok(imports: &str, cases: &[(&str, &str)]) {
    for (expr, want) in cases {
        match eval(imports, expr) {
            Ok(got) => assert_eq!(&got, want, "{expr}"),
            Err(e) => panic!("{expr}: unexpected error {e}"),
        }
    }
}

fn err(imports: &str, cases: &[(&str, &str)]) {
    for (expr, frag) in cases {
        match eval(imports, expr) {
            Ok(got) => panic!("{expr}: expected an error, got {got}"),
            Err(e) => assert!(e.contains(frag), "{expr}: {e:?} lacks {frag:?}"),
        }
    }
}

#[test]
fn strings() {
    let i = r#""strings""#;
    ok(
        i,
        &[
            (r#"strings.Split("a,b,,c", ",")"#, r#"["a","b","","c"]"#),
            (r#"strings.Split("", "")"#, "[]"),
            (r#"strings.SplitN("a,b,c", ",", 2)"#, r#"["a","b,c"]"#),
            (r#"strings.SplitN("a,b", ",", 0)"#, "[]"),
            (r#"strings.SplitAfter("a,b,", ",")"#, r#"["a,","b,",""]"#),
            (r#"strings.Join(["a", "b"], "-")"#, r#""a-b""#),
            (
                r#"strings.ToTitle("hello big_world")"#,
                r#""Hello Big_world""#,
            ),
            (r#"strings.ToCamel("Hello World")"#, r#""hello world""#),
            (r#"strings.Fields(" a  b ")"#, r#"["a","b"]"#),
            (r#"strings.Trim("xxhix", "x")"#, r#""hi""#),
            (r#"strings.TrimLeft("xxhix", "x")"#, r#""hix""#),
            (r#"strings.TrimRight("xxhix", "x")"#, r#""xxhi""#),
            (r#"strings.Index("chicken", "ken")"#, "4"),
            (r#"strings.LastIndex("go gopher", "go")"#, "3"),
            (r#"strings.IndexAny("golang", "ny")"#, "4"),
            (r#"strings.LastIndexAny("golang", "go")"#, "5"),
            (r#"strings.Count("cheese", "e")"#, "3"),
            (r#"strings.Count("five", "")"#, "5"),
            (r#"strings.Repeat("ab", 2)"#, r#""abab""#),
            (r#"strings.Replace("aaa", "a", "b", 2)"#, r#""bba""#),
            (r#"strings.Runes("hé")"#, "[104,233]"),
            (r#"strings.MinRunes("héé", 3)"#, "true"),
            (r#"strings.MaxRunes("héé", 2)"#, "false"),
            (r#"strings.MinRunes(3) & "abc""#, r#""abc""#),
            (r#"strings.ContainsAny("dog", "og")"#, "true"),
            (r#"strings.ByteAt('ab', 1)"#, "98"),
        ],
    );
    err(
        i,
        &[
            (
                r#"strings.Repeat("a", -1)"#,
                "strings: negative Repeat count",
            ),
            (r#"strings.Repeat("ab", 1000000000000)"#, "too large"),
            (
                r#"strings.MinRunes(3) & "ab""#,
                "does not satisfy strings.MinRunes(3)",
            ),
            (
                r#"strings.Join([1], "")"#,
                "as string in argument 1 to strings.Join",
            ),
            (r#"strings.ToUpper(1)"#, "cannot use 1 (type int) as string"),
            (r#"strings.Nope("a")"#, "not supported yet: strings.Nope"),
            (r#"strings.ByteAt('ab', 5)"#, "index out of range"),
        ],
    );
}

#[test]
fn list() {
    let i = r#""list""#;
    ok(
        i,
        &[
            ("list.Sort([3, 1, 2], list.Ascending)", "[1,2,3]"),
            ("list.Sort([3, 1, 2], list.Descending)", "[3,2,1]"),
            (
                "list.Sort([{n: 2}, {n: 1}], {x: _, y: _, less: x.n < y.n})",
                r#"[{"n":1},{"n":2}]"#,
            ),
            (r#"list.SortStrings(["b", "a"])"#, r#"["a","b"]"#),
            ("list.IsSorted([1, 2], list.Ascending)", "true"),
            ("list.Take([1, 2, 3], 5)", "[1,2,3]"),
            ("list.Drop([1, 2, 3], 2)", "[3]"),
            ("list.Slice([1, 2, 3], 1, 2)", "[2]"),
            ("list.Range(0, 5, 2)", "[0,2,4]"),
            ("list.Range(5, 0, -2)", "[5,3,1]"),
            ("list.Sum([1, 2.5])", "3.5"),
            ("list.Product([2, 3])", "6"),
            ("list.Avg([1, 2])", "1.5"),
            ("list.Min([3, 1])", "1"),
            ("list.Max([3, 1])", "3"),
            ("list.UniqueItems([1, 2, 1])", "false"),
            ("list.MinItems([1], 1)", "true"),
            ("list.MaxItems(1) & [1]", "[1]"),
            ("list.Concat([[1], [2, 3]])", "[1,2,3]"),
            ("list.FlattenN([1, [2, [3]]], -1)", "[1,2,3]"),
            ("list.FlattenN([1, [2, [3]]], 1)", "[1,2,[3]]"),
            ("list.Repeat([1, 2], 2)", "[1,2,1,2]"),
            ("list.Contains([1, 2], 2)", "true"),
            ("list.MatchN([1, 2, 3], 2, >1)", "true"),
        ],
    );
    err(
        i,
        &[
            ("list.Take([1], -1)", "negative index"),
            ("list.Slice([1, 2], 2, 1)", "invalid index: 2 > 1"),
            ("list.Max([])", "empty list"),
            ("list.Range(0, 1, 0)", "step must be non zero"),
            ("list.Range(0, 100000000, 1)", "too large"),
            ("list.Repeat([1], 100000000)", "too large"),
            ("list.Repeat([1], -1)", "negative count"),
            (
                "list.MaxItems(1) & [1, 2]",
                "does not satisfy list.MaxItems(1)",
            ),
            ("list.Sort([1, 2], {})", "field not found: less"),
            ("list.Sum(2)", "cannot use 2 (type int) as list"),
        ],
    );
}

#[test]
fn structs_and_math() {
    ok(
        r#""struct", "math""#,
        &[
            ("struct.MinFields(1) & {a: 1}", r#"{"a":1}"#),
            ("struct.MaxFields({a: 1, b: 2}, 1)", "false"),
            ("math.Floor(-1.5)", "-2"),
            ("math.Ceil(1.2)", "2"),
            ("math.Round(2.5)", "3"),
            ("math.Round(-2.5)", "-3"),
            ("math.RoundToEven(2.5)", "2"),
            ("math.Trunc(-1.7)", "-1"),
            ("math.Abs(-3)", "3"),
            ("math.Pow(2, 10)", "1024"),
            ("math.Sqrt(4)", "2.0"),
            ("math.MultipleOf(1.5, 0.5)", "true"),
            ("math.MultipleOf(7, 2)", "false"),
            ("math.MaxInt64", "9223372036854775807"),
            ("math.Signbit(-1)", "true"),
        ],
    );
    err(
        r#""struct", "math""#,
        &[
            (
                "struct.MaxFields(1) & {a: 1, b: 2}",
                "does not satisfy struct.MaxFields(1)",
            ),
            ("math.Sqrt(-1)", "square root of negative"),
            ("math.Log(0)", "logarithm of zero"),
            ("math.MultipleOf(1, 0)", "division by zero"),
            ("struct.MinFields([], 1)", "as struct"),
        ],
    );
}

#[test]
fn encodings() {
    let i = r#""encoding/json", "encoding/yaml", "encoding/base64", "encoding/hex""#;
    ok(
        i,
        &[
            (r#"json.Marshal({a: [1, "x"]})"#, r#""{\"a\":[1,\"x\"]}""#),
            (r#"json.MarshalStream([1, {a: 2}])"#, r#""1\n{\"a\":2}\n""#),
            (r#"json.Unmarshal("{\"a\": 1.50}")"#, r#"{"a":1.50}"#),
            (r#"json.Valid("[1")"#, "false"),
            (r#"json.Validate("{\"a\": 1}", {a: int})"#, "true"),
            (
                r#"json.Compact("{ \"a\" : [1, 2] }")"#,
                r#""{\"a\":[1,2]}""#,
            ),
            (
                r#"json.Indent("{\"a\":[1]}", "", " ")"#,
                r#""{\n \"a\": [\n  1\n ]\n}""#,
            ),
            (r#"json.HTMLEscape("<a>")"#, r#""\\u003ca\\u003e""#),
            (
                r#"yaml.Unmarshal("a: 1\nb: [x, true, ~, 0x10, 1.5]")"#,
                r#"{"a":1,"b":["x",true,null,16,1.5]}"#,
            ),
            (
                r#"yaml.Unmarshal("b: &x {c: 1}\nd: *x")"#,
                r#"{"b":{"c":1},"d":{"c":1}}"#,
            ),
            (r#"yaml.UnmarshalStream("1\n---\n2\n")"#, "[1,2]"),
            (r#"yaml.Marshal({a: 1})"#, r#""a: 1\n""#),
            (r#"yaml.MarshalStream([1, 2])"#, r#""1\n---\n2\n""#),
            (r#"yaml.Validate("a: 1", {a: int})"#, "true"),
            (r#"yaml.ValidatePartial("a: 1", {a: int, b: int})"#, "true"),
            (r#"base64.Encode(null, "hello")"#, r#""aGVsbG8=""#),
            (r#"base64.Decode(null, "aGVsbG8=")"#, r#""aGVsbG8=""#),
            ("base64.EncodedLen(null, 5)", "8"),
            ("base64.DecodedLen(null, 8)", "6"),
            (r#"hex.Encode("hi")"#, r#""6869""#),
            (r#"hex.Decode("6869")"#, r#""aGk=""#),
            ("hex.EncodedLen(3)", "6"),
            (
                r#"hex.Dump("hi")"#,
                r#""00000000  68 69                                             |hi|\n""#,
            ),
        ],
    );
    err(
        i,
        &[
            (r#"json.Unmarshal("{")"#, "json: invalid JSON"),
            (
                r#"json.Validate("{\"a\": 1}", {a: string})"#,
                "conflicting values",
            ),
            (r#"yaml.Validate("a: 1", {a: int, b: int})"#, "incomplete"),
            (r#"yaml.Unmarshal("a: [1")"#, "yaml: line"),
            (r#"yaml.Unmarshal("1\n---\n2")"#, "single YAML document"),
            (r#"hex.Decode("6g")"#, "invalid byte"),
            (r#"hex.Decode("686")"#, "odd length"),
            (r#"base64.Decode(null, "!!")"#, "illegal base64 data"),
            (r#"base64.Encode(1, "a")"#, "as null in argument 1"),
        ],
    );
}

#[test]
fn crypto_and_uuid() {
    let i = r#""crypto/sha256", "crypto/sha1", "crypto/md5", "encoding/hex", "uuid""#;
    ok(
        i,
        &[
            (
                r#"hex.Encode(sha256.Sum256("abc"))"#,
                r#""ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad""#,
            ),
            (
                r#"hex.Encode(sha1.Sum("abc"))"#,
                r#""a9993e364706816aba3e25717850c26c9cd0d89d""#,
            ),
            (
                r#"hex.Encode(md5.Sum("abc"))"#,
                r#""900150983cd24fb0d6963f7d28e17f72""#,
            ),
            ("sha256.Size", "32"),
            (
                r#"uuid.SHA1(uuid.ns.DNS, "example.com")"#,
                r#""cfbff0d1-9375-5685-968c-48ce8b15ae17""#,
            ),
            (
                r#"uuid.MD5(uuid.ns.DNS, "example.com")"#,
                r#""9073926b-929f-31c2-abc9-fad77ae3e8eb""#,
            ),
            (
                r#"uuid.Version("cfbff0d1-9375-5685-968c-48ce8b15ae17")"#,
                "5",
            ),
            (
                r#"uuid.Variant("cfbff0d1-9375-5685-968c-48ce8b15ae17")"#,
                "1",
            ),
            (
                r#"uuid.Parse("{CFBFF0D1-9375-5685-968C-48CE8B15AE17}")"#,
                r#""cfbff0d1-9375-5685-968c-48ce8b15ae17""#,
            ),
            (
                "uuid.FromInt(1)",
                r#""00000000-0000-0000-0000-000000000001""#,
            ),
            (
                r#"uuid.ToInt("00000000-0000-0000-0000-000000000101")"#,
                "257",
            ),
        ],
    );
    err(
        i,
        &[
            (r#"uuid.Parse("nope")"#, "invalid UUID length"),
            (r#"uuid.Valid & "nope""#, "does not satisfy uuid.Valid"),
        ],
    );
}

#[test]
fn regexp_and_strconv() {
    let i = r#""regexp", "strconv""#;
    ok(
        i,
        &[
            (r#"regexp.Match("^a+$", "aaa")"#, "true"),
            (r#"regexp.Find("a+", "baaab")"#, r#""aaa""#),
            (r#"regexp.FindAll("a.", "abacad", 2)"#, r#"["ab","ac"]"#),
            (
                r#"regexp.FindSubmatch("a(x*)b", "axxb")"#,
                r#"["axxb","xx"]"#,
            ),
            (
                r#"regexp.FindNamedSubmatch("(?P<u>\\w+)@(?P<h>\\w+)", "a@b")"#,
                r#"{"u":"a","h":"b"}"#,
            ),
            (
                r#"regexp.ReplaceAll("a(x*)b", "-axb-", "${1}W")"#,
                r#""-xW-""#,
            ),
            (
                r#"regexp.ReplaceAllLiteral("a(x*)b", "-axb-", "${1}")"#,
                r#""-${1}-""#,
            ),
            (r#"regexp.QuoteMeta("a.b")"#, r#""a\\.b""#),
            (r#"strconv.Atoi("-42")"#, "-42"),
            ("strconv.Itoa(7)", r#""7""#),
            (r#"strconv.ParseInt("ff", 16, 64)"#, "255"),
            (r#"strconv.ParseInt("0x1f", 0, 64)"#, "31"),
            (r#"strconv.ParseUint("255", 10, 8)"#, "255"),
            (r#"strconv.ParseBool("T")"#, "true"),
            (r#"strconv.ParseFloat("1.5", 64)"#, "1.5"),
            ("strconv.FormatInt(-255, 16)", r#""-ff""#),
            ("strconv.FormatBool(false)", r#""false""#),
            (r#"strconv.FormatFloat(1.5, "e", 3, 64)"#, r#""1.500e+00""#),
            (r#"strconv.Quote("a\"b")"#, r#""\"a\\\"b\"""#),
            (r#"strconv.Unquote("'x'")"#, r#""x""#),
        ],
    );
    err(
        i,
        &[
            (r#"regexp.Find("z", "abc")"#, "no match"),
            (r#"regexp.Match("(", "a")"#, "error parsing regexp"),
            (
                r#"strconv.Atoi("x")"#,
                r#"strconv.Atoi: parsing "x": invalid syntax"#,
            ),
            (r#"strconv.ParseInt("300", 10, 8)"#, "value out of range"),
            (r#"strconv.ParseUint("-1", 10, 8)"#, "invalid syntax"),
            (r#"strconv.FormatInt(1, 99)"#, "invalid base 99"),
        ],
    );
}

#[test]
fn time_net_path_bits_template() {
    let i = r#""time", "net", "path", "math/bits", "text/template""#;
    ok(
        i,
        &[
            (r#"time.ParseDuration("1h30m")"#, "5400000000000"),
            (r#"time.ParseDuration("1.5s")"#, "1500000000"),
            ("time.FormatDuration(1500000)", r#""1.5ms""#),
            ("time.FormatDuration(3723000000000)", r#""1h2m3s""#),
            (r#"time.Duration & "3s""#, r#""3s""#),
            (
                r#"time.Time & "2024-02-29T12:00:00Z""#,
                r#""2024-02-29T12:00:00Z""#,
            ),
            ("time.Unix(0, 5000)", r#""1970-01-01T00:00:00.000005Z""#),
            (
                r#"time.Parse(time.RFC3339, "2024-01-01T01:00:00+01:00")"#,
                r#""2024-01-01T00:00:00Z""#,
            ),
            ("time.Hour", "3600000000000"),
            (r#"net.IPv4("10.0.0.1")"#, "true"),
            (r#"net.IPv6("10.0.0.1")"#, "false"),
            ("net.IP([10, 0, 0, 1])", "true"),
            (r#"net.ParseIP("10.0.0.1")"#, "[10,0,0,1]"),
            (r#"net.IPCIDR("10.0.0.0/8")"#, "true"),
            (r#"net.InCIDR("10.1.2.3", "10.0.0.0/8")"#, "true"),
            (r#"net.FQDN("example.com")"#, "true"),
            (r#"net.SplitHostPort("[::1]:80")"#, r#"["::1","80"]"#),
            (r#"net.JoinHostPort("::1", 80)"#, r#""[::1]:80""#),
            (r#"net.LoopbackIP("127.0.0.1")"#, "true"),
            (r#"path.Base("/a/b.txt")"#, r#""b.txt""#),
            (r#"path.Dir("/a/b.txt")"#, r#""/a""#),
            (r#"path.Ext("a/b.tar.gz")"#, r#"".gz""#),
            (r#"path.Join(["a", "../b", "c"])"#, r#""b/c""#),
            (r#"path.Clean("/../a//./b/..")"#, r#""/a""#),
            (r#"path.Split("a/b")"#, r#"["a/","b"]"#),
            (r#"path.Match("*.t[a-z]t", "a.txt")"#, "true"),
            (r#"path.IsAbs("/a", path.Unix)"#, "true"),
            ("bits.And(12, 10)", "8"),
            ("bits.Or(12, 10)", "14"),
            ("bits.Xor(12, 10)", "6"),
            ("bits.Clear(15, 4)", "11"),
            ("bits.Lsh(1, 70)", "1180591620717411303424"),
            ("bits.Rsh(8, 2)", "2"),
            ("bits.At(5, 2)", "1"),
            ("bits.Set(0, 3, 1)", "8"),
            ("bits.OnesCount(255)", "8"),
            ("bits.Len(8)", "4"),
            (
                r#"template.Execute("{{.a.b}}{{range .l}}[{{.}}]{{end}}{{if .t}}y{{else}}n{{end}}", {a: b: "B", l: [1, 2], t: false})"#,
                r#""B[1][2]n""#,
            ),
            (
                r#"template.HTMLEscape("<a href='x'>")"#,
                r#""&lt;a href=&#39;x&#39;&gt;""#,
            ),
            (r#"template.JSEscape("a'<")"#, r#""a\\'\\u003C""#),
        ],
    );
    err(
        i,
        &[
            (r#"time.ParseDuration("1x")"#, "unknown unit"),
            (
                r#"time.Time & "2023-02-29T00:00:00Z""#,
                "does not satisfy time.Time",
            ),
            (r#"time.Parse("Jan 2", "Feb 3")"#, "not supported yet"),
            (r#"net.ParseIP("1.2.3")"#, "invalid IP address"),
            (r#"net.IPCIDR("10.0.0.0/40")"#, "invalid prefix"),
            (r#"path.Base("a", path.Windows)"#, "not supported yet"),
            (r#"path.Match("[", "a")"#, "syntax error in pattern"),
            ("bits.Lsh(1, -1)", "out of range"),
            (r#"template.Execute("{{len .}}", {})"#, "not supported yet"),
            (
                r#"template.Execute("{{.s}}", {s: string})"#,
                "cannot convert non-concrete value",
            ),
        ],
    );
}

#[test]
fn table_is_consistent() {
    let names = super::implemented();
    let mut sorted = names.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), names.len(), "duplicate function names");
    assert!(super::exists("encoding/json.Marshal"));
    assert!(!super::exists("strings.Nope"));
}
