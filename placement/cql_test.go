package placement

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// cqlPool is the fixture the CQL tables evaluate against. In ID order:
//
//	i-0000aaaa g2.8xlarge us-east-1d registered 2018-02-13T00:00:00Z agent 1.20.0 no tasks, stack=prod
//	i-1111bbbb m5.large   us-east-1c registered 2019-01-01           agent 1.14.5 2 x service:web
//	i-abcd1234 t2.small   us-east-1a registered 2018-01-01           agent 1.14.4 1 x service:production
//	i-wxyx7890 g2.2xlarge us-east-1b registered 2018-03-01           agent 1.14.5 1 x database, disconnected
func cqlPool(t *testing.T) (*Pool, []Handle) {
	day := func(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC) }
	w := inst("i-wxyx7890").typ("g2.2xlarge").az("us-east-1b").registered(day(2018, 3, 1)).agent("1.14.5").obj()
	w.Disconnected = true
	p, hs := poolOf(t,
		inst("i-0000aaaa").typ("g2.8xlarge").az("us-east-1d").registered(day(2018, 2, 13)).agent("1.20.0").attr("stack", "prod").obj(),
		inst("i-1111bbbb").typ("m5.large").az("us-east-1c").registered(day(2019, 1, 1)).agent("1.14.5").obj(),
		inst("i-abcd1234").typ("t2.small").az("us-east-1a").registered(day(2018, 1, 1)).agent("1.14.4").obj(),
		w,
	)
	reserve := func(h Handle, group string) {
		require.NoError(t, p.Reserve(h, mustSpec(t, p, Task{Group: group})))
	}
	reserve(hs[1], "service:web")
	reserve(hs[1], "service:web")
	reserve(hs[2], "service:production")
	reserve(hs[3], "database")
	return p, hs
}

// matching returns the IDs (in ID order) of the instances satisfying memberOf(expr).
func matching(t *testing.T, p *Pool, hs []Handle, expr string) []string {
	t.Helper()
	s := mustSpec(t, p, Task{Group: "probe", Constraints: []Constraint{mustMemberOf(t, expr)}})
	got := []string{}
	for _, h := range hs {
		if p.Fit(h, s) == Fits {
			got = append(got, p.InstanceID(h))
		}
	}
	return got
}

func TestCQLDocumentedExamples(t *testing.T) {
	const (
		a = "i-0000aaaa"
		b = "i-1111bbbb"
		c = "i-abcd1234"
		d = "i-wxyx7890"
	)
	tests := []struct {
		name string
		expr string
		want []string
	}{
		{"instance type equals t2.small selects the t2.small", "attribute:ecs.instance-type == t2.small", []string{c}},
		{"availability zone in a list selects 1a and 1b", "attribute:ecs.availability-zone in [us-east-1a, us-east-1b]", []string{c, d}},
		{"g2 family outside us-east-1d selects the 1b g2", "attribute:ecs.instance-type =~ g2.* and attribute:ecs.availability-zone != us-east-1d", []string{d}},
		{"t2 family (constraint examples page) selects the t2", "attribute:ecs.instance-type =~ t2.*", []string{c}},
		{"task group equals service:production selects its instance", "task:group == service:production", []string{c}},
		{"not task group database excludes the database instance", "not(task:group == database)", []string{a, b, c}},
		{"running tasks count equals 1 selects the one-task instances", "runningTasksCount == 1", []string{c, d}},
		{"agent version below 1.14.5 selects the old agent", "agentVersion < 1.14.5", []string{c}},
		{"registered before 2018-02-13 selects the January instance", "registeredAt < 2018-02-13", []string{c}},
		{"instance ID in a quoted list selects both", "ec2InstanceId in ['i-abcd1234', 'i-wxyx7890']", []string{c, d}},
	}
	p, hs := cqlPool(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, matching(t, p, hs, tt.expr))
		})
	}
}

