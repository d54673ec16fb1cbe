package placement

import "strings"

// String returns the expression in canonical form: symbol operators, every
// value quoted, every and/or parenthesised. Parsing the canonical form gives
// the same expression, so the same canonical form (FuzzCQL checks this).
// The quotes and parentheses can take it past MaxExpressionLen characters,
// the limit ParseExpression puts on what the user writes; the package reads
// a canonical form back without that limit (parseExpression).
func (e *Expr) String() string {
	var b strings.Builder
	e.root.format(&b)
	return b.String()
}

func (n *exprNode) format(b *strings.Builder) {
	switch n.kind {
	case exprCond:
		n.c.format(b)
	case exprNot:
		b.WriteString("not(")
		n.l.format(b)
		b.WriteString(")")
	default:
		b.WriteString("(")
		n.l.format(b)
		if n.kind == exprAnd {
			b.WriteString(" and ")
		} else {
			b.WriteString(" or ")
		}
		n.r.format(b)
		b.WriteString(")")
	}
}

func (c *cond) format(b *strings.Builder) {
	b.WriteString(c.subjString())
	b.WriteString(" ")
	b.WriteString(c.opString())
	switch {
	case c.op == opExists:
	case c.op == opIn:
		b.WriteString(" [")
		for i, a := range c.args {
			if i > 0 {
				b.WriteString(", ")
			}
			quote(b, a)
		}
		b.WriteString("]")
	default:
		b.WriteString(" ")
		quote(b, c.args[0])
	}
}

// quote writes v in single quotes, or double quotes when v holds a single
// quote (a parsed value never holds both).
func quote(b *strings.Builder, v string) {
	q := "'"
	if strings.Contains(v, "'") {
		q = `"`
	}
	b.WriteString(q)
	b.WriteString(v)
	b.WriteString(q)
}

func (c *cond) subjString() string {
	switch c.subj {
	case subjAttribute:
		return "attribute:" + c.attr
	case subjInstanceID:
		return "ec2InstanceId"
	case subjRunningTasks:
		return "runningTasksCount"
	case subjRegisteredAt:
		return "registeredAt"
	case subjAgentVersion:
		return "agentVersion"
	case subjAgentConnected:
		return "agentConnected"
	case subjTaskGroup:
		return "task:group"
	}
	return "?"
}

func (c *cond) opString() string {
	pos := [...]string{opEq: "==", opGt: ">", opGe: ">=", opLt: "<", opLe: "<=", opExists: "exists", opIn: "in", opMatch: "=~"}
	neg := [...]string{opEq: "!=", opExists: "!exists", opIn: "!in", opMatch: "!~"}
	if c.neg {
		return neg[c.op]
	}
	return pos[c.op]
}
