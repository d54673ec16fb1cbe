package placement

import (
	"slices"
	"strconv"
	"strings"
)

// boundExpr is an Expr bound to one Pool: attribute names, values and groups
// replaced by the pool's interned ids so evaluation compares ints; regexp
// results cached per value id. static: the result depends only on facts
// fixed at Add, so member_of.go caches it per instance.
type boundExpr struct {
	root   *boundNode
	static bool
	cache  []uint32 // by handle: gen<<2 | 1 (true) or 2 (false)
}

type boundNode struct {
	kind exprKind
	l, r *boundNode
	c    *boundCond
}

type boundCond struct {
	*cond
	attr    int32   // attribute name id
	ids     []int32 // argument value ids (attribute, ec2InstanceId) or group ids (task:group)
	reCache []uint8 // by value or group id: 0 unknown, 1 match, 2 no match
}

func (p *Pool) bindExpr(e *Expr) *boundExpr {
	b := &boundExpr{static: true}
	b.root = p.bindNode(e.root, b)
	return b
}

func (p *Pool) bindNode(n *exprNode, b *boundExpr) *boundNode {
	bn := &boundNode{kind: n.kind}
	if n.kind != exprCond {
		bn.l = p.bindNode(n.l, b)
		if n.r != nil {
			bn.r = p.bindNode(n.r, b)
		}
		return bn
	}
	bc := &boundCond{cond: n.c}
	switch n.c.subj {
	case subjAttribute:
		bc.attr = p.names.id(n.c.attr)
		for _, a := range n.c.args {
			bc.ids = append(bc.ids, p.values.id(a))
		}
	case subjInstanceID:
		for _, a := range n.c.args {
			bc.ids = append(bc.ids, p.values.id(a))
		}
	case subjTaskGroup:
		b.static = false
		for _, a := range n.c.args {
			bc.ids = append(bc.ids, p.groups.id(a))
		}
	case subjRunningTasks:
		b.static = false
	}
	bn.c = bc
	return bn
}

func (n *boundNode) eval(p *Pool, c *candidate) bool {
	switch n.kind {
	case exprAnd:
		return n.l.eval(p, c) && n.r.eval(p, c)
	case exprOr:
		return n.l.eval(p, c) || n.r.eval(p, c)
	case exprNot:
		return !n.l.eval(p, c)
	}
	return n.c.test(p, c) != n.c.neg
}

// test evaluates the condition without its negation.
func (bc *boundCond) test(p *Pool, c *candidate) bool {
	switch bc.subj {
	case subjAttribute:
		return bc.testValue(p, c.attr(bc.attr), &p.values)
	case subjInstanceID:
		return bc.testValue(p, c.idVal, &p.values)
	case subjTaskGroup:
		return bc.testGroups(p, c)
	case subjRunningTasks:
		return compareOp(bc.op, cmpInt64(int64(c.running), bc.nums[0]))
	case subjRegisteredAt:
		return compareOp(bc.op, cmpInt64(c.regAt, bc.nums[0]))
	case subjAgentVersion:
		return c.verOK && compareOp(bc.op, compareVersion(c.ver, bc.ver))
	case subjAgentConnected:
		return bc.testConnected(c.connected)
	}
	return false
}

// testValue applies the operator to an interned string value (0 = absent:
// only !exists, !=, !in and !~ hold for an absent attribute).
func (bc *boundCond) testValue(p *Pool, v int32, in *interner) bool {
	if v == 0 {
		return false
	}
	switch bc.op {
	case opExists:
		return true
	case opEq:
		return v == bc.ids[0]
	case opIn:
		return slices.Contains(bc.ids, v)
	case opMatch:
		return bc.matches(v, in)
	}
	return compareOp(bc.op, compareLoose(in.str(v), bc.args[0]))
}

func (bc *boundCond) matches(v int32, in *interner) bool {
	for int(v) >= len(bc.reCache) {
		bc.reCache = append(bc.reCache, 0)
	}
	if bc.reCache[v] == 0 {
		bc.reCache[v] = 2
		if bc.re.MatchString(in.str(v)) {
			bc.reCache[v] = 1
		}
	}
	return bc.reCache[v] == 1
}

// testGroups: task:group == G holds when the instance runs a task of G; in
// when it runs one of the list; =~ when one of its groups matches. The
// negated forms hold when no running group qualifies (choice, see docs).
func (bc *boundCond) testGroups(p *Pool, c *candidate) bool {
	for i := range c.groups.len() {
		gc := c.groups.at(i)
		switch bc.op {
		case opEq, opIn:
			if slices.Contains(bc.ids, gc.group) {
				return true
			}
		case opMatch:
			if bc.matches(gc.group, &p.groups) {
				return true
			}
		}
	}
	return false
}

func (bc *boundCond) testConnected(connected bool) bool {
	if bc.op == opMatch {
		return bc.re.MatchString(strconv.FormatBool(connected))
	}
	want := int64(0)
	if connected {
		want = 1
	}
	return slices.Contains(bc.nums, want)
}

// compareLoose orders attribute values numerically when both are numbers,
// else as strings (choice: ECS does not document ordering of attributes).
func compareLoose(a, b string) int {
	x, errA := strconv.ParseFloat(a, 64)
	y, errB := strconv.ParseFloat(b, 64)
	if errA == nil && errB == nil {
		switch {
		case x < y:
			return -1
		case x > y:
			return 1
		}
		return 0
	}
	return strings.Compare(a, b)
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// compareOp turns a three-way comparison into the operator's answer.
func compareOp(op cmpOp, c int) bool {
	switch op {
	case opEq:
		return c == 0
	case opGt:
		return c > 0
	case opGe:
		return c >= 0
	case opLt:
		return c < 0
	case opLe:
		return c <= 0
	}
	return false
}