func TestCQLOperatorsAndAliases(t *testing.T) {
	const (
		a = "i-0000aaaa"
		b = "i-1111bbbb"
		c = "i-abcd1234"
		d = "i-wxyx7890"
	)
	tests := []struct {
		name  string
		exprs []string // all spellings must select want
		want  []string
	}{
		{"equals", []string{"attribute:ecs.instance-type == m5.large", "attribute:ecs.instance-type equals m5.large", `attribute:ecs.instance-type=="m5.large"`}, []string{b}},
		{"not equals", []string{"attribute:ecs.instance-type != m5.large", "attribute:ecs.instance-type not_equals m5.large"}, []string{a, c, d}},
		{"greater than on running tasks", []string{"runningTasksCount > 1", "runningTasksCount greater_than 1"}, []string{b}},
		{"greater or equal on running tasks", []string{"runningTasksCount >= 1", "runningTasksCount greater_than_equal 1"}, []string{b, c, d}},
		{"less than on running tasks", []string{"runningTasksCount < 1", "runningTasksCount less_than 1"}, []string{a}},
		{"less or equal on registration", []string{"registeredAt <= 2018-02-13T00:00:00Z", "registeredAt less_than_equal 2018-02-13T00:00:00+00:00", "registeredAt <= 2018-02-13T00:00:00"}, []string{a, c}},
		{"exists on a custom attribute", []string{"attribute:stack exists"}, []string{a}},
		{"not exists on a custom attribute", []string{"attribute:stack !exists", "attribute:stack not_exists"}, []string{b, c, d}},
		{"in", []string{"attribute:ecs.availability-zone in [us-east-1c, 'us-east-1d']", `attribute:ecs.availability-zone in ["us-east-1c","us-east-1d"]`}, []string{a, b}},
		{"not in", []string{"attribute:ecs.availability-zone !in [us-east-1c, us-east-1d]", "attribute:ecs.availability-zone not_in [us-east-1c, us-east-1d]"}, []string{c, d}},
		{"matches is a full match", []string{"attribute:ecs.instance-type =~ g2", "attribute:ecs.instance-type matches g2"}, []string{}},
		{"matches with alternation in parentheses", []string{"attribute:ecs.instance-type =~ (t2|m5).*"}, []string{b, c}},
		{"not matches", []string{"attribute:ecs.instance-type !~ g2.*", "attribute:ecs.instance-type not_matches g2.*"}, []string{b, c}},
		{"and binds tighter than or", []string{"attribute:stack exists or runningTasksCount == 2 and attribute:ecs.instance-type == m5.large", "attribute:stack exists || (runningTasksCount == 2 && attribute:ecs.instance-type == m5.large)"}, []string{a, b}},
		{"parentheses override precedence", []string{"(attribute:stack exists or runningTasksCount == 2) and attribute:ecs.instance-type == m5.large"}, []string{b}},
		{"bang negates", []string{"!(runningTasksCount == 0)", "not runningTasksCount == 0"}, []string{b, c, d}},
		{"agent connected", []string{"agentConnected == false", "agentConnected in [false]", "agentConnected =~ f.*"}, []string{d}},
		{"agent version equals", []string{"agentVersion == 1.14.5"}, []string{b, d}},
		{"task group in a list", []string{"task:group in [database, service:web]"}, []string{b, d}},
		{"task group matches", []string{"task:group =~ service:.*"}, []string{b, c}},
		{"task group not equals means no task of it", []string{"task:group != database"}, []string{a, b, c}},
		{"word operators are case-insensitive", []string{"runningTasksCount == 0 OR attribute:stack EXISTS"}, []string{a}},
	}
	p, hs := cqlPool(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, e := range tt.exprs {
				assert.Equal(t, tt.want, matching(t, p, hs, e), e)
			}
		})
	}
}

func TestCQLSyntaxErrorsCarryTheColumn(t *testing.T) {
	tests := []struct {
		name, src string
		col       int
		msg       string
	}{
		{"empty expression", "", 1, "empty"},
		{"unknown subject", "attribut:x == 1", 1, "unknown subject"},
		{"missing operator", "runningTasksCount 1", 19, "expected an operator"},
		{"missing value", "attribute:x ==", 15, "expected a value"},
		{"operator not valid for subject", "runningTasksCount =~ 1.*", 19, "not valid for runningTasksCount"},
		{"exists on a non-attribute", "task:group exists", 12, "not valid"},
		{"integer wanted", "runningTasksCount > many", 21, "wants an integer"},
		{"bad date", "registeredAt < 2018-13-45", 16, "wants a date"},
		{"bad version", "agentVersion < one", 16, "wants a version"},
		{"bad regexp", "attribute:x =~ (a", 16, "bad pattern"},
		{"unclosed parenthesis", "(runningTasksCount == 1", 1, "unclosed parenthesis"},
		{"unclosed list", "attribute:x in [a, b", 16, "unclosed list"},
		{"unterminated quote", "attribute:x == 'abc", 16, "unterminated"},
		{"trailing garbage", "runningTasksCount == 1 junk", 24, "unexpected"},
		{"dangling and", "runningTasksCount == 1 and", 27, "expected a condition"},
		{"too long", "attribute:x == " + strings.Repeat("a", 1990), 2001, "more than 2000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseExpression(tt.src)
			var se *SyntaxError
			require.True(t, errors.As(err, &se), "want *SyntaxError, got %v", err)
			assert.Equal(t, tt.col, se.Col, se.Error())
			assert.Contains(t, se.Msg, tt.msg)
		})
	}
}

func TestCQLCanonicalFormReparses(t *testing.T) {
	tests := []struct{ src, want string }{
		{"attribute:ecs.instance-type =~ g2.* and attribute:ecs.availability-zone != us-east-1d",
			"(attribute:ecs.instance-type =~ 'g2.*' and attribute:ecs.availability-zone != 'us-east-1d')"},
		{"not(task:group == database)", "not(task:group == 'database')"},
		{"ec2InstanceId not_in ['i-1', \"i'2\"]", `ec2InstanceId !in ['i-1', "i'2"]`},
		{"attribute:stack exists", "attribute:stack exists"},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			e, err := ParseExpression(tt.src)
			require.NoError(t, err)
			assert.Equal(t, tt.want, e.String())
			again, err := ParseExpression(e.String())
			require.NoError(t, err)
			assert.Equal(t, tt.want, again.String())
		})
	}
}

