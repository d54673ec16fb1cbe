package placement

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// MaxExpressionLen is the longest memberOf expression ECS accepts, in characters.
// AWS (ECS API Reference, "PlacementConstraint"): "The expression can have a
// maximum length of 2000 characters."
const MaxExpressionLen = 2000

// SyntaxError is a fault in a Cluster Query Language expression. Col is the
// 1-based column (in characters) where the fault starts.
type SyntaxError struct {
	Col int
	Msg string
}

// Error implements error.
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("cql: column %d: %s", e.Col, e.Msg)
}

// subject is the left-hand side of a CQL condition.
type subject uint8

const (
	subjAttribute subject = iota + 1
	subjInstanceID
	subjRunningTasks
	subjRegisteredAt
	subjAgentVersion
	subjAgentConnected
	subjTaskGroup
)

// cmpOp is a CQL operator without its negation; cond.neg flips the result
// (!= is not ==, !in is not in, !~ is not =~, !exists is not exists).
type cmpOp uint8

const (
	opEq cmpOp = iota + 1
	opGt
	opGe
	opLt
	opLe
	opExists
	opIn
	opMatch
)

// cond is one `subject operator [argument]` condition, with its arguments
// parsed once into the form evaluation needs.
type cond struct {
	subj subject
	attr string // attribute name for subjAttribute
	op   cmpOp
	neg  bool
	args []string
	nums []int64 // runningTasksCount, registeredAt (Unix seconds), agentConnected (0/1)
	ver  version // agentVersion argument
	re   *regexp.Regexp
}

type exprKind uint8

const (
	exprCond exprKind = iota + 1
	exprAnd
	exprOr
	exprNot
)

type exprNode struct {
	kind exprKind
	l, r *exprNode // and/or: both; not: l
	c    *cond
}

// Expr is a parsed Cluster Query Language expression, immutable and safe to
// share between Specs. AWS (ECS Developer Guide, "Create expressions to define
// container instances", cluster-query-language.html).
type Expr struct {
	src  string
	root *exprNode
}

// Source returns the text the expression was parsed from.
func (e *Expr) Source() string { return e.src }

type parser struct {
	src string
	pos int
}

// ParseExpression parses a Cluster Query Language expression as a user
// writes it: conditions `subject operator [argument]` joined with and/&&,
// or/||, not/! and parentheses; precedence not > and > or. An expression of
// more than MaxExpressionLen characters (Unicode code points, not bytes) is
// refused: AWS's limit is on the text the user writes. Errors are
// *SyntaxError with the column of the fault. It never panics.
func ParseExpression(src string) (*Expr, error) {
	if n := utf8.RuneCountInString(src); n > MaxExpressionLen {
		return nil, &SyntaxError{Col: MaxExpressionLen + 1, Msg: fmt.Sprintf("expression is %d characters, more than %d", n, MaxExpressionLen)}
	}
	return parseExpression(src)
}

// parseExpression is ParseExpression without the length limit: the
// canonical form (Expr.String) of an accepted expression quotes every value
// and parenthesises every and/or, so it may be longer than the
// MaxExpressionLen characters its source was, and must still read back as
// the same expression.
func parseExpression(src string) (*Expr, error) {
	p := &parser{src: src}
	p.skip()
	if p.eof() {
		return nil, p.errf("empty expression")
	}
	root, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	p.skip()
	if !p.eof() {
		return nil, p.errf("unexpected %q", p.rest(12))
	}
	return &Expr{src: src, root: root}, nil
}

func (p *parser) eof() bool { return p.pos >= len(p.src) }

// rest is the text from the parser's position, at most n characters of it
// (never a character cut in two), for an error message.
func (p *parser) rest(n int) string {
	s := p.src[p.pos:]
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}

func (p *parser) errAt(pos int, format string, a ...any) error {
	if pos > len(p.src) {
		pos = len(p.src)
	}
	return &SyntaxError{Col: utf8.RuneCountInString(p.src[:pos]) + 1, Msg: fmt.Sprintf(format, a...)}
}

func (p *parser) errf(format string, a ...any) error { return p.errAt(p.pos, format, a...) }

