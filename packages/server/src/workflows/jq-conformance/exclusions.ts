// Cases of jq.test the conformance test skips, each with why: where jqjs (the engine) departs
// from jq, or where jq 1.6 (Debian's binary, the oracle) predates the expected output. Keyed by
// line and program, so an edit of jq.test that moves a case fails the test instead of skipping
// the wrong case. `engineFails: false` marks cases the engine passes (the oracle is the one out).

export interface Exclusion {
  line: number
  program: string
  reason: string
  engineFails: boolean
}

const group = (reason: string, engineFails: boolean, cases: Array<[number, string]>): Exclusion[] =>
  cases.map(([line, program]) => ({ line, program, reason, engineFails }))

export const EXCLUSIONS: Exclusion[] = [
  ...group('jqjs @html escapes the literal parts of the format string too', true, [
    [73, '@html "<b>\\(.)</b>"'],
  ]),
  ...group('jqjs object construction lacks `"a"` shorthand keys', true, [[93, '{"a",b,"a$\\(1+1)"}']]),
  ...group('jqjs does not refuse a non-string constant key `{(0):1}`', true, [[98, '{(0):1}']]),
  ...group('jqjs parses `."foo"."bar"` as a string literal', true, [[125, '."foo"."bar"']]),
  ...group(
    'jqjs slices numbers, booleans and objects without error (yields null), so `?` keeps a null jq drops',
    true,
    [[145, '[.[]|.[1:3]?]']],
  ),
  ...group('try/catch and error/0,1 are not implemented by jqjs', true, [
    [153, 'try (.foo[-1] = 0) catch .'],
    [267, '[limit(0; error)]'],
    [271, '[limit(1; 1, error)]'],
    [740, 'try delpaths(0) catch .'],
    [
      885,
      '[.[]|try if . == 0 then error("foo") elif . == 1 then .a elif . == 2 then empty else . end catch .]',
    ],
    [1113, 'try flatten(-1) catch .'],
  ]),
  ...group(
    'jqjs range/3 with a negative step: never ends going up (stopped by the step budget), yields nothing going down',
    true,
    [
      [231, '[range(0;10;-1)]'],
      [235, '[range(0;-5;-1)]'],
      [287, '[nth(5,7; range(9;0;-1))]'],
    ],
  ),
  ...group('label/break are not implemented by jqjs', true, [
    [247, '[(label $here | .[] | if .>1 then break $here else . end), "hi!"]'],
  ]),
  ...group('destructuring patterns (`as [$a, $b]`, `as {$a}`) are not implemented by jqjs', true, [
    [259, '[foreach .[] as [$i, $j] (0; . + $i - $j)]'],
    [366, '[1, {c:3, d:4}] as [$a, {c:$b, b:$c}] | $a, $b, $c'],
    [372, '. as {as: $kw, "str": $str, ("e"+"x"+"p"): $exp} | [$kw, $str, $exp]'],
    [376, '.[] as [$a, $b] | [$b, $a]'],
    [381, '. as $i | . as [$i] | $i'],
    [385, '. as [$i] | . as $i | $i'],
    [609, 'reduce .[] as [$i, {j:$j}] (0; . + $i - $j)'],
    [613, 'reduce [[1,2,10], [3,4,10]][] as [$i,$j] (0; . + $i * $j)'],
    [621, '. as {$a, b: [$c, {$d}]} | [$a, $c, $d]'],
    [625, '. as {$a, $b:[$c, $d]}| [$a, $b, $c, $d]'],
  ]),
  ...group(
    'jqjs del/delpaths/setpath/getpath: wrong results on slices, negative indices, arrays created by path',
    true,
    [
      [330, 'del(.[2:4],.[0],.[-2:])'],
      [334, '.[2:4] = ([], ["a","b"], ["a","b","c"])'],
      [340, 'reduce range(65540;65536;-1) as $i ([]; .[$i] = $i)|.[65536:]'],
      [714, '["foo",1] as $p | getpath($p), setpath($p; 20), delpaths([$p])'],
      [720, 'map(getpath([2])), map(setpath([2]; 42)), map(delpaths([[2]]))'],
      [730, '["foo",1] as $p | getpath($p), setpath($p; 20), delpaths([$p])'],
      [
        744,
        'del(.), del(empty), del((.foo,.bar,.baz) | .[2,3,0]), del(.foo[0], .bar[0], .foo, .baz.bar[0].x)',
      ],
      [751, 'del(.[1], .[-6], .[2], .[-3:9])'],
    ],
  ),
  ...group('jqjs does not lex exponents in number literals (`1e3`)', true, [[409, '1e+0+0.001e3']]),
  ...group('utf8bytelength is not implemented by jqjs', true, [[493, 'utf8bytelength']]),
  ...group(
    'function definitions (def) are refused: jqjs stores them in its process-wide builtin table (jq-syntax.ts)',
    true,
    [
      [518, 'def f: . + 1; def g: def g: . + 100; f | g | f; (f | g), g'],
      [523, 'def f: (1000,2000); f'],
      [528, 'def f(a;b;c;d;e;f): [a+1,b,c,d,e,f]; f(.[0];.[1];.[0];.[0];.[0];.[0])'],
      [
        532,
        'def f: 1; def g: f, def f: 2; def g: 3; f, def f: g; f, g; def f: 4; [f, def f: g; def g: 5; f, g]+[f,g]',
      ],
      [536, 'def a: 0; . | a'],
      [
        540,
        'def f(a;b;c;d;e;f;g;h;i;j): [j,i,h,g,f,e,d,c,b,a]; f(.[0];.[1];.[2];.[3];.[4];.[5];.[6];.[7];.[8];.[9])',
      ],
      [578, 'def f(x): x | x; f([.], . + [42])'],
      [585, 'def f: .+1; def g: f; def f: .+100; def f(a):a+.+11; [(g|f(20)), f]'],
      [
        589,
        'def id(x):x; 2000 as $x | def f(x):1 as $x | id([$x, x, x]); def g(x): 100 as $x | f($x,$x+x); g($x)',
      ],
      [
        593,
        'def x(a;b): a as $a | b as $b | $a + $b; def y($a;$b): $a + $b; def check(a;b): [x(a;b)] == [y(a;b)]; check(.[];.[]*2)',
      ],
      [
        597,
        '[[20,10][1,0] as $x | def f: (100,200) as $y | def g: [$x + $y, .]; . + $x | g; f[0] | [f][0][1] | f]',
      ],
      [601, 'def fac: if . == 1 then 1 else . * (. - 1 | fac) end; [.[] | fac]'],
      [790, 'def inc(x): x |= .+1; inc(.[].a)'],
      [802, 'def x: .[1,2]; x=10'],
    ],
  ),
  ...group(
    'jq 1.6 (the oracle) evaluates `error` here: the short-circuit/limit(0) fix came in jq 1.7',
    false,
    [
      [645, 'any(true, error; .)'],
      [649, 'all(false, error; .)'],
    ],
  ),
  ...group("jqjs evaluates the right side of `op=` against the path's value, not against `.`", true, [
    [782, '.foo += .foo'],
  ]),
  ...group('jqjs `//=` keeps false', true, [[838, '.[] //= .[0]']]),
  ...group(
    "jqjs sorts objects by insertion order, not by jq's key/value order; sort_by with several keys differs",
    true,
    [
      [981, 'sort'],
      [
        985,
        '(sort_by(.b) | sort_by(.a)), sort_by(.a, .b), sort_by(.b, .c), group_by(.b), group_by(.a + .b - .c == 2)',
      ],
    ],
  ),
  ...group('jqjs from_entries does not accept the Key/Name/Value spellings', true, [[1025, 'from_entries']]),
  ...group(
    'bsearch is not implemented by jqjs, and jq 1.6 (the oracle) gives other results for several targets',
    true,
    [[1129, 'bsearch(0,2,4)']],
  ),
  ...group('jqjs refuses keywords as object keys', true, [
    [
      1151,
      '{if:0,and:1,or:2,then:3,else:4,elif:5,end:6,as:7,def:8,reduce:9,foreach:10,try:11,catch:12,label:13,import:14,include:15,module:16}',
    ],
  ]),
  ...group('jq 1.6 (the oracle) raises on 0/0: nan from 0/0 came in jq 1.7', false, [
    [1155, '0/0, (0 as $x | $x/0) | isnan'],
  ]),
  ...group('jqjs does not refuse a constant division by zero at compile time', true, [[1161, '1/0']]),
]