// AWS limits the expression the user writes to 2000 characters; the
// canonical form quotes and parenthesises, so it can be longer, and still
// reads back as the same expression.
func TestCQLLimitIsOnTheWrittenExpressionInCharacters(t *testing.T) {
	tests := []struct {
		name, src string
		ok        bool
	}{
		{"2000 ASCII characters are accepted", "attribute:x == " + strings.Repeat("a", 1985), true},
		{"2001 ASCII characters are refused", "attribute:x == " + strings.Repeat("a", 1986), false},
		{"2000 characters of 3970 bytes are accepted", "attribute:x == " + strings.Repeat("é", 1985), true},
		{"2001 characters of 3972 bytes are refused", "attribute:x == " + strings.Repeat("é", 1986), false},
		{"2000 characters of many conditions are accepted", strings.Repeat("attribute:x==1 or ", 110) + "agentConnected==true", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := ParseExpression(tt.src)
			if !tt.ok {
				var se *SyntaxError
				require.ErrorAs(t, err, &se)
				assert.Equal(t, MaxExpressionLen+1, se.Col)
				assert.Equal(t, "expression is 2001 characters, more than 2000", se.Msg)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, MaxExpressionLen, utf8.RuneCountInString(tt.src))
			canon := e.String()
			assert.Greater(t, utf8.RuneCountInString(canon), MaxExpressionLen, "the canonical form is longer than the source")
			again, err := parseExpression(canon)
			require.NoError(t, err)
			assert.True(t, sameExpr(e.root, again.root), "the canonical form %q reads back as another expression", canon)
			assert.Equal(t, canon, again.String())
		})
	}
}

func TestCQLErrorsQuoteWholeCharacters(t *testing.T) {
	_, err := ParseExpression("runningTasksCount == 1 ééééééééééééééé")
	var se *SyntaxError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, 24, se.Col)
	assert.Equal(t, `unexpected "éééééééééééé"`, se.Msg, "12 characters, none cut in two")
}

// sameExpr reports whether two parsed trees are the same expression: the
// same shape, subjects, operators, arguments and compiled arguments.
func sameExpr(a, b *exprNode) bool {
	if a == nil || b == nil {
		return a == b
	}
	if a.kind != b.kind || !sameExpr(a.l, b.l) || !sameExpr(a.r, b.r) {
		return false
	}
	if a.c == nil || b.c == nil {
		return a.c == b.c
	}
	x, y := a.c, b.c
	if (x.re == nil) != (y.re == nil) || x.re != nil && x.re.String() != y.re.String() {
		return false
	}
	return x.subj == y.subj && x.attr == y.attr && x.op == y.op && x.neg == y.neg &&
		slices.Equal(x.args, y.args) && slices.Equal(x.nums, y.nums) && x.ver == y.ver
}

// FuzzCQL checks that the parser never panics, that whatever parses has a
// canonical form that parses to the same expression whatever its length
// (and through ParseExpression when it is within the limit), and that
// evaluation never panics.
func FuzzCQL(f *testing.F) {
	for _, s := range []string{
		"attribute:ecs.instance-type == t2.small",
		"attribute:ecs.availability-zone in [us-east-1a, us-east-1b]",
		"attribute:ecs.instance-type =~ g2.* and attribute:ecs.availability-zone != us-east-1d",
		"task:group == service:production",
		"not(task:group == database)",
		"runningTasksCount == 1",
		"agentVersion < 1.14.5",
		"registeredAt < 2018-02-13",
		"ec2InstanceId in ['i-abcd1234', 'i-wxyx7890']",
		"(a", "attribute:x =~ (t2|m5).*", "!attribute:stack !exists || agentConnected == true",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		// A fresh pool per input: shared interning state would make coverage
		// depend on earlier inputs and stall minimisation.
		p, hs := poolOf(t, inst("i-1").typ("t2.small").az("us-east-1a").attr("stack", "prod").obj(), inst("i-2").obj())
		e, err := ParseExpression(src)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) || se.Col < 1 {
				t.Fatalf("error without a column: %v", err)
			}
			return
		}
		canon := e.String()
		again, err := parseExpression(canon)
		if err != nil {
			t.Fatalf("canonical form %q of %q does not parse: %v", canon, src, err)
		}
		if !sameExpr(e.root, again.root) {
			t.Fatalf("canonical form %q of %q parses to another expression", canon, src)
		}
		if again.String() != canon {
			t.Fatalf("canonical form not stable: %q -> %q", canon, again.String())
		}
		if _, err := ParseExpression(canon); err != nil && utf8.RuneCountInString(canon) <= MaxExpressionLen {
			t.Fatalf("canonical form %q of %q is within the limit but refused: %v", canon, src, err)
		}
		s, err := p.NewSpec(Task{Group: "g", Constraints: []Constraint{{Kind: MemberOfConstraint, Expr: e}}})
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range hs {
			p.Fit(h, s)
		}
	})
}