func (p *parser) skip() {
	for p.pos < len(p.src) {
		switch p.src[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

// wordChar reports whether b can be part of a subject, attribute name or word
// operator. ECS attribute names hold letters, digits, hyphens, underscores,
// slashes, back slashes and periods; ':' joins "attribute:" and "task:group".
func wordChar(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' ||
		b == '_' || b == '-' || b == '.' || b == '/' || b == '\\' || b == ':'
}

// keyword consumes w (case-insensitive) if it stands as a whole word here.
func (p *parser) keyword(w string) bool {
	end := p.pos + len(w)
	if end > len(p.src) || !strings.EqualFold(p.src[p.pos:end], w) {
		return false
	}
	if end < len(p.src) && wordChar(p.src[end]) {
		return false
	}
	p.pos = end
	return true
}

func (p *parser) symbol(s string) bool {
	if strings.HasPrefix(p.src[p.pos:], s) {
		p.pos += len(s)
		return true
	}
	return false
}

func (p *parser) parseOr() (*exprNode, error) {
	l, err := p.parseAnd()
	if err != nil {
		return nil, err
	}
	for {
		p.skip()
		if !p.keyword("or") && !p.symbol("||") {
			return l, nil
		}
		r, err := p.parseAnd()
		if err != nil {
			return nil, err
		}
		l = &exprNode{kind: exprOr, l: l, r: r}
	}
}

func (p *parser) parseAnd() (*exprNode, error) {
	l, err := p.parseUnary()
	if err != nil {
		return nil, err
	}
	for {
		p.skip()
		if !p.keyword("and") && !p.symbol("&&") {
			return l, nil
		}
		r, err := p.parseUnary()
		if err != nil {
			return nil, err
		}
		l = &exprNode{kind: exprAnd, l: l, r: r}
	}
}

func (p *parser) parseUnary() (*exprNode, error) {
	p.skip()
	if p.eof() {
		return nil, p.errf("expected a condition, found end of expression")
	}
	if p.keyword("not") || p.symbol("!") {
		x, err := p.parseUnary()
		if err != nil {
			return nil, err
		}
		return &exprNode{kind: exprNot, l: x}, nil
	}
	if p.symbol("(") {
		open := p.pos - 1
		x, err := p.parseOr()
		if err != nil {
			return nil, err
		}
		p.skip()
		if !p.symbol(")") {
			if p.eof() {
				return nil, p.errAt(open, "unclosed parenthesis")
			}
			return nil, p.errf("expected ')', found %q", p.rest(12))
		}
		return x, nil
	}
	c, err := p.parseCond()
	if err != nil {
		return nil, err
	}
	return &exprNode{kind: exprCond, c: c}, nil
}

func (p *parser) parseCond() (*cond, error) {
	start := p.pos
	for p.pos < len(p.src) && wordChar(p.src[p.pos]) {
		p.pos++
	}
	c := &cond{}
	if err := c.setSubject(p.src[start:p.pos]); err != nil {
		return nil, p.errAt(start, "%v", err)
	}
	p.skip()
	opPos := p.pos
	if err := p.parseOp(c); err != nil {
		return nil, err
	}
	if !c.subj.allows(c.op) {
		return nil, p.errAt(opPos, "operator %s is not valid for %s", c.opString(), c.subjString())
	}
	argPos := p.pos
	if err := p.parseArgs(c); err != nil {
		return nil, err
	}
	if err := c.compile(); err != nil {
		p.skip()
		return nil, p.errAt(argPos+leadingSpace(p.src[argPos:]), "%v", err)
	}
	return c, nil
}

func leadingSpace(s string) int { return len(s) - len(strings.TrimLeft(s, " \t\r\n")) }

func (c *cond) setSubject(w string) error {
	switch {
	case strings.HasPrefix(w, "attribute:"):
		c.subj, c.attr = subjAttribute, w[len("attribute:"):]
		if c.attr == "" || strings.Contains(c.attr, ":") {
			return fmt.Errorf("bad attribute name %q", c.attr)
		}
	case w == "ec2InstanceId":
		c.subj = subjInstanceID
	case w == "runningTasksCount":
		c.subj = subjRunningTasks
	case w == "registeredAt":
		c.subj = subjRegisteredAt
	case w == "agentVersion":
		c.subj = subjAgentVersion
	case w == "agentConnected":
		c.subj = subjAgentConnected
	case w == "task:group":
		c.subj = subjTaskGroup
	case w == "":
		return fmt.Errorf("expected a subject (attribute:NAME, ec2InstanceId, runningTasksCount, registeredAt, agentVersion, agentConnected, task:group)")
	default:
		return fmt.Errorf("unknown subject %q", w)
	}
	return nil
}

// allows reports whether the cluster-query-language page lists op for s.
func (s subject) allows(op cmpOp) bool {
	switch s {
	case subjAttribute:
		return true
	case subjInstanceID, subjAgentConnected, subjTaskGroup:
		return op == opEq || op == opIn || op == opMatch
	default: // agentVersion, registeredAt, runningTasksCount
		return op >= opEq && op <= opLe
	}
}

// opWords maps the word and symbol spellings of every operator. AWS
// (cluster-query-language.html): each symbol has a word alias.
var opWords = [...]struct {
	word string
	op   cmpOp
	neg  bool
}{
	{"equals", opEq, false}, {"not_equals", opEq, true},
	{"greater_than_equal", opGe, false}, {"greater_than", opGt, false},
	{"less_than_equal", opLe, false}, {"less_than", opLt, false},
	{"not_exists", opExists, true}, {"exists", opExists, false},
	{"not_in", opIn, true}, {"in", opIn, false},
	{"not_matches", opMatch, true}, {"matches", opMatch, false},
}

var opSymbols = [...]struct {
	sym string
	op  cmpOp
	neg bool
}{
	{"==", opEq, false}, {"!=", opEq, true}, {"=~", opMatch, false}, {"!~", opMatch, true},
	{">=", opGe, false}, {"<=", opLe, false}, {">", opGt, false}, {"<", opLt, false},
}

func (p *parser) parseOp(c *cond) error {
	if p.eof() {
		return p.errf("expected an operator after %s, found end of expression", c.subjString())
	}
	if p.src[p.pos] == '!' {
		save := p.pos
		p.pos++
		switch {
		case p.keyword("in"):
			c.op, c.neg = opIn, true
			return nil
		case p.keyword("exists"):
			c.op, c.neg = opExists, true
			return nil
		}
		p.pos = save
	}
	for _, s := range opSymbols {
		if p.symbol(s.sym) {
			c.op, c.neg = s.op, s.neg
			return nil
		}
	}
	for _, w := range opWords {
		if p.keyword(w.word) {
			c.op, c.neg = w.op, w.neg
			return nil
		}
	}
	return p.errf("expected an operator, found %q", p.rest(12))
}

func (p *parser) parseArgs(c *cond) error {
	switch c.op {
	case opExists:
		return nil
	case opIn:
		p.skip()
		if !p.eof() && p.src[p.pos] == '[' {
			list, err := p.parseList()
			c.args = list
			return err
		}
	}
	v, err := p.parseValue()
	if err != nil {
		return err
	}
	c.args = []string{v}
	return nil
}

func (p *parser) parseList() ([]string, error) {
	open := p.pos
	p.pos++ // '['
	list := []string{}
	p.skip()
	if p.symbol("]") {
		return list, nil
	}
	for {
		v, err := p.parseValue()
		if err != nil {
			return nil, err
		}
		list = append(list, v)
		p.skip()
		switch {
		case p.symbol(","):
		case p.symbol("]"):
			return list, nil
		case p.eof():
			return nil, p.errAt(open, "unclosed list")
		default:
			return nil, p.errf("expected ',' or ']' in list, found %q", p.rest(12))
		}
	}
}

// parseValue reads one argument: a quoted string ('...' or "...", no
// escapes) or a bare token. A bare token ends at white space, ',', '[', ']',
// a quote, "&&", "||" or a ')' that closes no '(' opened inside the token, so
// `not(task:group == database)` and `=~ (t2|m5).*` both read as meant.
func (p *parser) parseValue() (string, error) {
	p.skip()
	if p.eof() {
		return "", p.errf("expected a value, found end of expression")
	}
	if q := p.src[p.pos]; q == '\'' || q == '"' {
		end := strings.IndexByte(p.src[p.pos+1:], q)
		if end < 0 {
			return "", p.errf("unterminated quoted value")
		}
		v := p.src[p.pos+1 : p.pos+1+end]
		p.pos += end + 2
		return v, nil
	}
	start, depth := p.pos, 0
loop:
	for p.pos < len(p.src) {
		switch b := p.src[p.pos]; {
		case b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == ',' || b == '[' || b == ']' || b == '\'' || b == '"':
			break loop
		case b == '(':
			depth++
		case b == ')':
			if depth == 0 {
				break loop
			}
			depth--
		case strings.HasPrefix(p.src[p.pos:], "&&") || strings.HasPrefix(p.src[p.pos:], "||"):
			break loop
		}
		p.pos++
	}
	if p.pos == start {
		return "", p.errf("expected a value, found %q", p.rest(12))
	}
	return p.src[start:p.pos], nil
}

// compile checks and converts the arguments for the subject: integers for
// runningTasksCount, dates for registeredAt, versions for agentVersion,
// true/false for agentConnected, and a fully anchored regexp for =~.
func (c *cond) compile() error {
	if c.op == opMatch {
		re, err := regexp.Compile(`^(?:` + c.args[0] + `)$`)
		if err != nil {
			return fmt.Errorf("bad pattern %q: %v", c.args[0], err)
		}
		c.re = re
		return nil
	}
	for _, a := range c.args {
		n, err := c.convert(a)
		if err != nil {
			return err
		}
		c.nums = append(c.nums, n)
	}
	return nil
}

func (c *cond) convert(a string) (int64, error) {
	switch c.subj {
	case subjRunningTasks:
		n, err := strconv.ParseInt(a, 10, 32)
		if err != nil {
			return 0, fmt.Errorf("runningTasksCount wants an integer, got %q", a)
		}
		return n, nil
	case subjRegisteredAt:
		t, ok := parseDate(a)
		if !ok {
			return 0, fmt.Errorf("registeredAt wants a date like 2018-06-18T22:28:28Z, 2018-06-18T22:28:28+00:00, 2018-06-18T22:28:28 or 2018-06-18, got %q", a)
		}
		return t, nil
	case subjAgentVersion:
		v, ok := parseVersion(a)
		if !ok {
			return 0, fmt.Errorf("agentVersion wants a version like 1.14.5, got %q", a)
		}
		c.ver = v
		return 0, nil
	case subjAgentConnected:
		switch strings.ToLower(a) {
		case "true":
			return 1, nil
		case "false":
			return 0, nil
		}
		return 0, fmt.Errorf("agentConnected wants true or false, got %q", a)
	}
	return 0, nil
}

// dateLayouts are the registeredAt forms the cluster-query-language page
// lists; a time without zone, and a bare date, are UTC.
var dateLayouts = [...]string{time.RFC3339, "2006-01-02T15:04:05", "2006-01-02"}

// parseDate returns the Unix seconds of a registeredAt argument.
func parseDate(s string) (int64, bool) {
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.Unix(), true
		}
	}
	return 0, false
}

// version is a container agent version, up to four numeric components.
type version [4]int32

// parseVersion reads "1.14.5" (an optional leading 'v' is dropped).
func parseVersion(s string) (version, bool) {
	var v version
	s = strings.TrimPrefix(s, "v")
	if s == "" {
		return v, false // unknown (an instance with no agent version): no error to make
	}
	parts := strings.Split(s, ".")
	if len(parts) > len(v) {
		return v, false
	}
	for i, part := range parts {
		n, err := strconv.ParseUint(part, 10, 31)
		if err != nil {
			return v, false
		}
		v[i] = int32(n)
	}
	return v, true
}

func compareVersion(a, b version) int {
	for i := range a {
		if a[i] != b[i] {
			if a[i] < b[i] {
				return -1
			}
			return 1
		}
	}
	return 0
}
